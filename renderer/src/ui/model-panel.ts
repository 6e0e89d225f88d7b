/**
 * Import panel, 3D models: pick a 3D Tiles folder or a .3tz, see where it landed (georeferenced or local, distance
 * from the district, far-away warning), correct its CRS (GCJ-02 / BD-09 shift) and height, hide the district's own
 * buildings, zoom to or remove it; failed files and tiles are counted with the first reason; the feature last picked
 * in 3D shows its properties. Strings: renderer/src/i18n/model.ts.
 *
 * Built once and updated in place (a row per model, keyed by id, each part with its own autorun): a tile loading or
 * failing never rebuilds the inputs, so a half-typed height or an open CRS list is not lost.
 */
import { autorun, reaction, type IReactionDisposer } from 'mobx';
import { MODEL_CRS, viewRangeM, type ModelCrs } from '../models/placement.ts';
import { t } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import type { ModelEntry } from '../stores/model-store.ts';
import { button, folderInput, h } from './dom.ts';

const CRS_LABEL: Record<ModelCrs, string> = { WGS84: 'WGS84', CGCS2000: 'CGCS2000', GCJ02: 'GCJ-02', BD09: 'BD-09' };

function row(store: RootStore, m: ModelEntry): { el: HTMLElement; dispose: () => void } {
  const disposers: IReactionDisposer[] = [];
  const crs = h('select', { 'data-testid': `model-crs-${m.id}`, title: t('model.crs') }, ...MODEL_CRS.map((c) => h('option', { value: c }, CRS_LABEL[c])));
  crs.onchange = () => {
    if (crs.value !== m.crs) store.placeModel(m.id, crs.value as ModelCrs, m.heightOffset);
  };
  const height = h('input', { type: 'number', step: 1, min: -2000, max: 2000, 'data-testid': `model-height-${m.id}`, title: t('model.height') });
  height.onchange = () => {
    const v = height.value.trim() === '' ? Number.NaN : Number(height.value);
    // an emptied field is not 0 m; a change event can come twice for one edit; a refused value is put back
    if (Number.isFinite(v) && v !== m.heightOffset) store.placeModel(m.id, m.crs, v);
    if (m.heightOffset !== v) height.value = String(m.heightOffset);
  };
  const crsText = h('span', {});
  const heightText = h('span', {});
  const crsLabel = h('label', { class: 'muted' }, crsText, crs);
  const controls = h('div', { class: 'row' }, crsLabel, h('label', { class: 'muted' }, heightText, height));
  const fly = button(t('model.flyTo'), { 'data-testid': `model-fly-${m.id}` }, () => {
    const p = m.placement;
    if (p) void store.command({ type: 'focus', lon: p.placedLon, lat: p.placedLat, what: m.name, rangeM: viewRangeM(p) });
  });
  const info = h('div', {});
  const status = h('div', {});
  const remove = button(t('model.remove'), { 'data-testid': `model-remove-${m.id}` }, () => store.removeModel(m.id));
  const el = h('li', { 'data-testid': `model-${m.id}`, 'data-kind': m.kind }, info, status, controls, h('div', { class: 'row' }, fly, remove));
  const fmt = (v: number) => v.toFixed(5);
  disposers.push(
    autorun(() => {
      const p = m.placement;
      el.dataset['status'] = m.status;
      el.dataset['georeferenced'] = p ? String(p.georeferenced) : '';
      el.dataset['distanceKm'] = p ? p.distanceKm.toFixed(2) : '';
      el.dataset['tileErrors'] = String(m.tileErrors);
      // a folder served by the gateway (--model) is not listed: its files are fetched as asked
      info.textContent = m.files
        ? t('model.info', { name: m.name, kind: t(`model.kind.${m.kind}`), n: m.files })
        : t('model.infoServed', { name: m.name, kind: t(`model.kind.${m.kind}`) });
      // every text follows the UI language (t() reads the locale)
      crsText.textContent = `${t('model.crs')} `;
      heightText.textContent = `${t('model.height')} `;
      crs.title = t('model.crs');
      height.title = t('model.height');
      fly.textContent = t('model.flyTo');
      remove.textContent = t('model.remove');
      status.replaceChildren(
        m.status === 'loading' ? h('div', { class: 'muted' }, t('model.loading', { name: m.name })) : '',
        m.status === 'error' ? h('div', { class: 'error', 'data-testid': 'model-failed' }, t('model.failed', { name: m.name, detail: m.error ?? '' })) : '',
        p && p.georeferenced ? h('div', { class: 'muted' }, t('model.at', { lon: fmt(p.placedLon), lat: fmt(p.placedLat), km: p.distanceKm.toFixed(1) })) : '',
        p && !p.georeferenced ? h('div', { class: 'warn', 'data-testid': 'model-local' }, t(p.projected ? 'model.projected' : 'model.local')) : '',
        p?.far ? h('div', { class: 'warn', 'data-testid': 'model-far' }, t('model.far', { km: p.distanceKm.toFixed(0) })) : '',
        m.tileErrors
          ? h('div', { class: 'error', 'data-testid': 'model-tile-error' }, t('model.tileErrors', { n: m.tileErrors, detail: m.firstTileError ?? '' }))
          : '',
      );
      controls.hidden = m.status !== 'ready';
      crsLabel.hidden = !p?.georeferenced;
      fly.disabled = !p;
    }),
    // the inputs follow the store, except while the operator is typing in them
    autorun(() => {
      const c = m.crs;
      if (document.activeElement !== crs) crs.value = c;
    }),
    autorun(() => {
      const v = m.heightOffset;
      if (document.activeElement !== height) height.value = String(v);
    }),
  );
  return { el, dispose: () => disposers.forEach((d) => d()) };
}

