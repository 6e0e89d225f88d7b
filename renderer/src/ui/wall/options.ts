/**
 * ECharts options of the wall widgets, as pure functions of KPI data and the locale (unit-tested without a DOM).
 * Colours follow the alarm palette of the maps (priority red/orange/yellow, state colours of the alarm list) so a
 * number on the dashboard and a marker on the map mean the same thing.
 */
import type { EChartsOption } from 'echarts';
import type { AlarmCategory } from '../../../../data-pipelines/contracts/alarm.ts';
import { fmtHourMinute, fmtPercent, t, type Locale, type StringKey } from '../../i18n.ts';
import { categoryLabel, stateLabel } from '../../layers/alarms/format.ts';
import type { AlarmMatrix, ParkingPressure, ResponseRow } from '../../wall/kpi.ts';

export const WALL_TEXT = '#cfe3ff';
export const WALL_MUTED = '#6f8fb5';
export const WALL_LINE = 'rgba(64, 140, 220, 0.25)';
export const WALL_ACCENT = '#22d3ee';

/** Workflow state colours: red while nobody has it, cooling as it is handled. */
export const STATE_COLORS: Record<AlarmMatrix['states'][number], string> = {
  new: '#ef233c',
  acknowledged: '#ff7a28',
  dispatched: '#ffc83c',
  onsite: '#4cc9f0',
  resolved: '#2ec4b6',
  shelved: '#6c757d',
};

const base = (): EChartsOption => ({
  backgroundColor: 'transparent',
  textStyle: { color: WALL_TEXT, fontFamily: "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif" },
  animationDuration: 300,
  animationDurationUpdate: 300,
  tooltip: { trigger: 'axis', backgroundColor: 'rgba(6, 18, 36, 0.95)', borderColor: WALL_ACCENT, textStyle: { color: WALL_TEXT } },
});

const axisStyle = { axisLine: { lineStyle: { color: WALL_MUTED } }, axisLabel: { color: WALL_MUTED }, splitLine: { lineStyle: { color: WALL_LINE } } };

/** A centred "no data yet" note for a chart with nothing to draw (a wall must never look broken). */
function noData(empty: boolean, loc: Locale): EChartsOption {
  return {
    title: {
      show: empty,
      text: t('wall.noData', undefined, loc),
      left: 'center',
      top: 'middle',
      textStyle: { color: WALL_MUTED, fontSize: 14, fontWeight: 'normal' },
    },
  };
}

/** Open alarms: one bar per category, stacked by workflow state. */
export function alarmMatrixOption(m: AlarmMatrix, loc: Locale): EChartsOption {
  return {
    ...base(),
    ...noData(m.total === 0, loc),
    tooltip: { ...(base().tooltip as object), axisPointer: { type: 'shadow' } },
    legend: { top: 0, textStyle: { color: WALL_MUTED }, itemWidth: 12, itemHeight: 8, data: m.states.map((s) => stateLabel(s, loc)) },
    grid: { left: 8, right: 16, top: 34, bottom: 4, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, ...axisStyle },
    yAxis: { type: 'category', inverse: true, data: m.categories.map((c) => categoryLabel(c, loc)), ...axisStyle },
    series: m.states.map((s, si) => ({
      name: stateLabel(s, loc),
      type: 'bar' as const,
      stack: 'open',
      barMaxWidth: 18,
      itemStyle: { color: STATE_COLORS[s] },
      data: m.counts[si]!,
    })),
  };
}

const minutes = (s: number) => (Number.isFinite(s) ? Math.round((s / 60) * 10) / 10 : null);

