/**
 * Demo accounts — FOR THE DEMO ONLY, and only when asked for: `--demo` (feed/main.ts; npm start on the embedded demo
 * passes it). Their passwords are published here and in docs/people.md, so they protect nothing: a deployment passes
 * `--accounts FILE` (feed/auth.ts), gets none of these, and refuses to start if a demo login still has its published
 * password (assertNoDemoPasswords, checked by startFeedServer unless `demo` is set). The hashes are made at start
 * from this table (fresh salts each run); the table is the documentation.
 *
 * The grid staff member looks after two of the most populated real grid cells of the data package (WG-0204, the
 * cell whose notice board names 郑丽娟, and WG-0304 next to it), so the demo has residents to visit there.
 */
import { hashPassword, loadAccountsFile, verifyPassword, type Account } from './auth.ts';

export const DEMO_ACCOUNTS: ReadonlyArray<Omit<Account, 'passwordHash'> & { password: string }> = [
  { login: 'zhenglj', password: 'demo-wangge', name: '郑丽娟', role: 'grid-staff', grids: ['WG-0204', 'WG-0304'] },
  { login: 'sunhm', password: 'demo-minzheng', name: '孙慧敏', role: 'civil-affairs' },
  { login: 'qianlx', password: 'demo-shenji', name: '钱立新', role: 'auditor' },
];

let cached: Promise<Account[]> | null = null;

/** The demo table with scrypt hashes (made once per process, in parallel on the thread pool). */
export function demoAccounts(): Promise<Account[]> {
  cached ??= Promise.all(DEMO_ACCOUNTS.map(async ({ password, ...a }) => ({ ...a, passwordHash: await hashPassword(password) })));
  return cached;
}

/**
 * The accounts an entry point (npm start, feed/main.ts, Electron) runs with: the file when one is given (a bad file
 * throws with the reason), else the demo accounts when the demo was asked for (`demo`), else none (only the duty
 * operator's masked view).
 */
export async function accountsFor(opts: { file?: string | undefined; demo: boolean }): Promise<{ accounts: Account[]; source: 'file' | 'demo' | 'none' }> {
  if (opts.file) return { accounts: loadAccountsFile(opts.file), source: 'file' };
  if (opts.demo) return { accounts: await demoAccounts(), source: 'demo' };
  return { accounts: [], source: 'none' };
}

/**
 * Throws when an account outside demo mode still signs in with a published demo password (a demo login with its
 * demo password: the accounts copied into a deployment, or the demo table passed without `demo`). Checks only the
 * published login/password pairs (at most three scrypt checks, run in parallel), so a start stays quick.
 */
export async function assertNoDemoPasswords(accounts: readonly Account[]): Promise<void> {
  const hits = await Promise.all(
    accounts.map(async (a) => {
      const demo = DEMO_ACCOUNTS.find((d) => d.login === a.login);
      return demo && (await verifyPassword(demo.password, a.passwordHash)) ? a.login : null;
    }),
  );
  const bad = hits.filter((l): l is string => l !== null);
  if (bad.length)
    throw new Error(
      `refusing to start: account${bad.length > 1 ? 's' : ''} ${bad.join(', ')} ${bad.length > 1 ? 'have their' : 'has its'} published demo password (docs/people.md) and this is not a demo. ` +
        'Give each a password of its own (npx tsx data-pipelines/feed/hash-password.ts) or start the demo with --demo.',
    );
}

/** One line for the console at start: which accounts exist (never a password or hash, except the demo's own table). */
export function accountsBanner(r: { accounts: readonly Account[]; source: 'file' | 'demo' | 'none' }): string {
  if (r.source === 'none')
    return 'Named accounts: none (the console is the duty operator: masked data only). Pass --accounts FILE to add some, or --demo for the published demo accounts.';
  if (r.source === 'file') return `Named accounts: ${r.accounts.length} from the accounts file.`;
  return `Demo accounts (--demo: demo only, passwords published in docs/people.md): ${DEMO_ACCOUNTS.map((a) => `${a.login} / ${a.password} (${a.role})`).join(', ')}`;
}
