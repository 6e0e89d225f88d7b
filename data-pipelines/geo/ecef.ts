/**
 * WGS84 geodetic <-> Earth-centred, Earth-fixed (ECEF) coordinates and local east-north-up frames: what 3D Tiles
 * speaks (tile contents are placed in ECEF; bounding regions are geodetic radians). Pure, no I/O.
 */

/** WGS84 semi-major axis (m) and first eccentricity squared, from 1/f = 298.257 223 563. */
export const WGS84_A = 6_378_137;
const F = 1 / 298.257223563;
export const WGS84_E2 = F * (2 - F);

export type Vec3 = [number, number, number];

/** Geodetic longitude/latitude (degrees) and ellipsoidal height (m) to ECEF metres. */
export function toEcef(lon: number, lat: number, h = 0): Vec3 {
  const l = (lon * Math.PI) / 180;
  const p = (lat * Math.PI) / 180;
  const sp = Math.sin(p);
  const n = WGS84_A / Math.sqrt(1 - WGS84_E2 * sp * sp);
  return [(n + h) * Math.cos(p) * Math.cos(l), (n + h) * Math.cos(p) * Math.sin(l), (n * (1 - WGS84_E2) + h) * sp];
}

/** ECEF metres to geodetic longitude/latitude (degrees) and height (m): Bowring's method, sub-millimetre on Earth. */
export function fromEcef([x, y, z]: Vec3): { lon: number; lat: number; h: number } {
  const b = WGS84_A * Math.sqrt(1 - WGS84_E2);
  const ep2 = (WGS84_A * WGS84_A - b * b) / (b * b);
  const p = Math.hypot(x, y);
  if (p < 1e-9) return { lon: 0, lat: z >= 0 ? 90 : -90, h: Math.abs(z) - b };
  const th = Math.atan2(z * WGS84_A, p * b);
  const lat = Math.atan2(z + ep2 * b * Math.sin(th) ** 3, p - WGS84_E2 * WGS84_A * Math.cos(th) ** 3);
  const sl = Math.sin(lat);
  const n = WGS84_A / Math.sqrt(1 - WGS84_E2 * sl * sl);
  return { lon: (Math.atan2(y, x) * 180) / Math.PI, lat: (lat * 180) / Math.PI, h: p / Math.cos(lat) - n };
}

/** A local east-north-up frame at a geodetic point: its ECEF origin and unit axes. */
export interface EnuFrame {
  origin: Vec3;
  east: Vec3;
  north: Vec3;
  up: Vec3;
}

export function enuFrame(lon: number, lat: number, h = 0): EnuFrame {
  const l = (lon * Math.PI) / 180;
  const p = (lat * Math.PI) / 180;
  return {
    origin: toEcef(lon, lat, h),
    east: [-Math.sin(l), Math.cos(l), 0],
    north: [-Math.sin(p) * Math.cos(l), -Math.sin(p) * Math.sin(l), Math.cos(p)],
    up: [Math.cos(p) * Math.cos(l), Math.cos(p) * Math.sin(l), Math.sin(p)],
  };
}

/** A geodetic point in a frame's local east/north/up metres (exact: through ECEF, so the Earth's curvature is kept). */
export function toEnu(f: EnuFrame, lon: number, lat: number, h = 0): Vec3 {
  const q = toEcef(lon, lat, h);
  const d: Vec3 = [q[0] - f.origin[0], q[1] - f.origin[1], q[2] - f.origin[2]];
  const dot = (a: Vec3) => a[0] * d[0] + a[1] * d[1] + a[2] * d[2];
  return [dot(f.east), dot(f.north), dot(f.up)];
}

/** a x b for 4x4 matrices, column-major (glTF, 3D Tiles and Cesium order). */
export function mul4(a: number[], b: number[]): number[] {
  const r = new Array<number>(16).fill(0);
  for (let c = 0; c < 4; c++) for (let row = 0; row < 4; row++) for (let k = 0; k < 4; k++) r[c * 4 + row]! += a[k * 4 + row]! * b[c * 4 + k]!;
  return r;
}

/** The 4x4 ENU -> ECEF matrix of a frame, column-major (glTF and 3D Tiles order). */
export function enuToEcefMatrix(f: EnuFrame): number[] {
  return [...f.east, 0, ...f.north, 0, ...f.up, 0, ...f.origin, 1];
}
