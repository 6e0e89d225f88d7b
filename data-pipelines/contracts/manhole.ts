/**
 * Manhole (窨井) sensor domain: pure, shared by the simulator (which classifies readings) and the renderer (legends).
 */
export const MANHOLE_SENSORS = ['cover', 'level', 'gas'] as const;
export type ManholeSensor = (typeof MANHOLE_SENSORS)[number];

export const SENSOR_UNITS = ['mm', '%', '%LEL'] as const;
export type SensorUnit = (typeof SENSOR_UNITS)[number];

export const ALARM_LEVELS = ['normal', 'warning', 'alarm'] as const;
export type AlarmLevel = (typeof ALARM_LEVELS)[number];

export const LEVEL_RANK: Record<AlarmLevel, number> = { normal: 0, warning: 1, alarm: 2 };

export interface SensorSpec {
  sensor: ManholeSensor;
  unit: SensorUnit;
  /** value at or above which the reading is a warning / an alarm */
  warning: number;
  alarm: number;
  /** physical upper bound of the reading (a level above 100 % of the well is not a thing) */
  max: number;
  label: { 'zh-CN': string; en: string };
}

/**
 * Thresholds follow common municipal practice for smart manhole covers: cover tilt/displacement (mm), liquid level as
 * percent of well depth, combustible gas as percent of the lower explosive limit (%LEL; 10/20 is typical for
 * warning/alarm in GB/T 50493-style detector settings).
 */
export const SENSOR_SPECS: Record<ManholeSensor, SensorSpec> = {
  cover: { sensor: 'cover', unit: 'mm', warning: 8, alarm: 20, max: 200, label: { 'zh-CN': '井盖位移', en: 'Cover displacement' } },
  level: { sensor: 'level', unit: '%', warning: 60, alarm: 85, max: 100, label: { 'zh-CN': '液位', en: 'Liquid level' } },
  gas: { sensor: 'gas', unit: '%LEL', warning: 10, alarm: 20, max: 100, label: { 'zh-CN': '可燃气体', en: 'Combustible gas' } },
};

export function classifyReading(sensor: ManholeSensor, value: number): AlarmLevel {
  const s = SENSOR_SPECS[sensor];
  if (!Number.isFinite(value)) throw new RangeError(`${sensor}: reading ${value} is not finite`);
  if (value >= s.alarm) return 'alarm';
  if (value >= s.warning) return 'warning';
  return 'normal';
}

export const WELL_KIND_LABELS: Record<string, { 'zh-CN': string; en: string }> = {
  sewer: { 'zh-CN': '污水井', en: 'Sewer' },
  rain: { 'zh-CN': '雨水井', en: 'Storm drain' },
  water: { 'zh-CN': '给水井', en: 'Water supply' },
  power: { 'zh-CN': '电力井', en: 'Power' },
  telecom: { 'zh-CN': '通信井', en: 'Telecom' },
  gas: { 'zh-CN': '燃气井', en: 'Gas' },
  heat: { 'zh-CN': '热力井', en: 'District heating' },
};
