import { describe, expect, it } from 'vitest';
import { decodeDbfText, ImportError, readShapefile, type ShapefileResult } from '../../renderer/src/import/shapefile.ts';
import { setLocale } from '../../renderer/src/i18n.ts';

// the reader speaks the UI language; its messages are asserted in English here (tests/unit/import.test.ts checks Chinese)
setLocale('en');

// ---------------------------------------------------------------------------------------------
// A tiny shapefile writer, so the fixtures are built here byte by byte (no binary files in git).
// .shp: 100-byte header (file code + length BIG-endian, the rest little-endian), then records
// with a big-endian 8-byte header and little-endian content. No .shx is written: the reader
// does not need one.
// ---------------------------------------------------------------------------------------------

type XY = [number, number];
type Shape = null | { point: XY } | { points: XY[] } | { parts: XY[][] };

const Z = 45.5; // height written into Z variants; the reader must drop it

function allPoints(s: Shape): XY[] {
  if (!s) return [];
  if ('point' in s) return [s.point];
  if ('points' in s) return s.points;
  return s.parts.flat();
}

function shapeContent(type: number, s: Shape): Uint8Array {
  if (s === null) return new Uint8Array(4); // shape type 0, little-endian
  const base = type % 10;
  const hasZ = type > 10 && type < 20;
  const hasM = type > 10; // Z types carry M too (optional in the spec, written here)
  const pts = allPoints(s);
  const n = pts.length;
  const extra = (hasZ ? 16 + 8 * n : 0) + (hasM ? 16 + 8 * n : 0);
  const parts = 'parts' in s ? s.parts : [];
  const size = base === 1 ? 20 + (hasZ ? 8 : 0) + (hasM ? 8 : 0) : base === 8 ? 40 + 16 * n + extra : 44 + 4 * parts.length + 16 * n + extra;
  const dv = new DataView(new ArrayBuffer(size));
  dv.setInt32(0, type, true);
  if (base === 1) {
    dv.setFloat64(4, pts[0]![0], true);
    dv.setFloat64(12, pts[0]![1], true);
    if (hasZ) dv.setFloat64(20, Z, true);
    return new Uint8Array(dv.buffer);
  }
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) => dv.setFloat64(4 + 8 * i, v, true));
  let o: number;
  if (base === 8) {
    dv.setInt32(36, n, true);
    o = 40;
  } else {
    dv.setInt32(36, parts.length, true);
    dv.setInt32(40, n, true);
    let first = 0;
    parts.forEach((p, i) => {
      dv.setInt32(44 + 4 * i, first, true);
      first += p.length;
    });
    o = 44 + 4 * parts.length;
  }
  for (const [x, y] of pts) {
    dv.setFloat64(o, x, true);
    dv.setFloat64(o + 8, y, true);
    o += 16;
  }
  if (hasZ) {
    dv.setFloat64(o, Z, true);
    dv.setFloat64(o + 8, Z, true);
    o += 16;
    for (let i = 0; i < n; i++, o += 8) dv.setFloat64(o, Z, true);
  }
  // M range and values stay 0.
  return new Uint8Array(dv.buffer);
}

function writeShp(type: number, shapes: Shape[]): Uint8Array {
  const contents = shapes.map((s) => shapeContent(type, s));
  const total = 100 + contents.reduce((a, c) => a + 8 + c.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 9994, false); // big-endian
  dv.setInt32(24, total / 2, false); // big-endian, 16-bit words
  dv.setInt32(28, 1000, true);
  dv.setInt32(32, type, true);
  const pts = shapes.flatMap(allPoints);
  if (pts.length) {
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) => dv.setFloat64(36 + 8 * i, v, true));
  }
  let off = 100;
  contents.forEach((c, i) => {
    dv.setInt32(off, i + 1, false); // record number, big-endian, from 1
    dv.setInt32(off + 4, c.length / 2, false); // content length, big-endian, 16-bit words
    out.set(c, off + 8);
    off += 8 + c.length;
  });
  return out;
}

