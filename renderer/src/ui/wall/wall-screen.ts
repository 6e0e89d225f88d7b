/**
 * Large-screen (video wall) screens: the overview (KPI columns around the live map) and the dashboard (KPIs only, no
 * map: a second wall display). Dark, high-contrast, large type, no hover-only information; numbers come from the pure
 * KPI functions (wall/kpi.ts) over the live stores, charts from pure ECharts options (options.ts).
 */
import { autorun, computed, type IReactionDisposer } from 'mobx';
import { STREAMS } from '../../../../data-pipelines/contracts/events.ts';
import { taskOverdue } from '../../../../data-pipelines/contracts/tasks.ts';
import { beijingToday, deskSummary, requestsOf, tasksOf } from '../../work/format.ts';
import type { DistrictMeta } from '../../data/district.ts';
import { fmtDate, fmtDuration, fmtNumber, fmtPercent, fmtTime, locale, t, type StringKey } from '../../i18n.ts';
import { alarmHasPlace, alarmTitle, PRIORITY_COLORS } from '../../layers/alarms/format.ts';
import { cssColor } from '../../palette.ts';
import { FEED_STATUS_KEY, streamStatus } from '../../stores/feed-store.ts';
import { journalPill } from '../journal-health.ts';
import { sourcesTroublePill } from '../sources-panel.ts';
import type { RootStore } from '../../stores/root.ts';
import { ACK_TARGET_S, alarmMatrix, raisedPerHour, responseTimes } from '../../wall/kpi.ts';
import type { WallStore } from '../../wall/wall-store.ts';
import { button, h } from '../dom.ts';
import { ChartWidget } from './chart.ts';
import { alarmMatrixOption, parkingGaugeOption, raisedOption, responseOption, trendOption, WALL_ACCENT } from './options.ts';

export interface WallDeps {
  screen: 'wall' | 'dashboard';
  meta: DistrictMeta;
  wall: WallStore;
  /** opens the multi-display layout dialog */
  openScreens: () => void;
  toggleFullScreen: () => void;
}

const CHARTS = ['alarms', 'response', 'raised', 'gauge', 'parkingTrend', 'feed'] as const;
type ChartId = (typeof CHARTS)[number];
const CHART_TITLE: Record<ChartId, StringKey> = {
  alarms: 'wall.chart.alarms',
  response: 'wall.chart.response',
  raised: 'wall.chart.raised',
  gauge: 'wall.chart.parking',
  parkingTrend: 'wall.chart.parkingTrend',
  feed: 'wall.chart.feed',
};
const DAY_MS = 24 * 3600_000;

/** Lists that say how many rows they do not show: the footer's text, and the rows not even rendered (beyond a cap). */
const MORE = new WeakMap<HTMLElement, { text: (n: number) => string; beyond: number }>();

/**
 * A wall list shows the rows that fit whole: rows that would be cut at the list's bottom edge are hidden (a wall has
 * no scroll bar, and half a line reads as a broken screen). The first row always shows. A list given `more` ends with
 * a footer ("+3 条未显示") whenever any row is not shown, the rows hidden to make room for it counted: an alarm that
 * does not fit is never silently gone from the wall.
 */
export function fitRows(list: HTMLElement, more?: { text: (n: number) => string; beyond: number }): void {
  if (more) MORE.set(list, more);
  const m = MORE.get(list);
  list.querySelector(':scope > li.wall-more')?.remove();
  const rows = [...list.children] as HTMLElement[];
  for (const r of rows) r.hidden = false;
  const bottom = list.clientHeight;
  const fits = (r: HTMLElement) => r.offsetTop - list.offsetTop + r.offsetHeight <= bottom + 0.5;
  let cut = false;
  rows.forEach((r, i) => {
    cut ||= i > 0 && !fits(r);
    r.hidden = cut;
  });
  if (!m) return;
  let hidden = rows.filter((r) => r.hidden).length;
  if (hidden + m.beyond === 0) return;
  const footer = h('li', { class: 'wall-more', 'data-testid': 'wall-more' });
  list.append(footer);
  // room for the footer: hide the last shown rows (never the first) until it fits
  for (let i = rows.length - 1; ; i--) {
    footer.textContent = m.text(hidden + m.beyond);
    footer.dataset['count'] = String(hidden + m.beyond);
    if (fits(footer) || i < 1) break;
    if (!rows[i]!.hidden) {
      rows[i]!.hidden = true;
      hidden++;
    }
  }
}