export function mountModelPanel(store: RootStore, box: HTMLElement): () => void {
  const mo = store.models;
  const folder = folderInput({ 'data-testid': 'model-folder' }, 'model', (name, entries) => store.loadModelFolder(name, entries));
  const pkg = h('input', { type: 'file', accept: '.3tz,.zip', 'data-testid': 'model-file' });
  pkg.onchange = () => {
    const file = pkg.files?.[0];
    pkg.value = '';
    if (file) void store.loadModelArchive(file, file.name);
  };
  const opening = h('div', { class: 'muted', 'data-testid': 'model-opening' });
  const error = h('div', { class: 'error', 'data-testid': 'model-error' });
  const hide = h('input', { type: 'checkbox', 'data-testid': 'model-hide-district' });
  hide.onchange = () => void store.command({ type: 'toggleLayer', layer: 'buildings', visible: !hide.checked });
  const hideText = h('span', {});
  const hideRow = h('label', { class: 'layer-row' }, hide, hideText);
  const title = h('h2', {});
  const folderText = h('span', {});
  const pkgText = h('span', {});
  const list = h('ul', { class: 'import-list', 'data-testid': 'model-list' });
  const feature = h('div', {});
  box.replaceChildren(
    title,
    h('label', { class: 'muted' }, folderText, folder),
    h('label', { class: 'muted' }, pkgText, pkg),
    opening,
    error,
    hideRow,
    list,
    feature,
  );
  const rows = new Map<string, { el: HTMLElement; dispose: () => void }>();
  const disposers: IReactionDisposer[] = [
    // the fixed texts, in the UI language (t() reads the locale: a language switch re-runs this)
    autorun(() => {
      title.textContent = t('model.title');
      folderText.textContent = `${t('model.folder')} · ${t('model.folderHint')}`;
      pkgText.textContent = `${t('model.file')} · ${t('model.fileHint')}`;
      hideText.textContent = ` ${t('model.hideDistrict')}`;
    }),
    autorun(() => {
      opening.hidden = mo.opening.length === 0;
      opening.textContent = mo.opening.length ? t('model.opening', { name: mo.opening.join('、') }) : '';
    }),
    autorun(() => {
      const err = mo.openError;
      error.hidden = !err;
      error.dataset['code'] = err?.code ?? '';
      error.textContent = err ? t(`model.error.${err.code}`, err.values) : '';
    }),
    autorun(() => {
      hideRow.hidden = mo.models.length === 0;
      hide.checked = !store.ui.layers.buildings;
    }),
    autorun(() => {
      const f = mo.picked;
      feature.dataset['testid'] = f ? 'model-feature' : '';
      feature.replaceChildren(
        ...(f
          ? [
              h('h3', {}, t('model.feature', { name: f.modelName })),
              f.props.length
                ? h('table', { class: 'props' }, ...f.props.map(([k, v]) => h('tr', { 'data-prop': k }, h('td', { class: 'muted' }, k), h('td', {}, v))))
                : h('div', { class: 'muted' }, t('model.featureNone')),
            ]
          : []),
      );
    }),
    reaction(
      () => mo.models.map((m) => m.id),
      (ids) => {
        for (const [id, r] of rows)
          if (!ids.includes(id)) {
            r.dispose();
            r.el.remove();
            rows.delete(id);
          }
        for (const id of ids) {
          const m = mo.entry(id);
          if (m && !rows.has(id)) rows.set(id, row(store, m));
        }
        // in the store's order; existing rows are moved only if out of place
        ids.forEach((id, i) => {
          const el = rows.get(id)?.el;
          if (el && list.children[i] !== el) list.insertBefore(el, list.children[i] ?? null);
        });
      },
      { fireImmediately: true },
    ),
  ];
  return () => {
    disposers.forEach((d) => d());
    rows.forEach((r) => r.dispose());
  };
}
