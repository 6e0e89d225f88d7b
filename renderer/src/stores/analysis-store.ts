/**
 * Planner workspace state: parking supply/demand analysis, candidate sites and what-ifs, occupancy history and the SQL
 * console. Every change is an audited operator command (RootStore.command → UiStore.dispatch → apply here); the
 * numbers come from the versioned SQL through ParkingQueries, never from this file.
 */
import { makeAutoObservable, observable, runInAction } from 'mobx';
import {
  DEFAULT_PARAMS,
  ParkingQueries,
  validateParams,
  type AccessRow,
  type AnalysisParams,
  type AnalysisResult,
  type Candidate,
  type SiteRow,
  type WhatIfResult,
} from '../analysis/parking/queries.ts';
import { runConsoleQuery, type ConsoleConnection, type ConsoleResult } from '../analysis/console.ts';
import type { SqlRunner } from '../analysis/sql-runner.ts';
import { errorText, LocalizedError, t } from '../i18n.ts';
import { ringMetrics } from '../../../data-pipelines/geo/measure.ts';

export type AnalysisMetric = 'unmet' | 'gap' | 'demand' | 'supply' | 'occupancy';
export type AnalysisDisplay = 'cells' | 'heatmap';

export type AnalysisCommand =
  | { op: 'setParams'; params: Partial<Omit<AnalysisParams, 'lon0' | 'lat0'>> }
  | { op: 'setMetric'; metric: AnalysisMetric }
  | { op: 'setDisplay'; display: AnalysisDisplay }
  | { op: 'findSites'; capacity: number }
  | { op: 'selectSite'; siteId: string | null }
  | { op: 'selectCell'; cellId: string | null }
  | { op: 'startDrawing' }
  | { op: 'cancelDrawing' }
  | { op: 'addDrawnSite'; ring: Array<[number, number]>; name?: string }
  | { op: 'whatIf'; siteId: string; capacity: number }
  | { op: 'clearWhatIf' }
  | { op: 'loadHistory'; hours: number; stepMin: number }
  | { op: 'historyTime'; ts: number }
  | { op: 'sql'; sql: string }
  /** cancels the running console query (not queued: it interrupts) */
  | { op: 'stopSql' }
  | { op: 'clearConsole' }
  /** data leaving the system is recorded (who exported what, when); the file itself is made by the panel */
  | { op: 'export'; what: 'png' | 'cells-csv' | 'sites-csv' | 'report' };

export interface SiteShape {
  siteId: string;
  name: string;
  ring: Array<[number, number]>;
  lon: number;
  lat: number;
  drawn: boolean;
  /** surface capacity from the area (25 m² per space) */
  maxSpaces: number;
}

/** A planned car park may be a simple deck of up to this many levels: capacity is capped at surface × levels. */
export const MAX_LEVELS = 3;

export interface HistoryState {
  from: number;
  to: number;
  stepMs: number;
  rows: number;
  truncated: boolean;
  series: Array<{ ts: number; ratio: number; occupied: number; capacity: number }>;
}

export interface AnalysisDeps {
  db: SqlRunner;
  origin: { lon: number; lat: number };
  /** CSV text of /api/history/parking for [from, to] at stepMs */
  fetchHistory(from: number, to: number, stepMs: number): Promise<{ csv: string; truncated: boolean }>;
  now(): number;
}

