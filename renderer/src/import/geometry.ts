/**
 * Geometry encodings found in table cells and database blobs, all to GeoJSON geometries in the data's own coordinates
 * (Z and M dropped, XY kept):
 *
 * - WKB (OGC Simple Features): Point, LineString, Polygon, Multi*, GeometryCollection; either byte order; 2D, Z, M and
 *   ZM through the ISO type codes (1000/2000/3000 + type) and the EWKB flags (0x80000000 Z, 0x40000000 M,
 *   0x20000000 SRID follows). An empty point (NaN coordinates) and empty collections are "no geometry".
 * - GeoPackage geometry blobs: "GP", version, flags (byte order, envelope kind, empty bit), srs_id, envelope, WKB.
 * - WKT / EWKT: all simple types, EMPTY, Z / M / ZM, an optional "SRID=n;" prefix.
 * - GeoJSON geometry objects as text.
 * - Baidu-style coordinate strings and objects: "lng,lat;lng,lat;…" (a closed string of 4+ points is a polygon ring,
 *   as Baidu's boundary service returns them; otherwise 2+ points are a line, 1 a point), {"lng":…, "lat":…},
 *   [{"lng":…, "lat":…}, …], and {"type": "point"|"polyline"|"polygon", "points"|"path": <either of those>}.
 *
 * Every problem throws ImportError naming what is wrong; callers add the row / record.
 */
import { ImportError } from './shapefile.ts';

type Pos = [number, number];

export interface WkbResult {
  geometry: GeoJSON.Geometry | null;
  /** EWKB SRID or GeoPackage srs_id, when the blob carries one */
  srid: number | null;
  /** Z or M values were present (and dropped) */
  zm: boolean;
}

const TYPE_NAMES = ['', 'Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection'] as const;

