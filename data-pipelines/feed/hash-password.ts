/**
 * CLI: makes the scrypt hash of a password for an accounts file (feed/auth.ts). The password is read from stdin, not
 * from the command line (which would keep it in the shell history and the process list):
 *   read -rs PW && printf '%s' "$PW" | npx tsx data-pipelines/feed/hash-password.ts
 *   ... | npx tsx data-pipelines/feed/hash-password.ts --login zhangsan --name 张三 --role grid-staff --grids WG-0204,WG-0304
 * Prints the hash, or with --login the whole account entry as JSON (validated like the server validates the file).
 */
import { text } from 'node:stream/consumers';
import { hashPassword, parseAccounts } from './auth.ts';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

try {
  if (process.stdin.isTTY) process.stderr.write('Type the password, then Enter and Ctrl+D (it is shown as you type; prefer piping it in):\n');
  const password = (await text(process.stdin)).replace(/\r?\n$/, '');
  const passwordHash = await hashPassword(password);
  const login = arg('--login');
  if (!login) {
    console.log(passwordHash);
  } else {
    const grids = arg('--grids');
    const entry = {
      login,
      name: arg('--name') ?? login,
      role: arg('--role') ?? 'operator',
      ...(grids ? { grids: grids.split(',').map((g) => g.trim()) } : {}),
      passwordHash,
    };
    console.log(JSON.stringify(parseAccounts([entry], 'account')[0], null, 2));
  }
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
