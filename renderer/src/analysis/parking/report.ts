/**
 * Exports of a parking analysis, pure: the cells table and the site ranking as CSV, and a self-contained printable
 * HTML report (map picture embedded as a data URL, method, parameters, numbers) that opens on an isolated intranet
 * and prints to PDF from any browser.
 */
import { csvText, htmlEscape as esc } from '../../../../data-pipelines/contracts/export-format.ts';
import { minuteLabel, slotLabel, type AnalysisParams, type AnalysisResult, type SiteRow, type WhatIfResult } from './queries.ts';

export const CELL_COLUMNS = ['cell_id', 'lon', 'lat', 'demand_vehicles', 'resident_vehicles', 'supply_spaces', 'gap_vehicles', 'unmet_vehicles', 'places', 'sources'] as const;
export const SITE_COLUMNS = ['rank', 'site_id', 'name', 'lon', 'lat', 'capacity_spaces', 'unmet_within_walk_vehicles', 'covered_vehicles', 'sources', 'nearest_walk_m'] as const;

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
    sites.map((s, i) => [i + 1, s.site_id, s.name, r6(s.lon), r6(s.lat), s.capacity, r1(s.reach), r1(s.covered), s.sources, s.nearest_walk_m === null ? null : Math.round(s.nearest_walk_m)]),
  );
}

const KIND_LABEL = { resident: '居民车辆 residents', visitor: '到访/通勤车辆 visitors', all: '全部车辆 all vehicles' } as const;

