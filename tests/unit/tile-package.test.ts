/**
 * Offline tile packages: tile maths, XYZ vs TMS detection from where the tiles are, bounds, clear errors; the folder
 * as a tile source; package files opened by their first bytes (MBTiles and PMTiles themselves: mbtiles.test.ts,
 * pmtiles.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTileSource } from '../../renderer/src/basemap/index.ts';
import { BasemapError, EMPTY_PNG, sniffFormat, tileOrEmpty } from '../../renderer/src/basemap/source.ts';
import { indexTiles, lonLatToTile, tileAt, tileToLonLat } from '../../renderer/src/basemap/tile-package.ts';
import { bytesOf, expectedTiles, FIXTURES, memorySource } from './basemap-fixtures.ts';

const file = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

const beijing = { lon: 116.4, lat: 39.9 };
const blob = (s: string) => new Blob([s]);

describe('tile packages', () => {
  it('tile numbering (slippy map): hand-computed tiles for Beijing', () => {
    expect(lonLatToTile(0, 0, 0)).toEqual([0, 0]);
    // x = floor(296.4 / 360 * 1024) = 843; y = floor((1 - ln(tan φ + sec φ) / π) / 2 * 1024) = 388
    expect(lonLatToTile(116.4, 39.9, 10)).toEqual([843, 388]);
    const [lon, lat] = tileToLonLat(843, 388, 10);
    expect(lon).toBeCloseTo(116.3672, 4);
    expect(lat).toBeGreaterThan(39.9);
  });

  it('detects XYZ and TMS row order from where the tiles are', () => {
    const [x, y] = lonLatToTile(beijing.lon, beijing.lat, 12);
    const xyz = indexTiles(
      [
        { path: 'pkg/12/' + x + '/' + y + '.png', blob: blob('a') },
        { path: 'pkg/11/' + (x >> 1) + '/' + (y >> 1) + '.png', blob: blob('b') },
        { path: 'pkg/readme.txt', blob: blob('') },
      ],
      beijing,
      'pkg',
    );
    expect(xyz).toMatchObject({ scheme: 'xyz', minZoom: 11, maxZoom: 12, count: 2, format: 'png' });
    expect(tileAt(xyz, 12, x, y)).not.toBeNull();
    const tmsY = 2 ** 12 - 1 - y;
    const tms = indexTiles([{ path: `t\\12\\${x}\\${tmsY}.jpg`, blob: blob('c') }], beijing, 't');
    expect(tms.scheme).toBe('tms');
    // served in XYZ numbering whatever the folder used
    expect(tileAt(tms, 12, x, y)).not.toBeNull();
    const [w, s, e, n] = tms.bounds;
    expect(w).toBeLessThanOrEqual(beijing.lon);
    expect(e).toBeGreaterThanOrEqual(beijing.lon);
    expect(s).toBeLessThanOrEqual(beijing.lat);
    expect(n).toBeGreaterThanOrEqual(beijing.lat);
  });

  it('a folder without tiles is a clear error', () => {
    const err = (() => {
      try {
        indexTiles(
          [
            { path: 'x/readme.md', blob: blob('') },
            { path: 'x/12/99999/1.png', blob: blob('') },
          ],
          beijing,
          'x',
        );
      } catch (e) {
        return e as BasemapError;
      }
    })();
    expect(err).toBeInstanceOf(BasemapError);
    expect(err!.code).toBe('noFolderTiles');
    expect(err!.text('en')).toBe('x: no tiles found: expected files at {z}/{x}/{y}.png (or .jpg/.webp) under the chosen folder');
    expect(err!.text('zh-CN')).toBe('x：未找到瓦片，文件夹中应有 {z}/{x}/{y}.png（或 .jpg/.webp）');
  });
});

describe('tile packages', () => {
  it('a file is opened by its first bytes, whatever its extension', async () => {
    expect((await openTileSource(memorySource(file('raster.pmtiles')), 'renamed.mbtiles')).kind).toBe('pmtiles');
    expect((await openTileSource(memorySource(file('dedup.mbtiles')), 'renamed.pmtiles')).kind).toBe('mbtiles');
    const err = (await openTileSource(memorySource(file('not-sqlite.mbtiles')), 'tiles.zip').catch((e: unknown) => e)) as BasemapError;
    expect(err.code).toBe('unknownFile');
    expect(err.text('en')).toBe('tiles.zip: not a tile package: expected an .mbtiles or .pmtiles file');
    await expect(openTileSource(memorySource(new Uint8Array()), 'a.mbtiles')).rejects.toMatchObject({ code: 'empty' });
  });

  it('the folder source serves the same tiles through get()', async () => {
    const entries = [...expectedTiles()].map(([k, b]) => ({ path: `pkg/${k}.png`, blob: new Blob([new Uint8Array(b)]) }));
    const t = indexTiles(entries, { lon: 116.456, lat: 39.9375 }, 'pkg');
    expect(t).toMatchObject({ kind: 'folder', scheme: 'xyz', count: 30, minZoom: 12, maxZoom: 14, format: 'png' });
    for (const [k, bytes] of expectedTiles()) {
      const [z, x, y] = k.split('/').map(Number) as [number, number, number];
      expect((await bytesOf(await t.get(z, x, y)))?.equals(bytes)).toBe(true);
    }
    expect(await t.get(14, 0, 0)).toBeNull();
  });

  it('format sniffing; a missing tile is the transparent PNG', async () => {
    expect(sniffFormat(file('tiles/12/3373/1551.png'))).toBe('png');
    expect(sniffFormat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0))).toBe('jpg');
    expect(sniffFormat(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffFormat(Uint8Array.of(0x1f, 0x8b, 8))).toBe('gzip');
    expect(sniffFormat(Uint8Array.of(0x1a, 2))).toBeNull();
    const empty = await tileOrEmpty(null, 1, 0, 0);
    expect(Buffer.from(await empty.arrayBuffer()).equals(Buffer.from(EMPTY_PNG))).toBe(true);
  });
});
