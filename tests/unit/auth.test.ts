/**
 * Named accounts and sign-in (issue 6, access by role): scrypt hashes, the per-login failure limit, session expiry
 * (injected clock) and sign-out; over the real feed server's socket a session token acts as its user (grid staff see
 * whole records in their own grid only), the shared token stays the duty operator, and ended sessions are refused.
 * Accounts files are validated with a reason; the hash CLI makes hashes the server accepts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginAnswer, mayActOnAlarmIn, type LogoutAnswer } from '../../data-pipelines/contracts/auth.ts';
import { WIRE } from '../../data-pipelines/contracts/events.ts';
import type { PeopleAnswer } from '../../data-pipelines/contracts/people.ts';
import {
  AuthService,
  hashPassword,
  loadAccountsFile,
  parseAccounts,
  parseHash,
  SESSION_TTL_MS,
  verifyPassword,
  type Account,
} from '../../data-pipelines/feed/auth.ts';
import { accountsFor, DEMO_ACCOUNTS, demoAccounts } from '../../data-pipelines/feed/demo-accounts.ts';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const ASSETS = resolve(ROOT, 'assets/district');
/** cheaper than the default (still within the accepted bounds) so the limit tests stay quick */
const FAST = { ln: 14, r: 8, p: 1 };

describe('password hashes', () => {
  it('scrypt with a per-hash salt: the right password verifies, a wrong one or a broken hash does not', async () => {
    const h1 = await hashPassword('correct horse battery');
    const h2 = await hashPassword('correct horse battery');
    expect(h1).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]{43}=$/);
    expect(h1).not.toBe(h2); // fresh salt each time
    expect(parseHash(h1)?.salt.length).toBe(16);
    expect(await verifyPassword('correct horse battery', h1)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h1)).toBe(false);
    expect(await verifyPassword('', h1)).toBe(false);
    expect(await verifyPassword('correct horse battery', h1.slice(0, -4) + 'AAA=')).toBe(false);
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    // composed and decomposed forms of the same text are the same password
    expect(await verifyPassword('cafe\u0301-password', await hashPassword('caf\u00e9-password', FAST))).toBe(true);
    await expect(hashPassword('short')).rejects.toThrow(/at least 8/);
    expect(parseHash(h1.replace('ln=15', 'ln=9'))).toBeNull(); // too weak to be anything but a mistake
    expect(parseHash(h1.replace('ln=15', 'ln=24'))).toBeNull(); // a denial of service
  });
});

