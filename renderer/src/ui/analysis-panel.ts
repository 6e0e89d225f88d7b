/**
 * Planner workspace panel: parking supply/demand analysis (presets, parameters, legend with units, totals, hardest
 * cells), site selection (vacant lots or a drawn area, "add N spaces" what-if, before/after), occupancy history with a
 * time slider, exports (PNG, CSV, printable report) and the SQL console.
 */
import { autorun, type IReactionDisposer } from 'mobx';
import { minuteLabel, slotLabel, type AnalysisParams } from '../analysis/parking/queries.ts';
import { cellsCsv, reportHtml, sitesCsv } from '../analysis/parking/report.ts';
import { locale } from '../i18n.ts';
import { cellFeatures, legendSteps, METRICS } from '../layers/parking-analysis/format.ts';
import type { AnalysisCommand, AnalysisMetric } from '../stores/analysis-store.ts';
import type { RootStore } from '../stores/root.ts';
import { button, download, h } from './dom.ts';
import { mountSqlConsole } from './sql-console.ts';

export interface AnalysisPanelDeps {
  /** PNG data URL of the current map view with title and legend, or null if no view can be captured */
  captureMap(title: string, legend: Array<{ color: [number, number, number, number]; label: string }>, legendTitle: string): Promise<string | null>;
  districtName(): string;
  stage: HTMLElement;
}

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const local = (t: number) => new Date(t + 8 * 3600_000).toISOString().slice(5, 16).replace('T', ' ');
/** data: URL -> Blob without fetch() (the app's CSP does not allow fetching data: URLs) */
function dataUrlBlob(url: string): Blob {
  const [head, b64] = url.split(',', 2) as [string, string];
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: /^data:([^;,]+)/.exec(head)?.[1] ?? 'application/octet-stream' });
}
const stamp = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 16).replace(/[-:T]/g, '');

