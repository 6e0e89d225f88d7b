/**
 * Geometry encodings in table cells (issue 16 item 13): WKB (well-known byte strings from the OGC/PostGIS
 * documentation, both byte orders, ISO and EWKB Z/M/SRID), WKT (all simple types, EMPTY, Z/M), GeoJSON geometry text
 * and Baidu-style coordinate strings — and CSVs that carry them in a column (one written by GDAL's ogr2ogr).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cellKind, parseCell, parseGpkgGeometry, parseWkb, parseWkt } from '../../renderer/src/import/geometry.ts';
import { importFiles } from '../../renderer/src/import/index.ts';
import { ImportError } from '../../renderer/src/import/shapefile.ts';
import { setLocale } from '../../renderer/src/i18n.ts';

setLocale('en');
const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (h: string) =>
  Uint8Array.from(
    h
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((b) => parseInt(b, 16)),
  );
const fixture = (n: string) => new Uint8Array(readFileSync(new URL(`../fixtures/import/${n}`, import.meta.url)));

describe('WKB', () => {
  it('points in both byte orders, EWKB with SRID, ISO and EWKB Z dropped to 2D', () => {
    expect(parseWkb(hex('0101000000000000000000F03F0000000000000040'))).toEqual({ geometry: { type: 'Point', coordinates: [1, 2] }, srid: null, zm: false });
    expect(parseWkb(hex('00000000013FF00000000000004000000000000000')).geometry).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(parseWkb(hex('0101000020E6100000000000000000F03F0000000000000040'))).toMatchObject({ srid: 4326, geometry: { coordinates: [1, 2] } });
    expect(parseWkb(hex('01E9030000000000000000F03F00000000000000400000000000000840'))).toEqual({
      geometry: { type: 'Point', coordinates: [1, 2] },
      srid: null,
      zm: true,
    });
    expect(parseWkb(hex('0101000080000000000000F03F00000000000000400000000000000840'))).toMatchObject({ geometry: { coordinates: [1, 2] }, zm: true });
    // ISO ZM point (3001): x y z m
    expect(parseWkb(hex('01B90B0000 000000000000F03F 0000000000000040 0000000000000840 0000000000001040')).geometry).toEqual({
      type: 'Point',
      coordinates: [1, 2],
    });
    // POINT EMPTY is NaN NaN
    expect(parseWkb(hex('0101000000000000000000F87F000000000000F87F')).geometry).toBeNull();
  });

  it('lines, polygons, multi-geometries and collections; damage is an ImportError naming the place', () => {
    const ls = '0102000000 02000000 0000000000000000 0000000000000000 000000000000F03F 000000000000F03F';
    expect(parseWkb(hex(ls)).geometry).toEqual({
      type: 'LineString',
      coordinates: [
        [0, 0],
        [1, 1],
      ],
    });
    const ring =
      '05000000 0000000000000000 0000000000000000 0000000000000040 0000000000000000 0000000000000040 0000000000000040 0000000000000000 0000000000000040 0000000000000000 0000000000000000';
    expect(parseWkb(hex(`0103000000 01000000 ${ring}`)).geometry).toMatchObject({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [2, 2],
          [0, 2],
          [0, 0],
        ],
      ],
    });
    expect(parseWkb(hex(`0106000000 02000000 0103000000 01000000 ${ring} 0103000000 01000000 ${ring}`)).geometry).toMatchObject({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [0, 0],
            [2, 0],
            [2, 2],
            [0, 2],
            [0, 0],
          ],
        ],
        [
          [
            [0, 0],
            [2, 0],
            [2, 2],
            [0, 2],
            [0, 0],
          ],
        ],
      ],
    });
    const gc = parseWkb(hex(`0107000000 02000000 0101000000000000000000F03F0000000000000040 ${ls}`)).geometry as GeoJSON.GeometryCollection;
    expect(gc.geometries.map((g) => g.type)).toEqual(['Point', 'LineString']);
    expect(() => parseWkb(hex(ls).subarray(0, 30))).toThrow(/WKB count 2 at byte 5 is more than the bytes left/);
    expect(() => parseWkb(hex('0101000000000000000000F03F0000000000000040').subarray(0, 15))).toThrow(/WKB ends early at byte 13 \(of 15\)/);
    expect(() => parseWkb(hex('0104000000 01000000 0102000000 01000000 0000000000000000 0000000000000000'))).toThrow(/MultiPoint holds a LineString/);
    expect(() => parseWkb(hex('010F000000 00000000'))).toThrow(/geometry type 15 is not supported/);
    expect(() => parseWkb(hex('0102000000 FFFFFF7F'))).toThrow(ImportError);
  });

  it('GeoPackage blobs: header flags, envelope skipped, empty flag', () => {
    const wkb = '0101000000000000000000F03F0000000000000040';
    // flags 0x03: little-endian header, envelope kind 1 (minx maxx miny maxy)
    const env = '000000000000F03F 000000000000F03F 0000000000000040 0000000000000040';
    expect(parseGpkgGeometry(hex(`47500003 E6100000 ${env} ${wkb}`))).toEqual({ geometry: { type: 'Point', coordinates: [1, 2] }, srid: 4326, zm: false });
    // big-endian header, no envelope
    expect(parseGpkgGeometry(hex(`47500000 000010E6 ${wkb}`)).srid).toBe(4326);
    expect(parseGpkgGeometry(hex('47500011 E6100000 0101000000000000000000F87F000000000000F87F')).geometry).toBeNull();
    expect(() => parseGpkgGeometry(hex('4750000B E6100000'))).toThrow(/envelope kind 5/);
    expect(() => parseGpkgGeometry(hex('00010203040506070809'))).toThrow(/not a GeoPackage geometry \(starts with bytes 00 01 02 03 04 05 06 07 …\)/);
  });
});

describe('damaged blobs', () => {
  it('a fuzz of corrupted WKB/GeoPackage blobs only ever fails with ImportError', () => {
    const ring =
      '05000000 0000000000000000 0000000000000000 0000000000000040 0000000000000000 0000000000000040 0000000000000040 0000000000000000 0000000000000040 0000000000000000 0000000000000000';
    const base = hex(
      `47500003 E6100000 000000000000F03F 000000000000F03F 0000000000000040 0000000000000040 0107000000 02000000 0106000000 01000000 0103000000 01000000 ${ring} 0101000000000000000000F03F0000000000000040`,
    );
    expect(parseGpkgGeometry(base).geometry?.type).toBe('GeometryCollection');
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let ok = 0;
    for (let i = 0; i < 3000; i++) {
      const b = base.slice(0, i % 7 === 0 ? rand(base.length) : base.length);
      for (let k = 1 + rand(3); k > 0; k--) if (b.length) b[rand(b.length)] = rand(256);
      try {
        const g = parseGpkgGeometry(b).geometry;
        if (g) expect(JSON.stringify(g)).not.toMatch(/null|NaN/);
        ok++;
      } catch (e) {
        expect(e).toBeInstanceOf(ImportError);
      }
    }
    expect(ok).toBeGreaterThan(300);
  });
});

describe('WKT', () => {
  it('every simple type, EMPTY, Z/M/ZM, EWKT SRID', () => {
    expect(parseWkt('POINT (116.4 39.9)').geometry).toEqual({ type: 'Point', coordinates: [116.4, 39.9] });
    expect(parseWkt('point z (1 2 3)')).toEqual({ geometry: { type: 'Point', coordinates: [1, 2] }, srid: null, zm: true });
    expect(parseWkt('POINT ZM (1 2 3 4)').geometry).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(parseWkt('POINT (1 2 3)').zm).toBe(true);
    expect(parseWkt('POINT EMPTY').geometry).toBeNull();
    expect(parseWkt('SRID=4490;POINT(116 39)').srid).toBe(4490);
    expect(parseWkt('LINESTRING (0 0, 1 1.5e0, -2 .5)').geometry).toEqual({
      type: 'LineString',
      coordinates: [
        [0, 0],
        [1, 1.5],
        [-2, 0.5],
      ],
    });
    expect(parseWkt('POLYGON ((0 0, 4 0, 4 4, 0 0), (1 1, 2 1, 2 2, 1 1))').geometry).toMatchObject({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [4, 0],
          [4, 4],
          [0, 0],
        ],
        [
          [1, 1],
          [2, 1],
          [2, 2],
          [1, 1],
        ],
      ],
    });
    expect(parseWkt('MULTIPOINT ((1 2), (3 4))').geometry).toEqual({
      type: 'MultiPoint',
      coordinates: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(parseWkt('MULTIPOINT (1 2, 3 4)').geometry).toEqual({
      type: 'MultiPoint',
      coordinates: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(parseWkt('MULTILINESTRING M ((0 0 9, 1 1 9), EMPTY)').geometry).toEqual({
      type: 'MultiLineString',
      coordinates: [
        [
          [0, 0],
          [1, 1],
        ],
      ],
    });
    expect(parseWkt('MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))').geometry).toMatchObject({ type: 'MultiPolygon' });
    expect(parseWkt('GEOMETRYCOLLECTION (POINT (1 2), LINESTRING EMPTY, LINESTRING (0 0, 1 1))').geometry).toEqual({
      type: 'GeometryCollection',
      geometries: [
        { type: 'Point', coordinates: [1, 2] },
        {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        },
      ],
    });
    expect(parseWkt('GEOMETRYCOLLECTION EMPTY').geometry).toBeNull();
  });

  it('broken WKT says what is wrong', () => {
    expect(() => parseWkt('POINT (1)')).toThrow(/WKT coordinate "\)" is not a number/);
    expect(() => parseWkt('POINT (1 2')).toThrow(/WKT ends early/);
    expect(() => parseWkt('POINT Z (1 2 3 4)')).toThrow(/more values than its dimension/);
    expect(() => parseWkt('CIRCULARSTRING (0 0, 1 1, 2 0)')).toThrow(/"CIRCULARSTRING" is not supported/);
    expect(() => parseWkt('POINT (1 2) x')).toThrow(/trailing text "x"/);
  });
});

describe('GeoJSON and Baidu-style cells', () => {
  it('recognizes each kind and parses it', () => {
    expect(cellKind('{"type":"Point","coordinates":[116.4,39.9]}')).toBe('geojson');
    expect(cellKind('116.40,39.90;116.41,39.91')).toBe('baidu');
    expect(cellKind('[{"lng":116.4,"lat":39.9},{"lng":116.41,"lat":39.91}]')).toBe('baidu');
    expect(cellKind('0101000000000000000000F03F0000000000000040')).toBe('wkbhex');
    expect(cellKind('MULTIPOLYGON EMPTY')).toBe('wkt');
    expect(cellKind('朝阳门')).toBeNull();
    expect(cellKind('116.4')).toBeNull();
    expect(parseCell('geojson', '{"type":"LineString","coordinates":[[1,2,3],[4,5,6]]}')).toEqual({
      type: 'LineString',
      coordinates: [
        [1, 2],
        [4, 5],
      ],
    });
    // Baidu boundary strings: closed → polygon ring, open → line, one point → point
    expect(parseCell('baidu', '1,1;2,1;2,2;1,1')).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [1, 1],
          [2, 1],
          [2, 2],
          [1, 1],
        ],
      ],
    });
    expect(parseCell('baidu', '1, 1; 2, 1; 2, 2;')).toEqual({
      type: 'LineString',
      coordinates: [
        [1, 1],
        [2, 1],
        [2, 2],
      ],
    });
    expect(parseCell('baidu', '{"lng":116.4,"lat":39.9}')).toEqual({ type: 'Point', coordinates: [116.4, 39.9] });
    expect(parseCell('baidu', '{"type":"polygon","points":"1,1;2,1;2,2"}')).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [1, 1],
          [2, 1],
          [2, 2],
          [1, 1],
        ],
      ],
    });
    expect(parseCell('baidu', '{"type":"polyline","path":[{"lng":1,"lat":1},{"lng":2,"lat":2}]}')).toEqual({
      type: 'LineString',
      coordinates: [
        [1, 1],
        [2, 2],
      ],
    });
    expect(() => parseCell('baidu', '{"type":"circle","points":"1,1;2,2"}')).toThrow(/unknown geometry type "circle"/);
    expect(() => parseCell('geojson', '{"type":"Point","coordinates":["a",1]}')).toThrow(/Point coordinates are not nested arrays of numbers/);
  });
});

describe('CSV with a geometry column', () => {
  it('reads the WKT column of a CSV written by ogr2ogr, Z dropped, attributes kept', async () => {
    const { layers, errors } = await importFiles([{ name: 'wkt-gdal.csv', bytes: fixture('wkt-gdal.csv') }]);
    expect(errors).toEqual([]);
    const l = layers[0]!;
    expect(l.features.map((f) => f.geometry?.type)).toEqual(['LineString', 'Polygon', 'Point']);
    expect(l.features[2]!.geometry).toEqual({ type: 'Point', coordinates: [116.4355, 39.9239] });
    expect(l.features[0]!.properties).toEqual({ 名称: '东三环北路', lanes: 6 });
    expect(l.fields.map((f) => f.name)).toEqual(['名称', 'lanes']);
    expect(l.warnings).toEqual(["wkt-gdal.csv: geometry from column 'WKT' (WKT)", 'wkt-gdal.csv: Z/M values dropped, XY kept']);
  });

  it('GeoJSON, Baidu and WKB-hex columns; a row whose geometry is broken is kept and named by its line', async () => {
    const gj = utf8('id,geometry\n1,"{""type"":""Point"",""coordinates"":[116.44,39.92]}"\n2,"{""type"":""Point"",""coordinates"":[116.45]}"\n3,\n');
    const a = (await importFiles([{ name: 'gj.csv', bytes: gj }])).layers[0]!;
    expect(a.features.map((f) => f.geometry)).toEqual([{ type: 'Point', coordinates: [116.44, 39.92] }, null, null]);
    expect(a.warnings[1]).toBe('gj.csv: 1 row with unreadable geometry (lines 3: Point coordinates are not nested arrays of numbers) kept without geometry');
    const bd = utf8('名称,边界\n团结湖,"116.46,39.925;116.466,39.925;116.466,39.929;116.46,39.925"\n');
    expect((await importFiles([{ name: 'bd.csv', bytes: bd }])).layers[0]!.features[0]!.geometry).toMatchObject({ type: 'Polygon' });
    // numbers that only look like Baidu strings do not beat real lon/lat columns…
    const scores = (await importFiles([{ name: 's.csv', bytes: utf8('lon,lat,scores\n116.4,39.9,"1,2;3,4"\n') }])).layers[0]!;
    expect([scores.features[0]!.geometry, scores.features[0]!.properties]).toEqual([{ type: 'Point', coordinates: [116.4, 39.9] }, { scores: '1,2;3,4' }]);
    // …but a column named as the geometry does
    const path = (await importFiles([{ name: 'p.csv', bytes: utf8('lon,lat,path\n116.4,39.9,"116.4,39.9;116.41,39.91"\n') }])).layers[0]!;
    expect(path.features[0]!.geometry).toEqual({
      type: 'LineString',
      coordinates: [
        [116.4, 39.9],
        [116.41, 39.91],
      ],
    });
    const wkb = utf8('name,wkb\nx,0101000020E61000009A99999999195D4014AE47E17AF44340\n');
    const w = (await importFiles([{ name: 'wkb.csv', bytes: wkb }])).layers[0]!;
    expect(w.features[0]!.geometry).toEqual({ type: 'Point', coordinates: [116.4, 39.91] });
    // EWKT with one SRID is the file's declaration
    const ewkt = (await importFiles([{ name: 'e.csv', bytes: utf8('g\n"SRID=4326;POINT (116.4 39.9)"\n') }])).layers[0]!;
    expect([ewkt.crs, ewkt.crsSource]).toEqual(['WGS84', 'file']);
  });
});
