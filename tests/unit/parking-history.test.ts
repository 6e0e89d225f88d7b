import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Draft } from '../../data-pipelines/contracts/events.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { rng } from '../../data-pipelines/etl/district.ts';
import { FeedCore } from '../../data-pipelines/feed/core.ts';
import { loadEntities, type Entities } from '../../data-pipelines/feed/entities.ts';
import { Journal, type ParkingSample } from '../../data-pipelines/feed/journal.ts';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';
import { DistrictSimulator } from '../../data-pipelines/feed/simulator.ts';

const TOKEN = 'unit-history-token-5678';
const HOUR = 3600_000;
const T0 = Date.UTC(2025, 10, 22, 16); // midnight in Beijing (UTC+8), where the crowd curve is
let assetsDir: string;
let e: Entities;
beforeAll(() => {
  assetsDir = mkdtempSync(join(tmpdir(), 'redwall-hist-'));
  buildDistrict(assetsDir, () => undefined);
  e = loadEntities(assetsDir);
});
const tmp = () => mkdtempSync(join(tmpdir(), 'redwall-hist-j-'));
const occ = (placeId: string, ts: number, occupied: number, capacity: number, extra: Partial<Draft> = {}): Draft =>
  ({ stream: 'parking', kind: 'parking.occupancy', ts, placeId, occupied, capacity, ...extra }) as Draft;
const row = (ts: number, placeId: string, occupied: number, capacity: number): ParkingSample => ({ ts, placeId, occupied, capacity });

describe('parking backfill', () => {
  const backfill = (seed: number, from = T0, to = T0 + 24 * HOUR, step = HOUR) => {
    const sim = new DistrictSimulator(e, { seed, incidentEveryMs: 0 });
    return { sim, drafts: sim.backfillParking(from, to, step) };
  };

  it('is deterministic for a seed and in ts order', () => {
    const a = backfill(4).drafts;
    expect(a).toEqual(backfill(4).drafts);
    expect(a).not.toEqual(backfill(5).drafts);
    expect(a.every((d, i) => i === 0 || d.ts >= a[i - 1]!.ts)).toBe(true);
    expect(new Set(a.map((d) => d.ts))).toEqual(new Set(Array.from({ length: 24 }, (_, i) => T0 + i * HOUR)));
  });

  it('reports every lot once per step and roadside spots only when they change (plus their first step)', () => {
    const { drafts } = backfill(4);
    const lots = e.parking.filter((p) => p.kind === 'lot');
    const spots = e.parking.filter((p) => p.kind === 'spot');
    expect(spots.every((s) => s.capacity === 1) && lots.every((l) => l.capacity > 1)).toBe(true);
    const isLot = new Set(lots.map((l) => l.id));
    for (let i = 0; i < 24; i++) {
      const step = drafts.filter((d) => d.ts === T0 + i * HOUR && d.kind === 'parking.occupancy' && isLot.has(d.placeId));
      expect(step.map((d) => (d.kind === 'parking.occupancy' ? d.placeId : '')).sort()).toEqual(lots.map((l) => l.id).sort());
    }
    const last = new Map<string, number>();
    const wrong: string[] = [];
    let changes = 0;
    for (const d of drafts) {
      if (d.kind !== 'parking.occupancy') throw new Error(`unexpected ${d.kind}`);
      if (d.occupied < 0 || d.occupied > d.capacity) wrong.push(`${d.placeId} ${d.occupied}/${d.capacity}`);
      if (isLot.has(d.placeId)) continue;
      const prev = last.get(d.placeId);
      if (prev === undefined ? d.ts !== T0 : d.occupied === prev) wrong.push(`${d.placeId} at ${d.ts}: ${prev} -> ${d.occupied}`);
      if (prev !== undefined) changes++;
      last.set(d.placeId, d.occupied);
    }
    expect(wrong).toEqual([]);
    expect(last.size).toBe(spots.length);
    expect(changes).toBeGreaterThan(0);
  });

  it('follows the target model: office lots fuller at noon than at 3 am, residential lots the other way round', () => {
    const { drafts } = backfill(4);
    const byId = new Map(e.parking.map((p) => [p.id, p]));
    const ratio = (hour: number, office: boolean) => {
      let o = 0;
      let c = 0;
      for (const d of drafts) {
        if (d.kind !== 'parking.occupancy' || d.ts !== T0 + hour * HOUR) continue;
        const p = byId.get(d.placeId)!;
        if (p.kind !== 'lot' || p.ref.startsWith('B') !== office) continue;
        o += d.occupied;
        c += d.capacity;
      }
      return o / c;
    };
    expect(ratio(12, true)).toBeGreaterThan(ratio(3, true));
    expect(ratio(3, false)).toBeGreaterThan(ratio(12, false));
  });

  it('leaves the simulator holding the final states: the first live tick does not publish every place again', () => {
    const { sim } = backfill(4);
    expect(sim.tick(T0 + 24 * HOUR).filter((d) => d.stream === 'parking')).toEqual([]);
    // without a backfill the first tick publishes every place
    const fresh = new DistrictSimulator(e, { seed: 4, incidentEveryMs: 0 });
    expect(fresh.tick(T0).filter((d) => d.stream === 'parking')).toHaveLength(e.parking.length);
  });

  it('is journaled into a fresh journal with past timestamps, and never into one that has parking history', () => {
    const dir = tmp();
    const logs: string[] = [];
    const opts = {
      journal: { dir, fsyncEveryMs: 0 },
      entities: e,
      sim: { seed: 2, incidentEveryMs: 0, backfillMs: 6 * HOUR, backfillStepMs: HOUR },
      log: (m: string) => logs.push(m),
    };
    const before = Date.now();
    const core = new FeedCore(opts);
    const n = core.journal.seqs.parking;
    expect(n).toBeGreaterThan(6 * e.parking.filter((p) => p.kind === 'lot').length);
    expect(core.stats.rejected).toBe(0);
    expect(logs.some((m) => m.startsWith(`parking backfill: ${n} events`))).toBe(true);
    const w = core.journal.readWindow(0, Date.now(), { streams: ['parking'], maxEvents: 200_000 });
    expect(w.events).toHaveLength(n);
    expect(w.events[0]!.ts).toBeGreaterThanOrEqual(before - 6 * HOUR);
    expect(w.events[0]!.ts).toBeLessThanOrEqual(Date.now() - 6 * HOUR);
    expect(w.events[n - 1]!.ts - w.events[0]!.ts).toBe(5 * HOUR);
    // the first live tick carries on from the backfilled states
    expect(core.tick(Date.now()).filter((ev) => ev.stream === 'parking')).toEqual([]);
    // the sampled history at the last backfill step holds every place
    const h = core.journal.sampleParking(w.events[n - 1]!.ts - 5 * HOUR, w.events[n - 1]!.ts, HOUR);
    expect(new Set(h.rows.map((r) => r.placeId)).size).toBe(e.parking.length);
    core.close();

    logs.length = 0;
    const again = new FeedCore(opts);
    expect(again.journal.seqs.parking).toBe(n);
    expect(logs.some((m) => /parking backfill skipped/.test(m))).toBe(true);
    again.close();
  });
});

