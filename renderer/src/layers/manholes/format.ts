/** Pure presentation of manhole data: colours, sizes, labels, legend entries (shared by 3D and 2D renderers). */
import { SENSOR_SPECS, type AlarmLevel } from '../../../../data-pipelines/contracts/manhole.ts';
import { t, type Locale } from '../../i18n.ts';
import { cssColor, LEVEL_COLORS } from '../../palette.ts';
import { sensorLabel } from '../shared/sensors.ts';

/** The palette moved to renderer/src/palette.ts; re-exported here for callers that still import it from this file. */
export { cssColor, LEVEL_COLORS, type RGBA } from '../../palette.ts';

/** Pixel radius: alarms must stand out on a video wall at any zoom. */
export const LEVEL_RADIUS_PX: Record<AlarmLevel, number> = { normal: 2.5, warning: 6, alarm: 9 };

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