// .dbf (dBase III): 32-byte header, 32-byte field descriptors, 0x0D, records (flag byte + fields), 0x1A.
type Bytes = number[];
interface FieldSpec {
  name: string | Bytes;
  type: string;
  length: number;
  decimals?: number;
}
type Cell = string | Bytes | null; // string: written as UTF-8 (= ASCII for plain text); Bytes: raw; null: blank
interface Row {
  deleted?: boolean;
  cells: Cell[];
}

const utf8 = (s: string): Bytes => [...new TextEncoder().encode(s)];

function writeDbf(fields: FieldSpec[], rows: Row[], ldid = 0): Uint8Array {
  const headerLength = 32 + 32 * fields.length + 1;
  const recordLength = 1 + fields.reduce((a, f) => a + f.length, 0);
  const out = new Uint8Array(headerLength + rows.length * recordLength + 1);
  const dv = new DataView(out.buffer);
  out[0] = 0x03;
  out.set([124, 6, 1], 1); // last update 2024-06-01
  dv.setUint32(4, rows.length, true);
  dv.setUint16(8, headerLength, true);
  dv.setUint16(10, recordLength, true);
  out[29] = ldid;
  fields.forEach((f, i) => {
    const at = 32 + 32 * i;
    const name = typeof f.name === 'string' ? utf8(f.name) : f.name;
    if (name.length > 10) throw new Error(`fixture field name too long: ${String(f.name)}`);
    out.set(name, at); // NUL padded: the buffer is zeroed
    out[at + 11] = f.type.charCodeAt(0);
    out[at + 16] = f.length;
    out[at + 17] = f.decimals ?? 0;
  });
  out[headerLength - 1] = 0x0d;
  rows.forEach((row, r) => {
    let at = headerLength + r * recordLength;
    out[at++] = row.deleted ? 0x2a : 0x20;
    fields.forEach((f, i) => {
      const c = row.cells[i] ?? null;
      const v = c === null ? [] : typeof c === 'string' ? utf8(c) : c;
      if (v.length > f.length) throw new Error(`fixture value too long for ${String(f.name)}`);
      const pad = new Array<number>(f.length - v.length).fill(0x20);
      // Numbers are right-aligned, everything else left-aligned; padding is spaces.
      out.set('NF'.includes(f.type) ? [...pad, ...v] : [...v, ...pad], at);
      at += f.length;
    });
  });
  out[out.length - 1] = 0x1a;
  return out;
}

function patched(bytes: Uint8Array, edit: (dv: DataView, b: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer), copy);
  return copy;
}

function thrown(fn: () => unknown): ImportError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    expect((e as Error).message).not.toContain('\n');
    return e as ImportError;
  }
  throw new Error('expected an ImportError');
}

const rev = (ring: XY[]): XY[] => [...ring].reverse();

// ---------------------------------------------------------------------------------------------
// GBK byte sequences, hard-coded as a Chinese GIS package would contain them (no .cpg).
// ---------------------------------------------------------------------------------------------

const GBK: Record<string, Bytes> = {
  朝阳: [0xb3, 0xaf, 0xd1, 0xf4],
  小区: [0xd0, 0xa1, 0xc7, 0xf8],
  名称: [0xc3, 0xfb, 0xb3, 0xc6],
  人口: [0xc8, 0xcb, 0xbf, 0xda],
  望京: [0xcd, 0xfb, 0xbe, 0xa9],
  花园: [0xbb, 0xa8, 0xd4, 0xb0],
  面积: [0xc3, 0xe6, 0xbb, 0xfd],
  类型: [0xc0, 0xe0, 0xd0, 0xcd],
  建成日期: [0xbd, 0xa8, 0xb3, 0xc9, 0xc8, 0xd5, 0xc6, 0xda],
};
const gbk = (...words: string[]): Bytes => words.flatMap((w) => GBK[w]!);