describe('sampled parking history', () => {
  // PL-001 changes, then repeats its state; PL-002 appears at a boundary exactly; RS-00001 flaps within a step.
  const events: Draft[] = [
    occ('PL-001', 1000, 10, 100),
    occ('RS-00001', 1000, 0, 1),
    occ('PL-001', 1500, 20, 100),
    occ('PL-002', 2000, 5, 50),
    occ('PL-001', 2500, 20, 100),
    occ('RS-00001', 2500, 1, 1),
    occ('PL-002', 2600, 49, 50, { drill: true, drillId: 'D-test' }),
    occ('RS-00001', 3500, 0, 1),
    occ('RS-00001', 3700, 1, 1),
    occ('PL-002', 6000, 6, 50),
  ];
  let journal: Journal;
  beforeAll(() => {
    journal = Journal.open({ dir: tmp(), fsyncEveryMs: 0, segmentBytes: 300 }).journal;
    // in two appends and small segments, so the scan crosses segment files
    journal.append(events.slice(0, 5));
    journal.append([
      { stream: 'env', kind: 'env.reading', ts: 2000, stationId: 'ENV-01', metric: 'noise', value: 50, unit: 'dB(A)', level: 'normal' },
      ...events.slice(5),
    ]);
  });
  afterAll(() => journal.close());

  it('emits each place at the first boundary it is known, then only its changes', () => {
    const h = journal.sampleParking(1000, 5000, 1000);
    expect(h).toEqual({
      from: 1000,
      to: 5000,
      stepMs: 1000,
      truncated: false,
      rows: [row(1000, 'PL-001', 10, 100), row(1000, 'RS-00001', 0, 1), row(2000, 'PL-001', 20, 100), row(2000, 'PL-002', 5, 50), row(3000, 'RS-00001', 1, 1)],
    });
  });

  it('samples the latest state at or before each boundary, with boundaries anchored at from', () => {
    expect(journal.sampleParking(500, 4500, 1000).rows).toEqual([
      row(1500, 'PL-001', 20, 100),
      row(1500, 'RS-00001', 0, 1),
      row(2500, 'PL-002', 5, 50),
      row(2500, 'RS-00001', 1, 1),
      row(3500, 'RS-00001', 0, 1),
      row(4500, 'RS-00001', 1, 1),
    ]);
    // a window after every event still starts from the full state (and ignores the drill's parking event)
    expect(journal.sampleParking(10_000, 20_000, 1000).rows).toEqual([
      row(10_000, 'PL-001', 20, 100),
      row(10_000, 'PL-002', 6, 50),
      row(10_000, 'RS-00001', 1, 1),
    ]);
    expect(journal.sampleParking(0, 900, 100).rows).toEqual([]);
  });

  it('stops at maxRows with truncated set', () => {
    expect(journal.sampleParking(1000, 5000, 1000, 3)).toMatchObject({
      truncated: true,
      rows: [row(1000, 'PL-001', 10, 100), row(1000, 'RS-00001', 0, 1), row(2000, 'PL-001', 20, 100)],
    });
    expect(journal.sampleParking(1000, 5000, 1000, 5)).toMatchObject({ truncated: false, rows: { length: 5 } });
    expect(() => journal.sampleParking(5000, 1000, 1000)).toThrow(/bad sampling window/);
    expect(() => journal.sampleParking(0, 1000, 0)).toThrow(/bad sampling window/);
  });

  it('rebuilds the exact occupancy at every boundary as "latest row per place with ts <= boundary"', () => {
    const j = Journal.open({ dir: tmp(), fsyncEveryMs: 0, segmentBytes: 4096 }).journal;
    const rand = rng(9);
    const drafts: Draft[] = [];
    for (let ts = 0; ts < 100_000; ts += Math.floor(rand() * 700)) {
      const i = Math.floor(rand() * 12);
      drafts.push(i < 4 ? occ(`PL-00${i + 1}`, ts, Math.floor(rand() * 3), 2) : occ(`RS-${String(i).padStart(5, '0')}`, ts, rand() < 0.5 ? 1 : 0, 1));
    }
    expect(j.append(drafts).rejected).toEqual([]);
    const h = j.sampleParking(5_000, 95_000, 2_500);
    expect(h.truncated).toBe(false);
    for (let b = 5_000; b <= 95_000; b += 2_500) {
      const truth = new Map<string, number>();
      for (const d of drafts) if (d.kind === 'parking.occupancy' && d.ts <= b) truth.set(d.placeId, d.occupied);
      const rebuilt = new Map<string, number>();
      for (const r of h.rows) if (r.ts <= b) rebuilt.set(r.placeId, r.occupied);
      expect(rebuilt, `boundary ${b}`).toEqual(truth);
    }
    // changes only: no row repeats the previous row of its place
    const last = new Map<string, number>();
    for (const r of h.rows) {
      expect(last.get(r.placeId)).not.toBe(r.occupied);
      last.set(r.placeId, r.occupied);
    }
    j.close();
  });
});