export class AnalysisStore {
  params: AnalysisParams | null = null;
  metric: AnalysisMetric = 'unmet';
  display: AnalysisDisplay = 'cells';
  running = false;
  /** why the last command failed (shown with `error`, in the current language), or null */
  failure: unknown = null;
  result: AnalysisResult | null = null;
  access: AccessRow[] = [];
  shapes: SiteShape[] = [];
  sites: SiteRow[] = [];
  siteCapacity = 100;
  selectedSiteId: string | null = null;
  selectedCellId: string | null = null;
  whatIf: WhatIfResult | null = null;
  drawing = false;
  drawPoints: Array<[number, number]> = [];
  history: HistoryState | null = null;
  historyTs: number | null = null;
  occupancy: Array<{ cell_id: string; a: number; b: number; lon: number; lat: number; occupied: number; capacity: number; ratio: number }> = [];
  /** the parameters the occupancy cells were binned with */
  occupancyParams: AnalysisParams | null = null;
  console: ConsoleResult | null = null;
  /** a console query is running (the Stop button shows) */
  consoleRunning = false;
  /** a console query waits for the database to start (Stop cancels it before it runs) */
  consoleWaiting = false;
  consoleSql = 'SELECT kind, count(*) AS places, sum(capacity) AS spaces\nFROM parking_places GROUP BY kind';
  schema: Array<{ table: string; columns: Array<{ name: string; type: string }> }> = [];
  /** bumps whenever something drawn changes (layers repaint on it) */
  version = 0;
  private q: ParkingQueries | null = null;
  private deps: AnalysisDeps | null = null;
  private drawnCount = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private consoleConn: Promise<ConsoleConnection> | null = null;
  private consoleQueue: Promise<unknown> = Promise.resolve();
  private consoleStop: (() => void) | null = null;
  /** bumped by Stop: a query still waiting for the database, given before it, is not run */
  private consoleEpoch = 0;
  /**
   * The local database is still starting (it comes up a few seconds after the map: issue 24). Commands given meanwhile
   * (a query typed at once, the workspace opened) wait for it rather than fail, and run in order once it is up.
   */
  dbStarting = true;
  private readonly attached: Promise<void>;
  private settleAttach!: (error?: unknown) => void;

  constructor() {
    this.attached = new Promise<void>((resolve, reject) => {
      this.settleAttach = (error) => (error === undefined ? resolve() : reject(error instanceof Error ? error : new Error(String(error))));
    });
    this.attached.catch(() => undefined); // said by each command that waited for it
    makeAutoObservable<this, 'q' | 'deps' | 'consoleConn' | 'consoleQueue' | 'consoleStop' | 'consoleEpoch' | 'attached' | 'settleAttach'>(
      this,
      {
        q: false,
        deps: false,
        consoleConn: false,
        consoleQueue: false,
        consoleStop: false,
        consoleEpoch: false,
        attached: false,
        settleAttach: false,
        result: observable.ref,
        access: observable.ref,
        sites: observable.ref,
        whatIf: observable.ref,
        history: observable.ref,
        occupancy: observable.ref,
        occupancyParams: observable.ref,
        console: observable.ref,
        shapes: observable.ref,
        schema: observable.ref,
        failure: observable.ref,
      },
      { autoBind: true },
    );
  }

  /** The last command's error as shown to the planner ('' when it succeeded). */
  get error(): string {
    return this.failure === null ? '' : errorText(this.failure);
  }

  /** Connects to the local database; loads candidate vacant lots and the schema. Commands waiting for it run then. */
  async attach(deps: AnalysisDeps): Promise<void> {
    try {
      await this.connect(deps);
    } catch (e) {
      this.unavailable(e);
      throw e;
    }
    runInAction(() => (this.dbStarting = false));
    this.settleAttach();
  }

  /** The local database did not start: the commands waiting for it fail with `reason`, and so do later ones. */
  unavailable(reason: unknown): void {
    runInAction(() => (this.dbStarting = false));
    this.settleAttach(reason ?? new LocalizedError('analysis.err.notReady'));
  }

  private async connect(deps: AnalysisDeps): Promise<void> {
    this.deps = deps;
    this.q = new ParkingQueries(deps.db);
    await this.q.setup();
    const lots = await deps.db.rows<{ lot_id: string; name: string; lon: number; lat: number; max_spaces: number; ring: { toArray(): Float64Array } }>(
      'SELECT lot_id, name, lon, lat, max_spaces, ring FROM vacant_lots ORDER BY lot_id',
    );
    const shapes: SiteShape[] = lots.map((l) => {
      const flat = Array.from(l.ring.toArray());
      const ring: Array<[number, number]> = [];
      for (let i = 0; i < flat.length; i += 2) ring.push([flat[i]!, flat[i + 1]!]);
      return { siteId: l.lot_id, name: l.name, ring, lon: l.lon, lat: l.lat, drawn: false, maxSpaces: Number(l.max_spaces) };
    });
    runInAction(() => {
      this.shapes = shapes;
      this.params = { ...DEFAULT_PARAMS, lon0: deps.origin.lon, lat0: deps.origin.lat };
    });
    await this.refreshSchema();
  }

