/**
 * A planner brings their own data in Chromium: an ArcGIS GeoJSON export in CGCS2000 Gauss-Krüger with Chinese field
 * names, a GBK CSV from Excel and a KML arrive through the file picker together with a broken file; the good ones
 * land on the 2D and 3D maps and in DuckDB (queryable with their Chinese column names), the broken one is named.
 * Then a saved layout (per user, exportable) brings the screen back after changes. Offline basemaps: a tile folder,
 * an MBTiles and a PMTiles file (tests/fixtures/basemap) show in 2D and 3D.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { resolve } from 'node:path';
import proj4 from 'proj4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epsgDef } from '../../renderer/src/import/crs.ts';
import { fromWgs84 } from '../../data-pipelines/geo/coords.ts';
import { lonLatToTile } from '../../renderer/src/basemap/tile-package.ts';
import { openApp, ROOT, waitReady, type Session } from './harness.ts';
import { decode } from './pixels.ts';

const OUT = resolve(ROOT, 'test-results');
mkdirSync(OUT, { recursive: true });
let s: Session;
const FIXTURES = resolve(ROOT, 'tests/fixtures/basemap');

/** pixels of the test tiles' magenta */
function magenta(png: ReturnType<typeof decode>): number {
  let k = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! > 180 && png.data[i + 1]! < 90 && png.data[i + 2]! > 180) k++;
  return k;
}
/** magenta pixels in one view, screenshot saved to `file` when given */
async function magentaIn(view: '#view2d' | '#view3d', file?: string): Promise<number> {
  return magenta(decode(await s.page.locator(view).screenshot(file ? { path: file } : {})));
}
/** tiles are drawn when they have loaded: wait on the pixels, not on a clock (a shared CI machine can be 10x slower) */
const TILES = { timeout: 120_000, interval: 1000 };

const hex = (h: string) => Buffer.from(h, 'hex');
// 名称,经度,纬度 / 朝阳小区,116.4410,39.9250 in GBK
const GBK_CSV = Buffer.concat([
  hex('c3fbb3c6'),
  Buffer.from(','),
  hex('beadb6c8'),
  Buffer.from(','),
  hex('ceb3b6c8'),
  Buffer.from('\r\n'),
  hex('b3afd1f4d0a1c7f8'),
  Buffer.from(',116.4410,39.9250\r\n'),
]);
const GK = proj4(epsgDef(4548)!, [116.456, 39.9375]) as [number, number];
const ARCGIS = {
  type: 'FeatureCollection',
  crs: { type: 'name', properties: { name: 'EPSG:4548' } },
  features: [
    {
      type: 'Feature',
      properties: { 名称: '示范片区', 面积: 12.5 },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [GK[0] - 400, GK[1] - 300],
            [GK[0] + 400, GK[1] - 300],
            [GK[0] + 400, GK[1] + 300],
            [GK[0] - 400, GK[1] + 300],
            [GK[0] - 400, GK[1] - 300],
          ],
        ],
      },
    },
  ],
};
const KML = `<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>巡查路线</name><LineString><coordinates>116.445,39.930 116.466,39.945</coordinates></LineString></Placemark></Document></kml>`;