describe('sign-in service (injected clock)', () => {
  let clock = Date.UTC(2026, 10, 23, 8, 0, 0);
  const logs: string[] = [];
  let svc: AuthService;
  beforeAll(async () => {
    const accounts: Account[] = [
      { login: 'zhang', name: '张网格', role: 'grid-staff', grids: ['WG-0204'], passwordHash: await hashPassword('grid-pass-1', FAST) },
      { login: 'li', name: '李审计', role: 'auditor', passwordHash: await hashPassword('audit-pass-1', FAST) },
    ];
    svc = new AuthService(accounts, { now: () => clock, log: (m) => logs.push(m) });
  });

  it('the right password gives a 32-byte hex session token and the user; wrong ones say nothing about which part failed', async () => {
    const a = await svc.login('Zhang ', 'grid-pass-1'); // login names are case-folded and trimmed
    expect(LoginAnswer.safeParse(a).success).toBe(true);
    expect(a).toMatchObject({ ok: true, login: 'zhang', user: { name: '张网格', role: 'grid-staff', grids: ['WG-0204'] }, expiresAt: clock + SESSION_TTL_MS });
    if (!a.ok) throw new Error('no session');
    expect(a.token).toMatch(/^[0-9a-f]{64}$/);
    expect(svc.session(a.token)?.user.name).toBe('张网格');
    const wrong = await svc.login('zhang', 'grid-pass-2');
    const unknown = await svc.login('nobody', 'grid-pass-1');
    expect(wrong).toEqual({ ok: false, error: 'wrong login or password' });
    expect(unknown).toEqual(wrong);
    expect(logs.join('\n')).toContain('sign-in failed for "zhang" (wrong password');
    expect(logs.join('\n')).not.toContain('grid-pass'); // never a password in the log
  });

  it('failures slow down their source, never the account: the right password from another console signs in at once; back-off grows for the guesser', async () => {
    // source A guesses: three failures are free, then A waits 1 s, 2 s, 4 s … after its last failure
    for (let i = 0; i < 3; i++) expect(await svc.login('li', `guess-${i}-xxxx`, 'A')).toEqual({ ok: false, error: 'wrong login or password' });
    const waits: number[] = [];
    for (let i = 3; i < 7; i++) {
      const refused = await svc.login('li', 'audit-pass-1', 'A'); // even the right password waits: A is backing off
      expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/^too many failed sign-ins from this console: try again in \d+ s$/) });
      waits.push(refused.ok ? 0 : refused.retryAfterMs!);
      expect(svc.backoffMs('A')).toBe(waits.at(-1));
      // the real user, at another console, signs in to the same account at once
      expect(await svc.login('li', 'audit-pass-1', 'B')).toMatchObject({ ok: true, login: 'li' });
      clock += waits.at(-1)!;
      expect(await svc.login('li', `guess-${i}-xxxx`, 'A')).toEqual({ ok: false, error: 'wrong login or password' });
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
    expect(svc.backoffMs('A')).toBe(16_000);
    expect(svc.backoffMs('B')).toBe(0);
    // capped at 5 min
    const capped = new AuthService([], { now: () => clock, freeFailures: 0, backoffBaseMs: 60_000, backoffMaxMs: 300_000 });
    for (let i = 0; i < 4; i++) {
      await capped.login('x', 'guess-xxxx', 'C');
      clock += capped.backoffMs('C');
    }
    await capped.login('x', 'guess-xxxx', 'C');
    expect(capped.backoffMs('C')).toBe(300_000);
    // 15 min without a failure: A starts afresh (and a success forgets it at once)
    clock += 15 * 60_000;
    expect(svc.backoffMs('A')).toBe(0);
    expect((await svc.login('li', 'audit-pass-1', 'A')).ok).toBe(true);
    expect(logs.some((l) => l.includes('backing off'))).toBe(true);
    expect(logs.join('\n')).not.toMatch(/guess-|audit-pass/);
  });

  it('parallel attempts from one source: one is checked, the rest refused (no burst past the back-off); other sources are not held up', async () => {
    const svc2 = new AuthService([{ login: 'wu', name: '吴', role: 'operator', passwordHash: await hashPassword('wu-pass-123', FAST) }], {
      now: () => clock,
      maxConcurrent: 100,
    });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => svc2.login('wu', `burst-${i}-xxxx`, 'A')));
    expect(answers.filter((a) => !a.ok && a.error === 'wrong login or password').length).toBe(1);
    expect(answers.filter((a) => !a.ok && /still being checked/.test(a.error)).length).toBe(11);
    const others = await Promise.all(Array.from({ length: 4 }, (_, i) => svc2.login('wu', i === 3 ? 'wu-pass-123' : `burst-${i}-xxxx`, `S${i}`)));
    expect(others.map((a) => a.ok)).toEqual([false, false, false, true]);
  });

  it('a session ends 12 h after sign-in, and on sign-out', async () => {
    const a = await svc.login('zhang', 'grid-pass-1');
    if (!a.ok) throw new Error('no session');
    clock += SESSION_TTL_MS - 1;
    expect(svc.session(a.token)).toBeDefined();
    clock += 1;
    expect(svc.session(a.token)).toBeUndefined();
    const b = await svc.login('zhang', 'grid-pass-1');
    if (!b.ok) throw new Error('no session');
    expect(svc.logout(b.token)).toBe(true);
    expect(svc.session(b.token)).toBeUndefined();
    expect(svc.logout(b.token)).toBe(false);
    expect(svc.session('not-a-token')).toBeUndefined();
  });
});

