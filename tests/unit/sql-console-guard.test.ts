/**
 * The SQL console's guard, against DuckDB itself (DuckDB-Wasm's Node build, the app's engine): DuckDB's parser and
 * planner decide what runs (issue 16 item 2: a nested block comment hid a CREATE, an ATTACH and a SET from the old
 * text scanner), the database is locked down, and a query is bounded in rows and time and can be stopped.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_MAX_ROWS, runConsoleQuery, type ConsoleResult } from '../../renderer/src/analysis/console.ts';
import { MEM_DIR, memFile } from '../../renderer/src/data/db-lockdown.ts';
import { errorText, LocalizedError } from '../../renderer/src/i18n.ts';
import { openConsoleDb, type ConsoleDb } from './console-db.ts';

const TMP = mkdtempSync(join(tmpdir(), 'redwall-console-'));
const ISSUE = "SELECT 1 /* /* */ 'x */) AS q; CREATE TABLE pwn AS SELECT 42; SELECT * FROM (SELECT 1 --'";

async function setUp(locked: boolean): Promise<ConsoleDb> {
  const d = await openConsoleDb(locked);
  d.conn.query('CREATE TABLE t (a INTEGER, lon DOUBLE, lat DOUBLE); INSERT INTO t VALUES (1, 116.4, 39.9), (2, 116.41, 39.91); CREATE SEQUENCE s1');
  return d;
}

