/** Pure formatting of parking-analysis results: values per metric, colour scales with real units, cell outlines. */
import { cellRing } from '../../analysis/parking/queries.ts';
import { fmtNumber, locale, t, type Locale } from '../../i18n.ts';
import type { AnalysisMetric, AnalysisStore } from '../../stores/analysis-store.ts';
import type { RGBA } from '../../palette.ts';

export const METRICS: Record<AnalysisMetric, { unit: 'vehicles' | 'spaces' | 'percent'; diverging: boolean }> = {
  unmet: { unit: 'vehicles', diverging: false },
  gap: { unit: 'vehicles', diverging: true },
  demand: { unit: 'vehicles', diverging: false },
  supply: { unit: 'spaces', diverging: false },
  occupancy: { unit: 'percent', diverging: false },
};

export function metricLabel(m: AnalysisMetric, l: Locale = locale()): string {
  return t(`analysis.metric.${m}`, undefined, l);
}

/** The metric's unit as shown after a number: 辆 / vehicles, 个泊位 / spaces, %. */
export function metricUnit(m: AnalysisMetric, l: Locale = locale()): string {
  const u = METRICS[m].unit;
  return u === 'percent' ? '%' : t(`analysis.unit.${u}`, undefined, l);
}

/** Sequential ramp (light yellow → deep red), supply in blues, surplus side of the gap in blues. */
const HOT: RGBA[] = [
  [255, 237, 160, 170],
  [254, 178, 76, 185],
  [253, 141, 60, 200],
  [240, 59, 32, 215],
  [189, 0, 38, 230],
];
const COOL: RGBA[] = [
  [222, 235, 247, 190],
  [158, 202, 225, 205],
  [107, 174, 214, 215],
  [49, 130, 189, 225],
  [8, 81, 156, 235],
];
const OCC: RGBA[] = [
  [46, 196, 120, 210],
  [166, 217, 106, 215],
  [255, 224, 102, 220],
  [253, 141, 60, 230],
  [215, 25, 28, 240],
];

/** A "nice" upper bound (1, 2, 2.5, 5 × 10^k) so legend breaks read as round numbers. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * e) return m * e;
  return 10 * e;
}

export interface Scale {
  metric: AnalysisMetric;
  max: number;
}

export function colorFor(s: Scale, v: number): RGBA {
  if (s.metric === 'occupancy') return OCC[Math.min(4, Math.max(0, Math.floor(v * 5)))]!;
  const ramp = s.metric === 'supply' || (s.metric === 'gap' && v < 0) ? COOL : HOT;
  const f = Math.min(0.999, Math.abs(v) / s.max);
  return ramp[Math.floor(f * 5)]!;
}

export function legendSteps(s: Scale, l: Locale = locale()): Array<{ color: RGBA; label: string }> {
  const m = METRICS[s.metric];
  const unit = metricUnit(s.metric, l);
  if (s.metric === 'occupancy') return OCC.map((c, i) => ({ color: c, label: `${i * 20}–${(i + 1) * 20} %` }));
  const step = s.max / 5;
  const fmt = (v: number) => fmtNumber(v, Number.isInteger(v) ? 0 : 1, l);
  const pos = HOT.map((c, i) => ({ color: s.metric === 'supply' ? COOL[i]! : c, label: `${fmt(step * i)}–${fmt(step * (i + 1))} ${unit}` }));
  if (!m.diverging) return pos;
  // surplus side mirrors the deficit classes: COOL[i] covers −step·(i+1) … −step·i
  return [
    ...[...COOL].reverse().map((c, k) => ({ color: c, label: t('analysis.surplus', { from: fmt(-step * (5 - k)), to: fmt(-step * (4 - k)), unit }, l) })),
    ...pos,
  ];
}

export interface CellFeature {
  id: string;
  ring: Array<[number, number]>;
  lon: number;
  lat: number;
  value: number;
  color: RGBA;
}

/** The cells of the current metric with their outlines and colours, and the scale used. */
export function cellFeatures(a: AnalysisStore): { cells: CellFeature[]; scale: Scale } {
  const metric = a.metric;
  // cells are drawn with the parameters they were computed with (a new run may still be on its way)
  const p = metric === 'occupancy' ? a.occupancyParams : (a.result?.params ?? null);
  if (!p) return { cells: [], scale: { metric, max: 1 } };
  const rows =
    metric === 'occupancy'
      ? a.occupancy.map((c) => ({ id: c.cell_id, a: c.a, b: c.b, lon: c.lon, lat: c.lat, value: c.ratio }))
      : (a.result?.cells ?? []).map((c) => ({ id: c.cell_id, a: c.a, b: c.b, lon: c.lon, lat: c.lat, value: c[metric] }));
  const max = metric === 'occupancy' ? 1 : niceMax(rows.reduce((m, r) => Math.max(m, Math.abs(r.value)), 0));
  const scale: Scale = { metric, max };
  const shown = rows.filter((r) => (metric === 'gap' ? r.value !== 0 : r.value > 0) || metric === 'occupancy');
  return {
    scale,
    cells: shown.map((r) => ({
      id: r.id,
      lon: r.lon,
      lat: r.lat,
      value: r.value,
      ring: cellRing(p.cellKind, r.a, r.b, p.cellM, p.lon0, p.lat0),
      color: colorFor(scale, r.value),
    })),
  };
}

export const SITE_COLORS = {
  candidate: [120, 200, 255, 255] as RGBA,
  selected: [255, 209, 102, 255] as RGBA,
  drawn: [200, 140, 255, 255] as RGBA,
  better: [46, 230, 140, 255] as RGBA,
};
