/**
 * Chinese coordinate reference systems and conversions between them.
 *
 *  - WGS84   : GPS / international. Our canonical storage CRS.
 *  - CGCS2000: China Geodetic Coordinate System 2000. Its ellipsoid differs from WGS84's only in the
 *              flattening (1/298.257222101 vs 1/298.257223563) and its frame is ITRF97 @ 2000.0; the two agree
 *              to a few centimetres, far below what a district map can show. We treat it as identical to WGS84
 *              for geographic (lon/lat) coordinates and say so here rather than pretend to a datum shift.
 *  - GCJ-02  : "Mars coordinates", mandated obfuscation used by AMap (高德), Tencent, and most Chinese data.
 *  - BD-09   : Baidu's further-obfuscated lon/lat on top of GCJ-02.
 *  - BD-09MC : Baidu Mercator metres (raw Baidu tile/API coordinates), a banded polynomial of BD-09.
 *
 * Forward WGS84 -> GCJ-02 is the published closed-form algorithm; its inverse has no closed form, so we solve it by
 * fixed-point iteration to < 1e-9 degrees (sub-millimetre) instead of the common one-step approximation (~1 m error).
 */

export type CRS = 'WGS84' | 'CGCS2000' | 'GCJ02' | 'BD09' | 'BD09MC';
export const CRS_LIST: readonly CRS[] = ['WGS84', 'CGCS2000', 'GCJ02', 'BD09', 'BD09MC'];

/** [lon, lat] in degrees, or [x, y] in metres for BD09MC. */
export type XY = [number, number];

const A = 6378245.0; // Krasovsky 1940 semi-major axis used by GCJ-02
const EE = 0.00669342162296594323; // Krasovsky eccentricity squared
const X_PI = (Math.PI * 3000.0) / 180.0;

/** GCJ-02 obfuscation applies only inside China's rough bounding box (the published rule). */
export function outOfChina(lon: number, lat: number): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return ret;
}

function transformLon(x: number, y: number): number {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return ret;
}

function assertFinite(lon: number, lat: number, what: string): void {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
    throw new RangeError(`${what}: coordinate is not a finite number (${lon}, ${lat})`);
  }
}

export function wgs84ToGcj02(lon: number, lat: number): XY {
  assertFinite(lon, lat, 'wgs84ToGcj02');
  if (outOfChina(lon, lat)) return [lon, lat];
  let dLat = transformLat(lon - 105.0, lat - 35.0);
  let dLon = transformLon(lon - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLon = (dLon * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lon + dLon, lat + dLat];
}

/** Exact inverse of wgs84ToGcj02 by fixed-point iteration (converges in ~4 steps to 1e-12 deg). */
export function gcj02ToWgs84(lon: number, lat: number): XY {
  assertFinite(lon, lat, 'gcj02ToWgs84');
  if (outOfChina(lon, lat)) return [lon, lat];
  let wLon = lon;
  let wLat = lat;
  for (let i = 0; i < 30; i++) {
    const [gLon, gLat] = wgs84ToGcj02(wLon, wLat);
    const eLon = gLon - lon;
    const eLat = gLat - lat;
    wLon -= eLon;
    wLat -= eLat;
    if (Math.abs(eLon) < 1e-12 && Math.abs(eLat) < 1e-12) break;
  }
  return [wLon, wLat];
}

export function gcj02ToBd09(lon: number, lat: number): XY {
  assertFinite(lon, lat, 'gcj02ToBd09');
  const z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
  const theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * X_PI);
  return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
}

/** Baidu's published one-step inverse (error ~1e-6 deg), then refined by iteration against gcj02ToBd09. */
export function bd09ToGcj02(lon: number, lat: number): XY {
  assertFinite(lon, lat, 'bd09ToGcj02');
  const x = lon - 0.0065;
  const y = lat - 0.006;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * X_PI);
  const theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * X_PI);
  let gLon = z * Math.cos(theta);
  let gLat = z * Math.sin(theta);
  for (let i = 0; i < 10; i++) {
    const [bLon, bLat] = gcj02ToBd09(gLon, gLat);
    const eLon = bLon - lon;
    const eLat = bLat - lat;
    gLon -= eLon;
    gLat -= eLat;
    if (Math.abs(eLon) < 1e-12 && Math.abs(eLat) < 1e-12) break;
  }
  return [gLon, gLat];
}