  /** Tables and columns for the console's schema browser (again after the user imports data). */
  async refreshSchema(): Promise<void> {
    const db = this.deps?.db;
    if (!db) return;
    const cols = await db.rows<{ table_name: string; column_name: string; data_type: string }>(
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position",
    );
    const schema = new Map<string, Array<{ name: string; type: string }>>();
    for (const c of cols) schema.set(c.table_name, [...(schema.get(c.table_name) ?? []), { name: c.column_name, type: c.data_type }]);
    runInAction(() => (this.schema = [...schema].map(([table, columns]) => ({ table, columns }))));
  }

  private bump(): void {
    this.version++;
  }

  /** sets display state and repaints */
  private patch(p: Partial<Pick<AnalysisStore, 'metric' | 'display' | 'selectedSiteId' | 'selectedCellId' | 'whatIf' | 'console'>>): void {
    runInAction(() => {
      Object.assign(this, p);
      this.bump();
    });
  }

  /** every site with the capacity asked for, capped at what its area can hold (surface × MAX_LEVELS) */
  get candidates(): Candidate[] {
    return this.shapes.map((s) => ({
      siteId: s.siteId,
      name: s.name,
      lon: s.lon,
      lat: s.lat,
      capacity: Math.max(1, Math.min(this.siteCapacity, s.maxSpaces * MAX_LEVELS)),
    }));
  }

  /**
   * Applies an (already audited) analysis command; returns its error (also shown in `error`), never throws. Commands
   * run one after another: they share the working tables (pa_access, pa_extra_supply, pa_candidates), so an overlap
   * (a what-if while the parameters change) would mix states.
   */
  apply(cmd: AnalysisCommand): Promise<string | null> {
    // the console runs on its own connection and reads only: it neither waits for nor holds up the analyses
    if (cmd.op === 'stopSql') {
      if (this.consoleWaiting) {
        // queries waiting for the database: none of them runs (the Stop is the operator's last word)
        this.consoleEpoch++;
        runInAction(() => {
          this.consoleWaiting = false;
          this.console = failedConsole(this.consoleSql, new LocalizedError('console.stopped'));
        });
      }
      this.consoleStop?.();
      return Promise.resolve(null);
    }
    if (cmd.op === 'clearConsole') {
      // what is shown goes now, not after the analyses or the database's start (nor over a later result)
      this.patch({ console: null });
      return Promise.resolve(null);
    }
    if (cmd.op === 'sql') {
      const epoch = this.consoleEpoch;
      if (this.dbStarting)
        runInAction(() => {
          this.consoleWaiting = true;
          this.consoleSql = cmd.sql;
          this.console = null;
        });
      const job = this.consoleQueue
        .then(() =>
          this.attached.then(
            () => runInAction(() => (this.consoleWaiting = false)),
            (e: unknown) => {
              runInAction(() => (this.consoleWaiting = false));
              return this.consoleFailed(cmd.sql, e);
            },
          ),
        )
        .then(() => (epoch === this.consoleEpoch ? this.runSql(cmd.sql) : undefined))
        .then(
          () => null,
          (e: unknown) => errorText(e),
        );
      this.consoleQueue = job;
      return job;
    }
    const job = this.queue.then(() =>
      this.attached.then(
        () => this.applyNow(cmd),
        (e: unknown) => {
          runInAction(() => (this.failure = e));
          return errorText(e);
        },
      ),
    );
    this.queue = job.then(
      () => undefined,
      () => undefined,
    );
    return job;
  }

