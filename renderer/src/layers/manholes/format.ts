/** Pure presentation of manhole data: colours, sizes, labels, legend entries (shared by 3D and 2D renderers). */
import { SENSOR_SPECS, type AlarmLevel } from '../../../../data-pipelines/contracts/manhole.ts';
import type { Locale } from '../../i18n.ts';

export type RGBA = [number, number, number, number];

export const LEVEL_COLORS: Record<AlarmLevel, RGBA> = {
  normal: [46, 196, 182, 150],
  warning: [255, 183, 3, 255],
  alarm: [239, 35, 60, 255],
};

/** Pixel radius: alarms must stand out on a video wall at any zoom. */
export const LEVEL_RADIUS_PX: Record<AlarmLevel, number> = { normal: 2.5, warning: 6, alarm: 9 };


export function cssColor([r, g, b, a]: RGBA): string {
  return `rgba(${r},${g},${b},${(a / 255).toFixed(3)})`;
}



export function legendEntries(locale: Locale): Array<{ level: AlarmLevel; color: string; label: string }> {
  const labels: Record<AlarmLevel, Record<Locale, string>> = {
    normal: { 'zh-CN': '正常', en: 'Normal' },
    warning: { 'zh-CN': '预警', en: 'Warning' },
    alarm: { 'zh-CN': '告警', en: 'Alarm' },
  };
  return (['alarm', 'warning', 'normal'] as AlarmLevel[]).map((level) => ({ level, color: cssColor(LEVEL_COLORS[level]), label: labels[level][locale] }));
}

export function thresholdsText(locale: Locale): string[] {
  return Object.values(SENSOR_SPECS).map((s) => `${s.label[locale]}: ≥${s.warning} / ≥${s.alarm} ${s.unit}`);
}