/** Acknowledge p50/p90 and on-site p50 per category, in minutes (categories with no alarm left empty). */
export function responseOption(rows: readonly ResponseRow[], loc: Locale): EChartsOption {
  const cats = rows.filter((r) => r.category !== 'all');
  const names = cats.map((r) => categoryLabel(r.category as AlarmCategory, loc));
  const series = (key: StringKey, color: string, pick: (r: ResponseRow) => number) => ({
    name: t(key, undefined, loc),
    type: 'bar' as const,
    barMaxWidth: 10,
    itemStyle: { color },
    data: cats.map((r) => minutes(pick(r))),
  });
  return {
    ...base(),
    ...noData(
      cats.every((r) => !Number.isFinite(r.ackP50) && !Number.isFinite(r.onsiteP50)),
      loc,
    ),
    legend: { top: 0, textStyle: { color: WALL_MUTED }, itemWidth: 12, itemHeight: 8 },
    grid: { left: 8, right: 16, top: 34, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: names, ...axisStyle },
    yAxis: { type: 'value', ...axisStyle },
    series: [
      series('wall.series.ackP50', WALL_ACCENT, (r) => r.ackP50),
      series('wall.series.ackP90', '#ff7a28', (r) => r.ackP90),
      series('wall.series.onsiteP50', '#2ec4b6', (r) => r.onsiteP50),
    ],
  };
}

/** Alarms raised per hour, the critical ones overlaid. */
export function raisedOption(buckets: ReadonlyArray<{ hourStart: number; count: number; critical: number }>, loc: Locale): EChartsOption {
  const hours = buckets.map((b) => fmtHourMinute(b.hourStart, loc));
  return {
    ...base(),
    legend: { top: 0, textStyle: { color: WALL_MUTED }, itemWidth: 12, itemHeight: 8 },
    grid: { left: 8, right: 16, top: 34, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: hours, ...axisStyle },
    yAxis: { type: 'value', minInterval: 1, ...axisStyle },
    series: [
      {
        name: t('wall.series.raised', undefined, loc),
        type: 'bar',
        barGap: '-100%',
        barMaxWidth: 14,
        itemStyle: { color: 'rgba(34, 211, 238, 0.55)' },
        data: buckets.map((b) => b.count),
      },
      { name: t('wall.series.critical', undefined, loc), type: 'bar', barMaxWidth: 14, itemStyle: { color: '#ef233c' }, data: buckets.map((b) => b.critical) },
    ],
  };
}

/** District parking occupancy as a gauge (green < 70 % < amber < 90 % < red: the map's parking colours). */
export function parkingGaugeOption(p: ParkingPressure, loc: Locale): EChartsOption {
  const v = Number.isFinite(p.ratio) ? Math.round(p.ratio * 1000) / 10 : 0;
  return {
    ...base(),
    tooltip: { show: false },
    series: [
      {
        type: 'gauge',
        min: 0,
        max: 100,
        radius: '95%',
        center: ['50%', '58%'],
        startAngle: 210,
        endAngle: -30,
        axisLine: {
          lineStyle: {
            width: 12,
            color: [
              [0.7, '#2ec478'],
              [0.9, '#ffb703'],
              [1, '#e63946'],
            ],
          },
        },
        pointer: { width: 4, itemStyle: { color: WALL_TEXT } },
        axisTick: { show: false },
        splitLine: { length: 10, lineStyle: { color: WALL_MUTED } },
        axisLabel: { color: WALL_MUTED, distance: 16, fontSize: 10 },
        detail: {
          valueAnimation: false,
          fontSize: 22,
          color: WALL_TEXT,
          offsetCenter: [0, '42%'],
          formatter: () => (Number.isFinite(p.ratio) ? fmtPercent(p.ratio, 1, loc) : '—'),
        },
        title: { show: false },
        data: [{ value: v }],
      },
    ],
  };
}

