/**
 * Manhole (窨井) sensor domain: pure, shared by the simulator (which classifies readings) and the renderer (legends).
 * Smart covers in Chinese cities are NB-IoT devices on water, sewer, storm, power, telecom, gas and heating wells;
 * which sensors a well carries depends on its utility.
 */
export const MANHOLE_SENSORS = ['cover', 'tilt', 'level', 'gas', 'h2s', 'co', 'o2', 'temp', 'flood', 'pressure', 'battery'] as const;
export type ManholeSensor = (typeof MANHOLE_SENSORS)[number];

export const SENSOR_UNITS = ['mm', 'deg', '%', '%LEL', 'ppm', '%vol', 'degC', 'bool', 'MPa'] as const;
export type SensorUnit = (typeof SENSOR_UNITS)[number];

export const ALARM_LEVELS = ['normal', 'warning', 'alarm'] as const;
export type AlarmLevel = (typeof ALARM_LEVELS)[number];

export const LEVEL_RANK: Record<AlarmLevel, number> = { normal: 0, warning: 1, alarm: 2 };

export interface SensorSpec {
  sensor: ManholeSensor;
  unit: SensorUnit;
  /** 'high': values at/above the thresholds are bad; 'low': values at/below are bad (oxygen, battery, pressure) */
  direction: 'high' | 'low';
  warning: number;
  alarm: number;
  /** physical range of the reading */
  min: number;
  max: number;
  /** typical normal range for simulation */
  normal: [number, number];
  label: { 'zh-CN': string; en: string };
}

/**
 * Thresholds follow common municipal practice: cover displacement/tilt; liquid level as % of well depth; combustible
 * gas as %LEL (10/20 warning/alarm, GB/T 50493-style settings); H2S and CO in ppm (GBZ 2.1 short-term limits);
 * oxygen low-alarm 19.5/18 %vol for confined-space entry; heat/power well temperature; water-main pressure low.
 */
export const SENSOR_SPECS: Record<ManholeSensor, SensorSpec> = {
  cover: {
    sensor: 'cover',
    unit: 'mm',
    direction: 'high',
    warning: 8,
    alarm: 20,
    min: 0,
    max: 200,
    normal: [0, 3],
    label: { 'zh-CN': '井盖位移', en: 'Cover displacement' },
  },
  tilt: {
    sensor: 'tilt',
    unit: 'deg',
    direction: 'high',
    warning: 5,
    alarm: 15,
    min: 0,
    max: 90,
    normal: [0, 1.5],
    label: { 'zh-CN': '井盖倾斜', en: 'Cover tilt' },
  },
  level: {
    sensor: 'level',
    unit: '%',
    direction: 'high',
    warning: 60,
    alarm: 85,
    min: 0,
    max: 100,
    normal: [10, 40],
    label: { 'zh-CN': '液位', en: 'Liquid level' },
  },
  gas: {
    sensor: 'gas',
    unit: '%LEL',
    direction: 'high',
    warning: 10,
    alarm: 20,
    min: 0,
    max: 100,
    normal: [0, 4],
    label: { 'zh-CN': '可燃气体', en: 'Combustible gas' },
  },
  h2s: {
    sensor: 'h2s',
    unit: 'ppm',
    direction: 'high',
    warning: 10,
    alarm: 20,
    min: 0,
    max: 200,
    normal: [0, 3],
    label: { 'zh-CN': '硫化氢', en: 'Hydrogen sulfide' },
  },
  co: {
    sensor: 'co',
    unit: 'ppm',
    direction: 'high',
    warning: 24,
    alarm: 50,
    min: 0,
    max: 1000,
    normal: [0, 8],
    label: { 'zh-CN': '一氧化碳', en: 'Carbon monoxide' },
  },
  o2: { sensor: 'o2', unit: '%vol', direction: 'low', warning: 19.5, alarm: 18, min: 0, max: 25, normal: [20.4, 21], label: { 'zh-CN': '氧气', en: 'Oxygen' } },
  temp: {
    sensor: 'temp',
    unit: 'degC',
    direction: 'high',
    warning: 60,
    alarm: 80,
    min: -30,
    max: 200,
    normal: [8, 35],
    label: { 'zh-CN': '温度', en: 'Temperature' },
  },
  flood: { sensor: 'flood', unit: 'bool', direction: 'high', warning: 1, alarm: 1, min: 0, max: 1, normal: [0, 0], label: { 'zh-CN': '水浸', en: 'Flooding' } },
  pressure: {
    sensor: 'pressure',
    unit: 'MPa',
    direction: 'low',
    warning: 0.2,
    alarm: 0.14,
    min: 0,
    max: 1.6,
    normal: [0.28, 0.4],
    label: { 'zh-CN': '管网压力', en: 'Main pressure' },
  },
  battery: {
    sensor: 'battery',
    unit: '%',
    direction: 'low',
    warning: 20,
    alarm: 0,
    min: 0,
    max: 100,
    normal: [40, 100],
    label: { 'zh-CN': '电量', en: 'Battery' },
  },
};

/** Sensors fitted per utility kind (cover, tilt and battery on every smart cover). */
export const SENSORS_BY_WELL_KIND: Record<string, ManholeSensor[]> = {
  sewer: ['cover', 'tilt', 'level', 'gas', 'h2s', 'battery'],
  rain: ['cover', 'tilt', 'level', 'battery'],
  water: ['cover', 'tilt', 'pressure', 'flood', 'battery'],
  power: ['cover', 'tilt', 'temp', 'flood', 'battery'],
  telecom: ['cover', 'tilt', 'flood', 'battery'],
  gas: ['cover', 'tilt', 'gas', 'co', 'o2', 'battery'],
  heat: ['cover', 'tilt', 'temp', 'level', 'battery'],
};

export function classifyReading(sensor: ManholeSensor, value: number): AlarmLevel {
  const s = SENSOR_SPECS[sensor];
  if (!Number.isFinite(value)) throw new RangeError(`${sensor}: reading ${value} is not finite`);
  if (s.direction === 'high') {
    if (value >= s.alarm) return 'alarm';
    if (value >= s.warning) return 'warning';
  } else {
    if (value <= s.alarm) return 'alarm';
    if (value <= s.warning) return 'warning';
  }
  return 'normal';
}

/** A value at the given severity, for incident simulation (clamped to the physical range). */
export function valueAtLevel(sensor: ManholeSensor, level: 'warning' | 'alarm', u: number): number {
  const s = SENSOR_SPECS[sensor];
  let v: number;
  if (sensor === 'flood') return 1;
  if (s.direction === 'high') v = level === 'alarm' ? s.alarm * (1.1 + u * 0.7) : (s.warning + s.alarm) / 2;
  else v = level === 'alarm' ? s.alarm * (0.6 + u * 0.35) : (s.warning + s.alarm) / 2;
  return Math.round(Math.min(s.max, Math.max(s.min, v)) * 100) / 100;
}