describe('GET /api/history/parking', () => {
  let server: FeedServer;
  const H0 = 1_700_000_000_000;
  beforeAll(async () => {
    server = await startFeedServer({ assetsDir, journalDir: tmp(), token: TOKEN, sim: null, tickMs: 60_000, log: () => undefined });
    server.core.ingest([
      occ('PL-001', H0, 10, 100),
      occ('RS-00001', H0 + 1000, 1, 1),
      occ('PL-001', H0 + 90_000, 30, 100),
      occ('RS-00001', H0 + 150_000, 1, 1),
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });
  const get = (query: string, auth = true, method = 'GET') =>
    fetch(`${server.url}/api/history/parking${query}`, { method, headers: auth ? { authorization: `Bearer ${TOKEN}` } : {} });

  it('answers CSV samples with row count and truncation headers', async () => {
    const res = await get(`?from=${H0}&to=${H0 + 180_000}&step=60000`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('x-redwall-truncated')).toBe('0');
    expect(res.headers.get('x-redwall-rows')).toBe('3');
    expect(await res.text()).toBe(`ts,place_id,occupied,capacity\n${H0},PL-001,10,100\n${H0 + 60_000},RS-00001,1,1\n${H0 + 120_000},PL-001,30,100\n`);
  });

  it('defaults to the last 24 h at 30 min: the state at the start of the window comes first', async () => {
    const t = Date.now();
    const res = await get('');
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('ts,place_id,occupied,capacity');
    expect(lines.slice(1).map((l) => l.split(',').slice(1).join(','))).toEqual(['PL-001,30,100', 'RS-00001,1,1']);
    const ts = Number(lines[1]!.split(',')[0]);
    expect(ts).toBeGreaterThanOrEqual(t - 24 * HOUR - 5_000);
    expect(ts).toBeLessThanOrEqual(Date.now() - 24 * HOUR);
  });

  it('refuses bad parameters with a clear 400, wrong methods with 405, and callers without the token with 401', async () => {
    const bad: Array<[string, RegExp]> = [
      ['?from=abc', /from must be a non-negative integer/],
      ['?from=1.5&to=10', /from must be a non-negative integer/],
      [`?from=${H0}&to=${H0}`, /from .* must be before to/],
      [`?from=${H0}&to=${H0 + HOUR}&step=1000`, /step must be at least 60000/],
      [`?from=0&to=${H0}&step=60000`, /too many samples/],
    ];
    for (const [q, msg] of bad) {
      const res = await get(q);
      expect(res.status, q).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(msg);
      expect(body.error).not.toContain('\n');
    }
    expect((await get('', true, 'POST')).status).toBe(405);
    expect((await get('', false)).status).toBe(401);
  });
});
