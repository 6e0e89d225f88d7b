/** Offline tile packages: tile maths, XYZ vs TMS detection from where the tiles are, bounds, clear errors. */
import { describe, expect, it } from 'vitest';
import { indexTiles, lonLatToTile, tileAt, tileToLonLat } from '../../renderer/src/basemap/tile-package.ts';

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
    const xyz = indexTiles([{ path: 'pkg/12/' + x + '/' + y + '.png', blob: blob('a') }, { path: 'pkg/11/' + (x >> 1) + '/' + (y >> 1) + '.png', blob: blob('b') }, { path: 'pkg/readme.txt', blob: blob('') }], beijing, 'pkg');
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
    expect(() => indexTiles([{ path: 'x/readme.md', blob: blob('') }, { path: 'x/12/99999/1.png', blob: blob('') }], beijing, 'x')).toThrow(/x: no tiles found: expected files at \{z\}\/\{x\}\/\{y\}\.png/);
  });
});
