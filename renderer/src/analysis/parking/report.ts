/**
 * Exports of a parking analysis, pure: the cells table and the site ranking as CSV, and a self-contained printable
 * HTML report (map picture embedded as a data URL, method, parameters, numbers) that opens on an isolated intranet
 * and prints to PDF from any browser.
 */
import { csvText, htmlEscape as esc } from '../../../../data-pipelines/contracts/export-format.ts';
import { fmtNumber, t, tBoth, type MessageVars, type StringKey } from '../../i18n.ts';
import { minuteLabel, slotLabel, type AnalysisParams, type AnalysisResult, type SiteRow, type WhatIfResult } from './queries.ts';

export const CELL_COLUMNS = [
  'cell_id',
  'lon',
  'lat',
  'demand_vehicles',
  'resident_vehicles',
  'supply_spaces',
  'gap_vehicles',
  'unmet_vehicles',
  'places',
  'sources',
] as const;
/** covered_vehicles = the drop in district unmet the site's what-if shows (the rank); relieved_cells = where it lands */
export const SITE_COLUMNS = [
  'rank',
  'site_id',
  'name',
  'lon',
  'lat',
  'capacity_spaces',
  'unmet_within_walk_vehicles',
  'covered_vehicles',
  'sources',
  'nearest_walk_m',
  'relieved_cells',
] as const;

const r1 = (v: number) => Math.round(v * 10) / 10;
const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

export function cellsCsv(r: AnalysisResult): string {
  return csvText(
    CELL_COLUMNS,
    r.cells.map((c) => [c.cell_id, r6(c.lon), r6(c.lat), r1(c.demand), r1(c.resident), c.supply, r1(c.gap), r1(c.unmet), c.places, c.sources]),
  );
}

export function sitesCsv(sites: SiteRow[]): string {
  return csvText(
    SITE_COLUMNS,
    sites.map((s, i) => [
      i + 1,
      s.site_id,
      s.name,
      r6(s.lon),
      r6(s.lat),
      s.capacity,
      r1(s.reach),
      r1(s.covered),
      s.sources,
      s.nearest_walk_m === null ? null : Math.round(s.nearest_walk_m),
      s.cells.map((c) => `${c.cell_id} ${r1(c.served)}`).join('; '),
    ]),
  );
}

/** Both languages of a message, as the printable report shows everything (zh-CN first, then English). */
const both = (key: StringKey, vars?: MessageVars) => esc(tBoth(key, vars));
/** A paragraph in each language. */
const paras = (key: StringKey) => `<p lang="zh-CN">${esc(t(key, undefined, 'zh-CN'))}</p>\n<p lang="en">${esc(t(key, undefined, 'en'))}</p>`;

/** The analysis parameters as report rows (label, value), both languages. */
export function paramsText(p: AnalysisParams): Array<[string, string]> {
  const kind = { resident: 'analysis.report.kind.resident', visitor: 'analysis.report.kind.visitor', all: 'analysis.report.kind.all' } as const;
  return [
    [tBoth('analysis.report.demand'), `${tBoth(kind[p.demandKind])} @ ${slotLabel(p.demandSlot)}`],
    [tBoth('analysis.report.supply'), tBoth('analysis.report.supplyValue', { time: minuteLabel(p.supplyMin) })],
    [tBoth('analysis.report.cells'), tBoth(p.cellKind === 'hex' ? 'analysis.report.hexValue' : 'analysis.report.gridValue', { m: String(p.cellM) })],
    [tBoth('analysis.report.walking'), tBoth('analysis.report.walkValue', { m: String(p.walkM), detour: String(p.detour) })],
  ];
}

export interface ReportInput {
  title: string;
  district: string;
  generatedAt: number;
  result: AnalysisResult;
  sites: SiteRow[];
  whatIf: WhatIfResult | null;
  /** PNG data URL of the map as shown */
  mapPng: string | null;
  history?: { from: number; to: number; rows: number; meanRatio: number | null } | null;
}

