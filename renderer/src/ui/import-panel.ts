/** Left-panel section: import the user's own data (GeoJSON, CSV, Shapefile parts, KML) with a CRS choice. */
import { autorun } from 'mobx';
import { CRS_OPTIONS } from '../import/crs.ts';
import { locale } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import { button, h } from './dom.ts';

export function mountImportPanel(store: RootStore, box: HTMLElement, near: { lon: number; lat: number }): () => void {
  const im = store.imports;
  const input = h('input', { type: 'file', multiple: true, accept: '.geojson,.json,.csv,.txt,.tsv,.shp,.dbf,.prj,.cpg,.shx,.kml,.kmz', 'data-testid': 'import-file' });
  input.onchange = () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    void Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }))).then((fs) => store.importFiles(fs));
  };
  const folder = h('input', { type: 'file', webkitdirectory: true, multiple: true, 'data-testid': 'basemap-folder' });
  folder.onchange = () => {
    const files = [...(folder.files ?? [])];
    folder.value = '';
    if (!files.length) return;
    const name = (files[0]!.webkitRelativePath || files[0]!.name).split('/')[0] ?? 'tiles';
    store.loadBasemap(files.map((f) => ({ path: f.webkitRelativePath || f.name, blob: f })), near, name);
  };
  const dispose = autorun(() => {
    const zh = locale() === 'zh-CN';
    void im.version;
    const crs = h('select', { 'data-testid': 'import-crs' }, ...CRS_OPTIONS.map((o) => h('option', { value: o.id, selected: o.id === im.crsChoice }, o.label)));
    crs.onchange = () => im.setCrsChoice(crs.value);
    box.replaceChildren(
      h('h2', {}, zh ? '导入数据' : 'Import data'),
      h('div', { class: 'muted' }, zh ? 'GeoJSON、CSV（经纬度列）、Shapefile（.shp+.dbf+.prj+.cpg 一起选）、KML' : 'GeoJSON, CSV with lon/lat, Shapefile (select .shp+.dbf+.prj+.cpg together), KML'),
      h('label', { class: 'muted' }, zh ? '坐标系' : 'Coordinates', crs),
      input,
      im.busy ? h('div', { class: 'muted' }, zh ? '导入中…' : 'Importing…') : '',
      ...im.errors.map((e) => h('div', { class: 'error', 'data-testid': 'import-error' }, e)),
      h('h2', {}, zh ? '离线底图' : 'Offline basemap'),
      h('div', { class: 'muted' }, zh ? '选择瓦片文件夹（{z}/{x}/{y}.png/jpg，XYZ 或 TMS）' : 'Pick a tile folder ({z}/{x}/{y}.png/jpg, XYZ or TMS)'),
      folder,
      im.tilesError ? h('div', { class: 'error', 'data-testid': 'basemap-error' }, im.tilesError) : '',
      im.tiles
        ? h(
            'div',
            { class: 'muted', 'data-testid': 'basemap-info', 'data-count': String(im.tiles.count), 'data-scheme': im.tiles.scheme },
            `${im.tiles.name}: ${im.tiles.count} ${zh ? '张瓦片' : 'tiles'} · z${im.tiles.minZoom}–${im.tiles.maxZoom} · ${im.tiles.scheme.toUpperCase()} · ${im.tiles.format} `,
            button(zh ? '移除' : 'Remove', { 'data-testid': 'basemap-clear' }, () => store.clearBasemap()),
          )
        : '',
      h('h2', {}, zh ? '已导入图层' : 'Imported layers'),
      h(
        'ul',
        { class: 'import-list', 'data-testid': 'import-list' },
        ...im.layers.map((l) => {
          const cb = h('input', { type: 'checkbox', checked: l.visible });
          cb.onchange = () => void store.command({ type: 'importData', op: cb.checked ? 'show' : 'hide', id: l.id });
          const n = l.layer.features.filter((f) => f.geometry).length;
          return h(
            'li',
            { 'data-table': l.table, 'data-features': String(n), 'data-crs': l.layer.crs },
            h('label', { class: 'layer-row' }, cb, h('span', { class: 'swatch', style: `background:rgba(${l.color[0]},${l.color[1]},${l.color[2]},1)` }), ` ${l.layer.name}`),
            h('div', { class: 'muted' }, `${n} ${zh ? '个要素' : 'features'} · ${l.layer.crs} (${l.layer.crsSource === 'file' ? (zh ? '文件声明' : 'from file') : l.layer.crsSource === 'user' ? (zh ? '手动' : 'chosen') : zh ? '按数值推断' : 'from ranges'}) · ${l.layer.encoding} · ${zh ? '表' : 'table'} ${l.table}`),
            ...[...l.layer.notes, ...l.layer.warnings].map((w) => h('div', { class: 'muted warn' }, w)),
            h(
              'div',
              { class: 'row' },
              button(zh ? '定位' : 'Zoom', { 'data-testid': `import-zoom-${l.table}` }, () => {
                const b = l.layer.bbox;
                if (b) void store.command({ type: 'focus', lon: (b[0] + b[2]) / 2, lat: (b[1] + b[3]) / 2, what: l.table, rangeM: Math.max(400, Math.hypot((b[2] - b[0]) * 85_000, (b[3] - b[1]) * 111_000) * 1.5) });
              }),
              button(zh ? '移除' : 'Remove', { 'data-testid': `import-remove-${l.table}` }, () => void store.command({ type: 'importData', op: 'remove', id: l.id })),
            ),
          );
        }),
      ),
    );
  });
  return dispose;
}