  private async applyNow(cmd: AnalysisCommand): Promise<string | null> {
    try {
      switch (cmd.op) {
        case 'setParams': {
          if (!this.params) throw new LocalizedError('analysis.err.notReady');
          const next = { ...this.params, ...cmd.params };
          const errors = validateParams(next);
          if (errors.length) throw new LocalizedError('analysis.err.params', { errors: errors.join('; ') });
          runInAction(() => (this.params = next));
          await this.run();
          // observed occupancy is binned into the same cells: redo it for the new cells
          if (this.history && this.historyTs !== null) await this.showHistoryAt(this.historyTs);
          break;
        }
        case 'setMetric':
          this.patch({ metric: cmd.metric });
          break;
        case 'setDisplay':
          this.patch({ display: cmd.display });
          break;
        case 'findSites':
          if (!(Number.isInteger(cmd.capacity) && cmd.capacity > 0 && cmd.capacity <= 5000)) throw new LocalizedError('analysis.err.capacity');
          runInAction(() => (this.siteCapacity = cmd.capacity));
          await this.rankSites();
          break;
        case 'selectSite':
          this.patch({ selectedSiteId: cmd.siteId });
          break;
        case 'selectCell':
          this.patch({ selectedCellId: cmd.cellId });
          break;
        case 'startDrawing':
        case 'cancelDrawing':
          runInAction(() => {
            this.drawing = cmd.op === 'startDrawing';
            this.drawPoints = [];
            this.bump();
          });
          break;
        case 'addDrawnSite': {
          if (cmd.ring.length < 3) throw new LocalizedError('analysis.err.corners');
          const ring = [...cmd.ring];
          const first = ring[0]!;
          const last = ring[ring.length - 1]!;
          if (first[0] !== last[0] || first[1] !== last[1]) ring.push(first);
          const m = ringMetrics(ring);
          if (m.areaM2 < 100) throw new LocalizedError('analysis.err.tooSmall', { m2: Math.round(m.areaM2) });
          runInAction(() => {
            this.drawnCount++;
            const id = `DS-${String(this.drawnCount).padStart(2, '0')}`;
            this.shapes = [
              ...this.shapes,
              {
                siteId: id,
                name: cmd.name ?? t('analysis.drawnSite', { n: this.drawnCount }),
                ring,
                lon: m.lon,
                lat: m.lat,
                drawn: true,
                maxSpaces: Math.floor(m.areaM2 / 25),
              },
            ];
            this.drawing = false;
            this.drawPoints = [];
            this.selectedSiteId = id;
            this.bump();
          });
          await this.rankSites();
          break;
        }
        case 'whatIf':
          await this.runWhatIf(cmd.siteId, cmd.capacity);
          break;
        case 'clearWhatIf':
          this.patch({ whatIf: null });
          break;
        case 'loadHistory':
          await this.loadHistory(cmd.hours, cmd.stepMin);
          break;
        case 'historyTime':
          await this.showHistoryAt(cmd.ts);
          break;
        case 'sql':
        case 'stopSql':
          break; // handled in apply()
        case 'export':
          break;
        case 'clearConsole':
          break; // handled in apply()
      }
      runInAction(() => (this.failure = null));
      return null;
    } catch (e) {
      runInAction(() => {
        this.failure = e;
        this.running = false;
      });
      return errorText(e);
    }
  }

  addDrawPoint(lon: number, lat: number): void {
    if (!this.drawing) return;
    const last = this.drawPoints[this.drawPoints.length - 1];
    // the two clicks of the closing double-click land on the same spot: one corner, not three
    if (last && Math.abs(last[0] - lon) < 1e-5 && Math.abs(last[1] - lat) < 1e-5) return;
    this.drawPoints = [...this.drawPoints, [lon, lat]];
    this.bump();
  }

  /** Runs the analysis for the current parameters (whatever what-if was shown is cleared: its "before" changed). */
  async run(): Promise<AnalysisResult> {
    const q = this.need();
    const p = this.params!;
    runInAction(() => (this.running = true));
    await q.setExtraSupply([]);
    const result = await q.run(p);
    const access = await q.accessRows();
    runInAction(() => {
      this.result = result;
      this.access = access;
      this.whatIf = null;
      this.running = false;
      this.bump();
    });
    if (this.sites.length) await this.rankSites();
    return result;
  }

