/** Operator panels: top bar, layers + legends + stream health, alarm list + detail, building info, status, toasts. */
import { mountLeftSections } from './left-sections.ts';
import { mayActOnAlarmIn } from '../../../data-pipelines/contracts/auth.ts';
import { autorun, observable, reaction, runInAction, type IReactionDisposer } from 'mobx';
import { allowedActions, type Alarm, type OperatorAction } from '../../../data-pipelines/contracts/alarm.ts';
import { STREAMS } from '../../../data-pipelines/contracts/events.ts';
import type { RedWallBridge } from '../../../electron/bridge/api.ts';
import type { DistrictMeta } from '../data/district.ts';
import { fmtNumber, fmtTime, locale, t, type StringKey } from '../i18n.ts';
import { actionLabel, alarmHasPlace, alarmTitle, defaultTeam, PRIORITY_COLORS, priorityLabel, stateLabel, teamLabel, TEAMS } from '../layers/alarms/format.ts';
import { BUILDING_LEGEND } from '../layers/buildings/format.ts';
import { cssColor } from '../palette.ts';
import { LIVE_LAYERS } from '../layers/registry.ts';
import { FEED_STATUS_KEY, streamStatus } from '../stores/feed-store.ts';
import { journalPill } from './journal-health.ts';
import type { RootStore } from '../stores/root.ts';
import type { AuditRecord, LayerId } from '../stores/ui-store.ts';
import { alarmTone, prepareAudioWhenIdle, troubleTone, unlockAudioOnGesture } from './audio.ts';
import { whenPhase } from '../perf/startup.ts';
import { button, h } from './dom.ts';
import { snapshotLinks, VideoPanel } from './video/panel.ts';
import { mountVideoWallPanel } from './video/wall.ts';
import { mountDrillPanel, runningDrill } from './drill-panel.ts';
import { mountIncidentPanel } from './incident-panel.ts';
import { mountResponsePanel } from './response-panel.ts';
import { mountImportPanel } from './import-panel.ts';
import { openScreensDialog } from './wall/screens-dialog.ts';
import { mountPeoplePanel } from './people-panel.ts';
import { mountGridPanel } from './grid-panel.ts';
import { mountRequestsPanel } from './requests-panel.ts';
import { mountTasksPanel } from './tasks-panel.ts';
import { mountCareHolder } from './care-holder.ts';
import { drillMark, goToAlarm, mountAlarmList, valueText } from './alarm-list.ts';
import { mountLayoutsPanel, type LayoutsPanelDeps } from './layouts-panel.ts';
import { mountSessionControl } from './session-control.ts';
import { placeWithCoords } from './place-text.ts';
import { mountPlaceSearch } from './place-search.ts';
import { mountSourcesPanel } from './sources-panel.ts';

const BASE_LAYERS: Array<{ id: LayerId; key: StringKey }> = [
  { id: 'buildings', key: 'buildings' },
  { id: 'streets', key: 'streets' },
  { id: 'compounds', key: 'compounds' },
  { id: 'grid', key: 'grid' },
  { id: 'labels', key: 'labels' },
];

/** An audited command's outcome as shown under the alarm's actions (the reason is the feed server's own words). */
function resultText(r: NonNullable<AuditRecord['result']>): string {
  if (r === 'pending') return t('alarms.result.pending');
  if (r === 'duplicate') return t('alarms.result.duplicate');
  if (r.startsWith('error: ')) return t('alarms.result.error', { reason: r.slice('error: '.length) });
  return r;
}

/** Something mounted that must be taken down again. */
type Unmount = () => void;

/** The whole operator screen: each part mounts into its element and gives back its unmount. */
export function mountPanels(store: RootStore, meta: DistrictMeta, bridge: RedWallBridge, layouts: LayoutsPanelDeps): Unmount {
  unlockAudioOnGesture();
  prepareAudioWhenIdle(whenPhase('map'));
  const unmounts: Unmount[] = [
    mountTopBar(store, meta, bridge, document.getElementById('topbar')!),
    mountStatusBar(store, meta, document.getElementById('statusbar')!),
    mountLeftColumn(store, meta, layouts, document.getElementById('left')!),
    mountRightColumn(store, document.getElementById('right')!),
    mountAlerts(store),
    mountPlaceSearch(store, document.getElementById('stage')!),
  ];
  return () => unmounts.forEach((u) => u());
}

