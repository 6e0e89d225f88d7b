/**
 * Parking analyses: the versioned SQL run on DuckDB-Wasm (same engine as the app) against tiny fixtures whose answers
 * were computed by hand (working in the comments), plus the real district package for the end-to-end shape.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellRing, DEFAULT_PARAMS, ParkingQueries, SQL, validateParams, type AnalysisParams } from '../../renderer/src/analysis/parking/queries.ts';
import { bind, parseSqlFile } from '../../renderer/src/analysis/sql-runner.ts';
import { demandProfile, findVacantLots, parkingHours } from '../../data-pipelines/etl/parking-demand.ts';
import { pointInRing, ringMetrics } from '../../data-pipelines/geo/measure.ts';
import { openNodeDuckDb } from './duckdb-node.ts';

const LON0 = 116.4;
const LAT0 = 39.9;
/** local metres -> lon/lat with the same projection as the SQL (pa_lon/pa_lat) */
const ll = (x: number, y: number): [number, number] => [LON0 + x / (111_320 * Math.cos((LAT0 * Math.PI) / 180)), LAT0 + y / 110_574];

type Db = Awaited<ReturnType<typeof openNodeDuckDb>>;

async function fixtureDb(): Promise<Db> {
  const db = await openNodeDuckDb();
  const pt = (x: number, y: number) => ll(x, y).join(', ');
  db.conn.query(`
    CREATE TABLE demand_profile (slot INTEGER, hhmm VARCHAR, resident_home DOUBLE, visitor DOUBLE);
    INSERT INTO demand_profile VALUES (0, '00:00', 1.0, 0.5), (1, '00:30', 0.5, 1.0);
    CREATE TABLE demand_sources (source_id VARCHAR, kind VARCHAR, building_id INTEGER, compound_id INTEGER, households INTEGER, vehicles INTEGER, lon DOUBLE, lat DOUBLE);
    INSERT INTO demand_sources VALUES
      ('R1', 'resident', 1, 7, 250, 100, ${pt(10, 10)}),
      ('R2', 'resident', 2, 7, 120, 50, ${pt(210, 10)}),
      ('V1', 'visitor', 3, -1, 0, 40, ${pt(10, 160)});
    CREATE TABLE parking_places (place_id VARCHAR, kind VARCHAR, name VARCHAR, lon DOUBLE, lat DOUBLE, capacity INTEGER, ref VARCHAR, grid_id VARCHAR, open_min INTEGER, close_min INTEGER);
    INSERT INTO parking_places VALUES
      ('P1', 'lot', 'P1', ${pt(110, 10)}, 60, 'C7', '', 0, 1440),
      ('P2', 'lot', 'P2', ${pt(10, 310)}, 30, 'B9', '', 420, 1260),
      ('P3', 'spot', 'P3', ${pt(1010, 1010)}, 1, 'E1', '', 0, 1440);
  `);
  return db;
}

const base: AnalysisParams = { lon0: LON0, lat0: LAT0, demandKind: 'all', demandSlot: 0, supplyMin: 0, cellKind: 'grid', cellM: 250, walkM: 300, detour: 1.5 };

describe('SQL files and binding', () => {
  it('every analysis file has a name and version, and binding checks parameters', () => {
    for (const f of Object.values(SQL)) {
      expect(f.name).toMatch(/^parking_/);
      expect(f.version).toBeGreaterThanOrEqual(1);
    }
    const f = parseSqlFile('-- name: t\n-- version: 3\n-- uses $a in a comment only\nSELECT $a + 1 AS v, $s AS s');
    expect(bind(f, { a: 2, s: "it's" })).toContain("SELECT 2 + 1 AS v, 'it''s' AS s");
    expect(bind(f, { a: 2, s: 'x' })).toContain('-- uses $a in a comment only');
    expect(() => bind(f, { a: 2 })).toThrow(/\$s has no value/);
    expect(() => bind(f, { a: 2, s: 'x', b: 1 })).toThrow(/unknown parameter\(s\) \$b/);
    expect(() => bind(f, { a: Number.NaN, s: 'x' })).toThrow(/finite/);
    expect(() => parseSqlFile('SELECT 1')).toThrow(/name/);
  });

  it('rejects impossible parameters with every problem named', () => {
    expect(validateParams(base)).toEqual([]);
    const e = validateParams({ ...base, demandSlot: 48, cellM: 5, walkM: 10, detour: 0.5, demandKind: 'cars' as never });
    expect(e).toHaveLength(5);
  });
});