describe('import the user’s own data', () => {
  beforeAll(async () => {
    s = await openApp();
    await waitReady(s.page);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('GeoJSON (CGCS2000 GK), GBK CSV and KML land on the maps and in DuckDB; a broken file is named', async () => {
    await s.page.click('[data-testid=view-2d]');
    await s.page.evaluate(() => window.__redwall!.ready2d());
    await s.page.setInputFiles('[data-testid=import-file]', [
      { name: '片区.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(ARCGIS)) },
      { name: '小区.csv', mimeType: 'text/csv', buffer: GBK_CSV },
      { name: '路线.kml', mimeType: 'application/vnd.google-earth.kml+xml', buffer: Buffer.from(KML) },
      { name: 'broken.geojson', mimeType: 'application/geo+json', buffer: Buffer.from('{"type":"FeatureCollection",') },
    ]);
    await expect.poll(() => s.page.locator('[data-testid=import-list] li').count(), { timeout: 120_000 }).toBe(3);
    expect(await s.page.textContent('[data-testid=import-error]')).toMatch(/^broken\.geojson：不是有效的 JSON/); // the UI language (zh-CN)
    const crs = await s.page.$$eval('[data-testid=import-list] li', (els) => els.map((e) => e.getAttribute('data-crs')));
    expect(crs).toEqual(['EPSG:4548', 'WGS84', 'WGS84']);
    const tables = await s.page.$$eval('[data-testid=import-list] li', (els) => els.map((e) => e.getAttribute('data-table')!));
    // the GK polygon came back to WGS84 around the district centre; Chinese column names are queryable
    const poly = await s.page.evaluate((t) => window.__redwall!.sql(`SELECT 名称, 面积, lon, lat, geom_type FROM "${t}"`), tables[0]!);
    expect(poly.first).toMatchObject({ 名称: '示范片区', 面积: 12.5, geom_type: 'Polygon' });
    expect(Number(poly.first!['lon'])).toBeCloseTo(116.456, 4);
    expect(Number(poly.first!['lat'])).toBeCloseTo(39.9375, 4);
    const pt = await s.page.evaluate((t) => window.__redwall!.sql(`SELECT 名称 FROM "${t}"`), tables[1]!);
    expect(pt.first).toEqual({ 名称: '朝阳小区' });
    // on the 2D map: the polygon's pink outline/fill around the district centre
    await s.page.evaluate(() => window.__redwall!.view2d()!.map.jumpTo({ center: [116.456, 39.9375], zoom: 14.5 }));
    const pink = async () => {
      const png = decode(await s.page.locator('#view2d').screenshot({ path: resolve(OUT, 'import-2d.png') }));
      let k = 0;
      for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! > 200 && png.data[i + 1]! < 140 && png.data[i + 2]! > 120) k++;
      return k;
    };
    await expect.poll(pink, TILES).toBeGreaterThan(300);
    // audited by file name; removing a layer drops its table
    const audit = await s.page.evaluate(() => window.__redwall!.store.ui.audit.filter((r) => r.command.type === 'importData').map((r) => r.command));
    expect(audit[0]).toMatchObject({ op: 'add', names: ['片区.geojson', '小区.csv', '路线.kml', 'broken.geojson'], crs: 'auto' });
    await s.page.click(`[data-testid=import-remove-${tables[2]!}]`);
    await expect.poll(() => s.page.locator('[data-testid=import-list] li').count()).toBe(2);
    await expect(s.page.evaluate((t) => window.__redwall!.sql(`SELECT * FROM "${t}"`), tables[2]!)).rejects.toThrow(/does not exist/);
    expect(s.external).toEqual([]);
    // the failed query above is the test's own; nothing else may log an error
    expect(s.consoleErrors.filter((e) => !/does not exist/.test(e))).toEqual([]);
  });

  it('a GeoPackage, and BD-09 points on the streets: the user is asked, with the evidence, and re-imports that layer', async () => {
    const before = await s.page.locator('[data-testid=import-list] li').count();
    // the batch choice is used for one import and then reset
    await s.page.selectOption('[data-testid=import-crs]', 'GCJ02');
    await s.page.setInputFiles('[data-testid=import-file]', [
      { name: 'district.gpkg', mimeType: 'application/geopackage+sqlite3', buffer: readFileSync(resolve(ROOT, 'tests/fixtures/import/district.gpkg')) },
    ]);
    await expect.poll(() => s.page.locator('[data-testid=import-list] li').count(), { timeout: 120_000 }).toBe(before + 3);
    expect(await s.page.$eval('[data-testid=import-crs]', (e) => (e as HTMLSelectElement).value)).toBe('auto');
    const gp = await s.page.$$eval('[data-testid=import-list] li', (els) =>
      els.slice(-3).map((e) => [e.getAttribute('data-table'), e.getAttribute('data-crs')]),
    );
    // Chinese layer names give Chinese table names; each layer's own declared CRS won over the batch choice
    expect(gp).toEqual([
      [expect.stringMatching(/^user_district_巡查点_\d+$/), 'WGS84'],
      [expect.stringMatching(/^user_district_streets_\d+$/), 'EPSG:4548'],
      [expect.stringMatching(/^user_district_blocks_\d+$/), 'WGS84'],
    ]);
    const named = await s.page.evaluate((t) => window.__redwall!.sql(`SELECT 名称, lon FROM "${t}" ORDER BY fid LIMIT 1`), gp[0]![0]!);
    expect(named.first).toMatchObject({ 名称: '朝阳门巡查点', lon: 116.4355 });

    // points in the middle of real district streets, written in BD-09 (as a Baidu export would be)
    const mids = await s.page.evaluate(() => {
      const net = window.__redwall!.store.entities.streets!;
      const out: Array<[number, number]> = [];
      for (let a = 0; a < net.lon.length && out.length < 40; a += 5) {
        const e = net.graph.adj[a]!.find((x) => x.to > a);
        if (e) out.push([(net.lon[a]! + net.lon[e.to]!) / 2, (net.lat[a]! + net.lat[e.to]!) / 2]);
      }
      return out;
    });
    const csv = `name,lng,lat\n${mids
      .map((p, i) => {
        const b = fromWgs84('BD09', p[0], p[1]);
        return `p${i},${b[0].toFixed(7)},${b[1].toFixed(7)}`;
      })
      .join('\n')}\n`;
    await s.page.setInputFiles('[data-testid=import-file]', [{ name: 'patrol.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) }]);
    await expect.poll(() => s.page.locator('[data-testid=import-list] li').count(), { timeout: 120_000 }).toBe(before + 4);
    const table = await s.page.$eval('[data-testid=import-list] li:last-child', (e) => e.getAttribute('data-table')!);
    const q = s.page.locator(`[data-testid=import-question-${table}]`);
    expect(await q.getAttribute('data-suggest')).toBe('BD09');
    // zh-CN: the evidence (street fit) and the measured offsets, not "~500 m"
    expect(await q.textContent()).toMatch(/按 BD-09（百度） ?解读时，\d+ 个顶点到片区街道的中位距离为 \d+ 米/);
    expect(await q.textContent()).toContain('BD-09 与 WGS84 相差 1.34–1.36 公里');
    expect(await s.page.$eval('[data-testid=import-list] li:last-child', (e) => e.getAttribute('data-crs'))).toBe('WGS84');
    await s.page.click(`[data-testid=import-question-use-${table}]`);
    await expect.poll(() => s.page.$eval('[data-testid=import-list] li:last-child', (e) => e.getAttribute('data-crs'))).toBe('BD09');
    expect(await s.page.locator(`[data-testid=import-question-${table}]`).count()).toBe(0);
    const back = await s.page.evaluate((t) => window.__redwall!.sql(`SELECT lon, lat FROM "${t}" ORDER BY fid LIMIT 1`), table);
    expect(Number(back.first!['lon'])).toBeCloseTo(mids[0]![0], 5);
    expect(Number(back.first!['lat'])).toBeCloseTo(mids[0]![1], 5);
    const audit = await s.page.evaluate(() =>
      window
        .__redwall!.store.ui.audit.filter((r) => r.command.type === 'importData')
        .map((r) => r.command)
        .slice(-3),
    );
    expect(audit).toMatchObject([
      { op: 'add', names: ['district.gpkg'], crs: 'GCJ02' },
      { op: 'add', names: ['patrol.csv'], crs: 'auto' },
      { op: 'add', names: ['patrol'], crs: 'BD09' },
    ]);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors.filter((e) => !/does not exist/.test(e))).toEqual([]);
  });

  it('saves a layout, restores it after changes, exports it and imports it back; a foreign file is refused', async () => {
    const ui = () =>
      s.page.evaluate(() => ({
        view: window.__redwall!.store.ui.view,
        cameras: window.__redwall!.store.ui.layers.cameras,
        manholes: window.__redwall!.store.ui.layers.manholes,
      }));
    await s.page.evaluate(() => window.__redwall!.view2d()!.map.jumpTo({ center: [116.47, 39.95], zoom: 15.5 }));
    await s.page.fill('[data-testid=layout-name]', '早班');
    await s.page.click('[data-testid=layout-save]');
    await s.page.waitForSelector('[data-testid=layout-list] li[data-layout="早班"]');
    const before = await ui();
    expect(before.view).toBe('2d');
    // change the screen
    await s.page.click('[data-testid=layer-cameras]');
    await s.page.click('[data-testid=layer-manholes]');
    await s.page.evaluate(() => window.__redwall!.view2d()!.map.jumpTo({ center: [116.43, 39.91], zoom: 13 }));
    await s.page.click('[data-testid=view-3d]');
    expect(await ui()).not.toEqual(before);
    // restore
    await s.page.click('[data-testid="layout-apply-早班"]');
    await expect.poll(ui).toEqual(before);
    const c = await s.page.evaluate(() => window.__redwall!.view2d()!.cameraState());
    expect(c.center[0]).toBeCloseTo(116.47, 6);
    expect(c.zoom).toBeCloseTo(15.5, 6);
    // export, delete, import the file back
    const [dl] = await Promise.all([s.page.waitForEvent('download'), s.page.click('[data-testid="layout-export-早班"]')]);
    const text = readFileSync(await dl.path(), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ format: 'redwall-layout/1', name: '早班', view: '2d' });
    await s.page.click('[data-testid="layout-delete-早班"]');
    await expect.poll(() => s.page.locator('[data-testid=layout-list] li').count()).toBe(0);
    await s.page.setInputFiles('[data-testid=layout-file]', { name: 'shift.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await s.page.waitForSelector('[data-testid=layout-list] li[data-layout="早班"]');
    await s.page.setInputFiles('[data-testid=layout-file]', {
      name: 'other.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"format":"qgis-project"}'),
    });
    expect(await s.page.textContent('[data-testid=layout-error]')).toMatch(/^other\.json：不是 RedWall 布局文件：format/);
    const audit = await s.page.evaluate(() => window.__redwall!.store.ui.audit.map((r) => r.command.type).filter((t) => /Layout$/.test(t)));
    expect(audit).toEqual(['saveLayout', 'applyLayout', 'deleteLayout', 'saveLayout']);
    await s.page.screenshot({ path: resolve(ROOT, 'docs/screenshots/import-and-layouts-2d.png') });
    expect(s.consoleErrors.filter((e) => !/does not exist/.test(e))).toEqual([]);
  });

  it('an offline tile folder ({z}/{x}/{y}.png) becomes the basemap in 2D and 3D', async () => {
    // a magenta z13 + z12 package over the district, as a tile downloader would write it (XYZ)
    const dir = mkdtempSync(join(tmpdir(), 'redwall-tiles-'));
    const root = join(dir, '测试底图');
    const tile = new PNG({ width: 256, height: 256 });
    for (let i = 0; i < tile.data.length; i += 4) tile.data.set([255, 0, 255, 255], i);
    const bytes = PNG.sync.write(tile);
    let n = 0;
    for (const z of [12, 13]) {
      const [x0, y0] = lonLatToTile(116.42, 39.975, z);
      const [x1, y1] = lonLatToTile(116.49, 39.9, z);
      for (let x = x0; x <= x1; x++)
        for (let y = y0; y <= y1; y++) {
          mkdirSync(join(root, String(z), String(x)), { recursive: true });
          writeFileSync(join(root, String(z), String(x), `${y}.png`), bytes);
          n++;
        }
    }
    await s.page.click('[data-testid=view-2d]');
    await s.page.setInputFiles('[data-testid=basemap-folder]', root);
    await s.page.waitForSelector('[data-testid=basemap-info]');
    expect(await s.page.getAttribute('[data-testid=basemap-info]', 'data-count')).toBe(String(n));
    expect(await s.page.getAttribute('[data-testid=basemap-info]', 'data-scheme')).toBe('xyz');
    await s.page.evaluate(() => window.__redwall!.view2d()!.map.jumpTo({ center: [116.456, 39.9375], zoom: 13.5 }));
    await expect.poll(() => magentaIn('#view2d', resolve(OUT, 'tiles-2d.png')), TILES).toBeGreaterThan(20_000);
    await s.page.click('[data-testid=view-3d]');
    await s.page.click('[data-testid=preset-overview]');
    await expect.poll(() => magentaIn('#view3d', resolve(OUT, 'tiles-3d.png')), TILES).toBeGreaterThan(5_000);
    // removed: the magenta goes away
    await s.page.click('[data-testid=basemap-clear]');
    await expect.poll(() => magentaIn('#view3d'), TILES).toBeLessThan(500);
    const audit = await s.page.evaluate(() => window.__redwall!.store.ui.audit.filter((r) => r.command.type === 'basemap').map((r) => r.command));
    expect(audit).toEqual([
      { type: 'basemap', op: 'load', name: '测试底图', files: n },
      { type: 'basemap', op: 'clear' },
    ]);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors.filter((e) => !/does not exist/.test(e))).toEqual([]);
  });

  it('an .mbtiles and a .pmtiles file become the basemap in 2D and 3D; a vector package is refused by name', async () => {
    const basemapAudit = () =>
      s.page.evaluate(() => window.__redwall!.store.ui.audit.filter((r) => r.command.type === 'basemap').map((r) => ({ ...r.command, result: r.result })));
    // the test before leaves no basemap, even when it failed halfway
    if (await s.page.locator('[data-testid=basemap-clear]').count()) await s.page.click('[data-testid=basemap-clear]');
    const before = (await basemapAudit()).length;
    const look2d = async (file?: string) => {
      await s.page.click('[data-testid=view-2d]');
      await s.page.evaluate(() => window.__redwall!.view2d()!.map.jumpTo({ center: [116.456, 39.9375], zoom: 13.5, bearing: 0, pitch: 0 }));
      await expect.poll(() => magentaIn('#view2d', file), TILES).toBeGreaterThan(20_000);
    };
    const look3d = async (file?: string) => {
      await s.page.click('[data-testid=view-3d]');
      await s.page.click('[data-testid=preset-overview]');
      await expect.poll(() => magentaIn('#view3d', file), TILES).toBeGreaterThan(5_000);
    };
    // a vector package: refused with the reason, in the UI language (the e2e browser runs zh-CN)
    await s.page.setInputFiles('[data-testid=basemap-file]', resolve(FIXTURES, 'vector.mbtiles'));
    await s.page.waitForSelector('[data-testid=basemap-error]');
    expect(await s.page.getAttribute('[data-testid=basemap-error]', 'data-code')).toBe('vector');
    expect(await s.page.textContent('[data-testid=basemap-error]')).toBe('vector.mbtiles：暂不支持矢量 MBTiles，仅支持栅格瓦片（png/jpg/webp）');
    expect(await s.page.locator('[data-testid=basemap-info]').count()).toBe(0);
    // MBTiles (SQLite, TMS rows), read by slices of the File
    await s.page.setInputFiles('[data-testid=basemap-file]', resolve(FIXTURES, 'plain.mbtiles'));
    await s.page.waitForSelector('[data-testid=basemap-info][data-kind=mbtiles]');
    const info = await s.page.$eval('[data-testid=basemap-info]', (e) => ({ ...(e as HTMLElement).dataset, text: e.textContent }));
    expect(info).toMatchObject({ kind: 'mbtiles', scheme: 'tms', format: 'png', zooms: '12-14', count: '' });
    expect(info.text).toMatch(/^plain\.mbtiles：MBTiles，12–14 级，TMS，png/);
    expect(await s.page.locator('[data-testid=basemap-error]').count()).toBe(0);
    await look2d(resolve(ROOT, 'docs/screenshots/basemap-mbtiles-2d.png'));
    await look3d(resolve(OUT, 'mbtiles-3d.png'));
    await s.page.click('[data-testid=basemap-clear]');
    await expect.poll(() => magentaIn('#view3d'), TILES).toBeLessThan(500);
    // PMTiles v3 (gzip directory), XYZ
    await s.page.setInputFiles('[data-testid=basemap-file]', resolve(FIXTURES, 'raster.pmtiles'));
    await s.page.waitForSelector('[data-testid=basemap-info][data-kind=pmtiles]');
    expect(await s.page.$eval('[data-testid=basemap-info]', (e) => ({ ...(e as HTMLElement).dataset }))).toMatchObject({
      kind: 'pmtiles',
      scheme: 'xyz',
      format: 'png',
      zooms: '12-14',
      count: '30',
    });
    expect(await s.page.textContent('[data-testid=basemap-info]')).toMatch(/^raster\.pmtiles：PMTiles，30 张瓦片，12–14 级，XYZ，png/);
    await look3d(resolve(OUT, 'pmtiles-3d.png'));
    await look2d(resolve(OUT, 'pmtiles-2d.png'));
    await s.page.click('[data-testid=basemap-clear]');
    const audit = (await basemapAudit()).slice(before);
    expect(audit).toEqual([
      { type: 'basemap', op: 'load', name: 'vector.mbtiles', files: 1, result: 'error: vector.mbtiles：暂不支持矢量 MBTiles，仅支持栅格瓦片（png/jpg/webp）' },
      { type: 'basemap', op: 'load', name: 'plain.mbtiles', files: 1, result: 'ok' },
      { type: 'basemap', op: 'clear', result: undefined },
      { type: 'basemap', op: 'load', name: 'raster.pmtiles', files: 1, result: 'ok' },
      { type: 'basemap', op: 'clear', result: undefined },
    ]);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors.filter((e) => !/does not exist/.test(e))).toEqual([]);
  });
});
