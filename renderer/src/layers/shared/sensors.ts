/** Manhole sensor names in the UI language: alarm causes and the manhole layer's legend both show them. */
import type { ManholeSensor } from '../../../../data-pipelines/contracts/manhole.ts';
import { locale, t, type Locale } from '../../i18n.ts';

/** A manhole sensor's name (the contract's SENSOR_SPECS carry labels too; the UI shows the catalog's). */
export function sensorLabel(s: ManholeSensor, l: Locale = locale()): string {
  return t(`alarms.sensor.${s}`, undefined, l);
}
