/**
 * DuckDB-Wasm in Node (the blocking build, same engine and version as the renderer's eh bundle), so the analysis
 * SQL is unit-tested on exactly the engine that runs it in the app.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SqlRunner } from '../../renderer/src/analysis/sql-runner.ts';

const require = createRequire(import.meta.url);

interface BlockingConn {
  query(sql: string): { toArray(): Array<{ toJSON(): Record<string, unknown> }> };
  insertArrowFromIPCStream(bytes: Uint8Array, opts: { name: string; create?: boolean }): void;
  close(): void;
}
interface BlockingDb {
  instantiate(): Promise<void>;
  connect(): BlockingConn;
  registerFileText(name: string, text: string): void;
}

/** DuckDB-Wasm's blocking Node build, instantiated (D: the caller's view of its bindings). */
export async function instantiateNodeDuckDb<D>(): Promise<D> {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs') as {
    createDuckDB(bundles: unknown, logger: unknown, runtime: unknown): Promise<D & { instantiate(): Promise<void> }>;
    VoidLogger: new () => unknown;
    NODE_RUNTIME: unknown;
  };
  const dist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
  const db = await duckdb.createDuckDB(
    { mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: '' }, eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: '' } },
    new duckdb.VoidLogger(),
    duckdb.NODE_RUNTIME,
  );
  await db.instantiate();
  return db;
}

export async function openNodeDuckDb(): Promise<{
  conn: BlockingConn;
  runner: SqlRunner;
  loadArrow(name: string, file: string): void;
  registerText(name: string, text: string): void;
}> {
  const db = await instantiateNodeDuckDb<BlockingDb>();
  const conn = db.connect();
  conn.query('SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;');
  const runner: SqlRunner = {
    // async, so a failing query rejects (as DuckDB-Wasm's worker API does in the app) instead of throwing synchronously
    rows: async <T>(sql: string) =>
      conn
        .query(sql)
        .toArray()
        .map((r) => r.toJSON() as T),
    registerText: async (name, text) => db.registerFileText(name, text),
  };
  return {
    conn,
    runner,
    loadArrow: (name, file) => conn.insertArrowFromIPCStream(new Uint8Array(readFileSync(file)), { name, create: true }),
    registerText: (name, text) => db.registerFileText(name, text),
  };
}