const local = (ts: number) => new Date(ts + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 16) + ' (UTC+8)';
/** numbers in the report: the same digits for both languages */
const n0 = (v: number) => fmtNumber(Math.round(v), 0, 'en');

/**
 * The what-if's hardest-cell rows, each with before / after / change in the table's own columns: the hardest cell before
 * the site, and (when another cell is hardest afterwards) that cell too.
 */
export function whatIfCellRows(w: WhatIfResult): Array<{ cell_id: string; before: number; afterUnmet: number; after: boolean }> {
  const unmet = (r: WhatIfResult['before'], id: string) => r.cells.find((c) => c.cell_id === id)?.unmet ?? 0;
  const rows: Array<{ cell_id: string; before: number; afterUnmet: number; after: boolean }> = [];
  if (w.before.hardest)
    rows.push({ cell_id: w.before.hardest.cell_id, before: w.before.hardest.unmet, afterUnmet: unmet(w.after, w.before.hardest.cell_id), after: false });
  const h = w.after.hardest;
  if (h && h.cell_id !== w.before.hardest?.cell_id) rows.push({ cell_id: h.cell_id, before: unmet(w.before, h.cell_id), afterUnmet: h.unmet, after: true });
  return rows;
}

export function reportHtml(x: ReportInput): string {
  const r = x.result;
  const top = r.cells.filter((c) => c.unmet > 0).slice(0, 10);
  const w = x.whatIf;
  const whatIf = w
    ? `<section><h2>${both('analysis.report.whatIf', { n: String(w.site.capacity), site: w.site.name, id: w.site.siteId })}</h2>
<table><tr><th></th><th>${both('analysis.report.before')}</th><th>${both('analysis.report.after')}</th><th>${both('analysis.report.change')}</th></tr>
<tr><th>${both('analysis.report.unmetVeh')}</th><td>${n0(w.before.totals.unmet)}</td><td>${n0(w.after.totals.unmet)}</td><td>${n0(w.after.totals.unmet - w.before.totals.unmet)}</td></tr>
<tr><th>${both('analysis.report.supplySpaces')}</th><td>${n0(w.before.totals.supply)}</td><td>${n0(w.after.totals.supply)}</td><td>+${n0(w.after.totals.supply - w.before.totals.supply)}</td></tr>
${whatIfCellRows(w)
  .map(
    (c) =>
      `<tr><th>${both(c.after ? 'analysis.report.hardestAfter' : 'analysis.report.hardestUnmet', { cell: c.cell_id })}</th><td>${n0(c.before)}</td><td>${n0(c.afterUnmet)}</td><td>${n0(c.afterUnmet - c.before)}</td></tr>`,
  )
  .join('\n')}</table>
<p>${both('analysis.report.relieved')}: ${esc(
        w.delta
          .filter((d) => d.unmetAfter < d.unmetBefore)
          .slice(0, 12)
          .map((d) => `${d.cell_id} ${r1(d.unmetBefore)} → ${r1(d.unmetAfter)}`)
          .join('; ') || '—',
      )}</p>
<table><tr><th>${both('analysis.report.cell')}</th><th>${both('analysis.report.unmetBefore')}</th><th>${both('analysis.report.unmetAfter')}</th><th>${both('analysis.report.gapBefore')}</th><th>${both('analysis.report.gapAfter')}</th></tr>
${w.delta
  .slice(0, 12)
  .map(
    (d) => `<tr><td>${esc(d.cell_id)}</td><td>${r1(d.unmetBefore)}</td><td>${r1(d.unmetAfter)}</td><td>${r1(d.gapBefore)}</td><td>${r1(d.gapAfter)}</td></tr>`,
  )
  .join('')}</table></section>`
    : '';
  const h = x.history;
  const versions = Object.entries(r.sqlVersions)
    .map(([k, v]) => `${k} v${v}`)
    .join(', ');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(x.title)}</title>
