/**
 * SOP checklists (issue 22): the shipped `redwall-sop/1` files validate and do not conflict; the catalog loader
 * reports a bad file in one line naming the file and the field and still loads the others; the pure state machine
 * journals steps, refuses a close with mandatory steps open unless a reason is given, escalates overdue mandatory
 * steps once, and keeps decided plan parts; the real FeedCore (real journal files, the shipped district and SOPs)
 * raises a gas alarm with its SOP, journals a step and escalates an overdue step once, across a restart too; the
 * after-action report lists the steps and the plan with their times.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterActionReport, reportCsv, reportHtml, reportPlanCsv, reportStepsCsv } from '../../data-pipelines/contracts/after-action.ts';
import { applyCommand, escalate, raise, type Alarm, type AlarmCommand } from '../../data-pipelines/contracts/alarm.ts';
import type { AlarmUpdate, FeedEvent } from '../../data-pipelines/contracts/events.ts';
import { MANHOLE_SENSORS } from '../../data-pipelines/contracts/manhole.ts';
import { proposePlan, type PlanPartProposal } from '../../data-pipelines/contracts/plan.ts';
import { SopAnswer } from '../../data-pipelines/contracts/socket-ops.ts';
import { checkSopSet, dueEscalations, SOP_FORMAT, sopFor, type SopFile } from '../../data-pipelines/contracts/sop.ts';
import { FeedCore } from '../../data-pipelines/feed/core.ts';
import { loadEntities, type Entities } from '../../data-pipelines/feed/entities.ts';
import { startFeedServer } from '../../data-pipelines/feed/server.ts';
import { loadSopCatalog } from '../../data-pipelines/feed/sop-catalog.ts';
import { gasReading, tmpJournalDir } from './district-fixture.ts';

const ROOT = join(import.meta.dirname, '../..');
const SOP_DIR = join(ROOT, 'assets/sop');
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);
const MIN = 60_000;

let sops: SopFile[];
let entities: Entities;
beforeAll(() => {
  sops = loadSopCatalog(SOP_DIR).sops;
  entities = loadEntities(join(ROOT, 'assets/district'));
});

const byId = (id: string) => sops.find((s) => s.id === id)!;

/** A folder holding copies of the shipped SOPs plus `extra` files (name → text). */
function sopDirWith(extra: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'redwall-sop-'));
  for (const f of readdirSync(SOP_DIR)) copyFileSync(join(SOP_DIR, f), join(dir, f));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}
const shipped = (name: string) => JSON.parse(readFileSync(join(SOP_DIR, name), 'utf8')) as Record<string, unknown>;

