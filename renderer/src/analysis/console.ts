/**
 * The analysts' SQL console over the local tables. DuckDB itself decides what may run — no regular expression over the
 * analyst's text (a text scanner that disagrees with DuckDB's lexer by one rule, e.g. nested block comments, lets a
 * second statement through):
 *   1. the text is wrapped as `SELECT * FROM (\n<text>\n) AS console_query LIMIT n` and DuckDB *prepares* it: a
 *      prepared statement is exactly one statement (DuckDB refuses "multiple statements at once"), and one statement
 *      that starts with our SELECT is a query — whatever comments, quotes or semicolons the text holds;
 *   2. DuckDB plans it (EXPLAIN, FORMAT json, also prepared): every table function in the plan must be a read-only one
 *      (CONSOLE_TABLE_FUNCTIONS) and no expression may call a function that changes state (nextval, setseed) — a
 *      query can otherwise call enable_logging(), checkpoint(), arrow_scan(pointer), …;
 *   3. it runs on the console's own connection as a pending query (polled by DuckDB-Wasm, so cancelSent() really
 *      interrupts it), bounded in rows (LIMIT) and time (cancelled after CONSOLE_TIMEOUT_MS), with a Stop button.
 * Under all three, LocalDb locks the database down (no file or network access but the app's in-memory files, no
 * extension loading, configuration locked): see renderer/src/data/db-lockdown.ts.
 */
import { Table, type RecordBatch, type Schema } from 'apache-arrow';
import { LocalizedError } from '../i18n.ts';

export interface ConsoleResult {
  sql: string;
  columns: string[];
  /** first 500 rows */
  rows: Array<Record<string, unknown>>;
  total: number;
  /** more than CONSOLE_MAX_ROWS rows: the rest were not fetched */
  truncated: boolean;
  ms: number;
  /** why it did not run or failed ('' when it ran): DuckDB's own message, or the console's (shown via `failure`) */
  error: string;
  /** the error itself (a LocalizedError is shown in the language of the moment), null when it ran */
  failure?: unknown;
  points: Array<{ lon: number; lat: number; value: number | null; label: string }>;
}

/** rows fetched at most (the query is wrapped in a LIMIT: a runaway cross join cannot exhaust the renderer) */
export const CONSOLE_MAX_ROWS = 100_000;
/** a console query is cancelled after this long (the Stop button cancels sooner) */
export const CONSOLE_TIMEOUT_MS = 30_000;

/**
 * Table functions a console query may use (upper case, as DuckDB's plan names them): generators and the catalog's
 * read-only views. Everything else — file readers (read_csv, read_text, glob, sniff_csv …), arrow_scan (reads memory
 * at a pointer), checkpoint, enable_logging / disable_logging / truncate_duckdb_logs, and any function an extension
 * might add — is refused. Table scans of the local tables are not functions and always pass.
 */
