/**
 * The basemap commands of the root store with real package files as Blobs (read by Blob.slice, as a picked File is):
 * audited loads and clears, an unusable package keeps the previous one, a slow open overtaken by a later package is
 * dropped, errors carry a catalog key that renders in both languages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorText } from '../../renderer/src/i18n.ts';
import { RootStore } from '../../renderer/src/stores/root.ts';
import { bytesOf, FIXTURES } from './basemap-fixtures.ts';

const blob = (name: string) => new Blob([readFileSync(join(FIXTURES, name))]);

describe('basemap commands', () => {
  it('loads .mbtiles and .pmtiles files lazily, keeps the previous package on errors, audits by name', async () => {
    const store = new RootStore();
    await store.loadBasemapFile(blob('dedup.mbtiles'), 'dedup.mbtiles');
    const mb = store.imports.tiles!;
    expect(mb).toMatchObject({ kind: 'mbtiles', scheme: 'tms', minZoom: 12, maxZoom: 14 });
    expect((await bytesOf(await mb.get(14, 13491, 6206)))?.equals(readFileSync(join(FIXTURES, 'tiles/14/13491/6206.png')))).toBe(true);
    // a vector package: refused, the MBTiles stays
    await store.loadBasemapFile(blob('vector.pmtiles'), 'vector.pmtiles');
    expect(store.imports.tiles).toBe(mb);
    const err = store.imports.tilesError!;
    expect(err.code).toBe('vector');
    // the message is in the UI language (zh-CN by default); text() renders it in any
    expect(err.message).toBe('vector.pmtiles：暂不支持矢量 PMTiles，仅支持栅格瓦片（png/jpg/webp）');
    expect(err.text('en')).toBe('vector.pmtiles: vector PMTiles are not supported yet — raster png/jpg/webp only');
    expect(errorText(err, 'en')).toBe(err.text('en'));
    // PMTiles replaces it (the MBTiles is closed: it serves nothing more)
    await store.loadBasemapFile(blob('raster.pmtiles'), 'raster.pmtiles');
    expect(store.imports.tiles).toMatchObject({ kind: 'pmtiles', count: 30 });
    expect(store.imports.tilesError).toBeNull();
    expect(await mb.get(14, 13491, 6206)).toBeNull();
    // a slow open overtaken by a folder: dropped
    const slow = store.loadBasemapFile(blob('plain.mbtiles'), 'plain.mbtiles');
    expect(store.imports.tilesOpening).toBe('plain.mbtiles');
    store.loadBasemap([{ path: 'f/13/6745/3102.png', blob: blob('tiles/13/6745/3102.png') }], { lon: 116.456, lat: 39.9375 }, 'f');
    await slow;
    expect(store.imports.tiles).toMatchObject({ kind: 'folder', name: 'f', count: 1 });
    expect(store.imports.tilesOpening).toBeNull();
    store.clearBasemap();
    expect(store.imports.tiles).toBeNull();
    const audit = store.ui.audit.filter((r) => r.command.type === 'basemap').map((r) => ({ ...r.command, result: r.result }));
    expect(audit).toEqual([
      { type: 'basemap', op: 'load', name: 'dedup.mbtiles', files: 1, result: 'ok' },
      { type: 'basemap', op: 'load', name: 'vector.pmtiles', files: 1, result: 'error: vector.pmtiles：暂不支持矢量 PMTiles，仅支持栅格瓦片（png/jpg/webp）' },
      { type: 'basemap', op: 'load', name: 'raster.pmtiles', files: 1, result: 'ok' },
      { type: 'basemap', op: 'load', name: 'plain.mbtiles', files: 1, result: 'error: 已被随后选择的底图取代' },
      { type: 'basemap', op: 'load', name: 'f', files: 1, result: 'ok' },
      { type: 'basemap', op: 'clear', result: undefined },
    ]);
  });
});
