/**
 * Planner workspace panel: parking supply/demand analysis (presets, parameters, legend with units, totals, hardest
 * cells), site selection (vacant lots or a drawn area, "add N spaces" what-if, before/after), occupancy history with a
 * time slider, exports (PNG, CSV, printable report) and the SQL console.
 */
import { autorun, type IReactionDisposer } from 'mobx';
import { minuteLabel, slotLabel, type AnalysisParams } from '../analysis/parking/queries.ts';
import { cellsCsv, reportHtml, sitesCsv, whatIfCellRows } from '../analysis/parking/report.ts';
import { fmtDateTime, fmtNumber, fmtPercent, t, tBoth } from '../i18n.ts';
import { cellFeatures, legendSteps, metricLabel, metricUnit, METRICS } from '../layers/parking-analysis/format.ts';
import type { AnalysisCommand, AnalysisMetric } from '../stores/analysis-store.ts';
import type { RootStore } from '../stores/root.ts';
import { button, download, h, withData } from './dom.ts';
import { placeShort, placeThenCode } from './place-text.ts';
import { mountSqlConsole } from './sql-console.ts';

export interface AnalysisPanelDeps {
  /** PNG data URL of the current map view with title and legend, or null if no view can be captured */
  captureMap(title: string, legend: Array<{ color: [number, number, number, number]; label: string }>, legendTitle: string): Promise<string | null>;
  districtName(): string;
  stage: HTMLElement;
}

