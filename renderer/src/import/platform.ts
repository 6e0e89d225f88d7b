/**
 * Is this "WGS84" data really in a Chinese web-map system? Amap/Tencent (GCJ-02) and Baidu (BD-09) coordinates look
 * like ordinary degrees, and nothing in the numbers alone tells them apart from GPS ones. Two kinds of evidence:
 *
 * - names: columns such as bd_lng / gcj_lat / 高德经度, or "baidu"/"百度" in the file name;
 * - fit: read the coordinates each way and measure how far the vertices lie from the district's street graph; data
 *   that hugs the streets under one reading and not under the other says which it is.
 *
 * The result is a question for the user (with the evidence), never a silent change. The offsets between the systems
 * over the demo district, measured with data-pipelines/geo/coords.ts on a 21 × 21 grid over its bounding box (the
 * unit test recomputes them): GCJ-02 − WGS84 = 536–554 m, BD-09 − WGS84 = 1336–1359 m.
 */
import { toWgs84, type CRS } from '../../../data-pipelines/geo/coords.ts';
import { M_PER_DEG_LAT, mPerDegLon } from '../../../data-pipelines/geo/measure.ts';
import { t } from '../i18n.ts';

/** metres, [min, max] over the demo district (see above) */
export const GCJ02_OFFSET_M: readonly [number, number] = [536, 554];
export const BD09_OFFSET_M: readonly [number, number] = [1336, 1359];

export type Platform = 'GCJ02' | 'BD09';

export interface CrsQuestion {
  /** the reading the evidence points to */
  suggest: Platform;
  /** the reading used for the import */
  current: string;
  /** localized sentences */
  evidence: string[];
}

/** Street segments in a local metric frame with a 100 m grid index. */
export interface StreetRef {
  lon0: number;
  lat0: number;
  kx: number;
  ky: number;
  segs: Float64Array;
  cells: Map<number, number[]>;
  bbox: [number, number, number, number];
}

const CELL = 100;
const CAP = 300;
const key = (i: number, j: number) => i * 100_003 + j;

/** Builds the reference from street nodes (lon/lat) and edges (node index pairs). */
export function streetRef(lon: ArrayLike<number>, lat: ArrayLike<number>, edges: Array<[number, number]>): StreetRef | null {
  if (!edges.length) return null;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < lon.length; i++) {
    sx += lon[i]!;
    sy += lat[i]!;
  }
  const lon0 = sx / lon.length;
  const lat0 = sy / lat.length;
  const kx = mPerDegLon(lat0);
  const ky = M_PER_DEG_LAT;
  const segs = new Float64Array(edges.length * 4);
  const cells = new Map<number, number[]>();
  const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  edges.forEach(([a, b], s) => {
    const x0 = (lon[a]! - lon0) * kx;
    const y0 = (lat[a]! - lat0) * ky;
    const x1 = (lon[b]! - lon0) * kx;
    const y1 = (lat[b]! - lat0) * ky;
    segs.set([x0, y0, x1, y1], s * 4);
    for (const [x, y] of [
      [lon[a]!, lat[a]!],
      [lon[b]!, lat[b]!],
    ] as const) {
      bbox[0] = Math.min(bbox[0], x);
      bbox[1] = Math.min(bbox[1], y);
      bbox[2] = Math.max(bbox[2], x);
      bbox[3] = Math.max(bbox[3], y);
    }
    for (let i = Math.floor(Math.min(x0, x1) / CELL); i <= Math.floor(Math.max(x0, x1) / CELL); i++)
      for (let j = Math.floor(Math.min(y0, y1) / CELL); j <= Math.floor(Math.max(y0, y1) / CELL); j++) {
        const k = key(i, j);
        const l = cells.get(k);
        if (l) l.push(s);
        else cells.set(k, [s]);
      }
  });
  return { lon0, lat0, kx, ky, segs, cells, bbox };
}

/** Distance in metres from a WGS84 point to the nearest street, capped at 300 m. */
export function streetDistance(ref: StreetRef, lon: number, lat: number): number {
  const x = (lon - ref.lon0) * ref.kx;
  const y = (lat - ref.lat0) * ref.ky;
  let best = CAP;
  const r = Math.ceil(CAP / CELL);
  const ci = Math.floor(x / CELL);
  const cj = Math.floor(y / CELL);
  for (let i = ci - r; i <= ci + r; i++)
    for (let j = cj - r; j <= cj + r; j++)
      for (const s of ref.cells.get(key(i, j)) ?? []) {
        const o = s * 4;
        const ax = ref.segs[o]!;
        const ay = ref.segs[o + 1]!;
        const dx = ref.segs[o + 2]! - ax;
        const dy = ref.segs[o + 3]! - ay;
        const len2 = dx * dx + dy * dy;
        const u = len2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2)) : 0;
        best = Math.min(best, Math.hypot(x - ax - u * dx, y - ay - u * dy));
      }
  return best;
}

