/**
 * Left-panel section: grid management. The busiest grid cells of the last 24 h (events by kind, open, acknowledgement
 * median and on-time share), the cell's staff and its elders (from the people service's aggregates). A click flies
 * to the cell. Numbers from grid/performance.ts (pure; the wall's response-time rules).
 */
import { autorun, when } from 'mobx';
import { categoryLabel } from '../layers/alarms/format.ts';
import { fmtDuration, fmtNumber, fmtPercent, t } from '../i18n.ts';
import { gridPerformance, type GridPerformance } from '../grid/performance.ts';
import { beijingToday, gridWork, requestsOf, tasksOf } from '../work/format.ts';
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
    // 人地物事: the cell's events (alarms) and its people work (citizen requests, visit tasks)
    void store.realLive.versions.request;
    void store.realLive.versions.task;
    const work = gridWork(requestsOf(store.realLive.world), tasksOf(store.realLive.world), now, beijingToday(now));
    const byId = new Map(perf.map((g) => [g.gridId, g]));
    const none: GridPerformance = { gridId: '', events: 0, open: 0, byCategory: {}, ackP50: Number.NaN, withinTarget: Number.NaN, waiting: 0 };
    const ids = [...new Set([...byId.keys(), ...work.keys()])];
    const late = (id: string) => (byId.get(id)?.waiting ?? 0) + (work.get(id)?.overdueRequests ?? 0) + (work.get(id)?.overdueTasks ?? 0);
    const load = (id: string) => (byId.get(id)?.open ?? 0) + (work.get(id)?.openRequests ?? 0) + (work.get(id)?.openTasks ?? 0);
    ids.sort((a, b) => late(b) - late(a) || load(b) - load(a) || a.localeCompare(b));
    const rows = ids.map((id) => ({ ...(byId.get(id) ?? none), gridId: id, work: work.get(id) }));
    box.replaceChildren(
      h('h2', {}, t('grid.title')),
      h('div', { class: 'muted' }, t('grid.summary', { n: rows.length })),
      h(
        'table',
        { class: 'grid-table', 'data-testid': 'grid-table' },
        h(
          'thead',
          {},
          h('tr', {}, ...(['grid.col.grid', 'grid.col.open', 'grid.col.ack', 'grid.col.ontime', 'grid.col.work'] as const).map((k) => h('th', {}, t(k)))),
        ),
        h(
          'tbody',
          {},
          ...rows.slice(0, SHOWN).map((g) => {
            const d = density.get(g.gridId);
            const tr = h(
              'tr',
              {
                'data-grid': g.gridId,
                'data-open': String(g.open),
                'data-events': String(g.events),
                'data-requests': String(g.work?.openRequests ?? 0),
                'data-overdue-requests': String(g.work?.overdueRequests ?? 0),
                'data-tasks': String(g.work?.openTasks ?? 0),
                class: g.waiting || g.work?.overdueRequests || g.work?.overdueTasks ? 'waiting' : '',
              },
              h('td', {}, g.gridId, h('div', { class: 'muted', 'data-i18n-data': '' }, d ? d.staff : '')),
              h('td', { class: 'n' }, `${fmtNumber(g.open)}/${fmtNumber(g.events)}`),
              h('td', { class: 'n' }, Number.isFinite(g.ackP50) ? fmtDuration(g.ackP50) : '—'),
              h('td', { class: 'n' }, Number.isFinite(g.withinTarget) ? fmtPercent(g.withinTarget, 0) : '—'),
              h(
                'td',
                { class: 'n', title: t('grid.work.title') },
                g.work ? t('grid.work', { requests: g.work.openRequests, late: g.work.overdueRequests, tasks: g.work.openTasks }) : '—',
              ),
            );
            tr.title = [
              Object.entries(g.byCategory)
                .map(([c, n]) => `${categoryLabel(c as Parameters<typeof categoryLabel>[0])} ${n}`)
                .join(' · '),
              d ? t('grid.elders', { elderly: d.elderly, alone: d.aloneElderly }) : '',
            ]
              .filter(Boolean)
              .join('\n');
            tr.onclick = () => {
              const cell = store.people.grids.find((c) => c.id === g.gridId);
              if (cell)
                void store.command({
                  type: 'focus',
                  lon: (cell.west + cell.east) / 2,
                  lat: (cell.south + cell.north) / 2,
                  what: `grid:${g.gridId}`,
                  rangeM: 900,
                });
            };
            return tr;
          }),
        ),
      ),
      rows.length ? '' : h('div', { class: 'empty' }, t('grid.none')),
    );
  });
  return () => {
    dispose();
    stopLoad();
  };
}