/** A group of buttons, one per choice, the current one marked active. */
function switchNav<V extends string>(
  cls: string,
  choices: readonly V[],
  active: V,
  label: (v: V) => string,
  testId: (v: V) => string,
  pick: (v: V) => void,
): HTMLElement {
  return h('nav', { class: cls }, ...choices.map((v) => button(label(v), { 'data-testid': testId(v), class: active === v ? 'active' : '' }, () => pick(v))));
}

/** Brand, district, view / workspace switches, presets, sources, who is signed in, wall, mute, language, full screen. */
function mountTopBar(store: RootStore, meta: DistrictMeta, bridge: RedWallBridge, top: HTMLElement): Unmount {
  // who is at the console, sign-in / sign-out (kept across the top bar's re-renders)
  const sessionBox = h('div', { class: 'session', 'data-testid': 'session' });
  const unmountSession = mountSessionControl(store, sessionBox);
  // the connected sources' panel over the map; its top-bar button shows a badge while a source is in trouble
  const sources = mountSourcesPanel(store, document.getElementById('stage')!);
  // the video wall over the map (its own screen too: ?screen=video)
  const videoWall = mountVideoWallPanel(store, document.getElementById('stage')!);
  const dispose = autorun(() => {
    void store.ui.locale;
    const loc = locale();
    // screen readers, hyphenation and the CJK font fallback follow the page language
    document.documentElement.lang = loc;
    const other = loc === 'zh-CN' ? 'en' : 'zh-CN';
    top.replaceChildren(
      // the seal is the logo (a Chinese glyph in both languages, like the name on a stamp)
      h(
        'div',
        { class: 'brand' },
        h('span', { class: 'brand-mark', lang: 'zh-CN', 'aria-hidden': 'true' }, '红'), // i18n-exempt: logo glyph
        h('span', { class: 'brand-title' }, t('appTitle')),
        h('span', { class: 'brand-sub' }, t('appSubtitle')),
      ),
      h('div', { class: 'district-name' }, meta.name[loc]),
      switchNav(
        'view-switch',
        ['3d', '2d'] as const,
        store.ui.view,
        (v) => t(v === '3d' ? 'view3d' : 'view2d'),
        (v) => `view-${v}`,
        (v) => void store.command({ type: 'setView', view: v }),
      ),
      switchNav(
        'view-switch workspace-switch',
        ['ops', 'analysis'] as const,
        store.ui.workspace,
        (w) => t(w === 'ops' ? 'wsOps' : 'wsAnalysis'),
        (w) => `workspace-${w}`,
        (w) => void store.command({ type: 'setWorkspace', workspace: w }),
      ),
      h(
        'nav',
        { class: 'presets' },
        ...meta.presets.map((p) => button(p.label[loc], { 'data-testid': `preset-${p.id}` }, () => void store.command({ type: 'flyToPreset', preset: p.id }))),
      ),
      h('div', { class: 'spacer' }),
      sources.toggle,
      videoWall.toggle,
      sessionBox,
      button(t('wall.enter'), { 'data-testid': 'screen-wall', title: t('wall.screen.wall') }, () => void store.command({ type: 'setScreen', screen: 'wall' })),
      button(t('wall.screens'), { 'data-testid': 'screens' }, () => void openScreensDialog(store, bridge, window.redwall ? 'electron' : 'web')),
      button(store.ui.muted ? t('unmute') : t('mute'), { 'data-testid': 'mute' }, () => void store.command({ type: 'setMuted', muted: !store.ui.muted })),
      // the language switch names the other language in that language
      button(
        loc === 'zh-CN' ? 'EN' : '中文', // i18n-exempt: language name
        { class: 'lang', 'data-testid': 'lang', lang: other, title: t('core.langSwitchTitle') },
        () => void store.command({ type: 'setLocale', locale: other }),
      ),
      button(
        t('core.fullscreen'),
        { class: 'fullscreen', title: t('core.fullscreenTitle'), 'data-testid': 'fullscreen' },
        () => void bridge.setFullScreen(!document.fullscreenElement).catch(() => undefined),
      ),
    );
  });
  return () => {
    dispose();
    unmountSession();
    sources.unmount();
    videoWall.unmount();
  };
}