describe('the shipped SOP files', () => {
  it('all five validate, form a set without conflicts, and each has 6-10 steps in Chinese and English', () => {
    const files = readdirSync(SOP_DIR).filter((f) => f.endsWith('.json'));
    const logged: string[] = [];
    const cat = loadSopCatalog(SOP_DIR, (m) => logged.push(m));
    expect(cat.errors).toEqual([]);
    expect(cat.sops.map((s) => s.id).sort()).toEqual(['building-fire', 'care-call', 'manhole-flood', 'manhole-gas', 'sos']);
    expect(cat.sops).toHaveLength(files.length);
    expect(checkSopSet(cat.sops)).toEqual([]);
    for (const s of cat.sops) {
      expect(s.format).toBe(SOP_FORMAT);
      expect(s.steps.length).toBeGreaterThanOrEqual(6);
      expect(s.steps.length).toBeLessThanOrEqual(10);
      expect(s.steps.some((st) => st.mandatory && st.limitMin !== undefined)).toBe(true);
      for (const st of s.steps) {
        expect(st.text['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
        expect(st.text.en).toMatch(/^[\x20-\x7e\u2019\u00b7\u4e00-\u9fff()（）]+$/);
      }
      // the basis names its procedures and states the radius it chose
      expect(s.basis['zh-CN']).toMatch(/米/);
      expect(s.basis.en).toMatch(/\d+ m/);
    }
    expect(logged.at(-1)).toMatch(/manhole-gas v1/);
  });

  it('states the hazard models of the issue', () => {
    expect(byId('manhole-gas').hazard).toEqual({ shape: 'circle', radiusM: 100 });
    expect(byId('manhole-flood').hazard).toEqual({ shape: 'street', alongM: 300, widthM: 30 });
    expect(byId('building-fire').hazard).toEqual({ shape: 'building', bufferM: 30 });
    expect(byId('sos').hazard).toEqual({ shape: 'circle', radiusM: 100 });
    expect(byId('care-call').hazard).toEqual({ shape: 'building', bufferM: 20 });
  });

  it('sopFor names the SOP of each alarm kind; other kinds have none', () => {
    for (const cause of ['gas', 'h2s', 'co', 'o2']) expect(sopFor(sops, { category: 'manhole', cause })?.id).toBe('manhole-gas');
    for (const cause of ['level', 'flood']) expect(sopFor(sops, { category: 'manhole', cause })?.id).toBe('manhole-flood');
    // every cause an SOP names is a sensor a manhole has
    for (const s of sops.filter((x) => x.applies.category === 'manhole')) for (const c of s.applies.causes) expect(MANHOLE_SENSORS).toContain(c);
    expect(sopFor(sops, { category: 'fire', cause: 'fire' })?.id).toBe('building-fire');
    expect(sopFor(sops, { category: 'camera', cause: 'sos' })?.id).toBe('sos');
    expect(sopFor(sops, { category: 'care', cause: 'call' })?.id).toBe('care-call');
    expect(sopFor(sops, { category: 'manhole', cause: 'battery' })).toBeNull();
    expect(sopFor(sops, { category: 'fire', cause: 'fault' })).toBeNull();
    expect(sopFor(sops, { category: 'camera', cause: 'offline' })).toBeNull();
    // a whole-category file applies to causes no other file names; a cause-specific one wins
    const anyManhole = { ...byId('manhole-flood'), id: 'manhole-any', applies: { category: 'manhole' as const, causes: [] } };
    expect(sopFor([...sops, anyManhole], { category: 'manhole', cause: 'battery' })?.id).toBe('manhole-any');
    expect(sopFor([...sops, anyManhole], { category: 'manhole', cause: 'gas' })?.id).toBe('manhole-gas');
  });
});

describe('the SOP catalog loader', () => {
  it('a broken file is one line naming the file and the field; the others load', () => {
    const gas = shipped('manhole-gas.json');
    const dupStep = structuredClone(gas) as { id: string; applies: { causes: string[] }; steps: Array<{ id: string }> };
    dupStep.id = 'dup-step';
    dupStep.applies.causes = ['temp'];
    dupStep.steps[1]!.id = dupStep.steps[0]!.id;
    const noSteps: Record<string, unknown> = { ...gas, id: 'no-steps', applies: { category: 'manhole', causes: ['pressure'] } };
    delete noSteps['steps'];
    const dir = sopDirWith({
      'a-bad-json.json': '{"format": "redwall-sop/1", ',
      'b-missing.json': JSON.stringify(noSteps),
      'c-dup-step.json': JSON.stringify(dupStep),
      'd-format.json': JSON.stringify({ ...gas, id: 'other-format', format: 'redwall-sop/2', applies: { category: 'manhole', causes: ['tilt'] } }),
      // valid on its own, but claims gas alarms the shipped manhole-gas file already has
      'z-conflict.json': JSON.stringify({ ...gas, id: 'gas-again' }),
      'notes.txt': 'not an SOP: not read',
      // saved by Notepad as UTF-8 with a byte-order mark: loads
      'e-bom.json': `\uFEFF${JSON.stringify({ ...gas, id: 'gas-bom', applies: { category: 'manhole', causes: ['battery'] } })}`,
    });
    const logged: string[] = [];
    const cat = loadSopCatalog(dir, (m) => logged.push(m));
    expect(cat.sops.map((s) => s.id).sort()).toEqual(['building-fire', 'care-call', 'gas-bom', 'manhole-flood', 'manhole-gas', 'sos']);
    expect(cat.errors).toHaveLength(5);
    const [json, missing, dup, format, conflict] = cat.errors;
    expect(json).toMatch(/^a-bad-json\.json: not valid JSON/);
    expect(missing).toMatch(/^b-missing\.json: .*steps:/);
    expect(dup).toMatch(/^c-dup-step\.json: .*steps\.1\.id: step id verify appears twice/);
    expect(format).toMatch(/^d-format\.json: .*format:/);
    expect(conflict).toMatch(/^z-conflict\.json: SOPs manhole-gas and gas-again both apply to manhole alarms \(gas\)/);
    for (const e of cat.errors) expect(e).not.toContain('\n');
    // every problem went to the log too
    for (const e of cat.errors) expect(logged).toContain(e);
  });

  it('the feed server loads its --sop-dir: a bad file is logged and left out, the alarm engine gets the others', async () => {
    const dir = sopDirWith({ 'broken.json': JSON.stringify({ ...shipped('sos.json'), id: 'Bad Id' }) });
    const logged: string[] = [];
    const server = await startFeedServer({
      assetsDir: join(ROOT, 'assets/district'),
      journalDir: tmpJournalDir(),
      sim: null,
      token: 'sop-test-token-0123456789',
      sopDir: dir,
      log: (m) => logged.push(m),
    });
    try {
      expect(logged).toContainEqual(expect.stringMatching(/^broken\.json: not a valid redwall-sop\/1 file: id: /));
      expect(server.core.sops.map((s) => s.id).sort()).toEqual(['building-fire', 'care-call', 'manhole-flood', 'manhole-gas', 'sos']);
      expect(server.core.engine.sops).toBe(server.core.sops);
    } finally {
      await server.close();
    }
  });

  it('a folder that cannot be read is reported, and nothing loads', () => {
    const cat = loadSopCatalog(join(tmpdir(), 'redwall-no-such-sop-dir'));
    expect(cat.sops).toEqual([]);
    expect(cat.errors[0]).toMatch(/redwall-no-such-sop-dir cannot be read \(ENOENT\)/);
  });

  it('the socket answer is checked against the schema', () => {
    expect(SopAnswer.safeParse({ ok: true, sops }).success).toBe(true);
    const broken = structuredClone(sops);
    (broken[0]!.steps[0] as { who: string }).who = 'nobody';
    expect(SopAnswer.safeParse({ ok: true, sops: broken }).success).toBe(false);
  });
});

/** A gas alarm raised at T0 with its SOP. */
const gasAlarm = (): Alarm =>
  raise(
    { alarmId: 'AL-1', category: 'manhole', sourceId: 'MH-1', cause: 'gas', priority: 2, lon: 116.4, lat: 39.9, sop: { id: 'manhole-gas', version: 1 } },
    T0,
  );
const cmd = (c: Partial<AlarmCommand> & Pick<AlarmCommand, 'action'>, n = Math.random()): AlarmCommand => ({
  commandId: `c-${n.toString(36).slice(2, 12)}`,
  alarmId: 'AL-1',
  by: 'op1',
  ...c,
});
/** Applies, expecting success. */
function ok(a: Alarm, c: AlarmCommand, now: number, sop: SopFile | null = byId('manhole-gas')): Alarm {
  const r = applyCommand(a, c, now, sop);
  if (!r.ok) throw new Error(r.error);
  return r.alarm;
}
const refusal = (a: Alarm, c: AlarmCommand, now: number, sop: SopFile | null = byId('manhole-gas')) => {
  const r = applyCommand(a, c, now, sop);
  return r.ok ? null : r.error;
};

describe('SOP steps on the alarm state machine', () => {
  it('a step is journaled with who and when; an unknown or repeated step is refused, and any step on a closed alarm', () => {
    const a = ok(gasAlarm(), cmd({ action: 'step', stepId: 'verify', note: 'neighbours read 0' }), T0 + MIN);
    expect(a.sop!.done).toEqual([{ stepId: 'verify', by: 'op1', at: T0 + MIN, note: 'neighbours read 0' }]);
    expect(a.history.at(-1)).toMatchObject({ action: 'step', by: 'op1', at: T0 + MIN });
    expect(a.state).toBe('new');
    expect(refusal(a, cmd({ action: 'step', stepId: 'verify' }), T0 + 2 * MIN)).toMatch(/already done/);
    expect(refusal(a, cmd({ action: 'step', stepId: 'no-such-step' }), T0 + 2 * MIN)).toMatch(/has no step no-such-step/);
    expect(refusal(a, cmd({ action: 'step' }), T0 + 2 * MIN)).toMatch(/needs a stepId/);
    const noSop = raise({ alarmId: 'AL-1', category: 'manhole', sourceId: 'MH-1', cause: 'battery', priority: 3, lon: 0, lat: 0 }, T0);
    expect(refusal(noSop, cmd({ action: 'step', stepId: 'verify' }), T0, null)).toMatch(/no SOP/);
    const closed: Alarm = { ...a, state: 'closed' };
    expect(refusal(closed, cmd({ action: 'step', stepId: 'call-gas' }), T0 + 2 * MIN)).toMatch(/closed/);
  });

  it('closing with mandatory steps open needs a reason; with every mandatory step done it does not', () => {
    const sop = byId('manhole-gas');
    let a = ok(gasAlarm(), cmd({ action: 'acknowledge' }), T0 + MIN);
    a = ok(a, cmd({ action: 'resolve' }), T0 + 2 * MIN);
    const refused = refusal(a, cmd({ action: 'close' }), T0 + 3 * MIN);
    expect(refused).toMatch(/mandatory SOP steps are open \(verify, call-gas, notify-grid, cordon, report, make-safe, all-clear\)/);
    expect(refusal(a, cmd({ action: 'close', note: '   ' }), T0 + 3 * MIN)).toMatch(/needs a reason/);
    const withReason = ok(a, cmd({ action: 'close', note: 'sensor fault confirmed by the gas crew' }), T0 + 3 * MIN);
    expect(withReason.state).toBe('closed');
    expect(withReason.history.at(-1)).toMatchObject({ action: 'close', note: 'sensor fault confirmed by the gas crew' });
    // every mandatory step done (the optional ones not): no reason needed
    let b = a;
    for (const st of sop.steps.filter((s) => s.mandatory)) b = ok(b, cmd({ action: 'step', stepId: st.id }), T0 + 3 * MIN);
    expect(ok(b, cmd({ action: 'close' }), T0 + 4 * MIN).state).toBe('closed');
  });

  it('a mandatory step escalates only after its limit, once; optional and done steps never', () => {
    const sop = byId('manhole-gas');
    const a = ok(gasAlarm(), cmd({ action: 'step', stepId: 'call-gas' }), T0 + 4 * MIN);
    // verify is due at 3 min: not at 3 min exactly, just after
    expect(dueEscalations(sop, a.sop!, a.raisedAt, T0 + 3 * MIN)).toEqual([]);
    expect(dueEscalations(sop, a.sop!, a.raisedAt, T0 + 3 * MIN + 1)).toEqual(['verify']);
    // at 16 min: verify, notify-grid (10) and cordon (15); call-gas was done in time, fire-standby (15) is optional
    const due = dueEscalations(sop, a.sop!, a.raisedAt, T0 + 16 * MIN);
    expect(due).toEqual(['verify', 'notify-grid', 'cordon']);
    const e = escalate(a, due, T0 + 16 * MIN);
    expect(e.sop!.escalated).toEqual(['verify', 'notify-grid', 'cordon']);
    expect(e.history.at(-1)).toMatchObject({ action: 'escalate', by: 'system', note: 'overdue: verify, notify-grid, cordon' });
    expect(dueEscalations(sop, e.sop!, e.raisedAt, T0 + 20 * MIN)).toEqual([]);
    expect(dueEscalations(sop, e.sop!, e.raisedAt, T0 + 31 * MIN)).toEqual(['report']);
  });
});

const parts: PlanPartProposal[] = [
  { partId: 'p1', kind: 'dispatch', target: '北京燃气抢修队', etaS: 420 },
  { partId: 'p2', kind: 'notify', target: 'G-0101', counts: { residents: 40, elderly: 9, alone: 3, disabled: 1 } },
  { partId: 'p3', kind: 'broadcast', target: 'all', detail: '请关闭燃气阀门' },
];

describe('the one-click plan on the alarm', () => {
  it('a new proposal keeps the decided parts and replaces the undecided ones', () => {
    let a = ok(gasAlarm(), cmd({ action: 'plan', plan: parts }), T0 + MIN);
    a = ok(a, cmd({ action: 'decide', decisions: [{ partId: 'p3', decision: 'reject' }] }), T0 + 2 * MIN);
    const r = proposePlan(a.plan, [{ partId: 'p3', kind: 'camera', target: 'CAM-0001' }], 'op2', T0 + 3 * MIN, false);
    if (!r.ok) throw new Error(r.error);
    // the new part's id collides with the decided p3: it takes the lowest free id
    expect(r.plan.parts.map((p) => [p.partId, p.kind, p.decision])).toEqual([
      ['p3', 'broadcast', 'rejected'],
      ['p1', 'camera', 'proposed'],
    ]);
    expect(r.plan).toMatchObject({ proposedAt: T0 + 3 * MIN, proposedBy: 'op2' });
  });

  it('confirming a dispatch part dispatches the alarm with that team; a part cannot be decided twice', () => {
    let a = ok(gasAlarm(), cmd({ action: 'plan', plan: parts }), T0 + MIN);
    expect(a.plan!.parts.every((p) => p.decision === 'proposed')).toBe(true);
    a = ok(
      a,
      cmd({
        action: 'decide',
        decisions: [
          { partId: 'p1', decision: 'confirm', target: '北京燃气东城抢修队' },
          { partId: 'p2', decision: 'confirm' },
        ],
      }),
      T0 + 2 * MIN,
    );
    expect(a.state).toBe('dispatched');
    expect(a.team).toBe('北京燃气东城抢修队');
    expect(a.plan!.parts[0]).toMatchObject({ decision: 'confirmed', decidedAt: T0 + 2 * MIN, decidedBy: 'op1', edited: true });
    expect(a.history.slice(-2).map((h) => h.action)).toEqual(['decide', 'dispatch']);
    expect(refusal(a, cmd({ action: 'decide', decisions: [{ partId: 'p1', decision: 'reject' }] }), T0 + 3 * MIN)).toMatch(/already confirmed/);
    expect(refusal(a, cmd({ action: 'decide', decisions: [{ partId: 'p9', decision: 'reject' }] }), T0 + 3 * MIN)).toMatch(/no part p9/);
  });
});

const alarmUpdates = (evs: readonly FeedEvent[]) => evs.filter((e): e is AlarmUpdate => e.kind === 'alarm.update');

describe('SOPs through the feed core (real journal)', () => {
  it('a gas alarm is raised with its SOP, a step is journaled, an overdue step escalates once, also after a restart', () => {
    const dir = tmpJournalDir();
    const wellId = entities.wells[0]!.id;
    const c = new FeedCore({ journal: { dir, fsyncEveryMs: 0 }, entities, sim: null, sops });
    const raised = alarmUpdates(c.ingest([gasReading(wellId, 35, T0)]));
    expect(raised).toHaveLength(1);
    const alarm = raised[0]!.alarm;
    expect(alarm.sop).toEqual({ id: 'manhole-gas', version: 1, done: [], escalated: [] });
    const r = c.command({ commandId: 'cmd-step-0001', alarmId: alarm.alarmId, action: 'step', stepId: 'verify', by: 'op1' }, T0 + MIN);
    expect(r.ack).toMatchObject({ ok: true });
    expect(alarmUpdates(r.events)[0]).toMatchObject({ action: 'step', by: 'op1', ts: T0 + MIN });
    expect(alarmUpdates(r.events)[0]!.alarm.sop!.done).toEqual([{ stepId: 'verify', by: 'op1', at: T0 + MIN }]);
    // refused: close (a new alarm cannot close anyway) and an unknown step
    expect(c.command({ commandId: 'cmd-step-0002', alarmId: alarm.alarmId, action: 'step', stepId: 'nope', by: 'op1' }, T0 + MIN).ack).toMatchObject({
      ok: false,
    });

    // nothing overdue before 5 min (verify was done at 1 min)
    expect(alarmUpdates(c.tick(T0 + 5 * MIN))).toEqual([]);
    const esc = alarmUpdates(c.tick(T0 + 5 * MIN + 250));
    expect(esc).toHaveLength(1);
    expect(esc[0]).toMatchObject({ action: 'escalate', by: 'system' });
    expect(esc[0]!.alarm.sop!.escalated).toEqual(['call-gas']);
    // once: later ticks before the next limit journal nothing
    for (let t = T0 + 5 * MIN + 500; t < T0 + 6 * MIN; t += 10_000) expect(alarmUpdates(c.tick(t))).toEqual([]);
    c.close();

    // a restarted core reads the escalation back from the journal and does not repeat it
    const c2 = new FeedCore({ journal: { dir, fsyncEveryMs: 0 }, entities, sim: null, sops });
    expect(alarmUpdates(c2.tick(T0 + 6 * MIN))).toEqual([]);
    const next = alarmUpdates(c2.tick(T0 + 10 * MIN + 250));
    expect(next.map((e) => [e.action, e.alarm.sop!.escalated])).toEqual([['escalate', ['call-gas', 'notify-grid']]]);
    c2.close();

    // a follower reading the same journal escalates nothing itself
    const f = new FeedCore({ journal: { dir, fsyncEveryMs: 0 }, entities, sim: null, sops, follower: true });
    expect(f.tick(T0 + 60 * MIN)).toEqual([]);
    expect(f.engine.alarms.get(alarm.alarmId)!.sop!.escalated).toEqual(['call-gas', 'notify-grid']);
    f.close();
  });

  it('a drill alarm carries its SOP too; resolved and closed alarms do not escalate; close needs a reason', () => {
    const c = new FeedCore({ journal: { dir: tmpJournalDir(), fsyncEveryMs: 0 }, entities, sim: null, sops });
    const wellId = entities.wells[1]!.id;
    const [drillRaise] = alarmUpdates(c.ingest([{ ...gasReading(wellId, 40, T0), drill: true, drillId: 'D-sop-test' }]));
    expect(drillRaise!.alarm).toMatchObject({ drill: true, sop: { id: 'manhole-gas', version: 1 } });
    const id = drillRaise!.alarm.alarmId;
    expect(c.command({ commandId: 'cmd-res-0001', alarmId: id, action: 'resolve', by: 'op1' }, T0 + MIN).ack).toMatchObject({ ok: false });
    expect(c.command({ commandId: 'cmd-ack-0001', alarmId: id, action: 'acknowledge', by: 'op1' }, T0 + MIN).ack).toMatchObject({ ok: true });
    expect(c.command({ commandId: 'cmd-res-0002', alarmId: id, action: 'resolve', by: 'op1' }, T0 + 2 * MIN).ack).toMatchObject({ ok: true });
    expect(alarmUpdates(c.tick(T0 + 120 * MIN))).toEqual([]);
    const noReason = c.command({ commandId: 'cmd-close-001', alarmId: id, action: 'close', by: 'op1' }, T0 + 121 * MIN).ack;
    expect(noReason).toMatchObject({ ok: false, error: expect.stringMatching(/mandatory SOP steps are open/) });
    const closed = c.command({ commandId: 'cmd-close-002', alarmId: id, action: 'close', by: 'op1', note: 'drill ended' }, T0 + 121 * MIN).ack;
    expect(closed).toMatchObject({ ok: true, alarm: { state: 'closed' } });
    c.close();
  });
});

describe('the after-action report', () => {
  it('lists each alarm step with due, done, by and late, and the plan parts with proposal and decision times', () => {
    const c = new FeedCore({ journal: { dir: tmpJournalDir(), fsyncEveryMs: 0 }, entities, sim: null, sops });
    const all: FeedEvent[] = [];
    const wellId = entities.wells[2]!.id;
    all.push(...c.ingest([gasReading(wellId, 30, T0)]));
    const id = alarmUpdates(all)[0]!.alarm.alarmId;
    const send = (n: number, body: Omit<AlarmCommand, 'commandId' | 'alarmId' | 'by'> & { by?: string }, at: number) => {
      const r = c.command({ commandId: `cmd-aar-${String(n).padStart(4, '0')}`, alarmId: id, by: 'op1', ...body }, at);
      expect(r.ack).toMatchObject({ ok: true });
      all.push(...r.events);
    };
    send(1, { action: 'step', stepId: 'verify' }, T0 + 2 * MIN);
    send(2, { action: 'plan', plan: parts }, T0 + 3 * MIN);
    send(3, { action: 'decide', decisions: [{ partId: 'p1', decision: 'confirm' }], by: 'op2' }, T0 + 4 * MIN);
    send(4, { action: 'plan', plan: [{ partId: 'p2', kind: 'camera', target: 'CAM-0001' }] }, T0 + 5 * MIN);
    // call-gas (due at 5 min) is overdue at 6 min: escalated, then done late
    all.push(...c.tick(T0 + 6 * MIN));
    send(5, { action: 'step', stepId: 'call-gas', by: 'op2' }, T0 + 7 * MIN);
    for (let t = T0 + 7 * MIN; t <= T0 + 12 * MIN; t += MIN) all.push(...c.tick(t));
    c.close();

    const rep = afterActionReport(all, { from: T0 - MIN, to: T0 + 12 * MIN, sops });
    const a = rep.alarms[0]!;
    expect(a).toMatchObject({ sopId: 'manhole-gas', sopVersion: 1, dispatchedAt: T0 + 4 * MIN, team: '北京燃气抢修队' });
    const step = (sid: string) => a.steps.find((s) => s.stepId === sid)!;
    expect(a.steps.map((s) => s.stepId)).toEqual(byId('manhole-gas').steps.map((s) => s.id));
    expect(step('verify')).toMatchObject({
      mandatory: true,
      who: 'operator',
      dueAt: T0 + 3 * MIN,
      doneAt: T0 + 2 * MIN,
      by: 'op1',
      late: false,
      escalated: false,
    });
    expect(step('call-gas')).toMatchObject({ dueAt: T0 + 5 * MIN, doneAt: T0 + 7 * MIN, by: 'op2', late: true, escalated: true });
    expect(step('notify-grid')).toMatchObject({ dueAt: T0 + 10 * MIN, doneAt: null, late: true, escalated: true });
    expect(step('cordon')).toMatchObject({ dueAt: T0 + 15 * MIN, doneAt: null, late: false, escalated: false });
    expect(step('all-clear')).toMatchObject({ dueAt: null, late: false });
    expect(a.plan.map((p) => [p.partId, p.kind, p.decision, p.proposedAt, p.decidedAt, p.decidedBy])).toEqual([
      ['p1', 'dispatch', 'confirmed', T0 + 3 * MIN, T0 + 4 * MIN, 'op2'],
      ['p2', 'camera', 'proposed', T0 + 5 * MIN, null, null],
    ]);

    // the alarm CSV keeps its columns and adds the SOP and plan counts after them
    const lines = reportCsv(rep)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const head = lines[0]!.split(',');
    expect(head.slice(0, 20)).toEqual([
      'alarm_id',
      'category',
      'source_id',
      'cause',
      'priority',
      'drill',
      'building_id',
      'floor',
      'raised_at',
      'acknowledged_at',
      'dispatched_at',
      'onsite_at',
      'resolved_at',
      'closed_at',
      'team',
      'to_ack_s',
      'to_dispatch_s',
      'to_onsite_s',
      'to_resolve_s',
      'state',
    ]);
    const row = lines[1]!.split(',');
    expect([
      row[head.indexOf('sop')],
      row[head.indexOf('steps_done')],
      row[head.indexOf('steps_late')],
      row[head.indexOf('steps_escalated')],
      row[head.indexOf('plan_confirmed')],
    ]).toEqual(['manhole-gas v1', '2', '2', '2', '1']);
    const steps = reportStepsCsv(rep)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const sh = steps[0]!.split(',');
    const callGas = steps.map((l) => l.split(',')).find((cells) => cells[sh.indexOf('step_id')] === 'call-gas')!;
    expect([callGas[sh.indexOf('due_at')], callGas[sh.indexOf('done_at')], callGas[sh.indexOf('by')], callGas[sh.indexOf('late')]]).toEqual([
      new Date(T0 + 5 * MIN).toISOString(),
      new Date(T0 + 7 * MIN).toISOString(),
      'op2',
      'yes',
    ]);
    expect(steps).toHaveLength(1 + byId('manhole-gas').steps.length);
    const plan = reportPlanCsv(rep)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const ph = plan[0]!.split(',');
    expect(
      plan
        .slice(1)
        .map((l) => l.split(','))
        .map((cells) => [cells[ph.indexOf('part_id')], cells[ph.indexOf('decided_at')]]),
    ).toEqual([
      ['p1', new Date(T0 + 4 * MIN).toISOString()],
      ['p2', ''],
    ]);
    const html = reportHtml(rep);
    expect(html).toContain('SOP steps');
    expect(html).toContain('Plan vs done');
    expect(html).toContain('北京燃气抢修队');
    expect(html).not.toMatch(/<script|https?:\/\//);

    // without the SOP files: the steps the alarm carries (done or escalated), an escalated one counted late
    const bare = afterActionReport(all, { from: T0 - MIN, to: T0 + 12 * MIN }).alarms[0]!;
    expect(bare.steps.map((s) => [s.stepId, s.doneAt, s.late])).toEqual([
      ['verify', T0 + 2 * MIN, false],
      ['call-gas', T0 + 7 * MIN, true],
      ['notify-grid', null, true],
    ]);
  });
});

describe('GET /api/report with SOPs', () => {
  it('serves the steps and the plan of each alarm as CSV, with every step of the SOP the server loaded', async () => {
    const token = 'sop-report-token-0123456789';
    const server = await startFeedServer({ assetsDir: join(ROOT, 'assets/district'), journalDir: tmpJournalDir(), sim: null, token, log: () => undefined });
    try {
      const t0 = Date.now();
      const [raisedEv] = alarmUpdates(server.publish([gasReading(entities.wells[3]!.id, 30, t0)]));
      const id = raisedEv!.alarm.alarmId;
      expect(server.core.command({ commandId: 'cmd-http-0001', alarmId: id, action: 'step', stepId: 'verify', by: 'op1' }, t0 + 1000).ack).toMatchObject({
        ok: true,
      });
      expect(server.core.command({ commandId: 'cmd-http-0002', alarmId: id, action: 'plan', plan: parts, by: 'op1' }, t0 + 2000).ack).toMatchObject({
        ok: true,
      });
      const get = async (format: string) => {
        const res = await fetch(`${server.url}/api/report?from=${t0 - 1000}&to=${t0 + 60_000}&format=${format}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
        return (await res.text())
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\r\n');
      };
      const steps = await get('steps-csv');
      expect(steps[0]).toBe('alarm_id,drill,sop,step_id,who,mandatory,due_at,done_at,by,late,escalated,note');
      expect(steps).toHaveLength(1 + byId('manhole-gas').steps.length);
      expect(steps[1]!.split(',').slice(0, 9)).toEqual([
        id,
        'real',
        'manhole-gas v1',
        'verify',
        'operator',
        'yes',
        new Date(t0 + 3 * MIN).toISOString(),
        new Date(t0 + 1000).toISOString(),
        'op1',
      ]);
      const plan = await get('plan-csv');
      expect(plan.slice(1).map((l) => l.split(',').slice(2, 6))).toEqual([
        ['p1', 'dispatch', '北京燃气抢修队', 'proposed'],
        ['p2', 'notify', 'G-0101', 'proposed'],
        ['p3', 'broadcast', 'all', 'proposed'],
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('review fixes (issue 22): what incident command may not do to an alarm', () => {
  it('a shelved alarm, a drill alarm whose drill is not running, and an alarm of another SOP version do not escalate', () => {
    const c = new FeedCore({ journal: { dir: tmpJournalDir(), fsyncEveryMs: 0 }, entities, sim: null, sops });
    const [real] = alarmUpdates(c.ingest([gasReading(entities.wells[2]!.id, 35, T0)]));
    const [drill] = alarmUpdates(c.ingest([{ ...gasReading(entities.wells[3]!.id, 35, T0), drill: true, drillId: 'D-gone' }]));
    expect(c.command({ commandId: 'cmd-shelve-01', alarmId: real!.alarm.alarmId, action: 'shelve', by: 'op1', minutes: 60 }, T0 + MIN).ack).toMatchObject({
      ok: true,
    });
    // the drill D-gone is not running (no drill is): its alarm stays quiet; the shelved alarm waits for its unshelve
    expect(alarmUpdates(c.tick(T0 + 30 * MIN))).toEqual([]);
    const back = alarmUpdates(c.tick(T0 + 62 * MIN));
    expect(back.map((e) => [e.alarm.alarmId, e.action])).toEqual([
      [real!.alarm.alarmId, 'unshelve-expired'],
      [real!.alarm.alarmId, 'escalate'],
    ]);
    expect(drill!.alarm.sop).toMatchObject({ id: 'manhole-gas' });
    c.close();
    // raised under version 1; the catalog now has version 2: no re-timed escalation, no close rule from the new file
    const v2 = sops.map((s) => (s.id === 'manhole-gas' ? { ...s, version: 2 } : s));
    const c2 = new FeedCore({ journal: { dir: tmpJournalDir(), fsyncEveryMs: 0 }, entities, sim: null, sops });
    const [old] = alarmUpdates(c2.ingest([gasReading(entities.wells[4]!.id, 35, T0)]));
    c2.close();
    expect(old!.alarm.sop!.version).toBe(1);
    const e2 = new (c2.engine.constructor as new (e: typeof entities, s: typeof sops) => typeof c2.engine)(entities, v2);
    expect(e2.sopOf(old!.alarm)).toBe(null);
  });

  it('a plan that would make the alarm too heavy to journal is refused with the reason; the alarm is unchanged', () => {
    const a = gasAlarm();
    const big: PlanPartProposal[] = Array.from({ length: 40 }, (_, i) => ({ partId: `p${i + 1}`, kind: 'broadcast', target: 'all', detail: '请'.repeat(500) }));
    const r = applyCommand(a, cmd({ action: 'plan', plan: big }), T0 + MIN, byId('manhole-gas'));
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/bytes, over the 12288/) });
    // a normal plan fits
    expect(applyCommand(a, cmd({ action: 'plan', plan: parts }), T0 + MIN, byId('manhole-gas')).ok).toBe(true);
  });

  it('more than 40 parts in all is refused, not cut; a colliding part id takes the lowest free one', () => {
    const decidedAll = (n: number) => {
      let a = ok(
        gasAlarm(),
        cmd({ action: 'plan', plan: Array.from({ length: n }, (_, i) => ({ partId: `p${i + 1}`, kind: 'camera' as const, target: `CAM-${i}` })) }),
        T0,
      );
      a = ok(a, cmd({ action: 'decide', decisions: a.plan!.parts.map((p) => ({ partId: p.partId, decision: 'reject' as const })) }), T0 + 1);
      return a;
    };
    const full = decidedAll(38);
    expect(refusal(full, cmd({ action: 'plan', plan: parts }), T0 + 2)).toMatch(/at most 40 parts: 38 are decided, 3 proposed/);
    const some = decidedAll(2);
    const re = ok(some, cmd({ action: 'plan', plan: parts }), T0 + 2);
    // p1, p2 decided; the new p1 and p2 collide and take p3, p4; p3 of the proposal then collides and takes p5
    expect(re.plan!.parts.map((p) => [p.partId, p.decision])).toEqual([
      ['p1', 'rejected'],
      ['p2', 'rejected'],
      ['p3', 'proposed'],
      ['p4', 'proposed'],
      ['p5', 'proposed'],
    ]);
  });

  it('a long history keeps the raise and the first of each lifecycle action (the report times the alarm from them)', () => {
    let a = ok(gasAlarm(), cmd({ action: 'acknowledge' }), T0 + 1);
    for (let i = 0; i < 120; i++) a = ok(a, cmd({ action: 'plan', plan: parts }), T0 + 10 + i);
    expect(a.history).toHaveLength(100);
    expect(a.history.slice(0, 2).map((h) => h.action)).toEqual(['raise', 'acknowledge']);
    expect(a.history.at(-1)).toMatchObject({ action: 'plan', at: T0 + 129 });
  });
});