const n0 = (v: number) => fmtNumber(Math.round(v));
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
    return ` · ${t('analysis.levels', { n: Math.ceil(capacity / Math.max(1, shape.maxSpaces)) })}`;
  };
  const exportMap = async () => {
    const { scale } = cellFeatures(a);
    const p = a.params;
    const title = `${t('analysisLayer')} · ${metricLabel(a.metric)}${p ? ` · ${slotLabel(p.demandSlot)} / ${minuteLabel(p.supplyMin)}` : ''}`;
    // a map that cannot be captured (its view lost and rebuilt mid-export) is said; the report goes on without the map
    return deps
      .captureMap(title, legendSteps(scale), t('analysis.legendTitleTotal', { metric: metricLabel(a.metric), unit: metricUnit(a.metric) }))
      .catch((e: unknown) => {
        console.warn('the map could not be captured for the export:', e);
        return null;
      });
  };

  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const p = a.params;
      void a.version;
      if (!p) {
        box.replaceChildren(h('h2', {}, t('analysis.title')), h('p', { class: 'muted' }, t('analysis.connecting')));
        return;
      }
      const r = a.result;
      const { scale } = cellFeatures(a);
      const vehicles = (n: number) => t('analysis.nVehicles', { n: Math.round(n) });
      const kids: Array<HTMLElement | string> = [];
      kids.push(h('h2', {}, t('analysis.title')));
      kids.push(
        h(
          'div',
          { class: 'presets analysis-presets' },
          button(t('analysis.preset.nightDay'), { 'data-testid': 'preset-night-day' }, () =>
            setParams({ demandKind: 'resident', demandSlot: 44, supplyMin: 14 * 60 }),
          ),
          button(t('analysis.preset.night'), { 'data-testid': 'preset-night' }, () =>
            setParams({ demandKind: 'resident', demandSlot: 44, supplyMin: 22 * 60 }),
          ),
          button(t('analysis.preset.day'), { 'data-testid': 'preset-day' }, () => setParams({ demandKind: 'all', demandSlot: 28, supplyMin: 14 * 60 })),
        ),
      );
      kids.push(
        h(
          'div',
          { class: 'form-grid' },
          h('label', {}, t('analysis.vehicles')),
          select(
            'demand-kind',
            p.demandKind,
            [
              ['resident', t('analysis.kind.resident')],
              ['visitor', t('analysis.kind.visitor')],
              ['all', t('analysis.kind.all')],
            ],
            (v) => setParams({ demandKind: v }),
          ),
          h('label', {}, t('analysis.demandAt')),
          slider('demand-slot', p.demandSlot, 47, slotLabel, (v) => setParams({ demandSlot: v })),
          h('label', {}, t('analysis.supplyAt')),
          slider(
            'supply-slot',
            Math.floor(p.supplyMin / 30),
            47,
            (v) => minuteLabel(v * 30),
            (v) => setParams({ supplyMin: v * 30 }),
          ),
          h('label', {}, t('analysis.cells')),
          h(
            'div',
            { class: 'row' },
            select(
              'cell-kind',
              p.cellKind,
              [
                ['hex', t('analysis.cell.hex')],
                ['grid', t('analysis.cell.grid')],
              ],
              (v) => setParams({ cellKind: v }),
            ),
            select(
              'cell-size',
              p.cellM,
              [
                [100, '100 m'],
                [200, '200 m'],
                [300, '300 m'],
                [500, '500 m'],
              ],
              (v) => setParams({ cellM: v }),
            ),
          ),
          h('label', {}, t('analysis.walking')),
          select(
            'walk-m',
            p.walkM,
            [
              [200, '200 m'],
              [300, t('analysis.walkOption', { m: 300, min: 4 })],
              [500, t('analysis.walkOption', { m: 500, min: 7 })],
              [800, '800 m'],
            ],
            (v) => setParams({ walkM: v }),
          ),
          h('label', {}, t('analysis.metricLabel')),
          select(
            'metric',
            a.metric,
            (Object.keys(METRICS) as AnalysisMetric[]).filter((k) => k !== 'occupancy' || a.history).map((k) => [k, metricLabel(k)]),
            (v) => run({ op: 'setMetric', metric: v }),
          ),
          h('label', {}, t('analysis.displayLabel')),
          select(
            'display',
            a.display,
            [
              ['cells', t('analysis.display.cells')],
              ['heatmap', t('analysis.display.heatmap')],
            ],
            (v) => run({ op: 'setDisplay', display: v }),
          ),
        ),
      );
      kids.push(
        h('div', { class: 'analysis-status', 'data-testid': 'analysis-status', 'data-running': String(a.running) }, a.running ? t('analysis.computing') : ''),
      );
      if (a.error) kids.push(h('div', { class: 'error', 'data-testid': 'analysis-error' }, a.error));
      // legend with real units
      kids.push(
        h(
          'div',
          { class: 'legend analysis-legend', 'data-testid': 'analysis-legend' },
          h(
            'div',
            { class: 'legend-title' },
            t(a.metric === 'occupancy' ? 'analysis.legendTitleTotal' : 'analysis.legendTitle', { metric: metricLabel(a.metric), unit: metricUnit(a.metric) }),
          ),
          ...(a.display === 'heatmap' && a.metric !== 'occupancy' && a.metric !== 'supply'
            ? [
                h(
                  'div',
                  { class: 'legend-row heat-ramp' },
                  t('analysis.heatNote', { what: t(a.metric === 'demand' ? 'analysis.heat.demand' : 'analysis.heat.unmet') }),
                ),
              ]
            : legendSteps(scale).map((s) =>
                h(
                  'div',
                  { class: 'legend-row' },
                  h('span', { class: 'swatch', style: `background:rgba(${s.color[0]},${s.color[1]},${s.color[2]},${s.color[3] / 255})` }),
                  s.label,
                ),
              )),
        ),
      );
      if (r) {
        kids.push(
          h(
            'table',
            {
              class: 'totals',
              'data-testid': 'analysis-totals',
              'data-demand': r.totals.demand.toFixed(3),
              'data-supply': r.totals.supply.toFixed(3),
              'data-unmet': r.totals.unmet.toFixed(3),
              'data-gap': r.totals.gap.toFixed(3),
            },
            h('tr', {}, h('th', {}, t('analysis.demand')), h('td', {}, vehicles(r.totals.demand))),
            h('tr', {}, h('th', {}, t('analysis.publicSupply')), h('td', {}, t('analysis.nSpaces', { n: Math.round(r.totals.supply) }))),
            h('tr', {}, h('th', {}, t('analysis.gap')), h('td', {}, vehicles(r.totals.gap))),
            h('tr', {}, h('th', {}, t('analysis.noSpaceWithin', { m: p.walkM })), h('td', {}, vehicles(r.totals.unmet))),
          ),
        );
        const hard = r.hardest;
        const hardPlace = hard ? placeThenCode(store.entities, hard.lon, hard.lat, hard.cell_id) : '';
        if (hard)
          kids.push(
            h(
              'div',
              { class: 'hardest', 'data-testid': 'analysis-hardest', 'data-cell': hard.cell_id, 'data-unmet': hard.unmet.toFixed(3) },
              h('b', {}, t('analysis.hardest')),
              ...withData(
                `${t('analysis.hardestValue', { cell: hardPlace, demand: n0(hard.demand), supply: n0(hard.supply), unmet: n0(hard.unmet) })} `,
                hardPlace,
              ),
              button(t('analysis.show'), { 'data-testid': 'hardest-go' }, () => {
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
              const cell = placeThenCode(store.entities, c.lon, c.lat, c.cell_id);
              const li = h(
                'li',
                { class: c.cell_id === a.selectedCellId ? 'selected' : '', 'data-cell': c.cell_id },
                ...withData(t('analysis.topCell', { cell, unmet: n0(c.unmet), gap: n0(c.gap), supply: n0(c.supply) }), cell),
              );
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
      kids.push(h('h3', {}, t('analysis.sites')));
      kids.push(
        h(
          'div',
          { class: 'row' },
          h('span', {}, t('analysis.newSpaces')),
          cap,
          button(t('analysis.rankSites'), { 'data-testid': 'find-sites' }, () => run({ op: 'findSites', capacity: Number(cap.value) })),
          a.drawing
            ? button(t('analysis.cancelDrawing'), { 'data-testid': 'draw-cancel' }, () => run({ op: 'cancelDrawing' }))
            : button(t('analysis.drawSite'), { 'data-testid': 'draw-site' }, () => run({ op: 'startDrawing' })),
        ),
      );
      if (a.drawing)
        kids.push(
          h(
            'div',
            { class: 'hint', 'data-testid': 'draw-hint' },
            t('analysis.drawHint', { n: a.drawPoints.length }),
            a.drawPoints.length >= 3
              ? button(t('analysis.finish'), { 'data-testid': 'draw-finish' }, () => run({ op: 'addDrawnSite', ring: [...a.drawPoints] }))
              : '',
          ),
        );
      const hardestId = r?.hardest?.cell_id ?? null;
      const cellList = (cells: Array<{ cell_id: string; served: number }>) =>
        cells
          .slice(0, 3)
          .map((c) => `${c.cell_id} ${n0(c.served)}`)
          .join(', ') + (cells.length > 3 ? ' …' : '');
      if (a.sites.length) {
        // what a rank means, and whether any site reaches the hardest cell at all
        kids.push(h('div', { class: 'muted', 'data-testid': 'rank-means' }, t('analysis.rankMeans')));
        if (hardestId && !a.sites.some((s) => s.cells.some((c) => c.cell_id === hardestId)))
          kids.push(h('div', { class: 'hint', 'data-testid': 'no-site-for-hardest' }, t('analysis.noSiteForHardest', { cell: hardestId })));
        kids.push(
          h(
            'ol',
            { class: 'sites', 'data-testid': 'site-list' },
            ...a.sites.slice(0, 8).map((s) => {
              const hardRelief = s.cells.find((c) => c.cell_id === hardestId)?.served ?? 0;
              const li = h(
                'li',
                {
                  class: s.site_id === a.selectedSiteId ? 'selected' : '',
                  'data-site': s.site_id,
                  'data-covered': s.covered.toFixed(3),
                  'data-cells': s.cells.map((c) => c.cell_id).join(' '),
                },
                // site names are the district data's ("空地 3") or the planner's own
                h('span', { class: 'site-name', 'data-i18n-data': '' }, `${s.name}`),
                // where it is, said as an operator would (the site's own name is a data label such as "空地 3")
                h(
                  'span',
                  { class: 'muted site-place', 'data-i18n-data': '', 'data-testid': 'site-place' },
                  ` ${placeShort(store.entities, s.lon, s.lat) ?? ''}`,
                ),
                ` ${t('analysis.siteCovers', { covered: n0(s.covered), reach: n0(s.reach) })}${s.nearest_walk_m === null ? '' : ` · ${Math.round(s.nearest_walk_m)} m`}${levelsNote(s.site_id, s.capacity)} `,
                button(`+${s.capacity}`, { 'data-testid': `whatif-${s.site_id}`, title: t('analysis.whatIfTitle') }, () =>
                  run({ op: 'whatIf', siteId: s.site_id, capacity: s.capacity }),
                ),
                s.cells.length
                  ? h('div', { class: 'muted site-cells', 'data-testid': 'site-cells' }, t('analysis.siteCells', { cells: cellList(s.cells) }))
                  : null,
                hardRelief > 0 ? h('div', { class: 'site-hardest' }, t('analysis.siteHardest', { n: n0(hardRelief) })) : null,
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
      }
      const w = a.whatIf;
      const relieved = w ? w.delta.filter((d) => d.unmetAfter < d.unmetBefore - 1e-9) : [];
      if (w)
        kids.push(
          h(
            'div',
            { class: 'whatif', 'data-testid': 'whatif-result', 'data-before': w.before.totals.unmet.toFixed(3), 'data-after': w.after.totals.unmet.toFixed(3) },
            h('b', { 'data-i18n-data': '' }, t('analysis.whatIfHead', { site: w.site.name, n: w.site.capacity })),
            h(
              'table',
              { 'data-testid': 'whatif-table' },
              h('tr', {}, h('th', {}), h('th', {}, t('analysis.before')), h('th', {}, t('analysis.after')), h('th', {}, t('analysis.change'))),
              h(
                'tr',
                {},
                h('th', {}, t('analysis.unmetRow')),
                h('td', {}, n0(w.before.totals.unmet)),
                h('td', {}, n0(w.after.totals.unmet)),
                h('td', {}, n0(w.after.totals.unmet - w.before.totals.unmet)),
              ),
              h(
                'tr',
                {},
                h('th', {}, t('analysis.publicSupply')),
                h('td', {}, n0(w.before.totals.supply)),
                h('td', {}, n0(w.after.totals.supply)),
                h('td', {}, `+${n0(w.after.totals.supply - w.before.totals.supply)}`),
              ),
              // every value in its own column: the cell id is in the row's label, the numbers under before / after / change
              ...whatIfCellRows(w).map((c) =>
                h(
                  'tr',
                  { 'data-testid': c.after ? 'whatif-hardest-after' : 'whatif-hardest', 'data-cell': c.cell_id },
                  h('th', {}, t(c.after ? 'analysis.hardestAfter' : 'analysis.hardestBefore', { cell: c.cell_id })),
                  h('td', {}, n0(c.before)),
                  h('td', {}, n0(c.afterUnmet)),
                  h('td', {}, n0(c.afterUnmet - c.before)),
                ),
              ),
            ),
            h(
              'div',
              { 'data-testid': 'whatif-relieved' },
              t('analysis.relievedCells', {
                cells:
                  relieved
                    .slice(0, 4)
                    .map((d) => `${d.cell_id} ${n0(d.unmetBefore)}→${n0(d.unmetAfter)}`)
                    .join(', ') + (relieved.length > 4 ? ' …' : '') || '—',
              }),
            ),
            w.before.hardest && !relieved.some((d) => d.cell_id === w.before.hardest!.cell_id)
              ? h('div', { class: 'hint', 'data-testid': 'whatif-misses-hardest' }, t('analysis.missesHardest', { cell: w.before.hardest.cell_id }))
              : null,
            h('div', {}, t('analysis.improved', { n: w.delta.filter((d) => d.unmetAfter < d.unmetBefore - 0.5).length })),
            button(t('analysis.clearWhatIf'), { 'data-testid': 'whatif-clear' }, () => run({ op: 'clearWhatIf' })),
          ),
        );
      // occupancy history
      kids.push(h('h3', {}, t('analysis.history')));
      kids.push(button(t('analysis.loadHistory'), { 'data-testid': 'load-history' }, () => run({ op: 'loadHistory', hours: 24, stepMin: 30 })));
      const hist = a.history;
      if (hist) {
        const series = hist.series;
        const idx = Math.max(
          0,
          series.findIndex((s) => s.ts === a.historyTs),
        );
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
              ? slider(
                  'history-slider',
                  idx,
                  series.length - 1,
                  (i) => `${fmtDateTime(series[i]!.ts)} · ${fmtPercent(series[i]!.ratio)}`,
                  (i) => run({ op: 'historyTime', ts: series[i]!.ts }),
                )
              : h('div', {}, t('analysis.noHistory')),
            svg,
            h(
              'div',
              { class: 'muted' },
              `${t(hist.truncated ? 'analysis.samplesTruncated' : 'analysis.samples', { n: hist.rows })}${cur ? ` · ${t('analysis.districtOcc', { pct: fmtPercent(cur.ratio) })}` : ''}`,
            ),
          ),
        );
      }
      // exports
      kids.push(h('h3', {}, t('analysis.export')));
      kids.push(
        h(
          'div',
          { class: 'row wrap' },
          button(t('analysis.exportPng'), { 'data-testid': 'export-png' }, () => {
            void exportMap().then((png) => {
              if (!png) return;
              download(`redwall-parking-map-${stamp()}.png`, 'image/png', dataUrlBlob(png));
              run({ op: 'export', what: 'png' });
            });
          }),
          button(t('analysis.exportCells'), { 'data-testid': 'export-csv', disabled: !r }, () => {
            if (!r) return;
            download(`redwall-parking-cells-${stamp()}.csv`, 'text/csv;charset=utf-8', cellsCsv(r));
            run({ op: 'export', what: 'cells-csv' });
          }),
          button(t('analysis.exportSites'), { 'data-testid': 'export-sites-csv', disabled: !a.sites.length }, () => {
            download(`redwall-parking-sites-${stamp()}.csv`, 'text/csv;charset=utf-8', sitesCsv(a.sites));
            run({ op: 'export', what: 'sites-csv' });
          }),
          button(t('analysis.exportReport'), { 'data-testid': 'export-report', disabled: !r }, () => {
            if (!r) return;
            void exportMap().then((png) => {
              const hs = a.history;
              const html = reportHtml({
                // the printable report is bilingual whatever the UI language
                title: tBoth('analysis.report.title'),
                district: deps.districtName(),
                generatedAt: Date.now(),
                result: r,
                sites: a.sites,
                whatIf: a.whatIf,
                mapPng: png,
                history: hs
                  ? {
                      from: hs.from,
                      to: hs.to,
                      rows: hs.rows,
                      meanRatio: hs.series.length ? hs.series.reduce((s, x) => s + x.ratio, 0) / hs.series.length : null,
                    }
                  : null,
              });
              download(`redwall-parking-report-${stamp()}.html`, 'text/html;charset=utf-8', html);
              run({ op: 'export', what: 'report' });
            });
          }),
          button(t('analysis.sqlConsole'), { 'data-testid': 'sql-toggle' }, () => deps.stage.classList.toggle('console-open')),
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
