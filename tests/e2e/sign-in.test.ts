/**
 * Sign-in by role in Chromium (issue 6): the console starts as the duty operator; the demo grid staff member signs in
 * from the top bar (a wrong password first: refused, said so), the page reconnects with the session token without
 * losing events (replay, no gap), the people panel now unmasks a resident of her own grid (the whole name shows), an
 * alarm step is journaled under her name, and the audit trail — read with the demo auditor's own session — has the
 * unmask under her name. Signing out returns to the duty operator: the same unmask is refused again. The password is
 * never in the page's audit log or storage; the token is in memory only.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginAnswer } from '../../data-pipelines/contracts/auth.ts';
import { WIRE } from '../../data-pipelines/contracts/events.ts';
import { DEMO_ACCOUNTS, demoAccounts } from '../../data-pipelines/feed/demo-accounts.ts';
import { apiCall, openApp, registerAtDesk, ROOT, waitReady, type Session } from './harness.ts';

const OUT = resolve(ROOT, 'test-results');
mkdirSync(OUT, { recursive: true });
const STAFF = DEMO_ACCOUNTS.find((a) => a.role === 'grid-staff')!;
const AUDITOR = DEMO_ACCOUNTS.find((a) => a.role === 'auditor')!;
const FULL_ID = /\b\d{17}[\dX]\b/;
let s: Session;
let residentId = '';

/** The demo auditor signs in over a socket of their own (shared token), as a second console would. */
async function auditorToken(url: string, shared: string): Promise<string> {
  const sock = connect(url, { auth: { token: shared }, transports: ['websocket'], reconnection: false });
  try {
    const a = LoginAnswer.parse(await sock.timeout(20_000).emitWithAck(WIRE.login, { login: AUDITOR.login, password: AUDITOR.password }));
    if (!a.ok) throw new Error(a.error);
    return a.token;
  } finally {
    sock.disconnect();
  }
}

type AuditRow = { action: string; outcome: string; residentId?: string; user: string; role: string };

