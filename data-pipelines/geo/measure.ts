/**
 * The one geometry module: every distance, bearing, point-in-polygon, area, centroid and bounding box in RedWall
 * (build-time ETL, feed, renderer) comes from here. Pure, no I/O; the renderer imports it too, so it pulls in only the
 * small `@turf/*` packages it uses (distance, bearing, boolean-point-in-polygon: about 7 kB minified together).
 *
 * Two kinds of measure, on purpose:
 *  - great-circle (turf, mean Earth radius 6 371 008.8 m): `haversineMeters`, `bearingDeg`, `nearest`;
 *  - a local equirectangular frame in metres (`M_PER_DEG_LAT`, `mPerDegLon`) for district-scale planar work: footprint
 *    areas, offsets from a street, cells, indoor layouts. It is cheap (no trigonometry per point) and every planar
 *    caller uses the same frame, so ETL, analyses and layers measure alike.
 *
 * Where turf does not fit, the hand-written version below says why.
 */
import { bearing } from '@turf/bearing';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { distance } from '@turf/distance';
import type { Geometry, Polygon, Position } from 'geojson';
import type { XY } from './coords.ts';

export type { XY };
/** [west, south, east, north] */
export type BBox4 = [number, number, number, number];

/**
 * Metres per degree of latitude: the WGS84 meridian degree at the equator, π·a·(1 − e²)/180 = 110 574.3 m
 * (a = 6 378 137 m, 1/f = 298.257 223 563), as tabulated: 110.574 km. The one north-south scale of the local frame.
 * It replaces 110 540 (indoor layouts, the importer's street fit, the 3D fly-to: +0.031 %, no WGS84 basis) and the
 * 111 320 that padBBox used for latitude (−0.67 %). The true meridian degree grows with latitude (111 035 m at
 * Beijing's 40° N), so the frame reads north-south lengths there 0.42 % short — consistently, which is what the
 * district-scale planar work (cells, offsets, footprints, layouts) needs; true distances use haversineMeters.
 */
export const M_PER_DEG_LAT = 110_574;
/**
 * Metres per degree of longitude at the equator: π·a/180 = 111 319.49 m, tabulated as 111.32 km. Kept at the
 * tabulated 111 320 (+4.6 ppm, half a millimetre per 100 m) so every longitude in the data package stays bit for bit.
 */
export const M_PER_DEG_LON_EQUATOR = 111_320;
/** Metres per degree of longitude at a latitude (spherical cos scaling; WGS84 gives 85 394 m at 40° N, this 85 277). */
export const mPerDegLon = (lat: number): number => M_PER_DEG_LON_EQUATOR * Math.cos((lat * Math.PI) / 180);

/** Great-circle distance in metres (turf: haversine on the mean Earth radius 6 371 008.8 m). */
export function haversineMeters(a: XY, b: XY): number {
  return distance(a, b, { units: 'meters' });
}

/** Initial great-circle bearing from a to b, degrees clockwise from north in [0, 360) (turf gives (-180, 180]). */
export function bearingDeg(a: XY, b: XY): number {
  const deg = (bearing(a, b) + 360) % 360;
  return deg >= 360 ? 0 : deg;
}

/**
 * The nearest item to `p` that passes `usable`, with its distance in metres; null if none within maxM. Hand-written:
 * @turf/nearest-point wants a FeatureCollection and returns a copy; this scans plain objects with a filter.
 */
export function nearest<T extends { lon: number; lat: number }>(
  items: readonly T[],
  p: XY,
  usable: (t: T) => boolean = () => true,
  maxM = Infinity,
): { item: T; distanceM: number } | null {
  let best: T | null = null;
  let bestD = maxM;
  for (const it of items) {
    if (!usable(it)) continue;
    const d = haversineMeters([it.lon, it.lat], p);
    if (d < bestD) {
      bestD = d;
      best = it;
    }
  }
  return best ? { item: best, distanceM: bestD } : null;
}

/**
 * The point at fraction `t` of the way from a to b, moved `sideM` metres to the left of the direction a → b (negative:
 * to the right), in the local frame at a. Manholes beside the centreline, cameras at the kerb.
 */
export function offsetAlong(a: XY, b: XY, t: number, sideM: number): XY {
  const kx = mPerDegLon(a[1]);
  const dx = (b[0] - a[0]) * kx;
  const dy = (b[1] - a[1]) * M_PER_DEG_LAT;
  const len = Math.hypot(dx, dy) || 1;
  return [a[0] + (b[0] - a[0]) * t + ((-dy / len) * sideM) / kx, a[1] + (b[1] - a[1]) * t + ((dx / len) * sideM) / M_PER_DEG_LAT];
}

