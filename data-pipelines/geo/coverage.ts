/**
 * Which cameras see a point (issue 20): "show me the video of this incident". Pure; the feed and the renderer use it.
 *
 * A fixed camera sees a point when it is within `rangeM` and the bearing from the camera to the point is within fov/2 of
 * its heading (wrap-around at north handled); a PTZ camera sees every point within `rangeM` once it turns. A point
 * within NEAR_M of a camera counts as seen whatever the heading (the bearing to a point underfoot is meaningless).
 * Distances and bearings are great-circle (measure.ts).
 *
 * Speed: a per-camera bounding box in degrees rejects almost every camera before any trigonometry. It is conservative
 * (never rejects a camera that haversine would accept): latitude uses 111 000 m per degree, below the 111 195 m of the
 * haversine sphere (a great-circle distance is never shorter than its latitude arc), and longitude divides that by the
 * cosine of the larger |latitude| of the camera's band, with a 1 % margin for the chord/arc difference; the box is skipped
 * where it would not be tight (near the poles or for ranges of tens of degrees). 20 000 cameras take well under a
 * millisecond per query.
 */
import { bearingDeg, haversineMeters } from './measure.ts';

export interface CoverageCamera {
  id: string;
  lon: number;
  lat: number;
  heading: number;
  fov: number;
  rangeM: number;
  ptz: boolean;
}

export interface CameraChoice {
  id: string;
  /** metres, rounded to 0.1 */
  distanceM: number;
  /** from the camera to the point, [0, 360) rounded to 0.1 */
  bearingDeg: number;
  /** 'view': its cone covers the point now (fixed or PTZ); 'turn': a PTZ camera that must turn to `turnTo` */
  mode: 'view' | 'turn';
  /** PTZ only: the heading to turn to (= bearingDeg); absent when its present cone already covers the point */
  turnTo?: number;
}

/** Points this close to a camera count as covered whatever its heading. */
export const NEAR_M = 1;
/** Conservative metres per degree of latitude for the prefilter (the haversine sphere has 111 195). */
const PREFILTER_M_PER_DEG = 111_000;
const ANGLE_EPS = 1e-9;

type LonLat = { lon: number; lat: number };

/** Smallest absolute difference between two directions in degrees, in [0, 180]. */
export function angleDiff(a: number, b: number): number {
  const d = (((a - b) % 360) + 360) % 360;
  return d > 180 ? 360 - d : d;
}

function validCamera(c: CoverageCamera): boolean {
  return (
    Number.isFinite(c.lon) &&
    Number.isFinite(c.lat) &&
    Math.abs(c.lat) <= 90 &&
    Number.isFinite(c.heading) &&
    Number.isFinite(c.fov) &&
    c.fov > 0 &&
    Number.isFinite(c.rangeM) &&
    c.rangeM > 0
  );
}

function checkPoint(point: LonLat): void {
  if (!Number.isFinite(point.lon) || !Number.isFinite(point.lat) || Math.abs(point.lat) > 90 || Math.abs(point.lon) > 180) {
    throw new RangeError(`camera coverage: point (${point.lon}, ${point.lat}) is not a WGS84 lon/lat`);
  }
}

/** The cone test with distance and bearing already known. */
function inCone(c: CoverageCamera, distanceM: number, bearing: number): boolean {
  if (distanceM <= NEAR_M) return true;
  if (distanceM > c.rangeM) return false;
  if (c.fov >= 360) return true;
  return angleDiff(c.heading, bearing) <= c.fov / 2 + ANGLE_EPS;
}

/** Whether the camera's present cone (heading ± fov/2, out to rangeM) covers the point; PTZ or not. */
export function coneCovers(c: CoverageCamera, point: LonLat): boolean {
  checkPoint(point);
  if (!validCamera(c)) return false;
  const from: [number, number] = [c.lon, c.lat];
  const to: [number, number] = [point.lon, point.lat];
  const d = haversineMeters(from, to);
  if (d > Math.max(c.rangeM, NEAR_M)) return false;
  return inCone(c, d, d <= NEAR_M ? c.heading : bearingDeg(from, to));
}

/** Conservative degree box: false only if the camera certainly cannot reach the point. */
function mayReach(c: CoverageCamera, point: LonLat): boolean {
  const reachDeg = Math.max(c.rangeM, NEAR_M) / PREFILTER_M_PER_DEG;
  if (Math.abs(c.lat - point.lat) > reachDeg) return false;
  const maxAbsLat = Math.max(Math.abs(c.lat), Math.abs(point.lat));
  if (maxAbsLat >= 89) return true;
  const lonReach = (reachDeg / Math.cos((maxAbsLat * Math.PI) / 180)) * 1.01;
  if (lonReach >= 20) return true;
  let dLon = Math.abs(c.lon - point.lon) % 360;
  if (dLon > 180) dLon = 360 - dLon;
  return dLon <= lonReach;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * The cameras that see `point`, nearest first (equal distances: 'view' before 'turn', then id), at most `max` (4).
 * `usable` filters cameras (offline, no stream, no permission). Cameras with non-finite or out-of-range geometry are
 * skipped; a point that is not WGS84 lon/lat throws a RangeError.
 */
export function camerasCovering<T extends CoverageCamera>(
  cams: readonly T[],
  point: LonLat,
  opts: { usable?: (c: T) => boolean; max?: number } = {},
): CameraChoice[] {
  checkPoint(point);
  const max = opts.max ?? 4;
  if (!(max >= 0)) throw new RangeError(`camera coverage: max must be a non-negative number, got ${max}`);
  const limit = Math.floor(max);
  if (limit === 0) return [];
  const to: [number, number] = [point.lon, point.lat];
  const found: CameraChoice[] = [];
  for (const c of cams) {
    if (!validCamera(c) || !mayReach(c, point)) continue;
    if (opts.usable && !opts.usable(c)) continue;
    const from: [number, number] = [c.lon, c.lat];
    const d = haversineMeters(from, to);
    if (d > Math.max(c.rangeM, NEAR_M)) continue;
    const b = d <= NEAR_M ? normalise(c.heading) : bearingDeg(from, to);
    const covers = inCone(c, d, b);
    if (!covers && !c.ptz) continue;
    let bearing = round1(b);
    if (bearing >= 360) bearing = 0;
    const choice: CameraChoice = { id: c.id, distanceM: round1(d), bearingDeg: bearing, mode: covers ? 'view' : 'turn' };
    if (!covers) choice.turnTo = bearing;
    found.push(choice);
  }
  found.sort((a, b) => a.distanceM - b.distanceM || (a.mode === b.mode ? 0 : a.mode === 'view' ? -1 : 1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return found.length > limit ? found.slice(0, limit) : found;
}

function normalise(deg: number): number {
  const h = ((deg % 360) + 360) % 360;
  return h >= 360 ? 0 : h;
}