/** A time series in a thin line (parking occupancy in %, or events per second). */
export function trendOption(
  series: ReadonlyArray<{ name: string; color: string; points: ReadonlyArray<[number, number]>; area?: boolean }>,
  opts: { percent?: boolean; loc: Locale },
): EChartsOption {
  return {
    ...base(),
    ...noData(
      series.every((s) => s.points.length === 0),
      opts.loc,
    ),
    legend: series.length > 1 ? { top: 0, textStyle: { color: WALL_MUTED }, itemWidth: 12, itemHeight: 8 } : { show: false },
    grid: { left: 8, right: 16, top: series.length > 1 ? 34 : 12, bottom: 4, containLabel: true },
    xAxis: {
      type: 'time',
      ...axisStyle,
      splitLine: { show: false },
      axisLabel: {
        color: WALL_MUTED,
        hideOverlap: true,
        formatter: (v: number) => fmtHourMinute(v, opts.loc),
      },
    },
    yAxis: { type: 'value', ...axisStyle, ...(opts.percent ? { min: 0, max: 100, axisLabel: { color: WALL_MUTED, formatter: '{value}%' } } : { min: 0 }) },
    series: series.map((s) => ({
      name: s.name,
      type: 'line' as const,
      showSymbol: false,
      smooth: false,
      lineStyle: { width: 2, color: s.color },
      itemStyle: { color: s.color },
      ...(s.area ? { areaStyle: { color: s.color, opacity: 0.15 } } : {}),
      data: s.points.map(([ts, v]) => [ts, opts.percent ? Math.round(v * 1000) / 10 : Math.round(v * 10) / 10]),
    })),
  };
}

/** The smallest wall text, in ems of the wall's base size (the DOM follows the same rule: ui/styles.css, docs/wall.md). */
export const WALL_MIN_EM = 0.85;
/** The base size the options above were drawn for (bar widths, gauge ring, legend keys scale from it). */
const DRAWN_FOR_PX = 14;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const each = (v: unknown, f: (o: Obj) => Obj): unknown => (Array.isArray(v) ? v.map((x) => (isObj(x) ? f(x) : x)) : isObj(v) ? f(v) : v);

/**
 * A chart at the wall's type scale: every text of the chart (axis labels, legend, "no data" title, tooltip, gauge
 * reading) at least WALL_MIN_EM × basePx, and what sits next to text (legend keys, the legend's rows above the plot
 * for a chart `widthPx` wide, bar and line widths, the gauge ring) grown with it, so a chart on a 4K wall reads like
 * one on a 1080p wall. Pure; the option functions above stay in pixels of a 14 px base.
 */