describe('parking analyses on a hand-computed fixture', () => {
  let db: Db;
  let q: ParkingQueries;
  beforeAll(async () => {
    db = await fixtureDb();
    q = new ParkingQueries(db.runner);
  });

  it('2SFCA walking access at night: one lot shared by all three sources', async () => {
    // slot 0: R1 = 100 x 1.0, R2 = 50 x 1.0, V1 = 40 x 0.5 = 20. At 00:00 P2 (07:00–21:00) is closed.
    // straight-line R1–P1 100 m, R2–P1 100 m, V1–P1 sqrt(100² + 150²) = 180.3 m; x 1.5 = 150/150/270.4 m <= 300.
    // R_P1 = 60 / 170; every source has A = 0.35294 -> unmet = D x 0.64706: 64.706, 32.353, 12.941 (sum 110).
    await q.access(base);
    const rows = await q.accessRows();
    expect(rows.map((r) => r.source_id)).toEqual(['R1', 'R2', 'V1']);
    for (const r of rows) expect(r.access).toBeCloseTo(60 / 170, 9);
    expect(rows.map((r) => r.unmet)).toEqual([expect.closeTo((100 * 110) / 170, 9), expect.closeTo((50 * 110) / 170, 9), expect.closeTo((20 * 110) / 170, 9)]);
    expect(rows.map((r) => r.places)).toEqual([1, 1, 1]);
  });

  it('cells: demand, supply, gap and unmet per 250 m grid cell', async () => {
    const r = await q.run(base);
    // (10,10) (210,10) (10,160) (110,10) -> cell 0,0; P2 (10,310) -> 0,1 (closed: supply 0); P3 (1010,1010) -> 4,4
    // ordered by unmet, then gap (descending)
    expect(r.cells.map((c) => c.cell_id)).toEqual(['grid:0:0', 'grid:0:1', 'grid:4:4']);
    const c00 = r.cells[0]!;
    expect(c00).toMatchObject({ a: 0, b: 0, supply: 60, places: 1, sources: 3 });
    expect(c00.demand).toBeCloseTo(170, 9);
    expect(c00.resident).toBeCloseTo(150, 9);
    expect(c00.gap).toBeCloseTo(110, 9);
    expect(c00.unmet).toBeCloseTo(110, 9);
    const [cx, cy] = ll(125, 125);
    expect(c00.lon).toBeCloseTo(cx, 9);
    expect(c00.lat).toBeCloseTo(cy, 9);
    expect(r.cells[1]).toMatchObject({ supply: 0, gap: 0, places: 1 });
    expect(r.cells[2]).toMatchObject({ supply: 1, gap: -1, unmet: 0 });
    expect(r.totals.demand).toBeCloseTo(170, 9);
    expect(r.totals.supply).toBe(61);
    expect(r.totals.gap).toBeCloseTo(109, 9);
    expect(r.totals.unmet).toBeCloseTo(110, 9);
    expect(r.hardest?.cell_id).toBe('grid:0:0');
  });

  it('day supply: the office lot opens and covers the visitor within its catchment', async () => {
    // supply at 10:00: P2 open, V1–P2 150 m x 1.5 = 225 <= 300; R1–P2 300 x 1.5 = 450 > 300.
    // R_P2 = 30 / 20 = 1.5 -> V1 access 1.853 >= 1 -> unmet 0; R1, R2 unchanged: 64.706 + 32.353 = 97.059.
    const r = await q.run({ ...base, supplyMin: 600 });
    expect(r.totals.unmet).toBeCloseTo((150 * 110) / 170, 9);
    expect(r.totals.supply).toBe(91);
    // residents only at slot 1 (home share 0.5): R1 50, R2 25; R_P1 = 60 / 75 = 0.8 -> unmet 10 + 5
    const res = await q.run({ ...base, demandKind: 'resident', demandSlot: 1, supplyMin: 600 });
    expect(res.totals.demand).toBeCloseTo(75, 9);
    expect(res.totals.unmet).toBeCloseTo(15, 9);
  });

  it('site ranking and the "add 100 spaces" what-if', async () => {
    const k1 = { siteId: 'K1', name: '空地 K1', lon: ll(110, 110)[0], lat: ll(110, 110)[1], capacity: 100 };
    const k2 = { siteId: 'K2', name: 'far', lon: ll(1010, 900)[0], lat: ll(1010, 900)[1], capacity: 20 };
    await q.setCandidates([k2, k1]);
    await q.access(base);
    // K1 reaches R1 (141.4 m x 1.5 = 212), R2 (212), V1 (111.8 x 1.5 = 168): reach = 110, covered = min(100, 110)
    const sites = await q.rankSites(base);
    expect(sites.map((s) => s.site_id)).toEqual(['K1', 'K2']);
    expect(sites[0]!.reach).toBeCloseTo(110, 9);
    expect(sites[0]!.covered).toBeCloseTo(100, 9);
    expect(sites[0]!.sources).toBe(3);
    expect(sites[0]!.nearest_walk_m).toBeCloseTo(Math.hypot(100, 50) * 1.5, 6);
    expect(sites[1]).toMatchObject({ reach: 0, covered: 0, sources: 0, nearest_walk_m: null, cells: [] });
    // R_K1 = 100 / 170 -> each source serves min(D x 100/170, D x 110/170): 100 vehicles, all in grid:0:0
    expect(sites[0]!.cells).toEqual([{ cell_id: 'grid:0:0', served: expect.closeTo(100, 9) }]);
    // with K1 (open 24 h): R = 60/170 + 100/170 -> A = 160/170 -> unmet = 170 x 10/170 = 10
    const w = await q.whatIf(base, k1);
    expect(w.before.totals.unmet).toBeCloseTo(110, 9);
    expect(w.after.totals.unmet).toBeCloseTo(10, 9);
    expect(w.after.totals.supply).toBe(161);
    expect(w.delta).toHaveLength(1);
    expect(w.delta[0]).toMatchObject({ cell_id: 'grid:0:0' });
    expect(w.delta[0]!.unmetAfter - w.delta[0]!.unmetBefore).toBeCloseTo(-100, 9);
    expect(w.delta[0]!.gapAfter).toBeCloseTo(10, 9);
    // the what-if leaves no planned supply behind
    expect((await q.run(base)).totals.unmet).toBeCloseTo(110, 9);
    await expect(q.setCandidates([{ ...k1, capacity: 0 }])).rejects.toThrow(/capacity/);
  });

  it('hexagons: every point is binned to its nearest hexagon centre, whose outline contains it', async () => {
    const s = 100;
    const pts: Array<[number, number]> = [];
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 1200 - 600;
    for (let i = 0; i < 300; i++) pts.push([rnd(), rnd()]);
    db.conn.query(`CREATE OR REPLACE TABLE hp AS SELECT * FROM (VALUES ${pts.map(([x, y], i) => `(${i}, ${x}, ${y})`).join(',')}) t(i, x, y)`);
    const rows = await db.runner.rows<{ i: number; a: number; b: number }>(
      `SELECT i, pa_cell_a(x, y, 'hex', ${s})::INTEGER AS a, pa_cell_b(x, y, 'hex', ${s})::INTEGER AS b FROM hp ORDER BY i`,
    );
    const centre = (a: number, b: number) => [s * (Math.sqrt(3) * a + (Math.sqrt(3) / 2) * b), s * 1.5 * b] as const;
    for (const { i, a, b } of rows) {
      const [x, y] = pts[i]!;
      const [cx, cy] = centre(a, b);
      const d = Math.hypot(x - cx, y - cy);
      for (let da = -2; da <= 2; da++)
        for (let db2 = -2; db2 <= 2; db2++) {
          const [ox, oy] = centre(a + da, b + db2);
          expect(d).toBeLessThanOrEqual(Math.hypot(x - ox, y - oy) + 1e-9);
        }
      const ring = cellRing('hex', a, b, s, LON0, LAT0);
      expect(pointInRing(ll(x, y), ring)).toBe(true);
    }
  });

  it('occupancy history: state at a time and the district series (ASOF)', async () => {
    await expect(q.loadHistoryCsv('time,place,occ\n1,P1,2\n')).rejects.toThrow(/unexpected CSV header/);
    const n = await q.loadHistoryCsv('ts,place_id,occupied,capacity\n1000,P1,30,60\n1000,P2,0,30\n2000,P1,45,60\n3000,P2,15,30\n');
    expect(n).toBe(4);
    const at = await q.occupancyAt(base, 2500);
    expect(at.map((c) => [c.cell_id, c.occupied, c.capacity])).toEqual([
      ['grid:0:0', 45, 60],
      ['grid:0:1', 0, 30],
    ]);
    const series = await q.occupancySeries();
    expect(series.map((r) => [r.ts, r.occupied, r.capacity])).toEqual([
      [1000, 30, 90],
      [2000, 45, 90],
      [3000, 60, 90],
    ]);
  });
});