// Two residential compounds (小区) in Chaoyang district, lon/lat. Shapefile winding: outer rings
// clockwise, holes counter-clockwise.
const wangjingOuter: XY[] = [
  [116.47, 39.99],
  [116.47, 39.996],
  [116.478, 39.996],
  [116.478, 39.99],
  [116.47, 39.99],
];
const wangjingHole: XY[] = [
  [116.473, 39.992],
  [116.476, 39.992],
  [116.476, 39.994],
  [116.473, 39.994],
  [116.473, 39.992],
]; // kindergarten, not part of the compound
const blockEast: XY[] = [
  [116.49, 39.92],
  [116.49, 39.926],
  [116.498, 39.926],
  [116.498, 39.92],
  [116.49, 39.92],
];
const blockEastHole: XY[] = [
  [116.492, 39.922],
  [116.495, 39.922],
  [116.495, 39.924],
  [116.492, 39.924],
  [116.492, 39.922],
];
const blockWest: XY[] = [
  [116.48, 39.92],
  [116.48, 39.926],
  [116.488, 39.926],
  [116.488, 39.92],
  [116.48, 39.92],
];
const demolished: XY[] = [
  [116.5, 39.95],
  [116.5, 39.951],
  [116.501, 39.951],
  [116.501, 39.95],
  [116.5, 39.95],
];

const compoundShapes: Shape[] = [
  { parts: [wangjingOuter, wangjingHole] },
  // The hole comes after BOTH outer rings and belongs to the first one: assignment must be by
  // containment, not "the previous outer ring".
  { parts: [blockEast, blockWest, blockEastHole] },
  { parts: [demolished] },
  null, // not surveyed yet
];

const compoundFields: FieldSpec[] = [
  { name: gbk('名称'), type: 'C', length: 20 },
  { name: gbk('类型'), type: 'C', length: 8 },
  { name: gbk('人口'), type: 'N', length: 8 },
  { name: gbk('面积'), type: 'N', length: 12, decimals: 2 },
  { name: gbk('建成日期'), type: 'D', length: 8 },
];
const compoundRows: Row[] = [
  { cells: [gbk('望京', '花园'), gbk('小区'), '3200', '48000.50', '19980615'] },
  { cells: [gbk('朝阳', '小区'), gbk('小区'), null, '************', null] }, // unknown population, overflowed area, no date
  { deleted: true, cells: [gbk('朝阳'), gbk('小区'), '10', '1.00', '19800101'] },
  { cells: ['P-004', gbk('小区'), '-1', '0.25', '20240229'] },
];

const compoundShp = writeShp(5, compoundShapes);
const compoundDbf = (ldid = 0): Uint8Array => writeDbf(compoundFields, compoundRows, ldid);

// ---------------------------------------------------------------------------------------------

describe('fixture sanity', () => {
  it('the hard-coded GBK byte sequences really are GBK', () => {
    const dec = new TextDecoder('gbk');
    for (const [word, bytes] of Object.entries(GBK)) expect(dec.decode(new Uint8Array(bytes))).toBe(word);
    // D5 B3 is 粘, not 朝 (朝 is B3 AF) — guard against that easy mix-up.
    expect(dec.decode(new Uint8Array([0xd5, 0xb3, 0xd1, 0xf4]))).toBe('粘阳');
    // and none of them is valid UTF-8, which is what detection relies on
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(gbk('名称', '人口')))).toThrow();
  });
});

