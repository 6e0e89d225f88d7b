/** Pure presentation of manhole data: colours, sizes, labels, legend entries (shared by 3D and 2D renderers). */
import { SENSOR_SPECS, type AlarmLevel } from '../../../../data-pipelines/contracts/manhole.ts';
import { M_PER_DEG_LAT, mPerDegLon } from '../../../../data-pipelines/geo/measure.ts';
import { t, type Locale } from '../../i18n.ts';
import { cssColor, LEVEL_COLORS } from '../../palette.ts';
import { sensorLabel } from '../shared/sensors.ts';

/** The palette moved to renderer/src/palette.ts; re-exported here for callers that still import it from this file. */
export { cssColor, LEVEL_COLORS, type RGBA } from '../../palette.ts';

/** Pixel radius: alarms must stand out on a video wall at any zoom. */
export const LEVEL_RADIUS_PX: Record<AlarmLevel, number> = { normal: 2.5, warning: 6, alarm: 9 };

/**
 * 18,000 wells as dots read as the road network from afar. Far out they are counted in cells ("density"); every well is
 * a dot only close up. Abnormal wells (warning, alarm) are always drawn as themselves, at every zoom and distance.
 */
export const WELL_POINTS_FROM_ZOOM = 15;
/** 3D: the camera distance within which normal wells are dots; beyond it their cells are drawn */
export const WELL_POINTS_WITHIN_M = 2500;
/** 3D cells: one size (the 3D camera has no zoom steps) */
export const WELL_CELL_3D_M = 300;
/** Counted cells: the normal wells' own teal, faint, so that the alarms and the names read first. */
export const WELL_CELL_COLOR: [number, number, number, number] = [46, 196, 182, 80];

/** The cell edge for a 2D zoom step below WELL_POINTS_FROM_ZOOM: 150 m at z14, doubling for each step out. */
export function wellCellM(zoomStep: number): number {
  return 150 * 2 ** Math.max(0, 14 - Math.min(14, zoomStep));
}

export interface WellCell {
  /** the mean position of the cell's wells (not the cell's centre: a cell half over a park has its dot on the streets) */
  lon: number;
  lat: number;
  count: number;
}

/**
 * Wells counted in square cells of `cellM` metres (a local grid at the wells' mean latitude; 18,000 wells: a few ms).
 * Wells without a finite position are left out. Pure.
 */
export function aggregateWells(lon: ArrayLike<number>, lat: ArrayLike<number>, cellM: number): WellCell[] {
  if (!(cellM > 0)) throw new Error(`aggregateWells: cell size must be > 0 m, got ${cellM}`);
  let sumLat = 0;
  let n = 0;
  for (let i = 0; i < lat.length; i++)
    if (Number.isFinite(lon[i]!) && Number.isFinite(lat[i]!)) {
      sumLat += lat[i]!;
      n++;
    }
  if (n === 0) return [];
  const dLat = cellM / M_PER_DEG_LAT;
  const dLon = cellM / Math.max(1, mPerDegLon(sumLat / n));
  const cells = new Map<string, WellCell>();
  for (let i = 0; i < lon.length; i++) {
    const x = lon[i]!;
    const y = lat[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const key = `${Math.floor(x / dLon)}:${Math.floor(y / dLat)}`;
    const c = cells.get(key);
    if (c) {
      c.lon += x;
      c.lat += y;
      c.count++;
    } else cells.set(key, { lon: x, lat: y, count: 1 });
  }
  return [...cells.values()].map((c) => ({ lon: c.lon / c.count, lat: c.lat / c.count, count: c.count }));
}

/** A cell's dot radius in pixels: area grows with the count (square root), 2.5 px for one well up to `maxPx`. */
export function wellCellRadiusPx(count: number, maxCount: number, maxPx = 11): number {
  if (!(count > 0) || !(maxCount > 0)) return 0;
  return 2.5 + (maxPx - 2.5) * Math.sqrt(Math.min(count, maxCount) / maxCount);
}

/** A contract unit as shown (technical units stay; 'deg'/'degC' get their symbols, a flag has none). */
export function unitText(unit: string | undefined): string {
  return unit === 'deg' ? '°' : unit === 'degC' ? '°C' : unit === 'bool' || unit === undefined ? '' : unit;
}

export function legendEntries(locale: Locale): Array<{ level: AlarmLevel; color: string; label: string }> {
  return (['alarm', 'warning', 'normal'] as AlarmLevel[]).map((level) => ({
    level,
    color: cssColor(LEVEL_COLORS[level]),
    label: t(`layers.manholes.${level}`, undefined, locale),
  }));
}

export function thresholdsText(locale: Locale): string[] {
  return Object.values(SENSOR_SPECS).map((s) => {
    const op = s.direction === 'low' ? '≤' : '≥';
    const unit = unitText(s.unit);
    return `${sensorLabel(s.sensor, locale)} ${op}${s.warning} / ${op}${s.alarm}${unit ? ` ${unit}` : ''}`;
  });
}
