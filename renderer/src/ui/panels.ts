/** Operator panels: top bar, layer list + legends, alarm list, building info, status bar, alarm toast. */
import { autorun, reaction, type IReactionDisposer } from 'mobx';
import type { RedWallBridge } from '../../../electron/bridge/api.ts';
import type { DistrictMeta } from '../data/district.ts';
import { fmtNumber, fmtTime, locale, t, type StringKey } from '../i18n.ts';
import { BUILDING_LEGEND } from '../layers/buildings/format.ts';
import { cssColor, formatReading, kindLabel, LEVEL_COLORS } from '../layers/manholes/format.ts';
import { LIVE_LAYERS } from '../layers/registry.ts';
import type { FeedStatus } from '../stores/feed-store.ts';
import type { RootStore } from '../stores/root.ts';
import type { LayerId } from '../stores/ui-store.ts';
import { h } from './dom.ts';

const STATUS_KEY: Record<FeedStatus, StringKey> = {
  connecting: 'feedConnecting',
  live: 'feedLive',
  reconnecting: 'feedReconnecting',
  stale: 'feedStale',
  offline: 'feedOffline',
};

const BASE_LAYERS: Array<{ id: LayerId; key: StringKey }> = [
  { id: 'buildings', key: 'buildings' },
  { id: 'streets', key: 'streets' },
  { id: 'compounds', key: 'compounds' },
  { id: 'grid', key: 'grid' },
];

