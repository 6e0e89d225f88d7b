/**
 * Named accounts and sign-in sessions of the feed server (issue 6: access by role).
 *
 * - Passwords are stored only as scrypt hashes with a per-account random salt, in a PHC-style string
 *   `$scrypt$ln=15,r=8,p=3$<salt b64>$<key b64>` (N = 2^ln; OWASP's scrypt settings: 32 MiB, ~0.3 s here).
 *   Verification compares with timingSafeEqual; an unknown login is checked against a dummy hash so it takes as long.
 * - A successful sign-in makes a session token (32 random bytes, hex) held in memory only, keyed by its SHA-256 (a
 *   heap dump does not hand out live tokens); it ends 12 h after sign-in, on sign-out, or when the server stops.
 * - Failed sign-ins are throttled per SOURCE (the credential the console connected with, and its address), never per
 *   account: a source's first 3 failures are free, then it must wait 1 s, 2 s, 4 s … (at most 5 min) after its last
 *   failure before its next attempt is checked; 15 min without a failure (or a success) forgets it. So wrong passwords
 *   from one console never lock the real user out at another (issue 16: the old per-login lock was a denial of
 *   service). One check at a time per source, at most 4 at once in all (scrypt is deliberately costly); failures are
 *   logged without the password.
 * - Accounts for a real deployment come from a JSON file (`--accounts FILE`), validated with zod; a bad file stops
 *   the server with the reason. `hashPassword` (or `npx tsx data-pipelines/feed/hash-password.ts`) makes the hashes.
 *
 * Not here: LDAP/AD, SSO, password changes in the UI, account lockout (deliberately), sessions surviving a restart.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LOGIN_PATTERN, ROLE_NAMES, type LoginAnswer } from '../contracts/auth.ts';
import { ROLES, type Role, type User } from '../people/policy.ts';

// The wire contract's role list and the policy's must be the same set (a compile error otherwise).
const _rolesMatch: [Role extends (typeof ROLE_NAMES)[number] ? true : false, (typeof ROLE_NAMES)[number] extends Role ? true : false] = [true, true];
void _rolesMatch;

export interface ScryptParams {
  /** log2 of the CPU/memory cost N */
  ln: number;
  r: number;
  p: number;
}
export const DEFAULT_SCRYPT: ScryptParams = { ln: 15, r: 8, p: 3 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
export const MIN_PASSWORD_LENGTH = 8;
const HASH_RE = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22,}={0,2})\$([A-Za-z0-9+/]{43}=)$/;

function derive(password: string, salt: Buffer, p: ScryptParams): Promise<Buffer> {
  const N = 2 ** p.ln;
  return new Promise((resolve, reject) =>
    // NFC: the same password typed on another system (composed vs decomposed characters) gives the same key
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N, r: p.r, p: p.p, maxmem: 128 * N * p.r * 2 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A parsed hash string, or null when it is not one this module makes (or its cost is out of sane bounds). */
export function parseHash(hash: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const m = HASH_RE.exec(hash);
  if (!m) return null;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // bounds: weak enough to be a mistake below, costly enough to be a denial of service above (256 MiB)
  if (params.ln < 14 || params.ln > 20 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16 || 128 * 2 ** params.ln * params.r > 256 * 1024 * 1024)
    return null;
  const salt = Buffer.from(m[4]!, 'base64');
  const key = Buffer.from(m[5]!, 'base64');
  if (salt.length < 16 || key.length !== KEY_BYTES) return null;
  return { params, salt, key };
}

/** The scrypt hash string of a password (fresh random salt). Passwords shorter than 8 characters are refused. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new Error(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Does `password` match `hash`? Constant-time comparison; false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const h = parseHash(hash);
  if (!h) return false;
  const key = await derive(password, h.salt, h.params);
  return key.length === h.key.length && timingSafeEqual(key, h.key);
}

/** One named account as stored (accounts file): never a password, only its hash. */
export const Account = z
  .object({
    login: z.string().regex(LOGIN_PATTERN, 'login: 2–32 characters a-z 0-9 . _ -'),
    name: z.string().trim().min(1).max(32),
    role: z.enum(ROLES),
    /** grid-staff: the grid cells they look after (ids as in the data package, e.g. WG-0204) */
    grids: z
      .array(z.string().regex(/^[A-Z]{1,4}-\d{2,6}$/, 'grid ids look like WG-0204'))
      .min(1)
      .max(500)
      .optional(),
    passwordHash: z
      .string()
      .refine((h) => parseHash(h) !== null, 'passwordHash must be a $scrypt$ln=…,r=…,p=…$salt$key string (npx tsx data-pipelines/feed/hash-password.ts)'),
  })
  .strict()
  .refine((a) => a.role !== 'grid-staff' || (a.grids?.length ?? 0) > 0, {
    message: 'a grid-staff account needs "grids" (the cells they look after)',
    path: ['grids'],
  });
export type Account = z.infer<typeof Account>;

export const AccountsFile = z
  .array(Account)
  .min(1, 'no accounts')
  .max(10_000)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((a, i) => {
      if (seen.has(a.login)) ctx.addIssue({ code: 'custom', message: `login ${a.login} appears twice`, path: [i, 'login'] });
      seen.add(a.login);
    });
  });

