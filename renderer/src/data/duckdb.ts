/**
 * Local analytical database: DuckDB-Wasm (eh build only), loaded from our own bundle — never from a CDN. Tables
 * arrive as Arrow IPC streams (parquet/json extensions would be fetched from the internet, which we never do).
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import type { Table } from 'apache-arrow';
import type { ConsoleConnection } from '../analysis/console.ts';
import type { SqlRunner } from '../analysis/sql-runner.ts';
import { LOCKDOWN_SQL, MEM_DIR } from './db-lockdown.ts';
import type { Manifest } from '../../../data-pipelines/contracts/manifest.ts';
import type { FetchedPackage } from './package-tables.ts';

export class LocalDb implements SqlRunner {
  private readonly extra: duckdb.AsyncDuckDBConnection[] = [];
  private constructor(
    private readonly db: duckdb.AsyncDuckDB,
    private readonly conn: duckdb.AsyncDuckDBConnection,
    private readonly worker: Worker,
    /** the lockdown (db-lockdown.ts), asked for first: every other statement waits for it */
    private readonly locked: Promise<unknown>,
  ) {}

  /**
   * Compiles DuckDB-Wasm in its worker and connects. The lockdown statement is sent, not waited for: the worker runs
   * one message at a time, in order, so what is sent after it runs after it (insertPackage counts on that), and
   * everything else here waits for it. Each answer from the worker waits for the page's main thread, which at start-up
   * is drawing the first 3D frames (0.2-0.8 s each on a software renderer, issue 24): fewer round trips, sooner ready.
   */
  static async open(): Promise<LocalDb> {
    const worker = new Worker(ehWorkerUrl);
    const logger = new duckdb.VoidLogger();
    const db = new duckdb.AsyncDuckDB(logger, worker);
    // A worker that cannot load or dies: DuckDB-Wasm logs it and drops its pending requests without settling them, so
    // the start would wait for ever (and the planner's commands with it). Failed here instead, with the reason.
    const died = new Promise<never>((_, reject) =>
      worker.addEventListener(
        'error',
        (e) => {
          worker.terminate();
          reject(new Error(`the local database's worker failed to start: ${e.message || 'its script could not be loaded'}`));
        },
        { once: true },
      ),
    );
    died.catch(() => undefined); // said by whatever waits for the start
    await Promise.race([db.instantiate(ehWasmUrl), died]);
    // No extension loading, no file or network access but our in-memory files, configuration locked (db-lockdown.ts).
    const conn = await Promise.race([db.connect(), died]);
    const locked = conn.query(LOCKDOWN_SQL);
    locked.catch(() => undefined); // said by whatever waits for it
    return new LocalDb(db, conn, worker, locked);
  }

  /**
   * Fetches the district package (manifest and every table's bytes, sizes checked): needs no database, so boot runs it
   * while DuckDB-Wasm compiles, and draws the map from it (package-tables.ts) before DuckDB has it.
   */
  static async fetchPackage(base: string): Promise<FetchedPackage> {
    const root = new URL(base, location.href);
    const res = await fetch(new URL('manifest.json', root));
    if (!res.ok) throw new Error(`district manifest: HTTP ${res.status}`);
    const manifest = (await res.json()) as Manifest;
    const tables = await Promise.all(
      manifest.tables.map(async (t) => {
        const r = await fetch(new URL(t.file, root));
        if (!r.ok) throw new Error(`${t.file}: HTTP ${r.status}`);
        const bytes = new Uint8Array(await r.arrayBuffer());
        if (bytes.byteLength !== t.bytes) throw new Error(`${t.file}: ${bytes.byteLength} bytes, manifest says ${t.bytes}`);
        return { name: t.name, bytes };
      }),
    );
    return { manifest, tables };
  }

  /**
   * Loads a fetched package's tables; checks row counts against the manifest, in one query: each round trip to the
   * worker waits for the page's main thread, which at start-up is drawing the first 3D frames (0.2-0.8 s each on a
   * software renderer), and one count query per table made the analyses wait 4 s longer (issue 24).
   */
  async insertPackage(pkg: FetchedPackage): Promise<Manifest> {
    const tables = pkg.manifest.tables;
    const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
    // (a copy of each table's bytes: DuckDB-Wasm transfers what it is given to its worker, and the page still reads the
    // package's own bytes: data/package-tables.ts); all sent at once, the count after the inserts (one message at a time)
    const inserts = pkg.tables.map((t) => this.conn.insertArrowFromIPCStream(t.bytes.slice(), { name: t.name, create: true }));
    const counting = tables.length
      ? this.conn.query(tables.map((t, i) => `SELECT ${i} AS i, count(*)::INTEGER AS n FROM ${quoted(t.name)}`).join(' UNION ALL '))
      : null;
    counting?.catch(() => undefined); // a failed insert is the error said, not the count that follows it
    await Promise.all([this.locked, ...inserts]);
    if (!counting) return pkg.manifest;
    const counts = (await counting) as unknown as Table;
    const loaded = new Map<number, number>();
    for (let r = 0; r < counts.numRows; r++) loaded.set(Number(counts.getChild('i')!.get(r)), Number(counts.getChild('n')!.get(r)));
    tables.forEach((t, i) => {
      const n = loaded.get(i);
      if (n !== t.rows) throw new Error(`table ${t.name}: ${n ?? 0} rows loaded, manifest says ${t.rows}`);
    });
    return pkg.manifest;
  }

  async query(sql: string): Promise<Table> {
    await this.locked;
    return (await this.conn.query(sql)) as unknown as Table;
  }

  /** Rows as plain objects (SqlRunner for the analyses and the SQL console). */
  async rows<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const t = await this.query(sql);
    return t.toArray().map((r: { toJSON(): unknown }) => r.toJSON() as T);
  }

  async exec(sql: string): Promise<void> {
    await this.locked;
    await this.conn.query(sql);
  }

  /**
   * A connection of its own, for background work that runs in a transaction (the citizen-request tables): a failed
   * rebuild aborts only its own transaction, never a console query or an import queued on the main connection, and the
   * console sees the committed tables only.
   */
  async connectSink(): Promise<{ registerText(name: string, text: string): Promise<void>; exec(sql: string): Promise<void> }> {
    await this.locked;
    const c = await this.db.connect();
    this.extra.push(c);
    return { registerText: (name, text) => this.registerText(name, text), exec: async (sql) => void (await c.query(sql)) };
  }

  /**
   * The SQL console's own connection: its queries run as pending queries there (cancellable, and never queued behind
   * or in front of the app's own statements on the main connection). See analysis/console.ts.
   */
  async connectConsole(): Promise<ConsoleConnection> {
    await this.locked;
    const c = await this.db.connect();
    this.extra.push(c);
    return { prepare: (sql) => c.prepare(sql), send: (sql) => c.send(sql), cancelSent: () => c.cancelSent() };
  }

  /** An in-memory file for read_csv() (occupancy history, imports): `name` must be a memFile() path (MEM_DIR). */
  async registerText(name: string, text: string): Promise<void> {
    if (!name.startsWith(MEM_DIR)) throw new Error(`in-memory file ${name}: register it under ${MEM_DIR} (memFile()), the only directory DuckDB may read`);
    await this.locked;
    return this.db.registerFileText(name, text);
  }

  async destroy(): Promise<void> {
    for (const c of this.extra.splice(0)) await c.close();
    await this.conn.close();
    await this.db.terminate();
    this.worker.terminate();
  }
}
