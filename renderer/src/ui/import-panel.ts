/**
 * Left-panel section: import the user's own data (GeoJSON, CSV, Shapefile parts, KML, GeoPackage, SQLite) with a CRS
 * choice for files that declare none (reset after each import), a per-layer CRS override, the GCJ-02/BD-09 question, and the
 * offline basemap (a tile folder, or an .mbtiles / .pmtiles file read lazily), and 3D models (model-panel.ts). Strings: renderer/src/i18n/import.ts.
 */
import { autorun } from 'mobx';
import { haversineMeters } from '../../../data-pipelines/geo/measure.ts';
import { CRS_OPTIONS } from '../import/crs.ts';
import { t } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import { button, folderInput, h } from './dom.ts';
import { mountModelPanel } from './model-panel.ts';

export function mountImportPanel(store: RootStore, box: HTMLElement, near: { lon: number; lat: number }): () => void {
  const im = store.imports;
  const input = h('input', {
    type: 'file',
    multiple: true,
    accept: '.geojson,.json,.csv,.txt,.tsv,.shp,.dbf,.prj,.cpg,.shx,.kml,.kmz,.gpkg,.sqlite,.sqlite3,.db',
    'data-testid': 'import-file',
  });
  input.onchange = () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    void Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }))).then((fs) => store.importFiles(fs));
  };
  const folder = folderInput({ 'data-testid': 'basemap-folder' }, 'tiles', (name, entries) => store.loadBasemap(entries, near, name));
  // a package file: the File itself is kept and sliced on demand (multi-gigabyte MBTiles are never read whole)
  const pkg = h('input', { type: 'file', accept: '.mbtiles,.pmtiles', 'data-testid': 'basemap-file' });
  pkg.onchange = () => {
    const file = pkg.files?.[0];
    pkg.value = '';
    if (file) void store.loadBasemapFile(file, file.name);
  };
  // 3D models: their own box, below this panel's and never moved by its re-renders (an input there keeps its focus)
  const models = h('div', { class: 'model-section' });
  const disposeModels = mountModelPanel(store, models);
  const panel = h('div', {});
  box.replaceChildren(panel, models);
  const dispose = autorun(() => {
    void im.version;
    const crs = h('select', { 'data-testid': 'import-crs' }, ...CRS_OPTIONS.map((o) => h('option', { value: o.id, selected: o.id === im.crsChoice }, o.label)));
    crs.onchange = () => im.setCrsChoice(crs.value);
    const tiles = im.tiles;
    panel.replaceChildren(
      h('h2', {}, t('import.title')),
      h('div', { class: 'muted' }, t('import.hint')),
      h('label', { class: 'muted', title: t('import.crsNext') }, t('import.crs'), crs),
      input,
      im.busy ? h('div', { class: 'muted' }, t('import.busy')) : '',
      ...im.errors.map((e) => h('div', { class: 'error', 'data-testid': 'import-error' }, e)),
      h('h2', {}, t('import.basemap.title')),
      h('label', { class: 'muted' }, `${t('import.basemap.folder')} · ${t('import.basemap.folderHint')}`, folder),
      h('label', { class: 'muted' }, `${t('import.basemap.file')} · ${t('import.basemap.fileHint')}`, pkg),
      im.tilesOpening !== null ? h('div', { class: 'muted', 'data-testid': 'basemap-opening' }, t('import.basemap.opening', { name: im.tilesOpening })) : '',
      im.tilesError ? h('div', { class: 'error', 'data-testid': 'basemap-error', 'data-code': im.tilesError.code }, im.tilesError.text()) : '',
      tiles
        ? h(
            'div',
            {
              class: 'muted',
              'data-testid': 'basemap-info',
              'data-kind': tiles.kind,
              'data-count': tiles.count === null ? '' : String(tiles.count),
              'data-scheme': tiles.scheme,
              'data-format': tiles.format,
              'data-zooms': `${tiles.minZoom}-${tiles.maxZoom}`,
            },
            t(tiles.count === null ? 'import.basemap.info' : 'import.basemap.infoCount', {
              name: tiles.name,
              kind: t(`import.basemap.kind.${tiles.kind}`),
              n: tiles.count ?? 0,
              min: String(tiles.minZoom),
              max: String(tiles.maxZoom),
              scheme: tiles.scheme.toUpperCase(),
              format: tiles.format,
            }),
            ' ',
            button(t('import.remove'), { 'data-testid': 'basemap-clear' }, () => store.clearBasemap()),
          )
        : '',
      h('h2', {}, t('import.layers')),
      h(
        'ul',
        { class: 'import-list', 'data-testid': 'import-list' },
        ...im.layers.map((l) => {
          const cb = h('input', { type: 'checkbox', checked: l.visible });
          cb.onchange = () => void store.command({ type: 'importData', op: cb.checked ? 'show' : 'hide', id: l.id });
          const n = l.layer.features.filter((f) => f.geometry).length;
          // this layer only: its own CRS, winning over what the file declares
          const own = h(
            'select',
            { 'data-testid': `import-layer-crs-${l.table}`, title: t('import.crsLayer') },
            ...CRS_OPTIONS.map((o) =>
              h(
                'option',
                { value: o.id, selected: o.id === l.layer.crs || (o.id === 'auto' && !CRS_OPTIONS.some((x) => x.id === l.layer.crs)) },
                o.id === 'auto' ? `${t('import.crsLayer')}…` : o.label,
              ),
            ),
          );
          own.onchange = () => {
            if (own.value !== 'auto') void store.reimportLayer(l.id, own.value);
          };
          const q = l.layer.crsQuestion;
          const crsName = (id: string) => CRS_OPTIONS.find((o) => o.id === id)?.label ?? id;
          const enc =
            l.layer.encodingSource && ['cpg', 'ldid', 'detected'].includes(l.layer.encodingSource)
              ? (`import.encodingFrom.${l.layer.encodingSource}` as 'import.encodingFrom.cpg')
              : 'import.encodingFrom.none';
          return h(
            'li',
            { 'data-table': l.table, 'data-features': String(n), 'data-crs': l.layer.crs },
            h(
              'label',
              { class: 'layer-row' },
              cb,
              h('span', { class: 'swatch', style: `background:rgba(${l.color[0]},${l.color[1]},${l.color[2]},1)` }),
              ` ${l.layer.name}`,
            ),
            h(
              'div',
              { class: 'muted' },
              t('import.layerInfo', {
                n,
                crs: l.layer.crs,
                from: t(`import.crsFrom.${l.layer.crsSource}`),
                encoding: t(enc, { enc: l.layer.encoding }),
                table: l.table,
              }),
            ),
            q
              ? h(
                  'div',
                  { class: 'warn', 'data-testid': `import-question-${l.table}`, 'data-suggest': q.suggest },
                  t('import.question', { crs: crsName(q.suggest), current: q.current }),
                  ...q.evidence.map((e) => h('div', { class: 'muted' }, e)),
                  h(
                    'div',
                    { class: 'row' },
                    button(
                      t('import.questionUse', { crs: crsName(q.suggest) }),
                      { 'data-testid': `import-question-use-${l.table}` },
                      () => void store.reimportLayer(l.id, q.suggest),
                    ),
                    button(t('import.questionKeep', { current: q.current }), { 'data-testid': `import-question-keep-${l.table}` }, () =>
                      im.dismissQuestion(l.id),
                    ),
                  ),
                )
              : '',
            ...[...l.layer.notes, ...l.layer.warnings].map((w) => h('div', { class: 'muted warn' }, w)),
            h(
              'div',
              { class: 'row' },
              button(t('import.zoom'), { 'data-testid': `import-zoom-${l.table}` }, () => {
                const b = l.layer.bbox;
                if (b)
                  void store.command({
                    type: 'focus',
                    lon: (b[0] + b[2]) / 2,
                    lat: (b[1] + b[3]) / 2,
                    what: l.table,
                    rangeM: Math.max(400, haversineMeters([b[0], b[1]], [b[2], b[3]]) * 1.5),
                  });
              }),
              button(
                t('import.remove'),
                { 'data-testid': `import-remove-${l.table}` },
                () => void store.command({ type: 'importData', op: 'remove', id: l.id }),
              ),
              own,
            ),
          );
        }),
      ),
    );
  });
  return () => {
    dispose();
    disposeModels();
  };
}
