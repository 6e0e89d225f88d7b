/**
 * The map search box (over the map, top left): type a place, a building name or number, a device, grid cell, alarm or
 * request id; Enter or a click flies both maps there and selects what was found (building, alarm, request).
 */
import { findPlaces, type Found } from '../command/find-place.ts';
import { alarmTitle } from '../layers/alarms/format.ts';
import { t, type StringKey } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import { requestsOf } from '../work/format.ts';
import { h } from './dom.ts';
import { placeText } from './place-text.ts';
import { autorun } from 'mobx';

const RANGE_M: Record<Found['kind'], number> = {
  building: 350,
  well: 200,
  camera: 250,
  sos: 250,
  parking: 300,
  detector: 300,
  care: 250,
  grid: 900,
  alarm: 300,
  request: 400,
};

export function mountPlaceSearch(store: RootStore, stage: HTMLElement): () => void {
  const input = h('input', { type: 'search', class: 'search-input', 'data-testid': 'place-search', autocomplete: 'off', spellcheck: 'false' });
  const list = h('ol', { class: 'search-results', 'data-testid': 'place-search-results', hidden: true });
  const box = h('div', { class: 'place-search', role: 'search' }, input, list);
  stage.append(box);
  let hits: Found[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;

  const stopLabels = autorun(() => {
    input.placeholder = t('search.placeholder');
    input.setAttribute('aria-label', t('search.label'));
  });

  const tables = () => {
    const e = store.entities;
    return {
      places: e.placeIndex,
      wells: e.wells,
      cameras: e.cameras.values(),
      sos: e.sos.values(),
      parking: e.places.values(),
      detectors: e.detectors.values(),
      care: e.care.values(),
      grids: store.people.grids,
      alarms: store.live.openAlarms.map((a) => ({ alarmId: a.alarmId, sourceId: a.sourceId, lon: a.lon, lat: a.lat, title: alarmTitle(a) })),
      requests: requestsOf(store.realLive.world),
    };
  };

  const pick = (f: Found) => {
    list.hidden = true;
    input.value = f.label;
    void store.command({ type: 'focus', lon: f.lon, lat: f.lat, what: `${f.kind}:${f.id}`, rangeM: RANGE_M[f.kind] });
    if (f.buildingId !== undefined) void store.command({ type: 'selectBuilding', buildingId: f.buildingId });
    if (f.kind === 'alarm') void store.command({ type: 'selectAlarm', alarmId: f.id });
    if (f.kind === 'request') void store.command({ type: 'selectRequest', requestId: f.id });
  };

  const render = () => {
    const q = input.value.trim();
    if (!q) {
      list.hidden = true;
      hits = [];
      return;
    }
    hits = findPlaces(q, tables());
    list.hidden = false;
    if (!hits.length) {
      list.replaceChildren(h('li', { class: 'muted', 'data-i18n-data': '' }, t('search.none', { q })));
      return;
    }
    list.replaceChildren(
      ...hits.map((f) => {
        const li = h(
          'li',
          { 'data-kind': f.kind, 'data-id': f.id, tabindex: '0' },
          h('span', { class: 'kind' }, t(`search.kind.${f.kind}` as StringKey)),
          h('b', { 'data-i18n-data': '' }, f.label),
          h(
            'span',
            { class: 'muted', 'data-i18n-data': '' },
            placeText(store.entities, f.lon, f.lat, f.buildingId !== undefined ? { buildingId: f.buildingId } : {}) ?? '',
          ),
        );
        li.onclick = () => pick(f);
        li.onkeydown = (e) => {
          if (e.key === 'Enter') pick(f);
        };
        return li;
      }),
    );
  };

  input.oninput = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(render, 120);
  };
  input.onkeydown = (e) => {
    // Enter that confirms a pinyin candidate in an input method is not a search
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === 'Enter') {
      if (timer) clearTimeout(timer);
      render();
      if (hits[0]) pick(hits[0]);
    } else if (e.key === 'Escape') {
      input.value = '';
      render();
    } else if (e.key === 'ArrowDown') (list.querySelector('li[tabindex]') as HTMLElement | null)?.focus();
  };

  // the list closes when the focus leaves the search (a click on a hit lands first: it is inside the box)
  box.addEventListener('focusout', (e) => {
    if (!box.contains(e.relatedTarget as Node | null)) list.hidden = true;
  });
  input.addEventListener('focus', () => {
    if (input.value.trim() && hits.length) list.hidden = false;
  });

  return () => {
    if (timer) clearTimeout(timer);
    stopLabels();
    box.remove();
  };
}