/** Feed state and counters, alarm counts, the journal epoch and the data credits. */
function mountStatusBar(store: RootStore, meta: DistrictMeta, status: HTMLElement): Unmount {
  const licences = [...new Set(meta.credits.map((x) => x.licence))].join(', ');
  const creditsTitle = meta.credits.map((x) => `${x.data} (${x.licence})`).join('\n');
  return autorun(() => {
    void store.ui.locale;
    const f = store.feed;
    const c = store.live.counts;
    status.replaceChildren(
      h(
        'span',
        { class: `feed-pill ${f.phase}`, 'data-testid': 'feed-status', 'data-status': f.status, 'data-phase': f.phase },
        `${t('feed')}: ${t(FEED_STATUS_KEY[f.phase])}`,
      ),
      journalPill(f.journal),
      f.gateway
        ? h(
            'span',
            { class: 'gateway', 'data-testid': 'feed-gateway', 'data-gateway': f.gateway, title: t('core.feed.gatewayTitle', { n: String(f.failovers) }) },
            t('core.feed.gateway', { gateway: f.gateway }),
          )
        : '',
      f.simulated ? h('span', { class: 'sim-badge' }, t('simulated')) : '',
      h('span', {}, `${fmtNumber(f.received)} ${t('events')}`),
      h(
        'span',
        { class: f.rejected ? 'warn' : '', 'data-testid': 'feed-rejected', 'data-count': String(f.rejected), title: f.lastRejectReason ?? '' },
        `${fmtNumber(f.rejected)} ${t('rejected')}`,
      ),
      h('span', { class: f.gaps ? 'warn' : '' }, `${fmtNumber(f.gaps)} ${t('gaps')}`),
      h('span', {}, `${f.replays} ${t('replays')} · ${f.snapshots} ${t('snapshots')}`),
      h('span', {}, `${fmtNumber(store.entities.wells.ids.length)} ${t('wells')}`),
      h('span', { class: 'count alarm', 'data-testid': 'count-alarm' }, `${t('level_alarm')} ${c.open} (${c.unacked})`),
      h('span', { class: 'count warning', 'data-testid': 'count-warning' }, `${t('manholes')} ${c.wellAlarm}/${c.wellWarning}`),
      h('span', { class: 'spacer' }),
      h('span', { class: 'epoch' }, f.epoch ? t('core.epoch', { epoch: String(f.epoch) }) : ''),
      h('span', { class: 'credits', title: creditsTitle }, `${t('credits')}: © ${licences}`),
    );
  });
}

/** Layers and legends, the work panels (requests, people, tasks, grid, layouts, imports, drills) and stream health, in role sections. */
function mountLeftColumn(store: RootStore, meta: DistrictMeta, layouts: LayoutsPanelDeps, left: HTMLElement): Unmount {
  const layersBox = h('section', {});
  const healthBox = h('section', { class: 'health', 'data-testid': 'stream-health' });
  const drillBox = h('section', { class: 'drills', 'data-testid': 'drill-panel' });
  const importBox = h('section', { class: 'imports', 'data-testid': 'import-panel' });
  const layoutsBox = h('section', { class: 'imports layouts', 'data-testid': 'layouts-panel' });
  const peopleBox = h('section', { class: 'imports people', 'data-testid': 'people-panel' });
  const gridBox = h('section', { class: 'imports grid-mgmt', 'data-testid': 'grid-panel' });
  const requestBox = h('section', { class: 'imports requests', 'data-testid': 'request-panel' });
  const taskBox = h('section', { class: 'imports tasks', 'data-testid': 'task-panel' });
  const unmounts: Unmount[] = [
    mountLeftSections(store, left, {
      duty: [layersBox, healthBox],
      services: [requestBox, peopleBox, taskBox, gridBox],
      dispatch: [drillBox, layoutsBox],
      planner: [importBox],
    }),
    mountRequestsPanel(store, requestBox, meta.center),
    mountTasksPanel(store, taskBox),
    mountPeoplePanel(store, peopleBox),
    mountGridPanel(store, gridBox),
    mountDrillPanel(store, drillBox),
    mountImportPanel(store, importBox, meta.center),
    mountLayoutsPanel(store, layoutsBox, layouts),
    autorun(() => layersBox.replaceChildren(...layerRows(store))),
    autorun(() => healthBox.replaceChildren(...streamHealth(store))),
  ];
  return () => unmounts.forEach((u) => u());
}

