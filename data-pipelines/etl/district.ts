/**
 * Pure transforms from the real input data to the district data package. No I/O here: build-district.ts does that.
 */
import { bd09ToGcj02, gcj02ToWgs84, toWgs84, type XY } from '../geo/coords.ts';
import { haversineMeters, M_PER_DEG_LAT, mPerDegLon, offsetAlong, ringAreaM2, ringCentroid } from '../geo/measure.ts';
import { gridCellOf } from '../geo/grid-cell.ts';
import { rng } from '../shared/rng.ts';

export const METRES_PER_FLOOR = 3.0;

export interface BBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

export const inBBox = (b: BBox, lon: number, lat: number) => lon >= b.west && lon <= b.east && lat >= b.south && lat <= b.north;

export function padBBox(b: BBox, metres: number): BBox {
  const dLat = metres / M_PER_DEG_LAT;
  const dLon = metres / mPerDegLon((b.south + b.north) / 2);
  return { west: b.west - dLon, south: b.south - dLat, east: b.east + dLon, north: b.north + dLat };
}

/** Deterministic PRNG (mulberry32) so the synthesized parts of the package are reproducible byte for byte (moved to shared/rng.ts; re-exported for the build). */
export { rng };

/** Drop consecutive duplicate vertices and the closing vertex; returns an open ring. */
export function cleanRing(ring: XY[]): XY[] {
  const out: XY[] = [];
  for (const p of ring) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push([p[0], p[1]]);
  }
  if (out.length > 1) {
    const f = out[0]!;
    const l = out[out.length - 1]!;
    if (f[0] === l[0] && f[1] === l[1]) out.pop();
  }
  return out;
}

export interface Building {
  id: number;
  name: string;
  floors: number;
  heightM: number;
  lon: number;
  lat: number;
  areaM2: number;
  ring: XY[];
}

interface GeoJSONPolygonFeature {
  type: 'Feature';
  geometry: { type: string; coordinates: number[][][] };
  properties: Record<string, unknown>;
}

/** Buildings GeoJSON (WGS84): `height` is the floor count. Invalid features are reported, not silently dropped. */
export function parseBuildings(fc: { features: GeoJSONPolygonFeature[] }): { buildings: Building[]; errors: string[] } {
  const buildings: Building[] = [];
  const errors: string[] = [];
  for (const [i, f] of fc.features.entries()) {
    const props = f.properties ?? {};
    const id = Number(props['id']);
    const floors = Number(props['height']);
    if (f.geometry?.type !== 'Polygon') {
      errors.push(`building #${i}: geometry ${f.geometry?.type} is not a Polygon`);
      continue;
    }
    const ring = cleanRing((f.geometry.coordinates[0] ?? []).map((c) => [Number(c[0]), Number(c[1])] as XY));
    if (ring.length < 3 || ring.some((p) => !Number.isFinite(p[0]) || !Number.isFinite(p[1]))) {
      errors.push(`building #${i} (id ${props['id']}): invalid footprint`);
      continue;
    }
    if (!Number.isInteger(id) || !Number.isFinite(floors) || floors < 1) {
      errors.push(`building #${i}: bad id/floor count (${props['id']}, ${props['height']})`);
      continue;
    }
    const [lon, lat] = ringCentroid(ring);
    const name = typeof props['name'] === 'string' ? props['name'] : '';
    buildings.push({ id, name, floors, heightM: floors * METRES_PER_FLOOR, lon, lat, areaM2: ringAreaM2(ring), ring });
  }
  return { buildings, errors };
}

/**
 * echarts "lines" bus format: per route a flat integer array [x0, y0, dx1, dy1, ...] (delta-encoded, 1e-4 degree
 * units, GCJ-02). Returns each route as integer GCJ-02 vertices (exact, for topology) — convert later.
 */
export function decodeBusRoutes(data: number[][]): Array<Array<[number, number]>> {
  return data.map((route, r) => {
    if (!Array.isArray(route) || route.length % 2 !== 0) throw new Error(`bus route #${r}: odd-length coordinate array`);
    const pts: Array<[number, number]> = [];
    let x = 0;
    let y = 0;
    for (let i = 0; i < route.length; i += 2) {
      const dx = route[i]!;
      const dy = route[i + 1]!;
      if (!Number.isInteger(dx) || !Number.isInteger(dy)) throw new Error(`bus route #${r}: non-integer value at ${i}`);
      x = i === 0 ? dx : x + dx;
      y = i === 0 ? dy : y + dy;
      pts.push([x, y]);
    }
    return pts;
  });
}

export interface StreetNode {
  id: number;
  lon: number;
  lat: number;
}
export interface StreetEdge {
  id: number;
  from: number;
  to: number;
  lengthM: number;
  /** how many bus routes run along this edge: a proxy for road class */
  routes: number;
}