const isClosed = (ring: readonly Position[]) => ring.length > 1 && ring[0]![0] === ring[ring.length - 1]![0] && ring[0]![1] === ring[ring.length - 1]![1];
/** turf (point-in-polygon-hao) wants a closed ring; district rings are stored open. */
const polygonOf = (ring: readonly Position[]): Polygon => ({ type: 'Polygon', coordinates: [isClosed(ring) ? (ring as Position[]) : [...ring, ring[0]!]] });

/**
 * Is p inside the ring (open or closed; planar in whatever coordinates both are given in)? A point on the boundary
 * counts as inside (turf booleanPointInPolygon, robust orientation predicates).
 */
export function pointInRing(p: XY, ring: readonly XY[]): boolean {
  if (ring.length < 3) return false;
  return booleanPointInPolygon(p, polygonOf(ring));
}

/** 1 strictly inside, 0 on the boundary, -1 outside (planar, any coordinates). */
export function ringSide(p: Position, ring: readonly Position[]): 1 | 0 | -1 {
  if (ring.length < 3) return -1;
  const poly = polygonOf(ring);
  if (booleanPointInPolygon(p, poly, { ignoreBoundary: true })) return 1;
  return booleanPointInPolygon(p, poly) ? 0 : -1;
}

/**
 * Area (m²) and area-weighted centroid of a lon/lat ring (open or closed), in the local frame: x/y measured from the
 * first vertex (no cancellation at absolute coordinates), longitude scaled at the mean vertex latitude. A degenerate
 * ring (no area) has area 0 and the mean of its vertices as centroid.
 *
 * Hand-written, not turf: @turf/area is spherical (R = 6 378 137 m) and reads this district's footprints 0.7 % larger
 * than the local frame every other planar measure uses (a 0.001° cell at 39.9° N: 9 504 m² vs 9 440 m²), which would
 * move detector counts and analysis capacities; @turf/centroid is the vertex mean, not the area centroid; and
 * @turf/center-of-mass (the same shoelace centroid) needs closed Features and bundles convex-hull code (19 kB
 * minified) into the renderer.
 */
export function ringMetrics(ring: readonly XY[]): { areaM2: number; lon: number; lat: number } {
  const n = ring.length - (isClosed(ring) ? 1 : 0);
  let sLon = 0;
  let sLat = 0;
  for (let i = 0; i < n; i++) {
    sLon += ring[i]![0];
    sLat += ring[i]![1];
  }
  const [lon0, lat0] = ring[0] ?? [NaN, NaN];
  const kx = mPerDegLon(sLat / n);
  const ky = M_PER_DEG_LAT;
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const x1 = (ring[j]![0] - lon0) * kx;
    const y1 = (ring[j]![1] - lat0) * ky;
    const x2 = (ring[i]![0] - lon0) * kx;
    const y2 = (ring[i]![1] - lat0) * ky;
    const f = x1 * y2 - x2 * y1;
    a += f;
    cx += (x1 + x2) * f;
    cy += (y1 + y2) * f;
  }
  if (!(Math.abs(a) >= 1e-9)) return { areaM2: 0, lon: sLon / n, lat: sLat / n };
  return { areaM2: Math.abs(a) / 2, lon: lon0 + cx / (3 * a) / kx, lat: lat0 + cy / (3 * a) / ky };
}

/** Ring area in square metres (see ringMetrics). */
export const ringAreaM2 = (ring: readonly XY[]): number => ringMetrics(ring).areaM2;

/** Area-weighted centroid of a ring, [lon, lat] (see ringMetrics). */
export function ringCentroid(ring: readonly XY[]): XY {
  const m = ringMetrics(ring);
  return [m.lon, m.lat];
}

/**
 * Bounding box of GeoJSON geometries (nulls skipped, GeometryCollections entered), or null when there is no position.
 * Hand-written, not @turf/bbox: turf compares with `>`/`<`, so a NaN coordinate (a failed reprojection) is silently
 * skipped; here it propagates to the box, and the importer refuses the layer instead of importing a broken one.
 */
export function geometryBbox(geoms: Iterable<Geometry | null | undefined>): BBox4 | null {
  let b: BBox4 | null = null;
  const visit = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') {
      const x = (c as number[])[0]!;
      const y = (c as number[])[1]!;
      b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y];
    } else for (const k of c as unknown[]) visit(k);
  };
  const geometry = (g: Geometry): void => {
    if (g.type === 'GeometryCollection') g.geometries.forEach(geometry);
    else visit(g.coordinates);
  };
  for (const g of geoms) if (g) geometry(g);
  return b;
}
