/**
 * DuckDB-Wasm's Node build (the same engine and version as the app's worker) with the SQL console's connection: the
 * app's AsyncDuckDBConnection.send() starts a pending query and polls it (the worker yields between polls, which is
 * what lets cancelSent() interrupt); here the same bindings calls run in-process with a yield between polls.
 */
import { RecordBatchReader } from 'apache-arrow';
import type { ConsoleConnection } from '../../renderer/src/analysis/console.ts';
import type { SqlRunner } from '../../renderer/src/analysis/sql-runner.ts';
import { LOCKDOWN_SQL } from '../../renderer/src/data/db-lockdown.ts';
import { instantiateNodeDuckDb } from './duckdb-node.ts';

interface Rows {
  toArray(): Array<{ toJSON(): Record<string, unknown> }>;
}
interface BlockingConn {
  query(sql: string): Rows;
  prepare(sql: string): { query(): Rows; close(): void };
  insertArrowFromIPCStream(bytes: Uint8Array, opts: { name: string; create?: boolean }): void;
  useUnsafe<R>(f: (bindings: unknown, conn: number) => R): R;
}
interface BlockingDb {
  instantiate(): Promise<void>;
  connect(): BlockingConn;
  registerFileText(name: string, text: string): void;
  startPendingQuery(conn: number, text: string, allowStream: boolean): Uint8Array | null;
  pollPendingQuery(conn: number): Uint8Array | null;
  cancelPendingQuery(conn: number): boolean;
  fetchQueryResults(conn: number): Uint8Array;
}

export interface ConsoleDb {
  db: BlockingDb;
  /** the app's own connection (loads data, runs the analyses) */
  conn: BlockingConn;
  runner: SqlRunner;
  rows(sql: string): Array<Record<string, unknown>>;
  /** a new console connection (what LocalDb.connectConsole gives the app) */
  connectConsole(): ConsoleConnection;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

export function consoleConnection(db: BlockingDb, c: BlockingConn): ConsoleConnection {
  const id = c.useUnsafe((_b, conn) => conn);
  return {
    prepare: async (sql) => c.prepare(sql),
    send: async (sql) => {
      let header = db.startPendingQuery(id, sql, false);
      while (header === null) {
        await tick();
        header = db.pollPendingQuery(id);
      }
      const chunks: Uint8Array[] = [header];
      for (let b = db.fetchQueryResults(id); b && b.length; b = db.fetchQueryResults(id)) chunks.push(b);
      // an Arrow stream reader, as DuckDB-Wasm's send() returns: not yet opened (no schema until open), and reset once read through
      return RecordBatchReader.from(chunks);
    },
    cancelSent: async () => db.cancelPendingQuery(id),
  };
}

/** locked = the app's database-wide lockdown (LocalDb.open applies the same LOCKDOWN_SQL) */
export async function openConsoleDb(locked: boolean): Promise<ConsoleDb> {
  const db = await instantiateNodeDuckDb<BlockingDb>();
  const conn = db.connect();
  conn.query(locked ? LOCKDOWN_SQL : 'SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;');
  const rows = (sql: string) =>
    conn
      .query(sql)
      .toArray()
      .map((r) => r.toJSON());
  const connectConsole = () => consoleConnection(db, db.connect());
  const runner: SqlRunner = {
    rows: async <T>(sql: string) => rows(sql) as T[],
    registerText: async (name, text) => db.registerFileText(name, text),
    connectConsole: async () => connectConsole(),
  };
  return { db, conn, runner, rows, connectConsole };
}