/** Validates accounts (e.g. a parsed file); throws an Error naming every problem (entry index, field, reason). */
export function parseAccounts(raw: unknown, source = 'accounts'): Account[] {
  // the one mistake worth its own words: a plain password in the file
  if (Array.isArray(raw)) {
    const plain = raw.findIndex((a) => a && typeof a === 'object' && 'password' in a);
    if (plain >= 0)
      throw new Error(
        `${source}: entry ${plain} has a plain "password"; store only "passwordHash" (make one with: npx tsx data-pipelines/feed/hash-password.ts)`,
      );
  }
  const r = AccountsFile.safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 10).map((i) => `${i.path.length ? `entry ${i.path.map(String).join('.')}` : '(file)'}: ${i.message}`);
  throw new Error(`${source} is not a valid accounts file (JSON array of {login, name, role, grids?, passwordHash}): ${issues.join('; ')}`);
}

/** Reads and validates an accounts file; a missing, unreadable or invalid file throws with the reason. */
export function loadAccountsFile(path: string): Account[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`accounts file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`accounts file ${path} is not JSON: ${(e as Error).message}`);
  }
  return parseAccounts(raw, `accounts file ${path}`);
}

export interface Session {
  login: string;
  user: User;
  createdAt: number;
  expiresAt: number;
}

export interface AuthOptions {
  now?: () => number;
  /** session lifetime (default 12 h) */
  sessionTtlMs?: number;
  /** failures per source before the back-off starts (default 3) */
  freeFailures?: number;
  /** first back-off after the free failures (default 1 s); doubles with each further failure */
  backoffBaseMs?: number;
  /** longest back-off (default 5 min) */
  backoffMaxMs?: number;
  /** a source with no failure for this long starts afresh (default 15 min) */
  backoffResetMs?: number;
  /** verifications running at once (default 4: scrypt is costly on purpose) */
  maxConcurrent?: number;
  log?: (msg: string) => void;
}

export const SESSION_TTL_MS = 12 * 3600_000;
const MAX_SESSIONS = 10_000;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const shown = (login: string) => JSON.stringify(login.slice(0, 64));

/** Sign-in, sessions and the failed-attempt limit. Pure in-memory state; the clock can be injected (tests). */
export class AuthService {
  private readonly accounts = new Map<string, Account>();
  /** by SHA-256 of the token */
  private readonly sessions = new Map<string, Session>();
  /** per source: failed (or still being checked) attempts since it last started afresh, and when the last one began */
  private readonly throttle = new Map<string, { failures: number; last: number; checking: boolean }>();
  private inFlight = 0;
  private dummy: Promise<string> | null = null;

  constructor(
    accounts: readonly Account[],
    private readonly opts: AuthOptions = {},
  ) {
    for (const a of accounts) this.accounts.set(a.login, a);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private log(msg: string): void {
    this.opts.log?.(`auth: ${msg}`);
  }

  get accountCount(): number {
    return this.accounts.size;
  }

  /**
   * How long `source` must still wait before its next attempt is checked (0 = now). After `freeFailures` failures the
   * wait is backoffBaseMs · 2^(failures − freeFailures), at most backoffMaxMs, counted from its last failure.
   */
  backoffMs(source: string): number {
    const now = this.now();
    const t = this.throttle.get(source);
    if (!t) return 0;
    if (now - t.last >= (this.opts.backoffResetMs ?? 15 * 60_000)) return 0;
    const free = this.opts.freeFailures ?? 3;
    if (t.failures < free) return 0;
    const wait = Math.min(this.opts.backoffMaxMs ?? 5 * 60_000, (this.opts.backoffBaseMs ?? 1000) * 2 ** Math.min(30, t.failures - free));
    return Math.max(0, t.last + wait - now);
  }

  /**
   * Checks login and password; answers a session token and the user, or why not (never which part was wrong).
   * `source` names where the attempt comes from (the server passes the console's credential and address): failures
   * slow that source down, never the account, so no one can lock another user out.
   */
  async login(loginRaw: string, password: string, source = 'unknown'): Promise<LoginAnswer> {
    const login = loginRaw.trim().toLowerCase();
    const now = this.now();
    let t = this.throttle.get(source);
    if (t && now - t.last >= (this.opts.backoffResetMs ?? 15 * 60_000) && !t.checking) {
      this.throttle.delete(source);
      t = undefined;
    }
    if (t?.checking) return { ok: false, error: 'sign-in is busy: a sign-in from this console is still being checked', retryAfterMs: 1000 };
    const wait = this.backoffMs(source);
    if (wait > 0) {
      this.log(`sign-in refused for ${shown(login)} from ${shown(source)}: ${t!.failures} failed attempts, backing off ${Math.ceil(wait / 1000)} s`);
      return { ok: false, error: `too many failed sign-ins from this console: try again in ${Math.ceil(wait / 1000)} s`, retryAfterMs: wait };
    }
    if (this.inFlight >= (this.opts.maxConcurrent ?? 4)) return { ok: false, error: 'sign-in is busy: try again in a moment', retryAfterMs: 1000 };
    // counted before the (slow) check, so parallel attempts from one source cannot slip past the back-off
    t ??= { failures: 0, last: now, checking: false };
    t.failures++;
    t.last = now;
    t.checking = true;
    this.throttle.set(source, t);
    this.inFlight++;
    let ok = false;
    const account = this.accounts.get(login);
    try {
      if (account) ok = await verifyPassword(password, account.passwordHash);
      else await verifyPassword(password, await (this.dummy ??= hashPassword(randomBytes(16).toString('hex')))); // as slow as a real check
    } finally {
      this.inFlight--;
      t.checking = false;
    }
    if (!ok || !account) {
      this.log(`sign-in failed for ${shown(login)} (${account ? 'wrong password' : 'unknown login'}; failure ${t.failures} from source ${shown(source)})`);
      this.pruneThrottle(now);
      return { ok: false, error: 'wrong login or password' };
    }
    this.throttle.delete(source);
    const user: User = { name: account.name, role: account.role, ...(account.grids ? { grids: [...account.grids] } : {}) };
    const token = randomBytes(32).toString('hex');
    const expiresAt = this.now() + (this.opts.sessionTtlMs ?? SESSION_TTL_MS);
    this.sweep();
    if (this.sessions.size >= MAX_SESSIONS) {
      // the oldest session goes (Map keeps insertion order)
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(digest(token), { login, user, createdAt: now, expiresAt });
    this.log(`signed in: ${login} (${account.role}${account.grids ? ` ${account.grids.join(',')}` : ''}), session until ${new Date(expiresAt).toISOString()}`);
    return { ok: true, token, login, user, expiresAt };
  }

  private pruneThrottle(now: number): void {
    if (this.throttle.size < 1000) return;
    const reset = this.opts.backoffResetMs ?? 15 * 60_000;
    for (const [k, v] of this.throttle) if (!v.checking && now - v.last >= reset) this.throttle.delete(k);
    // bounded memory whatever happens: the longest-known sources go first (Map keeps insertion order)
    for (const k of this.throttle.keys()) {
      if (this.throttle.size <= 10_000) break;
      this.throttle.delete(k);
    }
  }

  /** The live session of a token (undefined when unknown, signed out or expired; an expired one is dropped). */
  session(token: string): Session | undefined {
    if (!/^[0-9a-f]{64}$/.test(token)) return undefined;
    const key = digest(token);
    const s = this.sessions.get(key);
    if (!s) return undefined;
    if (this.now() >= s.expiresAt) {
      this.sessions.delete(key);
      this.log(`session of ${s.login} expired`);
      return undefined;
    }
    return s;
  }

  /** Ends a session; true when there was one. */
  logout(token: string): boolean {
    const key = digest(token);
    const s = this.sessions.get(key);
    if (!s) return false;
    this.sessions.delete(key);
    this.log(`signed out: ${s.login}`);
    return true;
  }

  /** Drops expired sessions; returns how many. */
  sweep(): number {
    const now = this.now();
    let n = 0;
    for (const [k, s] of this.sessions)
      if (now >= s.expiresAt) {
        this.sessions.delete(k);
        n++;
      }
    return n;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }
}