describe('polygon layer: residential compounds, GBK .dbf without .cpg', () => {
  const res = readShapefile({ name: 'compounds.shp', shp: compoundShp, dbf: compoundDbf() });

  it('reads the header', () => {
    expect(res.shapeType).toBe(5);
    expect(res.bbox).toEqual([116.47, 39.92, 116.501, 39.996]);
    expect(res.geometries).toHaveLength(4);
  });

  it('assigns the hole to its compound and writes RFC 7946 winding', () => {
    expect(res.geometries[0]).toEqual({ type: 'Polygon', coordinates: [rev(wangjingOuter), rev(wangjingHole)] });
  });

  it('groups a two-block compound into a MultiPolygon with the hole in the block that contains it', () => {
    expect(res.geometries[1]).toEqual({
      type: 'MultiPolygon',
      coordinates: [[rev(blockEast), rev(blockEastHole)], [rev(blockWest)]],
    });
    expect(res.geometries[2]).toEqual({ type: 'Polygon', coordinates: [rev(demolished)] });
    expect(res.geometries[3]).toBeNull();
  });

  it('detects GBK and decodes Chinese field names and values', () => {
    expect(res.encoding).toBe('gbk');
    expect(res.encodingSource).toBe('detected');
    expect(res.fields).toEqual([
      { name: '名称', type: 'C', length: 20, decimals: 0 },
      { name: '类型', type: 'C', length: 8, decimals: 0 },
      { name: '人口', type: 'N', length: 8, decimals: 0 },
      { name: '面积', type: 'N', length: 12, decimals: 2 },
      { name: '建成日期', type: 'D', length: 8, decimals: 0 },
    ]);
    expect(res.records[0]).toEqual({ 名称: '望京花园', 类型: '小区', 人口: 3200, 面积: 48000.5, 建成日期: '1998-06-15' });
  });

  it('reads blank and overflowed numbers and blank dates as null', () => {
    expect(res.records[1]).toEqual({ 名称: '朝阳小区', 类型: '小区', 人口: null, 面积: null, 建成日期: null });
    expect(res.records[3]).toEqual({ 名称: 'P-004', 类型: '小区', 人口: -1, 面积: 0.25, 建成日期: '2024-02-29' });
  });

  it('keeps a deleted dbf record in place with null attributes, aligned with its shape', () => {
    expect(res.records).toHaveLength(4);
    expect(res.records[2]).toEqual({ 名称: null, 类型: null, 人口: null, 面积: null, 建成日期: null });
    expect(res.warnings).toEqual(['compounds.dbf: records marked deleted in the .dbf have null attributes (record 3)']);
  });

  it('takes the encoding from the language driver id when there is no .cpg', () => {
    const r = readShapefile({ name: 'compounds', shp: compoundShp, dbf: compoundDbf(0x4d) });
    expect([r.encoding, r.encodingSource]).toEqual(['gbk', 'ldid']);
    expect(r.records[0]!['名称']).toBe('望京花园');
    // 0x57 means "ANSI of whatever machine wrote it": detection decides.
    const ansi = readShapefile({ name: 'compounds', shp: compoundShp, dbf: compoundDbf(0x57) });
    expect([ansi.encoding, ansi.encodingSource]).toEqual(['gbk', 'detected']);
  });

  it('maps the usual .cpg spellings of GBK, and a .cpg wins over the language driver id', () => {
    for (const cpg of ['GBK', '936', 'CP936', 'cp936', 'GB2312', ' gbk\r\n', 'windows-936']) {
      const r = readShapefile({ name: 'compounds', shp: compoundShp, dbf: compoundDbf(0x4f), cpg });
      expect([cpg, r.encoding, r.encodingSource]).toEqual([cpg, 'gbk', 'cpg']);
      expect(r.records[0]!['名称']).toBe('望京花园');
    }
  });
});

