/**
 * Left-panel section: grid management. The busiest grid cells of the last 24 h (events by kind, open, acknowledgement
 * median and on-time share), the cell's staff and its elders (from the people service's aggregates). A click flies
 * to the cell. Numbers from grid/performance.ts (pure; the wall's response-time rules).
 */
import { autorun, when } from 'mobx';
import { categoryLabel } from '../layers/alarms/format.ts';
import { fmtDuration, fmtNumber, fmtPercent, t } from '../i18n.ts';
import { gridPerformance } from '../grid/performance.ts';
import type { RootStore } from '../stores/root.ts';
import { h } from './dom.ts';

const DAY_MS = 24 * 3600_000;
const SHOWN = 8;

export function mountGridPanel(store: RootStore, box: HTMLElement): () => void {
  // the staff roster and elder counts come with the density aggregates: ask once the feed is up
  const stopLoad = when(
    () => store.feed.status === 'live',
    () => void store.people.ensureDensity(),
  );
  const dispose = autorun(() => {
    void store.ui.locale;
    const now = store.feed.now15s;
    const perf = gridPerformance(store.realLive.alarms, store.people.grids, now, DAY_MS);
    const density = new Map(store.people.density.map((d) => [d.gridId, d]));
    box.replaceChildren(
      h('h2', {}, t('grid.title')),
      h('div', { class: 'muted' }, t('grid.summary', { n: perf.length })),
      h(
        'table',
        { class: 'grid-table', 'data-testid': 'grid-table' },
        h('thead', {}, h('tr', {}, ...(['grid.col.grid', 'grid.col.open', 'grid.col.ack', 'grid.col.ontime'] as const).map((k) => h('th', {}, t(k))))),
        h(
          'tbody',
          {},
          ...perf.slice(0, SHOWN).map((g) => {
            const d = density.get(g.gridId);
            const tr = h(
              'tr',
              { 'data-grid': g.gridId, 'data-open': String(g.open), 'data-events': String(g.events), class: g.waiting ? 'waiting' : '' },
              h('td', {}, g.gridId, h('div', { class: 'muted', 'data-i18n-data': '' }, d ? d.staff : '')),
              h('td', { class: 'n' }, `${fmtNumber(g.open)}/${fmtNumber(g.events)}`),
              h('td', { class: 'n' }, Number.isFinite(g.ackP50) ? fmtDuration(g.ackP50) : '—'),
              h('td', { class: 'n' }, Number.isFinite(g.withinTarget) ? fmtPercent(g.withinTarget, 0) : '—'),
            );
            tr.title = [Object.entries(g.byCategory).map(([c, n]) => `${categoryLabel(c as Parameters<typeof categoryLabel>[0])} ${n}`).join(' · '), d ? t('grid.elders', { elderly: d.elderly, alone: d.aloneElderly }) : ''].filter(Boolean).join('\n');
            tr.onclick = () => {
              const cell = store.people.grids.find((c) => c.id === g.gridId);
              if (cell) void store.command({ type: 'focus', lon: (cell.west + cell.east) / 2, lat: (cell.south + cell.north) / 2, what: `grid:${g.gridId}`, rangeM: 900 });
            };
            return tr;
          }),
        ),
      ),
      perf.length ? '' : h('div', { class: 'empty' }, t('grid.none')),
    );
  });
  return () => {
    dispose();
    stopLoad();
  };
}
