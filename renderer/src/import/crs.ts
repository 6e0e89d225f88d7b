/**
 * Coordinate reference systems of user data, as Chinese GIS files come: WGS84, CGCS2000 (geographic or Gauss-Krüger
 * 3°/6° zones, with or without the zone prefix), GCJ-02 (Amap/Tencent), BD-09 (Baidu), BD-09MC, Web Mercator, or any
 * projected CRS an ESRI .prj / proj4 string describes. Detection from the file's own metadata first, then from the
 * coordinate ranges; ambiguous cases are errors that name the choices, never a silent guess.
 */
import proj4 from 'proj4';
import { toWgs84, type CRS as ChinaCrs, type XY } from '../../../data-pipelines/geo/coords.ts';
import { LocalizedError, t, type MessageVars, type StringKey } from '../i18n.ts';
import { safeVars } from './shapefile.ts';
import { BD09_OFFSET_M, GCJ02_OFFSET_M } from './platform.ts';

/** The coordinate system cannot be settled (the message names the choices). */
export class CrsError extends LocalizedError {
  constructor(key: StringKey, vars: MessageVars = {}) {
    super(key, safeVars(vars));
  }
}

export type CrsSpec = { kind: 'china'; crs: ChinaCrs } | { kind: 'proj4'; name: string; def: string };

export interface CrsOption {
  id: string;
  /** in the current UI language */
  readonly label: string;
}

/** An option whose label is a catalog message (read when shown) or a name that is the same in every language. */
const option = (id: string, label: StringKey | { same: string }): CrsOption => ({
  id,
  get label() {
    return typeof label === 'string' ? t(label) : label.same;
  },
});

/** Choices offered to the user when a file does not say (or says wrongly). */
export const CRS_OPTIONS: CrsOption[] = [
  option('auto', 'importer.crs.auto'),
  option('WGS84', { same: 'WGS84 (GPS, EPSG:4326)' }),
  option('CGCS2000', 'importer.crs.cgcs2000'),
  option('GCJ02', 'importer.crs.gcj02'),
  option('BD09', 'importer.crs.bd09'),
  option('BD09MC', 'importer.crs.bd09mc'),
  option('EPSG:3857', { same: 'Web Mercator (EPSG:3857)' }),
  option('EPSG:4548', 'importer.crs.epsg4548'),
  option('EPSG:4527', { same: 'CGCS2000 3° GK zone 39 (EPSG:4527)' }),
  option('EPSG:4509', { same: 'CGCS2000 6° GK CM 117E (EPSG:4509)' }),
];

/** proj4 definition of an EPSG code we know offline (CGCS2000 Gauss-Krüger families, Web Mercator, geographic). */
export function epsgDef(code: number): string | null {
  const tm = (lon0: number, x0: number) => `+proj=tmerc +lat_0=0 +lon_0=${lon0} +k=1 +x_0=${x0} +y_0=0 +ellps=GRS80 +units=m +no_defs`;
  if (code === 4326 || code === 4490) return '+proj=longlat +ellps=GRS80 +no_defs';
  if (code === 3857 || code === 900913) return '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs';
  // CGCS2000 / 3-degree Gauss-Kruger zone 25..45 (false easting with zone prefix)
  if (code >= 4513 && code <= 4533) {
    const zone = 25 + (code - 4513);
    return tm(zone * 3, zone * 1_000_000 + 500_000);
  }
  // CGCS2000 / 3-degree Gauss-Kruger CM 75E..135E
  if (code >= 4534 && code <= 4554) return tm(75 + 3 * (code - 4534), 500_000);
  // CGCS2000 / Gauss-Kruger zone 13..23 (6-degree, prefixed)
  if (code >= 4491 && code <= 4501) {
    const zone = 13 + (code - 4491);
    return tm(zone * 6 - 3, zone * 1_000_000 + 500_000);
  }
  // CGCS2000 / Gauss-Kruger CM 75E..135E (6-degree)
  if (code >= 4502 && code <= 4512) return tm(75 + 6 * (code - 4502), 500_000);
  return null;
}

/** A CRS from a user choice ("auto" excluded), an EPSG code, or a proj4 string. */
export function parseCrs(id: string): CrsSpec {
  const s = id.trim();
  if (s === 'WGS84' || s === 'CGCS2000' || s === 'GCJ02' || s === 'BD09' || s === 'BD09MC') return { kind: 'china', crs: s };
  const epsg = /^(?:EPSG:|urn:ogc:def:crs:EPSG:[\d.]*:)(\d+)$/i.exec(s);
  if (epsg) {
    const code = Number(epsg[1]);
    // 2D and 3D geographic (a GeoPackage with Z declares EPSG:4979)
    if (code === 4326 || code === 4979) return { kind: 'china', crs: 'WGS84' };
    if (code === 4490 || code === 4479 || code === 4480) return { kind: 'china', crs: 'CGCS2000' };
    const def = epsgDef(code);
    if (!def) throw new CrsError('importer.crs.epsgUnknown', { code: String(code) });
    return { kind: 'proj4', name: `EPSG:${code}`, def };
  }
  if (/^urn:ogc:def:crs:OGC:[\d.]*:CRS84$/i.test(s)) return { kind: 'china', crs: 'WGS84' };
  if (s.startsWith('+proj=')) {
    try {
      proj4(s, 'WGS84', [0, 0]);
    } catch (e) {
      throw new CrsError('importer.crs.proj4', { detail: (e as Error).message });
    }
    return { kind: 'proj4', name: s.slice(0, 60), def: s };
  }
  throw new CrsError('importer.crs.unknown', {
    crs: s.slice(0, 60),
    choices: CRS_OPTIONS.slice(1)
      .map((o) => o.id)
      .join(', '),
  });
}

