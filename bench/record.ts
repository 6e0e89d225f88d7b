/**
 * Benchmarks that cannot go stale (issue 24.4): every recorded `npm run bench` run is appended to
 * docs/bench-history.jsonl (date, machine, commit, flags, rows), docs/benchmarks.md's "Latest figures" table is
 * regenerated from that history (each row's most recent figure with when and at which commit it was measured), and
 * every run — CI's smoke run included — prints each row beside its last recorded figure, flagging a row that got twice
 * as slow. Pure functions; bench/run.ts does the file I/O.
 */

export interface BenchRow {
  metric: string;
  variant: string;
  value: string;
  target: string;
  /** numbers behind `value` */
  raw: Record<string, number>;
  /** which of `raw` is the row's headline figure, compared between runs (default: the first) */
  headline?: string;
}

export interface BenchEnv {
  date: string;
  commit: string;
  cpus: number;
  cpuModel: string;
  memGb: number;
  gl: string;
  quick: boolean;
  /** the flags the run was started with (a partial run records only its own rows) */
  flags: string[];
}

export interface BenchRun {
  env: BenchEnv;
  rows: BenchRow[];
}

export const rowKey = (r: Pick<BenchRow, 'metric' | 'variant'>): string => `${r.metric.trim()} | ${r.variant.trim()}`;

/** The headline figure of a row and whether lower is better (times are; rates and counts are not). */
export function headline(row: BenchRow): { name: string; value: number; lowerIsBetter: boolean } | null {
  const chosen = row.headline !== undefined ? row.raw[row.headline] : undefined;
  const entry: [string, number] | undefined =
    typeof chosen === 'number' && Number.isFinite(chosen)
      ? [row.headline!, chosen]
      : Object.entries(row.raw).find((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
  if (!entry) return null;
  const [name, value] = entry;
  const lowerIsBetter = /ms$|^p\d\d$|Ms$|bytes|mib|mb$/i.test(name);
  return { name, value, lowerIsBetter };
}

/** Parses the history file (one run per line); a damaged line is reported and skipped, never fatal. */
export function parseHistory(text: string): { runs: BenchRun[]; errors: string[] } {
  const runs: BenchRun[] = [];
  const errors: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const r = JSON.parse(line) as BenchRun;
      if (!r || typeof r !== 'object' || !r.env || typeof r.env.date !== 'string' || typeof r.env.commit !== 'string' || !Array.isArray(r.rows))
        throw new Error('not a bench run');
      // a damaged row is dropped, the run's other rows kept
      const rows = r.rows.filter(
        (x) => x && typeof x.metric === 'string' && typeof x.variant === 'string' && typeof x.value === 'string' && x.raw && typeof x.raw === 'object',
      );
      if (rows.length < r.rows.length) errors.push(`line ${i + 1}: ${r.rows.length - rows.length} damaged row(s) skipped`);
      runs.push({ env: r.env, rows: rows.map((x) => ({ ...x, target: typeof x.target === 'string' ? x.target : '' })) });
    } catch (e) {
      errors.push(`line ${i + 1}: ${(e as Error).message}`);
    }
  });
  return { runs, errors };
}

/** Each row's most recent recorded figure, with the run it came from (in first-recorded order of the rows). */
export function latestByRow(runs: readonly BenchRun[]): Map<string, { row: BenchRow; env: BenchEnv }> {
  const out = new Map<string, { row: BenchRow; env: BenchEnv }>();
  for (const run of runs) for (const row of run.rows) out.set(rowKey(row), { row, env: run.env });
  return out;
}

/** How a row compares with its last recorded figure: "" without one, else "last X (date, commit)" and a flag. */
export function compareWithLast(row: BenchRow, last: { row: BenchRow; env: BenchEnv } | undefined): { text: string; twiceAsSlow: boolean } {
  if (!last) return { text: 'no earlier record', twiceAsSlow: false };
  const now = headline(row);
  const then = headline(last.row);
  const when = `${last.env.date.slice(0, 10)} ${last.env.commit}`;
  if (!now || !then || now.name !== then.name || then.value === 0) return { text: `last: ${last.row.value} (${when})`, twiceAsSlow: false };
  const ratio = now.value / then.value;
  const worse = now.lowerIsBetter ? ratio : 1 / ratio;
  const twiceAsSlow = worse >= 2;
  const flag = twiceAsSlow ? ' << TWICE AS SLOW' : worse >= 1.25 ? ' (slower)' : worse <= 0.8 ? ' (faster)' : '';
  return { text: `last: ${last.row.value} (${when}), x${ratio.toFixed(2)}${flag}`, twiceAsSlow };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The "Latest figures" markdown table: every row's most recent figure, when, at which commit, on what machine. */
export function latestTable(runs: readonly BenchRun[]): string {
  const latest = latestByRow(runs);
  const lines = ['| metric | variant | latest figure | target (real GPU) | measured | commit | machine |', '|---|---|---|---|---|---|---|'];
  for (const { row, env } of latest.values())
    lines.push(
      `| ${cell(row.metric.trim())} | ${cell(row.variant)} | ${cell(row.value)} | ${cell(row.target)} | ${env.date.slice(0, 16).replace('T', ' ')}${env.quick ? ' (quick)' : ''} | ${cell(env.commit)} | ${cell(`${env.cpus} cores, ${env.gl}`)} |`,
    );
  return lines.join('\n');
}

export const SECTION_START = '<!-- bench:latest:start (written by npm run bench from docs/bench-history.jsonl; do not edit by hand) -->';
export const SECTION_END = '<!-- bench:latest:end -->';

/** Replaces the generated section of benchmarks.md (or appends it at the end when the markers are missing). */
export function spliceSection(md: string, table: string): string {
  const body = `${SECTION_START}\n${table}\n${SECTION_END}`;
  const a = md.indexOf(SECTION_START);
  const b = md.indexOf(SECTION_END);
  if (a >= 0 && b > a) return md.slice(0, a) + body + md.slice(b + SECTION_END.length);
  return `${md.trimEnd()}\n\n## Latest figures\n\n${body}\n`;
}
