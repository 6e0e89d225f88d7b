/**
 * Typed wrappers over the versioned parking-analysis SQL (./sql/*.sql). The SQL is the method: these functions only
 * bind validated parameters, order the steps and type the rows. Same engine in the app (DuckDB-Wasm worker) and in
 * unit tests (DuckDB-Wasm blocking build under Node).
 */
import accessText from './sql/access.sql?raw';
import cellsText from './sql/cells.sql?raw';
import occAtText from './sql/occupancy_at.sql?raw';
import occSeriesText from './sql/occupancy_series.sql?raw';
import setupText from './sql/setup.sql?raw';
import sitesText from './sql/sites.sql?raw';
import { M_PER_DEG_LAT, mPerDegLon } from '../../../../data-pipelines/geo/measure.ts';
import { locale, LocalizedError, t, type Locale, type StringKey } from '../../i18n.ts';
import { memFile } from '../../data/db-lockdown.ts';
import { bind, parseSqlFile, sqlString, type SqlFile, type SqlRunner } from '../sql-runner.ts';

export const SQL: Record<'setup' | 'access' | 'cells' | 'sites' | 'occupancyAt' | 'occupancySeries', SqlFile> = {
  setup: parseSqlFile(setupText),
  access: parseSqlFile(accessText),
  cells: parseSqlFile(cellsText),
  sites: parseSqlFile(sitesText),
  occupancyAt: parseSqlFile(occAtText),
  occupancySeries: parseSqlFile(occSeriesText),
};

export type CellKind = 'grid' | 'hex';
export type DemandKind = 'resident' | 'visitor' | 'all';

export interface AnalysisParams {
  /** projection origin (district centre) */
  lon0: number;
  lat0: number;
  /** which vehicles: residents' (以房管人), visitors'/commuters', or both */
  demandKind: DemandKind;
  /** half-hour slot 0..47 of the demand profile (Beijing time) */
  demandSlot: number;
  /** minute of the day 0..1439 at which supply is counted (opening hours) */
  supplyMin: number;
  cellKind: CellKind;
  /** grid side or hexagon circumradius, metres */
  cellM: number;
  /** walking catchment, metres along streets */
  walkM: number;
  /** street detour factor: walking distance / straight-line distance */
  detour: number;
}

export const DEFAULT_PARAMS: Omit<AnalysisParams, 'lon0' | 'lat0'> = {
  demandKind: 'resident',
  demandSlot: 44,
  supplyMin: 14 * 60,
  cellKind: 'hex',
  cellM: 200,
  walkM: 300,
  detour: 1.3,
};

/** Every problem with the parameters, in the current (or given) locale; [] when they are valid. */
export function validateParams(p: AnalysisParams, l: Locale = locale()): string[] {
  const e: StringKey[] = [];
  if (!(p.lon0 >= -180 && p.lon0 <= 180 && p.lat0 >= -85 && p.lat0 <= 85)) e.push('analysis.param.origin');
  if (!['resident', 'visitor', 'all'].includes(p.demandKind)) e.push('analysis.param.kind');
  if (!Number.isInteger(p.demandSlot) || p.demandSlot < 0 || p.demandSlot > 47) e.push('analysis.param.slot');
  if (!Number.isInteger(p.supplyMin) || p.supplyMin < 0 || p.supplyMin > 1439) e.push('analysis.param.supplyMin');
  if (p.cellKind !== 'grid' && p.cellKind !== 'hex') e.push('analysis.param.cellKind');
  if (!(p.cellM >= 25 && p.cellM <= 5000)) e.push('analysis.param.cellM');
  if (!(p.walkM >= 50 && p.walkM <= 3000)) e.push('analysis.param.walkM');
  if (!(p.detour >= 1 && p.detour <= 3)) e.push('analysis.param.detour');
  // {got} is filled for the two messages that quote the value given
  return e.map((k) => t(k, { got: String(k === 'analysis.param.kind' ? p.demandKind : p.cellKind) }, l));
}

export interface AccessRow {
  source_id: string;
  kind: 'resident' | 'visitor';
  lon: number;
  lat: number;
  x: number;
  y: number;
  demand: number;
  access: number;
  places: number;
  unmet: number;
}

export interface CellRow {
  cell_id: string;
  a: number;
  b: number;
  lon: number;
  lat: number;
  demand: number;
  resident: number;
  supply: number;
  gap: number;
  unmet: number;
  places: number;
  sources: number;
}

export interface SiteRow {
  site_id: string;
  name: string;
  lon: number;
  lat: number;
  capacity: number;
  /** unmet vehicles of the demand sources within walking distance of the site */
  reach: number;
  /** the rank: vehicles the site's spaces would serve = the what-if's drop in district unmet (sites.sql) */
  covered: number;
  sources: number;
  nearest_walk_m: number | null;
  /** where that relief lands: vehicles served per cell, most first */
  cells: Array<{ cell_id: string; served: number }>;
}

export interface Totals {
  demand: number;
  supply: number;
  unmet: number;
  /** demand − supply summed over cells (district balance) */
  gap: number;
}