describe('point layer: UTF-8 .dbf with a .cpg', () => {
  const cameras: XY[] = [
    [116.4811, 40.0028],
    [116.4797, 39.9419],
    [116.45, 39.93],
    [116.4551, 39.9366],
  ];
  const fields: FieldSpec[] = [
    { name: '名称', type: 'C', length: 30 },
    { name: '编号', type: 'N', length: 6 },
    { name: '在线', type: 'L', length: 1 },
    { name: '日期', type: 'D', length: 8 },
    { name: 'HEIGHT', type: 'F', length: 10, decimals: 3 },
  ];
  const rows: Row[] = [
    { cells: ['望京SOHO东门', '101', 'T', '20230315', '4.500'] },
    { cells: ['朝阳公园南门', null, 'F', null, null] },
    { deleted: true, cells: ['废弃点位', '103', 'T', '20200101', '3.0'] },
    { cells: ['三里屯路口', '104', '?', '20240101', '1.5e1'] },
  ];
  const shp = writeShp(
    1,
    cameras.map((point) => ({ point })),
  );
  const dbf = writeDbf(fields, rows, 0x57);

  it('reads points, UTF-8 names and values, logicals, dates and floats', () => {
    const r = readShapefile({ name: 'cameras', shp, dbf, cpg: 'UTF-8' });
    expect(r.shapeType).toBe(1);
    expect(r.geometries).toEqual(cameras.map((c) => ({ type: 'Point', coordinates: c })));
    expect([r.encoding, r.encodingSource]).toEqual(['utf-8', 'cpg']);
    expect(r.fields.map((f) => f.name)).toEqual(['名称', '编号', '在线', '日期', 'HEIGHT']);
    expect(r.records).toEqual([
      { 名称: '望京SOHO东门', 编号: 101, 在线: true, 日期: '2023-03-15', HEIGHT: 4.5 },
      { 名称: '朝阳公园南门', 编号: null, 在线: false, 日期: null, HEIGHT: null },
      { 名称: null, 编号: null, 在线: null, 日期: null, HEIGHT: null },
      { 名称: '三里屯路口', 编号: 104, 在线: null, 日期: '2024-01-01', HEIGHT: 15 },
    ]);
  });

  it('accepts the code page number 65001 and detects UTF-8 without any .cpg', () => {
    const numbered = readShapefile({ name: 'cameras', shp, dbf, cpg: '65001' });
    expect([numbered.encoding, numbered.encodingSource]).toEqual(['utf-8', 'cpg']);
    const bare = readShapefile({ name: 'cameras', shp, dbf });
    expect([bare.encoding, bare.encodingSource]).toEqual(['utf-8', 'detected']);
    expect(bare.records[0]!['名称']).toBe('望京SOHO东门');
  });

  it('warns about a .cpg it cannot use and falls back to detection', () => {
    const r = readShapefile({ name: 'cameras', shp, dbf, cpg: 'KLINGON-1' });
    expect([r.encoding, r.encodingSource]).toEqual(['utf-8', 'detected']);
    expect(r.warnings).toContain("cameras.cpg: code page 'KLINGON-1' is not one this browser can decode; ignored");
  });

  it('drops Z and M from PointZ, keeping XY, and says so', () => {
    const r = readShapefile({
      name: 'cameras',
      shp: writeShp(
        11,
        cameras.map((point) => ({ point })),
      ),
    });
    expect(r.shapeType).toBe(11);
    expect(r.geometries[1]).toEqual({ type: 'Point', coordinates: [116.4797, 39.9419] });
    expect(r.records).toEqual([]);
    expect(r.warnings).toEqual(['cameras.shp: shape type 11 (PointZ): Z and M values dropped, XY kept']);
  });
});

describe('polyline and multipoint layers', () => {
  const east3rdRing: XY[] = [
    [116.4612, 39.9021],
    [116.4615, 39.9123],
    [116.4617, 39.9231],
  ];
  const bridgeA: XY[] = [
    [116.43, 39.95],
    [116.44, 39.951],
  ];
  const bridgeB: XY[] = [
    [116.445, 39.9512],
    [116.46, 39.952],
    [116.47, 39.9535],
  ];

  it('reads one-part lines as LineString and multi-part as MultiLineString', () => {
    const r = readShapefile({ name: 'roads', shp: writeShp(3, [{ parts: [east3rdRing] }, { parts: [bridgeA, bridgeB] }, null]) });
    expect(r.geometries).toEqual([{ type: 'LineString', coordinates: east3rdRing }, { type: 'MultiLineString', coordinates: [bridgeA, bridgeB] }, null]);
    expect(r.warnings).toEqual([]);
    expect(r.fields).toEqual([]);
  });

  it('reads PolyLineZ as XY', () => {
    const r = readShapefile({ name: 'roads', shp: writeShp(13, [{ parts: [bridgeA, bridgeB] }]) });
    expect(r.geometries[0]).toEqual({ type: 'MultiLineString', coordinates: [bridgeA, bridgeB] });
    expect(r.warnings).toEqual(['roads.shp: shape type 13 (PolyLineZ): Z and M values dropped, XY kept']);
  });

  it('reads multipoints', () => {
    const hydrants: XY[] = [
      [116.401, 39.915],
      [116.402, 39.916],
      [116.4035, 39.9155],
    ];
    const r = readShapefile({ name: 'hydrants', shp: writeShp(8, [{ points: hydrants }]) });
    expect(r.geometries).toEqual([{ type: 'MultiPoint', coordinates: hydrants }]);
  });
});