/** CRS from an ESRI .prj (WKT1). Geographic CGCS2000/WGS84 by name; projected ones through proj4's WKT parser. */
export function crsFromPrj(wkt: string): CrsSpec {
  const text = wkt.trim();
  if (!text) throw new CrsError('importer.crs.prjEmpty');
  const projected = /^PROJCS\[/i.test(text);
  if (!projected) {
    if (/China_Geodetic_Coordinate_System_2000|CGCS[_ ]?2000/i.test(text)) return { kind: 'china', crs: 'CGCS2000' };
    if (/WGS[_ ]?(19)?84/i.test(text)) return { kind: 'china', crs: 'WGS84' };
    if (/Beijing[_ ]?1954|Xian[_ ]?1980/i.test(text)) throw new CrsError('importer.crs.oldDatum');
    throw new CrsError('importer.crs.geographic', { wkt: text.slice(0, 80) });
  }
  if (/Beijing[_ ]?1954|Xian[_ ]?1980/i.test(text)) throw new CrsError('importer.crs.oldDatum');
  try {
    proj4(text, 'WGS84', [0, 0]);
  } catch (e) {
    throw new CrsError('importer.crs.projected', { detail: (e as Error).message });
  }
  const name = /^PROJCS\["([^"]+)"/i.exec(text)?.[1] ?? t('importer.crs.projectedName');
  return { kind: 'proj4', name, def: text };
}

export function crsLabel(c: CrsSpec): string {
  return c.kind === 'china' ? c.crs : c.name;
}

/** Converter to WGS84 lon/lat. */
export function toWgs84Fn(c: CrsSpec): (x: number, y: number) => XY {
  if (c.kind === 'china') return (x, y) => toWgs84(c.crs, x, y);
  const conv = proj4(c.def, 'WGS84');
  return (x, y) => conv.forward([x, y]) as XY;
}

/**
 * What coordinate ranges say when the file does not: geographic degrees inside China, Baidu Mercator, Web Mercator,
 * a Gauss-Krüger zone (with or without the zone prefix) — or nothing certain (null, with the reason).
 */
export function guessFromRange(bbox: [number, number, number, number]): { crs: CrsSpec | null; note: string } {
  const [x0, y0, x1, y1] = bbox;
  if (x0 >= 72 && x1 <= 136 && y0 >= 3 && y1 <= 54)
    return {
      crs: { kind: 'china', crs: 'WGS84' },
      note: t('importer.crs.guessChina', {
        gcj0: GCJ02_OFFSET_M[0],
        gcj1: GCJ02_OFFSET_M[1],
        bd0: (BD09_OFFSET_M[0] / 1000).toFixed(2),
        bd1: (BD09_OFFSET_M[1] / 1000).toFixed(2),
      }),
    };
  if (x0 >= -180 && x1 <= 180 && y0 >= -90 && y1 <= 90) return { crs: { kind: 'china', crs: 'WGS84' }, note: t('importer.crs.guessDegrees') };
  // Gauss-Krüger with zone prefix: easting = zone * 1e6 + 500 000 ± ~300 km, northing 0..6e6 in China
  const zone = Math.floor(x0 / 1_000_000);
  if (zone === Math.floor(x1 / 1_000_000) && y0 > 0 && y1 < 6_000_000) {
    if (zone >= 25 && zone <= 45) return { crs: parseCrs(`EPSG:${4513 + zone - 25}`), note: t('importer.crs.guessGk3', { zone: String(zone) }) };
    if (zone >= 13 && zone <= 23) return { crs: parseCrs(`EPSG:${4491 + zone - 13}`), note: t('importer.crs.guessGk6', { zone: String(zone) }) };
  }
  if (x0 > 8_000_000 && x1 < 15_200_000 && y0 > 300_000 && y1 < 7_100_000) return { crs: null, note: t('importer.crs.guessMercator') };
  if (x0 > 0 && x1 < 1_000_000 && y0 > 0 && y1 < 6_000_000) return { crs: null, note: t('importer.crs.guessGkNoZone') };
  return { crs: null, note: t('importer.crs.guessNone', { x0: x0.toFixed(0), x1: x1.toFixed(0), y0: y0.toFixed(0), y1: y1.toFixed(0) }) };
}