  private need(): ParkingQueries {
    if (!this.q || !this.params) throw new LocalizedError('analysis.err.notReady');
    return this.q;
  }

  private async rankSites(): Promise<void> {
    const q = this.need();
    if (!this.result) await this.run();
    await q.setCandidates(this.candidates);
    const sites = await q.rankSites(this.params!);
    runInAction(() => {
      this.sites = sites;
      if (!this.selectedSiteId && sites[0]) this.selectedSiteId = sites[0].site_id;
      this.bump();
    });
  }

  private async runWhatIf(siteId: string, capacity: number): Promise<void> {
    const q = this.need();
    const c = this.candidates.find((x) => x.siteId === siteId);
    if (!c) throw new LocalizedError('analysis.err.noSite', { id: siteId });
    if (!(Number.isInteger(capacity) && capacity > 0 && capacity <= 5000)) throw new LocalizedError('analysis.err.capacity');
    runInAction(() => (this.running = true));
    // the current result is the "before" when it was computed with these parameters (commands run in order)
    const before = this.result && JSON.stringify(this.result.params) === JSON.stringify(this.params) ? this.result : undefined;
    const w = await q.whatIf(this.params!, { ...c, capacity }, before);
    runInAction(() => {
      this.whatIf = w;
      this.selectedSiteId = siteId;
      this.running = false;
      this.bump();
    });
  }

  private async loadHistory(hours: number, stepMin: number): Promise<void> {
    const q = this.need();
    if (!(hours > 0 && hours <= 24 * 31)) throw new LocalizedError('analysis.err.historyWindow');
    if (!(stepMin >= 1 && stepMin <= 24 * 60)) throw new LocalizedError('analysis.err.historyStep');
    const to = this.deps!.now();
    const stepMs = stepMin * 60_000;
    const from = to - hours * 3600_000;
    const { csv, truncated } = await this.deps!.fetchHistory(from, to, stepMs);
    const rows = await q.loadHistoryCsv(csv);
    const series = await q.occupancySeries();
    runInAction(() => {
      this.history = { from, to, stepMs, rows, truncated, series };
      this.metric = 'occupancy';
    });
    const last = series[series.length - 1];
    await this.showHistoryAt(last ? last.ts : to);
  }

  private async showHistoryAt(ts: number): Promise<void> {
    const q = this.need();
    const occ = await q.occupancyAt(this.params!, ts);
    runInAction(() => {
      this.historyTs = ts;
      this.occupancy = occ;
      this.occupancyParams = { ...this.params! };
      this.bump();
    });
  }

  /** A query given while the database was starting, which then did not start: said in the console, as its error. */
  private consoleFailed(sql: string, e: unknown): never {
    runInAction(() => (this.console = failedConsole(sql, e)));
    throw e;
  }

  private async runSql(sql: string): Promise<void> {
    const db = this.deps?.db;
    if (!db) throw new LocalizedError('analysis.err.notReady');
    runInAction(() => (this.consoleSql = sql));
    let result: ConsoleResult;
    if (!db.connectConsole) {
      result = failedConsole(sql, new LocalizedError('console.err.unavailable'));
    } else {
      this.consoleConn ??= db.connectConsole();
      const conn = await this.consoleConn.catch((e: unknown) => {
        this.consoleConn = null; // try again next time
        throw e;
      });
      const run = runConsoleQuery(conn, sql);
      this.consoleStop = run.stop;
      runInAction(() => (this.consoleRunning = true));
      try {
        result = await run.result;
      } finally {
        this.consoleStop = null;
      }
    }
    runInAction(() => {
      this.console = result;
      this.consoleRunning = false;
      this.bump();
    });
  }
}

/** A console result that is only its error (the query never reached the database): no columns, no rows. */
function failedConsole(sql: string, failure: unknown): ConsoleResult {
  return { sql, columns: [], rows: [], total: 0, truncated: false, ms: 0, error: errorText(failure), failure, points: [] };
}
