/**
 * The analysts' SQL console over the local tables: read-only by construction (one statement, a query verb, no
 * statement that writes, attaches or loads), results shown as a table and — when they carry lon/lat — on the map.
 */

export interface ConsoleResult {
  sql: string;
  columns: string[];
  /** first 500 rows */
  rows: Array<Record<string, unknown>>;
  total: number;
  ms: number;
  error: string;
  points: Array<{ lon: number; lat: number; value: number | null; label: string }>;
}

const QUERY_VERBS = ['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'DESCRIBE', 'SHOW', 'SUMMARIZE', 'EXPLAIN'];
const WRITE_WORDS = /\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|ATTACH|DETACH|COPY|EXPORT|IMPORT|INSTALL|LOAD|SET|RESET|CALL|CHECKPOINT|VACUUM|TRUNCATE|PRAGMA|USE|BEGIN|COMMIT|ROLLBACK|MERGE)\b/i;

/** SQL with comments, string literals and quoted identifiers blanked out (positions kept). */
export function stripSql(sql: string): string {
  return sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, (m) => ' '.repeat(m.length));
}

/** null if the text may run in the console, else why not (shown to the analyst). */
export function checkConsoleSql(sql: string): string | null {
  const code = stripSql(sql).trim();
  if (!code) return 'Empty query. 请输入查询语句。';
  const body = code.replace(/;\s*$/, '');
  if (body.includes(';')) return 'One statement at a time: the console runs a single read-only query. 每次只能执行一条只读查询。';
  const verb = /^[A-Za-z]+/.exec(body)?.[0]?.toUpperCase() ?? '';
  if (!QUERY_VERBS.includes(verb)) return `The console is read-only: a query must start with ${QUERY_VERBS.join(', ')} (got "${verb || body.slice(0, 12)}"). 控制台只读。`;
  const w = WRITE_WORDS.exec(body);
  if (w) return `The console is read-only: "${w[1]!.toUpperCase()}" is not allowed. 控制台只读，不允许 ${w[1]!.toUpperCase()}。`;
  return null;
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