// Baidu Mercator: banded polynomial fits published in Baidu's map JS API (public algorithm constants).
const MC_BAND = [12890594.86, 8362377.87, 5591021, 3481989.83, 1678043.12, 0];
const LL_BAND = [75, 60, 45, 30, 15, 0];
const MC2LL: number[][] = [
  [
    1.410526172116255e-8, 8.98305509648872e-6, -1.9939833816331, 200.9824383106796, -187.2403703815547, 91.6087516669843, -23.38765649603339, 2.57121317296198,
    -0.03801003308653, 17337981.2,
  ],
  [
    -7.435856389565537e-9, 8.983055097726239e-6, -0.78625201886289, 96.32687599759846, -1.85204757529826, -59.36935905485877, 47.40033549296737,
    -16.50741931063887, 2.28786674699375, 10260144.86,
  ],
  [
    -3.030883460898826e-8, 8.98305509983578e-6, 0.30071316287616, 59.74293618442277, 7.357984074871, -25.38371002664745, 13.45380521110908, -3.29883767235584,
    0.32710905363475, 6856817.37,
  ],
  [
    -1.981981304930552e-8, 8.983055099779535e-6, 0.03278182852591, 40.31678527705744, 0.65659298677277, -4.44255534477492, 0.85341911805263, 0.12923347998204,
    -0.04625736007561, 4482777.06,
  ],
  [
    3.09191371068437e-9, 8.983055096812155e-6, 0.00006995724062, 23.10934304144901, -0.00023663490511, -0.6321817810242, -0.00663494467273, 0.03430082397953,
    -0.00466043876332, 2555164.4,
  ],
  [
    2.890871144776878e-9, 8.983055095805407e-6, -0.00000003068298, 7.47137025468032, -0.00000353937994, -0.02145144861037, -0.00001234426596, 0.00010322952773,
    -0.00000323890364, 826088.5,
  ],
];
const LL2MC: number[][] = [
  [
    -0.0015702102444, 111320.7020616939, 1704480524535203, -10338987376042340, 26112667856603880, -35149669176653700, 26595700718403920, -10725012454188240,
    1800819912950474, 82.5,
  ],
  [
    0.0008277824516172526, 111320.7020463578, 647795574.6671607, -4082003173.641316, 10774905663.51142, -15171875531.51559, 12053065338.62167,
    -5124939663.577472, 913311935.9512032, 67.5,
  ],
  [
    0.00337398766765, 111320.7020202162, 4481351.045890365, -23393751.19931662, 79682215.47186455, -115964993.2797253, 97236711.15602145, -43661946.33752821,
    8477230.501135234, 52.5,
  ],
  [
    0.00220636496208, 111320.7020209128, 51751.86112841131, 3796837.749470245, 992013.7397791013, -1221952.21711287, 1340652.697009075, -620943.6990984312,
    144416.9293806241, 37.5,
  ],
  [
    -0.0003441963504368392, 111320.7020576856, 278.2353980772752, 2485758.690035394, 6070.750963243378, 54821.18345352118, 9540.606633304236, -2710.55326746645,
    1405.483844121726, 22.5,
  ],
  [
    -0.0003218135878613132, 111320.7020701615, 0.00369383431289, 823725.6402795718, 0.46104986909093, 2351.343141331292, 1.58060784298199, 8.77738589078284,
    0.37238884252424, 7.45,
  ],
];

function bandPolynomial(x: number, y: number, c: number[]): XY {
  let ox = c[0]! + c[1]! * Math.abs(x);
  const t = Math.abs(y) / c[9]!;
  let oy = c[2]! + c[3]! * t + c[4]! * t ** 2 + c[5]! * t ** 3 + c[6]! * t ** 4 + c[7]! * t ** 5 + c[8]! * t ** 6;
  ox *= x < 0 ? -1 : 1;
  oy *= y < 0 ? -1 : 1;
  return [ox, oy];
}

export function bd09mcToBd09(x: number, y: number): XY {
  assertFinite(x, y, 'bd09mcToBd09');
  const ay = Math.abs(y);
  const i = MC_BAND.findIndex((b) => ay >= b);
  return bandPolynomial(x, y, MC2LL[i]!);
}

export function bd09ToBd09mc(lon: number, lat: number): XY {
  assertFinite(lon, lat, 'bd09ToBd09mc');
  const clampedLat = Math.max(-74, Math.min(74, lat));
  const al = Math.abs(clampedLat);
  const i = LL_BAND.findIndex((b) => al >= b);
  return bandPolynomial(lon, clampedLat, LL2MC[i]!);
}

/** Convert one point from any supported CRS into WGS84 [lon, lat]. */
export function toWgs84(crs: CRS, x: number, y: number): XY {
  switch (crs) {
    case 'WGS84':
    case 'CGCS2000':
      assertFinite(x, y, 'toWgs84');
      return [x, y];
    case 'GCJ02':
      return gcj02ToWgs84(x, y);
    case 'BD09': {
      const [gx, gy] = bd09ToGcj02(x, y);
      return gcj02ToWgs84(gx, gy);
    }
    case 'BD09MC': {
      const [bx, by] = bd09mcToBd09(x, y);
      const [gx, gy] = bd09ToGcj02(bx, by);
      return gcj02ToWgs84(gx, gy);
    }
  }
}

/** Convert one WGS84 point into any supported CRS. */
export function fromWgs84(crs: CRS, lon: number, lat: number): XY {
  switch (crs) {
    case 'WGS84':
    case 'CGCS2000':
      assertFinite(lon, lat, 'fromWgs84');
      return [lon, lat];
    case 'GCJ02':
      return wgs84ToGcj02(lon, lat);
    case 'BD09': {
      const [gx, gy] = wgs84ToGcj02(lon, lat);
      return gcj02ToBd09(gx, gy);
    }
    case 'BD09MC': {
      const [gx, gy] = wgs84ToGcj02(lon, lat);
      const [bx, by] = gcj02ToBd09(gx, gy);
      return bd09ToBd09mc(bx, by);
    }
  }
}

/** Convert any CRS to any CRS via WGS84. */
export function convert(from: CRS, to: CRS, x: number, y: number): XY {
  if (from === to) return [x, y];
  const [lon, lat] = toWgs84(from, x, y);
  return fromWgs84(to, lon, lat);
}