export const CONSOLE_TABLE_FUNCTIONS = new Set([
  'RANGE',
  'GENERATE_SERIES',
  'UNNEST',
  'REPEAT',
  'REPEAT_ROW',
  'SUMMARY',
  'TEST_ALL_TYPES',
  'TEST_VECTOR_TYPES',
]);
/** catalog functions (duckdb_tables(), pragma_table_info('t'), …) read the catalog only */
const CATALOG_FUNCTION = /^(DUCKDB_[A-Z_]+|PRAGMA_(TABLE_INFO|SHOW|VERSION|PLATFORM|DATABASE_SIZE|STORAGE_INFO|METADATA_INFO|COLLATIONS|USER_AGENT))$/;
/** scalar functions that change state (a sequence's value, the session's random seed) */
const STATEFUL_SCALAR = /\b(nextval|setseed)\s*\(/i;

/** The connection the console runs on: DuckDB-Wasm's AsyncDuckDBConnection has exactly these methods. */
export interface ConsoleConnection {
  prepare(sql: string): Promise<{ query(): unknown; close(): unknown }>;
  /** runs one statement as a pending query (cancellable), result batches */
  send(sql: string): Promise<(AsyncIterable<RecordBatch> | Iterable<RecordBatch>) & { schema: Schema | undefined; open?(): unknown }>;
  cancelSent(): Promise<boolean> | boolean;
}

/**
 * The query as the console runs it: a trailing semicolon removed and wrapped as a subquery with a row limit. Only a
 * convenience: whatever this does, DuckDB's parser decides (runConsoleQuery prepares the wrapped text).
 */
export function wrapConsoleSql(sql: string): string {
  const body = sql.replace(/;\s*$/, '');
  // newline first: a trailing "-- comment" must not swallow the closing parenthesis
  return `SELECT * FROM (\n${body}\n) AS console_query LIMIT ${CONSOLE_MAX_ROWS + 1}`;
}

interface PlanNode {
  name?: string;
  children?: PlanNode[];
  extra_info?: Record<string, unknown>;
}

/** Table function names and every rendered expression in a physical plan (EXPLAIN (FORMAT json)). */
export function planFunctions(plan: PlanNode[]): { tableFunctions: string[]; texts: string[] } {
  const tableFunctions: string[] = [];
  const texts: string[] = [];
  const strings = (v: unknown): void => {
    if (typeof v === 'string') texts.push(v);
    else if (Array.isArray(v)) v.forEach(strings);
    else if (v && typeof v === 'object') Object.values(v).forEach(strings);
  };
  const walk = (n: PlanNode): void => {
    const f = n.extra_info?.['Function'];
    if (typeof f === 'string') tableFunctions.push(f.trim().toUpperCase());
    strings(n.extra_info);
    n.children?.forEach(walk);
  };
  plan.forEach(walk);
  return { tableFunctions, texts };
}

const isRows = (v: unknown): v is { toArray(): Array<{ toJSON(): Record<string, unknown> }> } =>
  !!v && typeof (v as { toArray?: unknown }).toArray === 'function';

/**
 * DuckDB's verdict on a console text: resolves with the wrapped SQL to run, or rejects — with DuckDB's own error
 * (syntax, unknown table …), or a LocalizedError when the text is more than one statement or uses a function that is
 * not read-only.
 */
export async function checkConsoleQuery(conn: ConsoleConnection, sql: string): Promise<string> {
  if (!sql.trim()) throw new LocalizedError('console.err.empty');
  const wrapped = wrapConsoleSql(sql);
  const prepare = async (text: string) => {
    try {
      return await conn.prepare(text);
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      if (/multiple statements/i.test(msg)) throw new LocalizedError('console.err.oneStatement');
      // not a query (DROP …, SET …, two statements …) cannot stand inside FROM ( … ): DuckDB's parser says so
      if (/^Parser Error/i.test(msg)) throw new LocalizedError('console.err.notQuery', { detail: msg.split('\n')[0]! });
      throw e;
    }
  };
  await (await prepare(wrapped)).close();
  const explain = await prepare(`EXPLAIN (FORMAT json) ${wrapped}`);
  let planText = '';
  try {
    const t = await explain.query();
    const rows = isRows(t) ? t.toArray().map((r) => r.toJSON()) : [];
    planText = String(rows.find((r) => r['explain_key'] === 'physical_plan')?.['explain_value'] ?? '');
  } finally {
    await explain.close();
  }
  let plan: PlanNode[];
  try {
    plan = JSON.parse(planText) as PlanNode[];
  } catch {
    throw new LocalizedError('console.err.plan');
  }
  const { tableFunctions, texts } = planFunctions(plan);
  const bad = tableFunctions.find((f) => !CONSOLE_TABLE_FUNCTIONS.has(f) && !CATALOG_FUNCTION.test(f));
  if (bad) throw new LocalizedError('console.err.function', { name: bad.toLowerCase() });
  const stateful = texts.map((s) => STATEFUL_SCALAR.exec(s)?.[1]).find(Boolean);
  if (stateful) throw new LocalizedError('console.err.function', { name: stateful.toLowerCase() });
  return wrapped;
}

/** A running console query: its result, and stop() to cancel it. */
export interface ConsoleRun {
  result: Promise<ConsoleResult>;
  stop(): void;
}

/**
 * Checks and runs a console text on its own connection: rows up to CONSOLE_MAX_ROWS (+1 to tell truncation), cancelled
 * after `timeoutMs` or on stop(). Never rejects: a refusal or error is in the result.
 */
export function runConsoleQuery(conn: ConsoleConnection, sql: string, timeoutMs = CONSOLE_TIMEOUT_MS, now: () => number = () => performance.now()): ConsoleRun {
  const t0 = now();
  let why: 'stopped' | 'timeout' | null = null;
  let sent = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = (reason: 'stopped' | 'timeout') => {
    if (why) return;
    why = reason;
    if (sent) void Promise.resolve(conn.cancelSent()).catch(() => undefined);
  };
  const fail = (e: unknown): ConsoleResult => ({
    sql,
    columns: [],
    rows: [],
    total: 0,
    truncated: false,
    ms: now() - t0,
    error: (e as Error)?.message ?? String(e),
    failure: e,
    points: [],
  });
  const result = (async (): Promise<ConsoleResult> => {
    try {
      const wrapped = await checkConsoleQuery(conn, sql);
      if (why) throw new LocalizedError(why === 'timeout' ? 'console.err.timeout' : 'console.stopped', { s: Math.round(timeoutMs / 1000) });
      timer = setTimeout(() => cancel('timeout'), timeoutMs);
      sent = true;
      const reader = await conn.send(wrapped);
      // the schema: an async Arrow reader has it only once opened, and resets it (to undefined) once read to the end
      await reader.open?.();
      const opened = reader.schema;
      const batches: RecordBatch[] = [];
      for await (const b of reader) batches.push(b);
      const schema = opened ?? batches[0]?.schema;
      if (!schema) throw new LocalizedError('console.err.plan');
      if (why) throw new LocalizedError(why === 'timeout' ? 'console.err.timeout' : 'console.stopped', { s: Math.round(timeoutMs / 1000) });
      const table = new Table(schema, batches);
      const columns = schema.fields.map((f) => f.name);
      const rows = table.toArray().map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
      const truncated = rows.length > CONSOLE_MAX_ROWS;
      if (truncated) rows.length = CONSOLE_MAX_ROWS;
      return {
        sql,
        columns,
        rows: rows.slice(0, 500),
        total: rows.length,
        truncated,
        ms: now() - t0,
        error: '',
        failure: null,
        points: consoleMapPoints(rows),
      };
    } catch (e) {
      if (why && !(e instanceof LocalizedError))
        return fail(new LocalizedError(why === 'timeout' ? 'console.err.timeout' : 'console.stopped', { s: Math.round(timeoutMs / 1000) }));
      return fail(e);
    } finally {
      clearTimeout(timer);
    }
  })();
  return { result, stop: () => cancel('stopped') };
}

const asNum = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);

/** Rows with numeric lon/lat (or longitude/latitude) become map points; the first other numeric column sizes them. */
export function consoleMapPoints(rows: Array<Record<string, unknown>>): ConsoleResult['points'] {
  const first = rows[0];
  if (!first) return [];
  const keys = Object.keys(first);
  const lonK = keys.find((k) => /^(lon|lng|longitude|x_lon)$/i.test(k));
  const latK = keys.find((k) => /^(lat|latitude|y_lat)$/i.test(k));
  if (!lonK || !latK) return [];
  const valueK = keys.find((k) => k !== lonK && k !== latK && asNum(first[k]) !== null);
  const labelK = keys.find((k) => typeof first[k] === 'string');
  const out: ConsoleResult['points'] = [];
  for (const r of rows.slice(0, 100_000)) {
    const lon = asNum(r[lonK]);
    const lat = asNum(r[latK]);
    if (lon === null || lat === null || Math.abs(lon) > 180 || Math.abs(lat) > 90) continue;
    out.push({ lon, lat, value: valueK ? asNum(r[valueK]) : null, label: labelK ? String(r[labelK]) : '' });
  }
  return out;
}