describe('sign-in by role: the grid staff member sees her own grid’s whole records, the duty operator does not', () => {
  beforeAll(async () => {
    // the published demo accounts only in demo mode (issue 16): a start without `demo` refuses them
    s = await openApp({ accounts: await demoAccounts(), demo: true });
    await waitReady(s.page);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the console starts as the duty operator; a wrong password is refused; the demo grid staff signs in and the feed carries on', async () => {
    const who = s.page.locator('[data-testid=session-user]');
    await expect.poll(() => who.getAttribute('data-role'), { timeout: 120_000 }).toBe('operator');
    expect(await who.textContent()).toBe('值班员 · 值班操作员');
    await expect.poll(() => s.page.getAttribute('[data-testid=people-user]', 'data-role'), { timeout: 120_000 }).toBe('operator');
    const before = await s.page.evaluate(() => ({ replays: window.__redwall!.store.feed.replays, gaps: window.__redwall!.store.feed.gaps }));
    // the page got a duty-operator credential of its own for its one-time nonce (issue 16): never the shared token,
    // and the nonce is gone from the page
    const pageToken = await s.page.evaluate(() => (window.__redwall!.store.sink as unknown as { opts: { token?: string } }).opts.token ?? '');
    expect(pageToken).toMatch(/^pg1\.[0-9a-f]{32}\.[0-9a-f]{64}$/);
    expect(pageToken).not.toBe(s.token);
    expect(await s.page.locator('meta[name=redwall-handoff]').count()).toBe(0);

    await s.page.click('[data-testid=sign-in]');
    await s.page.locator('[data-testid=sign-in-dialog]').waitFor();
    expect(await s.page.textContent('[data-testid=sign-in-demo]')).toContain('docs/people.md');
    expect(await s.page.textContent('[data-testid=sign-in-demo]')).toContain('--demo');
    await s.page.fill('[data-testid=sign-in-login]', STAFF.login);
    await s.page.fill('[data-testid=sign-in-password]', 'not-her-password');
    await s.page.click('[data-testid=sign-in-submit]');
    await expect.poll(() => s.page.textContent('[data-testid=sign-in-error]'), { timeout: 120_000 }).toBe('账号或密码错误');
    expect(await s.page.inputValue('[data-testid=sign-in-password]')).toBe(''); // cleared after every attempt
    expect(await who.getAttribute('data-role')).toBe('operator');

    await s.page.fill('[data-testid=sign-in-password]', STAFF.password);
    await s.page.click('[data-testid=sign-in-submit]');
    await expect.poll(() => who.getAttribute('data-role'), { timeout: 120_000 }).toBe('grid-staff');
    await expect.poll(() => s.page.locator('[data-testid=sign-in-dialog]').count(), { timeout: 120_000 }).toBe(0); // closed once signIn() settles
    expect(await who.getAttribute('data-login')).toBe(STAFF.login);
    expect(await who.textContent()).toBe(`${STAFF.name} · 网格员`);
    expect(await s.page.isVisible('[data-testid=sign-out]')).toBe(true);
    // the people panel asked the server again: it answers as her role now
    await expect.poll(() => s.page.getAttribute('[data-testid=people-user]', 'data-role'), { timeout: 120_000 }).toBe('grid-staff');
    // reconnected with the session token, resubscribed with its offsets: replayed, no gap, live
    const after = await s.page.evaluate(() => ({
      replays: window.__redwall!.store.feed.replays,
      gaps: window.__redwall!.store.feed.gaps,
      status: window.__redwall!.store.feed.status,
      actor: window.__redwall!.store.ui.actor,
    }));
    expect(after).toEqual({ replays: before.replays + 1, gaps: before.gaps, status: 'live', actor: STAFF.name });
    // the page's audit log has both attempts by login, never the password; nothing lands in the page's storage
    const page = await s.page.evaluate(() => ({
      audit: window
        .__redwall!.store.ui.audit.filter((a) => a.command.type === 'session')
        .map((a) => ({ actor: a.actor, command: a.command, result: a.result })),
      storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    }));
    expect(page.audit).toEqual([
      { actor: '值班员', command: { type: 'session', op: 'signIn', login: STAFF.login }, result: 'error: wrong login or password' },
      { actor: '值班员', command: { type: 'session', op: 'signIn', login: STAFF.login }, result: 'ok' },
    ]);
    expect(JSON.stringify(page)).not.toContain(STAFF.password);
    expect(page.storage).not.toMatch(/[0-9a-f]{64}/);
  });

  it('she unmasks a resident of her own grid: the whole record, name in full', async () => {
    await s.page.fill('[data-testid=people-days]', '366');
    await s.page.click('[data-testid=people-query]');
    await expect.poll(async () => Number(await s.page.getAttribute('[data-testid=people-count]', 'data-count')), { timeout: 120_000 }).toBeGreaterThan(0);
    const own = s.page.locator(STAFF.grids!.map((g) => `[data-testid=people-list] li[data-grid="${g}"]`).join(', ')).first();
    if (await own.count()) {
      residentId = (await own.getAttribute('data-resident'))!;
      await own.click();
    } else {
      // her cells' residents are further down than the 40 rows shown: open one the way a click does
      residentId = await s.page.evaluate((grids) => window.__redwall!.store.people.rows.find((r) => grids.includes(r.gridId))!.residentId, STAFF.grids!);
      await s.page.evaluate((id) => window.__redwall!.store.command({ type: 'people', op: 'view', residentId: id }), residentId);
    }
    const record = s.page.locator('[data-testid=people-record]');
    await expect.poll(() => record.getAttribute('data-masked'), { timeout: 120_000 }).toBe('true');
    const maskedName = (await record.locator('tr').first().locator('td').textContent())!;
    expect(maskedName).toContain('*');
    await s.page.fill('[data-testid=people-reason]', '上门核对养老助残卡');
    await s.page.click('[data-testid=people-unmask]');
    await expect.poll(() => record.getAttribute('data-masked'), { timeout: 120_000 }).toBe('false');
    const fullName = (await record.locator('tr').first().locator('td').textContent())!;
    expect(fullName).not.toContain('*');
    expect([...fullName].length).toBe([...maskedName].length);
    expect(fullName[0]).toBe(maskedName[0]);
    expect(await record.textContent()).toMatch(FULL_ID);
    await s.page.screenshot({ path: resolve(OUT, 'sign-in-console.png') });
  });

  it('her alarm step is journaled under her name; the auditor’s own session reads the unmask under her name', async () => {
    // a well in her own grid cell WG-0204 (grid staff act on their own cells' alarms only)
    expect((await s.api('/api/sim/incident', { wellId: 'MH-01319', sensor: 'gas' })).status).toBe(200);
    const alarmId = await s.page.evaluate(async () => {
      const w = window.__redwall!;
      for (let i = 0; i < 100 && !w.store.realLive.alarms.some((a) => a.sourceId === 'MH-01319'); i++) await new Promise((r) => setTimeout(r, 100));
      const a = w.store.realLive.alarms.find((x) => x.sourceId === 'MH-01319')!;
      const ack = await w.store.command({ type: 'alarm', alarmId: a.alarmId, action: 'acknowledge', commandId: w.store.newCommandId() });
      return ack?.ok ? a.alarmId : `failed: ${JSON.stringify(ack)}`;
    });
    const alarms = (await (await s.api('/api/alarms')).json()) as { alarms: Array<{ alarmId: string; history: Array<{ action: string; by: string }> }> };
    expect(alarms.alarms.find((a) => a.alarmId === alarmId)?.history.find((h) => h.action === 'acknowledge')?.by).toBe(STAFF.name);
    // an alarm outside her cells (MH-00420 is in WG-0604): no steps offered, and the server refuses one anyway
    const res = await s.api('/api/sim/incident', { wellId: 'MH-00420', sensor: 'gas' });
    const { events } = (await res.json()) as { events: Array<{ kind: string; alarm?: { alarmId: string } }> };
    const elsewhere = events.find((e) => e.kind === 'alarm.update')!.alarm!.alarmId;
    const actions = s.page.locator('[data-testid^=alarm-action-]');
    await s.page.evaluate((id) => window.__redwall!.store.command({ type: 'selectAlarm', alarmId: id }), alarmId);
    await expect.poll(() => actions.count(), { timeout: 120_000 }).toBeGreaterThan(0); // hers: further steps offered
    await expect.poll(() => s.page.evaluate((id) => !!window.__redwall!.store.live.alarm(id), elsewhere), { timeout: 120_000 }).toBe(true);
    await s.page.evaluate((id) => window.__redwall!.store.command({ type: 'selectAlarm', alarmId: id }), elsewhere);
    await s.page.locator('[data-testid=alarm-detail]').waitFor({ state: 'visible' });
    expect(await actions.count()).toBe(0);
    const refused = await s.page.evaluate(
      (id) => window.__redwall!.store.command({ type: 'alarm', alarmId: id, action: 'acknowledge', commandId: window.__redwall!.store.newCommandId() }),
      elsewhere,
    );
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/^grid-staff may act on alarms in their own grids only/) });
    expect(s.server.core.engine.alarms.get(elsewhere)!.state).toBe('new');
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'selectAlarm', alarmId: null }));

    const token = await auditorToken(s.server.url, s.token);
    expect(await (await apiCall(s.server.url, token, '/api/me')).json()).toMatchObject({ name: AUDITOR.name, role: 'auditor' });
    const trail = (await (await apiCall(s.server.url, token, '/api/people/audit')).json()) as AuditRow[];
    expect(trail.filter((e) => e.action === 'unmask' && e.residentId === residentId).map((e) => [e.user, e.role, e.outcome])).toEqual([
      [STAFF.name, 'grid-staff', 'ok'],
    ]);
    // the shared token (the page's own before sign-in) may not read the trail
    expect((await s.api('/api/people/audit')).status).toBe(403);
  });

  it('visits are pushed to her: her grids’ tasks first and new; she marks one done; the server journals it under her name', async () => {
    // the duty operator plans visits from another console (shared token): for everyone, and a year ahead in her cells
    const op = connect(s.server.url, { auth: { token: s.token }, transports: ['websocket'], reconnection: false });
    try {
      for (const req of [
        { op: 'create-turning', commandId: 'plan-e2e-0001', age: 60, days: 30 },
        { op: 'create-turning', commandId: 'plan-e2e-0002', age: 60, days: 366, grid: STAFF.grids![0] },
      ])
        expect(await op.timeout(30_000).emitWithAck(WIRE.task, req)).toMatchObject({ ok: true });
    } finally {
      op.disconnect();
    }
    const mineOnServer = [...s.server.core.board.tasks.values()].filter((t) => STAFF.grids!.includes(t.gridId));
    expect(mineOnServer.length).toBeGreaterThan(0);
    // the tasks name her as the grid's staff (the roster follows the accounts)
    expect(new Set(mineOnServer.map((t) => t.staff))).toEqual(new Set([STAFF.name]));
    await expect.poll(() => s.page.textContent('[data-testid=task-mine]'), { timeout: 120_000 }).toContain(STAFF.grids![0]);
    const first = s.page.locator('[data-testid=task-list] li').first();
    await expect.poll(() => first.getAttribute('data-mine'), { timeout: 120_000 }).toBe('true');
    expect(await first.getAttribute('class')).toContain('new');
    // done buttons only on her own cells' tasks
    expect(await s.page.locator('[data-testid=task-list] li[data-mine=false] [data-testid=task-done]').count()).toBe(0);
    const taskId = (await first.getAttribute('data-task'))!;
    await s.page.fill('[data-testid=task-note]', '已上门送卡，本人签收');
    await first.locator('[data-testid=task-done]').click();
    await expect.poll(() => s.server.core.board.tasks.get(taskId)?.state, { timeout: 120_000 }).toBe('done');
    expect(s.server.core.board.tasks.get(taskId)).toMatchObject({ doneBy: STAFF.name, note: '已上门送卡，本人签收' });
    // pushed back to the page (finished tasks drop to the end of her list)
    await expect
      .poll(() =>
        s.page.evaluate((id) => {
          const ev = window.__redwall!.store.realLive.world.byStream.task.get(id);
          return ev?.kind === 'task.update' ? ev.task.state : null;
        }, taskId),
      )
      .toBe('done');
    expect(await s.page.locator(`[data-testid=task-list] li[data-task="${taskId}"][data-state=open]`).count()).toBe(0);
  });

  it('at the request desk she may report (register) but not dispatch or close: the desk’s steps are not offered, and the server refuses them', async () => {
    // she reports what she saw in her grid: journaled under her name
    // the form offers her only the field-report channel (hotline requests are the desk's to register)
    expect(await s.page.$$eval('[data-testid=request-channel] option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['grid']);
    const waiting = await registerAtDesk(s, { topic: 'sanitation', summary: '楼道堆放杂物' });
    expect(waiting).toMatchObject({ state: 'registered', channel: 'grid', history: [{ action: 'register', by: STAFF.name }] });
    await s.page.evaluate((id) => window.__redwall!.store.command({ type: 'selectRequest', requestId: id }), waiting.requestId);
    await s.page.locator(`[data-testid=request-detail] [data-request="${waiting.requestId}"]`).waitFor();
    expect(await s.page.locator('[data-testid=request-actions] button').count()).toBe(0);
    expect(await s.page.isVisible('[data-testid=request-register] summary')).toBe(true);
    const refused = await s.page.evaluate(
      (id) =>
        window.__redwall!.store.command({
          type: 'request',
          cmd: { commandId: crypto.randomUUID(), requestId: id, action: 'dispatch', department: 'community' },
        }),
      waiting.requestId,
    );
    expect(refused).toMatchObject({ ok: false, error: `grid-staff may not dispatch request ${waiting.requestId}` });
    expect(s.server.core.desk.requests.get(waiting.requestId)!.state).toBe('registered');
    // a request the desk dispatched to the community in her grid: hers to accept or return
    const cell = await s.page.evaluate((g) => window.__redwall!.store.people.grids.find((x) => x.id === g)!, STAFF.grids![0]);
    const desk = connect(s.server.url, { auth: { token: s.token }, transports: ['websocket'], reconnection: false });
    let hers = '';
    try {
      const reg = (await desk.timeout(10_000).emitWithAck(WIRE.request, {
        commandId: 'desk-e2e-0001',
        action: 'register',
        channel: '12345',
        topic: 'property',
        urgency: 'normal',
        summary: '小区门禁损坏',
        lon: (cell.west + cell.east) / 2,
        lat: (cell.south + cell.north) / 2,
      })) as { ok: boolean; request?: { requestId: string; gridId?: string } };
      expect(reg).toMatchObject({ ok: true, request: { gridId: STAFF.grids![0] } });
      hers = reg.request!.requestId;
      expect(
        await desk.timeout(10_000).emitWithAck(WIRE.request, { commandId: 'desk-e2e-0002', requestId: hers, action: 'dispatch', department: 'community' }),
      ).toMatchObject({ ok: true });
    } finally {
      desk.disconnect();
    }
    await s.page.evaluate((id) => window.__redwall!.store.command({ type: 'selectRequest', requestId: id }), hers);
    await expect
      .poll(() => s.page.getAttribute(`[data-testid=request-detail] [data-request="${hers}"]`, 'data-state'), { timeout: 120_000 })
      .toBe('dispatched');
    await expect
      .poll(() => s.page.$$eval('[data-testid=request-actions] button', (bs) => bs.map((b) => b.getAttribute('data-action')).sort()))
      .toEqual(['accept', 'return']);
    await s.page.click('[data-testid=request-accept]');
    await expect.poll(() => s.server.core.desk.requests.get(hers)?.state, { timeout: 120_000 }).toBe('handling');
    expect(s.server.core.desk.requests.get(hers)!.history.at(-1)).toMatchObject({ action: 'accept', by: STAFF.name });
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'selectRequest', requestId: null }));
  });

  it('signing out returns to the duty operator: the whole record is gone and the same unmask is refused again', async () => {
    await s.page.click('[data-testid=sign-out]');
    const who = s.page.locator('[data-testid=session-user]');
    await expect.poll(() => who.getAttribute('data-role'), { timeout: 120_000 }).toBe('operator');
    expect(await who.textContent()).toBe('值班员 · 值班操作员');
    expect(await s.page.locator('[data-testid=people-record]').count()).toBe(0); // nothing whole stays on screen
    expect(await s.page.textContent('body')).not.toMatch(FULL_ID);
    await expect.poll(() => s.page.getAttribute('[data-testid=people-user]', 'data-role'), { timeout: 120_000 }).toBe('operator');
    expect(await s.page.evaluate(() => window.__redwall!.store.ui.actor)).toBe('值班员');

    await s.page.evaluate((id) => window.__redwall!.store.command({ type: 'people', op: 'view', residentId: id }), residentId);
    const record = s.page.locator('[data-testid=people-record]');
    await expect.poll(() => record.getAttribute('data-masked'), { timeout: 120_000 }).toBe('true');
    await s.page.fill('[data-testid=people-reason]', '上门核对养老助残卡');
    await s.page.click('[data-testid=people-unmask]');
    await expect.poll(() => s.page.getAttribute('[data-testid=people-error]', 'data-status'), { timeout: 120_000 }).toBe('403');
    expect(await record.getAttribute('data-masked')).toBe('true');
    expect(await s.page.textContent('body')).not.toMatch(FULL_ID);

    const audit = await s.page.evaluate(() =>
      window.__redwall!.store.ui.audit.filter((a) => a.command.type === 'session' && a.command.op === 'signOut').map((a) => [a.actor, a.result]),
    );
    expect(audit).toEqual([[STAFF.name, 'ok']]);
    const token = await auditorToken(s.server.url, s.token);
    const trail = (await (await apiCall(s.server.url, token, '/api/people/audit')).json()) as AuditRow[];
    expect(trail.filter((e) => e.action === 'unmask' && e.residentId === residentId).map((e) => [e.user, e.outcome])).toEqual([
      [STAFF.name, 'ok'],
      ['值班员', 'denied'],
    ]);
  });

  it('a session the server ends (signed out from elsewhere) drops the page back to the duty operator, and says so', async () => {
    expect(
      await s.page.evaluate(
        async ([login, password]) => (await window.__redwall!.store.session.signIn(login!, password!))?.message ?? null,
        [STAFF.login, STAFF.password],
      ),
    ).toBeNull();
    const who = s.page.locator('[data-testid=session-user]');
    expect(await who.getAttribute('data-role')).toBe('grid-staff');
    // the token lives only in the feed client's memory; a second client holding it signs the session out
    const token = await s.page.evaluate(() => (window.__redwall!.store.sink as unknown as { sessionToken?: string }).sessionToken!);
    const other = connect(s.server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    try {
      expect(await other.timeout(10_000).emitWithAck(WIRE.logout, {})).toEqual({ ok: true, ended: true });
    } finally {
      other.disconnect();
    }
    await expect.poll(() => who.getAttribute('data-role'), { timeout: 120_000 }).toBe('operator');
    expect(await s.page.isVisible('[data-testid=session-ended]')).toBe(true);
    await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.feed.status), { timeout: 120_000 }).toBe('live');
    const last = await s.page.evaluate(() => window.__redwall!.store.ui.audit.filter((a) => a.command.type === 'session').at(-1));
    expect(last).toMatchObject({ actor: STAFF.name, command: { type: 'session', op: 'signOut', login: STAFF.login, cause: 'ended' }, result: 'ok' });
    await expect.poll(() => s.page.getAttribute('[data-testid=people-user]', 'data-role'), { timeout: 120_000 }).toBe('operator');
    expect(await s.page.evaluate(() => window.__redwall!.store.ui.actor)).toBe('值班员');
  });

  it('the auditor reads only: no alarm steps and no drill controls offered; signed out, the duty operator has them again', async () => {
    const res = await apiCall(s.server.url, s.token, '/api/sim/incident', { wellId: 'MH-00777', sensor: 'gas' });
    const { events } = (await res.json()) as { events: Array<{ kind: string; alarm?: { alarmId: string } }> };
    const alarmId = events.find((e) => e.kind === 'alarm.update')!.alarm!.alarmId;
    const actions = s.page.locator('[data-testid^=alarm-action-]');
    await s.page.evaluate((id) => window.__redwall!.store.command({ type: 'selectAlarm', alarmId: id }), alarmId);
    await expect.poll(() => actions.count(), { timeout: 120_000 }).toBeGreaterThan(0); // the duty operator's
    expect(
      await s.page.evaluate(
        async ([login, password]) => (await window.__redwall!.store.session.signIn(login!, password!))?.message ?? null,
        [AUDITOR.login, AUDITOR.password],
      ),
    ).toBeNull();
    await expect.poll(() => s.page.getAttribute('[data-testid=people-user]', 'data-role'), { timeout: 120_000 }).toBe('auditor');
    await expect.poll(() => actions.count(), { timeout: 120_000 }).toBe(0);
    expect(await s.page.locator('[data-testid=drill-start]').count()).toBe(0);
    expect(await s.page.locator('[data-testid=request-register]').isHidden()).toBe(true);
    await s.page.evaluate(() => window.__redwall!.store.session.signOut());
    await expect.poll(() => s.page.getAttribute('[data-testid=people-user]', 'data-role'), { timeout: 120_000 }).toBe('operator');
    await expect.poll(() => actions.count(), { timeout: 120_000 }).toBeGreaterThan(0);
    expect(await s.page.locator('[data-testid=drill-start]').count()).toBe(1);
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'selectAlarm', alarmId: null }));
    expect(s.consoleErrors).toEqual([]);
    expect(s.external).toEqual([]);
  });
});
