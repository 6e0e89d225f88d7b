/**
 * The analysts' SQL console over the local tables: read-only by construction (one statement, a query verb, no
 * statement that writes, attaches or loads), results shown as a table and — when they carry lon/lat — on the map.
 */
import { locale, t, type Locale } from '../i18n.ts';

export interface ConsoleResult {
  sql: string;
  columns: string[];
  /** first 500 rows */
  rows: Array<Record<string, unknown>>;
  total: number;
  /** more than CONSOLE_MAX_ROWS rows: the rest were not fetched */
  truncated: boolean;
  ms: number;
  error: string;
  points: Array<{ lon: number; lat: number; value: number | null; label: string }>;
}

const QUERY_VERBS = ['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'DESCRIBE', 'SHOW', 'SUMMARIZE', 'PIVOT', 'UNPIVOT'];
/** rows fetched at most (the query is wrapped in a LIMIT: a runaway cross join cannot exhaust the renderer) */
export const CONSOLE_MAX_ROWS = 100_000;
const WRITE_WORDS = /\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|ATTACH|DETACH|COPY|EXPORT|IMPORT|INSTALL|LOAD|SET|RESET|CALL|CHECKPOINT|VACUUM|TRUNCATE|PRAGMA|USE|BEGIN|COMMIT|ROLLBACK|MERGE)\b/i;

/**
 * SQL with comments blanked and string literals / quoted identifiers reduced to their quotes (positions kept). Only
 * standard SQL quoting is understood; the forms DuckDB adds (E'…' with backslash escapes, $$…$$ dollar quoting) are
 * refused by checkConsoleSql rather than parsed, so nothing can hide code from the check.
 */
export function stripSql(sql: string): string {
  return sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, (m) =>
    m[0] === "'" || m[0] === '"' ? m[0] + ' '.repeat(m.length - 2) + m[0] : ' '.repeat(m.length),
  );
}

/** null if the text may run in the console, else why not (shown to the analyst, in the current or given locale). */
export function checkConsoleSql(sql: string, l: Locale = locale()): string | null {
  const code = stripSql(sql).trim();
  if (!code) return t('console.err.empty', undefined, l);
  if (code.includes('$')) return t('console.err.dollar', undefined, l);
  if (/(^|[^A-Za-z0-9_])[eE]'/.test(code)) return t('console.err.escape', undefined, l);
  const body = code.replace(/;\s*$/, '');
  if (body.includes(';')) return t('console.err.oneStatement', undefined, l);
  const verb = /^[A-Za-z]+/.exec(body)?.[0]?.toUpperCase() ?? '';
  if (!QUERY_VERBS.includes(verb)) return t('console.err.verb', { verbs: QUERY_VERBS.join(', '), got: verb || body.slice(0, 12) }, l);
  const w = WRITE_WORDS.exec(body);
  if (w) return t('console.err.write', { word: w[1]!.toUpperCase() }, l);
  return null;
}

/**
 * The query as the console runs it: the trailing semicolon removed and wrapped as a subquery with a row limit. The
 * wrapping is a second, grammatical guard: DuckDB accepts only a query inside FROM ( … ), never a second statement or
 * a statement that writes. Call after checkConsoleSql passed.
 */
export function wrapConsoleSql(sql: string): string {
  const code = stripSql(sql);
  const semi = code.replace(/\s+$/, '').endsWith(';') ? code.replace(/\s+$/, '').length - 1 : -1;
  const body = semi >= 0 ? sql.slice(0, semi) + sql.slice(semi + 1) : sql;
  // newline first: a trailing "-- comment" must not swallow the closing parenthesis
  return `SELECT * FROM (\n${body}\n) AS console_query LIMIT ${CONSOLE_MAX_ROWS + 1}`;
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