describe('demand model and candidate lots (ETL, pure)', () => {
  it('presence profile follows the crowd curve as documented', () => {
    const p = demandProfile([0, 1, 0.5]);
    expect(p.map((s) => [s.hhmm, s.residentHome, s.visitor])).toEqual([
      ['00:00', 0.95, 0],
      ['00:30', 0.45, 1],
      ['01:00', 0.7, 0.5],
    ]);
    expect(parkingHours('lot', 'B12')).toEqual({ openMin: 420, closeMin: 1260 });
    expect(parkingHours('lot', 'C3')).toEqual({ openMin: 0, closeMin: 1440 });
  });

  it('vacant lots keep clear of every footprint and of the carriageway', () => {
    const [x0, y0] = ll(0, 0);
    const square = (cx: number, cy: number, h: number) => [ll(cx - h, cy - h), ll(cx + h, cy - h), ll(cx + h, cy + h), ll(cx - h, cy + h)];
    const buildings = [{ id: 1, name: '', floors: 5, heightM: 15, lon: x0, lat: y0, areaM2: 3600, ring: square(0, 0, 30) }];
    const nodes = [
      { id: 0, lon: ll(-600, -200)[0], lat: ll(-600, -200)[1] },
      { id: 1, lon: ll(600, -200)[0], lat: ll(600, -200)[1] },
    ];
    const edges = [{ id: 0, from: 0, to: 1, lengthM: 1200, routes: 1 }];
    const [w, s] = ll(-500, -500);
    const [e, n] = ll(500, 500);
    const lots = findVacantLots(buildings, nodes, edges, { west: w, south: s, east: e, north: n }, 10, 1, 150);
    expect(lots.length).toBeGreaterThan(0);
    for (const l of lots) {
      const [lx, ly] = [(l.lon - LON0) * 111_320 * Math.cos((LAT0 * Math.PI) / 180), (l.lat - LAT0) * 110_574];
      // centre 35–160 m from the street (y = -200)
      expect(Math.abs(ly + 200)).toBeGreaterThanOrEqual(35 - 1e-6);
      expect(Math.abs(ly + 200)).toBeLessThanOrEqual(160 + 1e-6);
      // the whole rectangle (half-diagonal) + 8 m clear of the 60 m building at the origin
      const clearance = Math.hypot(Math.max(Math.abs(lx) - 30, 0), Math.max(Math.abs(ly) - 30, 0));
      expect(clearance).toBeGreaterThanOrEqual(Math.hypot(40, 50) / 2 + 8);
      expect(l.maxSpaces).toBe(Math.floor(l.areaM2 / 25));
      expect(l.ring).toHaveLength(5);
    }
  });
});