export function mountPanels(store: RootStore, meta: DistrictMeta, bridge: RedWallBridge): () => void {
  const disposers: IReactionDisposer[] = [];
  const top = document.getElementById('topbar')!;
  const left = document.getElementById('left')!;
  const right = document.getElementById('right')!;
  const status = document.getElementById('statusbar')!;

  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const loc = locale();
      top.replaceChildren(
        h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, '红'), h('span', { class: 'brand-title' }, t('appTitle')), h('span', { class: 'brand-sub' }, t('appSubtitle'))),
        h('div', { class: 'district-name' }, meta.name[loc]),
        h(
          'nav',
          { class: 'view-switch' },
          ...(['3d', '2d'] as const).map((v) => {
            const b = h('button', { 'data-testid': `view-${v}`, class: store.ui.view === v ? 'active' : '' }, t(v === '3d' ? 'view3d' : 'view2d'));
            b.onclick = () => store.command({ type: 'setView', view: v });
            return b;
          }),
        ),
        h(
          'nav',
          { class: 'presets' },
          ...meta.presets.map((p) => {
            const b = h('button', { 'data-testid': `preset-${p.id}` }, p.label[loc]);
            b.onclick = () => store.command({ type: 'flyToPreset', preset: p.id });
            return b;
          }),
        ),
        h('div', { class: 'spacer' }),
        (() => {
          const b = h('button', { class: 'lang', 'data-testid': 'lang' }, loc === 'zh-CN' ? 'EN' : '中文');
          b.onclick = () => store.command({ type: 'setLocale', locale: loc === 'zh-CN' ? 'en' : 'zh-CN' });
          return b;
        })(),
        (() => {
          const b = h('button', { class: 'fullscreen', title: 'F11', 'data-testid': 'fullscreen' }, '全屏');
          b.onclick = () => void bridge.setFullScreen(!document.fullscreenElement).catch(() => undefined);
          return b;
        })(),
      );
    }),
  );

  // Feed status pill lives in the status bar, updated often: its own autorun.
  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const f = store.feed;
      const c = store.manholes.counts;
      status.replaceChildren(
        h('span', { class: `feed-pill ${f.status}`, 'data-testid': 'feed-status', 'data-status': f.status }, `${t('feed')}: ${t(STATUS_KEY[f.status])}`),
        f.simulated ? h('span', { class: 'sim-badge' }, t('simulated')) : '',
        h('span', {}, `${fmtNumber(f.received)} ${t('events')}`),
        h('span', { class: f.rejected ? 'warn' : '', 'data-testid': 'feed-rejected', title: f.lastRejectReason ?? '' }, `${fmtNumber(f.rejected)} ${t('rejected')}`),
        h('span', { class: f.gaps ? 'warn' : '' }, `${fmtNumber(f.gaps)} ${t('gaps')}`),
        h('span', {}, `${fmtNumber(store.manholes.wells.ids.length)} ${t('wells')}`),
        h('span', { class: 'count alarm', 'data-testid': 'count-alarm' }, `${t('level_alarm')} ${c.alarm}`),
        h('span', { class: 'count warning', 'data-testid': 'count-warning' }, `${t('level_warning')} ${c.warning}`),
        h('span', { class: 'spacer' }),
        h('span', { class: 'epoch' }, f.epoch ? `epoch ${f.epoch} · seq ${f.lastSeq.manhole ?? '-'}` : ''),
        h('span', { class: 'credits', title: meta.credits.map((x) => `${x.data} (${x.licence})`).join('\n') }, `${t('credits')}: © ${meta.credits.map((x) => x.licence).join(', ')}`),
      );
    }),
  );

  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const loc = locale();
      const rows: HTMLElement[] = [];
      const toggle = (id: LayerId, key: StringKey) => {
        const cb = h('input', { type: 'checkbox', 'data-testid': `layer-${id}`, checked: store.ui.layers[id] });
        cb.onchange = () => store.command({ type: 'toggleLayer', layer: id, visible: cb.checked });
        return h('label', { class: 'layer-row' }, cb, t(key));
      };
      rows.push(h('h2', {}, t('layers')));
      for (const def of LIVE_LAYERS) {
        rows.push(toggle(def.id, def.labelKey));
        rows.push(def.legend(loc));
      }
      for (const b of BASE_LAYERS) rows.push(toggle(b.id, b.key));
      rows.push(
        h('div', { class: 'legend' }, h('div', { class: 'legend-title' }, `${t('buildings')} · ${t('floors')}`),
          h('div', { class: 'ramp' }, ...BUILDING_LEGEND.map((r) => h('span', { class: 'ramp-step', style: `background:${r.color}` }, `${r.floors}+`)))),
      );
      left.replaceChildren(...rows);
    }),
  );

  const alarmBox = h('section', { class: 'alarms', 'data-testid': 'alarm-list' });
  const buildingBox = h('section', { class: 'building', 'data-testid': 'building-panel' });
  right.replaceChildren(alarmBox, buildingBox);

  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const loc = locale();
      const active = store.manholes.active;
      const wells = store.manholes.wells;
      const items = active.slice(0, 100).map((s) => {
        const i = wells.index.get(s.wellId);
        const li = h(
          'li',
          { class: `alarm-item ${s.level}${store.ui.focusedWellId === s.wellId ? ' focused' : ''}`, 'data-testid': 'alarm-item', 'data-well': s.wellId, 'data-level': s.level },
          h('span', { class: 'dot', style: `background:${cssColor(LEVEL_COLORS[s.level])}` }),
          h('span', { class: 'well' }, s.wellId),
          h('span', { class: 'kind' }, i === undefined ? '?' : kindLabel(wells.kinds[i]!, loc)),
          h('span', { class: 'reading' }, formatReading(s.sensor, s.value, loc)),
          h('span', { class: 'time' }, fmtTime(s.ts)),
        );
        li.onclick = () => store.command({ type: 'focusWell', wellId: s.wellId });
        return li;
      });
      alarmBox.replaceChildren(
        h('h2', {}, `${t('alarms')} (${active.length})`),
        items.length ? h('ul', {}, ...items) : h('p', { class: 'empty' }, t('noAlarms')),
        active.length > 100 ? h('p', { class: 'more' }, `+${active.length - 100}`) : '',
      );
    }),
  );

  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const b = store.ui.selectedBuilding;
      if (!b) {
        buildingBox.replaceChildren();
        buildingBox.hidden = true;
        return;
      }
      buildingBox.hidden = false;
      const close = h('button', { class: 'close', title: t('close') }, '×');
      close.onclick = () => store.command({ type: 'selectBuilding', buildingId: null });
      const row = (k: StringKey, v: string) => h('tr', {}, h('th', {}, t(k)), h('td', {}, v));
      buildingBox.replaceChildren(
        h('h2', {}, t('building'), close),
        h(
          'table',
          {},
          row('name', b.name || t('unnamed')),
          row('floors', String(b.floors)),
          row('height', `${fmtNumber(b.heightM, 1)} m`),
          row('area', `${fmtNumber(b.areaM2)} m²`),
          row('gridCell', b.gridId || '-'),
        ),
        h('p', { class: 'coords' }, `WGS84 ${b.lon.toFixed(6)}, ${b.lat.toFixed(6)} · #${b.id}`),
      );
    }),
  );

  // Toast for newly raised alarms: visual distinct from feed trouble (which shows in the status pill).
  const toast = h('div', { class: 'toast', 'data-testid': 'alarm-toast', hidden: true });
  document.body.append(toast);
  let hideTimer: ReturnType<typeof setTimeout> | undefined;
  disposers.push(
    reaction(
      () => store.manholes.notices[0],
      (n) => {
        if (!n || n.level !== 'alarm') return;
        toast.replaceChildren(h('strong', {}, `${t('newAlarm')} `), `${n.wellId} · ${formatReading(n.reading.sensor, n.reading.value, locale())}`);
        toast.hidden = false;
        toast.onclick = () => store.command({ type: 'focusWell', wellId: n.wellId });
        clearTimeout(hideTimer);
        hideTimer = setTimeout(() => (toast.hidden = true), 8_000);
      },
    ),
  );

  return () => {
    disposers.forEach((d) => d());
    clearTimeout(hideTimer);
    toast.remove();
  };
}
