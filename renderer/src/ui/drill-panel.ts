/**
 * Drills and after-action review: start/stop a scenario (shipped files or one loaded from disk, validated here
 * first), a DRILL banner on every screen while one runs, replay of any journal window with a timeline
 * (play/pause/seek/speed), and the after-action report with CSV and printable HTML export.
 */
import { mayOperate } from '../../../data-pipelines/contracts/auth.ts';
import { autorun, observable, reaction, runInAction, type IReactionDisposer } from 'mobx';
import {
  afterActionReport,
  reportCsv,
  reportHtml,
  reportPlanCsv,
  reportStepsCsv,
  type AfterActionReport,
} from '../../../data-pipelines/contracts/after-action.ts';
import type { DrillAck, DrillListEmpty, DrillStatus } from '../../../data-pipelines/contracts/events.ts';
import { parseScenario } from '../../../data-pipelines/contracts/scenario.ts';
import { errorText, fmtTime, t, type StringKey } from '../i18n.ts';
import { markerLabel, ReplayController } from '../feed/replay.ts';
import { categoryLabel } from '../layers/alarms/format.ts';
import type { RootStore } from '../stores/root.ts';
import { button, download, h } from './dom.ts';

type Scenarios = NonNullable<Extract<DrillAck, { ok: true }>['scenarios']>;
type ListAck = Extract<DrillAck, { ok: true }>;

const EMPTY_KEY: Record<DrillListEmpty, StringKey> = {
  'no-folder': 'drill.list.noFolder',
  'folder-missing': 'drill.list.folderMissing',
  'no-files': 'drill.list.noFiles',
  'all-invalid': 'drill.list.allInvalid',
};

/**
 * What the drill panel says about its scenario list (pure, unit-tested): the reasons the list is empty — never a
 * silently disabled start button — and the files left out as invalid. Keys and params for t().
 */
export function scenarioListNotes(list: {
  answered: ListAck | null;
  listError: string;
  feedLive: boolean;
}): Array<{ key: StringKey; params?: Record<string, string | number> }> {
  const out: Array<{ key: StringKey; params?: Record<string, string | number> }> = [];
  const a = list.answered;
  if (!a?.scenarios?.length) {
    if (list.listError) out.push({ key: 'drill.list.failed', params: { error: list.listError } });
    else if (!a) out.push({ key: list.feedLive ? 'drill.list.loading' : 'drill.list.waiting' });
    else out.push({ key: EMPTY_KEY[a.emptyBecause ?? 'no-files'] });
  }
  for (const f of a?.invalid ?? []) out.push({ key: 'drill.list.invalid', params: { file: f.file, error: f.error } });
  return out;
}

/** Drill runs known to the live feed (latest status per run), newest first. */
export function drillRuns(store: RootStore): DrillStatus[] {
  void store.realLive.versions.drill;
  const out: DrillStatus[] = [];
  for (const ev of store.realLive.world.byStream.drill.values()) if (ev.kind === 'drill.status') out.push(ev);
  return out.sort((a, b) => b.startedAt - a.startedAt);
}

export function runningDrill(store: RootStore): DrillStatus | null {
  return drillRuns(store).find((d) => d.state === 'started' || d.state === 'step') ?? null;
}

