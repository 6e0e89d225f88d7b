/** Pure presentation of alarms: priority colours, labels, flood grouping. */
import type { Alarm, AlarmCategory, AlarmState, OperatorAction, SystemAction } from '../../../../data-pipelines/contracts/alarm.ts';
import { SENSOR_SPECS, type ManholeSensor } from '../../../../data-pipelines/contracts/manhole.ts';
import { sensorLabel } from '../shared/sensors.ts';
import { locale, t, type Locale, type StringKey } from '../../i18n.ts';
import type { RGBA } from '../../palette.ts';

export const PRIORITY_COLORS: Record<1 | 2 | 3, RGBA> = { 1: [239, 35, 60, 255], 2: [255, 120, 40, 255], 3: [255, 200, 60, 255] };

export type AlarmAction = OperatorAction | SystemAction;

export function priorityLabel(p: 1 | 2 | 3, l: Locale = locale()): string {
  return t(`alarms.priority.${p}`, undefined, l);
}
export function categoryLabel(c: AlarmCategory, l: Locale = locale()): string {
  return t(`alarms.category.${c}`, undefined, l);
}
export function stateLabel(s: AlarmState, l: Locale = locale()): string {
  return t(`alarms.state.${s}`, undefined, l);
}
export function actionLabel(a: AlarmAction, l: Locale = locale()): string {
  return t(`alarms.action.${a}`, undefined, l);
}

const CAUSE_KEYS: Record<string, StringKey> = {
  fire: 'alarms.cause.fire',
  fault: 'alarms.cause.fault',
  call: 'alarms.cause.call',
  offline: 'alarms.cause.offline',
  sos: 'alarms.cause.sos',
  aqi: 'alarms.cause.aqi',
  pm25: 'alarms.cause.pm25',
  noise: 'alarms.cause.noise',
  water_ph: 'alarms.cause.water_ph',
};

/** Dispatch teams: `value` is what is sent and journaled (the zh-CN name, as the feed and scenarios record it). */
const TEAM_KEYS = [
  'alarms.team.drainage1',
  'alarms.team.gas',
  'alarms.team.fireStation',
  'alarms.team.gridOfficer',
  'alarms.team.doctor',
  'alarms.team.police',
] as const satisfies readonly StringKey[];
type TeamKey = (typeof TEAM_KEYS)[number];
const teamValue = (k: TeamKey) => t(k, undefined, 'zh-CN');
export const TEAMS: Array<{ value: string; key: TeamKey }> = TEAM_KEYS.map((key) => ({ value: teamValue(key), key }));

/** A journaled team name in the UI language (names not in the list, e.g. from a scenario file, are shown as recorded). */
export function teamLabel(value: string, l: Locale = locale()): string {
  const team = TEAMS.find((x) => x.value === value);
  return team ? t(team.key, undefined, l) : value;
}

/** Causes of `feed` alarms (a connected source, contracts/sources.ts): no data for its quietAfterMin, or its connection is down. */
const FEED_CAUSE_KEYS: Record<string, StringKey> = { quiet: 'alarms.cause.quiet', down: 'alarms.cause.down' };

export function causeLabel(a: Alarm, l: Locale = locale()): string {
  if (a.category === 'manhole' && a.cause in SENSOR_SPECS) return sensorLabel(a.cause as ManholeSensor, l);
  const key = a.category === 'feed' ? FEED_CAUSE_KEYS[a.cause] : CAUSE_KEYS[a.cause];
  return key ? t(key, undefined, l) : a.cause;
}

/**
 * Whether an alarm is about a place (drawn on the maps, a click flies there). A `feed` alarm is about a data source
 * (sourceId = the source's id): the server puts it at the district centre only because an alarm needs coordinates, so
 * it is never drawn as a pin and a click opens the sources panel instead of flying anywhere.
 */
export function alarmHasPlace(a: Pick<Alarm, 'category'>): boolean {
  return a.category !== 'feed';
}

/** Whether a map pick id is an alarm's (alarm ids are `AL-…`; the 3D markers carry the alarm id). */
export function isAlarmId(id: string): boolean {
  return id.startsWith('AL-');
}

export function alarmTitle(a: Alarm, l: Locale = locale()): string {
  // "数据源 fire-panels 无数据" / "Source fire-panels: no data"
  if (a.category === 'feed') return t('alarms.feedTitle', { source: a.sourceId, cause: causeLabel(a, l) }, l);
  const floor = a.floor !== undefined ? ` ${t('alarms.floorShort', { floor: String(a.floor) }, l)}` : '';
  return `${categoryLabel(a.category, l)} · ${causeLabel(a, l)} · ${a.sourceId}${floor}`;
}

export type AlarmRow = { type: 'single'; alarm: Alarm } | { type: 'group'; key: string; category: AlarmCategory; cause: string; alarms: Alarm[] };

/**
 * Alarm-flood grouping: when at least `threshold` alarms of the same category and cause were raised within
 * `windowMs` of each other, they collapse into one group row (ISA-18.2 flood handling). Order is preserved.
 */
export function groupAlarms(alarms: Alarm[], threshold = 6, windowMs = 120_000): AlarmRow[] {
  const byKey = new Map<string, Alarm[]>();
  for (const a of alarms) {
    if (a.priority === 1) continue; // life-safety alarms are never folded away
    const k = `${a.category}|${a.cause}`;
    const list = byKey.get(k);
    if (list) list.push(a);
    else byKey.set(k, [a]);
  }
  const grouped = new Map<string, Alarm[]>();
  for (const [k, list] of byKey) {
    const times = list.map((a) => a.raisedAt).sort((x, y) => x - y);
    let best = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! > windowMs) i++;
      best = Math.max(best, j - i + 1);
    }
    if (best >= threshold) grouped.set(k, list);
  }
  const rows: AlarmRow[] = [];
  const emitted = new Set<string>();
  for (const a of alarms) {
    const k = `${a.category}|${a.cause}`;
    const g = a.priority === 1 ? undefined : grouped.get(k);
    if (!g) rows.push({ type: 'single', alarm: a });
    else if (!emitted.has(k)) {
      emitted.add(k);
      rows.push({ type: 'group', key: k, category: a.category, cause: a.cause, alarms: g });
    }
  }
  return rows;
}

/** The team a dispatcher most likely sends, preselected in the dispatch menu (its `value`: zh-CN name, as journaled). */
export function defaultTeam(a: Alarm): string {
  if (a.category === 'fire') return teamValue(a.cause === 'fault' ? 'alarms.team.gridOfficer' : 'alarms.team.fireStation');
  if (a.category === 'care') return teamValue('alarms.team.doctor');
  if (a.category === 'camera') return teamValue(a.cause === 'sos' ? 'alarms.team.police' : 'alarms.team.gridOfficer');
  if (a.category === 'manhole') return teamValue(['gas', 'co', 'o2', 'h2s'].includes(a.cause) ? 'alarms.team.gas' : 'alarms.team.drainage1');
  return teamValue('alarms.team.gridOfficer');
}
