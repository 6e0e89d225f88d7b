import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterActionReport, reportCsv, reportHtml, stat } from '../../data-pipelines/contracts/after-action.ts';
import type { FeedEvent } from '../../data-pipelines/contracts/events.ts';
import { parseScenario } from '../../data-pipelines/contracts/scenario.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { FeedCore } from '../../data-pipelines/feed/core.ts';
import { loadEntities, type Entities } from '../../data-pipelines/feed/entities.ts';

let entities: Entities;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'redwall-pkg-'));
  buildDistrict(dir, () => undefined);
  entities = loadEntities(dir);
});
const scenarioText = (f: string) => readFileSync(join(import.meta.dirname, '../../assets/scenarios', f), 'utf8');
const core = (dir = mkdtempSync(join(tmpdir(), 'redwall-drill-'))) => new FeedCore({ journal: { dir, fsyncEveryMs: 0 }, entities, sim: null });
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);

/** Runs the core's clock from t0 to t1 in 250 ms ticks, returning everything journaled. */
function run(c: FeedCore, t0: number, t1: number): FeedEvent[] {
  const out: FeedEvent[] = [];
  for (let t = t0; t <= t1; t += 250) out.push(...c.tick(t));
  return out;
}

describe('drill scenarios', () => {
  it('the shipped scenario files are valid', () => {
    for (const f of ['plant-stair-smoke.json', 'plant-stair-smoke-scripted.json']) expect(parseScenario(scenarioText(f))).toMatchObject({ ok: true });
  });

  it('invalid scenarios are refused with errors that name the step and field', () => {
    const bad = parseScenario({
      format: 'redwall-drill/1',
      name: 'x',
      steps: [
        { at: 10, do: 'smoke', detectorId: 'nope' },
        { at: 5, do: 'note', note: 'back in time' },
        { at: 20, do: 'operator', action: 'dispatch', source: 'SD-1-1-1' },
      ],
    });
    expect(bad.ok).toBe(false);
    const errs = (bad as { errors: string[] }).errors.join('\n');
    expect(errs).toMatch(/steps\.0\.detectorId/);
    expect(errs).toMatch(/steps\.1\.at: steps must be in time order/);
    expect(errs).toMatch(/steps\.2\.team: a dispatch step needs a team/);
    expect(parseScenario('{"format": "redwall-drill/1",')).toMatchObject({ ok: false, errors: [expect.stringMatching(/not JSON/)] });
    const c = core();
    expect(() =>
      c.startDrill(
        {
          format: 'redwall-drill/1',
          name: 'x',
          steps: [
            { at: 0, do: 'smoke', detectorId: 'SD-999999-1-1' },
            { at: 1, do: 'operator', action: 'acknowledge', source: 'SOS-001' },
          ],
        },
        T0,
        'test',
      ),
    ).toThrow(/unknown detector SD-999999-1-1.*steps\.1: operator step for SOS-001, but no earlier step raises/);
    expect(c.drill).toBeNull();
    c.close();
  });

  it('a scripted drill produces the expected drill alarms, camera turn, timeline and after-action report', () => {
    const c = core();
    const { drillId, events: started } = c.startDrill(scenarioText('plant-stair-smoke-scripted.json'), T0, '值班员');
    expect(() => c.startDrill(scenarioText('plant-stair-smoke.json'), T0 + 1, 'x')).toThrow(/still running/);
    const all = [...started, ...run(c, T0 + 250, T0 + 250_000)];
    expect(c.drill).toBeNull(); // finished
    // everything the drill caused is marked, with its run id
    const caused = all.filter((e) => e.stream !== 'drill');
    expect(caused.length).toBeGreaterThan(0);
    expect(caused.every((e) => e.drill === true && e.drillId === drillId)).toBe(true);
    const alarms = new Map<string, Extract<FeedEvent, { kind: 'alarm.update' }>['alarm']>();
    for (const e of all) if (e.kind === 'alarm.update') alarms.set(e.alarm.alarmId, e.alarm);
    const list = [...alarms.values()];
    expect(list.map((a) => [a.category, a.sourceId, a.cause, a.drill]).sort()).toEqual([
      ['camera', 'SOS-001', 'sos', true],
      ['fire', 'SD-3792-3-1', 'fire', true],
    ]);
    const fire = list.find((a) => a.category === 'fire')!;
    expect(fire).toMatchObject({ floor: 3, buildingId: 3792, state: 'resolved', active: false, team: '东南消防救援站', drillId });
    expect(all.some((e) => e.kind === 'camera.ptz' && e.drill)).toBe(true);
    const timeline = all.filter((e) => e.kind === 'drill.status').map((e) => (e.kind === 'drill.status' ? e.state : ''));
    expect(timeline[0]).toBe('started');
    expect(timeline.at(-1)).toBe('ended');
    expect(timeline.filter((s) => s === 'step')).toHaveLength(9);

    const report = afterActionReport(all, { from: T0, to: T0 + 300_000, drillId });
    expect(report.drill).toMatchObject({ drillId, outcome: 'ended', startedAt: T0 });
    const r = report.alarms.find((a) => a.category === 'fire')!;
    // smoke at 2 s; scripted acknowledge at 15 s, dispatch at 40 s, on site at 180 s, resolve at 230 s (ticks are 250 ms)
    expect([r.toAckS, r.toDispatchS, r.toOnsiteS, r.toResolveS]).toEqual([13, 38, 178, 228]);
    expect(report.alarms.find((a) => a.category === 'camera')).toMatchObject({ toAckS: 15, toDispatchS: null });
    expect(report.summary).toMatchObject({
      alarms: 2,
      acknowledged: 2,
      dispatched: 1,
      onsite: 1,
      neverAcknowledged: 0,
      toAck: { n: 2, medianS: 14, maxS: 15 },
    });

    const csv = reportCsv(report);
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(3);
    const header = lines[0]!.split(',');
    const fireRow = lines.map((l) => l.split(',')).find((cells) => cells[1] === 'fire')!;
    expect(fireRow[header.indexOf('to_ack_s')]).toBe('13');
    expect(fireRow[header.indexOf('to_onsite_s')]).toBe('178');
    expect(fireRow[header.indexOf('drill')]).toBe('drill');
    const html = reportHtml(report);
    expect(html).toContain('DRILL');
    expect(html).toContain('东南消防救援站');
    expect(html).not.toMatch(/<script|https?:\/\//);
    c.close();
  });

  it('drill alarms never merge with real alarms of the same detector', () => {
    const c = core();
    c.ingest([{ stream: 'fire', kind: 'fire.detector', ts: T0, detectorId: 'SD-3792-3-1', buildingId: 3792, floor: 3, state: 'smoke', obscuration: 5 }]);
    c.startDrill(scenarioText('plant-stair-smoke.json'), T0 + 1000, 'x');
    run(c, T0 + 1250, T0 + 10_000);
    const open = [...c.engine.alarms.values()].filter((a) => a.sourceId === 'SD-3792-3-1');
    expect(open.map((a) => a.drill).sort()).toEqual([false, true]);
    // the real detector returns to normal: only the real alarm returns to normal
    c.ingest([
      { stream: 'fire', kind: 'fire.detector', ts: T0 + 11_000, detectorId: 'SD-3792-3-1', buildingId: 3792, floor: 3, state: 'normal', obscuration: 0 },
    ]);
    const after = [...c.engine.alarms.values()].filter((a) => a.sourceId === 'SD-3792-3-1');
    expect(after.find((a) => !a.drill)!.active).toBe(false);
    expect(after.find((a) => a.drill)!.active).toBe(true);
    // the world keeps both device states apart
    expect([...c.world.byStream.fire.keys()]).toEqual(['drill:SD-3792-3-1']);
    // stopping the drill clears its smoke and records who stopped it
    const stopped = c.stopDrill(T0 + 12_000, '值班员');
    expect(stopped.some((e) => e.kind === 'fire.detector' && e.state === 'normal' && e.drill)).toBe(true);
    expect(stopped.find((e) => e.kind === 'drill.status')).toMatchObject({ state: 'aborted', note: 'stopped by 值班员' });
    expect(c.world.byStream.fire.size).toBe(0);
    c.close();
  });

  it('a drill interrupted by a server restart is reported aborted and its smoke cleared', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redwall-drill-'));
    const c1 = core(dir);
    c1.startDrill(scenarioText('plant-stair-smoke.json'), T0, 'x');
    run(c1, T0 + 250, T0 + 5_000);
    expect(c1.world.byStream.fire.size).toBe(1);
    c1.close();
    const c2 = core(dir);
    const ev = c2.tick(T0 + 60_000);
    expect(ev.find((e) => e.kind === 'drill.status')).toMatchObject({ state: 'aborted', note: 'feed server restarted during the drill' });
    expect(c2.world.byStream.fire.size).toBe(0);
    c2.close();
  });

  it('reads any time window of the journal back: state before it + its events, gap-free, for replay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redwall-drill-'));
    const c = core(dir);
    c.startDrill(scenarioText('plant-stair-smoke-scripted.json'), T0, 'x');
    run(c, T0 + 250, T0 + 250_000);
    const w = c.journal.readWindow(T0 + 30_000, T0 + 200_000);
    expect(w.events.length).toBeGreaterThan(0);
    expect(w.events.every((e) => e.ts >= T0 + 30_000 && e.ts <= T0 + 200_000)).toBe(true);
    // before the window: the fire alarm exists (acknowledged at 15 s), the dispatch (40 s) is inside
    const initialAlarm = w.initial.find((e) => e.kind === 'alarm.update' && e.alarm.category === 'fire');
    expect(initialAlarm && initialAlarm.kind === 'alarm.update' && initialAlarm.alarm.state).toBe('acknowledged');
    for (const s of ['alarm', 'fire', 'drill'] as const) {
      const seqs = w.events.filter((e) => e.stream === s).map((e) => e.seq);
      if (seqs.length) expect(seqs[0]).toBe(w.seqs[s] + 1);
      seqs.forEach((q, i) => i && expect(q).toBe(seqs[i - 1]! + 1));
    }
    expect(c.journal.readWindow(T0 + 30_000, T0 + 200_000, { maxEvents: 2 })).toMatchObject({
      truncated: true,
      events: [expect.anything(), expect.anything()],
    });
    c.close();
  });

  it('stats use interpolated quantiles', () => {
    expect(stat([10, null, 20, 30, 40])).toEqual({ n: 4, medianS: 25, p90S: 37, maxS: 40 });
    expect(stat([null])).toEqual({ n: 0, medianS: null, p90S: null, maxS: null });
  });
});