/**
 * Nodes the bus corridors into a street graph: vertices are shared exactly (same integer GCJ-02 cell), edges are
 * deduplicated regardless of direction. Only edges touching `clip` (WGS84) are kept.
 */
export function buildStreetGraph(routes: Array<Array<[number, number]>>, clip: BBox): { nodes: StreetNode[]; edges: StreetEdge[] } {
  const nodeIdx = new Map<string, number>();
  const nodes: StreetNode[] = [];
  const edgeIdx = new Map<string, StreetEdge>();
  const wgsCache = new Map<string, XY>();
  const wgs = (p: [number, number]): XY => {
    const k = `${p[0]},${p[1]}`;
    let v = wgsCache.get(k);
    if (!v) {
      v = gcj02ToWgs84(p[0] / 1e4, p[1] / 1e4);
      wgsCache.set(k, v);
    }
    return v;
  };
  const node = (p: [number, number]): number => {
    const k = `${p[0]},${p[1]}`;
    let id = nodeIdx.get(k);
    if (id === undefined) {
      const [lon, lat] = wgs(p);
      id = nodes.length;
      nodes.push({ id, lon, lat });
      nodeIdx.set(k, id);
    }
    return id;
  };
  for (const route of routes) {
    const seenInRoute = new Set<string>();
    for (let i = 1; i < route.length; i++) {
      const a = route[i - 1]!;
      const b = route[i]!;
      if (a[0] === b[0] && a[1] === b[1]) continue;
      const wa = wgs(a);
      const wb = wgs(b);
      if (!inBBox(clip, wa[0], wa[1]) && !inBBox(clip, wb[0], wb[1])) continue;
      const na = node(a);
      const nb = node(b);
      const key = na < nb ? `${na}-${nb}` : `${nb}-${na}`;
      let e = edgeIdx.get(key);
      if (!e) {
        e = { id: edgeIdx.size, from: Math.min(na, nb), to: Math.max(na, nb), lengthM: haversineMeters(wa, wb), routes: 0 };
        edgeIdx.set(key, e);
      }
      if (!seenInRoute.has(key)) {
        e.routes++;
        seenInRoute.add(key);
      }
    }
  }
  // Renumber nodes densely to only those used (node() is only called for kept edges, so all are used).
  return { nodes, edges: [...edgeIdx.values()] };
}

export interface Compound {
  id: number;
  count: number;
  lon: number;
  lat: number;
  areaM2: number;
  ring: XY[];
}

/** Parses the compounds CSV (geometry = GeoJSON string in BD-09, then count). Converts to WGS84. */
export function parseCompoundsCsv(csv: string): { compounds: Compound[]; errors: string[] } {
  const compounds: Compound[] = [];
  const errors: string[] = [];
  const lines = csv.split(/\r?\n/);
  if (!/^geometry,count$/.test(lines[0]?.trim() ?? '')) throw new Error(`compounds CSV: unexpected header "${lines[0]}"`);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    const m = /^"(.*)",(\d+)$/.exec(line);
    if (!m) {
      errors.push(`line ${i + 1}: not "geometry",count`);
      continue;
    }
    try {
      const g = JSON.parse(m[1]!.replace(/""/g, '"')) as { type: string; coordinates: number[][][] };
      if (g.type !== 'Polygon') throw new Error(`geometry type ${g.type}`);
      const ring = cleanRing(g.coordinates[0]!.map((c) => bd09ToWgs84(c[0]!, c[1]!)));
      if (ring.length < 3) throw new Error('fewer than 3 vertices');
      const [lon, lat] = ringCentroid(ring);
      compounds.push({ id: compounds.length + 1, count: Number(m[2]), lon, lat, areaM2: ringAreaM2(ring), ring });
    } catch (e) {
      errors.push(`line ${i + 1}: ${(e as Error).message}`);
    }
  }
  return { compounds, errors };
}

function bd09ToWgs84(lon: number, lat: number): XY {
  const g = bd09ToGcj02(lon, lat);
  return gcj02ToWgs84(g[0], g[1]);
}

export interface CrowdCell {
  lon: number;
  lat: number;
  slot: number; // half-hour slot of day 0..47
  day: string; // YYYY-MM-DD
  count: number;
}

/** Wangfujing crowd grid: BD-09MC cell centres, time yyyymmddHHMMSS, count. */
export function parseCrowdCsv(csv: string): { cells: CrowdCell[]; errors: string[] } {
  const cells: CrowdCell[] = [];
  const errors: string[] = [];
  const lines = csv.split(/\r?\n/);
  if (lines[0]?.trim() !== 'lng,lat,time,count') throw new Error(`crowd CSV: unexpected header "${lines[0]}"`);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const [x, y, t, c] = line.split(',').map((s) => s.trim());
    const mx = Number(x);
    const my = Number(y);
    const count = Number(c);
    if (!Number.isFinite(mx) || !Number.isFinite(my) || !Number.isFinite(count) || !/^\d{14}$/.test(t ?? '')) {
      errors.push(`line ${i + 1}: malformed "${line}"`);
      continue;
    }
    const [lon, lat] = toWgs84('BD09MC', mx, my);
    const hh = Number(t!.slice(8, 10));
    const mm = Number(t!.slice(10, 12));
    cells.push({ lon, lat, slot: hh * 2 + (mm >= 30 ? 1 : 0), day: `${t!.slice(0, 4)}-${t!.slice(4, 6)}-${t!.slice(6, 8)}`, count });
  }
  return { cells, errors };
}