/** Bytes as hex, for messages ("01 02 …"), never the raw bytes. */
export function hexBytes(b: Uint8Array, max = 16): string {
  const s = Array.from(b.subarray(0, max), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return b.length > max ? `${s} …` : s;
}

class WkbReader {
  private readonly dv: DataView;
  at = 0;
  zm = false;
  constructor(private readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number): void {
    if (this.at + n > this.b.length) throw new ImportError('importer.wkb.short', { at: String(this.at), n: String(this.b.length) });
  }
  u8(): number {
    this.need(1);
    return this.b[this.at++]!;
  }
  u32(le: boolean): number {
    this.need(4);
    const v = this.dv.getUint32(this.at, le);
    this.at += 4;
    return v;
  }
  f64(le: boolean): number {
    this.need(8);
    const v = this.dv.getFloat64(this.at, le);
    this.at += 8;
    return v;
  }
  /** how many items of `size` bytes can still follow (guards counts against the bytes left) */
  count(le: boolean, size: number): number {
    const n = this.u32(le);
    if (n * size > this.b.length - this.at) throw new ImportError('importer.wkb.count', { n: String(n), at: String(this.at - 4) });
    return n;
  }

  geometry(depth = 0): { g: GeoJSON.Geometry | null; srid: number | null } {
    if (depth > 32) throw new ImportError('importer.wkb.deep');
    const order = this.u8();
    if (order > 1) throw new ImportError('importer.wkb.order', { b: order.toString(16).padStart(2, '0'), at: String(this.at - 1) });
    const le = order === 1;
    const raw = this.u32(le);
    let srid: number | null = null;
    let dims = 2;
    if (raw & 0x20000000) srid = this.u32(le);
    if (raw & 0x80000000) dims++;
    if (raw & 0x40000000) dims++;
    const code = raw & 0x0fffffff;
    const base = code % 1000;
    const iso = Math.floor(code / 1000);
    if (iso === 1 || iso === 2) dims++;
    else if (iso === 3) dims += 2;
    else if (iso !== 0) throw new ImportError('importer.wkb.type', { t: String(raw) });
    if (dims > 2) this.zm = true;
    if (base < 1 || base > 7) throw new ImportError('importer.wkb.type', { t: String(raw) });
    const size = 8 * dims;
    const pos = (): Pos => {
      const x = this.f64(le);
      const y = this.f64(le);
      for (let k = 2; k < dims; k++) this.f64(le);
      return [x, y];
    };
    const finite = (p: Pos) => {
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new ImportError('importer.wkb.nonFinite', { x: String(p[0]), y: String(p[1]) });
      return p;
    };
    const line = () => {
      const n = this.count(le, size);
      const out: Pos[] = [];
      for (let i = 0; i < n; i++) out.push(finite(pos()));
      return out;
    };
    const poly = () => {
      const n = this.count(le, 4);
      const rings: Pos[][] = [];
      for (let i = 0; i < n; i++) rings.push(line());
      return rings.filter((r) => r.length > 0);
    };
    const type = TYPE_NAMES[base]!;
    if (type === 'Point') {
      const p = pos();
      if (Number.isNaN(p[0]) && Number.isNaN(p[1])) return { g: null, srid }; // POINT EMPTY
      return { g: { type, coordinates: finite(p) }, srid };
    }
    if (type === 'LineString') {
      const c = line();
      return { g: c.length ? { type, coordinates: c } : null, srid };
    }
    if (type === 'Polygon') {
      const c = poly();
      return { g: c.length ? { type, coordinates: c } : null, srid };
    }
    const n = this.count(le, 5);
    const parts: GeoJSON.Geometry[] = [];
    for (let i = 0; i < n; i++) {
      const { g } = this.geometry(depth + 1);
      if (!g) continue;
      const want = { MultiPoint: 'Point', MultiLineString: 'LineString', MultiPolygon: 'Polygon' }[type as 'MultiPoint'];
      if (want && g.type !== want) throw new ImportError('importer.wkb.member', { type, member: g.type });
      parts.push(g);
    }
    if (!parts.length) return { g: null, srid };
    if (type === 'GeometryCollection') return { g: { type, geometries: parts }, srid };
    return { g: { type, coordinates: parts.map((p) => (p as GeoJSON.Point | GeoJSON.LineString | GeoJSON.Polygon).coordinates) } as GeoJSON.Geometry, srid };
  }
}

/** Standard or extended WKB; trailing bytes are an error (a blob that is not WKB at all). */
export function parseWkb(b: Uint8Array): WkbResult {
  const r = new WkbReader(b);
  const { g, srid } = r.geometry();
  if (r.at !== b.length) throw new ImportError('importer.wkb.trailing', { n: String(b.length - r.at) });
  return { geometry: g, srid, zm: r.zm };
}

/** A GeoPackage geometry blob (GeoPackage 1.x §2.1.3). */
export function parseGpkgGeometry(b: Uint8Array): WkbResult {
  if (b.length < 8 || b[0] !== 0x47 || b[1] !== 0x50) throw new ImportError('importer.gpkg.blob', { bytes: hexBytes(b, 8) });
  const flags = b[3]!;
  if (flags & 0x20) throw new ImportError('importer.gpkg.extended');
  const le = (flags & 1) === 1;
  const srid = new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(4, le);
  const env = (flags >> 1) & 7;
  if (env > 4) throw new ImportError('importer.gpkg.envelope', { n: String(env) });
  const start = 8 + [0, 32, 48, 48, 64][env]!;
  if (start > b.length) throw new ImportError('importer.wkb.short', { at: String(start), n: String(b.length) });
  if (flags & 0x10 && start === b.length) return { geometry: null, srid, zm: false };
  const r = parseWkb(b.subarray(start));
  return { geometry: flags & 0x10 ? null : r.geometry, srid, zm: r.zm };
}

// ---- WKT ----

/** WKT or EWKT ("SRID=4326;POINT(…)"). */
export function parseWkt(text: string): { geometry: GeoJSON.Geometry | null; srid: number | null; zm: boolean } {
  let s = text.trim();
  let srid: number | null = null;
  const m = /^SRID=(\d+);/i.exec(s);
  if (m) {
    srid = Number(m[1]);
    s = s.slice(m[0].length);
  }
  const tokens = s.match(/[A-Za-z]+|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[(),]|\S/g) ?? [];
  let i = 0;
  let zm = false;
  const peek = () => tokens[i];
  const next = () => {
    const tk = tokens[i++];
    if (tk === undefined) throw new ImportError('importer.wkt.end');
    return tk;
  };
  const expect = (tk: string) => {
    const got = next();
    if (got !== tk) throw new ImportError('importer.wkt.expected', { want: tk, got: got.slice(0, 20) });
  };
  let dims = 2;
  const num = () => {
    const tk = next();
    const v = Number(tk);
    if (!/^[-+.\d]/.test(tk) || !Number.isFinite(v)) throw new ImportError('importer.wkt.number', { got: tk.slice(0, 20) });
    return v;
  };
  const point = (): Pos => {
    const p: Pos = [num(), num()];
    let extra = 0;
    while (peek() !== undefined && /^[-+.\d]/.test(peek()!)) {
      num();
      extra++;
    }
    if (extra) zm = true;
    if (extra > dims - 2) throw new ImportError('importer.wkt.dims');
    return p;
  };
  /** "(" items ")" or EMPTY → [] */
  const list = <T>(item: () => T): T[] => {
    if (peek()?.toUpperCase() === 'EMPTY') {
      i++;
      return [];
    }
    expect('(');
    const out = [item()];
    while (peek() === ',') {
      i++;
      out.push(item());
    }
    expect(')');
    return out;
  };
  const geometry = (depth: number): GeoJSON.Geometry | null => {
    if (depth > 32) throw new ImportError('importer.wkb.deep');
    const kw = next().toUpperCase();
    const mod = peek()?.toUpperCase();
    // "POINT Z (…)" fixes the dimension; an unmarked "POINT (1 2 3)" may carry Z and M too
    if (mod === 'Z' || mod === 'M' || mod === 'ZM') {
      i++;
      zm = true;
      dims = mod === 'ZM' ? 4 : 3;
    } else dims = 4;
    switch (kw) {
      case 'POINT': {
        const p = list(point);
        return p.length ? { type: 'Point', coordinates: p[0]! } : null;
      }
      case 'LINESTRING': {
        const c = list(point);
        return c.length ? { type: 'LineString', coordinates: c } : null;
      }
      case 'POLYGON': {
        const c = list(() => list(point)).filter((r) => r.length);
        return c.length ? { type: 'Polygon', coordinates: c } : null;
      }
      case 'MULTIPOINT': {
        // both "MULTIPOINT (1 2, 3 4)" and "MULTIPOINT ((1 2), (3 4))"
        const c = list(() => (peek() === '(' ? list(point)[0] : peek()?.toUpperCase() === 'EMPTY' ? (i++, undefined) : point())).filter(
          (p): p is Pos => p !== undefined,
        );
        return c.length ? { type: 'MultiPoint', coordinates: c } : null;
      }
      case 'MULTILINESTRING': {
        const c = list(() => list(point)).filter((l) => l.length);
        return c.length ? { type: 'MultiLineString', coordinates: c } : null;
      }
      case 'MULTIPOLYGON': {
        const c = list(() => list(() => list(point)).filter((r) => r.length)).filter((p) => p.length);
        return c.length ? { type: 'MultiPolygon', coordinates: c } : null;
      }
      case 'GEOMETRYCOLLECTION': {
        const c = list(() => geometry(depth + 1)).filter((g): g is GeoJSON.Geometry => g !== null);
        return c.length ? { type: 'GeometryCollection', geometries: c } : null;
      }
      default:
        throw new ImportError('importer.wkt.type', { type: kw.slice(0, 30) });
    }
  };
  const g = geometry(0);
  if (i !== tokens.length)
    throw new ImportError('importer.wkt.trailing', {
      got: tokens
        .slice(i, i + 3)
        .join(' ')
        .slice(0, 30),
    });
  return { geometry: g, srid, zm };
}

// ---- text cells: which encoding, and the parse ----

export type CellKind = 'wkt' | 'geojson' | 'wkbhex' | 'baidu';

const WKT_START = /^\s*(?:SRID=\d+;\s*)?(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|GEOMETRYCOLLECTION)\b/i;
const BAIDU_STRING = /^\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?(?:\s*;\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?)*\s*;?\s*$/;

/** What a non-empty text cell looks like, or null when it is no geometry encoding we know. */
export function cellKind(v: string): CellKind | null {
  const s = v.trim();
  if (WKT_START.test(s)) return 'wkt';
  if (/^[0-9a-fA-F]+$/.test(s) && s.length >= 42 && s.length % 2 === 0 && (s.startsWith('00') || s.startsWith('01'))) return 'wkbhex';
  if (BAIDU_STRING.test(s) && s.includes(';')) return 'baidu';
  if (s.startsWith('{') || s.startsWith('[')) {
    let o: unknown;
    try {
      o = JSON.parse(s);
    } catch {
      return null;
    }
    if (o && typeof o === 'object' && !Array.isArray(o) && typeof (o as { type?: unknown }).type === 'string' && ('coordinates' in o || 'geometries' in o))
      return 'geojson';
    if (isBaiduJson(o)) return 'baidu';
  }
  return null;
}

const isLngLat = (o: unknown): boolean => !!o && typeof o === 'object' && ('lng' in o || 'lon' in o) && 'lat' in o;

function isBaiduJson(o: unknown): boolean {
  if (Array.isArray(o)) return o.length > 0 && o.every(isLngLat);
  if (!o || typeof o !== 'object') return false;
  if (isLngLat(o)) return true;
  const x = o as { points?: unknown; path?: unknown };
  return x.points !== undefined || x.path !== undefined;
}

const GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);