/** The layer switches: live layers (each with its legend while shown), then base layers and the buildings' ramp. */
function layerRows(store: RootStore): HTMLElement[] {
  void store.ui.locale;
  const loc = locale();
  const toggle = (id: LayerId, key: StringKey) => {
    const cb = h('input', { type: 'checkbox', 'data-testid': `layer-${id}`, checked: store.ui.layers[id] });
    cb.onchange = () => void store.command({ type: 'toggleLayer', layer: id, visible: cb.checked });
    return h('label', { class: 'layer-row' }, cb, t(key));
  };
  const rows: Array<HTMLElement> = [h('h2', {}, t('liveLayers'))];
  for (const def of [...LIVE_LAYERS].reverse()) {
    rows.push(toggle(def.id, def.labelKey));
    if (store.ui.layers[def.id]) rows.push(def.legend(loc));
  }
  rows.push(h('h2', {}, t('baseLayers')));
  for (const b of BASE_LAYERS) rows.push(toggle(b.id, b.key));
  const ramp = h('div', { class: 'ramp' }, ...BUILDING_LEGEND.map((r) => h('span', { class: 'ramp-step', style: `background:${r.color}` }, `${r.floors}+`)));
  rows.push(h('div', { class: 'legend' }, h('div', { class: 'legend-title' }, `${t('buildings')} · ${t('floors')}`), ramp));
  return rows;
}

/** Per-stream health: state, events, rejected messages. */
function streamHealth(store: RootStore): HTMLElement[] {
  void store.ui.locale;
  const now = store.feed.now;
  const row = (s: (typeof STREAMS)[number]) => {
    const hl = store.live.health[s];
    const st = streamStatus(s, hl, store.feed.status, now);
    return h(
      'tr',
      { 'data-stream': s, 'data-status': st },
      h('td', {}, t(`core.stream.${s}`)),
      h('td', {}, h('span', { class: `st ${st}` }, t(`st_${st}`))),
      h('td', { class: 'num' }, fmtNumber(hl.events)),
      h('td', { class: `num ${hl.rejected ? 'warn' : ''}`, title: hl.rejected ? t('rejected') : undefined }, hl.rejected ? `✕${fmtNumber(hl.rejected)}` : ''),
    );
  };
  return [h('h2', {}, t('streams')), h('table', {}, ...STREAMS.map(row))];
}

/** Video, alarm detail, care holder, incident, alarm list, building; the analysis panel in the planner workspace. */
function mountRightColumn(store: RootStore, right: HTMLElement): Unmount {
  const alarmBox = h('section', { class: 'alarms', 'data-testid': 'alarm-list' });
  const detailBox = h('section', { class: 'alarm-detail', 'data-testid': 'alarm-detail' });
  const buildingBox = h('section', { class: 'building', 'data-testid': 'building-panel' });
  const videoSlot = h('div', { class: 'video-slot' });
  const incidentBox = h('section', { class: 'incident', 'data-testid': 'incident-panel' });
  const analysisBox = h('section', { id: 'analysis-panel', class: 'analysis-panel', 'data-testid': 'analysis-panel' });
  const careBox = h('section', { class: 'care-holder', 'data-testid': 'care-holder-panel' });
  const responseBox = h('section', { class: 'response', 'data-testid': 'response-panel' });
  // The live alarm list is never pushed off screen (issue 21): what the operator opened (video, detail, incident
  // command, evacuation, building) scrolls in its own stack above it; the list keeps at least 40% of the column.
  const focusStack = h(
    'div',
    { class: 'focus-stack', 'data-testid': 'focus-stack' },
    videoSlot,
    detailBox,
    responseBox,
    careBox,
    incidentBox,
    buildingBox,
    analysisBox,
  );
  right.replaceChildren(focusStack, alarmBox);
  const unmounts: Unmount[] = [
    mountCareHolder(store, careBox),
    mountResponsePanel(store, responseBox),
    // The planner workspace swaps the right column for the analysis panel; alarms keep toasting and sounding meanwhile.
    autorun(() => {
      const analysis = store.ui.workspace === 'analysis';
      document.getElementById('app')!.classList.toggle('ws-analysis', analysis);
      for (const el of [videoSlot, detailBox, incidentBox, alarmBox, buildingBox]) el.hidden = analysis;
      if (analysis) careBox.hidden = true;
      analysisBox.hidden = !analysis;
    }),
    mountIncidentPanel(store, incidentBox),
    mountAlarmList(store, alarmBox),
    autorun(() => renderAlarmDetail(store, detailBox)),
    autorun(() => renderBuilding(store, buildingBox)),
    mountVideo(store, videoSlot),
  ];
  return () => unmounts.forEach((u) => u());
}

