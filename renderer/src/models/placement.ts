/**
 * Where a user's 3D Tiles model sits and how to move it: a tileset is either georeferenced (its contents in ECEF, or a
 * root transform that puts them there) or in bare local metres (common for OSGB conversions without their
 * metadata.xml origin). A georeferenced model made on a GCJ-02 or BD-09 basemap is shifted to WGS84 at its centre
 * (the same conversions as every other import); a local one (or one in projected metres such as Gauss-Krüger, whose
 * true place cannot be known from the tileset) is centred on the district, east-north-up, its own heights kept.
 * The height offset lifts or lowers either. Pure: the matrices are column-major 4x4 arrays for Cesium's modelMatrix.
 */
import { toWgs84 } from '../../../data-pipelines/geo/coords.ts';
import { enuFrame, enuToEcefMatrix, fromEcef, mul4, type Vec3 } from '../../../data-pipelines/geo/ecef.ts';
import { haversineMeters } from '../../../data-pipelines/geo/measure.ts';

export type ModelCrs = 'WGS84' | 'CGCS2000' | 'GCJ02' | 'BD09';
export const MODEL_CRS: readonly ModelCrs[] = ['WGS84', 'CGCS2000', 'GCJ02', 'BD09'];

/** Beyond this the model is said to be far from the district (a wrong CRS or origin, most likely). */
export const FAR_KM = 30;

export interface Placement {
  /** false: the tileset's coordinates are local metres, not on the Earth */
  georeferenced: boolean;
  /** the centre as the tileset gives it (WGS84 reading; for a local model, where it is set down) */
  lon: number;
  lat: number;
  h: number;
  /** the centre after the CRS correction */
  placedLon: number;
  placedLat: number;
  /** from the district centre to the placed centre */
  distanceKm: number;
  far: boolean;
  /** the tileset's bounding-sphere radius (m) */
  radiusM: number;
  /** a local model's centre in its own coordinates (set down there: centred on the district, its own heights kept) */
  localCentre: [number, number, number] | null;
  /** the local coordinates look like a projected CRS (Gauss-Krüger metres: far from any origin): its true place is unknown */
  projected: boolean;
}

/** A tileset centre (ECEF, before any model matrix) read as a placement. */
export function readPlacement(centre: Vec3, radiusM: number, crs: ModelCrs, district: { lon: number; lat: number }): Placement {
  const r = Math.hypot(centre[0], centre[1], centre[2]);
  // the Earth's surface is 6 357-6 378 km from its centre; anything well inside is a local frame
  // on the Earth: a radius like the Earth's and a height within 50 km of the ellipsoid (projected metres such as a
  // northing of 6 100 km can have the radius, never the height)
  const georeferenced = Number.isFinite(r) && r > 6.0e6 && r < 6.6e6 && Math.abs(fromEcef(centre).h) < 50_000;
  if (!georeferenced)
    return {
      georeferenced,
      lon: district.lon,
      lat: district.lat,
      h: 0,
      placedLon: district.lon,
      placedLat: district.lat,
      distanceKm: 0,
      far: false,
      radiusM,
      localCentre: Number.isFinite(r) ? [centre[0], centre[1], centre[2]] : [0, 0, 0],
      projected: Number.isFinite(r) && r > 100_000,
    };
  const g = fromEcef(centre);
  const [placedLon, placedLat] = crs === 'GCJ02' || crs === 'BD09' ? toWgs84(crs, g.lon, g.lat) : [g.lon, g.lat];
  const distanceKm = haversineMeters([district.lon, district.lat], [placedLon, placedLat]) / 1000;
  return {
    georeferenced,
    lon: g.lon,
    lat: g.lat,
    h: g.h,
    placedLon,
    placedLat,
    distanceKm,
    far: distanceKm > FAR_KM,
    radiusM,
    localCentre: null,
    projected: false,
  };
}

/** Inverse of a rigid transform (rotation + translation), column-major. */
/** How far to stand off to see a whole model: 2.5 bounding radii, between 300 m and 20 km. */
export const viewRangeM = (p: Placement): number => Math.min(20_000, Math.max(300, p.radiusM * 2.5));

function invertRigid(m: number[]): number[] {
  const r = [m[0]!, m[1]!, m[2]!, m[4]!, m[5]!, m[6]!, m[8]!, m[9]!, m[10]!];
  const t = [m[12]!, m[13]!, m[14]!];
  // transpose of the rotation; translation -R^T t
  const rt = [r[0]!, r[3]!, r[6]!, r[1]!, r[4]!, r[7]!, r[2]!, r[5]!, r[8]!];
  const tx = -(rt[0]! * t[0]! + rt[3]! * t[1]! + rt[6]! * t[2]!);
  const ty = -(rt[1]! * t[0]! + rt[4]! * t[1]! + rt[7]! * t[2]!);
  const tz = -(rt[2]! * t[0]! + rt[5]! * t[1]! + rt[8]! * t[2]!);
  return [rt[0]!, rt[1]!, rt[2]!, 0, rt[3]!, rt[4]!, rt[5]!, 0, rt[6]!, rt[7]!, rt[8]!, 0, tx, ty, tz, 1];
}

/**
 * The model matrix that applies a placement and a height offset (m): a georeferenced model is carried from its read
 * centre to its placed centre along the ellipsoid (rotated with the local vertical, so it stays upright) and lifted;
 * a local one is put in the east-north-up frame at the district centre, lifted.
 */
export function modelMatrixFor(p: Placement, heightOffset: number): number[] {
  const dh = Number.isFinite(heightOffset) ? heightOffset : 0;
  if (!p.georeferenced) {
    // centred on the district horizontally (its own x/y centre to the district centre), its own heights kept
    const [cx, cy] = p.localCentre ?? [0, 0, 0];
    return mul4(enuToEcefMatrix(enuFrame(p.placedLon, p.placedLat, dh)), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, -cx, -cy, 0, 1]);
  }
  const from = enuToEcefMatrix(enuFrame(p.lon, p.lat, p.h));
  const to = enuToEcefMatrix(enuFrame(p.placedLon, p.placedLat, p.h + dh));
  return mul4(to, invertRigid(from));
}