/** A GeoJSON geometry object (already parsed), validated; Z dropped. */
export function geojsonGeometry(o: unknown): GeoJSON.Geometry | null {
  if (o === null || o === undefined) return null;
  const g = o as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  if (typeof g.type !== 'string' || !GEOMETRY_TYPES.has(g.type))
    throw new ImportError('importer.cell.geojsonType', { type: String(JSON.stringify(g.type)).slice(0, 30) });
  if (g.type === 'GeometryCollection') {
    if (!Array.isArray(g.geometries)) throw new ImportError('importer.cell.geojsonType', { type: 'GeometryCollection' });
    const parts = g.geometries.map(geojsonGeometry).filter((x): x is GeoJSON.Geometry => x !== null);
    return parts.length ? { type: 'GeometryCollection', geometries: parts } : null;
  }
  const depth = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 }[g.type as 'Point'];
  const walk = (c: unknown, d: number): unknown => {
    if (!Array.isArray(c)) throw new ImportError('importer.cell.geojsonCoords', { type: String(g.type) });
    if (d === 0) {
      if (c.length < 2 || !c.slice(0, 2).every((v) => typeof v === 'number' && Number.isFinite(v)))
        throw new ImportError('importer.cell.geojsonCoords', { type: String(g.type) });
      return [c[0], c[1]];
    }
    return c.map((x) => walk(x, d - 1));
  };
  const coords = walk(g.coordinates, depth);
  if (depth > 0 && (coords as unknown[]).length === 0) return null;
  return { type: g.type, coordinates: coords } as GeoJSON.Geometry;
}