const PKG = new URL('../../assets/district/', import.meta.url).pathname;
/** The demo district's parking tables in DuckDB, the app's default analysis run (night resident demand vs day supply,
 *  200 m hexagons, 300 m walk) and every vacant lot offered as a 100-space candidate site. */
async function districtAnalysis() {
  if (!existsSync(`${PKG}demand_sources.arrow`)) throw new Error('district package missing: run "npm run build:data" first (npm test does)');
  const db = await openNodeDuckDb();
  for (const t of ['parking_places', 'demand_sources', 'demand_profile', 'vacant_lots']) db.loadArrow(t, `${PKG}${t}.arrow`);
  const q = new ParkingQueries(db.runner);
  const p: AnalysisParams = { ...DEFAULT_PARAMS, lon0: 116.456, lat0: 39.9375 };
  const r = await q.run(p);
  const lots = await db.runner.rows<{ lot_id: string; name: string; lon: number; lat: number }>('SELECT lot_id, name, lon, lat FROM vacant_lots');
  await q.setCandidates(lots.map((l) => ({ siteId: l.lot_id, name: l.name, lon: l.lon, lat: l.lat, capacity: 100 })));
  return { q, p, r, lots };
}
describe('the demo district package', () => {
  it('night resident demand vs public supply finds a hardest block, and 100 spaces on the best vacant lot reduce it', async () => {
    const { q, p, r, lots } = await districtAnalysis();
    expect(r.hardest).not.toBeNull();
    expect(r.totals.unmet).toBeGreaterThan(0);
    expect(r.totals.unmet).toBeLessThanOrEqual(r.totals.demand + 1e-6);
    const sites = await q.rankSites(p);
    expect(sites).toHaveLength(lots.length);
    for (let i = 1; i < sites.length; i++) expect(sites[i - 1]!.covered).toBeGreaterThanOrEqual(sites[i]!.covered);
    const best = sites[0]!;
    const w = await q.whatIf(p, { siteId: best.site_id, name: best.name, lon: best.lon, lat: best.lat, capacity: 100 });
    // a new car park can serve at most its capacity and at most the unmet demand within its reach
    const served = w.before.totals.unmet - w.after.totals.unmet;
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThanOrEqual(Math.min(100, best.reach) + 1e-6);
    expect(w.after.totals.supply - w.before.totals.supply).toBe(100);
  });
});

