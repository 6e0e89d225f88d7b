/**
 * PMTiles v3 through the pmtiles package on our byte source (fixtures from tests/fixtures/basemap/make-fixtures.py,
 * which writes the v3 header and a gzip root directory itself). Nothing may touch the network.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPmtiles } from '../../renderer/src/basemap/pmtiles.ts';
import { BasemapError } from '../../renderer/src/basemap/source.ts';
import { bytesOf, expectedTiles, FIXTURES, memorySource } from './basemap-fixtures.ts';

const file = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const fetchSpy = vi.fn(() => Promise.reject(new Error('no network in tests')));
beforeAll(() => vi.stubGlobal('fetch', fetchSpy));
afterAll(() => {
  vi.unstubAllGlobals();
  expect(fetchSpy).not.toHaveBeenCalled();
});

describe('PMTiles v3', () => {
  it('every tile byte-equal, header zooms, bounds and count, XYZ, missing tiles null', async () => {
    const t = await openPmtiles(memorySource(file('raster.pmtiles')), 'raster.pmtiles');
    expect(t).toMatchObject({ name: 'raster.pmtiles', kind: 'pmtiles', minZoom: 12, maxZoom: 14, scheme: 'xyz', format: 'png', count: 30 });
    const [w, s, e, n] = t.bounds;
    expect([w, s, e, n].map((v) => Number(v.toFixed(4)))).toEqual([116.42, 39.9, 116.49, 39.975]);
    for (const [k, bytes] of expectedTiles()) {
      const [z, x, y] = k.split('/').map(Number) as [number, number, number];
      const b = await t.get(z, x, y);
      expect(b?.type).toBe('image/png');
      expect((await bytesOf(b))?.equals(bytes), k).toBe(true);
    }
    expect(await t.get(14, 0, 0)).toBeNull();
    expect(await t.get(11, 1686, 775)).toBeNull();
    expect(await t.get(15, 26982, 12412)).toBeNull();
    expect(await t.get(14, -1, 3)).toBeNull();
    t.close?.();
  });

  it('refuses clearly: vector, truncated, not PMTiles, other spec versions, empty', async () => {
    const v2 = file('raster.pmtiles');
    v2[7] = 2;
    const cases: Array<[string, Uint8Array, string, RegExp]> = [
      ['vector.pmtiles', file('vector.pmtiles'), 'vector', /vector\.pmtiles: vector PMTiles are not supported yet — raster png\/jpg\/webp only/],
      ['truncated.pmtiles', file('truncated.pmtiles'), 'truncated', /truncated\.pmtiles: the file is truncated \(26069 bytes of 31069\)/],
      ['x.pmtiles', file('plain.mbtiles'), 'notPmtiles', /x\.pmtiles: not a PMTiles file/],
      ['v2.pmtiles', v2, 'unsupported', /PMTiles version 2 \(v3 only\)/],
      ['empty.pmtiles', new Uint8Array(), 'empty', /empty\.pmtiles: the file is empty/],
    ];
    for (const [name, bytes, code, msg] of cases) {
      const err = await openPmtiles(memorySource(bytes), name).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(BasemapError);
      expect((err as BasemapError).code, name).toBe(code);
      expect((err as BasemapError).text('en')).toMatch(msg);
    }
  });
});
