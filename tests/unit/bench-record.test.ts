/** Benchmarks that cannot go stale (issue 24.4): history, latest-figures table, comparison with the last run. */
import { describe, expect, it } from 'vitest';
import {
  compareWithLast,
  headline,
  latestByRow,
  latestTable,
  parseHistory,
  SECTION_END,
  SECTION_START,
  spliceSection,
  type BenchEnv,
  type BenchRow,
} from '../../bench/record.ts';

const env = (date: string, commit: string, quick = false): BenchEnv => ({ date, commit, cpus: 2, cpuModel: 'x', memGb: 24, gl: 'llvmpipe', quick, flags: [] });
const row = (metric: string, value: string, raw: Record<string, number>, variant = 'web shell'): BenchRow => ({
  metric,
  variant,
  value,
  target: '<= 5 s',
  raw,
});

describe('bench history', () => {
  it('compares the headline figure with the last recorded one and flags twice as slow', () => {
    const last = { row: row('cold start', '9.00 s', { medianMs: 9000, runs: 3 }), env: env('2026-11-23T10:00:00Z', 'abc1234') };
    const slow = compareWithLast(row('cold start', '20.70 s', { medianMs: 20700, runs: 3 }), last);
    expect(slow.twiceAsSlow).toBe(true);
    expect(slow.text).toContain('last: 9.00 s (2026-11-23 abc1234)');
    expect(slow.text).toContain('x2.30');
    expect(slow.text).toContain('TWICE AS SLOW');
    const same = compareWithLast(row('cold start', '9.50 s', { medianMs: 9500, runs: 3 }), last);
    expect(same.twiceAsSlow).toBe(false);
    expect(same.text).not.toContain('slower');
    expect(compareWithLast(row('cold start', '4 s', { medianMs: 4000 }), last).text).toContain('(faster)');
    expect(compareWithLast(row('cold start', '1 s', { medianMs: 1000 }), undefined)).toEqual({ text: 'no earlier record', twiceAsSlow: false });
  });

  it('rates are better higher: half the events per second is twice as slow', () => {
    expect(headline(row('feed', '5,000 ev/s', { evPerS: 5000 }))?.lowerIsBetter).toBe(false);
    expect(headline(row('flood', 'p95', { p95: 10 }))?.lowerIsBetter).toBe(true);
    const last = { row: row('feed', '5,000 ev/s', { evPerS: 5000 }), env: env('2026-12-01T00:00:00Z', 'a') };
    expect(compareWithLast(row('feed', '2,400 ev/s', { evPerS: 2400 }), last).twiceAsSlow).toBe(true);
    expect(compareWithLast(row('feed', '9,000 ev/s', { evPerS: 9000 }), last).twiceAsSlow).toBe(false);
  });

  it('a damaged history line is named and skipped; the latest figure of each row wins', () => {
    const a = JSON.stringify({
      env: env('2026-12-01T00:00:00Z', 'aaa'),
      rows: [row('cold start', '9 s', { medianMs: 9000 }), row('flood', '300 ms', { p95: 300 })],
    });
    const b = JSON.stringify({ env: env('2026-12-06T00:00:00Z', 'bbb', true), rows: [row('cold start', '18 s', { medianMs: 18000 })] });
    const { runs, errors } = parseHistory(`${a}\n{not json\n\n${JSON.stringify({ nope: 1 })}\n${b}\n`);
    expect(runs).toHaveLength(2);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^line 2: /);
    expect(errors[1]).toBe('line 4: not a bench run');
    const latest = latestByRow(runs);
    expect(latest.get('cold start | web shell')?.env.commit).toBe('bbb');
    expect(latest.get('flood | web shell')?.env.commit).toBe('aaa');
    const table = latestTable(runs);
    expect(table).toContain('| cold start | web shell | 18 s | <= 5 s | 2026-12-06 00:00 (quick) | bbb |');
    expect(table).toContain('| flood | web shell | 300 ms |');
  });

  it('regenerates only its own section of benchmarks.md (appended once when missing)', () => {
    const doc = '# Benchmarks\n\nhand-written text\n';
    const once = spliceSection(doc, '| t1 |');
    expect(once).toContain('hand-written text');
    expect(once).toContain(`${SECTION_START}\n| t1 |\n${SECTION_END}`);
    const twice = spliceSection(`${once}\nafter\n`, '| t2 |');
    expect(twice).not.toContain('| t1 |');
    expect(twice).toContain('| t2 |');
    expect(twice).toContain('after');
    expect(twice.split(SECTION_START)).toHaveLength(2);
  });

  it('a row names its headline figure (a fixed input first in raw is not compared)', () => {
    const r = (p99: number): BenchRow => ({ ...row('cluster log', `p99 ${p99} ms`, { offered: 15000, p99Ms: p99 }), headline: 'p99Ms' });
    const last = { row: r(100), env: env('2026-12-01T00:00:00Z', 'a') };
    expect(headline(r(250))).toEqual({ name: 'p99Ms', value: 250, lowerIsBetter: true });
    expect(compareWithLast(r(250), last).twiceAsSlow).toBe(true);
    // without it, the first figure (the offered rate, always the same) would hide the slowdown
    expect(compareWithLast({ ...r(250), headline: undefined }, { ...last, row: { ...r(100), headline: undefined } }).twiceAsSlow).toBe(false);
  });

  it("a damaged row is dropped and named; the run's other rows are kept", () => {
    const line = JSON.stringify({
      env: env('2026-12-01T00:00:00Z', 'aaa'),
      rows: [row('ok', '1 s', { ms: 1 }), { metric: 'no raw', variant: 'v', value: 'x' }, null],
    });
    const { runs, errors } = parseHistory(line);
    expect(runs[0]!.rows.map((x) => x.metric)).toEqual(['ok']);
    expect(errors).toEqual(['line 1: 2 damaged row(s) skipped']);
    expect(parseHistory(JSON.stringify({ env: { commit: 'x' }, rows: [] })).errors).toEqual(['line 1: not a bench run']);
  });

  it('pipes in a figure do not break the table', () => {
    expect(latestTable([{ env: env('2026-12-06T00:00:00Z', 'c'), rows: [row('a|b', 'x', { ms: 1 })] }])).toContain('a\\|b');
  });
});