export function paramsText(p: AnalysisParams): Array<[string, string]> {
  return [
    ['需求 Demand', `${KIND_LABEL[p.demandKind]} @ ${slotLabel(p.demandSlot)}`],
    ['供给 Supply', `public places open @ ${minuteLabel(p.supplyMin)}`],
    ['单元 Cells', `${p.cellKind === 'hex' ? 'hexagons, circumradius' : 'grid squares, side'} ${p.cellM} m`],
    ['步行 Walking', `${p.walkM} m along streets (straight line × ${p.detour})`],
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

const local = (t: number) => new Date(t + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 16) + ' (UTC+8)';
const n0 = (v: number) => Math.round(v).toLocaleString('en-US');

export function reportHtml(x: ReportInput): string {
  const r = x.result;
  const top = r.cells.filter((c) => c.unmet > 0).slice(0, 10);
  const w = x.whatIf;
  const whatIf = w
    ? `<section><h2>方案比较 What-if: +${w.site.capacity} spaces at ${esc(w.site.name)} (${esc(w.site.siteId)})</h2>
<table><tr><th></th><th>before</th><th>after</th><th>change</th></tr>
<tr><th>unmet demand within walking distance (vehicles)</th><td>${n0(w.before.totals.unmet)}</td><td>${n0(w.after.totals.unmet)}</td><td>${n0(w.after.totals.unmet - w.before.totals.unmet)}</td></tr>
<tr><th>supply (spaces)</th><td>${n0(w.before.totals.supply)}</td><td>${n0(w.after.totals.supply)}</td><td>+${n0(w.after.totals.supply - w.before.totals.supply)}</td></tr>
${w.before.hardest ? `<tr><th>unmet in the hardest cell ${esc(w.before.hardest.cell_id)} (vehicles)</th><td>${n0(w.before.hardest.unmet)}</td><td>${n0(w.after.cells.find((c) => c.cell_id === w.before.hardest!.cell_id)?.unmet ?? 0)}</td><td>${n0((w.after.cells.find((c) => c.cell_id === w.before.hardest!.cell_id)?.unmet ?? 0) - w.before.hardest.unmet)}</td></tr>` : ''}
<tr><th>hardest cell after (vehicles)</th><td></td><td>${w.after.hardest ? `${esc(w.after.hardest.cell_id)}: ${n0(w.after.hardest.unmet)}` : '—'}</td><td></td></tr></table>
<table><tr><th>cell</th><th>unmet before</th><th>unmet after</th><th>gap before</th><th>gap after</th></tr>
${w.delta.slice(0, 12).map((d) => `<tr><td>${esc(d.cell_id)}</td><td>${r1(d.unmetBefore)}</td><td>${r1(d.unmetAfter)}</td><td>${r1(d.gapBefore)}</td><td>${r1(d.gapAfter)}</td></tr>`).join('')}</table></section>`
    : '';
  const h = x.history;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(x.title)}</title>
<style>body{font:14px/1.5 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#111;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:18px}table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #999;padding:3px 8px;text-align:left}
td.n{text-align:right}img{max-width:100%;border:1px solid #999}.method{background:#f6f6f6;padding:8px 12px}@media print{body{margin:0}}</style></head><body>
<h1>${esc(x.title)}</h1>
<p>${esc(x.district)} · generated ${local(x.generatedAt)} · RedWall parking analysis (SQL ${Object.entries(r.sqlVersions).map(([k, v]) => `${esc(k)} v${v}`).join(', ')})</p>
<table>${paramsText(r.params).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
${x.mapPng ? `<figure><img alt="map" src="${esc(x.mapPng)}"><figcaption>Map as shown when the report was made.</figcaption></figure>` : ''}
<section><h2>总量 Totals</h2><table>
<tr><th>demand (vehicles present)</th><td class="n" data-k="demand">${n0(r.totals.demand)}</td></tr>
<tr><th>public supply (spaces open)</th><td class="n" data-k="supply">${n0(r.totals.supply)}</td></tr>
<tr><th>gap = demand − supply (vehicles)</th><td class="n" data-k="gap">${n0(r.totals.gap)}</td></tr>
<tr><th>unmet within walking distance (vehicles)</th><td class="n" data-k="unmet">${n0(r.totals.unmet)}</td></tr></table>
${r.hardest ? `<p><b>最难停车 Hardest cell:</b> ${esc(r.hardest.cell_id)} at ${r.hardest.lat.toFixed(5)}, ${r.hardest.lon.toFixed(5)} — ${n0(r.hardest.demand)} vehicles, ${n0(r.hardest.supply)} spaces, ${n0(r.hardest.unmet)} without a space within ${r.params.walkM} m.</p>` : ''}
</section>
<section><h2>缺口最大的单元 Cells with the most unmet demand</h2><table><tr><th>#</th><th>cell</th><th>lat, lon</th><th>demand</th><th>supply</th><th>gap</th><th>unmet</th></tr>
${top.map((c, i) => `<tr><td>${i + 1}</td><td>${esc(c.cell_id)}</td><td>${c.lat.toFixed(5)}, ${c.lon.toFixed(5)}</td><td class="n">${r1(c.demand)}</td><td class="n">${c.supply}</td><td class="n">${r1(c.gap)}</td><td class="n">${r1(c.unmet)}</td></tr>`).join('\n')}</table></section>
${x.sites.length ? `<section><h2>候选地块 Candidate sites, ranked</h2><table><tr><th>#</th><th>site</th><th>capacity</th><th>unmet within walk</th><th>covered</th><th>nearest walk</th></tr>
${x.sites.slice(0, 15).map((s, i) => `<tr><td>${i + 1}</td><td>${esc(s.name)} (${esc(s.site_id)})</td><td class="n">${s.capacity}</td><td class="n">${r1(s.reach)}</td><td class="n">${r1(s.covered)}</td><td class="n">${s.nearest_walk_m === null ? '—' : `${Math.round(s.nearest_walk_m)} m`}</td></tr>`).join('\n')}</table></section>` : ''}
${whatIf}
${h ? `<section><h2>观测占用 Observed occupancy</h2><p>Feed journal ${local(h.from)} → ${local(h.to)}, ${h.rows.toLocaleString('en-US')} samples${h.meanRatio === null ? '' : `, mean district occupancy ${(h.meanRatio * 100).toFixed(1)} %`}.</p></section>` : ''}
<section class="method"><h2>方法 Method</h2>
<p>Demand: vehicles registered to each residential building (以房管人; households = floor area / ${120} m², 0.35–0.55 cars per household) and peak visitor vehicles of non-residential buildings (0.3 per 100 m²), times the share present at the chosen half hour (from the real Wangfujing crowd curve c: residents 0.95 − 0.5·c, visitors c).
Supply: capacity of public lots and numbered roadside spots open at the chosen time (office-building lots 07:00–21:00).</p>
<p>Gap per cell = demand − supply inside the cell. Walking access uses the two-step floating catchment method (2SFCA): each open place's spaces are shared by the demand within walking distance (straight line × detour factor); a source's access is the sum of those shares, and its unmet demand is demand × max(0, 1 − access). A candidate site covers min(capacity, unmet demand within its walking distance). What-if adds the site as supply open 24 h and reruns the whole analysis.</p>
<p>Synthesized inputs (vehicles, places, vacant lots) are modelled on the real district's buildings, compounds and streets; the numbers are for planning comparison, not a census.</p></section>
</body></html>`;
}