<style>body{font:14px/1.5 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#111;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:18px}table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #999;padding:3px 8px;text-align:left}
td.n{text-align:right}img{max-width:100%;border:1px solid #999}.method{background:#f6f6f6;padding:8px 12px}@media print{body{margin:0}}</style></head><body>
<h1>${esc(x.title)}</h1>
<p>${esc(x.district)} · ${both('analysis.report.generated', { time: local(x.generatedAt), versions })}</p>
<table>${paramsText(r.params)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('')}</table>
${x.mapPng ? `<figure><img alt="${both('analysis.report.mapAlt')}" src="${esc(x.mapPng)}"><figcaption>${both('analysis.report.mapCaption')}</figcaption></figure>` : ''}
<section><h2>${both('analysis.report.totals')}</h2><table>
<tr><th>${both('analysis.report.demandPresent')}</th><td class="n" data-k="demand">${n0(r.totals.demand)}</td></tr>
<tr><th>${both('analysis.report.supplyOpen')}</th><td class="n" data-k="supply">${n0(r.totals.supply)}</td></tr>
<tr><th>${both('analysis.report.gapDef')}</th><td class="n" data-k="gap">${n0(r.totals.gap)}</td></tr>
<tr><th>${both('analysis.report.unmetVeh')}</th><td class="n" data-k="unmet">${n0(r.totals.unmet)}</td></tr></table>
${r.hardest ? `<p><b>${both('analysis.report.hardestLabel')}:</b> ${both('analysis.report.hardestText', { cell: r.hardest.cell_id, lat: r.hardest.lat.toFixed(5), lon: r.hardest.lon.toFixed(5), demand: n0(r.hardest.demand), supply: n0(r.hardest.supply), unmet: n0(r.hardest.unmet), walk: String(r.params.walkM) })}</p>` : ''}
</section>
<section><h2>${both('analysis.report.topCells')}</h2><table><tr><th>#</th><th>${both('analysis.report.cell')}</th><th>${both('analysis.report.latlon')}</th><th>${both('analysis.report.demandCol')}</th><th>${both('analysis.report.supplyCol')}</th><th>${both('analysis.report.gapCol')}</th><th>${both('analysis.report.unmetCol')}</th></tr>
${top.map((c, i) => `<tr><td>${i + 1}</td><td>${esc(c.cell_id)}</td><td>${c.lat.toFixed(5)}, ${c.lon.toFixed(5)}</td><td class="n">${r1(c.demand)}</td><td class="n">${c.supply}</td><td class="n">${r1(c.gap)}</td><td class="n">${r1(c.unmet)}</td></tr>`).join('\n')}</table></section>
${
  x.sites.length
    ? `<section><h2>${both('analysis.report.sites')}</h2><table><tr><th>#</th><th>${both('analysis.report.site')}</th><th>${both('analysis.report.capacity')}</th><th>${both('analysis.report.unmetInWalk')}</th><th>${both('analysis.report.covered')}</th><th>${both('analysis.report.nearestWalk')}</th></tr>
${x.sites
  .slice(0, 15)
  .map(
    (s, i) =>
      `<tr><td>${i + 1}</td><td>${esc(s.name)} (${esc(s.site_id)})</td><td class="n">${s.capacity}</td><td class="n">${r1(s.reach)}</td><td class="n">${r1(s.covered)}</td><td class="n">${s.nearest_walk_m === null ? '—' : `${Math.round(s.nearest_walk_m)} m`}</td></tr>`,
  )
  .join('\n')}</table></section>`
    : ''
}
${whatIf}
${h ? `<section><h2>${both('analysis.report.observed')}</h2><p>${h.meanRatio === null ? both('analysis.report.occ', { from: local(h.from), to: local(h.to), n: n0(h.rows) }) : both('analysis.report.occMean', { from: local(h.from), to: local(h.to), n: n0(h.rows), pct: `${(h.meanRatio * 100).toFixed(1)} %` })}</p></section>` : ''}
<section class="method"><h2>${both('analysis.report.method')}</h2>
${paras('analysis.report.method1')}
${paras('analysis.report.method2')}
${paras('analysis.report.method3')}</section>
</body></html>`;
}
