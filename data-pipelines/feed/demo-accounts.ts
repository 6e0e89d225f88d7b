/**
 * Demo accounts — FOR THE DEMO ONLY (simulator on, no accounts file given). Their passwords are published here and in
 * docs/people.md, so they protect nothing: a real deployment passes `--accounts FILE` (feed/auth.ts) and gets none of
 * these. The hashes are made at start from this table (fresh salts each run); the table is the documentation.
 *
 * The grid staff member looks after two of the most populated real grid cells of the data package (WG-0204, the
 * cell whose notice board names 郑丽娟, and WG-0304 next to it), so the demo has residents to visit there.
 */
import { hashPassword, loadAccountsFile, type Account } from './auth.ts';

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
 * throws with the reason), else the demo accounts when the simulator runs, else none (only the shared token).
 */
export async function accountsFor(opts: { file?: string | undefined; simulated: boolean }): Promise<{ accounts: Account[]; source: 'file' | 'demo' | 'none' }> {
  if (opts.file) return { accounts: loadAccountsFile(opts.file), source: 'file' };
  if (opts.simulated) return { accounts: await demoAccounts(), source: 'demo' };
  return { accounts: [], source: 'none' };
}

/** One line for the console at start: which accounts exist (never a password or hash, except the demo's own table). */
export function accountsBanner(r: { accounts: readonly Account[]; source: 'file' | 'demo' | 'none' }): string {
  if (r.source === 'none') return 'Named accounts: none (only the shared token, as the duty operator). Pass --accounts FILE to add some.';
  if (r.source === 'file') return `Named accounts: ${r.accounts.length} from the accounts file.`;
  return `Demo accounts (demo only, passwords published in docs/people.md): ${DEMO_ACCOUNTS.map((a) => `${a.login} / ${a.password} (${a.role})`).join(', ')}`;
}
