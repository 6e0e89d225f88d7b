import { describe, expect, it } from 'vitest';
import { raise, type Alarm } from '../../data-pipelines/contracts/alarm.ts';
import { groupAlarms } from '../../renderer/src/layers/alarms/format.ts';
import { conePolygon } from '../../renderer/src/layers/points.ts';
import { occupancyColor } from '../../renderer/src/layers/parking/index.ts';
import { streamStatus } from '../../renderer/src/stores/feed-store.ts';

const al = (i: number, cause = 'gas', priority: 1 | 2 | 3 = 2, t = 1000): Alarm =>
  raise({ alarmId: `AL-${i}`, category: 'manhole', sourceId: `MH-${String(i).padStart(5, '0')}`, cause, priority, lon: 116.4, lat: 39.9 }, t + i * 1000);

describe('alarm flood grouping', () => {
  it('folds a burst of same-cause alarms into one row but never folds critical ones', () => {
    const burst = Array.from({ length: 8 }, (_, i) => al(i));
    const rows = groupAlarms([al(100, 'fire', 1), ...burst, al(200, 'level')]);
    expect(rows.map((r) => r.type)).toEqual(['single', 'group', 'single']);
    const g = rows[1]!;
    expect(g.type === 'group' && g.alarms.length).toBe(8);
    const crit = Array.from({ length: 8 }, (_, i) => al(300 + i, 'sos', 1));
    expect(groupAlarms(crit).every((r) => r.type === 'single')).toBe(true);
  });
  it('does not group alarms spread out over time', () => {
    const spread = Array.from({ length: 8 }, (_, i) => al(i, 'gas', 2, i * 600_000));
    expect(groupAlarms(spread).every((r) => r.type === 'single')).toBe(true);
  });
});

describe('stream health', () => {
  const h = (lastEventAt: number, rejected = 0, lastRejectAt = 0) => ({ lastEventAt, events: 1, rejected, lastRejectAt, gaps: 0 });
  it('distinguishes live, stale, quiet, degraded and down', () => {
    expect(streamStatus('manhole', h(99_000), 'live', 100_000)).toBe('live');
    expect(streamStatus('manhole', h(1_000), 'live', 100_000)).toBe('stale');
    expect(streamStatus('fire', h(1_000), 'live', 100_000)).toBe('quiet');
    expect(streamStatus('manhole', h(99_000, 3, 95_000), 'live', 100_000)).toBe('degraded');
    expect(streamStatus('manhole', h(99_000), 'reconnecting', 100_000)).toBe('down');
  });
});

describe('layer formatting', () => {
  it('draws a camera cone of the right size and direction', () => {
    const poly = conePolygon({ id: 'c', lon: 116.4, lat: 39.9, heading: 90, fov: 60, rangeM: 100, color: [0, 0, 0, 255] });
    expect(poly[0]).toEqual([116.4, 39.9]);
    const mid = poly[1 + 6]!; // centre of the arc: due east, 100 m
    expect((mid[0] - 116.4) * 111_320 * Math.cos((39.9 * Math.PI) / 180)).toBeCloseTo(100, 0);
    expect(Math.abs(mid[1] - 39.9)).toBeLessThan(1e-9);
  });
  it('colours parking by occupancy', () => {
    expect(occupancyColor(0.2)).not.toEqual(occupancyColor(0.95));
    expect(occupancyColor(0.95)[0]).toBeGreaterThan(200);
  });
});

describe('dispatch defaults', () => {
  it('preselects the team that fits the alarm', async () => {
    const { defaultTeam, TEAMS } = await import('../../renderer/src/layers/alarms/format.ts');
    const names = TEAMS.map((t) => t.value);
    expect(defaultTeam({ ...al(1), category: 'fire', cause: 'fire' })).toBe('消防救援站');
    expect(defaultTeam(al(2, 'gas'))).toBe('燃气抢险队');
    expect(defaultTeam(al(3, 'level'))).toBe('排水抢修一队');
    for (const c of ['manhole', 'fire', 'camera', 'care', 'env'] as const) expect(names).toContain(defaultTeam({ ...al(4), category: c }));
  });
});