describe('accounts files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redwall-accounts-'));
  const file = (name: string, body: string) => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };
  let hash: string;
  beforeAll(async () => {
    hash = await hashPassword('deploy-pass-1', FAST);
  });

  it('a good file loads; a bad one stops with the reason', () => {
    const good = [
      { login: 'wang.wg', name: '王网格', role: 'grid-staff', grids: ['WG-0204', 'WG-0304'], passwordHash: hash },
      { login: 'zhao', name: '赵审计', role: 'auditor', passwordHash: hash },
    ];
    expect(loadAccountsFile(file('good.json', JSON.stringify(good))).map((a) => a.login)).toEqual(['wang.wg', 'zhao']);
    expect(() => loadAccountsFile(join(dir, 'missing.json'))).toThrow(/accounts file .*missing\.json: ENOENT/);
    expect(() => loadAccountsFile(file('broken.json', '[{"login": '))).toThrow(/is not JSON/);
    expect(() => loadAccountsFile(file('plain.json', JSON.stringify([{ login: 'zhao', name: '赵', role: 'auditor', password: 'secret-123' }])))).toThrow(
      /entry 0 has a plain "password"; store only "passwordHash"/,
    );
    expect(() => loadAccountsFile(file('role.json', JSON.stringify([{ ...good[1], role: 'admin' }])))).toThrow(/entry 0\.role/);
    expect(() => loadAccountsFile(file('grids.json', JSON.stringify([{ login: 'wang', name: '王', role: 'grid-staff', passwordHash: hash }])))).toThrow(
      /grid-staff account needs "grids"/,
    );
    expect(() => loadAccountsFile(file('dup.json', JSON.stringify([good[1], good[1]])))).toThrow(/login zhao appears twice/);
    expect(() => loadAccountsFile(file('hash.json', JSON.stringify([{ ...good[1], passwordHash: 'md5:abc' }])))).toThrow(/passwordHash must be a \$scrypt\$/);
    expect(() => loadAccountsFile(file('empty.json', '[]'))).toThrow(/no accounts/);
    expect(() => parseAccounts({ login: 'x' })).toThrow(/not a valid accounts file/);
  });

  it('the hash CLI reads the password from stdin and prints a hash or a validated entry the server accepts', async () => {
    const tsx = resolve(ROOT, 'node_modules/.bin/tsx');
    const cli = resolve(ROOT, 'data-pipelines/feed/hash-password.ts');
    const h = execFileSync(tsx, [cli], { input: 'cli-password-1\n', encoding: 'utf8' }).trim();
    expect(await verifyPassword('cli-password-1', h)).toBe(true);
    const entry = JSON.parse(
      execFileSync(tsx, [cli, '--login', 'qian', '--name', '钱', '--role', 'civil-affairs'], { input: 'cli-password-2', encoding: 'utf8' }),
    ) as Account;
    expect(entry).toMatchObject({ login: 'qian', name: '钱', role: 'civil-affairs' });
    expect(await verifyPassword('cli-password-2', entry.passwordHash)).toBe(true);
    expect(() => execFileSync(tsx, [cli], { input: 'short', encoding: 'utf8', stdio: 'pipe' })).toThrow(/at least 8/);
    expect(await accountsFor({ file: file('cli.json', JSON.stringify([entry])), demo: false })).toMatchObject({
      source: 'file',
      accounts: [{ login: 'qian' }],
    });
    expect(await accountsFor({ demo: false })).toEqual({ accounts: [], source: 'none' });
  }, 60_000);
});