describe('polygon ring grouping', () => {
  const big: XY[] = [
    [0, 0],
    [0, 100],
    [100, 100],
    [100, 0],
    [0, 0],
  ]; // CW
  const lake: XY[] = [
    [10, 10],
    [90, 10],
    [90, 90],
    [10, 90],
    [10, 10],
  ]; // CCW
  const island: XY[] = [
    [20, 20],
    [20, 80],
    [80, 80],
    [80, 20],
    [20, 20],
  ]; // CW
  const pond: XY[] = [
    [20, 20],
    [40, 30],
    [30, 40],
    [20, 20],
  ]; // CCW, touches the island at a corner

  it('gives each hole to the smallest outer ring containing it (island in a lake)', () => {
    const r = readShapefile({ name: 'parks', shp: writeShp(5, [{ parts: [pond, island, lake, big] }]) });
    expect(r.geometries[0]).toEqual({
      type: 'MultiPolygon',
      coordinates: [
        [rev(island), rev(pond)],
        [rev(big), rev(lake)],
      ],
    });
    expect(r.warnings).toEqual([]);
  });

  it('falls back to ring nesting when the writer ignored the winding rule', () => {
    // Counter-clockwise outer ring with a clockwise hole: everything reversed.
    const r = readShapefile({ name: 'parks', shp: writeShp(5, [{ parts: [rev(big), rev(lake)] }, { parts: [rev(island)] }]) });
    expect(r.geometries).toEqual([
      { type: 'Polygon', coordinates: [rev(big), rev(lake)] },
      { type: 'Polygon', coordinates: [rev(island)] },
    ]);
    expect(r.warnings).toEqual([
      'parks.shp: polygon rings do not follow the shapefile winding rule (clockwise = outer); outer rings and holes were taken from how the rings nest (2 records: 1, 2)',
    ]);
  });

  it('closes unclosed rings', () => {
    const r = readShapefile({ name: 'parks', shp: writeShp(5, [{ parts: [island.slice(0, 4)] }]) });
    expect(r.geometries[0]).toEqual({ type: 'Polygon', coordinates: [rev(island)] });
    expect(r.warnings).toEqual(['parks.shp: unclosed polygon rings were closed (record 1)']);
  });
});

describe('record count mismatch', () => {
  // issue 16 item 12: a .dbf of another layer (236 records for 1,961 shapes) used to be paired with the first shapes
  it('refuses a .dbf with fewer records than the .shp has shapes, naming both counts', () => {
    const dbf = writeDbf(compoundFields, compoundRows.slice(0, 2));
    expect(thrown(() => readShapefile({ name: 'compounds', shp: compoundShp, dbf })).message).toBe(
      'compounds.dbf has 2 records but compounds.shp has 4 shapes: they pair up by position, so the .dbf belongs to another layer or version; refused (pick the .shp alone to import the shapes without attributes)',
    );
  });

  it('also when the .dbf is the longer one', () => {
    const shp = writeShp(5, compoundShapes.slice(0, 3));
    expect(thrown(() => readShapefile({ name: 'compounds', shp, dbf: compoundDbf() })).message).toMatch(
      /^compounds\.dbf has 4 records but compounds\.shp has 3 shapes: .*refused/,
    );
  });
});