export function mountWall(store: RootStore, app: HTMLElement, deps: WallDeps): () => void {
  const disposers: IReactionDisposer[] = [];
  const { wall } = deps;
  document.body.classList.add(`screen-${deps.screen}`);

  const top = h('header', { id: 'wall-top', 'data-testid': 'wall-top' });
  const card = (id: string, titleKey: StringKey | null, body: HTMLElement) => {
    const title = h('div', { class: 'wall-card-title' });
    const el = h('section', { class: `wall-card wall-card-${id}`, 'data-testid': `wall-card-${id}` }, title, body, id === 'tiles' ? null : wait());
    disposers.push(
      autorun(() => {
        void store.ui.locale;
        title.textContent = titleKey ? t(titleKey) : '';
        title.hidden = !titleKey;
      }),
    );
    return el;
  };
  const tiles = h('div', { class: 'wall-tiles', 'data-testid': 'wall-kpis' });
  const chartEls = Object.fromEntries(CHARTS.map((c) => [c, h('div', { class: 'wall-chart', 'data-testid': `wall-chart-${c}` })])) as unknown as Record<
    ChartId,
    HTMLElement
  >;
  // Before the first state has arrived the cards say so (starting up), instead of empty axes and zeros that read as
  // an outage; feedPhase (stores/feed-store.ts) tells starting up from stalled.
  const waits: HTMLElement[] = [];
  const wait = () => {
    const el = h('div', { class: 'wall-wait', 'data-testid': 'wall-wait' });
    waits.push(el);
    return el;
  };
  const latest = h('ol', { class: 'wall-latest', 'data-testid': 'wall-latest' });
  const fullest = h('ol', { class: 'wall-fullest', 'data-testid': 'wall-fullest' });
  const parkingNote = h('div', { class: 'wall-note' });
  const targets = h('div', { class: 'wall-note' });

  const cards = {
    tiles: card('tiles', null, tiles),
    alarms: card('alarms', CHART_TITLE.alarms, chartEls.alarms),
    response: card('response', CHART_TITLE.response, h('div', { class: 'wall-stack' }, chartEls.response, targets)),
    raised: card('raised', CHART_TITLE.raised, chartEls.raised),
    parking: card(
      'parking',
      'wall.chart.parking',
      h('div', { class: 'wall-parking' }, chartEls.gauge, h('div', { class: 'wall-parking-side' }, fullest, parkingNote)),
    ),
    parkingTrend: card('parkingTrend', CHART_TITLE.parkingTrend, chartEls.parkingTrend),
    feed: card('feed', CHART_TITLE.feed, chartEls.feed),
    latest: card('latest', 'wall.chart.latest', latest),
  };

  const added: HTMLElement[] = [top];
  if (deps.screen === 'wall') {
    const left = h('aside', { id: 'wall-left', class: 'wall-col', 'data-testid': 'wall-left' }, cards.tiles, cards.alarms, cards.response, cards.raised);
    const right = h('aside', { id: 'wall-right', class: 'wall-col', 'data-testid': 'wall-right' }, cards.parking, cards.parkingTrend, cards.feed, cards.latest);
    added.push(left, right);
  } else {
    added.push(
      h(
        'main',
        { id: 'wall-grid', 'data-testid': 'wall-grid' },
        cards.tiles,
        cards.alarms,
        cards.response,
        cards.latest,
        cards.parking,
        cards.parkingTrend,
        cards.raised,
        cards.feed,
      ),
    );
  }
  app.append(...added);
  const lists = [latest, fullest];
  const listSize = new ResizeObserver(() => lists.forEach((l) => fitRows(l)));
  for (const l of lists) listSize.observe(l);
  const charts = Object.fromEntries(CHARTS.map((c) => [c, new ChartWidget(chartEls[c])])) as unknown as Record<ChartId, ChartWidget>;
  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const starting = store.feed.phase === 'starting';
      document.body.classList.toggle('wall-starting', starting);
      for (const w of waits) {
        w.hidden = !starting;
        w.textContent = starting ? t('wall.starting') : '';
      }
    }),
  );

  // Title bar: district, date and time (ticks with the feed clock), feed state, drill badge, screen controls.
  const clock = h('div', { class: 'wall-clock', 'data-testid': 'wall-clock' });
  const status = h('div', { class: 'wall-status' });
  const controls = h('div', { class: 'wall-controls' });
  const logo = h('span', { class: 'brand-mark', lang: 'zh-CN', 'aria-hidden': 'true' }, '红'); // i18n-exempt: logo glyph
  top.append(
    h('div', { class: 'wall-top-side' }, clock),
    h('div', { class: 'wall-title' }, logo, h('span', { class: 'wall-title-text' })),
    h('div', { class: 'wall-top-side right' }, status, controls),
  );
  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const loc = locale();
      (top.querySelector('.wall-title-text') as HTMLElement).textContent =
        `${t(deps.screen === 'wall' ? 'wall.title' : 'wall.dashboardTitle')} · ${deps.meta.name[loc]}`;
      controls.replaceChildren(
        button(
          loc === 'zh-CN' ? 'EN' : '中文', // i18n-exempt: language name
          { 'data-testid': 'wall-lang' },
          () => void store.command({ type: 'setLocale', locale: loc === 'zh-CN' ? 'en' : 'zh-CN' }),
        ),
        button(t('wall.screens'), { 'data-testid': 'wall-screens' }, deps.openScreens),
        button(t('wall.fullscreen'), { 'data-testid': 'wall-fullscreen', title: 'F11' }, deps.toggleFullScreen),
        button(t('wall.exit'), { 'data-testid': 'wall-exit' }, () => void store.command({ type: 'setScreen', screen: 'console' })),
      );
    }),
    autorun(() => {
      void store.ui.locale;
      const now = store.feed.now;
      clock.textContent = t('wall.clock', { date: fmtDate(now), time: fmtTime(now) });
    }),
    autorun(() => {
      void store.ui.locale;
      const f = store.feed;
      const drills = store.realLive.alarms.filter((a) => a.drill && a.state !== 'closed').length;
      status.replaceChildren(
        h(
          'span',
          { class: `feed-pill ${f.phase}`, 'data-testid': 'wall-feed', 'data-status': f.status, 'data-phase': f.phase },
          `${t('feed')}: ${t(FEED_STATUS_KEY[f.phase])}`,
        ),
        journalPill(f.journal),
        sourcesTroublePill(store.sources.troubleIds),
        f.simulated ? h('span', { class: 'sim-badge' }, t('simulated')) : '',
        drills ? h('span', { class: 'wall-drill' }, `${t('wall.drillRunning')} (${drills})`) : '',
      );
    }),
  );

  // Streams in order: evaluated every second (stale detection), but the tiles below re-run only when the count changes.
  const streamsOk = computed(
    () => STREAMS.filter((s) => ['live', 'quiet'].includes(streamStatus(s, store.realLive.health[s], store.feed.status, store.feed.now))).length,
  );
  // Citizen requests (last 7 days' three rates; open and overdue over all open requests) and open visit tasks, on their streams and the 15 s clock.
  const workSummary = computed(() => {
    void store.realLive.versions.request;
    void store.realLive.versions.task;
    const now = store.feed.now15s;
    const requests = requestsOf(store.realLive.world);
    const today = beijingToday(now);
    const open = tasksOf(store.realLive.world).filter((x) => x.state === 'open');
    return { ...deskSummary(requests, now), visits: open.length, lateVisits: open.filter((x) => taskOverdue(x, today)).length };
  });
  // KPI tiles and the alarm charts: on alarm changes (and every 15 s for waiting times).
  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const loc = locale();
      const alarms = store.realLive.alarms;
      const now = store.feed.now15s;
      const c = store.realLive.counts;
      const resp = responseTimes(alarms, now, DAY_MS);
      const all = resp[0]!;
      void wall.version;
      const p = wall.pressure;
      const ok = streamsOk.get();
      const work = workSummary.get();
      // starting up: no number yet (not zero), in a neutral colour; the title bar says 启动中
      const starting = store.feed.phase === 'starting';
      const tile = (id: string, key: StringKey, value: string, cls = '', raw?: number) =>
        starting
          ? h(
              'div',
              { class: 'wall-tile starting', 'data-testid': `wall-kpi-${id}`, 'data-value': '-1', 'data-phase': 'starting', title: t('wall.starting') },
              h('div', { class: 'wall-tile-value' }, '—'),
              h('div', { class: 'wall-tile-label' }, t(key)),
            )
          : h(
              'div',
              { class: `wall-tile ${cls}`, 'data-testid': `wall-kpi-${id}`, ...(raw !== undefined ? { 'data-value': String(raw) } : {}) },
              h('div', { class: 'wall-tile-value' }, value),
              h('div', { class: 'wall-tile-label' }, t(key)),
            );
      tiles.replaceChildren(
        tile('open', 'wall.kpi.open', fmtNumber(c.open), c.open ? 'alarm' : '', c.open),
        tile('critical', 'wall.kpi.critical', fmtNumber(c.critical), c.critical ? 'alarm' : '', c.critical),
        tile('unacked', 'wall.kpi.unacked', fmtNumber(c.unacked), c.unacked ? 'warning' : '', c.unacked),
        tile(
          'wait',
          'wall.kpi.longestWait',
          all.waiting ? fmtDuration(all.longestWaitS) : t('wall.none'),
          all.waiting && all.longestWaitS > ACK_TARGET_S[3] ? 'alarm' : '',
          Math.round(all.longestWaitS),
        ),
        tile(
          'ontime',
          'wall.kpi.withinTarget',
          Number.isFinite(all.withinTarget) ? fmtPercent(all.withinTarget, 0) : '—',
          Number.isFinite(all.withinTarget) && all.withinTarget < 0.8 ? 'warning' : 'ok',
          Number.isFinite(all.withinTarget) ? Math.round(all.withinTarget * 1000) / 1000 : -1,
        ),
        tile(
          'parking',
          'wall.kpi.parking',
          Number.isFinite(p.ratio) ? fmtPercent(p.ratio, 0) : '—',
          p.ratio >= 0.9 ? 'alarm' : p.ratio >= 0.7 ? 'warning' : 'ok',
          Number.isFinite(p.ratio) ? Math.round(p.ratio * 1000) / 1000 : -1,
        ),
        tile(
          'wells',
          'wall.kpi.wells',
          `${fmtNumber(c.wellAlarm)}/${fmtNumber(c.wellWarning)}`,
          c.wellAlarm ? 'alarm' : c.wellWarning ? 'warning' : 'ok',
          c.wellAlarm,
        ),
        tile('streams', 'wall.kpi.streams', `${ok}/${STREAMS.length}`, ok < STREAMS.length ? 'warning' : 'ok', ok),
        // 接诉即办 and visits: the people side of the district on the same wall
        tile('requests', 'wall.kpi.requests', `${fmtNumber(work.open)}/${fmtNumber(work.overdue)}`, work.overdue ? 'alarm' : 'ok', work.overdue),
        tile(
          'response',
          'wall.kpi.responseRate',
          Number.isFinite(work.rates.responseRate) ? fmtPercent(work.rates.responseRate, 0) : '—',
          work.rates.responseRate < 0.9 ? 'warning' : 'ok',
          Number.isFinite(work.rates.responseRate) ? Math.round(work.rates.responseRate * 1000) / 1000 : -1,
        ),
        tile(
          'satisfaction',
          'wall.kpi.satisfaction',
          Number.isFinite(work.rates.satisfactionRate) ? fmtPercent(work.rates.satisfactionRate, 0) : '—',
          work.rates.satisfactionRate < 0.9 ? 'warning' : 'ok',
          Number.isFinite(work.rates.satisfactionRate) ? Math.round(work.rates.satisfactionRate * 1000) / 1000 : -1,
        ),
        tile('visits', 'wall.kpi.visits', `${fmtNumber(work.visits)}/${fmtNumber(work.lateVisits)}`, work.lateVisits ? 'warning' : 'ok', work.visits),
      );
      charts.alarms.set(alarmMatrixOption(alarmMatrix(alarms), loc));
      charts.response.set(responseOption(resp, loc));
      charts.raised.set(raisedOption(raisedPerHour(alarms, now, 24), loc));
      targets.textContent = t('wall.targets', { p1: ACK_TARGET_S[1], p2: ACK_TARGET_S[2], p3: ACK_TARGET_S[3] });
    }),
  );

  // Newest open alarms (critical first, as the console sorts them); a click selects it on every screen.
  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const now = store.feed.now;
      const all = store.realLive.openAlarms.filter((a) => !a.drill);
      const open = all.slice(0, 8);
      latest.replaceChildren(
        ...(open.length
          ? open.map((a) => {
              const li = h(
                'li',
                {
                  class: `wall-alarm p${a.priority}${store.ui.selectedAlarmId === a.alarmId ? ' selected' : ''}`,
                  'data-alarm': a.alarmId,
                  style: `border-left-color:${cssColor(PRIORITY_COLORS[a.priority])}`,
                },
                h('span', { class: 'wall-alarm-title' }, alarmTitle(a)),
                h('span', { class: 'wall-alarm-age' }, fmtDuration((now - a.raisedAt) / 1000)),
              );
              li.onclick = () => {
                void store.command({ type: 'selectAlarm', alarmId: a.alarmId });
                // an alarm about a data source has no place on the map (alarmHasPlace)
                if (alarmHasPlace(a)) void store.command({ type: 'focus', lon: a.lon, lat: a.lat, what: a.alarmId });
              };
              return li;
            })
          : [h('li', { class: 'empty' }, t(store.feed.phase === 'starting' ? 'wall.starting' : 'noAlarms'))]),
      );
      fitRows(latest, { text: (n) => t('wall.moreAlarms', { n }), beyond: all.length - open.length });
    }),
  );

  // Parking and feed trends: on every wall sample.
  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const loc = locale();
      void wall.version;
      const p = wall.pressure;
      charts.gauge.set(parkingGaugeOption(p, loc));
      fullest.replaceChildren(
        h('li', { class: 'wall-note' }, t('wall.chart.fullest')),
        ...p.fullest.map((l) =>
          h(
            'li',
            { 'data-place': l.id },
            h('span', {}, l.name),
            h('span', { class: l.ratio >= 0.9 ? 'alarm' : l.ratio >= 0.7 ? 'warning' : 'ok' }, `${fmtPercent(l.ratio, 0)} · ${t('wall.free', { n: l.free })}`),
          ),
        ),
      );
      fitRows(fullest);
      parkingNote.textContent = [
        t('wall.reporting', { n: p.reporting, total: p.places }),
        wall.historyError ? t('wall.historyFailed', { error: wall.historyError }) : '',
      ]
        .filter(Boolean)
        .join(' · ');
      charts.parkingTrend.set(
        trendOption([{ name: t('wall.series.occupancy'), color: '#ffb703', points: wall.parkingSeries(), area: true }], { percent: true, loc }),
      );
      charts.feed.set(
        trendOption(
          [
            { name: t('wall.series.allStreams'), color: WALL_ACCENT, points: wall.rateSeries('all'), area: true },
            { name: t('manholes'), color: '#8ecae6', points: wall.rateSeries('manhole') },
            { name: t('parking'), color: '#ffb703', points: wall.rateSeries('parking') },
            { name: t('alarms'), color: '#ef233c', points: wall.rateSeries('alarm') },
          ],
          { loc },
        ),
      );
    }),
  );

  return () => {
    disposers.forEach((d) => d());
    listSize.disconnect();
    for (const c of Object.values(charts)) c.destroy();
    for (const el of added) el.remove();
    document.body.classList.remove(`screen-${deps.screen}`, 'wall-starting');
  };
}
