import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  CATALOGS,
  LOCALES,
  STRINGS,
  fmtDateTime,
  fmtDuration,
  fmtNumber,
  fmtPercent,
  fmtHourMinute,
  fmtTime,
  formatMessage,
  placeholders,
  t,
} from '../../renderer/src/i18n.ts';

const ROOT = join(import.meta.dirname, '../../renderer/src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(f) ? [p] : [];
  });
}

describe('i18n', () => {
  it('every key exists, non-empty, in every locale, with the same placeholders', () => {
    const keys = new Set(LOCALES.flatMap((l) => Object.keys(STRINGS[l])));
    expect(keys.size).toBeGreaterThan(100);
    for (const k of keys) {
      for (const l of LOCALES) expect((STRINGS[l] as Record<string, string>)[k], `${l}.${k}`).toBeTruthy();
      expect(placeholders(STRINGS.en[k as keyof typeof STRINGS.en] ?? ''), `placeholders of ${k}`).toEqual(
        placeholders(STRINGS['zh-CN'][k as keyof typeof STRINGS.en] ?? ''),
      );
    }
  });

  it('no key is defined in two catalogs', () => {
    const seen = new Map<string, string>();
    for (const [area, c] of Object.entries(CATALOGS)) {
      for (const k of Object.keys(c['zh-CN'])) {
        expect(seen.get(k), `${k} in ${area} and ${seen.get(k)}`).toBeUndefined();
        seen.set(k, area);
      }
    }
  });

  it('zh-CN strings are Chinese (or Chinese punctuation only) and English strings are not', () => {
    const cjk = /[\u4e00-\u9fff]/;
    let chinese = 0;
    for (const [k, v] of Object.entries(STRINGS['zh-CN']))
      if (cjk.test(v)) chinese++;
      else
        expect(/^[\s\dA-Za-z{}#,.:;/()%°·×+\-–—_|'"<>=?!…→↔⚠✓✕▲▼■●○（）：，]*$/.test(v) || /^[A-Z0-9]/.test(v), `zh-CN.${k} = ${v} looks untranslated`).toBe(
          true,
        );
    expect(chinese / Object.keys(STRINGS['zh-CN']).length).toBeGreaterThan(0.9);
    for (const [k, v] of Object.entries(STRINGS.en)) expect(cjk.test(v), `en.${k} = ${v}`).toBe(false);
  });

  it('no user-visible Chinese literal outside the catalogs (every string goes through t())', () => {
    const offenders: string[] = [];
    for (const f of sources(ROOT)) {
      const rel = relative(ROOT, f).replace(/\\/g, '/');
      if (rel === 'i18n.ts' || rel.startsWith('i18n/')) continue;
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line
            .replace(/\/\/.*$/, '')
            .replace(/^\s*\*.*$/, '')
            .replace(/\/\*.*?\*\//g, '');
          if (/[\u4e00-\u9fff]/.test(code) && !/i18n-exempt/.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim().slice(0, 100)}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('formats messages: placeholders, plurals, locale numbers', () => {
    expect(formatMessage('{n, plural, one {# tile} other {# tiles}}', { n: 1 }, 'en')).toBe('1 tile');
    expect(formatMessage('{n, plural, one {# tile} other {# tiles}}', { n: 12345 }, 'en')).toBe('12,345 tiles');
    expect(formatMessage('{n} 张瓦片，来自 {name}', { n: 3, name: 'a' }, 'zh-CN')).toBe('3 张瓦片，来自 a');
    expect(formatMessage('{missing}', {}, 'en')).toBe('{missing}');
    expect(placeholders('{a} and {n, plural, one {#} other {#}}')).toEqual(['a', 'n']);
    expect(fmtNumber(1234567.891, 1, 'en')).toBe('1,234,567.9');
    expect(fmtPercent(0.4231, 1, 'en')).toBe('42.3%');
    expect(fmtDuration(200, 'zh-CN')).toBe('3 分 20 秒');
    expect(fmtDuration(200, 'en')).toBe('3 min 20 s');
    expect(t('alarms', undefined, 'en')).toBe('Live alarms');
  });

  it('times are 24 h in both languages, from cached formatters, and the hour after midnight is 00 (not "24")', () => {
    const afterMidnight = new Date(2026, 11, 7, 0, 5, 9).getTime();
    const afternoon = new Date(2026, 11, 7, 14, 3, 7).getTime();
    for (const l of ['zh-CN', 'en'] as const) {
      expect(fmtTime(afterMidnight, l)).toBe('00:05:09');
      expect(fmtTime(afternoon, l)).toBe('14:03:07');
      expect(fmtDateTime(afterMidnight, l)).toContain('00:05');
      // a second call (the cached formatter) says the same
      expect(fmtTime(afternoon, l)).toBe('14:03:07');
    }
    expect(fmtDateTime(afternoon, 'zh-CN')).toBe('2026年12月7日 14:03');
    expect(fmtDateTime(afternoon, 'en')).toBe('Dec 7, 2026, 14:03');
    expect(fmtNumber(2.5, 1, 'zh-CN')).toBe('2.5');
    expect(fmtNumber(2.5, 0, 'en')).toBe('3');
  });

  it('hours and minutes (the wall chart axes) are 24 h in English too', () => {
    const afterMidnight = new Date(2026, 11, 7, 0, 5, 9).getTime();
    expect(fmtHourMinute(afterMidnight, 'en')).toBe('00:05');
    expect(fmtHourMinute(afterMidnight, 'zh-CN')).toBe('00:05');
    expect(fmtHourMinute(new Date(2026, 11, 7, 23, 59).getTime(), 'en')).toBe('23:59');
  });

  it('a change of the system time zone reaches the cached time formatters within a minute', () => {
    const tz = process.env['TZ'];
    vi.useFakeTimers();
    try {
      const noonUtc = Date.UTC(2001, 5, 1, 12, 0); // far from the real clock: the first call looks at the zone
      vi.setSystemTime(noonUtc);
      process.env['TZ'] = 'Asia/Shanghai';
      vi.advanceTimersByTime(61_000);
      expect(fmtHourMinute(noonUtc, 'en')).toBe('20:00');
      process.env['TZ'] = 'UTC';
      // within the minute the formatter made in Beijing time is still used (no zone lookup on every call)
      expect(fmtHourMinute(noonUtc, 'en')).toBe('20:00');
      vi.advanceTimersByTime(61_000);
      expect(fmtHourMinute(noonUtc, 'en')).toBe('12:00');
      expect(fmtTime(noonUtc, 'zh-CN')).toBe('12:00:00');
    } finally {
      vi.useRealTimers();
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
    }
  });
});