export function sizeWallText(option: EChartsOption, basePx: number, widthPx = 0): EChartsOption {
  const small = Math.ceil(basePx * WALL_MIN_EM);
  const k = basePx / DRAWN_FOR_PX;
  const o = option as Obj;
  const legendShown = isObj(o['legend']) && o['legend']['show'] !== false;
  const text = (v: unknown, size: number) => ({ ...(isObj(v) ? v : {}), fontSize: size });
  const keyW = Math.round(small * 0.9);
  const gap = Math.round(small * 0.6);
  const legendRows = legendShown && widthPx > 0 ? countLegendRows(legendNames(o), small, keyW, gap, widthPx) : 0;
  const out: Obj = {
    ...o,
    textStyle: text(o['textStyle'], small),
    tooltip: each(o['tooltip'] ?? {}, (t) => ({ ...t, textStyle: text(t['textStyle'], small) })),
    xAxis: each(o['xAxis'], (a) => ({ ...a, axisLabel: text(a['axisLabel'], small), nameTextStyle: text(a['nameTextStyle'], small) })),
    yAxis: each(o['yAxis'], (a) => ({ ...a, axisLabel: text(a['axisLabel'], small), nameTextStyle: text(a['nameTextStyle'], small) })),
    title: each(o['title'], (t) => ({
      ...t,
      textStyle: text(t['textStyle'], Math.max(small, Math.round(basePx))),
      subtextStyle: text(t['subtextStyle'], small),
    })),
    // ECharts does not move the plot for a legend that wraps: the rows it will take are counted here and the plot
    // starts below them (a legend that ran into the bars); without a known width the legend pages on one row
    legend: each(o['legend'], (l) => ({
      ...l,
      // the type always said: ECharts keeps a legend's old type when a new option names none
      ...(legendRows > 0 ? { type: 'plain' } : { type: 'scroll', pageTextStyle: text(l['pageTextStyle'], small), pageIconSize: Math.round(small * 0.7) }),
      textStyle: text(l['textStyle'], small),
      itemWidth: keyW,
      itemHeight: Math.round(small * 0.6),
      itemGap: gap,
    })),
    grid: each(o['grid'], (g) => ({
      ...g,
      top: Math.round(legendShown ? small * (0.4 + 1.9 * Math.max(1, legendRows)) : small * 0.9),
      right: Math.round(small * 1.2),
    })),
    series: each(o['series'], (s) => {
      const scaled: Obj = { ...s };
      if (typeof s['barMaxWidth'] === 'number') scaled['barMaxWidth'] = Math.round(s['barMaxWidth'] * k);
      if (isObj(s['lineStyle']) && typeof s['lineStyle']['width'] === 'number')
        scaled['lineStyle'] = { ...s['lineStyle'], width: Math.max(2, Math.round((s['lineStyle']['width'] as number) * k)) };
      if (s['type'] === 'gauge') {
        const line = isObj(s['axisLine']) && isObj(s['axisLine']['lineStyle']) ? s['axisLine'] : { lineStyle: {} };
        scaled['axisLine'] = { ...line, lineStyle: { ...(line['lineStyle'] as Obj), width: Math.round(12 * k) } };
        scaled['axisLabel'] = { ...(isObj(s['axisLabel']) ? s['axisLabel'] : {}), fontSize: small, distance: Math.round(small * 1.6) };
        scaled['splitLine'] = { ...(isObj(s['splitLine']) ? s['splitLine'] : {}), length: Math.round(10 * k) };
        scaled['pointer'] = { ...(isObj(s['pointer']) ? s['pointer'] : {}), width: Math.max(4, Math.round(4 * k)) };
        // the reading sits in the open bottom of the arc, clear of the needle
        scaled['detail'] = { ...(isObj(s['detail']) ? s['detail'] : {}), fontSize: Math.round(basePx * 1.3), offsetCenter: [0, '72%'] };
      }
      return scaled;
    }),
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as EChartsOption;
}

/** The names a legend shows: its data, else its series' names. */
function legendNames(o: Obj): string[] {
  const l = Array.isArray(o['legend']) ? (o['legend'][0] as unknown) : o['legend'];
  const data = isObj(l) && Array.isArray(l['data']) ? l['data'] : null;
  if (data) return data.map((d) => (isObj(d) ? String(d['name'] ?? '') : String(d)));
  return (Array.isArray(o['series']) ? o['series'] : [o['series']]).filter(isObj).map((x) => String(x['name'] ?? ''));
}

/**
 * How many rows a centred ECharts legend takes in a chart `widthPx` wide: items packed greedily, a wide (CJK) glyph
 * counted 1 em and any other 0.62 em (generous: a row too many leaves a little space, a row too few overlaps the plot).
 */
export function countLegendRows(names: readonly string[], fontPx: number, keyW: number, gap: number, widthPx: number): number {
  const avail = widthPx - 10; // ECharts' legend padding, 5 px a side
  let rows = names.length ? 1 : 0;
  let x = 0;
  for (const n of names) {
    let tw = 0;
    for (const ch of n) tw += /[\u2e80-\uffff]/.test(ch) ? fontPx : fontPx * 0.62;
    const w = keyW + 5 + tw;
    if (x > 0 && x + gap + w > avail) {
      rows++;
      x = w;
    } else x += (x > 0 ? gap : 0) + w;
  }
  return rows;
}

/** Every font size a chart's (merged) option holds, with where: what the screen test holds to the wall minimum. */
export function fontSizes(option: unknown, path = ''): Array<{ path: string; px: number }> {
  const out: Array<{ path: string; px: number }> = [];
  if (Array.isArray(option)) option.forEach((v, i) => out.push(...fontSizes(v, `${path}[${i}]`)));
  else if (isObj(option) && option['show'] !== false)
    for (const [key, v] of Object.entries(option)) {
      // what is not drawn has no size to read: hidden parts, and the legend's selector buttons when it has none
      if (key === 'selectorLabel' && !option['selector']) continue;
      if (key === 'fontSize' && typeof v === 'number') out.push({ path, px: v });
      else out.push(...fontSizes(v, path ? `${path}.${key}` : key));
    }
  return out;
}
