/**
 * The SQLite file-format reader and MBTiles on it, on committed fixtures written by Python's sqlite3
 * (tests/fixtures/basemap/make-fixtures.py): every tile byte-equal to the ground-truth PNGs, TMS rows, metadata,
 * zooms from the index, both schemas, the scan fallback, refusals, and lookups reading O(depth) pages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openMbtiles } from '../../renderer/src/basemap/mbtiles.ts';
import { BasemapError, tileOrEmpty, type TileSource } from '../../renderer/src/basemap/source.ts';
import { SqliteFile, compareValues, indexColumns, tableColumns, varint } from '../../renderer/src/basemap/sqlite.ts';
import { lonLatToTile } from '../../renderer/src/basemap/tile-package.ts';
import { bytesOf, expectedTiles, FIXTURES, fileSource, memorySource, type CountingSource } from './basemap-fixtures.ts';

const opened: CountingSource[] = [];
async function src(name: string): Promise<CountingSource> {
  const s = await fileSource(name);
  opened.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function expectAllTiles(t: TileSource, withZ15 = false): Promise<void> {
  const want = expectedTiles(withZ15);
  expect(want.size).toBe(withZ15 ? 110 : 30);
  for (const [k, bytes] of want) {
    const [z, x, y] = k.split('/').map(Number) as [number, number, number];
    expect((await bytesOf(await t.get(z, x, y)))?.equals(bytes), k).toBe(true);
  }
}

const district = { lon: 116.456, lat: 39.9375 };

describe('SQLite file format', () => {
  it('varints (1, 2 and 9 bytes), value order, column lists from CREATE statements', () => {
    expect(varint(Uint8Array.of(0x7f), 0)).toEqual([127, 1]);
    expect(varint(Uint8Array.of(0x81, 0x00), 0)).toEqual([128, 2]);
    expect(varint(Uint8Array.of(0x82, 0x80, 0x01), 0)).toEqual([32769, 3]);
    expect(varint(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x05), 0)).toEqual([5, 9]);
    const sorted = ['b', 3, Uint8Array.of(1), null, 'a', -1, 2.5].sort(compareValues);
    expect(sorted).toEqual([null, -1, 2.5, 3, 'a', 'b', Uint8Array.of(1)]);
    expect(
      tableColumns(
        'CREATE TABLE "tiles" (zoom_level integer, [tile_column] integer, tile_row integer, tile_data blob, UNIQUE (zoom_level, tile_column, tile_row))',
      ),
    ).toEqual({ names: ['zoom_level', 'tile_column', 'tile_row', 'tile_data'], rowidAlias: -1 });
    expect(tableColumns('CREATE TABLE images (tile_id INTEGER PRIMARY KEY, tile_data BLOB)')).toEqual({ names: ['tile_id', 'tile_data'], rowidAlias: 0 });
    expect(indexColumns('CREATE UNIQUE INDEX tile_index on tiles (zoom_level, "tile_column" ASC, tile_row)')).toEqual([
      'zoom_level',
      'tile_column',
      'tile_row',
    ]);
  });

  it('reads headers: page sizes 4096, 512 and 65536 (stored as 1), WAL-mode bytes, the schema on page 1', async () => {
    const raw = readFileSync(join(FIXTURES, 'page64k.mbtiles'));
    expect(raw.readUInt16BE(16)).toBe(1);
    const sizes: Record<string, number> = { 'plain.mbtiles': 4096, 'page512.mbtiles': 512, 'page64k.mbtiles': 65536, 'dedup.mbtiles': 4096 };
    for (const [f, size] of Object.entries(sizes)) {
      const db = await SqliteFile.open(await src(f));
      expect(db.pageSize, f).toBe(size);
      expect(db.usable, f).toBe(size);
    }
    // dedup.mbtiles was written in WAL mode (read/write version bytes 2): the main file is read as it is
    expect([...readFileSync(join(FIXTURES, 'dedup.mbtiles')).subarray(18, 20)]).toEqual([2, 2]);
    const db = await SqliteFile.open(await src('dedup.mbtiles'));
    expect(db.schema.map((s) => `${s.type} ${s.name}`).sort()).toEqual([
      'index images_id',
      'index map_index',
      'table images',
      'table map',
      'table metadata',
      'view tiles',
    ]);
    const auto = await SqliteFile.open(await src('page64k.mbtiles'));
    expect(auto.schema.find((s) => s.type === 'index')).toMatchObject({ name: 'sqlite_autoindex_tiles_1', table: 'tiles', sql: '' });
  });

  it('index lookups read O(depth) pages, not the file: 512-byte pages, a tile with overflow pages', async () => {
    const s = await src('page512.mbtiles');
    const t = await openMbtiles(s, 'page512.mbtiles');
    const pages = s.size / 512;
    expect(pages).toBeGreaterThan(150);
    const openReads = s.reads.length;
    expect(openReads).toBeLessThan(pages / 4);
    const [x, y] = lonLatToTile(116.43, 39.91, 15);
    s.reads.length = 0;
    expect(await t.get(15, x, y)).not.toBeNull();
    // index root/interior/leaf + table interior/leaf + one overflow page (599-byte tile on 512-byte pages)
    expect(s.reads.length).toBeGreaterThanOrEqual(2);
    expect(s.reads.length).toBeLessThanOrEqual(8);
    expect(s.reads.every(([o, l]) => l === 512 && o % 512 === 0)).toBe(true);
    // the upper levels stay cached: a neighbour costs leaves and its overflow page only
    s.reads.length = 0;
    await t.get(15, x + 1, y);
    expect(s.reads.length).toBeLessThanOrEqual(5);
    // the 13 kB noisy tile spans 27 overflow pages, read in a chain, uncached
    const [nx, ny] = lonLatToTile(116.455, 39.9375, 14);
    s.reads.length = 0;
    const big = await t.get(14, nx, ny);
    expect(big!.size).toBe(13437);
    expect(s.reads.length).toBeGreaterThanOrEqual(27);
    expect(s.reads.length).toBeLessThanOrEqual(27 + 6);
  });

  it('a tiny page cache still finds every tile', async () => {
    await expectAllTiles(await openMbtiles(await src('page512.mbtiles'), 'p', { cachePages: 2 }), true);
  });
});

describe('MBTiles', () => {
  it('tiles table with an index: every tile, metadata, TMS rows, missing tiles', async () => {
    const t = await openMbtiles(await src('plain.mbtiles'), 'plain.mbtiles');
    expect(t).toMatchObject({
      name: 'plain.mbtiles',
      kind: 'mbtiles',
      minZoom: 12,
      maxZoom: 14,
      scheme: 'tms',
      format: 'png',
      count: null,
      bounds: [116.42, 39.9, 116.49, 39.975],
    });
    await expectAllTiles(t);
    expect((await t.get(14, 13491, 6206))!.type).toBe('image/png');
    // stored as TMS rows: the XYZ row read as a TMS row is another (missing) tile
    const db = await SqliteFile.open(await src('plain.mbtiles'));
    const idx = db.schema.find((s) => s.name === 'tile_index')!;
    expect(await db.find(idx.root, [14, 13491, 2 ** 14 - 1 - 6206])).toHaveLength(4);
    expect(await db.find(idx.root, [14, 13491, 6206])).toBeNull();
    // missing: outside the package, out of the zoom's range, beyond max zoom
    expect(await t.get(14, 0, 0)).toBeNull();
    expect(await t.get(14, 13491, 2 ** 14)).toBeNull();
    expect(await t.get(18, 1, 1)).toBeNull();
    expect(await t.get(-1, 0, 0)).toBeNull();
    t.close?.();
    expect(await t.get(14, 13491, 6206)).toBeNull();
  });

  it('zooms from the index, bounds from the lowest zoom, format sniffed when the metadata lacks them', async () => {
    const t = await openMbtiles(await src('page512.mbtiles'), 'page512.mbtiles');
    expect(t).toMatchObject({ name: 'page512', minZoom: 12, maxZoom: 15, format: 'png', scheme: 'tms' });
    const [w, s, e, n] = t.bounds;
    expect(w).toBeLessThan(116.42);
    expect(e).toBeGreaterThan(116.49);
    expect(s).toBeLessThan(39.9);
    expect(n).toBeGreaterThan(39.975);
    expect(w).toBeGreaterThan(116.2);
    expect(district.lon).toBeGreaterThan(w);
    await expectAllTiles(t, true);
  });

  it('page size 65536 with a UNIQUE-constraint autoindex', async () => {
    const t = await openMbtiles(await src('page64k.mbtiles'), 'page64k.mbtiles');
    expect(t.count).toBeNull(); // the autoindex was used: no scan
    await expectAllTiles(t);
  });

  it('deduplicated map + images (mbutil, WAL mode): by the indexes', async () => {
    const t = await openMbtiles(await src('dedup.mbtiles'), 'dedup.mbtiles');
    expect(t).toMatchObject({ minZoom: 12, maxZoom: 14, format: 'png', count: null });
    await expectAllTiles(t);
    expect(await t.get(13, 1, 1)).toBeNull();
  });

  it('without indexes: one scan at open, then rowid lookups (UTF-16le and UTF-16be text)', async () => {
    const names: Record<string, string> = { 'noindex.mbtiles': 'noindex 无索引', 'dedup-noindex.mbtiles': 'dedup-noindex.mbtiles' };
    for (const f of ['noindex.mbtiles', 'dedup-noindex.mbtiles']) {
      const s = await src(f);
      const t = await openMbtiles(s, f);
      expect(t.name).toBe(names[f]);
      expect(t.count, f).toBe(30);
      expect(t.minZoom).toBe(12);
      expect(t.maxZoom).toBe(14);
      await expectAllTiles(t);
      expect(await t.get(12, 0, 0)).toBeNull();
    }
  });

  it('refuses clearly: vector, not SQLite, no tiles, empty, truncated', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['vector.mbtiles', 'vector', /vector\.mbtiles: vector MBTiles are not supported yet — raster png\/jpg\/webp only/],
      ['vector-noformat.mbtiles', 'vector', /vector MBTiles are not supported yet/],
      ['not-sqlite.mbtiles', 'notMbtiles', /not-sqlite\.mbtiles: not an MBTiles file: no SQLite header/],
      ['notiles.mbtiles', 'noTilesTable', /notiles\.mbtiles: not an MBTiles file: no tiles table or view/],
      ['empty.mbtiles', 'empty', /empty\.mbtiles: the file is empty/],
      ['truncated.mbtiles', 'truncated', /truncated\.mbtiles: the file is truncated \(26624 bytes of 53248\)/],
    ];
    for (const [f, code, msg] of cases) {
      const err = await openMbtiles(await src(f), f).catch((e: unknown) => e);
      expect(err, f).toBeInstanceOf(BasemapError);
      expect((err as BasemapError).code, f).toBe(code);
      expect((err as BasemapError).vars.name).toBe(f);
      expect((err as BasemapError).text('en')).toMatch(msg);
    }
  });

  it('a truncated file without a trusted page count opens, and a tile past the end is a read error drawn empty', async () => {
    const whole = new Uint8Array(readFileSync(join(FIXTURES, 'page512.mbtiles')));
    const cut = whole.slice(0, whole.length - 40 * 512);
    cut.fill(0, 92, 96); // "version-valid-for" no longer matches: the in-header size is not trusted
    const t = await openMbtiles(memorySource(cut), 'cut.mbtiles');
    const errors: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((m: string) => void errors.push(m));
    let failed = 0;
    for (const k of expectedTiles(true).keys()) {
      const [z, x, y] = k.split('/').map(Number) as [number, number, number];
      const r = await t.get(z, x, y).then(
        () => null,
        (e: Error) => e,
      );
      if (r) {
        failed++;
        expect(r.message).toMatch(/past the end of the file|out of range/);
        expect((await tileOrEmpty(t, z, x, y)).size).toBe(67); // the empty PNG
      }
    }
    warn.mockRestore();
    expect(failed).toBeGreaterThan(0);
    expect(errors).toHaveLength(1); // warned once per source
  });

  it('fuzz: 300 corrupted copies never hang and only ever fail with errors (BasemapError when opening)', async () => {
    const whole = new Uint8Array(readFileSync(join(FIXTURES, 'page512.mbtiles')));
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    let opened = 0;
    for (let i = 0; i < 300; i++) {
      const b = whole.slice();
      // the header and schema, anywhere, or b-tree page headers and cell pointers
      for (let k = 0; k < 1 + rnd(6); k++) b[i % 3 === 0 ? rnd(4096) : i % 3 === 1 ? rnd(b.length) : rnd(b.length / 512) * 512 + rnd(24)] = rnd(256);
      const t = await openMbtiles(memorySource(b), 'f.mbtiles').catch((e: unknown) => {
        expect(e).toBeInstanceOf(BasemapError);
        return null;
      });
      if (!t) continue;
      opened++;
      for (const k of [...expectedTiles(true).keys()].slice(0, 20)) {
        const [z, x, y] = k.split('/').map(Number) as [number, number, number];
        await t.get(z, x, y).catch((e: unknown) => expect(e).toBeInstanceOf(Error));
      }
    }
    expect(opened).toBeGreaterThan(50);
  });
});