/** everything a statement could change: catalog, rows, settings, attached databases, secrets, variables, files */
function snapshot(d: ConsoleDb): string {
  const q = (sql: string) => JSON.stringify(d.rows(sql), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const tables = d.rows('SELECT database_name, schema_name, table_name FROM duckdb_tables() ORDER BY ALL') as Array<Record<string, string>>;
  return [
    q('SELECT database_name, schema_name, table_name, column_count FROM duckdb_tables() ORDER BY ALL'),
    ...tables.map((t) => q(`SELECT count(*) AS n FROM "${t['database_name']}"."${t['schema_name']}"."${t['table_name']}"`)),
    q('SELECT * FROM t ORDER BY ALL'),
    q('SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY ALL'),
    q('SELECT * FROM duckdb_sequences() ORDER BY ALL'),
    q("SELECT function_name FROM duckdb_functions() WHERE function_type IN ('macro', 'table_macro') AND NOT internal ORDER BY ALL"),
    q('SELECT database_name, path FROM duckdb_databases() ORDER BY ALL'),
    q('SELECT schema_name FROM duckdb_schemas() ORDER BY ALL'),
    q('SELECT name, value FROM duckdb_settings() ORDER BY ALL'),
    q('SELECT name FROM duckdb_secrets() ORDER BY ALL'),
    q('SELECT * FROM duckdb_variables() ORDER BY ALL'),
    q('SELECT extension_name FROM duckdb_extensions() WHERE loaded ORDER BY ALL'),
    q('SELECT type_name FROM duckdb_types() WHERE NOT internal ORDER BY ALL'),
    q('SELECT index_name FROM duckdb_indexes() ORDER BY ALL'),
    JSON.stringify(readdirSync(TMP)),
  ].join('\n');
}

const currvalSafe = (d: ConsoleDb) => {
  try {
    return JSON.stringify(d.rows("SELECT currval('s1')::VARCHAR AS v"));
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
};

async function guarded(d: ConsoleDb, sql: string, timeoutMs = 20_000): Promise<ConsoleResult> {
  return runConsoleQuery(d.connectConsole(), sql, timeoutMs).result;
}

/** statements that change something (or read files) if they ever run */
const PAYLOADS = [
  'CREATE TABLE pwn AS SELECT 42',
  'CREATE TEMP TABLE pwn2 AS SELECT 1',
  'INSERT INTO t VALUES (99, 0, 0)',
  'UPDATE t SET a = 0',
  'DELETE FROM t',
  'DROP TABLE t',
  'TRUNCATE t',
  'ALTER TABLE t ADD COLUMN z INTEGER',
  `ATTACH '${TMP}/a.db' AS a2`,
  "ATTACH ':memory:' AS m2",
  'DETACH memory',
  `COPY t TO '${TMP}/t.csv'`,
  `COPY (SELECT 1) TO '${TMP}/q.csv'`,
  `EXPORT DATABASE '${TMP}/exp'`,
  'SET threads = 1',
  'SET enable_external_access = true',
  'RESET lock_configuration',
  'SET VARIABLE pwned = 1',
  'PRAGMA enable_profiling',
  'PRAGMA threads = 1',
  'INSTALL json',
  'LOAD json',
  'CALL enable_logging()',
  'CALL checkpoint()',
  'CHECKPOINT',
  'VACUUM',
  'BEGIN TRANSACTION',
  'USE memory',
  'CREATE SEQUENCE s2',
  'CREATE MACRO pwnm(x) AS x',
  'CREATE VIEW pwnv AS SELECT 1',
  'CREATE SCHEMA pwns',
  "CREATE TYPE pwne AS ENUM ('a')",
  'CREATE INDEX pwni ON t (a)',
  "CREATE SECRET pwnsec (TYPE s3, KEY_ID 'x', SECRET 'y')",
  // queries whose functions change state or touch files
  "SELECT * FROM read_csv('/etc/passwd')",
  "SELECT * FROM read_text('/etc/hostname')",
  "SELECT * FROM read_blob('/etc/hostname')",
  "SELECT * FROM glob('/etc/*')",
  "SELECT * FROM sniff_csv('/etc/passwd')",
  "SELECT * FROM '/etc/passwd'",
  "SELECT getenv('HOME')",
  'SELECT * FROM enable_logging()',
  'SELECT * FROM disable_logging()',
  'SELECT * FROM truncate_duckdb_logs()',
  'SELECT * FROM checkpoint()',
  'SELECT * FROM force_checkpoint()',
  "SELECT nextval('s1')",
  "SELECT a, nextval('s1') FROM t",
  'SELECT setseed(0.5)',
  "SELECT * FROM query('SELECT * FROM enable_logging()')",
  "SELECT * FROM query('SELECT nextval(''s1'')')",
  'SELECT 1 WHERE EXISTS (SELECT * FROM enable_logging())',
  "SELECT * FROM t, LATERAL (SELECT nextval('s1') + t.a)",
  'SELECT * FROM arrow_scan(0, 0, 0)',
];
/** ways to smuggle a payload past a text scanner: comments (nested), quotes of every kind, semicolons, parentheses */
const TEMPLATES = [
  '{P}',
  '{P};',
  '/* c */ {P} -- c',
  'SELECT 1; {P}',
  'SELECT 1;\n{P};',
  "SELECT 1 /* /* */ 'x */) AS q; {P}; SELECT * FROM (SELECT 1 --'",
  'SELECT 1 /* /* nested */ still a comment */) AS q; {P}; --',
  'SELECT 1) AS q; {P}; SELECT * FROM (SELECT 1',
  'SELECT 1 --\n) AS q; {P}; SELECT * FROM (SELECT 1',
  "SELECT $$ ' $$) AS q; {P}; SELECT * FROM (SELECT 1 --'",
  "SELECT $tag$ ; ' $tag$) AS q; {P}; SELECT (1",
  "SELECT E'\\'') AS q; {P}; SELECT (1 --'",
  "SELECT 'a'';') AS q; {P}; SELECT (1",
  'SELECT "x)" FROM (SELECT 1 AS "x)")) AS q; {P}; SELECT * FROM (SELECT 1',
  'WITH x AS (SELECT 1) SELECT * FROM x) AS q; {P}; SELECT * FROM (SELECT 1',
  'VALUES (1)) AS q; {P}; SELECT * FROM (VALUES (1)',
  'SELECT * FROM (SELECT 1) q) AS z LIMIT 1; {P}; SELECT * FROM (SELECT 1',
  'FROM t) AS q; {P}; FROM (FROM t',
  'SELECT 1 AS x) AS q UNION ALL SELECT 2) AS z; {P}; SELECT * FROM ((SELECT 1',
];
const fileTouching = (p: string) => /read_|glob|sniff|'\/etc|getenv/.test(p);

function randomTexts(n: number): string[] {
  let seed = 16;
  const rnd = (k: number) => (seed = (seed * 48271) % 2147483647) % k;
  const bits = ['/*', '*/', "'", '"', '$$', '$a$', ';', ')', '(', '--', '\n', ' ', 'SELECT 1', "E'", '\\', 'AS q', 'FROM t', ',', 'x'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = PAYLOADS[rnd(PAYLOADS.length)]!;
    const parts: string[] = [];
    const len = 3 + rnd(12);
    for (let j = 0; j < len; j++) parts.push(bits[rnd(bits.length)]!);
    parts.splice(rnd(parts.length + 1), 0, ` ${p} `);
    out.push(parts.join(''));
  }
  return out;
}

describe.each([
  ['the guard alone (database not locked down)', false],
  ['the guard on the locked-down database (as in the app)', true],
] as const)('SQL console: %s', (_name, locked) => {
  let d: ConsoleDb;
  beforeAll(async () => {
    d = await setUp(locked);
  });

  it("the issue's nested-comment text does not run its CREATE (nor ATTACH, nor SET)", async () => {
    const before = snapshot(d);
    for (const p of ['CREATE TABLE pwn AS SELECT 42', `ATTACH '${TMP}/issue.db' AS x`, 'SET threads = 1']) {
      const r = await guarded(d, ISSUE.replace('CREATE TABLE pwn AS SELECT 42', p));
      expect(r.error).not.toBe('');
      expect(r.failure).toBeInstanceOf(LocalizedError);
      expect(errorText(r.failure, 'en')).toMatch(/read-only/);
    }
    expect(snapshot(d)).toBe(before);
    expect(d.rows("SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'pwn'")).toEqual([{ n: 0 }]);
  });

  it('runs real queries: one statement, comments, quotes, DESCRIBE / SUMMARIZE, catalog functions, rows on the map', async () => {
    const ok = async (sql: string) => {
      const r = await guarded(d, sql);
      expect(r.error, sql).toBe('');
      return r;
    };
    const r = await ok("SELECT a, lon, lat FROM t WHERE 'x;y' <> 'drop table t; --' /* a /* nested */ comment */ ORDER BY a;");
    expect(r.columns).toEqual(['a', 'lon', 'lat']);
    expect(r.rows).toEqual([
      { a: 1, lon: 116.4, lat: 39.9 },
      { a: 2, lon: 116.41, lat: 39.91 },
    ]);
    expect(r.points).toHaveLength(2);
    expect((await ok('DESCRIBE t')).total).toBe(3);
    expect((await ok('SUMMARIZE t')).total).toBe(3);
    expect((await ok('with x as (select 1 as v) select * from x -- trailing comment')).rows).toEqual([{ v: 1 }]);
    expect((await ok("SELECT $$it's$$ AS s, E'a\\'b' AS e")).rows).toEqual([{ s: "it's", e: "a'b" }]);
    expect((await ok('SELECT table_name FROM duckdb_tables()')).total).toBeGreaterThanOrEqual(1);
    expect((await ok("SELECT * FROM pragma_table_info('t')")).total).toBe(3);
    expect((await ok('SELECT count(*) AS n FROM range(10) a, generate_series(1, 3) b')).rows).toEqual([{ n: 30n }]);
    // an empty result still names its columns
    expect((await ok('SELECT a FROM t WHERE false')).columns).toEqual(['a']);
    // DuckDB's own errors are shown as DuckDB says them
    expect((await guarded(d, 'SELECT * FROM no_such_table')).error).toMatch(/no_such_table/);
    expect(errorText((await guarded(d, '   ')).failure, 'en')).toMatch(/Empty/);
    expect(errorText((await guarded(d, 'DROP TABLE t')).failure, 'zh-CN')).toMatch(/控制台只读/);
  });

  it('bounds the rows: more than CONSOLE_MAX_ROWS are cut and said so', async () => {
    const r = await guarded(d, 'FROM range(1000000)');
    expect(r.error).toBe('');
    expect(r.truncated).toBe(true);
    expect(r.total).toBe(CONSOLE_MAX_ROWS);
    expect(r.rows).toHaveLength(500);
  });

  it('a cross join of two billion-row ranges is cancelled at the time bound, and Stop cancels it sooner', async () => {
    const slow = 'SELECT count(*) AS n FROM range(1000000000) a, range(1000000000) b';
    const timed = await guarded(d, slow, 400);
    expect(timed.rows).toEqual([]);
    expect(errorText(timed.failure, 'en')).toMatch(/longer than 0 s and was cancelled|cancelled/);
    expect((timed.failure as LocalizedError).key).toBe('console.err.timeout');
    const run = runConsoleQuery(d.connectConsole(), slow, 60_000);
    setTimeout(run.stop, 200);
    const stopped = await run.result;
    expect((stopped.failure as LocalizedError).key).toBe('console.stopped');
    expect(stopped.ms).toBeLessThan(30_000);
    // the connection is usable afterwards
    expect((await guarded(d, 'SELECT 42 AS x')).rows).toEqual([{ x: 42 }]);
  });

  it(`fuzz: ${PAYLOADS.length * TEMPLATES.length + 300} texts — each is refused, or runs and changes nothing`, async () => {
    const before = snapshot(d);
    const seq = currvalSafe(d);
    // IMPORT DATABASE is expanded by DuckDB's parser itself (PRAGMA import_database reads the exported files while the
    // text is parsed, before any statement exists to refuse): only the lockdown stops that read, so only it is tried
    const payloads = locked ? [...PAYLOADS, `IMPORT DATABASE '${TMP}/exp'`] : PAYLOADS;
    const texts = [...TEMPLATES.flatMap((tp) => payloads.map((p) => ({ p, sql: tp.replace('{P}', p) }))), ...randomTexts(300).map((sql) => ({ p: '', sql }))];
    let refused = 0;
    // state changes stick: a full snapshot every 40 texts names the batch that changed something
    for (let i = 0; i < texts.length; i += 40) {
      const batch = texts.slice(i, i + 40);
      for (const { p, sql } of batch) {
        const r = await guarded(d, sql);
        if (r.error) refused++;
        // a query that reads a file or changes state never yields rows, with or without the lockdown
        if (p && p === sql && fileTouching(p)) expect(r.error, sql).not.toBe('');
        expect(currvalSafe(d), sql).toBe(seq);
      }
      if (snapshot(d) !== before) throw new Error(`one of these changed the database:\n${batch.map((x) => x.sql).join('\n')}`);
    }
    expect(refused).toBeGreaterThan(texts.length * 0.9);
  }, 600_000);

  it('the oracle sees changes: the same payloads run directly (not through the console) do change things', () => {
    const scratch = d;
    const before = snapshot(scratch);
    scratch.conn.query('CREATE TABLE oracle_probe AS SELECT 1');
    expect(snapshot(scratch)).not.toBe(before);
    scratch.conn.query('DROP TABLE oracle_probe');
    expect(snapshot(scratch)).toBe(before);
  });
});

describe('the locked-down database (LocalDb.open applies the same settings)', () => {
  it('no file access but our in-memory files; no SET afterwards; Arrow inserts still work', async () => {
    const d = await setUp(true);
    for (const sql of [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/hostname')",
      "SELECT * FROM glob('/etc/*')",
      `COPY t TO '${TMP}/x.csv'`,
      `ATTACH '${TMP}/x.db'`,
    ])
      expect(() => d.conn.query(sql), sql).toThrow(/disabled by configuration|Permission/);
    expect(() => d.conn.query("SELECT getenv('HOME')")).toThrow(/getenv/);
    expect(() => d.conn.query('SET enable_external_access = true')).toThrow(/locked/);
    expect(() => d.conn.query('LOAD json')).toThrow(/disabled/);
    d.db.registerFileText(memFile('h.csv'), 'a,b\n1,2\n');
    expect(d.rows(`SELECT count(*)::INTEGER AS n FROM read_csv('${memFile('h.csv')}')`)).toEqual([{ n: 1 }]);
    d.db.registerFileText('outside.csv', 'a\n1\n');
    expect(() => d.conn.query("SELECT * FROM read_csv('outside.csv')")).toThrow(/disabled by configuration/);
    expect(() => d.conn.query(`SELECT * FROM read_csv('${MEM_DIR}../etc/passwd')`)).toThrow(/disabled by configuration/);
    expect(() => memFile('../x.csv')).toThrow(/name/);
    expect(readdirSync(TMP)).toEqual([]);
  });
});

/** What the planner store attaches to: this database, no parking history. */
const plannerDeps = (d: ConsoleDb) => ({
  db: d.runner,
  origin: { lon: 116.4, lat: 39.9 },
  fetchHistory: () => Promise.resolve({ csv: 'ts,place_id,occupied,capacity\n', truncated: false }),
  now: () => 0,
});

describe('the console in the planner store', () => {
  it('a query given while the database is starting waits for it and runs; with no database it fails with the reason', async () => {
    const { configure } = await import('mobx');
    configure({ enforceActions: 'always' });
    const { AnalysisStore } = await import('../../renderer/src/stores/analysis-store.ts');
    const st = new AnalysisStore();
    expect(st.dbStarting).toBe(true);
    // typed at once after start-up, before DuckDB-Wasm is up (issue 24: it comes after the map)
    const early = st.apply({ op: 'sql', sql: 'SELECT a, lon, lat FROM t ORDER BY a' });
    const d = await setUp(true);
    d.conn.query('CREATE TABLE vacant_lots (lot_id VARCHAR, name VARCHAR, lon DOUBLE, lat DOUBLE, area_m2 DOUBLE, max_spaces INTEGER, ring DOUBLE[])');
    expect(st.console).toBeNull(); // still waiting
    await st.attach(plannerDeps(d));
    expect(await early).toBeNull();
    expect(st.dbStarting).toBe(false);
    expect(st.console).toMatchObject({ error: '', total: 2, columns: ['a', 'lon', 'lat'] });

    // Stop while a query waits: it never runs, not even once the database is up; Clear happens at once, not after
    const stopped = new AnalysisStore();
    const waiting = stopped.apply({ op: 'sql', sql: 'SELECT 42 AS answer' });
    expect(stopped.consoleWaiting).toBe(true);
    expect(await stopped.apply({ op: 'stopSql' })).toBeNull();
    expect(stopped.consoleWaiting).toBe(false);
    expect(stopped.console).toMatchObject({ total: 0, columns: [] });
    expect(stopped.console!.error).not.toBe('');
    const d2 = await setUp(true);
    d2.conn.query('CREATE TABLE vacant_lots (lot_id VARCHAR, name VARCHAR, lon DOUBLE, lat DOUBLE, area_m2 DOUBLE, max_spaces INTEGER, ring DOUBLE[])');
    const cleared = stopped.apply({ op: 'clearConsole' });
    expect(stopped.console).toBeNull(); // the clear did not wait for the database
    expect(await cleared).toBeNull();
    await stopped.attach(plannerDeps(d2));
    expect(await waiting).toBeNull();
    expect(stopped.console).toBeNull(); // the stopped query never ran
    expect(await stopped.apply({ op: 'sql', sql: 'SELECT 7 AS later' })).toBeNull();
    expect(stopped.console).toMatchObject({ error: '', columns: ['later'], total: 1 });

    // the database never comes: what waited, and what comes after, fails with the reason (nothing waits for ever)
    const none = new AnalysisStore();
    const query = none.apply({ op: 'sql', sql: 'SELECT 1' });
    const metric = none.apply({ op: 'setMetric', metric: 'gap' });
    none.unavailable(new Error('DuckDB-Wasm did not start: no memory'));
    expect(await query).toMatch(/no memory/);
    expect(none.console!.error).toMatch(/no memory/);
    expect(await metric).toMatch(/no memory/);
    expect(none.error).toMatch(/no memory/);
    expect(await none.apply({ op: 'sql', sql: 'SELECT 2' })).toMatch(/no memory/);
    expect(none.dbStarting).toBe(false);
  });

  it('runs on its own connection: Stop interrupts a runaway query, and the analyses are not held up meanwhile', async () => {
    const { configure } = await import('mobx');
    configure({ enforceActions: 'always' });
    const { AnalysisStore } = await import('../../renderer/src/stores/analysis-store.ts');
    const d = await setUp(true);
    d.conn.query('CREATE TABLE vacant_lots (lot_id VARCHAR, name VARCHAR, lon DOUBLE, lat DOUBLE, area_m2 DOUBLE, max_spaces INTEGER, ring DOUBLE[])');
    const st = new AnalysisStore();
    await st.attach(plannerDeps(d));
    const slow = st.apply({ op: 'sql', sql: 'SELECT count(*) FROM range(1000000000) a, range(1000000000) b' });
    await expect.poll(() => st.consoleRunning, { timeout: 10_000 }).toBe(true);
    expect(await st.apply({ op: 'setMetric', metric: 'gap' })).toBeNull();
    expect(st.metric).toBe('gap');
    expect(st.consoleRunning).toBe(true);
    expect(await st.apply({ op: 'stopSql' })).toBeNull();
    expect(await slow).toBeNull();
    expect(st.consoleRunning).toBe(false);
    expect((st.console!.failure as LocalizedError).key).toBe('console.stopped');
    expect(await st.apply({ op: 'sql', sql: ISSUE })).toBeNull();
    expect(errorText(st.console!.failure, 'en')).toMatch(/read-only/);
    expect(d.rows("SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'pwn'")).toEqual([{ n: 0 }]);
    expect(await st.apply({ op: 'sql', sql: 'SELECT a, lon, lat FROM t ORDER BY a' })).toBeNull();
    expect(st.console).toMatchObject({ error: '', total: 2, columns: ['a', 'lon', 'lat'] });
    expect(st.console!.points).toHaveLength(2);
  });
});