/** Mean total crowd per half-hour slot across days, normalised so the peak slot = 1. */
export function diurnalProfile(cells: CrowdCell[]): number[] {
  const byDaySlot = new Map<string, number>();
  for (const c of cells) byDaySlot.set(`${c.day}|${c.slot}`, (byDaySlot.get(`${c.day}|${c.slot}`) ?? 0) + c.count);
  const sums = new Array<number>(48).fill(0);
  const ns = new Array<number>(48).fill(0);
  for (const [k, v] of byDaySlot) {
    const slot = Number(k.split('|')[1]);
    sums[slot]! += v;
    ns[slot]!++;
  }
  const means = sums.map((s, i) => (ns[i] ? s / ns[i]! : 0));
  const peak = Math.max(...means);
  return means.map((m) => (peak > 0 ? m / peak : 0));
}

export interface GridCell {
  id: string;
  row: number;
  col: number;
  west: number;
  south: number;
  east: number;
  north: number;
}

/** Regular management grid (网格) of roughly `sizeM` metre cells covering the bbox, row 0 = south. */
export function makeGrid(b: BBox, sizeM: number): GridCell[] {
  const dLat = sizeM / M_PER_DEG_LAT;
  const dLon = sizeM / mPerDegLon((b.south + b.north) / 2);
  const rows = Math.ceil((b.north - b.south) / dLat);
  const cols = Math.ceil((b.east - b.west) / dLon);
  const cells: GridCell[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      cells.push({
        id: `WG-${String(r + 1).padStart(2, '0')}${String(c + 1).padStart(2, '0')}`,
        row: r,
        col: c,
        west: b.west + c * dLon,
        south: b.south + r * dLat,
        east: Math.min(b.east, b.west + (c + 1) * dLon),
        north: Math.min(b.north, b.south + (r + 1) * dLat),
      });
    }
  }
  return cells;
}

/** Moved to geo/grid-cell.ts (the feed uses it at run time); re-exported for the build. */
export { gridCellOf };

export const WELL_KINDS = ['sewer', 'rain', 'water', 'power', 'telecom', 'gas', 'heat'] as const;
export type WellKind = (typeof WELL_KINDS)[number];
const WELL_KIND_WEIGHTS = [0.26, 0.22, 0.16, 0.12, 0.12, 0.07, 0.05];

export interface Manhole {
  id: string;
  kind: WellKind;
  lon: number;
  lat: number;
  edgeId: number;
  depthM: number;
  grid: string;
}

/**
 * Places manholes (窨井) along the street graph every `spacingM` metres with a seeded jitter, assigning a utility kind
 * by the weights above. Real districts have one well every ~30–50 m of street per utility.
 */
export function placeManholes(nodes: StreetNode[], edges: StreetEdge[], district: BBox, grid: GridCell[], spacingM: number, seed: number): Manhole[] {
  const rand = rng(seed);
  const out: Manhole[] = [];
  const pickKind = (): WellKind => {
    let u = rand();
    for (let i = 0; i < WELL_KINDS.length; i++) {
      u -= WELL_KIND_WEIGHTS[i]!;
      if (u <= 0) return WELL_KINDS[i]!;
    }
    return 'sewer';
  };
  for (const e of edges) {
    const a = nodes[e.from]!;
    const b = nodes[e.to]!;
    const n = Math.max(1, Math.floor(e.lengthM / spacingM));
    for (let k = 0; k < n; k++) {
      const t = (k + 0.5 + (rand() - 0.5) * 0.6) / n;
      // offset a few metres to the side of the centreline, alternating sides
      const side = (k % 2 === 0 ? 1 : -1) * (3 + rand() * 4);
      const [lon, lat] = offsetAlong([a.lon, a.lat], [b.lon, b.lat], t, side);
      if (!inBBox(district, lon, lat)) continue;
      const g = gridCellOf(grid, lon, lat);
      if (!g) continue;
      out.push({ id: '', kind: pickKind(), lon, lat, edgeId: e.id, depthM: Math.round((1.2 + rand() * 3.8) * 10) / 10, grid: g });
    }
  }
  out.forEach((m, i) => (m.id = `MH-${String(i + 1).padStart(5, '0')}`));
  return out;
}
