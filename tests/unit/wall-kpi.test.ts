import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../data-pipelines/contracts/alarm.ts';
import {
  alarmMatrix,
  occupancySeriesFromCsv,
  parkingPressure,
  quantile,
  raisedPerHour,
  ratePerSecond,
  responseTimes,
  Trend,
} from '../../renderer/src/wall/kpi.ts';
import { alarmMatrixOption, parkingGaugeOption, responseOption, trendOption } from '../../renderer/src/ui/wall/options.ts';
import { isSyncMessage, startScreenSync } from '../../renderer/src/wall/screen-sync.ts';
import { RootStore } from '../../renderer/src/stores/root.ts';
import { ParkingQueries } from '../../renderer/src/analysis/parking/queries.ts';
import { openNodeDuckDb } from './duckdb-node.ts';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
let n = 0;
function alarm(p: Partial<Alarm> & { history?: Alarm['history'] }): Alarm {
  n++;
  return {
    alarmId: `A-${n}`,
    category: 'manhole',
    sourceId: `W-${n}`,
    cause: 'gas',
    priority: 2,
    state: 'new',
    active: true,
    raisedAt: T0,
    updatedAt: T0,
    lon: 116.37,
    lat: 39.91,
    drill: false,
    history: [{ action: 'raise', by: 'system', at: p.raisedAt ?? T0 }],
    ...p,
  };
}