describe('a .shp cut short (issue 16 item 14)', () => {
  it('keeps the complete records with a warning giving the counts; the .dbf rows past the cut keep their attributes', () => {
    const len1 = new DataView(compoundShp.buffer).getInt32(104, false) * 2;
    const rec2 = 100 + 8 + len1;
    const cut = compoundShp.subarray(0, rec2 + 20); // record 1 complete, record 2 cut inside
    const r = readShapefile({ name: 'compounds', shp: cut, dbf: compoundDbf() });
    expect(r.geometries).toHaveLength(4);
    expect(r.geometries[0]).toEqual(readShapefile({ name: 'compounds', shp: compoundShp }).geometries[0]);
    expect(r.geometries.slice(1)).toEqual([null, null, null]);
    const whole = readShapefile({ name: 'compounds', shp: compoundShp, dbf: compoundDbf() });
    expect(r.records).toEqual(whole.records);
    expect(r.warnings.filter((w) => !whole.warnings.includes(w))).toEqual([
      `compounds.shp: the file is cut short (the header says ${compoundShp.length} bytes, only ${rec2 + 20} are there): kept the first 1 complete records; what followed byte ${rec2} is lost`,
      'compounds.dbf has 4 records but the cut-short .shp only 1 shapes: the other 3 records keep their attributes, without geometry',
    ]);
    // without a .dbf: the complete shapes only
    expect(readShapefile({ name: 'compounds', shp: compoundShp.subarray(0, compoundShp.length - 10) }).geometries).toHaveLength(3);
  });

  it('a cut .shp with a .dbf of fewer records is still refused', () => {
    const cut = compoundShp.subarray(0, compoundShp.length - 10);
    expect(thrown(() => readShapefile({ name: 'c', shp: cut, dbf: writeDbf(compoundFields, compoundRows.slice(0, 2)) })).message).toMatch(
      /^c\.dbf has 2 records but c\.shp has 3 shapes/,
    );
  });
});

describe('broken files throw ImportError with a one-line message', () => {
  it('truncated .shp without one complete record', () => {
    const e = thrown(() => readShapefile({ name: 'compounds', shp: compoundShp.subarray(0, 110) }));
    expect(e.message).toBe(`compounds.shp: header says the file is ${compoundShp.length} bytes but only 110 bytes were read (truncated?)`);
    expect(thrown(() => readShapefile({ name: 'x', shp: compoundShp.subarray(0, 60) })).message).toMatch(/^x\.shp: only 60 bytes/);
  });

  it('wrong file code', () => {
    const shp = patched(compoundShp, (dv) => dv.setInt32(0, 9995, false));
    expect(thrown(() => readShapefile({ name: 'compounds', shp })).message).toBe(
      'compounds.shp: file code is 9995, expected 9994 — not an ESRI shapefile (.shp)',
    );
    // a little-endian file code is just as wrong
    const le = patched(compoundShp, (dv) => dv.setInt32(0, 9994, true));
    expect(thrown(() => readShapefile({ name: 'compounds', shp: le })).message).toMatch(/file code is .*expected 9994/);
  });

  it('wrong version and unknown or unsupported shape types', () => {
    const v = patched(compoundShp, (dv) => dv.setInt32(28, 1001, true));
    expect(thrown(() => readShapefile({ name: 'c', shp: v })).message).toBe('c.shp: version is 1001, expected 1000');
    const t = patched(compoundShp, (dv) => dv.setInt32(32, 7, true));
    expect(thrown(() => readShapefile({ name: 'c', shp: t })).message).toBe('c.shp: unknown shape type 7 in the header');
    const mp = patched(compoundShp, (dv) => dv.setInt32(32, 31, true));
    expect(thrown(() => readShapefile({ name: 'c', shp: mp })).message).toMatch(/MultiPatch\) is not supported/);
  });

  it('record content length past the end of the file', () => {
    const len1 = new DataView(compoundShp.buffer).getInt32(104, false) * 2;
    const rec2 = 100 + 8 + len1;
    const shp = patched(compoundShp, (dv) => dv.setInt32(rec2 + 4, 100_000, false));
    expect(thrown(() => readShapefile({ name: 'compounds', shp })).message).toBe(
      `compounds.shp: record 2 at byte ${rec2} runs past the end of the file (truncated?)`,
    );
  });

  it('records that lie about their parts and points', () => {
    // record 1 content: type@108, bbox, numParts@144, numPoints@148, parts@152 (two parts: 0, 5)
    const bad = (edit: (dv: DataView) => void) => thrown(() => readShapefile({ name: 'c', shp: patched(compoundShp, edit) })).message;
    expect(bad((dv) => dv.setInt32(156, 0, true))).toMatch(/^c\.shp: record 1 at byte 100 has part indices out of order/);
    expect(bad((dv) => dv.setInt32(156, 10, true))).toMatch(/^c\.shp: record 1 at byte 100 has part 1 starting at point 10, but there are only 10 points/);
    expect(bad((dv) => dv.setInt32(152, 1, true))).toMatch(/first part index of 1, expected 0/);
    expect(bad((dv) => dv.setInt32(148, 0x7fffffff, true))).toMatch(/^c\.shp: record 1 at byte 100 is too short/);
    expect(bad((dv) => dv.setInt32(144, -1, true))).toMatch(/negative part or point count/);
    expect(bad((dv) => dv.setInt32(108, 3, true))).toMatch(/has shape type 3 \(PolyLine\) but the file header says 5 \(Polygon\)/);
    expect(bad((dv) => dv.setFloat64(160, NaN, true))).toMatch(/non-finite coordinate/);
  });

  it('broken .dbf files', () => {
    const dbf = compoundDbf();
    const bad = (d: Uint8Array) => thrown(() => readShapefile({ name: 'c', shp: compoundShp, dbf: d })).message;
    expect(bad(dbf.subarray(0, dbf.length - 30))).toMatch(/^c\.dbf: header declares 4 records of \d+ bytes but the file ends after 3 \(truncated\?\)$/);
    expect(bad(compoundShp)).toBe('c.dbf: version byte 0x00 is not a dBase table (not a .dbf file?)');
    expect(bad(dbf.subarray(0, 20))).toMatch(/^c\.dbf: only 20 bytes/);
    expect(bad(patched(dbf, (dv) => dv.setUint16(10, 20, true)))).toMatch(/^c\.dbf: field widths add up to \d+ bytes but each record is only 20 bytes$/);
  });

  it('never throws anything but ImportError and never returns garbage on corrupted bytes', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const dbf = compoundDbf();
    let ok = 0;
    for (let i = 0; i < 1500; i++) {
      const shp = compoundShp.slice();
      const d = dbf.slice();
      const target = i % 2 ? shp : d;
      for (let k = 1 + rand(4); k > 0; k--) target[rand(target.length)] = rand(256);
      let r: ShapefileResult;
      try {
        r = readShapefile({ name: 'fuzz', shp, dbf: d });
      } catch (e) {
        expect(e).toBeInstanceOf(ImportError);
        continue;
      }
      ok++;
      expect(r.records.length).toBe(r.geometries.length);
      for (const g of r.geometries) {
        if (!g) continue;
        expect(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon']).toContain(g.type);
        expect(JSON.stringify(g)).not.toMatch(/null|NaN/);
      }
    }
    expect(ok).toBeGreaterThan(100); // most single-byte damage is in coordinates or text, which still read
  });
});