export interface AnalysisResult {
  params: AnalysisParams;
  cells: CellRow[];
  totals: Totals;
  /** where parking is hardest: the cell with the most unmet demand (null if none) */
  hardest: CellRow | null;
  sqlVersions: Record<string, number>;
}

export interface Candidate {
  siteId: string;
  name: string;
  lon: number;
  lat: number;
  capacity: number;
}

export interface WhatIfResult {
  site: Candidate;
  before: AnalysisResult;
  after: AnalysisResult;
  /** per cell, after − before (negative unmet = improvement), cells present in either */
  delta: Array<{ cell_id: string; lon: number; lat: number; unmetBefore: number; unmetAfter: number; gapBefore: number; gapAfter: number }>;
}

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const numbers = <T>(rows: Array<Record<string, unknown>>): T[] =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) as T);

/** an Arrow list of structs (as DuckDB-Wasm returns it) as plain objects; null -> [] */
function listOf(v: unknown): Array<Record<string, unknown>> {
  if (v === null || v === undefined) return [];
  const items = Array.isArray(v) ? v : Array.from((v as { toArray(): ArrayLike<unknown> }).toArray());
  return items.map((x) =>
    typeof (x as { toJSON?: unknown }).toJSON === 'function' ? (x as { toJSON(): Record<string, unknown> }).toJSON() : (x as Record<string, unknown>),
  );
}

export function totalsOf(cells: CellRow[]): Totals {
  const t = { demand: 0, supply: 0, unmet: 0, gap: 0 };
  for (const c of cells) {
    t.demand += c.demand;
    t.supply += c.supply;
    t.unmet += c.unmet;
    t.gap += c.gap;
  }
  return t;
}

const paramsOf = (p: AnalysisParams) => ({ lon0: p.lon0, lat0: p.lat0, cell_kind: p.cellKind, cell_m: p.cellM });

export class ParkingQueries {
  private ready: Promise<void> | null = null;

  constructor(private readonly db: SqlRunner) {}

  /** Creates macros and working tables (idempotent). */
  setup(): Promise<void> {
    this.ready ??= this.db.rows(bind(SQL.setup, {})).then(() => undefined);
    return this.ready;
  }

  private check(p: AnalysisParams): void {
    const errors = validateParams(p);
    if (errors.length) throw new LocalizedError('analysis.err.params', { errors: errors.join('; ') });
  }

  /** Step 1: walking access (2SFCA) per demand source into the temp table pa_access. */
  async access(p: AnalysisParams): Promise<void> {
    this.check(p);
    await this.setup();
    const sql = bind(SQL.access, {
      lon0: p.lon0,
      lat0: p.lat0,
      demand_kind: p.demandKind,
      demand_slot: p.demandSlot,
      supply_min: p.supplyMin,
      walk_m: p.walkM,
      detour: p.detour,
    });
    await this.db.rows(`CREATE OR REPLACE TEMP TABLE pa_access AS ${sql}`);
  }

  async accessRows(): Promise<AccessRow[]> {
    return numbers<AccessRow>(await this.db.rows('SELECT * FROM pa_access ORDER BY source_id'));
  }

  /** Demand, supply, gap and unmet per cell, with the current what-if supply. */
  async run(p: AnalysisParams): Promise<AnalysisResult> {
    await this.access(p);
    const cells = numbers<CellRow>(await this.db.rows(bind(SQL.cells, { ...paramsOf(p), supply_min: p.supplyMin })));
    const hardest = cells.reduce<CellRow | null>((best, c) => (c.unmet > 0 && (!best || c.unmet > best.unmet) ? c : best), null);
    return { params: { ...p }, cells, totals: totalsOf(cells), hardest, sqlVersions: Object.fromEntries(Object.values(SQL).map((f) => [f.name, f.version])) };
  }

  async setCandidates(cands: Candidate[]): Promise<void> {
    await this.setup();
    for (const c of cands)
      if (!(c.capacity > 0 && Number.isInteger(c.capacity))) throw new Error(`site ${c.siteId}: capacity must be a positive whole number of spaces`);
    await this.db.rows('DELETE FROM pa_candidates');
    if (cands.length)
      await this.db.rows(
        `INSERT INTO pa_candidates VALUES ${cands.map((c) => `(${sqlString(c.siteId)}, ${sqlString(c.name)}, ${+c.lon}, ${+c.lat}, ${c.capacity | 0})`).join(', ')}`,
      );
  }

  /**
   * Ranks the candidates by the drop in district unmet demand their what-if would show, with the cells each relieves
   * (uses pa_access of the last run: call run(p) first with the same parameters).
   */
  async rankSites(p: AnalysisParams): Promise<SiteRow[]> {
    this.check(p);
    const rows = numbers<SiteRow & { cells: unknown }>(await this.db.rows(bind(SQL.sites, { ...paramsOf(p), walk_m: p.walkM, detour: p.detour })));
    return rows.map((r) => ({ ...r, cells: listOf(r.cells).map((c) => ({ cell_id: String(c['cell_id']), served: num(c['served']) })) }));
  }