describe('wall KPIs', () => {
  it('alarm matrix counts open real alarms by category × state; drills and closed ones are not load', () => {
    const m = alarmMatrix([
      alarm({ category: 'fire', state: 'new' }),
      alarm({ category: 'fire', state: 'new' }),
      alarm({ category: 'fire', state: 'dispatched' }),
      alarm({ category: 'care', state: 'onsite' }),
      alarm({ category: 'care', state: 'closed' }),
      alarm({ category: 'manhole', state: 'new', drill: true }),
    ]);
    const at = (s: string, c: string) => m.counts[m.states.indexOf(s as never)]![m.categories.indexOf(c as never)];
    expect(at('new', 'fire')).toBe(2);
    expect(at('dispatched', 'fire')).toBe(1);
    expect(at('onsite', 'care')).toBe(1);
    expect(at('new', 'manhole')).toBe(0);
    expect(m.total).toBe(4);
    expect(m.states).not.toContain('closed');
  });

  it('quantiles interpolate between ranks', () => {
    expect(quantile([10, 20, 30, 40], 0.5)).toBe(25);
    expect(quantile([5], 0.9)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('response times: ack = first acknowledge or direct dispatch; on-time share against the priority target; waiting ones past target are misses', () => {
    const now = T0 + 3600_000;
    const a1 = alarm({
      priority: 1,
      category: 'fire',
      raisedAt: T0,
      state: 'onsite',
      history: [
        { action: 'raise', by: 's', at: T0 },
        { action: 'acknowledge', by: 'op', at: T0 + 30_000 },
        { action: 'dispatch', by: 'op', at: T0 + 90_000 },
        { action: 'onsite', by: 'op', at: T0 + 600_000 },
      ],
    });
    const a2 = alarm({
      priority: 1,
      category: 'fire',
      raisedAt: T0,
      state: 'dispatched',
      history: [
        { action: 'raise', by: 's', at: T0 },
        { action: 'dispatch', by: 'op', at: T0 + 120_000 },
      ],
    }); // 120 s > 60 s target
    const a3 = alarm({ priority: 3, category: 'manhole', raisedAt: now - 600_000, state: 'new' }); // waiting 600 s > 300 s: a miss
    const a4 = alarm({ priority: 3, category: 'manhole', raisedAt: now - 100_000, state: 'new' }); // waiting, not yet late: not judged
    const old = alarm({ priority: 1, raisedAt: now - 2 * 86400_000, state: 'new' }); // outside the window
    const drill = alarm({ priority: 1, raisedAt: now - 1000, drill: true });
    const rows = responseTimes([a1, a2, a3, a4, old, drill], now, 86400_000);
    const all = rows[0]!;
    expect(all.category).toBe('all');
    expect(all.raised).toBe(4);
    expect(all.acked).toBe(2);
    expect(all.ackP50).toBe(75);
    expect(all.onsiteP50).toBe(600);
    expect(all.withinTarget).toBeCloseTo(1 / 3); // a1 met; a2 late; a3 waiting and late
    expect(all.waiting).toBe(2);
    expect(all.longestWaitS).toBe(600);
    const fire = rows.find((r) => r.category === 'fire')!;
    expect(fire.withinTarget).toBe(0.5);
    expect(rows.find((r) => r.category === 'parking')!.ackP50).toBeNaN();
  });

  it('raised per hour: 24 buckets ending with the current hour, critical counted apart', () => {
    const now = T0 + 30 * 60_000;
    const b = raisedPerHour(
      [alarm({ raisedAt: T0 + 5 * 60_000, priority: 1 }), alarm({ raisedAt: T0 - 3600_000 + 1 }), alarm({ raisedAt: T0 - 25 * 3600_000 })],
      now,
      24,
    );
    expect(b).toHaveLength(24);
    expect(b[23]).toMatchObject({ hourStart: T0, count: 1, critical: 1 });
    expect(b[22]).toMatchObject({ count: 1, critical: 0 });
    expect(b.reduce((s, x) => s + x.count, 0)).toBe(2);
  });

  it('parking pressure: ratio over reporting places, full lots, fullest first', () => {
    const places = [
      { id: 'PL-001', name: '甲', kind: 'lot' as const, capacity: 100 },
      { id: 'PL-002', name: '乙', kind: 'lot' as const, capacity: 50 },
      { id: 'RS-00001', name: 'r1', kind: 'spot' as const, capacity: 1 },
      { id: 'PL-003', name: '丙', kind: 'lot' as const, capacity: 10 },
    ];
    const readings: Record<string, { occupied: number; capacity: number }> = {
      'PL-001': { occupied: 95, capacity: 100 },
      'PL-002': { occupied: 10, capacity: 50 },
      'RS-00001': { occupied: 1, capacity: 1 },
    };
    const p = parkingPressure(places, (id) => readings[id] ?? null);
    expect(p.occupied).toBe(106);
    expect(p.capacity).toBe(151);
    expect(p.ratio).toBeCloseTo(106 / 151);
    expect(p.reporting).toBe(3);
    expect(p.places).toBe(4);
    expect(p.lots).toBe(3);
    expect(p.fullLots).toBe(1);
    expect(p.fullest.map((l) => [l.id, l.free])).toEqual([
      ['PL-001', 5],
      ['PL-002', 40],
    ]);
    expect(parkingPressure([], () => null).ratio).toBeNaN();
  });

  const CSV = 'ts,place_id,occupied,capacity\n1000,PL-001,50,100\n1000,PL-002,10,20\n2000,PL-001,80,100\n3000,PL-003,5,10\n3000,PL-002,20,20\n';
  it('occupancy series from the journal CSV carries each place forward (changes-only samples)', () => {
    expect(occupancySeriesFromCsv(CSV)).toEqual([
      { ts: 1000, occupied: 60, capacity: 120, ratio: 0.5 },
      { ts: 2000, occupied: 90, capacity: 120, ratio: 0.75 },
      { ts: 3000, occupied: 105, capacity: 130, ratio: 105 / 130 },
    ]);
    expect(() => occupancySeriesFromCsv('a,b\n')).toThrow(/unexpected CSV header/);
    expect(() => occupancySeriesFromCsv('ts,place_id,occupied,capacity\n1,PL-001,x,3\n')).toThrow(/bad row 2/);
  });

  it('…and agrees with the analysis SQL (occupancy_series.sql) on the same CSV', async () => {
    const { runner } = await openNodeDuckDb();
    const q = new ParkingQueries(runner);
    await q.loadHistoryCsv(CSV);
    const sql = await q.occupancySeries();
    const ts = occupancySeriesFromCsv(CSV);
    expect(sql.map((r) => [r.ts, r.occupied, r.capacity])).toEqual(ts.map((r) => [r.ts, r.occupied, r.capacity]));
  });

  it('trend buffer is bounded and never goes back in time; rates from counters', () => {
    const tr = new Trend(3);
    for (let i = 1; i <= 5; i++) tr.push(i * 10, i);
    expect(tr.points()).toEqual([
      [30, 3],
      [40, 4],
      [50, 5],
    ]);
    tr.push(45, 9); // clock stepped back: replaces the tail
    expect(tr.points()).toEqual([
      [30, 3],
      [40, 4],
      [45, 9],
    ]);
    expect(ratePerSecond(null, { at: 1000, count: 5 })).toBe(0);
    expect(ratePerSecond({ at: 0, count: 0 }, { at: 2000, count: 10 })).toBe(5);
    expect(ratePerSecond({ at: 0, count: 10 }, { at: 2000, count: 0 })).toBe(0); // counter reset
  });
});

describe('wall chart options', () => {
  it('alarm matrix: one stacked series per state in the state colours, categories translated', () => {
    const m = alarmMatrix([alarm({ category: 'fire', state: 'new' })]);
    const zh = alarmMatrixOption(m, 'zh-CN') as {
      series: Array<{ name: string; stack: string; data: number[]; itemStyle: { color: string } }>;
      yAxis: { data: string[] };
    };
    const en = alarmMatrixOption(m, 'en') as typeof zh;
    expect(zh.series).toHaveLength(6);
    expect(zh.series.every((s) => s.stack === 'open')).toBe(true);
    expect(zh.series[0]!.itemStyle.color).toBe('#ef233c');
    expect(zh.yAxis.data).toContain('消防');
    expect(en.yAxis.data).toContain('Fire');
    expect(zh.series[0]!.data[m.categories.indexOf('fire')]).toBe(1);
  });

  it('response chart in minutes, missing categories empty; gauge and trends in percent', () => {
    const rows = responseTimes(
      [
        alarm({
          category: 'fire',
          state: 'acknowledged',
          history: [
            { action: 'raise', by: 's', at: T0 },
            { action: 'acknowledge', by: 'o', at: T0 + 90_000 },
          ],
        }),
      ],
      T0 + 1000_000,
      86400_000,
    );
    const o = responseOption(rows, 'en') as { series: Array<{ data: Array<number | null> }>; xAxis: { data: string[] } };
    const fi = o.xAxis.data.indexOf('Fire');
    expect(o.series[0]!.data[fi]).toBe(1.5);
    expect(o.series[0]!.data[o.xAxis.data.indexOf('Parking')]).toBeNull();
    const g = parkingGaugeOption({ occupied: 3, capacity: 4, ratio: 0.75, reporting: 1, places: 1, fullLots: 0, lots: 1, fullest: [] }, 'en') as {
      series: Array<{ data: Array<{ value: number }>; detail: { formatter: () => string } }>;
    };
    expect(g.series[0]!.data[0]!.value).toBe(75);
    expect(g.series[0]!.detail.formatter()).toBe('75.0%');
    const tr = trendOption([{ name: 'x', color: '#fff', points: [[1, 0.123]] }], { percent: true, loc: 'en' }) as { series: Array<{ data: number[][] }> };
    expect(tr.series[0]!.data).toEqual([[1, 12.3]]);
  });
});

describe('screen sync', () => {
  class FakeChannel {
    static all: FakeChannel[] = [];
    onmessage: ((ev: MessageEvent) => void) | null = null;
    sent: unknown[] = [];
    constructor() {
      FakeChannel.all.push(this);
    }
    postMessage(m: unknown) {
      this.sent.push(m);
      for (const c of FakeChannel.all) if (c !== this) c.onmessage?.({ data: structuredClone(m) } as MessageEvent);
    }
    close() {
      FakeChannel.all = FakeChannel.all.filter((c) => c !== this);
    }
  }

  it('selecting an alarm on one window selects it (and flies there) on the others, without echo', () => {
    const a = alarm({ alarmId: 'A-sync', category: 'fire', priority: 1 });
    const ev = { stream: 'alarm', kind: 'alarm.update', seq: 1, epoch: 'e', ts: T0, id: 'alarm:1', action: 'raise', alarm: a } as const;
    const stores = [new RootStore(), new RootStore()];
    for (const s of stores) s.realLive.applyBatch([ev as never]);
    const chans = stores.map(() => new FakeChannel());
    const stops = stores.map((s, i) => startScreenSync(s, chans[i]!));
    void stores[0]!.command({ type: 'selectAlarm', alarmId: 'A-sync' });
    expect(stores[1]!.ui.selectedAlarmId).toBe('A-sync');
    expect(stores[1]!.ui.cameraRequest).toMatchObject({ kind: 'point', lon: a.lon, lat: a.lat });
    expect(chans[0]!.sent).toHaveLength(1);
    expect(chans[1]!.sent).toHaveLength(0); // the receiver does not echo
    // unknown alarm ids and malformed messages are ignored
    chans[0]!.postMessage({ type: 'selectAlarm', alarmId: 'nope', from: 'x' });
    chans[0]!.postMessage({ type: 'evil' });
    expect(stores[1]!.ui.selectedAlarmId).toBe('A-sync');
    expect(isSyncMessage({ type: 'selectAlarm', alarmId: '', from: 'x' })).toBe(false);
    stops.forEach((s) => s());
    expect(FakeChannel.all).toHaveLength(0);
  });
});

describe('grid management: events and performance per grid cell', async () => {
  const { gridAt, gridPerformance } = await import('../../renderer/src/grid/performance.ts');
  const grids = [
    { id: 'G1', west: 116.3, south: 39.9, east: 116.31, north: 39.91 },
    { id: 'G2', west: 116.31, south: 39.9, east: 116.32, north: 39.91 },
  ];
  it('assigns events to the cell they happened in and ranks the busiest first', () => {
    expect(gridAt(grids, 116.305, 39.905)?.id).toBe('G1');
    expect(gridAt(grids, 116.31, 39.905)?.id).toBe('G2'); // east edge belongs to the next cell
    expect(gridAt(grids, 116.5, 39.905)).toBeNull();
    const now = T0 + 3600_000;
    const list = [
      alarm({
        lon: 116.305,
        lat: 39.905,
        raisedAt: T0,
        state: 'closed',
        category: 'fire',
        priority: 1,
        history: [
          { action: 'raise', by: 's', at: T0 },
          { action: 'acknowledge', by: 'o', at: T0 + 30_000 },
        ],
      }),
      alarm({ lon: 116.315, lat: 39.905, raisedAt: T0, state: 'new' }),
      alarm({
        lon: 116.316,
        lat: 39.906,
        raisedAt: T0,
        state: 'acknowledged',
        history: [
          { action: 'raise', by: 's', at: T0 },
          { action: 'acknowledge', by: 'o', at: T0 + 600_000 },
        ],
      }),
      alarm({ lon: 116.316, lat: 39.906, raisedAt: T0, drill: true }),
      alarm({ lon: 116.9, lat: 39.906, raisedAt: T0 }),
    ];
    const p = gridPerformance(list, grids, now, 86400_000);
    expect(p.map((g) => [g.gridId, g.events, g.open, g.waiting])).toEqual([
      ['G2', 2, 2, 1],
      ['G1', 1, 0, 0],
    ]);
    expect(p[1]!.byCategory).toEqual({ fire: 1 });
    expect(p[1]!.withinTarget).toBe(1);
    expect(p[0]!.ackP50).toBe(600);
    expect(p[0]!.withinTarget).toBe(0); // 600 s > 180 s target; the waiting one is past its target too
  });
});