export function mountDrillPanel(store: RootStore, box: HTMLElement): () => void {
  const state = observable(
    {
      scenarios: [] as Scenarios,
      listed: null as ListAck | null,
      listError: '',
      message: '',
      error: '',
      loading: false,
      report: null as AfterActionReport | null,
    },
    {},
    { deep: false },
  );
  const set = (patch: Partial<typeof state>) => runInAction(() => Object.assign(state, patch));
  // the list is retried every 5 s until it arrives: nothing to report while the feed is still connecting
  const refresh = () => {
    if (!store.sink || store.feed.status !== 'live') return;
    void store.sink.call('drill', { op: 'list' }).then(
      (a) => set(a.ok ? { scenarios: a.scenarios ?? [], listed: a, listError: '' } : { listError: a.error }),
      (e: unknown) => set({ listError: errorText(e) }),
    );
  };
  setTimeout(refresh, 500);
  const poll = setInterval(() => state.scenarios.length || refresh(), 5_000);

  const openReplay = async (from: number, to: number, label: string, drillId?: string) => {
    if (!store.sink) return;
    set({ loading: true, error: '', report: null });
    void store.command({ type: 'replay', op: 'open', from, to, ...(drillId ? { drillId } : {}) });
    try {
      const w = await store.sink.call('journal', { from, to });
      if (store.replay instanceof ReplayController) store.replay.destroy();
      const r = new ReplayController(w, label, drillId);
      store.setReplay(r);
      set({ loading: false, message: w.truncated ? t('drill.truncated', { n: w.events.length }) : '' });
    } catch (e) {
      set({ loading: false, error: errorText(e) });
    }
  };
  const closeReplay = () => {
    const r = store.replay;
    if (r instanceof ReplayController) r.destroy();
    store.setReplay(null);
    set({ report: null });
    void store.command({ type: 'replay', op: 'close' });
  };

  const fileInput = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'drill-file', hidden: true });
  fileInput.onchange = () => {
    const f = fileInput.files?.[0];
    if (!f) return;
    void f.text().then((text) => {
      const p = parseScenario(text);
      if (!p.ok) return set({ error: t('drill.scenarioInvalid', { file: f.name, errors: p.errors.join('; ') }) });
      set({ error: '' });
      void store.command({ type: 'drill', op: 'start', scenario: text }).then((r) => r && !r.ok && set({ error: r.error }));
    });
    fileInput.value = '';
  };

  const disposers: IReactionDisposer[] = [];
  disposers.push(
    reaction(
      () => store.feed.status === 'live',
      (live) => live && !state.scenarios.length && refresh(),
    ),
    autorun(() => {
      void store.ui.locale;
      const running = runningDrill(store);
      const runs = drillRuns(store).slice(0, 8);
      const replay = store.replay instanceof ReplayController ? store.replay : null;
      const btn = (label: string, testid: string, on: () => void, attrs: Record<string, string | boolean> = {}) =>
        button(label, { 'data-testid': testid, ...attrs }, on);
      // scenario and drill names are the files' own (data, not translated)
      const select = h(
        'select',
        { 'data-testid': 'drill-scenario', 'data-i18n-data': '' },
        ...state.scenarios.map((s) =>
          h('option', { value: s.file }, t('drill.scenarioOption', { name: s.name, steps: s.steps, min: Math.round(s.durationS / 60) })),
        ),
      );
      const children: Array<HTMLElement | string> = [h('h2', {}, t('drill.title'))];
      // starting and stopping drills is the duty operator's (the server refuses other roles)
      const user = store.people.user;
      const mayRun = !user || mayOperate(user, 'drill');
      if (running)
        children.push(
          h(
            'p',
            { class: 'drill-running', 'data-testid': 'drill-running', 'data-drill': running.drillId, 'data-i18n-data': '' },
            t('drill.running', { name: running.name }),
          ),
        );
      if (running && mayRun) {
        children.push(
          btn(t('drill.stop'), 'drill-stop', () => void store.command({ type: 'drill', op: 'stop' }).then((r) => r && !r.ok && set({ error: r.error }))),
        );
      } else if (mayRun) {
        children.push(
          select,
          h(
            'div',
            { class: 'actions' },
            btn(
              t('drill.start'),
              'drill-start',
              () => void store.command({ type: 'drill', op: 'start', scenario: select.value }).then((r) => r && !r.ok && set({ error: r.error })),
              state.scenarios.length ? {} : { disabled: true },
            ),
            btn(t('drill.load'), 'drill-load', () => fileInput.click()),
          ),
        );
      }
      // an empty scenario list always says why (waiting for the feed, no folder, no files, all invalid, an error)
      if (mayRun && !running) {
        for (const n of scenarioListNotes({ answered: state.listed, listError: state.listError, feedLive: store.feed.status === 'live' }))
          children.push(
            h(
              'p',
              {
                class: n.key === 'drill.list.loading' || n.key === 'drill.list.waiting' ? 'muted' : 'warn',
                'data-testid': 'drill-list-note',
                'data-note': n.key,
                ...(n.params ? { 'data-i18n-data': '' } : {}),
              },
              t(n.key, n.params),
            ),
          );
      }
      if (state.error) children.push(h('p', { class: 'warn', 'data-testid': 'drill-error' }, state.error));
      if (state.message) children.push(h('p', { class: 'muted' }, state.message));

      if (!replay) {
        const now = Date.now();
        children.push(
          h('h3', {}, t('drill.replay')),
          h(
            'div',
            { class: 'actions' },
            btn(t('drill.last15'), 'replay-15m', () => void openReplay(now - 15 * 60_000, now, t('drill.last15'))),
            btn(t('drill.last1h'), 'replay-1h', () => void openReplay(now - 3600_000, now, t('drill.last1h'))),
          ),
          h(
            'ul',
            { class: 'drill-runs' },
            ...runs.map((d) => {
              const li = h(
                'li',
                { 'data-testid': 'drill-run', 'data-drill': d.drillId, 'data-state': d.state },
                `${fmtTime(d.startedAt)} `,
                h('span', { 'data-i18n-data': '' }, d.name),
                ` · ${t(`drill.state.${d.state}`)}`,
              );
              li.onclick = () =>
                void openReplay(d.startedAt - 5_000, d.state === 'ended' || d.state === 'aborted' ? d.ts + 30_000 : Date.now(), d.name, d.drillId);
              return li;
            }),
          ),
        );
        if (state.loading) children.push(h('p', { class: 'muted' }, t('drill.reading')));
      } else {
        const slider = h('input', {
          type: 'range',
          min: String(replay.from),
          max: String(replay.to),
          step: '1000',
          value: String(replay.t),
          'data-testid': 'replay-slider',
        });
        slider.oninput = () => replay.seek(Number(slider.value));
        const speed = h(
          'select',
          { 'data-testid': 'replay-speed', title: t('drill.speed') },
          ...[1, 10, 60].map((s) => h('option', { value: String(s), selected: replay.speed === s }, `×${s}`)),
        );
        speed.onchange = () => replay.setSpeed(Number(speed.value));
        const span = replay.to - replay.from || 1;
        const ticks = h(
          'div',
          { class: 'timeline' },
          ...replay.markers.slice(0, 400).map((m) => {
            const tick = h('span', {
              class: `tick ${m.kind}`,
              style: `left:${((m.t - replay.from) / span) * 100}%`,
              title: `${fmtTime(m.t)} ${markerLabel(m)}`,
            });
            tick.onclick = () => replay.seek(m.t);
            return tick;
          }),
        );
        const drillId = replay.drillId;
        children.push(
          h('h3', { 'data-i18n-data': '' }, t('drill.replayOf', { label: replay.label })),
          h(
            'p',
            { class: 'replay-clock', 'data-testid': 'replay-clock', 'data-t': String(replay.t) },
            t('drill.clock', { t: fmtTime(replay.t), to: fmtTime(replay.to), n: replay.events.length }),
          ),
          ticks,
          slider,
          h(
            'div',
            { class: 'actions' },
            btn(replay.playing ? t('drill.pause') : t('drill.play'), 'replay-play', () => (replay.playing ? replay.pause() : replay.play())),
            speed,
            btn(t('drill.report'), 'replay-report', () =>
              set({
                report: afterActionReport(replay.allEvents, { from: replay.from, to: replay.to, sops: store.response.sops, ...(drillId ? { drillId } : {}) }),
              }),
            ),
            btn(t('drill.exit'), 'replay-exit', closeReplay),
          ),
          h(
            'ol',
            { class: 'markers' },
            ...replay.markers
              .filter((m) => m.kind !== 'alarm' || replay.markers.length < 60)
              .slice(0, 30)
              .map((m) => {
                const li = h('li', { class: m.kind, 'data-i18n-data': '' }, `${fmtTime(m.t)} ${markerLabel(m)}`);
                li.onclick = () => replay.seek(m.t);
                return li;
              }),
          ),
        );
        const r = state.report;
        if (r) {
          const s = r.summary;
          const fmt = (v: number | null) => (v === null ? '—' : t('core.duration.s', { s: String(v) }));
          const stem = `after-action-${drillId ?? new Date(r.from).toISOString().slice(0, 16).replace(/[:T]/g, '')}`;
          children.push(
            h('h3', {}, t('drill.report')),
            h(
              'table',
              { 'data-testid': 'report-summary' },
              h('tr', {}, h('th', {}, ''), h('th', {}, t('drill.count')), h('th', {}, t('drill.median')), h('th', {}, t('drill.max'))),
              h(
                'tr',
                {},
                h('th', {}, t('drill.toAck')),
                h('td', {}, String(s.toAck.n)),
                h('td', { 'data-testid': 'report-ack-median' }, fmt(s.toAck.medianS)),
                h('td', {}, fmt(s.toAck.maxS)),
              ),
              h(
                'tr',
                {},
                h('th', {}, t('drill.toDispatch')),
                h('td', {}, String(s.toDispatch.n)),
                h('td', {}, fmt(s.toDispatch.medianS)),
                h('td', {}, fmt(s.toDispatch.maxS)),
              ),
              h(
                'tr',
                {},
                h('th', {}, t('drill.toOnsite')),
                h('td', {}, String(s.toOnsite.n)),
                h('td', {}, fmt(s.toOnsite.medianS)),
                h('td', {}, fmt(s.toOnsite.maxS)),
              ),
            ),
            h(
              'table',
              { class: 'report-alarms', 'data-testid': 'report-alarms' },
              ...r.alarms.slice(0, 50).map((a) =>
                h(
                  'tr',
                  { 'data-alarm': a.alarmId },
                  h('td', {}, `${a.drill ? 'DRILL ' : ''}${categoryLabel(a.category)} ${a.sourceId}`),
                  h('td', {}, fmt(a.toAckS)),
                  h('td', {}, fmt(a.toDispatchS)),
                  h('td', {}, fmt(a.toOnsiteS)),
                  // issue 22: SOP steps done / listed, plan parts confirmed / proposed
                  h('td', { 'data-testid': 'report-steps' }, a.steps.length ? `${a.steps.filter((x) => x.doneAt !== null).length}/${a.steps.length}` : ''),
                  h('td', { 'data-testid': 'report-plan' }, a.plan.length ? `${a.plan.filter((x) => x.decision === 'confirmed').length}/${a.plan.length}` : ''),
                ),
              ),
            ),
            h(
              'div',
              { class: 'actions' },
              btn(t('drill.exportCsv'), 'report-csv', () => download(`${stem}.csv`, 'text/csv;charset=utf-8', reportCsv(r))),
              btn(t('drill.exportHtml'), 'report-html', () => download(`${stem}.html`, 'text/html;charset=utf-8', reportHtml(r))),
              btn(t('drill.exportSteps'), 'report-steps-csv', () => download(`${stem}-steps.csv`, 'text/csv;charset=utf-8', reportStepsCsv(r))),
              btn(t('drill.exportPlan'), 'report-plan-csv', () => download(`${stem}-plan.csv`, 'text/csv;charset=utf-8', reportPlanCsv(r))),
            ),
          );
        }
      }
      box.replaceChildren(...children, fileInput);
    }),
    // DRILL and REPLAY are marked on every screen: banners on the stage and a frame around the whole app.
    autorun(() => {
      const running = runningDrill(store);
      const replay = store.replay instanceof ReplayController ? store.replay : null;
      document.body.classList.toggle('drill-active', !!running);
      document.body.classList.toggle('replaying', !!replay);
      let banner = document.getElementById('mode-banner');
      if (!banner) {
        banner = h('div', { id: 'mode-banner', 'data-testid': 'mode-banner' });
        document.getElementById('stage')?.append(banner);
      }
      const parts: string[] = [];
      if (replay) parts.push(t('drill.bannerReplay', { time: fmtTime(replay.t), speed: String(replay.speed) }));
      if (running) parts.push(t('drill.bannerDrill', { name: running.name }));
      banner.hidden = !parts.length;
      banner.textContent = parts.join('  |  ');
    }),
  );
  return () => {
    clearInterval(poll);
    disposers.forEach((d) => d());
  };
}
