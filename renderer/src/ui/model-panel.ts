/**
 * Import panel, 3D models: pick a 3D Tiles folder or a .3tz, see where it landed (georeferenced or local, distance
 * from the district, far-away warning), correct its CRS (GCJ-02 / BD-09 shift) and height, hide the district's own
 * buildings, zoom to or remove it; failed tiles are counted with the first reason; the feature last picked in 3D
 * shows its properties. Strings: renderer/src/i18n/model.ts. Own autorun, so a tile loading elsewhere never
 * re-renders the rest of the import panel.
 */
import { autorun } from 'mobx';
import { MODEL_CRS, type ModelCrs } from '../models/placement.ts';
import { t } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import type { ModelEntry } from '../stores/model-store.ts';
import { button, h } from './dom.ts';

const CRS_LABEL: Record<ModelCrs, string> = { WGS84: 'WGS84', CGCS2000: 'CGCS2000', GCJ02: 'GCJ-02', BD09: 'BD-09' };

function row(store: RootStore, m: ModelEntry): HTMLElement {
  const p = m.placement;
  const crs = h(
    'select',
    { 'data-testid': `model-crs-${m.id}`, title: t('model.crs') },
    ...MODEL_CRS.map((c) => h('option', { value: c, selected: c === m.crs }, CRS_LABEL[c])),
  );
  crs.onchange = () => {
    if (crs.value !== m.crs) store.placeModel(m.id, crs.value as ModelCrs, m.heightOffset);
  };
  const height = h('input', {
    type: 'number',
    step: 1,
    min: -2000,
    max: 2000,
    value: String(m.heightOffset),
    'data-testid': `model-height-${m.id}`,
    title: t('model.height'),
  });
  height.onchange = () => {
    const v = Number(height.value);
    // a change event can come twice for one edit (typing, then leaving the field): place once
    if (Number.isFinite(v) && v !== m.heightOffset) store.placeModel(m.id, m.crs, v);
  };
  const fmt = (v: number) => v.toFixed(5);
  return h(
    'li',
    {
      'data-testid': `model-${m.id}`,
      'data-status': m.status,
      'data-kind': m.kind,
      'data-georeferenced': p ? String(p.georeferenced) : '',
      'data-distance-km': p ? p.distanceKm.toFixed(2) : '',
      'data-tile-errors': String(m.tileErrors),
    },
    h('div', {}, t('model.info', { name: m.name, kind: t(`model.kind.${m.kind}`), n: m.files })),
    m.status === 'loading' ? h('div', { class: 'muted' }, t('model.loading', { name: m.name })) : '',
    m.status === 'error' ? h('div', { class: 'error', 'data-testid': 'model-failed' }, t('model.failed', { name: m.name, detail: m.error ?? '' })) : '',
    p && p.georeferenced ? h('div', { class: 'muted' }, t('model.at', { lon: fmt(p.placedLon), lat: fmt(p.placedLat), km: p.distanceKm.toFixed(1) })) : '',
    p && !p.georeferenced ? h('div', { class: 'warn', 'data-testid': 'model-local' }, t('model.local')) : '',
    p?.far ? h('div', { class: 'warn', 'data-testid': 'model-far' }, t('model.far', { km: p.distanceKm.toFixed(0) })) : '',
    m.tileErrors
      ? h('div', { class: 'error', 'data-testid': 'model-tile-error' }, t('model.tileErrors', { n: m.tileErrors, detail: m.firstTileError ?? '' }))
      : '',
    m.status === 'ready'
      ? h(
          'div',
          { class: 'row' },
          p?.georeferenced ? h('label', { class: 'muted' }, `${t('model.crs')} `, crs) : '',
          h('label', { class: 'muted' }, `${t('model.height')} `, height),
        )
      : '',
    h(
      'div',
      { class: 'row' },
      p
        ? button(t('model.flyTo'), { 'data-testid': `model-fly-${m.id}` }, () => {
            void store.command({ type: 'focus', lon: p.placedLon, lat: p.placedLat, what: m.name, rangeM: Math.min(20_000, Math.max(300, p.radiusM * 2.5)) });
          })
        : '',
      button(t('model.remove'), { 'data-testid': `model-remove-${m.id}` }, () => store.removeModel(m.id)),
    ),
  );
}

export function mountModelPanel(store: RootStore, box: HTMLElement): () => void {
  const mo = store.models;
  const folder = h('input', { type: 'file', webkitdirectory: true, multiple: true, 'data-testid': 'model-folder' });
  folder.onchange = () => {
    const files = [...(folder.files ?? [])];
    folder.value = '';
    if (!files.length) return;
    const name = (files[0]!.webkitRelativePath || files[0]!.name).split('/')[0] ?? 'model';
    store.loadModelFolder(
      name,
      files.map((f) => ({ path: f.webkitRelativePath || f.name, blob: f })),
    );
  };
  const pkg = h('input', { type: 'file', accept: '.3tz,.zip', 'data-testid': 'model-file' });
  pkg.onchange = () => {
    const file = pkg.files?.[0];
    pkg.value = '';
    if (file) void store.loadModelArchive(file, file.name);
  };
  return autorun(() => {
    const err = mo.openError;
    const hide = h('input', { type: 'checkbox', checked: !store.ui.layers.buildings, 'data-testid': 'model-hide-district' });
    hide.onchange = () => void store.command({ type: 'toggleLayer', layer: 'buildings', visible: !hide.checked });
    const f = mo.picked;
    box.replaceChildren(
      h('h2', {}, t('model.title')),
      h('label', { class: 'muted' }, `${t('model.folder')} · ${t('model.folderHint')}`, folder),
      h('label', { class: 'muted' }, `${t('model.file')} · ${t('model.fileHint')}`, pkg),
      mo.opening !== null ? h('div', { class: 'muted', 'data-testid': 'model-opening' }, t('model.opening', { name: mo.opening })) : '',
      err ? h('div', { class: 'error', 'data-testid': 'model-error', 'data-code': err.code }, t(`model.error.${err.code}`, err.values)) : '',
      mo.models.length ? h('label', { class: 'layer-row' }, hide, ` ${t('model.hideDistrict')}`) : '',
      h('ul', { class: 'import-list', 'data-testid': 'model-list' }, ...mo.models.map((m) => row(store, m))),
      f
        ? h(
            'div',
            { 'data-testid': 'model-feature', 'data-model': f.modelId },
            h('h3', {}, t('model.feature', { name: f.modelName })),
            f.props.length
              ? h('table', { class: 'props' }, ...f.props.map(([k, v]) => h('tr', { 'data-prop': k }, h('td', { class: 'muted' }, k), h('td', {}, v))))
              : h('div', { class: 'muted' }, t('model.featureNone')),
          )
        : '',
    );
  });
}
