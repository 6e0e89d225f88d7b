import { describe, expect, it } from 'vitest';
import { FeedEvent, type ManholeReading } from '../../data-pipelines/contracts/events.ts';
import { ManholeSimulator } from '../../data-pipelines/feed/simulator.ts';
import { applyReading, sortActive } from '../../renderer/src/layers/manholes/state.ts';
import type { WellState } from '../../data-pipelines/contracts/events.ts';

const wells = Array.from({ length: 500 }, (_, i) => ({ wellId: `MH-${String(i + 1).padStart(5, '0')}`, kind: 'sewer' }));

function run(seed: number) {
  const sim = new ManholeSimulator(wells, { epoch: 'e1', seed, reportIntervalMs: 10_000, incidentEveryMs: 2_000 });
  const out: ManholeReading[] = [];
  for (let t = 0; t <= 120_000; t += 250) out.push(...(sim.tick(1_000_000 + t) as ManholeReading[]));
  return { sim, out };
}

describe('manhole simulator', () => {
  it('emits contract-valid events with strictly consecutive seq', () => {
    const { out } = run(1);
    expect(out.length).toBeGreaterThan(3000);
    out.forEach((e, i) => {
      expect(FeedEvent.safeParse(e).success).toBe(true);
      expect(e.seq).toBe(i + 1);
    });
  });

  it('is deterministic for a seed and different across seeds', () => {
    expect(run(5).out).toEqual(run(5).out);
    expect(run(5).out).not.toEqual(run(6).out);
  });

  it('produces incidents that rise to alarm and return to normal, within physical limits', () => {
    const { out } = run(3);
    const alarms = out.filter((e) => e.level === 'alarm');
    expect(alarms.length).toBeGreaterThan(0);
    expect(out.every((e) => e.sensor !== 'level' || e.value <= 100)).toBe(true);
    const first = alarms[0]!;
    expect(out.some((e) => e.wellId === first.wellId && e.sensor === first.sensor && e.level === 'normal' && e.seq > first.seq)).toBe(true);
  });

  it('inject raises an alarm at once and the snapshot lists it until it clears', () => {
    const sim = new ManholeSimulator(wells, { epoch: 'e1', seed: 1, incidentEveryMs: 0 });
    sim.tick(0);
    const ev = sim.inject(1000, 'MH-00007', 'level', 5_000);
    expect(ev).toMatchObject({ wellId: 'MH-00007', sensor: 'level', level: 'alarm' });
    expect(ev.value).toBeLessThanOrEqual(100);
    expect(sim.snapshot(1000).wells.map((w) => w.wellId)).toContain('MH-00007');
    for (let t = 1000; t < 40_000; t += 250) sim.tick(t);
    expect(sim.snapshot(40_000).wells.map((w) => w.wellId)).not.toContain('MH-00007');
    expect(() => sim.inject(0, 'MH-99999')).toThrow(/unknown well/);
  });
});

const reading = (p: Partial<ManholeReading>): ManholeReading => ({
  stream: 'manhole', seq: 1, epoch: 'e', ts: 1, id: 'e:1', kind: 'manhole.reading', wellId: 'MH-00001', sensor: 'gas', value: 25, unit: '%LEL', level: 'alarm', ...p,
});

describe('renderer manhole state transitions', () => {
  it('raises, keeps and clears an alarm', () => {
    const st = new Map<string, WellState>();
    expect(applyReading(st, reading({}))).toMatchObject({ from: 'normal', to: 'alarm' });
    expect(applyReading(st, reading({ seq: 2, value: 30 }))).toBeNull(); // still alarm
    expect(st.get('MH-00001')?.value).toBe(30);
    expect(applyReading(st, reading({ seq: 3, value: 12, level: 'warning' }))).toMatchObject({ from: 'alarm', to: 'warning' });
    expect(applyReading(st, reading({ seq: 4, value: 1, level: 'normal' }))).toMatchObject({ from: 'warning', to: 'normal' });
    expect(st.size).toBe(0);
  });

  it('a normal reading of another sensor does not clear an alarm, nor does a lower level mask it', () => {
    const st = new Map<string, WellState>();
    applyReading(st, reading({}));
    expect(applyReading(st, reading({ sensor: 'cover', unit: 'mm', value: 1, level: 'normal' }))).toBeNull();
    expect(applyReading(st, reading({ sensor: 'cover', unit: 'mm', value: 9, level: 'warning' }))).toBeNull();
    expect(st.get('MH-00001')).toMatchObject({ sensor: 'gas', level: 'alarm' });
  });

  it('sorts alarms before warnings, newest first', () => {
    const s = (id: string, level: 'alarm' | 'warning', ts: number): WellState => ({ wellId: id, sensor: 'gas', value: 1, unit: '%LEL', level, ts });
    expect(sortActive([s('a', 'warning', 9), s('b', 'alarm', 1), s('c', 'alarm', 5)]).map((x) => x.wellId)).toEqual(['c', 'b', 'a']);
  });
});