const BD_NAMES = /(^|[^a-z])(bd|bd09|bd-09|baidu|bmap)([^a-z]|$)|百度/i; // i18n-exempt: names detected in files
const GCJ_NAMES = /gcj|amap|gaode|autonavi|tencent|qqmap|高德|腾讯|火星/i; // i18n-exempt: names detected in files

function vertices(geoms: Array<GeoJSON.Geometry | null>, max: number): Array<[number, number]> {
  const all: Array<[number, number]> = [];
  const walk = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') all.push([(c as number[])[0]!, (c as number[])[1]!]);
    else (c as unknown[]).forEach(walk);
  };
  const visit = (g: GeoJSON.Geometry): void => (g.type === 'GeometryCollection' ? g.geometries.forEach(visit) : walk(g.coordinates));
  for (const g of geoms) if (g) visit(g);
  if (all.length <= max) return all;
  const step = all.length / max;
  return Array.from({ length: max }, (_, i) => all[Math.floor(i * step)]!);
}

/** Median street distance of the vertices read as `crs`, over those that land near the district. */
export function streetFit(ref: StreetRef, pts: Array<[number, number]>, crs: CRS): { n: number; median: number } {
  const [w, s, e, n] = ref.bbox;
  const m = 0.003;
  const d: number[] = [];
  for (const [x, y] of pts) {
    const [lon, lat] = toWgs84(crs, x, y);
    if (lon < w - m || lon > e + m || lat < s - m || lat > n + m) continue;
    d.push(streetDistance(ref, lon, lat));
  }
  d.sort((a, b) => a - b);
  return { n: d.length, median: d.length ? d[Math.floor(d.length / 2)]! : CAP };
}

/**
 * Evidence that degrees read as `current` (WGS84 or CGCS2000) are GCJ-02 or BD-09: a question, or null when nothing
 * points that way. `names` are the file name and the column names.
 */
export function platformQuestion(
  current: 'WGS84' | 'CGCS2000',
  names: string[],
  geoms: Array<GeoJSON.Geometry | null>,
  streets: StreetRef | null,
): CrsQuestion | null {
  const evidence: string[] = [];
  let suggest: Platform | null = null;
  if (streets) {
    const pts = vertices(geoms, 3000);
    const base = streetFit(streets, pts, current);
    const fits = (['GCJ02', 'BD09'] as const).map((c) => ({ c, ...streetFit(streets, pts, c) }));
    const best = fits.sort((a, b) => a.median - b.median)[0]!;
    if (best.n >= 8 && best.median <= 0.5 * base.median && base.median - best.median >= 10) {
      suggest = best.c;
      evidence.push(
        t('importer.platform.fit', { crs: t(`importer.platform.${best.c}`), m: Math.round(best.median), n: best.n, current, base: Math.round(base.median) }),
      );
    }
  }
  const bd = names.filter((x) => BD_NAMES.test(x));
  const gcj = names.filter((x) => GCJ_NAMES.test(x));
  const byName: Platform | null = bd.length ? 'BD09' : gcj.length ? 'GCJ02' : null;
  if (byName && (!suggest || suggest === byName)) {
    suggest = byName;
    evidence.push(t('importer.platform.names', { crs: t(`importer.platform.${byName}`), names: (bd.length ? bd : gcj).slice(0, 4).join(', ') }));
  }
  if (!suggest) return null;
  evidence.push(
    t('importer.platform.offsets', {
      gcj0: GCJ02_OFFSET_M[0],
      gcj1: GCJ02_OFFSET_M[1],
      bd0: (BD09_OFFSET_M[0] / 1000).toFixed(2),
      bd1: (BD09_OFFSET_M[1] / 1000).toFixed(2),
    }),
  );
  return { suggest, current, evidence };
}

const refs = new WeakMap<object, StreetRef | null>();

/** The reference of a street network (the routing StreetNetwork: node lon/lat and adjacency), built once per network. */
export function streetRefOf(
  net: { lon: ArrayLike<number>; lat: ArrayLike<number>; graph: { adj: ReadonlyArray<ReadonlyArray<{ to: number }>> } } | null,
): StreetRef | null {
  if (!net) return null;
  if (!refs.has(net)) {
    const edges: Array<[number, number]> = [];
    net.graph.adj.forEach((list, a) => list.forEach((e) => a < e.to && edges.push([a, e.to])));
    refs.set(net, streetRef(net.lon, net.lat, edges));
  }
  return refs.get(net) ?? null;
}
