/**
 * ESRI Shapefile reader for the browser: pure TypeScript, no Node APIs, no dependencies.
 *
 * Input is the raw bytes of the .shp (required), .dbf and .cpg (optional) that the user dropped.
 * The .shx index is not needed: the .shp is read sequentially, record by record.
 *
 * Output geometries are GeoJSON in the file's own coordinates (no reprojection; the .prj is the
 * caller's business). Z and M values are dropped (XY kept) with a warning. MultiPatch (31) is refused.
 *
 * Every problem with a file throws ImportError with a one-line message that names the file part and
 * what is wrong. Problems that still leave a trustworthy result (record count mismatch, deleted dbf
 * records, unclosed rings, ...) go to `warnings` instead.
 *
 * Format references: "ESRI Shapefile Technical Description" (1998) and the dBase III+ file layout.
 */

import { geometryBbox, ringSide } from '../../../data-pipelines/geo/measure.ts';
import { t, LocalizedError, type MessageVars, type StringKey } from '../i18n.ts';

/**
 * Text from a user's file made safe to show: control characters, U+FFFD, surrogates, private-use and BOM code points
 * are escaped (\\xNN, \\u{NNNN}) and long text is cut with an ellipsis — a message never carries raw bytes.
 */
export function safeText(s: string, max = 300): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const bad =
      c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0xfffd || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff) || (c >= 0xe000 && c <= 0xf8ff) || c >= 0xf0000;
    out += bad ? (c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u{${c.toString(16)}}`) : ch;
    if (out.length >= max) return `${out}…`;
  }
  return out;
}

/** Message values through safeText (numbers stay numbers). */
export function safeVars(vars: MessageVars): MessageVars {
  const out: MessageVars = {};
  for (const [k, v] of Object.entries(vars)) out[k] = typeof v === 'string' ? safeText(v) : v;
  return out;
}

/** A file that cannot be read: the message (catalog key + values) names the file part and what is wrong. */
export class ImportError extends LocalizedError {
  constructor(key: StringKey, vars: MessageVars = {}) {
    super(key, safeVars(vars));
  }
}

export interface ShpField {
  name: string;
  type: 'C' | 'N' | 'F' | 'L' | 'D' | string;
  length: number;
  decimals: number;
}

export type DbfValue = string | number | boolean | null;

export interface ShapefileResult {
  /** In the file's own coordinates; null for null shapes (and for shapes with no usable parts). */
  geometries: Array<GeoJSON.Geometry | null>;
  /** One per geometry when a .dbf is given (same index), else []. */
  records: Array<Record<string, DbfValue>>;
  fields: ShpField[];
  /** Canonical TextDecoder label used for dbf text ('gbk', 'utf-8', 'big5', ...). */
  encoding: string;
  encodingSource: 'cpg' | 'ldid' | 'detected';
  shapeType: number;
  bbox: [number, number, number, number];
  warnings: string[];
}

type Position = [number, number];

const SHAPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Null',
  1: 'Point',
  3: 'PolyLine',
  5: 'Polygon',
  8: 'MultiPoint',
  11: 'PointZ',
  13: 'PolyLineZ',
  15: 'PolygonZ',
  18: 'MultiPointZ',
  21: 'PointM',
  23: 'PolyLineM',
  25: 'PolygonM',
  28: 'MultiPointM',
  31: 'MultiPatch',
};

// ---------------------------------------------------------------------------------------------
// Warnings: repeated per-record problems are folded into one line listing a few record numbers.
// ---------------------------------------------------------------------------------------------

class Warnings {
  private readonly items = new Map<string, { text: string; records: number[]; count: number }>();

  /** A one-off warning (a catalog message, rendered in the current locale). */
  add(key: StringKey, vars: MessageVars): void {
    const text = t(key, safeVars(vars));
    if (!this.items.has(text)) this.items.set(text, { text, records: [], count: 0 });
  }

  /** A per-record warning; all records with the same message become one line. */
  record(key: StringKey, vars: MessageVars, recordNo: number): void {
    const text = t(key, safeVars(vars));
    let item = this.items.get(text);
    if (!item) {
      item = { text, records: [], count: 0 };
      this.items.set(text, item);
    }
    item.count++;
    if (item.records.length < 5) item.records.push(recordNo);
  }

  list(): string[] {
    return [...this.items.values()].map(({ text, records, count }) => {
      if (count === 0) return text;
      if (count === 1) return t('importer.warn.oneRecord', { text, n: String(records[0]) });
      return t('importer.warn.records', { text, count: String(count), list: `${records.join(', ')}${count > records.length ? ', …' : ''}` });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Text encodings
// ---------------------------------------------------------------------------------------------

const decoders = new Map<string, TextDecoder>();

function decoderFor(label: string): TextDecoder | null {
  const key = label.toLowerCase();
  let d = decoders.get(key);
  if (!d) {
    try {
      d = new TextDecoder(key);
    } catch {
      return null; // RangeError: label unknown to this runtime
    }
    decoders.set(key, d);
  }
  return d;
}

/** Canonical WHATWG name for a label ('GB2312' -> 'gbk'), or null when this runtime cannot decode it. */
function canonicalEncoding(label: string): string | null {
  return decoderFor(label)?.encoding ?? null;
}

/**
 * Decodes a dbf text value: trailing spaces and NULs (the dBase padding) are removed. The trim is
 * done on bytes first — safe for every ASCII-compatible encoding, since 0x20/0x00 never occur as
 * the trail byte of a GBK/Big5/Shift_JIS/EUC-KR/UTF-8 multi-byte character.
 */
export function decodeDbfText(bytes: Uint8Array, encoding: string): string {
  const dec = decoderFor(encoding);
  if (!dec) throw new ImportError('importer.shp.encoding', { encoding });
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x00)) end--;
  return dec.decode(bytes.subarray(0, end)).replace(/[ \0]+$/, '');
}

/** Windows code page number -> WHATWG label (only those a browser TextDecoder can handle). */
function codePageLabel(cp: number): string | null {
  if (cp === 65001) return 'utf-8';
  if (cp === 936) return 'gbk';
  if (cp === 54936) return 'gb18030';
  if (cp === 950) return 'big5';
  if (cp === 949) return 'euc-kr';
  if (cp === 932) return 'shift_jis';
  if (cp === 874) return 'windows-874';
  if (cp === 866) return 'ibm866';
  if (cp >= 1250 && cp <= 1258) return `windows-${cp}`;
  if (cp === 20866) return 'koi8-r';
  if (cp === 21866) return 'koi8-u';
  if (cp >= 28591 && cp <= 28606) return `iso-8859-${cp - 28590}`;
  return null;
}

/**
 * Maps the text of a .cpg file ("GBK", "936", "CP936", "GB2312", "UTF-8", "65001", "88591",
 * "Big5", ...) to a canonical TextDecoder label, or null when it names nothing decodable
 * (also for ArcGIS's placeholder values "SYSTEM"/"OEM"/"ANSI").
 */
function cpgEncoding(raw: string): string | null {
  const s = raw
    .replace(/^\uFEFF/, '')
    .trim()
    .toUpperCase();
  if (!s) return null;
  const aliases: Record<string, string> = {
    UTF8: 'utf-8',
    'UTF-8': 'utf-8',
    GBK: 'gbk',
    GB2312: 'gbk',
    'EUC-CN': 'gbk',
    GB18030: 'gb18030',
    BIG5: 'big5',
    'BIG-5': 'big5',
    SJIS: 'shift_jis',
  };
  const alias = aliases[s];
  if (alias) return canonicalEncoding(alias);
  // Bare or prefixed Windows code page numbers: "936", "CP936", "CP_936", "MS936", "WINDOWS-936", "ANSI 1252".
  const cp = /^(?:CP[-_ ]?|MS|WINDOWS-|ANSI[-_ ]?|IBM)?(\d{3,5})$/.exec(s);
  if (cp) {
    const label = codePageLabel(Number(cp[1]));
    return label ? canonicalEncoding(label) : null;
  }
  // ArcGIS writes ISO 8859 parts without dashes: "88591", "885915".
  const iso = /^(?:ISO[-_ ]?)?8859[-_ ]?(\d{1,2})$/.exec(s);
  if (iso) return canonicalEncoding(`iso-8859-${iso[1]}`);
  if (s === 'SYSTEM' || s === 'OEM' || s === 'ANSI') return null;
  // Anything else TextDecoder itself understands ("EUC-KR", "KOI8-R", "SHIFT_JIS", ...).
  return canonicalEncoding(s.toLowerCase());
}

/**
 * dBase language driver id (header byte 29) -> code page, after GDAL's table. Only ids whose code
 * page a browser can decode are listed. 0x57 ("ANSI", i.e. whatever the writer's system used) and
 * 0x00 (not set) are deliberately absent: those fall through to detection.
 */
const LDID_CODE_PAGES: Readonly<Record<number, number>> = {
  0x03: 1252, // Windows ANSI
  0x26: 866, // Russian OEM
  0x4d: 936, // Chinese GBK (PRC)
  0x4e: 949, // Korean
  0x4f: 950, // Chinese Big5 (Taiwan / Hong Kong)
  0x50: 874, // Thai
  0x58: 1252, // Western European ANSI
  0x59: 1252, // Spanish ANSI
  0x65: 866, // Russian MS-DOS
  0x78: 950, // Standard Taiwan Big5
  0x79: 949, // Standard Korean
  0x7a: 936, // Standard PRC GBK
  0x7b: 932, // Standard Japanese Shift-JIS
  0x7c: 874, // Standard Thai
  0xc8: 1250, // Eastern European Windows
  0xc9: 1251, // Russian Windows
  0xca: 1254, // Turkish Windows
  0xcb: 1253, // Greek Windows
  0xcc: 1257, // Baltic Windows
};

/**
 * Structural UTF-8 check used for detection. An incomplete sequence at the very end is tolerated:
 * writers cut UTF-8 text at the field width, which can split the last character.
 */
function isValidUtf8(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) n = 2;
    else if (c >= 0xf0 && c <= 0xf4) n = 3;
    else return false; // stray continuation byte or invalid lead byte (typical of GBK text)
    for (let k = 1; k <= n; k++) {
      if (i + k >= end) return true; // truncated final character
      const t = b[i + k]!;
      if (t < 0x80 || t > 0xbf) return false;
    }
    i += n + 1;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// .shp
// ---------------------------------------------------------------------------------------------

interface ShpResult {
  /** the file ended before the length its header gives (only the complete records were read) */
  truncated: boolean;
  shapeType: number;
  bbox: [number, number, number, number];
  geometries: Array<GeoJSON.Geometry | null>;
}

/** Per-record reading context: where the record is, for error messages and bounds checks. */
interface RecordCtx {
  file: string;
  dv: DataView;
  recNo: number;
  /** Byte offset of the 8-byte record header in the .shp. */
  recOff: number;
  /** Byte offset of the record content (starts with the shape type). */
  start: number;
  /** Content length in bytes. */
  len: number;
}

/** Throws "<file>: record <n> at byte <offset> <what is wrong>" (`key` says what is wrong). */
function fail(ctx: RecordCtx, key: StringKey, vars: MessageVars = {}): never {
  throw new ImportError('importer.shp.record', { file: ctx.file, rec: String(ctx.recNo), byte: String(ctx.recOff), what: t(key, vars) });
}

function need(ctx: RecordCtx, bytes: number, what: string): void {
  if (bytes > ctx.len) fail(ctx, 'importer.shp.tooShort', { what, bytes: String(bytes), len: String(ctx.len) });
}

/** Reads one little-endian XY pair; NaN/Infinity is corruption, not data. */
function readXY(ctx: RecordCtx, off: number): Position {
  const x = ctx.dv.getFloat64(off, true);
  const y = ctx.dv.getFloat64(off + 8, true);
  if (!Number.isFinite(x) || !Number.isFinite(y)) fail(ctx, 'importer.shp.nonFinite', { x: String(x), y: String(y) });
  return [x, y];
}

function readShp(file: string, bytes: Uint8Array, w: Warnings): ShpResult {
  // Main file header, 100 bytes. The shapefile mixes byte orders:
  //   0  int32 BIG-endian     file code, always 9994
  //   4  5 × int32            unused
  //  24  int32 BIG-endian     file length in 16-bit WORDS (header included)
  //  28  int32 little-endian  version, always 1000
  //  32  int32 little-endian  shape type
  //  36  4 × float64 LE       Xmin, Ymin, Xmax, Ymax (then Z and M ranges, ignored here)
  if (bytes.length < 100) {
    throw new ImportError('importer.shp.tooSmall', { file, n: String(bytes.length) });
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fileCode = dv.getInt32(0, false);
  if (fileCode !== 9994) throw new ImportError('importer.shp.fileCode', { file, code: String(fileCode) });
  const fileLength = dv.getInt32(24, false) * 2;
  const version = dv.getInt32(28, true);
  if (version !== 1000) throw new ImportError('importer.shp.version', { file, v: String(version) });
  const shapeType = dv.getInt32(32, true);
  const typeName = SHAPE_NAMES[shapeType];
  if (typeName === undefined) throw new ImportError('importer.shp.unknownType', { file, t: String(shapeType) });
  if (shapeType === 31) throw new ImportError('importer.shp.multipatch', { file });
  if (fileLength < 100) throw new ImportError('importer.shp.lengthTooSmall', { file, len: String(fileLength) });
  // A file cut short (an interrupted copy, a full USB stick): the complete records before the cut are kept.
  const truncated = fileLength > bytes.length;
  const end = truncated ? bytes.length : fileLength;
  if (fileLength < bytes.length) w.add('importer.shp.trailing', { file, n: String(bytes.length - fileLength) });
  if (shapeType > 10) w.add(shapeType < 20 ? 'importer.shp.dropZM' : 'importer.shp.dropM', { file, t: String(shapeType), name: typeName });

  let bbox: [number, number, number, number] = [dv.getFloat64(36, true), dv.getFloat64(44, true), dv.getFloat64(52, true), dv.getFloat64(60, true)];

  // Records: an 8-byte BIG-endian header (record number from 1, content length in 16-bit words),
  // then the content, whose fields are all little-endian. Every step advances by ≥ 8 bytes, so
  // the loop always terminates.
  const geometries: Array<GeoJSON.Geometry | null> = [];
  let off = 100;
  let recNo = 0;
  while (off < end) {
    recNo++;
    if (off + 8 > end) {
      if (truncated) break;
      throw new ImportError('importer.shp.headerPastEnd', { file, rec: String(recNo), byte: String(off) });
    }
    const number = dv.getInt32(off, false);
    const len = dv.getInt32(off + 4, false) * 2;
    if (len < 4) throw new ImportError('importer.shp.contentLength', { file, rec: String(recNo), byte: String(off), len: String(len) });
    if (off + 8 + len > end) {
      if (truncated) break;
      throw new ImportError('importer.shp.recordPastEnd', { file, rec: String(recNo), byte: String(off) });
    }
    if (number !== recNo) w.record('importer.shp.sequence', { file }, recNo);
    geometries.push(readShape({ file, dv, recNo, recOff: off, start: off + 8, len }, shapeType, w));
    off += 8 + len;
  }

  if (truncated) {
    if (!geometries.length) throw new ImportError('importer.shp.truncated', { file, len: String(fileLength), n: String(bytes.length) });
    w.add('importer.shp.truncatedKept', { file, len: String(fileLength), n: String(bytes.length), kept: String(geometries.length), byte: String(off) });
  }
  if (!bbox.every(Number.isFinite)) {
    bbox = computeBbox(geometries);
    w.add('importer.shp.bbox', { file });
  }
  return { shapeType, bbox, geometries, truncated };
}

function readShape(ctx: RecordCtx, headerType: number, w: Warnings): GeoJSON.Geometry | null {
  const { dv, start } = ctx;
  const type = dv.getInt32(start, true);
  if (type === 0) return null; // null shape: just the type, any remaining content is ignored
  if (type !== headerType) {
    fail(ctx, 'importer.shp.mixedTypes', {
      t: String(type),
      name: SHAPE_NAMES[type] ?? t('importer.shp.unknownName'),
      ht: String(headerType),
      hname: SHAPE_NAMES[headerType] ?? '',
    });
  }
  // Z and M variants (11/13/15/18, 21/23/25/28) share the XY layout of the base type; their Z/M
  // arrays come after the XY data, so reading only XY is just a matter of ignoring the tail.
  switch (type % 10) {
    case 1: {
      need(ctx, 20, t('importer.shp.aPoint'));
      return { type: 'Point', coordinates: readXY(ctx, start + 4) };
    }
    case 8: {
      // type, bbox (4 × f64), numPoints (i32), points
      need(ctx, 40, t('importer.shp.multipointHeader'));
      const n = dv.getInt32(start + 36, true);
      if (n < 0) fail(ctx, 'importer.shp.negativePoints', { n: String(n) });
      need(ctx, 40 + 16 * n, t('importer.shp.nPoints', { n: String(n) }));
      if (n === 0) {
        w.record('importer.shp.emptyMultipoint', { file: ctx.file }, ctx.recNo);
        return null;
      }
      const pts: Position[] = [];
      for (let i = 0; i < n; i++) pts.push(readXY(ctx, start + 40 + 16 * i));
      return { type: 'MultiPoint', coordinates: pts };
    }
    case 3:
    case 5: {
      const parts = readParts(ctx, w);
      if (!parts) return null;
      return type % 10 === 3 ? toLines(ctx, parts, w) : toPolygons(ctx, parts, w);
    }
    default:
      return fail(ctx, 'importer.shp.unsupportedType', { t: String(type) });
  }
}

/** PolyLine / Polygon layout: type, bbox (4 × f64), numParts, numPoints, parts[numParts] (i32), points. */
function readParts(ctx: RecordCtx, w: Warnings): Position[][] | null {
  const { dv, start } = ctx;
  need(ctx, 44, t('importer.shp.partsHeader'));
  const numParts = dv.getInt32(start + 36, true);
  const numPoints = dv.getInt32(start + 40, true);
  if (numParts < 0 || numPoints < 0) fail(ctx, 'importer.shp.negativeParts', { parts: String(numParts), points: String(numPoints) });
  // Checked before anything is allocated, so a corrupt count cannot make us allocate gigabytes.
  const pointsAt = start + 44 + 4 * numParts;
  need(ctx, 44 + 4 * numParts + 16 * numPoints, t('importer.shp.partsPoints', { parts: String(numParts), points: String(numPoints) }));
  if (numParts === 0 && numPoints === 0) {
    w.record('importer.shp.noParts', { file: ctx.file }, ctx.recNo);
    return null;
  }
  if (numParts === 0) fail(ctx, 'importer.shp.pointsNoParts', { points: String(numPoints) });
  if (numPoints === 0) fail(ctx, 'importer.shp.partsNoPoints', { parts: String(numParts) });
  // parts[i] is the index of the first point of part i: must start at 0 and strictly increase.
  const firsts: number[] = [];
  for (let i = 0; i < numParts; i++) {
    const p = dv.getInt32(start + 44 + 4 * i, true);
    if (i === 0 && p !== 0) fail(ctx, 'importer.shp.firstPart', { p: String(p) });
    if (i > 0 && p <= firsts[i - 1]!) fail(ctx, 'importer.shp.partOrder', { i: String(i), p: String(p), prev: String(i - 1), pp: String(firsts[i - 1]) });
    if (p >= numPoints) fail(ctx, 'importer.shp.partRange', { i: String(i), p: String(p), n: String(numPoints) });
    firsts.push(p);
  }
  const parts: Position[][] = [];
  for (let i = 0; i < numParts; i++) {
    const end = i + 1 < numParts ? firsts[i + 1]! : numPoints;
    const part: Position[] = [];
    for (let k = firsts[i]!; k < end; k++) part.push(readXY(ctx, pointsAt + 16 * k));
    parts.push(part);
  }
  return parts;
}

function toLines(ctx: RecordCtx, parts: Position[][], w: Warnings): GeoJSON.Geometry | null {
  const lines = parts.filter((p) => p.length >= 2);
  if (lines.length < parts.length) w.record('importer.shp.shortLines', { file: ctx.file }, ctx.recNo);
  if (lines.length === 0) return null;
  if (lines.length === 1) return { type: 'LineString', coordinates: lines[0]! };
  return { type: 'MultiLineString', coordinates: lines };
}

interface Ring {
  coords: Position[];
  /** Shoelace signed area: negative = clockwise (a shapefile outer ring), positive = counter-clockwise (a hole). */
  area: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function makeRing(coords: Position[]): Ring {
  let area = 0;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < coords.length; i++) {
    const [x, y] = coords[i]!;
    if (i + 1 < coords.length) {
      const [x2, y2] = coords[i + 1]!;
      area += x * y2 - x2 * y;
    }
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return { coords, area: area / 2, minX, minY, maxX, maxY };
}

/**
 * Is `inner` inside `outer`? Decided by the first vertex of `inner` that is not on `outer`'s
 * boundary (holes often touch their outer ring at a vertex).
 */
function ringInside(inner: Ring, outer: Ring): boolean {
  if (inner.minX < outer.minX || inner.maxX > outer.maxX || inner.minY < outer.minY || inner.maxY > outer.maxY) return false;
  for (const p of inner.coords) {
    const r = ringSide(p, outer.coords);
    if (r !== 0) return r > 0;
  }
  return true; // every vertex on the boundary: the same ring traced again
}

/** Smallest ring of `candidates` that contains `ring` (the nearest enclosing one), or undefined. */
function enclosing(ring: Ring, candidates: Ring[]): Ring | undefined {
  let best: Ring | undefined;
  for (const c of candidates) {
    if (c === ring || Math.abs(c.area) <= Math.abs(ring.area)) continue;
    if (ringInside(ring, c) && (!best || Math.abs(c.area) < Math.abs(best.area))) best = c;
  }
  return best;
}

/** GeoJSON (RFC 7946) winding: outer rings counter-clockwise, holes clockwise. Copies when reversing. */
function oriented(r: Ring, outer: boolean): Position[] {
  return outer === r.area > 0 ? r.coords : [...r.coords].reverse();
}

function toPolygons(ctx: RecordCtx, parts: Position[][], w: Warnings): GeoJSON.Geometry | null {
  const rings: Ring[] = [];
  for (const part of parts) {
    let coords = part;
    const first = coords[0]!;
    const last = coords[coords.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) {
      coords = [...coords, [first[0], first[1]]];
      w.record('importer.shp.unclosed', { file: ctx.file }, ctx.recNo);
    }
    const ring = makeRing(coords);
    if (coords.length < 4 || ring.area === 0) {
      w.record('importer.shp.degenerate', { file: ctx.file }, ctx.recNo);
      continue;
    }
    rings.push(ring);
  }
  if (rings.length === 0) return null;

  // Shapefile rule: clockwise rings are outer rings, counter-clockwise rings are holes. Each hole
  // belongs to the smallest outer ring that contains it (so a hole inside an island inside a
  // lake goes to the island, not to the big outer ring).
  const outers = rings.filter((r) => r.area < 0);
  const holes = rings.filter((r) => r.area > 0);
  let groups: Array<{ outer: Ring; holes: Ring[] }> | null = outers.map((outer) => ({ outer, holes: [] }));
  for (const h of holes) {
    const o = enclosing(h, outers);
    const g = o && groups.find((x) => x.outer === o);
    if (!g) {
      groups = null;
      break;
    }
    g.holes.push(h);
  }
  if (!groups) {
    // A counter-clockwise ring outside every clockwise ring: the writer ignored the winding rule
    // (common with single-ring CCW polygons or fully reversed files). Fall back to nesting depth:
    // rings at even depth are outer rings, at odd depth holes of their nearest enclosing ring.
    w.record('importer.shp.winding', { file: ctx.file }, ctx.recNo);
    const depth = new Map<Ring, number>();
    const sorted = [...rings].sort((a, b) => Math.abs(b.area) - Math.abs(a.area)); // parents before children
    groups = [];
    for (const r of sorted) {
      const parent = enclosing(r, sorted);
      const d = parent ? depth.get(parent)! + 1 : 0;
      depth.set(r, d);
      if (d % 2 === 0) groups.push({ outer: r, holes: [] });
      else groups.find((g) => g.outer === parent)!.holes.push(r);
    }
  }
  const polys = groups.map((g) => [oriented(g.outer, true), ...g.holes.map((h) => oriented(h, false))]);
  if (polys.length === 1) return { type: 'Polygon', coordinates: polys[0]! };
  return { type: 'MultiPolygon', coordinates: polys };
}

function computeBbox(geoms: Array<GeoJSON.Geometry | null>): [number, number, number, number] {
  const b = geometryBbox(geoms);
  return b && b.every(Number.isFinite) ? b : [0, 0, 0, 0];
}

// ---------------------------------------------------------------------------------------------
// .dbf
// ---------------------------------------------------------------------------------------------

interface DbfFieldRaw {
  nameBytes: Uint8Array;
  type: string;
  length: number;
  decimals: number;
  /** Offset of the field inside a record (the deletion flag is byte 0). */
  offset: number;
}

interface DbfResult {
  fields: ShpField[];
  records: Array<Record<string, DbfValue>>;
  encoding: string;
  encodingSource: 'cpg' | 'ldid' | 'detected';
}

/** A byte as 0xNN, for messages. */
function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

function ascii(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function readDbf(file: string, bytes: Uint8Array, cpg: { file: string; text: string } | undefined, w: Warnings): DbfResult {
  // dBase III header, 32 bytes, all little-endian:
  //   0  u8   version (0x03 dBase III; 0x83/0x8B/0xF5 with memo; 0x30–0x32 Visual FoxPro)
  //   1  3×u8 last update YY MM DD
  //   4  u32  number of records
  //   8  u16  header length in bytes (header + field descriptors + 0x0D terminator [+ VFP backlink])
  //  10  u16  record length in bytes (1 deletion-flag byte + all field widths)
  //  29  u8   language driver id (code page)
  // Then 32-byte field descriptors until a 0x0D byte:
  //   0  11 bytes name, NUL padded (in the file's code page: Chinese names are GBK bytes)
  //  11  u8   type ('C', 'N', 'F', 'L', 'D', ...)
  //  16  u8   width; 17 u8 decimal count
  if (bytes.length < 32) throw new ImportError('importer.dbf.tooSmall', { file, n: String(bytes.length) });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[0]!;
  const level = version & 0x07;
  if (!((level >= 2 && level <= 5) || version === 0x30 || version === 0x31 || version === 0x32)) {
    throw new ImportError('importer.dbf.version', { file, hex: hex(version) });
  }
  const numRecords = dv.getUint32(4, true);
  const headerLength = dv.getUint16(8, true);
  const recordLength = dv.getUint16(10, true);
  const ldid = bytes[29]!;
  if (headerLength < 33) throw new ImportError('importer.dbf.headerSmall', { file, n: String(headerLength) });
  if (headerLength > bytes.length) throw new ImportError('importer.dbf.headerLarge', { file, n: String(headerLength), size: String(bytes.length) });
  if (recordLength < 1) throw new ImportError('importer.dbf.recordZero', { file });

  const raw: DbfFieldRaw[] = [];
  let fieldOffset = 1;
  for (let off = 32; off + 32 <= headerLength && bytes[off] !== 0x0d; off += 32) {
    let nameEnd = off;
    while (nameEnd < off + 11 && bytes[nameEnd] !== 0) nameEnd++;
    const f: DbfFieldRaw = {
      nameBytes: bytes.subarray(off, nameEnd),
      type: String.fromCharCode(bytes[off + 11]!).toUpperCase(),
      length: bytes[off + 16]!,
      decimals: bytes[off + 17]!,
      offset: fieldOffset,
    };
    fieldOffset += f.length;
    // Visual FoxPro's hidden null-flags column: not user data.
    if (f.type === '0') continue;
    raw.push(f);
  }
  if (fieldOffset > recordLength) {
    throw new ImportError('importer.dbf.widths', { file, sum: String(fieldOffset), len: String(recordLength) });
  }
  const available = Math.floor((bytes.length - headerLength) / recordLength);
  if (available < numRecords) {
    throw new ImportError('importer.dbf.truncated', { file, n: String(numRecords), len: String(recordLength), avail: String(available) });
  }

  // Choose the text encoding: .cpg, else the language driver id, else detection.
  let encoding: string | null = null;
  let encodingSource: DbfResult['encodingSource'] = 'detected';
  if (cpg && cpg.text.trim()) {
    encoding = cpgEncoding(cpg.text);
    if (encoding) encodingSource = 'cpg';
    else w.add('importer.dbf.codePage', { file: cpg.file, cp: cpg.text.trim().slice(0, 40) });
  }
  if (!encoding && ldid !== 0 && ldid !== 0x57) {
    const cp = LDID_CODE_PAGES[ldid];
    const label = cp === undefined ? null : codePageLabel(cp);
    encoding = label ? canonicalEncoding(label) : null;
    if (encoding) encodingSource = 'ldid';
    else w.add(cp ? 'importer.dbf.ldidCp' : 'importer.dbf.ldid', { file, hex: hex(ldid), cp: String(cp) });
  }
  if (!encoding) {
    // No declaration: valid UTF-8 (which includes pure ASCII) is UTF-8; anything else is taken as
    // GBK, by far the most common legacy encoding of the shapefiles our users receive.
    let utf8 = raw.every((f) => isValidUtf8(f.nameBytes, 0, f.nameBytes.length));
    const textFields = raw.filter((f) => f.type === 'C');
    for (let r = 0; utf8 && r < numRecords; r++) {
      const base = headerLength + r * recordLength;
      if (bytes[base] === 0x2a) continue;
      for (const f of textFields) {
        if (!isValidUtf8(bytes, base + f.offset, base + f.offset + f.length)) {
          utf8 = false;
          break;
        }
      }
    }
    encoding = utf8 ? 'utf-8' : 'gbk';
    encodingSource = 'detected';
  }
  const enc = encoding;
  if (!decoderFor(enc)) throw new ImportError('importer.dbf.encoding', { file, encoding: enc });

  // Field names, decoded like the data; made unique so that no column hides another.
  const seen = new Set<string>();
  const fields: ShpField[] = raw.map((f, i) => {
    const base = decodeDbfText(f.nameBytes, enc).trim() || `FIELD_${i + 1}`;
    let name = base === '__proto__' ? `${base}_` : base;
    for (let k = 2; seen.has(name); k++) name = `${base}_${k}`;
    if (name !== base) w.add('importer.dbf.renamed', { file, i: String(i + 1), base, name });
    seen.add(name);
    return { name, type: f.type, length: f.length, decimals: f.decimals };
  });
  for (const f of raw) {
    if (!'CNFLDIO+'.includes(f.type)) {
      w.add('importer.dbf.fieldType', { file, name: fields[raw.indexOf(f)]!.name, type: f.type });
    }
  }

  const records: Array<Record<string, DbfValue>> = [];
  for (let r = 0; r < numRecords; r++) {
    const base = headerLength + r * recordLength;
    const rec: Record<string, DbfValue> = {};
    // Deletion flag: 0x2A '*' = deleted, 0x20 ' ' = live. A deleted record keeps its slot so that
    // dbf record i still belongs to shape i, but its attributes are all null.
    const deleted = bytes[base] === 0x2a;
    if (deleted) w.record('importer.dbf.deleted', { file }, r + 1);
    for (let i = 0; i < raw.length; i++) {
      const f = raw[i]!;
      const name = fields[i]!.name;
      rec[name] = deleted ? null : readValue(file, bytes, dv, base + f.offset, f, name, enc, r + 1, w);
    }
    records.push(rec);
  }
  return { fields, records, encoding: enc, encodingSource };
}

function readValue(file: string, bytes: Uint8Array, dv: DataView, at: number, f: DbfFieldRaw, name: string, enc: string, recNo: number, w: Warnings): DbfValue {
  const end = at + f.length;
  switch (f.type) {
    case 'C':
      return decodeDbfText(bytes.subarray(at, end), enc);
    case 'N':
    case 'F': {
      // ASCII, right-aligned, space padded. Blank = null; all '*' = value overflowed the width.
      const s = ascii(bytes, at, end).replace(/\0/g, '').trim();
      if (s === '' || /^\*+$/.test(s)) return null;
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
      if (/^[+-]?\d+,\d+$/.test(s)) return Number(s.replace(',', '.')); // decimal comma
      w.record('importer.dbf.notNumber', { file, name }, recNo);
      return null;
    }
    case 'L': {
      const c = String.fromCharCode(bytes[at] ?? 0x20).toUpperCase();
      if (c === 'T' || c === 'Y') return true;
      if (c === 'F' || c === 'N') return false;
      return null; // '?', blank: unknown
    }
    case 'D': {
      const s = ascii(bytes, at, end).replace(/\0/g, '').trim();
      if (s === '' || /^0+$/.test(s)) return null;
      const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
      if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31) return `${m[1]}-${m[2]}-${m[3]}`;
      w.record('importer.dbf.badDate', { file, name }, recNo);
      return null;
    }
    // Visual FoxPro binary columns.
    case 'I':
    case '+':
      return f.length === 4 ? dv.getInt32(at, true) : null;
    case 'O':
      return f.length === 8 ? dv.getFloat64(at, true) : null;
    default:
      return null; // memo (M/B/G, needs the .dbt/.fpt), datetime, currency, ...: warned once per field
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/**
 * Reads a shapefile from its parts. `name` is the layer name as the user sees it ("roads" or
 * "roads.shp"); messages name the parts as `roads.shp`, `roads.dbf`, `roads.cpg`.
 */
export function readShapefile(parts: { name: string; shp: Uint8Array; dbf?: Uint8Array; cpg?: string }): ShapefileResult {
  const base = parts.name.replace(/\.(shp|shx|dbf|cpg|prj|zip)$/i, '') || 'shapefile';
  const shpName = `${base}.shp`;
  const dbfName = `${base}.dbf`;
  const cpgName = `${base}.cpg`;
  const w = new Warnings();

  const shp = readShp(shpName, parts.shp, w);
  let geometries = shp.geometries;
  let records: Array<Record<string, DbfValue>> = [];
  let fields: ShpField[] = [];
  let encoding = 'utf-8';
  let encodingSource: ShapefileResult['encodingSource'] = 'detected';

  const cpg = parts.cpg === undefined ? undefined : { file: cpgName, text: parts.cpg };
  if (parts.dbf) {
    const dbf = readDbf(dbfName, parts.dbf, cpg, w);
    ({ fields, records, encoding, encodingSource } = dbf);
    // Shapes and rows are matched by position only: different counts mean the .dbf belongs to another layer (or
    // another version of it), and any pairing would put attributes on the wrong shapes. Only a .shp cut short may
    // have fewer shapes: its remaining records keep their attributes, without a geometry.
    if (shp.truncated && records.length > geometries.length) {
      w.add('importer.shp.truncatedRecords', {
        dbf: dbfName,
        records: String(records.length),
        shapes: String(geometries.length),
        rest: String(records.length - geometries.length),
      });
      geometries = [...geometries, ...new Array<null>(records.length - geometries.length).fill(null)];
    } else if (records.length !== geometries.length) {
      throw new ImportError('importer.shp.countMismatch', { dbf: dbfName, records: String(records.length), shp: shpName, shapes: String(geometries.length) });
    }
  } else if (cpg) {
    const e = cpgEncoding(cpg.text);
    if (e) {
      encoding = e;
      encodingSource = 'cpg';
    }
  }

  return { geometries, records, fields, encoding, encodingSource, shapeType: shp.shapeType, bbox: shp.bbox, warnings: w.list() };
}