describe('site ranking and what-if agree (issue 16 item 19: "+100 at 空地 22" left the hardest cell at 363)', () => {
  it("on the district: a rank is the what-if's drop in district unmet, and the cells a site relieves are the cells the what-if improves", async () => {
    const { q, p, r } = await districtAnalysis();
    const hardest = r.hardest!;
    const sites = await q.rankSites(p);
    let reachesHardest = 0;
    let missesHardest = 0;
    for (const s of sites.slice(0, 10)) {
      const w = await q.whatIf(p, { siteId: s.site_id, name: s.name, lon: s.lon, lat: s.lat, capacity: s.capacity }, r);
      // the rank is what the what-if measures
      expect(w.before.totals.unmet - w.after.totals.unmet, s.name).toBeCloseTo(s.covered, 6);
      // the relieved cells are the cells whose unmet drops, by as much
      const drops = w.delta.filter((d) => d.unmetBefore - d.unmetAfter > 1e-9).map((d) => ({ cell_id: d.cell_id, served: d.unmetBefore - d.unmetAfter }));
      expect(s.cells.map((c) => c.cell_id).sort()).toEqual(drops.map((d) => d.cell_id).sort());
      for (const d of drops) expect(s.cells.find((c) => c.cell_id === d.cell_id)!.served).toBeCloseTo(d.served, 6);
      // the hardest cell changes exactly when the site relieves it
      const hardAfter = w.after.cells.find((c) => c.cell_id === hardest.cell_id)!.unmet;
      const relief = s.cells.find((c) => c.cell_id === hardest.cell_id)?.served ?? 0;
      expect(hardest.unmet - hardAfter).toBeCloseTo(relief, 6);
      if (relief > 0) reachesHardest++;
      else missesHardest++;
    }
    // the issue's case: the top site serves its full capacity elsewhere in the district and leaves the hardest cell as is
    expect(sites[0]!.covered).toBeCloseTo(100, 6);
    expect(sites[0]!.cells.some((c) => c.cell_id === hardest.cell_id)).toBe(false);
    expect(missesHardest).toBeGreaterThan(0);
    // no vacant lot is within walking distance of the hardest cell (the panel says so); a site drawn there relieves it
    expect(sites.filter((s) => s.cells.some((c) => c.cell_id === hardest.cell_id))).toHaveLength(reachesHardest);
    const drawn = { siteId: 'DS-01', name: 'drawn', lon: hardest.lon, lat: hardest.lat, capacity: 100 };
    await q.setCandidates([drawn]);
    const [ds] = await q.rankSites(p);
    const relief = ds!.cells.find((c) => c.cell_id === hardest.cell_id)!.served;
    expect(relief).toBeGreaterThan(10);
    const w = await q.whatIf(p, drawn, r);
    expect(hardest.unmet - w.after.cells.find((c) => c.cell_id === hardest.cell_id)!.unmet).toBeCloseTo(relief, 6);
    expect(w.before.totals.unmet - w.after.totals.unmet).toBeCloseTo(ds!.covered, 6);
    // the before/after table: each hardest-cell row has its numbers under before, after and change (the cell id is in
    // the label) — the "hardest after" value used to sit as "cell: n" text with an empty "before"
    const { whatIfCellRows, reportHtml } = await import('../../renderer/src/analysis/parking/report.ts');
    const rows = whatIfCellRows(w);
    expect(rows[0]).toMatchObject({ cell_id: hardest.cell_id, after: false });
    expect(rows[0]!.before).toBeCloseTo(hardest.unmet, 9);
    expect(rows[0]!.afterUnmet).toBeCloseTo(hardest.unmet - relief, 6);
    expect(w.after.hardest!.cell_id).not.toBe(hardest.cell_id);
    const afterCell = w.after.hardest!;
    expect(rows[1]).toMatchObject({ cell_id: afterCell.cell_id, after: true, afterUnmet: afterCell.unmet });
    expect(rows[1]!.before).toBeCloseTo(r.cells.find((c) => c.cell_id === afterCell.cell_id)!.unmet, 9);
    const html = reportHtml({ title: 'T', district: 'D', generatedAt: 0, result: r, sites: [], whatIf: w, mapPng: null });
    const n = (v: number) => Math.round(v).toLocaleString('en');
    const row = html.split('\n').find((l) => l.includes(`hardest cell after, ${afterCell.cell_id}`))!;
    expect([...row.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1])).toEqual([n(rows[1]!.before), n(afterCell.unmet), n(afterCell.unmet - rows[1]!.before)]);
  });
});