/** The selected alarm: its facts, the actions this user may take now (with team / minutes / note), the last result. */
function renderAlarmDetail(store: RootStore, detailBox: HTMLElement): void {
  void store.ui.locale;
  const id = store.ui.selectedAlarmId;
  const a = id ? store.live.alarm(id) : null;
  if (!a) {
    detailBox.hidden = true;
    detailBox.replaceChildren();
    return;
  }
  detailBox.hidden = false;
  const row = (k: StringKey, v: string, data = false) => h('tr', {}, h('th', {}, t(k)), h('td', { 'data-i18n-data': data }, v));
  const preferred = defaultTeam(a);
  const team = h(
    'select',
    { 'data-testid': 'alarm-team' },
    ...TEAMS.map((tm) => h('option', { value: tm.value, selected: tm.value === preferred }, t(tm.key))),
  );
  const minutes = h('select', { 'data-testid': 'alarm-minutes' }, ...[15, 30, 60, 240].map((m) => h('option', { value: String(m) }, `${m} ${t('minutes')}`)));
  const note = h('input', { type: 'text', placeholder: t('note'), maxlength: '500', 'data-testid': 'alarm-note' });
  const act = (action: OperatorAction) =>
    button(actionLabel(action), { 'data-testid': `alarm-action-${action}`, class: `act ${action}` }, () => {
      void store.command({
        type: 'alarm',
        alarmId: a.alarmId,
        action,
        commandId: store.newCommandId(),
        ...(action === 'dispatch' ? { team: team.value } : {}),
        ...(action === 'shelve' ? { minutes: Number(minutes.value) } : {}),
        ...(note.value ? { note: note.value } : {}),
      });
    });
  // legal now and this user's to take (auditors read only; until the server has said who we are: the duty
  // operator's, as the shared token is — the server has the last word either way)
  const user = store.people.user;
  // grid staff: in their own grid cells only (mayActOnAlarmIn)
  const cell = store.people.grids.find((g) => a.lon >= g.west && a.lon < g.east && a.lat >= g.south && a.lat < g.north)?.id ?? null;
  const allowed = !user || mayActOnAlarmIn(user, cell) ? allowedActions(a) : [];
  const close = button(
    '×',
    { class: 'close', title: t('close'), 'aria-label': t('alarms.closeDetail') },
    () => void store.command({ type: 'selectAlarm', alarmId: null }),
  );
  const lastAudit = [...store.ui.audit].reverse().find((r) => r.command.type === 'alarm' && r.command.alarmId === a.alarmId);
  const openSource = button(
    t('sources.openFromAlarm'),
    { 'data-testid': 'alarm-open-source' },
    () => void store.command({ type: 'sourcesPanel', open: true, sourceId: a.sourceId }),
  );
  const historyRow = (e: Alarm['history'][number]) =>
    h(
      'li',
      {},
      h('span', { class: 'time' }, fmtTime(e.at)),
      ` ${actionLabel(e.action)} · `,
      h('span', { 'data-i18n-data': '' }, `${e.by}${e.note ? ` · ${e.note}` : ''}`),
    );
  detailBox.replaceChildren(
    h('h2', {}, `${t('alarmDetail')}${a.drill ? ` · ${t('alarms.drillMark')}` : ''}`, close),
    h('p', { class: 'alarm-title', style: `border-color:${cssColor(PRIORITY_COLORS[a.priority])}` }, alarmTitle(a)),
    h(
      'table',
      {},
      row('priority', priorityLabel(a.priority)),
      row('state', stateLabel(a.state)),
      row('active', a.active ? t('activeYes') : t('activeNo')),
      a.value !== undefined ? row('value', valueText(a)) : '',
      a.floor !== undefined ? row('floor', `${a.floor}`) : '',
      // a team of our list is translated; any other (a scenario's fire station) is shown as journaled
      a.team ? row('team', teamLabel(a.team), !TEAMS.some((x) => x.value === a.team)) : '',
      alarmHasPlace(a)
        ? row(
            'location',
            placeWithCoords(store.entities, a.lon, a.lat, {
              ...(a.buildingId !== undefined ? { buildingId: a.buildingId } : {}),
              ...(a.floor !== undefined ? { floor: a.floor } : {}),
            }),
            true,
          )
        : row('sources.col.source', a.sourceId, true),
    ),
    alarmHasPlace(a) ? '' : h('div', { class: 'actions' }, openSource),
    alarmHasPlace(a) && a.category !== 'feed' ? alarmCameras(store, a) : '',
    h('div', { class: 'actions' }, ...allowed.map(act)),
    allowed.includes('dispatch') ? h('div', { class: 'action-args' }, team) : '',
    allowed.includes('shelve') && a.priority !== 1 ? h('div', { class: 'action-args' }, minutes) : '',
    allowed.length ? note : '',
    lastAudit?.result && lastAudit.result !== 'ok'
      ? h('p', { class: lastAudit.result.startsWith('error') ? 'warn' : 'muted', 'data-testid': 'alarm-command-result' }, resultText(lastAudit.result))
      : '',
    h('h3', {}, t('history')),
    h('ol', { class: 'history', 'data-testid': 'alarm-history' }, ...[...a.history].reverse().map(historyRow)),
  );
}