  async setExtraSupply(sites: Candidate[]): Promise<void> {
    await this.setup();
    await this.db.rows('DELETE FROM pa_extra_supply');
    if (sites.length)
      await this.db.rows(
        `INSERT INTO pa_extra_supply VALUES ${sites.map((s) => `(${sqlString(s.siteId)}, ${+s.lon}, ${+s.lat}, ${s.capacity | 0}, 0, 1440)`).join(', ')}`,
      );
  }

  /**
   * "Add N spaces here": the analysis without and with the site (open 24 h), and the per-cell change. `before` is the
   * caller's current result for the same parameters, when it has one (saves recomputing it).
   */
  async whatIf(p: AnalysisParams, site: Candidate, before?: AnalysisResult): Promise<WhatIfResult> {
    await this.setExtraSupply([]);
    before ??= await this.run(p);
    await this.setExtraSupply([site]);
    let after: AnalysisResult;
    try {
      after = await this.run(p);
    } finally {
      await this.setExtraSupply([]);
      await this.access(p); // pa_access back to the "before" state for further ranking
    }
    const byId = new Map<string, WhatIfResult['delta'][number]>();
    for (const c of before.cells)
      byId.set(c.cell_id, { cell_id: c.cell_id, lon: c.lon, lat: c.lat, unmetBefore: c.unmet, unmetAfter: 0, gapBefore: c.gap, gapAfter: 0 });
    for (const c of after.cells) {
      const d = byId.get(c.cell_id) ?? { cell_id: c.cell_id, lon: c.lon, lat: c.lat, unmetBefore: 0, unmetAfter: 0, gapBefore: 0, gapAfter: 0 };
      d.unmetAfter = c.unmet;
      d.gapAfter = c.gap;
      byId.set(c.cell_id, d);
    }
    const delta = [...byId.values()].filter((d) => Math.abs(d.unmetAfter - d.unmetBefore) > 1e-9 || Math.abs(d.gapAfter - d.gapBefore) > 1e-9);
    delta.sort((x, y) => x.unmetAfter - x.unmetBefore - (y.unmetAfter - y.unmetBefore) || x.cell_id.localeCompare(y.cell_id));
    return { site, before, after, delta };
  }

  /** Replaces the sampled occupancy history with a CSV from /api/history/parking (ts,place_id,occupied,capacity). */
  async loadHistoryCsv(csv: string): Promise<number> {
    await this.setup();
    const nl = csv.indexOf('\n');
    const header = (nl < 0 ? csv : csv.slice(0, nl)).trim();
    if (header !== 'ts,place_id,occupied,capacity') throw new Error(`occupancy history: unexpected CSV header "${header.slice(0, 80)}"`);
    await this.db.registerText(memFile('parking_history.csv'), csv);
    await this.db.rows('DELETE FROM parking_history');
    await this.db.rows(
      `INSERT INTO parking_history SELECT * FROM read_csv('${memFile('parking_history.csv')}', header = true, columns = {'ts': 'BIGINT', 'place_id': 'VARCHAR', 'occupied': 'INTEGER', 'capacity': 'INTEGER'})`,
    );
    const [r] = await this.db.rows<{ n: number }>('SELECT count(*)::INTEGER AS n FROM parking_history');
    return num(r?.n ?? 0);
  }

  async occupancyAt(
    p: AnalysisParams,
    t: number,
  ): Promise<Array<{ cell_id: string; a: number; b: number; lon: number; lat: number; occupied: number; capacity: number; ratio: number }>> {
    this.check(p);
    await this.setup();
    return numbers(await this.db.rows(bind(SQL.occupancyAt, { ...paramsOf(p), t: Math.floor(t) })));
  }

  async occupancySeries(): Promise<Array<{ ts: number; occupied: number; capacity: number; ratio: number; places: number }>> {
    await this.setup();
    return numbers(await this.db.rows(bind(SQL.occupancySeries, {})));
  }
}

/** Cell outline (closed ring, lon/lat) for cell (a, b): the same geometry the SQL bins into. */
export function cellRing(kind: CellKind, a: number, b: number, size: number, lon0: number, lat0: number): Array<[number, number]> {
  const toLL = (x: number, y: number): [number, number] => [lon0 + x / mPerDegLon(lat0), lat0 + y / M_PER_DEG_LAT];
  let pts: Array<[number, number]>;
  if (kind === 'hex') {
    const cx = size * (Math.sqrt(3) * a + (Math.sqrt(3) / 2) * b);
    const cy = size * 1.5 * b;
    pts = [0, 1, 2, 3, 4, 5].map((k) => {
      const ang = ((60 * k + 30) * Math.PI) / 180;
      return toLL(cx + size * Math.cos(ang), cy + size * Math.sin(ang));
    });
  } else pts = [toLL(a * size, b * size), toLL((a + 1) * size, b * size), toLL((a + 1) * size, (b + 1) * size), toLL(a * size, (b + 1) * size)];
  pts.push(pts[0]!);
  return pts;
}

export const slotLabel = (slot: number) => `${String(Math.floor(slot / 2)).padStart(2, '0')}:${slot % 2 ? '30' : '00'}`;
export const minuteLabel = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