describe('sessions on the real feed server', () => {
  let server: FeedServer;
  let clock = Date.now();
  const journalDir = mkdtempSync(join(tmpdir(), 'redwall-auth-srv-'));
  const TOKEN = 'shared-token-0123456789abcdef';
  const logs: string[] = [];
  const staff = DEMO_ACCOUNTS.find((a) => a.role === 'grid-staff')!;
  const own = staff.grids![0]!;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startFeedServer({
      assetsDir: ASSETS,
      journalDir,
      sim: { incidentEveryMs: 0 },
      token: TOKEN,
      accounts: await demoAccounts(),
      demo: true,
      auth: { now: () => clock },
      log: (m) => logs.push(m),
    });
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server?.close();
  });

  /** an open socket (resolves on hello) or the connect error's message */
  const open = (token: string): Promise<Socket | string> =>
    new Promise((res) => {
      const s = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
      sockets.push(s);
      s.on(WIRE.hello, () => res(s));
      s.on('connect_error', (e) => res(e.message));
    });
  const must = async (token: string): Promise<Socket> => {
    const s = await open(token);
    if (typeof s === 'string') throw new Error(s);
    return s;
  };
  const ask = async (s: Socket, req: unknown) => (await s.timeout(20_000).emitWithAck(WIRE.people, req)) as PeopleAnswer;
  const login = async (s: Socket, login: string, password: string) => LoginAnswer.parse(await s.timeout(20_000).emitWithAck(WIRE.login, { login, password }));
  const api = (tok: string, path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${tok}` } });
  let inOwn = '';
  let elsewhere = '';

  it('signed in over the socket, the session token acts as the grid staff: whole records in the own grid only', async () => {
    const shared = await must(TOKEN);
    expect(await ask(shared, { op: 'me' })).toEqual({ ok: true, op: 'me', user: { name: '值班员', role: 'operator' } });
    const a = await login(shared, staff.login, staff.password);
    if (!a.ok) throw new Error(a.error);
    expect(a.user).toEqual({ name: staff.name, role: 'grid-staff', grids: staff.grids });
    const mine = await must(a.token);
    expect(await ask(mine, { op: 'me' })).toEqual({ ok: true, op: 'me', user: { name: staff.name, role: 'grid-staff', grids: staff.grids } });
    const ownList = await ask(mine, { op: 'turning', age: 60, days: 366, grid: own });
    const otherList = await ask(mine, { op: 'turning', age: 60, days: 366, grid: 'WG-0107' });
    if (!ownList.ok || ownList.op !== 'turning' || !otherList.ok || otherList.op !== 'turning') throw new Error('no lists');
    expect(ownList.rows.length).toBeGreaterThan(0); // the demo grid has residents
    inOwn = ownList.rows[0]!.residentId;
    elsewhere = otherList.rows[0]!.residentId;
    const full = await ask(mine, { op: 'unmask', residentId: inOwn, reason: '上门核对养老助残卡' });
    expect(full).toMatchObject({ ok: true, op: 'unmask', resident: { masked: false, residentId: inOwn, gridId: own } });
    expect(full.ok && full.op === 'unmask' && /^\d{17}[\dX]$/.test(full.resident.idNumber)).toBe(true);
    expect(await ask(mine, { op: 'unmask', residentId: elsewhere, reason: '上门核对养老助残卡' })).toMatchObject({ ok: false, status: 403 });
    // the shared token is still the duty operator: refused
    expect(await ask(shared, { op: 'unmask', residentId: inOwn, reason: '上门核对养老助残卡' })).toMatchObject({ ok: false, status: 403 });
    // the same session over HTTP
    expect(await (await api(a.token, '/api/me')).json()).toEqual({ name: staff.name, role: 'grid-staff', grids: staff.grids });
    const post = (tok: string) =>
      fetch(`${server.url}/api/people/unmask`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
        body: JSON.stringify({ residentId: elsewhere, reason: '上门核对养老助残卡' }),
      });
    expect((await post(TOKEN)).status).toBe(403);
    expect((await post(a.token)).status).toBe(403);
    const audit = readFileSync(join(journalDir, 'people-audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { user: string; action: string; outcome: string; residentId?: string });
    expect(audit.filter((e) => e.action === 'unmask').map((e) => [e.user, e.residentId, e.outcome])).toEqual([
      [staff.name, inOwn, 'ok'],
      [staff.name, elsewhere, 'denied'],
      ['值班员', inOwn, 'denied'],
      ['值班员', elsewhere, 'denied'],
      [staff.name, elsewhere, 'denied'],
    ]);
    expect(logs.join('\n')).not.toContain(staff.password);
  }, 60_000);

  it('a signed-in user’s alarm steps are journaled under her own name, whatever `by` the page sends; drill lists still work', async () => {
    const shared = await must(TOKEN);
    const a = await login(shared, staff.login, staff.password);
    if (!a.ok) throw new Error(a.error);
    const mine = await must(a.token);
    const raise = async (wellId: string) => {
      const res = await fetch(`${server.url}/api/sim/incident`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ wellId, sensor: 'gas' }),
      });
      const { events } = (await res.json()) as { events: Array<{ kind: string; alarm?: { alarmId: string } }> };
      return events.find((e) => e.kind === 'alarm.update')!.alarm!.alarmId;
    };
    // grid staff act on alarms in their own cells only (MH-01319 is in WG-0204, MH-00420 in WG-0604): issue 16
    const elsewhereId = await raise('MH-00420');
    expect(
      await mine.timeout(5_000).emitWithAck(WIRE.command, { commandId: 'cmd-auth-0000', alarmId: elsewhereId, action: 'acknowledge', by: staff.name }),
    ).toEqual({ ok: false, error: `grid-staff may act on alarms in their own grids only (${staff.grids!.join(', ')}); ${elsewhereId} is in WG-0604` });
    expect(server.core.engine.alarms.get(elsewhereId)!.state).toBe('new');
    const alarmId = await raise('MH-01319');
    const ack = (await mine.timeout(5_000).emitWithAck(WIRE.command, { commandId: 'cmd-auth-0001', alarmId, action: 'acknowledge', by: '冒名顶替' })) as {
      ok: boolean;
      alarm?: { history: Array<{ action: string; by: string }> };
    };
    expect(ack.ok).toBe(true);
    expect(ack.alarm!.history.at(-1)).toMatchObject({ action: 'acknowledge', by: staff.name });
    // the shared token cannot name anyone either: its steps are the duty desk's
    const ack2 = (await shared
      .timeout(5_000)
      .emitWithAck(WIRE.command, { commandId: 'cmd-auth-0002', alarmId, action: 'dispatch', team: '燃气抢险队', by: staff.name })) as {
      ok: boolean;
      alarm?: { history: Array<{ action: string; by: string }> };
    };
    expect(ack2.alarm!.history.at(-1)).toMatchObject({ action: 'dispatch', by: '值班员' });
    expect(await mine.timeout(5_000).emitWithAck(WIRE.drill, { op: 'list' })).toMatchObject({ ok: true });
  });

  it('auditors read only (no alarm steps, no drills); drills are the duty operator’s; HTTP drills are journaled under the token’s user', async () => {
    const auditor = DEMO_ACCOUNTS.find((x) => x.role === 'auditor')!;
    const shared = await must(TOKEN);
    const a = await login(shared, auditor.login, auditor.password);
    const st = await login(shared, staff.login, staff.password);
    if (!a.ok || !st.ok) throw new Error('sign-in failed');
    const au = await must(a.token);
    const res = await fetch(`${server.url}/api/sim/incident`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ wellId: 'MH-00421', sensor: 'gas' }),
    });
    const { events } = (await res.json()) as { events: Array<{ kind: string; alarm?: { alarmId: string } }> };
    const alarmId = events.find((e) => e.kind === 'alarm.update')!.alarm!.alarmId;
    expect(await au.timeout(5_000).emitWithAck(WIRE.command, { commandId: 'cmd-auth-0101', alarmId, action: 'acknowledge', by: auditor.name })).toEqual({
      ok: false,
      error: 'auditor may not act on alarms',
    });
    expect(server.core.engine.alarms.get(alarmId)!.state).toBe('new');
    const scenario = readFileSync(resolve(ROOT, 'assets/scenarios/plant-stair-smoke.json'), 'utf8');
    expect(await au.timeout(5_000).emitWithAck(WIRE.drill, { op: 'start', scenario, by: auditor.name })).toEqual({
      ok: false,
      error: 'auditor may not start drills',
    });
    expect(await au.timeout(5_000).emitWithAck(WIRE.drill, { op: 'list' })).toMatchObject({ ok: true });
    const post = (tok: string, path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const refused = await post(st.token, '/api/drill/start', { scenario });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ ok: false, error: 'grid-staff may not start drills' });
    expect(server.core.drill).toBeFalsy();
    // the duty token runs drills; a `by` in the body names nobody
    const started = await post(TOKEN, '/api/drill/start', { scenario, by: staff.name });
    expect(started.status).toBe(200);
    expect((await post(TOKEN, '/api/drill/stop', { by: staff.name })).status).toBe(200);
    const notes = server.core.journal.since('drill', 0)!.flatMap((e) => (e.kind === 'drill.status' && e.note ? [e.note] : []));
    expect(notes.find((n) => n.startsWith('started by'))).toBe('started by 值班员');
    expect(notes.join('\n')).not.toContain(staff.name);
  }, 60_000);

  it('a wrong password over the socket is refused; a malformed request does not echo what was sent', async () => {
    const shared = await must(TOKEN);
    expect(await login(shared, staff.login, 'not-the-password')).toEqual({ ok: false, error: 'wrong login or password' });
    const bad = await shared.timeout(5_000).emitWithAck(WIRE.login, { login: staff.login, password: 'p'.repeat(300) });
    expect(bad).toEqual({ ok: false, error: 'bad sign-in request: {login, password} expected' });
    expect(logs.some((l) => l.includes(`sign-in failed for "${staff.login}" (wrong password`))).toBe(true);
  });

  it('sign-out ends the session everywhere: the socket, a second window, new connections and HTTP', async () => {
    const shared = await must(TOKEN);
    const a = await login(shared, staff.login, staff.password);
    if (!a.ok) throw new Error(a.error);
    const mine = await must(a.token);
    const second = await must(a.token);
    const closed = new Promise<string>((r) => second.on('disconnect', (reason) => r(reason)));
    const out = (await mine.timeout(5_000).emitWithAck(WIRE.logout, {})) as LogoutAnswer;
    expect(out).toEqual({ ok: true, ended: true });
    expect(await closed).toBe('io server disconnect');
    expect(await ask(mine, { op: 'unmask', residentId: inOwn, reason: '上门核对养老助残卡' })).toMatchObject({
      ok: false,
      status: 403,
      error: expect.stringMatching(/session ended/),
    });
    expect(await open(a.token)).toBe('unauthorized');
    expect((await api(a.token, '/api/me')).status).toBe(401);
    // signing out of the shared token ends nothing
    expect(await shared.timeout(5_000).emitWithAck(WIRE.logout, {})).toEqual({ ok: true, ended: false });
  });

  it('a session expires after 12 h on an open socket and for new connections (server clock injected)', async () => {
    const shared = await must(TOKEN);
    const a = await login(shared, staff.login, staff.password);
    if (!a.ok) throw new Error(a.error);
    const mine = await must(a.token);
    expect(await ask(mine, { op: 'unmask', residentId: inOwn, reason: '上门核对养老助残卡' })).toMatchObject({ ok: true });
    clock += SESSION_TTL_MS;
    const closed = new Promise<string>((r) => mine.on('disconnect', (reason) => r(reason)));
    expect(await ask(mine, { op: 'unmask', residentId: inOwn, reason: '上门核对养老助残卡' })).toMatchObject({ ok: false, status: 403 });
    expect(await closed).toBe('io server disconnect');
    expect(await open(a.token)).toBe('unauthorized');
  });
});

describe('alarm steps by grid (issue 16)', () => {
  it('grid staff act on alarms in their own cells only; the duty operator and civil affairs anywhere; auditors nowhere', () => {
    const staff = { role: 'grid-staff' as const, grids: ['WG-0204', 'WG-0304'] };
    expect(mayActOnAlarmIn(staff, 'WG-0204')).toBe(true);
    expect(mayActOnAlarmIn(staff, 'WG-0604')).toBe(false);
    expect(mayActOnAlarmIn(staff, null)).toBe(false);
    expect(mayActOnAlarmIn({ role: 'grid-staff' }, 'WG-0204')).toBe(false);
    for (const role of ['operator', 'civil-affairs'] as const) expect(mayActOnAlarmIn({ role }, 'WG-0604') && mayActOnAlarmIn({ role }, null)).toBe(true);
    expect(mayActOnAlarmIn({ role: 'auditor' }, 'WG-0204')).toBe(false);
  });
});

describe('demo accounts are opt-in (issue 16)', () => {
  it('the demo accounts only with --demo; a non-demo start with a published demo password is refused with the reason', async () => {
    expect(await accountsFor({ demo: false })).toEqual({ accounts: [], source: 'none' });
    expect(await accountsFor({ demo: true })).toMatchObject({ source: 'demo', accounts: DEMO_ACCOUNTS.map((a) => ({ login: a.login })) });
    const journalDir = mkdtempSync(join(tmpdir(), 'redwall-auth-demo-'));
    await expect(
      startFeedServer({
        assetsDir: ASSETS,
        journalDir,
        sim: null,
        token: 'shared-token-0123456789abcdef',
        accounts: await demoAccounts(),
        log: () => undefined,
      }),
    ).rejects.toThrow(
      /^refusing to start: accounts zhenglj, sunhm, qianlx have their published demo password \(docs\/people\.md\) and this is not a demo\. .*--demo/,
    );
    // a deployment's file that kept one demo password (the same login, the published password, a fresh hash)
    const civil = DEMO_ACCOUNTS.find((a) => a.role === 'civil-affairs')!;
    const copied: Account[] = [
      { login: civil.login, name: civil.name, role: civil.role, passwordHash: await hashPassword(civil.password, FAST) },
      { login: 'zhao', name: '赵审计', role: 'auditor', passwordHash: await hashPassword('own-password-1', FAST) },
    ];
    await expect(startFeedServer({ assetsDir: ASSETS, journalDir, sim: null, accounts: copied, log: () => undefined })).rejects.toThrow(
      `refusing to start: account ${civil.login} has its published demo password`,
    );
    // the same login with a password of its own starts
    const own = await startFeedServer({
      assetsDir: ASSETS,
      journalDir,
      sim: null,
      accounts: [{ ...copied[0]!, passwordHash: await hashPassword('not-the-demo-1', FAST) }, copied[1]!],
      log: () => undefined,
    });
    await own.close();
  }, 60_000);
});

describe('sign-in back-off per source on the real feed server (issue 16)', () => {
  let server: FeedServer;
  let clock = Date.now();
  const TOKEN = 'shared-token-0123456789abcdef';
  const SECOND = 'second-console-token-0123456789';
  const staff = DEMO_ACCOUNTS.find((a) => a.role === 'grid-staff')!;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // the second console: another credential (a named duty desk; in the web shell, each page has its own)
    server = await startFeedServer({
      assetsDir: ASSETS,
      journalDir: mkdtempSync(join(tmpdir(), 'redwall-auth-bo-')),
      sim: null,
      token: TOKEN,
      users: [{ name: '值班台二', role: 'operator', token: SECOND }],
      accounts: await demoAccounts(),
      demo: true,
      auth: { now: () => clock },
      log: () => undefined,
    });
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server?.close();
  });
  const open = (token: string): Promise<Socket> =>
    new Promise((res, rej) => {
      const s = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
      sockets.push(s);
      s.on(WIRE.hello, () => res(s));
      s.on('connect_error', rej);
    });
  const login = async (s: Socket, password: string) => LoginAnswer.parse(await s.timeout(20_000).emitWithAck(WIRE.login, { login: staff.login, password }));

  it('wrong passwords from console A do not stop the right password at console B; A backs off longer and longer, even over a new socket', async () => {
    const a = await open(TOKEN);
    const b = await open(SECOND);
    for (let i = 0; i < 5; i++) expect((await login(a, `guess-${i}-xxxx`)).ok).toBe(false); // the old limit locked her out here
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const refused = await login(a, staff.password);
      expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/^too many failed sign-ins from this console/) });
      waits.push(refused.ok ? 0 : refused.retryAfterMs!);
      expect(await login(b, staff.password)).toMatchObject({ ok: true, login: staff.login });
      // a fresh socket with the same credential is the same source
      expect((await login(await open(TOKEN), staff.password)).ok).toBe(false);
      clock += waits.at(-1)!;
      expect(await login(a, `guess-x${i}-xxxx`)).toEqual({ ok: false, error: 'wrong login or password' });
    }
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[1]).toBe(2 * waits[0]!);
    expect(waits[2]).toBe(2 * waits[1]!);
  }, 60_000);
});