/** The cameras that see an alarm's place (chosen by the feed server): distance and bearing, each opens its video. */
function alarmCameras(store: RootStore, a: Alarm): HTMLElement {
  const cams = a.cameras ?? [];
  return h(
    'div',
    { class: 'alarm-cameras', 'data-testid': 'alarm-cameras' },
    h('h3', {}, t('video.alarmCameras')),
    cams.length
      ? h(
          'ul',
          {},
          ...cams.map((c) =>
            h(
              'li',
              {},
              button(
                t(c.mode === 'turn' ? 'video.cameraTurn' : 'video.cameraView', {
                  camera: store.video.registry.get(c.id)?.name ?? c.id,
                  m: Math.round(c.distanceM),
                  deg: Math.round(c.bearingDeg),
                }),
                { 'data-testid': 'alarm-camera', 'data-camera': c.id, class: 'link' },
                () => void store.command({ type: 'openVideo', cameraId: c.id }),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('video.noCamera')),
    ...snapshotLinks(store, { alarmId: a.alarmId }),
  );
}

/** The selected building's facts. */
function renderBuilding(store: RootStore, buildingBox: HTMLElement): void {
  void store.ui.locale;
  const b = store.ui.selectedBuilding;
  if (!b) {
    buildingBox.replaceChildren();
    buildingBox.hidden = true;
    return;
  }
  buildingBox.hidden = false;
  const close = button('×', { class: 'close', title: t('close') }, () => void store.command({ type: 'selectBuilding', buildingId: null }));
  const row = (k: StringKey, v: string, data = false) => h('tr', {}, h('th', {}, t(k)), h('td', { 'data-i18n-data': data }, v));
  buildingBox.replaceChildren(
    h('h2', {}, t('building'), close),
    h(
      'table',
      {},
      row('name', b.name || t('unnamed'), !!b.name),
      row('floors', String(b.floors)),
      row('height', `${fmtNumber(b.heightM, 1)} m`),
      row('area', `${fmtNumber(b.areaM2)} m²`),
      row('gridCell', b.gridId || '-'),
    ),
    h('p', { class: 'coords' }, `WGS84 ${b.lon.toFixed(6)}, ${b.lat.toFixed(6)} · #${b.id}`),
  );
}

/** Video: opened by the operator (camera click) or automatically when an SOS turns a camera. */
function mountVideo(store: RootStore, videoSlot: HTMLElement): Unmount {
  let video: VideoPanel | null = null;
  const disposers: IReactionDisposer[] = [
    reaction(
      () => store.ui.videoCameraId,
      (cam) => {
        video?.destroy();
        video = null;
        if (!cam) return;
        const sos = store.live.sos.find((s) => s.cameraId === cam);
        const heading = sos?.heading ?? store.entities.cameras.get(cam)?.heading ?? 0;
        video = new VideoPanel(
          store,
          cam,
          heading,
          () => void store.command({ type: 'openVideo', cameraId: null }),
          () => (sos ? `${t('sosPopup')} ${sos.buttonId}` : t('video')),
        );
        videoSlot.replaceChildren(video.el);
      },
    ),
    reaction(
      () => store.realLive.sos[0],
      (s) => {
        if (!s || Date.now() - s.receivedAt > 5_000) return;
        void store.command({ type: 'openVideo', cameraId: s.cameraId });
        // during a drill the map stays where the dispatcher has it: the SOS is offered, not forced on the camera
        if (runningDrill(store)) offerSos(s);
        else void store.command({ type: 'focus', lon: s.lon, lat: s.lat, what: s.buttonId });
      },
    ),
    // the SOS video has an owner: it closes once the SOS alarm is resolved or closed (it no longer needs watching)
    reaction(
      () => {
        const cam = store.ui.videoCameraId;
        const sos = cam ? store.live.sos.find((x) => x.cameraId === cam) : undefined;
        const alarm = sos ? store.live.alarms.find((a) => a.sourceId === sos.buttonId && a.cause === 'sos') : undefined;
        return alarm ? alarm.state === 'resolved' || alarm.state === 'closed' : false;
      },
      (handled) => {
        if (handled) void store.command({ type: 'openVideo', cameraId: null });
      },
    ),
  ];
  let offer: HTMLElement | null = null;
  const offerSos = (s: { buttonId: string; lon: number; lat: number }) => {
    offer?.remove();
    const fly = button(t('drill.sosFly'), { 'data-testid': 'sos-offer-fly' }, () => {
      void store.command({ type: 'focus', lon: s.lon, lat: s.lat, what: s.buttonId });
      offer?.remove();
    });
    const dismiss = button(t('drill.sosDismiss'), { 'data-testid': 'sos-offer-dismiss' }, () => offer?.remove());
    offer = h('div', { class: 'sos-offer', role: 'alert', 'data-testid': 'sos-offer' }, h('p', {}, t('drill.sosOffer', { button: s.buttonId })), fly, dismiss);
    document.getElementById('stage')?.append(offer);
  };
  return () => {
    disposers.forEach((d) => d());
    video?.destroy();
    offer?.remove();
  };
}

/** Toast + tone for newly raised alarms; a distinct tone when the journal cannot write or the feed goes bad. */
function mountAlerts(store: RootStore): Unmount {
  const toast = h('div', { class: 'toast', 'data-testid': 'alarm-toast', hidden: true });
  document.body.append(toast);
  let hideTimer: ReturnType<typeof setTimeout> | undefined;
  // the alarm on the toast: its text follows a language switch while it is shown
  const toasted = observable.box<{ alarm: Alarm; kind: 'raise' | 'escalate' } | null>(null, { deep: false });
  const disposers: IReactionDisposer[] = [
    autorun(() => {
      const n = toasted.get();
      const a = n?.alarm;
      toast.replaceChildren(
        ...(a ? [h('strong', {}, `${drillMark(a)}${t(n.kind === 'escalate' ? 'response.escalatedToast' : 'newAlarm')} `), alarmTitle(a)] : []),
      );
    }),
    reaction(
      () => store.realLive.notices[0],
      (n) => {
        if (!n || n.alarm.priority === 3 || Date.now() - n.receivedAt > 10_000) return;
        runInAction(() => toasted.set({ alarm: n.alarm, kind: n.kind }));
        toast.className = `toast p${n.alarm.priority}`;
        toast.hidden = false;
        toast.onclick = () => goToAlarm(store, n.alarm, true);
        if (!store.ui.muted) alarmTone(n.alarm.priority);
        clearTimeout(hideTimer);
        hideTimer = setTimeout(() => (toast.hidden = true), 8_000);
      },
    ),
    // the journal cannot write: an alarm for the operator (tone once per outage), shown on every screen
    reaction(
      () => store.feed.journal?.writable !== false,
      (ok) => {
        if (!ok && !store.ui.muted) troubleTone();
      },
    ),
    reaction(
      () => store.feed.status,
      (s, prev) => {
        if ((s === 'stale' || s === 'offline' || s === 'reconnecting') && prev === 'live' && !store.ui.muted) troubleTone();
        document.body.classList.toggle('feed-trouble', s !== 'live');
      },
    ),
  ];
  return () => {
    disposers.forEach((d) => d());
    clearTimeout(hideTimer);
    toast.remove();
  };
}