function baiduPoints(v: unknown): Pos[] {
  if (typeof v === 'string') {
    if (!BAIDU_STRING.test(v)) throw new ImportError('importer.cell.baidu', { got: v.slice(0, 30) });
    return v
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => s.split(',').map(Number) as Pos);
  }
  if (Array.isArray(v) && v.every(isLngLat))
    return v.map((p: { lng?: unknown; lon?: unknown; lat?: unknown }) => {
      const x = Number(p.lng ?? p.lon);
      const y = Number(p.lat);
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new ImportError('importer.cell.baidu', { got: JSON.stringify(p).slice(0, 30) });
      return [x, y];
    });
  if (isLngLat(v)) return baiduPoints([v]);
  throw new ImportError('importer.cell.baidu', { got: JSON.stringify(v)?.slice(0, 30) ?? '' });
}

function baiduGeometry(o: unknown): GeoJSON.Geometry | null {
  let type = '';
  let pts: Pos[];
  if (o && typeof o === 'object' && !Array.isArray(o) && !isLngLat(o)) {
    const x = o as { type?: unknown; points?: unknown; path?: unknown };
    type = typeof x.type === 'string' ? x.type.toLowerCase() : '';
    pts = baiduPoints(x.points ?? x.path);
  } else pts = baiduPoints(o);
  if (!pts.length) return null;
  const closed = pts.length >= 4 && pts[0]![0] === pts[pts.length - 1]![0] && pts[0]![1] === pts[pts.length - 1]![1];
  if (type === 'point' || type === 'marker' || (!type && pts.length === 1)) return { type: 'Point', coordinates: pts[0]! };
  if (type === 'polygon' || (!type && closed)) {
    const ring = closed ? pts : [...pts, pts[0]!];
    if (ring.length < 4) throw new ImportError('importer.cell.ring', { n: String(pts.length) });
    return { type: 'Polygon', coordinates: [ring] };
  }
  if (type && type !== 'polyline' && type !== 'linestring' && type !== 'line') throw new ImportError('importer.cell.baiduType', { type: type.slice(0, 20) });
  if (pts.length < 2) throw new ImportError('importer.cell.line');
  return { type: 'LineString', coordinates: pts };
}

/** Parses one cell of the given kind. */
export function parseCell(kind: CellKind, v: string): GeoJSON.Geometry | null {
  const s = v.trim();
  if (kind === 'wkt') return parseWkt(s).geometry;
  if (kind === 'wkbhex') {
    if (!/^[0-9a-fA-F]*$/.test(s) || s.length % 2) throw new ImportError('importer.cell.hex');
    return parseWkb(Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16))).geometry;
  }
  if (kind === 'baidu' && !s.startsWith('{') && !s.startsWith('[')) return baiduGeometry(s);
  let o: unknown;
  try {
    o = JSON.parse(s);
  } catch (e) {
    throw new ImportError('importer.cell.json', { detail: (e as Error).message });
  }
  return kind === 'geojson' ? geojsonGeometry(o) : baiduGeometry(o);
}

/** Geometry from a database blob: GeoPackage binary or (E)WKB. SpatiaLite blobs are named, not guessed at. */
export function parseBlob(b: Uint8Array): WkbResult {
  if (b[0] === 0x47 && b[1] === 0x50) return parseGpkgGeometry(b);
  if (b[0] === 0x00 && (b[1] === 0 || b[1] === 1) && b[38] === 0x7c) throw new ImportError('importer.cell.spatialite');
  return parseWkb(b);
}