describe('exports and the SQL console guard (pure)', () => {
  const result = {
    params: base,
    cells: [
      { cell_id: 'grid:0:0', a: 0, b: 0, lon: 116.40146, lat: 39.90113, demand: 170, resident: 150, supply: 60, gap: 110, unmet: 110, places: 1, sources: 3 },
      { cell_id: 'grid:4:4', a: 4, b: 4, lon: 116.41, lat: 39.91, demand: 0, resident: 0, supply: 1, gap: -1, unmet: 0, places: 1, sources: 0 },
    ],
    totals: { demand: 170, supply: 61, unmet: 110, gap: 109 },
    hardest: null,
    sqlVersions: { parking_access: 1 },
  };

  it('cells and sites CSV: BOM, header, numbers stay numbers, text formulas neutralized', async () => {
    const { cellsCsv, sitesCsv, reportHtml, CELL_COLUMNS } = await import('../../renderer/src/analysis/parking/report.ts');
    const csv = cellsCsv(result);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe(CELL_COLUMNS.join(','));
    expect(lines[2]).toBe('grid:4:4,116.41,39.91,0,0,1,-1,0,1,0');
    const sites = sitesCsv([
      {
        site_id: 'DS-01',
        name: '=HYPERLINK("x")',
        lon: 1,
        lat: 2,
        capacity: 100,
        reach: 12.34,
        covered: 12.34,
        sources: 2,
        nearest_walk_m: null,
        cells: [
          { cell_id: 'hex:1:2', served: 10.04 },
          { cell_id: 'hex:1:3', served: 2.3 },
        ],
      },
    ]);
    expect(sites.trim().split('\r\n')[1]).toBe(`1,DS-01,"'=HYPERLINK(""x"")",1,2,100,12.3,12.3,2,,hex:1:2 10; hex:1:3 2.3`);
    const html = reportHtml({ title: 'T <b>', district: 'D', generatedAt: 0, result, sites: [], whatIf: null, mapPng: null });
    expect(html).toContain('T &lt;b&gt;');
    expect(html).toContain('<td class="n" data-k="unmet">110</td>');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('the console: DuckDB decides (one query, read-only functions) and rows with lon/lat go on the map', async () => {
    const { runConsoleQuery, consoleMapPoints, wrapConsoleSql, CONSOLE_MAX_ROWS } = await import('../../renderer/src/analysis/console.ts');
    const { errorText } = await import('../../renderer/src/i18n.ts');
    const { openConsoleDb } = await import('./console-db.ts');
    const d = await openConsoleDb(true);
    d.conn.query('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2)');
    const run = async (sql: string) => {
      const r = await runConsoleQuery(d.connectConsole(), sql).result;
      return r.failure ? errorText(r.failure, 'en') : r;
    };
    expect(await run("SELECT * FROM t WHERE 'drop table x; delete' <> ''")).toMatchObject({ total: 2 });
    expect(await run('with a as (select 1) select * from a;')).toMatchObject({ total: 1 });
    expect(await run('  -- comment\nSUMMARIZE t')).toMatchObject({ total: 1 });
    expect(await run('DROP TABLE t')).toMatch(/read-only/);
    expect(await run('SELECT 1; DELETE FROM t')).toMatch(/read-only/);
    expect(await run('WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x')).toMatch(/read-only/);
    expect(await run("SELECT * FROM read_csv('x'); ATTACH 'y'")).toMatch(/read-only/);
    expect(await run('')).toMatch(/Empty/);
    // DuckDB's own quoting is DuckDB's to read: it can neither hide a second statement nor be refused for itself
    expect(await run("SELECT $$ ' $$; DROP TABLE t; --'")).toMatch(/read-only/);
    expect(await run("SELECT E'\\''; DROP TABLE t; --'")).toMatch(/read-only/);
    expect(await run("SELECT $$ ' $$ AS s, '$5' AS price")).toMatchObject({ rows: [{ s: " ' ", price: '$5' }] });
    expect(await run('EXPLAIN SELECT 1')).toMatch(/read-only/);
    expect(d.rows('SELECT count(*)::INTEGER AS n FROM t')).toEqual([{ n: 2 }]);
    expect(wrapConsoleSql('SELECT a FROM t;  ')).toBe(`SELECT * FROM (\nSELECT a FROM t\n) AS console_query LIMIT ${CONSOLE_MAX_ROWS + 1}`);
    expect(await run('SELECT a FROM t -- trailing comment')).toMatchObject({ total: 2 });
    // the analyst reads the reason in the UI language
    const refused = await runConsoleQuery(d.connectConsole(), 'DROP TABLE t').result;
    expect(errorText(refused.failure, 'zh-CN')).toMatch(/控制台只读/);
    const pts = consoleMapPoints([
      { id: 'a', lon: 116.4, lat: 39.9, n: 3n },
      { id: 'b', lon: null, lat: 39.9, n: 1n },
      { id: 'c', lon: 500, lat: 39.9, n: 1n },
    ]);
    expect(pts).toEqual([{ lon: 116.4, lat: 39.9, value: 3, label: 'a' }]);
    expect(consoleMapPoints([{ x: 1, y: 2 }])).toEqual([]);
  });

  it('binds negative numbers so that "-$p" can never turn into a comment', () => {
    expect(bind(parseSqlFile('-- name: n\n-- version: 1\nSELECT 1 -$p AS v'), { p: -2 })).toContain('SELECT 1 -(-2) AS v');
  });
});

describe('the planner store over the fixture', () => {
  it('runs overlapping commands one after another: the what-if, ranking and capacities stay consistent', async () => {
    const { configure } = await import('mobx');
    configure({ enforceActions: 'always' });
    const { AnalysisStore } = await import('../../renderer/src/stores/analysis-store.ts');
    const db = await fixtureDb();
    const ring = [ll(85, 85), ll(135, 85), ll(135, 135), ll(85, 135), ll(85, 85)];
    db.conn.query(
      `CREATE TABLE vacant_lots AS SELECT 'VL-01' AS lot_id, 'lot' AS name, ${ll(110, 110)[0]}::DOUBLE AS lon, ${ll(110, 110)[1]}::DOUBLE AS lat, 2500.0 AS area_m2, 100 AS max_spaces, [${ring.flat().join(', ')}]::DOUBLE[] AS ring`,
    );
    const st = new AnalysisStore();
    await st.attach({
      db: db.runner,
      origin: { lon: LON0, lat: LAT0 },
      fetchHistory: () => Promise.resolve({ csv: 'ts,place_id,occupied,capacity\n', truncated: false }),
      now: () => 0,
    });
    // fired together, as a planner clicking fast would: without the queue the what-if could run half on the old parameters
    const done = await Promise.all([
      st.apply({ op: 'setParams', params: { demandKind: 'all', demandSlot: 0, supplyMin: 0, cellKind: 'grid', cellM: 250, walkM: 300, detour: 1.5 } }),
      st.apply({ op: 'whatIf', siteId: 'VL-01', capacity: 100 }),
      st.apply({ op: 'findSites', capacity: 100 }),
      st.apply({ op: 'findSites', capacity: 100 }),
    ]);
    expect(done).toEqual([null, null, null, null]);
    expect(st.whatIf!.before.totals.unmet).toBeCloseTo(110, 9);
    expect(st.whatIf!.after.totals.unmet).toBeCloseTo(10, 9);
    expect(st.sites.map((s) => s.site_id)).toEqual(['VL-01']);
    expect(st.sites[0]!.reach).toBeCloseTo(110, 9);
    // a small drawn area: 10 m x 12 m = 120 m² -> 4 surface spaces -> at most 3 levels = 12 spaces
    const small: Array<[number, number]> = [ll(1000, 900), ll(1010, 900), ll(1010, 912), ll(1000, 912)];
    expect(await st.apply({ op: 'addDrawnSite', ring: small })).toBeNull();
    const drawn = st.shapes.find((s) => s.drawn)!;
    expect(drawn.maxSpaces).toBe(4);
    expect(st.candidates.find((c) => c.siteId === drawn.siteId)!.capacity).toBe(12);
    const m = ringMetrics(small);
    expect(m.areaM2).toBeCloseTo(120, 1);
    // centroid exact to centimetres (no cancellation at absolute coordinates)
    expect(Math.abs(m.lon - ll(1005, 906)[0]) * 111_320 * Math.cos((LAT0 * Math.PI) / 180)).toBeLessThan(0.01);
    expect(Math.abs(m.lat - ll(1005, 906)[1]) * 110_574).toBeLessThan(0.01);
    const { setLocale } = await import('../../renderer/src/i18n.ts');
    setLocale('en');
    expect(await st.apply({ op: 'whatIf', siteId: 'nope', capacity: 100 })).toMatch(/no candidate site nope/);
    expect(await st.apply({ op: 'addDrawnSite', ring: small.slice(0, 2) })).toMatch(/at least 3 corners/);
    // the panel shows the error in the language of the moment
    expect(st.error).toMatch(/at least 3 corners/);
    setLocale('zh-CN');
    expect(st.error).toMatch(/至少需要 3 个角点/);
  });
});