describe('decodeDbfText', () => {
  it('decodes with the given label and trims trailing spaces and NULs only', () => {
    expect(decodeDbfText(new Uint8Array([0x20, ...gbk('朝阳', '小区'), 0x20, 0x20, 0x00, 0x00]), 'gbk')).toBe(' 朝阳小区');
    expect(decodeDbfText(new Uint8Array([0xa5, 0x78, 0xa5, 0x5f, 0x20]), 'big5')).toBe('台北');
    expect(decodeDbfText(new Uint8Array(utf8('海淀  ')), 'utf-8')).toBe('海淀');
    expect(decodeDbfText(new Uint8Array([0x20, 0x00]), 'gbk')).toBe('');
    expect(() => decodeDbfText(new Uint8Array([0x41]), 'no-such-encoding')).toThrow(ImportError);
  });

  it('uses Big5 for language driver 0x4F', () => {
    const dbf = writeDbf([{ name: 'NAME', type: 'C', length: 10 }], [{ cells: [[0xa5, 0x78, 0xa5, 0x5f]] }], 0x4f);
    const r = readShapefile({ name: 'taipei', shp: writeShp(1, [{ point: [121.5654, 25.033] }]), dbf });
    expect([r.encoding, r.encodingSource, r.records[0]!['NAME']]).toEqual(['big5', 'ldid', '台北']);
  });
});
