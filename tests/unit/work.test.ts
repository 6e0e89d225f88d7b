/**
 * Citizen requests and visit tasks (issue 6 items 2–4): the request desk on the feed server (backfilled week, operator
 * commands journaled under the signed-in user, idempotency, simulated departments, restart), visit tasks (planning
 * from the turning list, role rules, care-call follow-ups), the console's list/grid logic and the DuckDB tables.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import {
  DEMO_SLA,
  isOverdue,
  mayRequest,
  registerRequest,
  requestSla,
  threeRates,
  type CitizenRequest,
  type RequestAck,
} from '../../data-pipelines/contracts/citizen-request.ts';
import { parseFeedEvent, WIRE, type FeedEvent, type TaskUpdate } from '../../data-pipelines/contracts/events.ts';
import type { MaskedResident, PeopleAnswer, TurningRow } from '../../data-pipelines/contracts/people.ts';
import { mayTask, staffWorkload, taskOverdue, type TaskAck, type VisitTask } from '../../data-pipelines/contracts/tasks.ts';
import { FeedCore } from '../../data-pipelines/feed/core.ts';
import { loadEntities } from '../../data-pipelines/feed/entities.ts';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';
import { TaskBoard } from '../../data-pipelines/feed/tasks.ts';
import { deskSummary, gridWork, listRequests, listTasks, requestView } from '../../renderer/src/work/format.ts';
import { workColumns, writeWorkTables } from '../../renderer/src/data/work-tables.ts';
import { GRIDWORK_STEPS, gridworkCells } from '../../renderer/src/layers/gridwork/format.ts';
import { openNodeDuckDb } from './duckdb-node.ts';

const ASSETS = resolve(import.meta.dirname, '../../assets/district');
const H = 3600_000;
const DESK = { name: '值班员', role: 'operator' as const };
const entities = loadEntities(ASSETS);

function core(dir = mkdtempSync(join(tmpdir(), 'redwall-desk-')), requests: Record<string, unknown> = { backfillDays: 7, requestEveryMs: 0 }) {
  return {
    dir,
    core: new FeedCore({
      journal: { dir },
      entities,
      sim: { incidentEveryMs: 0, parkingRate: 0, wellReportMs: 1e12, envReportMs: 1e12, requests },
      log: () => undefined,
    }),
  };
}

describe('request desk: a week of history for a fresh journal', () => {
  const { core: c, dir } = core();
  afterAll(() => c.close());
  const all = [...c.desk.requests.values()];
  const now = Date.now();

  it('journals valid, unique, time-ordered requests in every stage; some late, most closed', () => {
    expect(c.stats.rejected).toBe(0);
    expect(all.length).toBeGreaterThan(50);
    expect(new Set(all.map((r) => r.requestId)).size).toBe(all.length);
    const states = new Set(all.map((r) => r.state));
    for (const s of ['registered', 'handling', 'closed'] as const) expect(states.has(s), s).toBe(true);
    expect(all.filter((r) => r.state === 'closed').length).toBeGreaterThan(all.length * 0.25);
    expect(all.some((r) => isOverdue(r, now))).toBe(true);
    expect(all.every((r) => r.gridId?.startsWith('WG-'))).toBe(true);
    const evs = c.journal.since('request', 0)!;
    expect(evs.length).toBe(c.journal.seqs.request);
    for (let i = 1; i < evs.length; i++) expect(evs[i]!.ts).toBeGreaterThanOrEqual(evs[i - 1]!.ts);
    expect(Math.min(...evs.map((e) => e.ts))).toBeGreaterThan(now - 7.1 * 24 * H);
    // department steps are taken by the department holding the request (after a return: the one it went to next)
    let checked = 0;
    for (const r of all) {
      let holder: string | undefined;
      for (const st of r.history) {
        if (st.action === 'dispatch') holder = st.department;
        if (st.action === 'return') expect(st.by).toBe(holder);
        if (st.action === 'accept' || st.action === 'handle') {
          expect(st.by, `${r.requestId} ${st.action}`).toBe(holder);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(all.some((r) => r.returns > 0 && r.history.at(-1)!.action !== 'dispatch' && r.department === 'community')).toBe(true);
  });

  it('a restart restores every request and never backfills twice; ids keep counting', () => {
    const again = core(dir).core;
    try {
      expect(again.journal.seqs.request).toBe(c.journal.seqs.request);
      expect([...again.desk.requests.values()]).toEqual(all);
      const ack = again.requestCommand(
        { commandId: 'cmd-restart-1', action: 'register', channel: 'grid', topic: 'road', urgency: 'normal', summary: '路灯不亮', lon: 116.41, lat: 39.92 },
        { name: '网格员', role: 'grid-staff' },
        Date.now(),
      );
      expect(ack.ack.ok).toBe(true);
      const id = ack.ack.ok ? ack.ack.request.requestId : '';
      expect(all.some((r) => r.requestId === id)).toBe(false);
    } finally {
      again.close();
    }
  });
});

describe('request desk: operator commands', () => {
  const { core: c } = core(undefined, { requestEveryMs: 0, acceptAfterMs: [60_000, 60_000], handleAfterMs: [120_000, 120_000] });
  afterAll(() => c.close());
  const t0 = Date.now();

  it('register -> dispatch -> (department accepts, handles) -> feedback -> close, journaled under the signed-in user', () => {
    const reg = c.requestCommand(
      {
        commandId: 'cmd-0000001',
        action: 'register',
        channel: '12345',
        topic: 'drainage',
        urgency: 'urgent',
        summary: '雨水井堵塞路面积水',
        lon: entities.wells[0]!.lon,
        lat: entities.wells[0]!.lat,
        by: 'someone-else',
      },
      DESK,
      t0,
    );
    expect(reg.ack.ok).toBe(false); // `by` is not part of a register command: the server names the user
    const ok = c.requestCommand(
      {
        commandId: 'cmd-0000001',
        action: 'register',
        channel: '12345',
        topic: 'drainage',
        urgency: 'urgent',
        summary: '雨水井堵塞路面积水',
        lon: entities.wells[0]!.lon,
        lat: entities.wells[0]!.lat,
      },
      DESK,
      t0,
    );
    expect(ok.ack).toMatchObject({
      ok: true,
      duplicate: false,
      request: { state: 'registered', urgency: 'urgent', history: [{ action: 'register', by: '值班员' }] },
    });
    const r = (ok.ack as Extract<RequestAck, { ok: true }>).request;
    expect(r.requestId).toMatch(/^R-\d{8}-\d{4}$/);
    expect(r.gridId).toMatch(/^WG-\d{4}$/);
    // the same command again (a retry after a lost ack): the same answer, nothing journaled
    const seq = c.journal.seqs.request;
    expect(
      c.requestCommand(
        {
          commandId: 'cmd-0000001',
          action: 'register',
          channel: '12345',
          topic: 'drainage',
          urgency: 'urgent',
          summary: '雨水井堵塞路面积水',
          lon: 116.4,
          lat: 39.9,
        },
        DESK,
        t0,
      ).ack,
    ).toMatchObject({ ok: true, duplicate: true });
    expect(c.journal.seqs.request).toBe(seq);
    // illegal steps are refused with the reason
    expect(c.requestCommand({ commandId: 'cmd-0000002', requestId: r.requestId, action: 'close' }, DESK, t0).ack).toEqual({
      ok: false,
      error: 'cannot close a request that is registered',
    });
    expect(c.requestCommand({ commandId: 'cmd-0000003', requestId: r.requestId, action: 'dispatch' }, DESK, t0).ack).toEqual({
      ok: false,
      error: 'dispatch needs a department',
    });
    expect(c.requestCommand({ commandId: 'cmd-0000004', requestId: 'R-19990101-0001', action: 'accept' }, DESK, t0).ack).toEqual({
      ok: false,
      error: 'no request R-19990101-0001',
    });
    const d = c.requestCommand(
      { commandId: 'cmd-0000005', requestId: r.requestId, action: 'dispatch', department: 'water', by: 'forged' },
      { name: '张调度', role: 'operator' },
      t0 + 1000,
    );
    expect(d.ack).toMatchObject({ ok: true, request: { state: 'dispatched', department: 'water' } });
    expect(d.events[0]).toMatchObject({ kind: 'request.update', action: 'dispatch', by: '张调度' });
    // the simulated department: accepts after its delay, then handles
    c.tick(t0 + 2000);
    expect(c.desk.requests.get(r.requestId)!.state).toBe('dispatched');
    c.tick(t0 + 62_000);
    expect(c.desk.requests.get(r.requestId)).toMatchObject({ state: 'handling', acceptedAt: t0 + 62_000 });
    c.tick(t0 + 62_000 + 121_000);
    const handled = c.desk.requests.get(r.requestId)!;
    expect(handled.state).toBe('handled');
    expect(handled.history.map((s) => `${s.action}:${s.by}`)).toEqual(['register:值班员', 'dispatch:张调度', 'accept:water', 'handle:water']);
    expect(c.requestCommand({ commandId: 'cmd-0000006', requestId: r.requestId, action: 'feedback' }, DESK, t0 + 200_000).ack).toMatchObject({ ok: false });
    expect(
      c.requestCommand({ commandId: 'cmd-0000007', requestId: r.requestId, action: 'feedback', satisfied: true, note: '满意' }, DESK, t0 + 200_000).ack,
    ).toMatchObject({ ok: true, request: { state: 'fed-back', satisfied: true } });
    const closed = c.requestCommand({ commandId: 'cmd-0000008', requestId: r.requestId, action: 'close' }, DESK, t0 + 201_000);
    expect(closed.ack).toMatchObject({ ok: true, request: { state: 'closed' } });
    // every journaled event passes the contract the renderer checks
    for (const ev of c.journal.since('request', 0)!) expect(parseFeedEvent(JSON.parse(JSON.stringify(ev))).ok).toBe(true);
    // response met (accepted within 2 h), resolution met (handled within 24 h); a closed request is listed as closed
    const done = c.desk.requests.get(r.requestId)!;
    expect(requestSla(done, t0 + 300_000)).toMatchObject({ response: { status: 'met' }, resolution: { status: 'met' } });
    expect(requestView(done, t0 + 300_000).status).toBe('closed');
  });

  it('steps by role: grid staff and civil affairs act for their own department (and grids); auditors read only', () => {
    const staff = { name: '郑丽娟', role: 'grid-staff' as const, grids: ['WG-0204'] };
    const civil = { name: '孙慧敏', role: 'civil-affairs' as const };
    const auditor = { name: '钱立新', role: 'auditor' as const };
    const at = (gridId: string, department?: CitizenRequest['department']) => ({ gridId, ...(department ? { department } : {}) });
    // pure rules
    expect(mayRequest(auditor, 'register')).toBe(false);
    expect(mayRequest(auditor, 'close', at('WG-0204', 'community'))).toBe(false);
    expect(mayRequest(staff, 'register', { channel: 'grid' })).toBe(true);
    expect(mayRequest(staff, 'register', { channel: '12345' })).toBe(false); // hotline requests are the centre's
    expect(mayRequest(civil, 'register', { channel: 'app' })).toBe(false);
    expect(mayRequest(DESK, 'register', { channel: '444' })).toBe(true);
    expect(mayRequest(staff, 'accept', at('WG-0204', 'community'))).toBe(true);
    expect(mayRequest(staff, 'accept', at('WG-0304', 'community'))).toBe(false); // not her grid
    expect(mayRequest(staff, 'handle', at('WG-0204', 'water'))).toBe(false); // not her department
    expect(mayRequest(staff, 'dispatch', at('WG-0204'))).toBe(false);
    expect(mayRequest(staff, 'close', at('WG-0204', 'community'))).toBe(false);
    expect(mayRequest(civil, 'return', at('WG-0304', 'civil-affairs'))).toBe(true);
    expect(mayRequest(civil, 'accept', at('WG-0304', 'community'))).toBe(false);
    expect(mayRequest(civil, 'feedback', at('WG-0304', 'civil-affairs'))).toBe(false);
    for (const a of ['dispatch', 'accept', 'return', 'handle', 'feedback', 'reopen', 'close', 'register'] as const)
      expect(mayRequest(DESK, a, at('WG-0204', 'water'))).toBe(true);
    // enforced by the desk: refused with the reason, nothing journaled
    const seq = c.journal.seqs.request;
    const reg = c.requestCommand(
      {
        commandId: 'cmd-role-0001',
        action: 'register',
        channel: '12345',
        topic: 'noise',
        urgency: 'normal',
        summary: '夜间施工噪声',
        lon: entities.wells[0]!.lon,
        lat: entities.wells[0]!.lat,
      },
      auditor,
      t0,
    );
    expect(reg.ack).toEqual({ ok: false, error: 'auditor may not register 12345 requests' });
    expect(
      c.requestCommand(
        {
          commandId: 'cmd-role-0007',
          action: 'register',
          channel: '12345',
          topic: 'noise',
          urgency: 'normal',
          summary: '夜间施工噪声',
          lon: entities.wells[0]!.lon,
          lat: entities.wells[0]!.lat,
        },
        staff,
        t0,
      ).ack,
    ).toEqual({ ok: false, error: 'grid-staff may not register 12345 requests' });
    expect(c.journal.seqs.request).toBe(seq);
    const mine = c.requestCommand(
      {
        commandId: 'cmd-role-0002',
        action: 'register',
        channel: 'grid',
        topic: 'sanitation',
        urgency: 'normal',
        summary: '楼道堆物',
        lon: entities.wells[0]!.lon,
        lat: entities.wells[0]!.lat,
      },
      staff,
      t0,
    );
    expect(mine.ack).toMatchObject({ ok: true, request: { history: [{ action: 'register', by: '郑丽娟' }] } });
    const id = mine.ack.ok ? mine.ack.request.requestId : '';
    expect(c.requestCommand({ commandId: 'cmd-role-0003', requestId: id, action: 'dispatch', department: 'community' }, staff, t0).ack).toEqual({
      ok: false,
      error: `grid-staff may not dispatch request ${id}`,
    });
    expect(c.requestCommand({ commandId: 'cmd-role-0004', requestId: id, action: 'dispatch', department: 'civil-affairs' }, DESK, t0).ack.ok).toBe(true);
    expect(c.requestCommand({ commandId: 'cmd-role-0005', requestId: id, action: 'accept' }, staff, t0).ack).toEqual({
      ok: false,
      error: `grid-staff may not accept request ${id} (with civil-affairs)`,
    });
    expect(c.requestCommand({ commandId: 'cmd-role-0006', requestId: id, action: 'accept' }, civil, t0).ack).toMatchObject({
      ok: true,
      request: { state: 'handling' },
    });
    expect(c.journal.seqs.request).toBe(seq + 3);
  });

  it('malformed commands are refused with a reason, nothing journaled', () => {
    const seq = c.journal.seqs.request;
    for (const bad of [
      null,
      42,
      { action: 'register' },
      { commandId: 'x', action: 'register', channel: '12345', topic: 'noise', urgency: 'normal', summary: 'ab', lon: 1, lat: 1 },
      { commandId: 'cmd-00000099', action: 'register', channel: '12345', topic: 'nope', urgency: 'normal', summary: 'abc', lon: 1, lat: 1 },
      { commandId: 'cmd-00000098', action: 'register', channel: '12345', topic: 'noise', urgency: 'normal', summary: 'abc', lon: 500, lat: 1 },
    ]) {
      const r = c.requestCommand(bad, DESK, Date.now());
      expect(r.ack.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ack.ok) expect(r.ack.error).toMatch(/^bad request command: /);
    }
    expect(c.journal.seqs.request).toBe(seq);
  });
});

const resident = (id: string, grid: string, over: Partial<TurningRow> = {}): TurningRow => ({
  residentId: id,
  householdId: `H-${id}`,
  name: '张*丰',
  idNumber: '110105********0017',
  phone: '138****5678',
  gender: 'M',
  age: 59,
  birthday: '12-01',
  buildingId: 7,
  gridId: grid,
  lon: 116.4,
  lat: 39.9,
  livingAlone: false,
  disabled: false,
  lowIncome: false,
  benefits: ['elderly-card'],
  masked: true,
  turnsOn: '2026-12-01',
  inDays: 8,
  ...over,
});

describe('visit tasks', () => {
  const board = new TaskBoard((g) => `staff-${g}`);
  const rows = [resident('P1', 'WG-0101'), resident('P2', 'WG-0202', { turnsOn: '2026-11-25' })];
  const operator = { name: '值班员', role: 'operator' as const };
  const staff1 = { name: '网格员甲', role: 'grid-staff' as const, grids: ['WG-0101'] };
  const apply = (drafts: Array<Omit<TaskUpdate, 'seq' | 'epoch' | 'id'>>) =>
    drafts.forEach((d, i) => board.observe({ ...d, seq: i + 1, epoch: 'e', id: `e:task:${i + 1}` } as FeedEvent));

  it('planned from the turning list: one birthday-card task per person, to the grid staff, never twice', () => {
    const out = board.handle(operator, { op: 'create-turning', commandId: 'plan-0001', age: 60, days: 30 }, 1000, () => rows);
    expect(out.ack).toEqual({ ok: true, created: 2, existing: 0, updated: 0, duplicate: false });
    expect(out.drafts.map((d) => d.task)).toMatchObject([
      {
        taskId: 'V-60-P1',
        kind: 'birthday-card',
        gridId: 'WG-0101',
        staff: 'staff-WG-0101',
        due: '2026-12-01',
        state: 'open',
        name: '张*丰',
        createdBy: '值班员',
      },
      { taskId: 'V-60-P2', staff: 'staff-WG-0202', due: '2026-11-25' },
    ]);
    expect(out.drafts[0]!.commandId).toBe('plan-0001');
    // every screen gets the task: the masked name and age, never the benefits (they reveal low income or disability)
    const withBenefits = board.handle(operator, { op: 'create-turning', commandId: 'plan-0009', age: 60, days: 30 }, 1000, () => [
      resident('P7', 'WG-0101', { lowIncome: true, benefits: ['elderly-card', 'low-income-subsidy'] }),
    ]);
    expect(Object.keys(withBenefits.drafts[0]!.task).sort()).toEqual([
      'age',
      'buildingId',
      'createdAt',
      'createdBy',
      'due',
      'gridId',
      'kind',
      'lat',
      'lon',
      'name',
      'residentId',
      'source',
      'staff',
      'state',
      'taskId',
      'updatedAt',
    ]);
    // a journal written when tasks still carried them replays: the old key is dropped, the task kept
    const old = { ...withBenefits.drafts[0]!, seq: 1, epoch: 'e', id: 'e:task:1', task: { ...withBenefits.drafts[0]!.task, benefits: ['elderly-card'] } };
    const replayed = parseFeedEvent(JSON.stringify(old));
    expect(replayed.ok).toBe(true);
    expect(replayed.ok && replayed.value.kind === 'task.update' && 'benefits' in replayed.value.task).toBe(false);
    expect(parseFeedEvent(JSON.stringify({ ...old, task: { ...old.task, somethingElse: 1 } })).ok).toBe(false); // still strict otherwise
    apply(out.drafts);
    expect(board.handle(operator, { op: 'create-turning', commandId: 'plan-0001', age: 60, days: 30 }, 2000, () => rows).ack).toMatchObject({
      ok: true,
      duplicate: true,
    });
    expect(board.handle(operator, { op: 'create-turning', commandId: 'plan-0002', age: 60, days: 30 }, 2000, () => rows).ack).toEqual({
      ok: true,
      created: 0,
      existing: 2,
      updated: 0,
      duplicate: false,
    });
  });

  it('role rules: staff mark their own grid’s visits done (with a note); others refused; finished tasks stay finished', () => {
    expect(board.handle(staff1, { op: 'create-turning', commandId: 'plan-0003', age: 60, days: 30 }, 3000, () => rows).ack).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(board.handle(staff1, { op: 'done', commandId: 'done-0001', taskId: 'V-60-P2', note: '已送达' }, 3000, () => []).ack).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(board.handle(staff1, { op: 'done', commandId: 'done-0002', taskId: 'V-60-P1', note: '' }, 3000, () => []).ack).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(board.handle(staff1, { op: 'done', commandId: 'done-0003', taskId: 'V-60-P9', note: '已送达' }, 3000, () => []).ack).toMatchObject({
      ok: false,
      status: 404,
    });
    const done = board.handle(staff1, { op: 'done', commandId: 'done-0004', taskId: 'V-60-P1', note: '卡已送到本人' }, 4000, () => []);
    expect(done.ack).toMatchObject({ ok: true, updated: 1 });
    expect(done.drafts[0]!.task).toMatchObject({ state: 'done', doneBy: '网格员甲', note: '卡已送到本人', updatedAt: 4000 });
    apply(done.drafts);
    expect(
      board.handle({ name: '民政', role: 'civil-affairs' }, { op: 'cancel', commandId: 'cancel-0001', taskId: 'V-60-P1', note: '重复' }, 5000, () => []).ack,
    ).toMatchObject({ ok: false, status: 409 });
    expect(
      board.handle({ name: '审计', role: 'auditor' }, { op: 'cancel', commandId: 'cancel-0002', taskId: 'V-60-P2', note: '重复' }, 5000, () => []).ack,
    ).toMatchObject({ ok: false, status: 403 });
    expect(mayTask({ name: 'x', role: 'civil-affairs' }, 'done', { gridId: 'any' })).toBe(true);
    expect(mayTask({ name: 'x', role: 'operator' }, 'done', { gridId: 'WG-0101' })).toBe(false);
  });

  it('workload, overdue and the staff member’s list order', () => {
    const tasks = [...board.tasks.values()];
    expect(
      taskOverdue(
        tasks.find((t) => t.taskId === 'V-60-P2')!,
        '2026-11-26',
      ),
    ).toBe(true);
    expect(
      taskOverdue(
        tasks.find((t) => t.taskId === 'V-60-P1')!,
        '2026-12-26',
      ),
    ).toBe(false); // done
    expect(staffWorkload(tasks, '2026-11-26')).toEqual([
      { staff: 'staff-WG-0202', grids: ['WG-0202'], open: 1, overdue: 1, done: 0 },
      { staff: 'staff-WG-0101', grids: ['WG-0101'], open: 0, overdue: 0, done: 1 },
    ]);
    expect(listTasks(tasks, ['WG-0101']).map((t) => t.taskId)).toEqual(['V-60-P2', 'V-60-P1']);
  });

  it('a care call plans one follow-up for the holder’s grid, due the next day', () => {
    const holder: MaskedResident = { ...resident('P7', 'WG-0303'), age: 81 };
    const d = board.careFollowup('AL-e1:care:5', holder, '养老服务平台', Date.parse('2026-11-23T10:00:00+08:00'))!;
    expect(d.task).toMatchObject({
      taskId: 'C-AL-e1:care:5',
      kind: 'care-followup',
      gridId: 'WG-0303',
      staff: 'staff-WG-0303',
      due: '2026-11-24',
      source: 'AL-e1:care:5',
    });
    expect(parseFeedEvent({ ...d, seq: 1, epoch: 'e1', id: 'e1:task:1' }).ok).toBe(true);
    apply([d]);
    expect(board.careFollowup('AL-e1:care:5', holder, 'x', Date.now())).toBeNull();
  });
});

describe('console logic: lists, grids, DuckDB tables', () => {
  const now = Date.parse('2026-11-23T12:00:00+08:00');
  const mk = (id: string, at: number, over: Partial<CitizenRequest> = {}): CitizenRequest => ({
    ...registerRequest(
      { requestId: id, channel: '12345', topic: 'noise', urgency: 'normal', summary: '噪音', lon: 116.4, lat: 39.9, gridId: 'WG-0101' },
      '12345',
      at,
    ),
    ...over,
  });
  const list = [
    mk('R-1', now - 30 * H), // response overdue by 6 h
    mk('R-2', now - 22 * H), // due soon (2 h left of 24)
    mk('R-3', now - 1 * H, { gridId: 'WG-0202', summary: '他说"太吵了", 还有\n第二行' }), // running; quotes, comma, newline survive the CSV
    mk('R-4', now - 40 * H, { state: 'closed', acceptedAt: now - 39 * H, handledAt: now - 30 * H }),
    mk('R-5', now - 3 * H, { urgency: 'urgent' }), // urgent: respond in 2 h -> overdue by 1 h
  ];

  it('the desk list: overdue first (longest late first), then due soon, running; filters', () => {
    expect(listRequests(list, now, 'open').map((v) => `${v.request.requestId}:${v.status}`)).toEqual([
      'R-1:overdue',
      'R-5:overdue',
      'R-2:due-soon',
      'R-3:running',
    ]);
    expect(listRequests(list, now, 'overdue').map((v) => v.request.requestId)).toEqual(['R-1', 'R-5']);
    expect(
      listRequests(list, now, 'all')
        .map((v) => v.request.requestId)
        .at(-1),
    ).toBe('R-4');
    expect(requestView(list[2]!, now)).toMatchObject({ which: 'response', clock: { leftMs: 23 * H } });
  });

  it('the headline: rates over the last 7 days, open and overdue over every open request however old', () => {
    const old = mk('R-0', now - 10 * 24 * H); // registered 10 days ago, never answered
    const sum = deskSummary([...list, old], now);
    expect(sum).toMatchObject({ recent: 5, open: 5, overdue: 3 });
    expect(sum.rates).toEqual(threeRates(list, now));
    expect(sum.rates.overdue).toBe(2);
  });

  it('per grid: open and overdue requests, open tasks', () => {
    const tasks = [{ taskId: 'V-60-A', gridId: 'WG-0202', state: 'open', due: '2026-11-20' } as VisitTask];
    const g = gridWork(list, tasks, now, '2026-11-23');
    expect(g.get('WG-0101')).toEqual({ gridId: 'WG-0101', openRequests: 3, overdueRequests: 2, openTasks: 0, overdueTasks: 0 });
    expect(g.get('WG-0202')).toEqual({ gridId: 'WG-0202', openRequests: 1, overdueRequests: 0, openTasks: 1, overdueTasks: 1 });
  });

  it('grid situation layer: cells tinted by late work (teal none late, amber 1–2, red 3+), idle cells left out', () => {
    const grids = ['WG-0101', 'WG-0202', 'WG-0303', 'WG-0404'].map((id, i) => ({ id, west: i, south: 0, east: i + 1, north: 1 }));
    const perf = [{ gridId: 'WG-0303', events: 4, open: 3, byCategory: {}, ackP50: Number.NaN, withinTarget: Number.NaN, waiting: 2 }];
    const work = gridWork(list, [{ taskId: 'V-60-A', gridId: 'WG-0303', state: 'open', due: '2026-11-20' } as VisitTask], now, '2026-11-23');
    const cells = gridworkCells(grids, perf, work);
    expect(
      cells.map((c) => [c.id, c.late, c.open, c.color === GRIDWORK_STEPS[0]!.color ? 'open' : c.color === GRIDWORK_STEPS[1]!.color ? 'late' : 'behind']),
    ).toEqual([
      ['WG-0101', 2, 3, 'late'],
      ['WG-0202', 0, 1, 'open'],
      ['WG-0303', 3, 4, 'behind'],
    ]);
    expect(cells[0]!.ring).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ]);
  });

  it('citizen_requests / request_steps / visit_tasks in DuckDB (the engine the app runs), typed', async () => {
    const { conn, runner, registerText } = await openNodeDuckDb();
    const sink = {
      registerText: async (name: string, text: string) => registerText(name, text),
      exec: async (sql: string) => conn.query(sql),
    };
    const tasks: VisitTask[] = [
      {
        taskId: 'V-60-A',
        kind: 'birthday-card',
        residentId: 'P1',
        name: '张*',
        age: 59,
        gridId: 'WG-0202',
        staff: '李四',
        buildingId: 3,
        lon: 116.4,
        lat: 39.9,
        due: '2026-11-30',
        state: 'open',
        source: 'turning:60',
        createdAt: now,
        createdBy: '值班员',
        updatedAt: now,
      },
    ];
    await writeWorkTables(sink, list, tasks, now);
    await writeWorkTables(sink, list, tasks, now); // a rebuild replaces, never appends
    const rows = await runner.rows<{ n: number; overdue: number; closed: number; first: string }>(
      `SELECT count(*)::INT AS n, count(*) FILTER (overdue)::INT AS overdue, count(*) FILTER (state = 'closed')::INT AS closed, strftime(min(registered_at), '%Y-%m-%d %H:%M') AS first FROM citizen_requests`,
    );
    expect(rows[0]).toEqual({ n: 5, overdue: 2, closed: 1, first: new Date(now - 40 * H).toISOString().slice(0, 16).replace('T', ' ') });
    const acc = await runner.rows<{ h: number }>(
      `SELECT date_diff('hour', registered_at, accepted_at)::INT AS h FROM citizen_requests WHERE request_id = 'R-4'`,
    );
    expect(acc).toEqual([{ h: 1 }]);
    expect(await runner.rows(`SELECT count(*)::INT AS n FROM request_steps`)).toEqual([{ n: 5 }]);
    expect(await runner.rows(`SELECT summary, grid_id, accepted_at IS NULL AS open FROM citizen_requests WHERE request_id = 'R-3'`)).toEqual([
      { summary: '他说"太吵了", 还有\n第二行', grid_id: 'WG-0202', open: true },
    ]);
    expect(await runner.rows(`SELECT due::VARCHAR AS due, state FROM visit_tasks`)).toEqual([{ due: '2026-11-30', state: 'open' }]);
    // types hold for empty tables too (a fresh desk), and a failed rebuild leaves the last tables in place
    await writeWorkTables(sink, [], [], now);
    expect(
      await runner.rows(
        `SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = 'citizen_requests' AND column_name IN ('overdue', 'registered_at', 'returns', 'sla_as_of') ORDER BY 1`,
      ),
    ).toEqual([
      { c: 'overdue', t: 'BOOLEAN' },
      { c: 'registered_at', t: 'TIMESTAMP' },
      { c: 'returns', t: 'INTEGER' },
      { c: 'sla_as_of', t: 'TIMESTAMP' },
    ]);
    await writeWorkTables(sink, list, tasks, now);
    const broken = {
      ...sink,
      exec: async (sql: string) =>
        sql.startsWith('BEGIN') ? conn.query(sql.replace('DROP TABLE _stage_tasks;', 'SELECT * FROM no_such_table;')) : conn.query(sql),
    };
    await expect(writeWorkTables(broken, [], [], now)).rejects.toThrow(/no_such_table/);
    expect(await runner.rows(`SELECT count(*)::INT AS n FROM citizen_requests`)).toEqual([{ n: 5 }]);
    const cols = workColumns(list, tasks, now);
    expect(cols.requests.respond_due_ms[4]).toBe(now - 3 * H + DEMO_SLA.respondMs.urgent);
    conn.close();
  }, 30_000);
});

describe('care follow-ups survive a crash', () => {
  it('a care call journaled without its follow-up (the server died first) gets one when the server starts again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redwall-care-'));
    const bare = new FeedCore({
      journal: { dir },
      entities,
      sim: { incidentEveryMs: 0, parkingRate: 0, wellReportMs: 1e12, envReportMs: 1e12, requests: { requestEveryMs: 0 } },
      log: () => undefined,
    });
    const raised = bare.ingest(bare.sim!.injectCare(Date.now(), undefined, 'sos'));
    const alarm = raised.find((e) => e.kind === 'alarm.update')!;
    const alarmId = alarm.kind === 'alarm.update' ? alarm.alarm.alarmId : '';
    expect(alarmId).not.toBe('');
    bare.close();
    const again = await startFeedServer({
      assetsDir: ASSETS,
      journalDir: dir,
      sim: { incidentEveryMs: 0, requests: { requestEveryMs: 0 } },
      log: () => undefined,
    });
    try {
      await expect.poll(() => again.core.board.tasks.get(`C-${alarmId}`)?.kind, { timeout: 30_000 }).toBe('care-followup');
      expect([...again.core.board.tasks.keys()].filter((k) => k === `C-${alarmId}`)).toHaveLength(1);
    } finally {
      await again.close();
    }
  }, 60_000);
});

describe('feed server: request and task commands over the socket, care calls linked to residents', () => {
  let server: FeedServer;
  const journalDir = mkdtempSync(join(tmpdir(), 'redwall-work-srv-'));
  const TOKEN = 'renderer-token-0123456789';
  const STAFF = 'staff-token-0123456789abc';
  const socks: Socket[] = [];
  beforeAll(async () => {
    server = await startFeedServer({
      assetsDir: ASSETS,
      journalDir,
      sim: { incidentEveryMs: 0, requests: { requestEveryMs: 0 } },
      testHooks: true,
      token: TOKEN,
      users: [{ name: '网格员王', role: 'grid-staff', grids: ['WG-0505'], token: STAFF }],
      log: () => undefined,
    });
  });
  afterAll(async () => {
    socks.forEach((s) => s.disconnect());
    await server?.close();
  });
  const open = (tok: string) => {
    const s = connect(server.url, { auth: { token: tok }, transports: ['websocket'], reconnection: false });
    socks.push(s);
    return s;
  };

  it('journals a request step under the socket’s user; every client receives it live', async () => {
    const watcher = open(TOKEN);
    const got: FeedEvent[] = [];
    watcher.on(WIRE.events, (evs: FeedEvent[]) => got.push(...evs));
    await new Promise<void>((r) => watcher.once(WIRE.hello, () => (watcher.emit(WIRE.subscribe, { epoch: null, since: {} }), r())));
    const staff = open(STAFF);
    const ack = (await staff.timeout(10_000).emitWithAck(WIRE.request, {
      commandId: 'grid-report-0001',
      action: 'register',
      channel: 'grid',
      topic: 'sanitation',
      urgency: 'normal',
      summary: '楼道堆放杂物',
      lon: 116.41,
      lat: 39.92,
    })) as RequestAck;
    expect(ack).toMatchObject({ ok: true, request: { channel: 'grid', history: [{ by: '网格员王' }] } });
    await expect.poll(() => got.some((e) => e.kind === 'request.update' && e.by === '网格员王')).toBe(true);
  });

  it('a care call raised as an alarm: the holder (masked, audited) and a follow-up visit for their grid staff', async () => {
    const res = await fetch(`${server.url}/api/sim/incident`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ category: 'care', reason: 'fall' }),
    });
    expect(res.status).toBe(200);
    const care = [...server.core.engine.alarms.values()].find((a) => a.category === 'care' && !a.drill)!;
    expect(care).toBeTruthy();
    await expect.poll(() => server.core.board.tasks.get(`C-${care.alarmId}`), { timeout: 20_000 }).toBeTruthy();
    const task = server.core.board.tasks.get(`C-${care.alarmId}`)!;
    expect(task).toMatchObject({ kind: 'care-followup', state: 'open', createdBy: '养老服务平台' });
    expect(task.name).toContain('*');
    const op = open(TOKEN);
    const who = (await op.timeout(20_000).emitWithAck(WIRE.people, { op: 'holder', deviceId: care.sourceId })) as PeopleAnswer;
    expect(who).toMatchObject({ ok: true, op: 'holder', resident: { residentId: task.residentId, masked: true, gridId: task.gridId } });
    expect(who.ok && who.op === 'holder' && who.resident!.age).toBeGreaterThanOrEqual(60);
    const audit = readFileSync(join(journalDir, 'people-audit.jsonl'), 'utf8');
    expect(audit).toContain(`"query":"care device ${care.sourceId}"`);
    expect(audit).toContain('"user":"养老服务平台"');
    // the duty operator cannot mark the visit done (the holder's own grid staff do: tests/e2e/sign-in.test.ts)
    const refused = (await op
      .timeout(10_000)
      .emitWithAck(WIRE.task, { op: 'done', commandId: 'done-op-0001', taskId: task.taskId, note: '已上门' })) as TaskAck;
    expect(refused).toMatchObject({ ok: false, status: 403 });
    // planning from the turning list over the socket (the duty operator may plan)
    const planned = (await op.timeout(20_000).emitWithAck(WIRE.task, { op: 'create-turning', commandId: 'plan-srv-0001', age: 60, days: 14 })) as TaskAck;
    expect(planned).toMatchObject({ ok: true, duplicate: false });
    expect(planned.ok && planned.created).toBeGreaterThan(0);
    expect([...server.core.board.tasks.values()].filter((t) => t.kind === 'birthday-card').length).toBe(planned.ok ? planned.created : -1);
  });
});