export function mountAnalysisPanel(store: RootStore, box: HTMLElement, deps: AnalysisPanelDeps): () => void {
  const a = store.analysis;
  const run = (cmd: AnalysisCommand) => void store.command({ type: 'analysis', cmd });
  const setParams = (params: Partial<Omit<AnalysisParams, 'lon0' | 'lat0'>>) => run({ op: 'setParams', params });
  const disposers: IReactionDisposer[] = [];
  const unmountConsole = mountSqlConsole(store, deps.stage);

  const select = <T extends string | number>(testid: string, value: T, options: Array<[T, string]>, onChange: (v: T) => void) => {
    const el = h('select', { 'data-testid': testid }, ...options.map(([v, label]) => h('option', { value: String(v), selected: v === value }, label)));
    el.onchange = () => {
      const raw = el.value;
      onChange((typeof value === 'number' ? Number(raw) : raw) as T);
    };
    return el;
  };
  const slider = (testid: string, value: number, max: number, label: (v: number) => string, onCommit: (v: number) => void) => {
    const out = h('span', { class: 'slider-value', 'data-testid': `${testid}-label` }, label(value));
    const el = h('input', { type: 'range', min: 0, max, step: 1, value, 'data-testid': testid });
    el.oninput = () => (out.textContent = label(Number(el.value)));
    el.onchange = () => onCommit(Number(el.value));
    return h('div', { class: 'slider' }, el, out);
  };

  /** "2 levels" when the capacity needs more than the site's surface (25 m² per space) */
  const levelsNote = (siteId: string, capacity: number) => {
    const shape = a.shapes.find((x) => x.siteId === siteId);
    if (!shape || capacity <= shape.maxSpaces) return '';
    const zh = locale() === 'zh-CN';
    return ` · ${Math.ceil(capacity / Math.max(1, shape.maxSpaces))}${zh ? '层' : ' levels'}`;
  };
  const exportMap = async (zh: boolean) => {
    const { scale } = cellFeatures(a);
    const m = METRICS[a.metric];
    const p = a.params;
    const title = `${zh ? '停车供需分析' : 'Parking analysis'} · ${zh ? m.zh : m.en}${p ? ` · ${slotLabel(p.demandSlot)} / ${minuteLabel(p.supplyMin)}` : ''}`;
    return deps.captureMap(title, legendSteps(scale, zh), `${zh ? m.zh : m.en} (${zh ? m.unitZh : m.unitEn})`);
  };

  disposers.push(
    autorun(() => {
      const zh = locale() === 'zh-CN';
      const p = a.params;
      void a.version;
      if (!p) {
        box.replaceChildren(h('h2', {}, zh ? '停车供需分析' : 'Parking supply & demand'), h('p', { class: 'muted' }, zh ? '正在连接本地数据库…' : 'Connecting to the local database…'));
        return;
      }
      const r = a.result;
      const metric = METRICS[a.metric];
      const { scale } = cellFeatures(a);
      const kids: Array<HTMLElement | string> = [];
      kids.push(h('h2', {}, zh ? '停车供需分析' : 'Parking supply & demand'));
      kids.push(
        h(
          'div',
          { class: 'presets analysis-presets' },
          button(zh ? '夜间需求 vs 日间供给' : 'Night demand vs day supply', { 'data-testid': 'preset-night-day' }, () => setParams({ demandKind: 'resident', demandSlot: 44, supplyMin: 14 * 60 })),
          button(zh ? '夜间（22:00）' : 'Night (22:00)', { 'data-testid': 'preset-night' }, () => setParams({ demandKind: 'resident', demandSlot: 44, supplyMin: 22 * 60 })),
          button(zh ? '日间（14:00）' : 'Day (14:00)', { 'data-testid': 'preset-day' }, () => setParams({ demandKind: 'all', demandSlot: 28, supplyMin: 14 * 60 })),
        ),
      );
      kids.push(
        h(
          'div',
          { class: 'form-grid' },
          h('label', {}, zh ? '需求车辆' : 'Vehicles'),
          select('demand-kind', p.demandKind, [['resident', zh ? '居民（以房管人）' : 'Residents'], ['visitor', zh ? '到访/通勤' : 'Visitors'], ['all', zh ? '全部' : 'All']], (v) => setParams({ demandKind: v })),
          h('label', {}, zh ? '需求时段' : 'Demand at'),
          slider('demand-slot', p.demandSlot, 47, slotLabel, (v) => setParams({ demandSlot: v })),
          h('label', {}, zh ? '供给时刻' : 'Supply at'),
          slider('supply-slot', Math.floor(p.supplyMin / 30), 47, (v) => minuteLabel(v * 30), (v) => setParams({ supplyMin: v * 30 })),
          h('label', {}, zh ? '统计单元' : 'Cells'),
          h(
            'div',
            { class: 'row' },
            select('cell-kind', p.cellKind, [['hex', zh ? '六边形' : 'Hexagons'], ['grid', zh ? '方格' : 'Grid']], (v) => setParams({ cellKind: v })),
            select('cell-size', p.cellM, [[100, '100 m'], [200, '200 m'], [300, '300 m'], [500, '500 m']], (v) => setParams({ cellM: v })),
          ),
          h('label', {}, zh ? '步行距离' : 'Walking'),
          select('walk-m', p.walkM, [[200, '200 m'], [300, '300 m (≈4 min)'], [500, '500 m (≈7 min)'], [800, '800 m']], (v) => setParams({ walkM: v })),
          h('label', {}, zh ? '指标' : 'Metric'),
          select('metric', a.metric, (Object.keys(METRICS) as AnalysisMetric[]).filter((k) => k !== 'occupancy' || a.history).map((k) => [k, zh ? METRICS[k].zh : METRICS[k].en]), (v) => run({ op: 'setMetric', metric: v })),
          h('label', {}, zh ? '显示' : 'Display'),
          select('display', a.display, [['cells', zh ? '单元格' : 'Cells'], ['heatmap', zh ? '热力图' : 'Heatmap']], (v) => run({ op: 'setDisplay', display: v })),
        ),
      );
      kids.push(h('div', { class: 'analysis-status', 'data-testid': 'analysis-status', 'data-running': String(a.running) }, a.running ? (zh ? '计算中…' : 'Computing…') : ''));
      if (a.error) kids.push(h('div', { class: 'error', 'data-testid': 'analysis-error' }, a.error));
      // legend with real units
      kids.push(
        h(
          'div',
          { class: 'legend analysis-legend', 'data-testid': 'analysis-legend' },
          h('div', { class: 'legend-title' }, `${zh ? metric.zh : metric.en}（${zh ? metric.unitZh : metric.unitEn}${a.metric === 'occupancy' ? '' : zh ? '/单元' : ' per cell'}）`),
          ...(a.display === 'heatmap' && a.metric !== 'occupancy' && a.metric !== 'supply'
            ? [h('div', { class: 'legend-row heat-ramp' }, zh ? `热力图：按每栋楼的${a.metric === 'demand' ? '需求车辆' : '无位车辆'}加权的相对密度（黄→红 = 低→高）；数值见单元格视图` : `Heatmap: relative density of ${a.metric === 'demand' ? 'demand' : 'unmet'} vehicles per building (yellow → red = low → high); numbers in the cells view`)]
            : legendSteps(scale, zh).map((s) => h('div', { class: 'legend-row' }, h('span', { class: 'swatch', style: `background:rgba(${s.color[0]},${s.color[1]},${s.color[2]},${s.color[3] / 255})` }), s.label))),
        ),
      );
      if (r) {
        kids.push(
          h(
            'table',
            { class: 'totals', 'data-testid': 'analysis-totals', 'data-demand': r.totals.demand.toFixed(3), 'data-supply': r.totals.supply.toFixed(3), 'data-unmet': r.totals.unmet.toFixed(3), 'data-gap': r.totals.gap.toFixed(3) },
            h('tr', {}, h('th', {}, zh ? '需求' : 'Demand'), h('td', {}, `${n0(r.totals.demand)} ${zh ? '辆' : 'vehicles'}`)),
            h('tr', {}, h('th', {}, zh ? '公共泊位' : 'Public supply'), h('td', {}, `${n0(r.totals.supply)} ${zh ? '个' : 'spaces'}`)),
            h('tr', {}, h('th', {}, zh ? '缺口' : 'Gap'), h('td', {}, `${n0(r.totals.gap)} ${zh ? '辆' : 'vehicles'}`)),
            h('tr', {}, h('th', {}, zh ? `步行${p.walkM}米内无位` : `No space within ${p.walkM} m`), h('td', {}, `${n0(r.totals.unmet)} ${zh ? '辆' : 'vehicles'}`)),
          ),
        );
        const hard = r.hardest;
        if (hard)
          kids.push(
            h(
              'div',
              { class: 'hardest', 'data-testid': 'analysis-hardest', 'data-cell': hard.cell_id, 'data-unmet': hard.unmet.toFixed(3) },
              h('b', {}, zh ? '最难停车：' : 'Hardest to park: '),
              `${hard.cell_id} — ${zh ? '需求' : 'demand'} ${n0(hard.demand)}，${zh ? '泊位' : 'spaces'} ${n0(hard.supply)}，${zh ? '无位' : 'unmet'} ${n0(hard.unmet)} ${zh ? '辆' : 'vehicles'} `,
              button(zh ? '定位' : 'Show', { 'data-testid': 'hardest-go' }, () => {
                run({ op: 'selectCell', cellId: hard.cell_id });
                void store.command({ type: 'focus', lon: hard.lon, lat: hard.lat, what: hard.cell_id, rangeM: 1500 });
              }),
            ),
          );
        kids.push(
          h(
            'ol',
            { class: 'top-cells', 'data-testid': 'top-cells' },
            ...r.cells.slice(0, 6).map((c) => {
              const li = h('li', { class: c.cell_id === a.selectedCellId ? 'selected' : '', 'data-cell': c.cell_id }, `${c.cell_id}: ${zh ? '无位' : 'unmet'} ${n0(c.unmet)} · ${zh ? '缺口' : 'gap'} ${n0(c.gap)} · ${zh ? '泊位' : 'spaces'} ${n0(c.supply)}`);
              li.onclick = () => {
                run({ op: 'selectCell', cellId: c.cell_id });
                void store.command({ type: 'focus', lon: c.lon, lat: c.lat, what: c.cell_id, rangeM: 1500 });
              };
              return li;
            }),
          ),
        );
      }
      // site selection
      const cap = h('input', { type: 'number', min: 1, max: 5000, step: 1, value: a.siteCapacity, 'data-testid': 'site-capacity', class: 'num-input' });
      kids.push(h('h3', {}, zh ? '选址与方案比较' : 'Site selection & what-if'));
      kids.push(
        h(
          'div',
          { class: 'row' },
          h('span', {}, zh ? '新增泊位' : 'New spaces'),
          cap,
          button(zh ? '评估候选地块' : 'Rank sites', { 'data-testid': 'find-sites' }, () => run({ op: 'findSites', capacity: Number(cap.value) })),
          a.drawing
            ? button(zh ? '取消绘制' : 'Cancel drawing', { 'data-testid': 'draw-cancel' }, () => run({ op: 'cancelDrawing' }))
            : button(zh ? '绘制地块' : 'Draw a site', { 'data-testid': 'draw-site' }, () => run({ op: 'startDrawing' })),
        ),
      );
      if (a.drawing)
        kids.push(
          h(
            'div',
            { class: 'hint', 'data-testid': 'draw-hint' },
            zh ? `在二维地图上依次点击地块角点（已点 ${a.drawPoints.length} 个），双击或点“完成”闭合。` : `Click the corners on the 2D map (${a.drawPoints.length} so far); double-click or Finish to close.`,
            a.drawPoints.length >= 3 ? button(zh ? '完成' : 'Finish', { 'data-testid': 'draw-finish' }, () => run({ op: 'addDrawnSite', ring: [...a.drawPoints] })) : '',
          ),
        );
      if (a.sites.length)
        kids.push(
          h(
            'ol',
            { class: 'sites', 'data-testid': 'site-list' },
            ...a.sites.slice(0, 8).map((s) => {
              const li = h(
                'li',
                { class: s.site_id === a.selectedSiteId ? 'selected' : '', 'data-site': s.site_id, 'data-covered': s.covered.toFixed(3) },
                h('span', { class: 'site-name' }, `${s.name}`),
                ` ${zh ? '可解决' : 'covers'} ${n0(s.covered)} / ${zh ? '步行范围无位' : 'unmet in reach'} ${n0(s.reach)}${s.nearest_walk_m === null ? '' : ` · ${Math.round(s.nearest_walk_m)} m`}${levelsNote(s.site_id, s.capacity)} `,
                button(`+${s.capacity}`, { 'data-testid': `whatif-${s.site_id}`, title: zh ? '方案比较：在此新增泊位' : 'What-if: add the spaces here' }, () => run({ op: 'whatIf', siteId: s.site_id, capacity: s.capacity })),
              );
              li.onclick = (e) => {
                if ((e.target as HTMLElement).tagName === 'BUTTON') return;
                run({ op: 'selectSite', siteId: s.site_id });
                void store.command({ type: 'focus', lon: s.lon, lat: s.lat, what: s.site_id, rangeM: 1200 });
              };
              return li;
            }),
          ),
        );
      const w = a.whatIf;
      if (w)
        kids.push(
          h(
            'div',
            { class: 'whatif', 'data-testid': 'whatif-result', 'data-before': w.before.totals.unmet.toFixed(3), 'data-after': w.after.totals.unmet.toFixed(3) },
            h('b', {}, `${zh ? '方案' : 'What-if'}: ${w.site.name} +${w.site.capacity} ${zh ? '个泊位' : 'spaces'}`),
            h(
              'table',
              {},
              h('tr', {}, h('th', {}), h('th', {}, zh ? '之前' : 'before'), h('th', {}, zh ? '之后' : 'after')),
              h('tr', {}, h('th', {}, zh ? '无位车辆' : 'Unmet'), h('td', {}, n0(w.before.totals.unmet)), h('td', {}, n0(w.after.totals.unmet))),
              h('tr', {}, h('th', {}, zh ? '公共泊位' : 'Supply'), h('td', {}, n0(w.before.totals.supply)), h('td', {}, n0(w.after.totals.supply))),
              ...(w.before.hardest
                ? [
                    h(
                      'tr',
                      { 'data-testid': 'whatif-hardest' },
                      h('th', {}, `${zh ? '原最难单元' : 'Hardest cell'} ${w.before.hardest.cell_id}`),
                      h('td', {}, n0(w.before.hardest.unmet)),
                      h('td', {}, n0(w.after.cells.find((c) => c.cell_id === w.before.hardest!.cell_id)?.unmet ?? 0)),
                    ),
                  ]
                : []),
              h('tr', {}, h('th', {}, zh ? '之后最难单元' : 'Hardest after'), h('td', {}), h('td', {}, w.after.hardest ? `${w.after.hardest.cell_id}: ${n0(w.after.hardest.unmet)}` : '—')),
            ),
            h('div', {}, zh ? `${w.delta.filter((d) => d.unmetAfter < d.unmetBefore - 0.5).length} 个单元改善（地图绿框）` : `${w.delta.filter((d) => d.unmetAfter < d.unmetBefore - 0.5).length} cells improve (green outlines)`),
            button(zh ? '清除方案' : 'Clear', { 'data-testid': 'whatif-clear' }, () => run({ op: 'clearWhatIf' })),
          ),
        );
      // occupancy history
      kids.push(h('h3', {}, zh ? '占用历史（感知数据）' : 'Occupancy history (sensors)'));
      kids.push(button(zh ? '载入近24小时' : 'Load last 24 h', { 'data-testid': 'load-history' }, () => run({ op: 'loadHistory', hours: 24, stepMin: 30 })));
      const hist = a.history;
      if (hist) {
        const series = hist.series;
        const idx = Math.max(0, series.findIndex((s) => s.ts === a.historyTs));
        const cur = series[idx];
        const W = 260;
        const H = 40;
        const poly = series.map((s, i) => `${(i / Math.max(1, series.length - 1)) * W},${H - s.ratio * H}`).join(' ');
        const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
        svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
        svg.setAttribute('class', 'sparkline');
        const pl = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
        pl.setAttribute('points', poly);
        const mark = document.createElementNS('http://www.w3.org/2000/svg', 'line');
        const mx = (idx / Math.max(1, series.length - 1)) * W;
        mark.setAttribute('x1', String(mx));
        mark.setAttribute('x2', String(mx));
        mark.setAttribute('y1', '0');
        mark.setAttribute('y2', String(H));
        svg.append(pl, mark);
        kids.push(
          h(
            'div',
            { class: 'history', 'data-testid': 'history', 'data-samples': String(series.length), 'data-rows': String(hist.rows) },
            series.length
              ? slider('history-slider', idx, series.length - 1, (i) => `${local(series[i]!.ts)} · ${pct(series[i]!.ratio)}`, (i) => run({ op: 'historyTime', ts: series[i]!.ts }))
              : h('div', {}, zh ? '日志中没有停车数据' : 'No parking data in the journal'),
            svg,
            h('div', { class: 'muted' }, `${n0(hist.rows)} ${zh ? '条采样' : 'samples'}${hist.truncated ? (zh ? '（已截断）' : ' (truncated)') : ''}${cur ? ` · ${zh ? '全区占用' : 'district'} ${pct(cur.ratio)}` : ''}`),
          ),
        );
      }
      // exports
      kids.push(h('h3', {}, zh ? '导出' : 'Export'));
      kids.push(
        h(
          'div',
          { class: 'row wrap' },
          button(zh ? '地图 PNG' : 'Map PNG', { 'data-testid': 'export-png' }, () => {
            void exportMap(zh).then((png) => {
              if (!png) return;
              download(`redwall-parking-map-${stamp()}.png`, 'image/png', dataUrlBlob(png));
              run({ op: 'export', what: 'png' });
            });
          }),
          button(zh ? '单元表 CSV' : 'Cells CSV', { 'data-testid': 'export-csv', disabled: !r }, () => {
            if (!r) return;
            download(`redwall-parking-cells-${stamp()}.csv`, 'text/csv;charset=utf-8', cellsCsv(r));
            run({ op: 'export', what: 'cells-csv' });
          }),
          button(zh ? '地块排名 CSV' : 'Sites CSV', { 'data-testid': 'export-sites-csv', disabled: !a.sites.length }, () => {
            download(`redwall-parking-sites-${stamp()}.csv`, 'text/csv;charset=utf-8', sitesCsv(a.sites));
            run({ op: 'export', what: 'sites-csv' });
          }),
          button(zh ? '分析报告（HTML，可打印PDF）' : 'Report (HTML, prints to PDF)', { 'data-testid': 'export-report', disabled: !r }, () => {
            if (!r) return;
            void exportMap(zh).then((png) => {
              const hs = a.history;
              const html = reportHtml({
                title: zh ? '停车供需分析报告 Parking supply & demand report' : 'Parking supply & demand report',
                district: deps.districtName(),
                generatedAt: Date.now(),
                result: r,
                sites: a.sites,
                whatIf: a.whatIf,
                mapPng: png,
                history: hs ? { from: hs.from, to: hs.to, rows: hs.rows, meanRatio: hs.series.length ? hs.series.reduce((s, x) => s + x.ratio, 0) / hs.series.length : null } : null,
              });
              download(`redwall-parking-report-${stamp()}.html`, 'text/html;charset=utf-8', html);
              run({ op: 'export', what: 'report' });
            });
          }),
          button(zh ? 'SQL 控制台' : 'SQL console', { 'data-testid': 'sql-toggle' }, () => deps.stage.classList.toggle('console-open')),
        ),
      );
      box.replaceChildren(...kids);
    }),
  );
  return () => {
    disposers.forEach((d) => d());
    unmountConsole();
  };
}
