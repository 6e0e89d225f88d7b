/** Pure presentation of alarms: priority colours, labels, flood grouping. */
import type { Alarm, AlarmCategory, AlarmState, OperatorAction } from '../../../../data-pipelines/contracts/alarm.ts';
import { SENSOR_SPECS, type ManholeSensor } from '../../../../data-pipelines/contracts/manhole.ts';
import type { Locale } from '../../i18n.ts';
import type { RGBA } from '../manholes/format.ts';
import { L, type Labels } from '../points.ts';

export const PRIORITY_COLORS: Record<1 | 2 | 3, RGBA> = { 1: [239, 35, 60, 255], 2: [255, 120, 40, 255], 3: [255, 200, 60, 255] };
export const PRIORITY_LABELS: Record<1 | 2 | 3, Labels> = { 1: L('紧急', 'Critical'), 2: L('重要', 'High'), 3: L('一般', 'Medium') };

export const CATEGORY_LABELS: Record<AlarmCategory, Labels> = {
  manhole: L('窨井', 'Manhole'),
  fire: L('消防', 'Fire'),
  camera: L('视频/求助', 'Camera/SOS'),
  care: L('养老关爱', 'Elderly care'),
  env: L('环境', 'Environment'),
  parking: L('停车', 'Parking'),
};

export const STATE_LABELS: Record<AlarmState, Labels> = {
  new: L('新告警', 'New'),
  acknowledged: L('已确认', 'Acknowledged'),
  dispatched: L('已派单', 'Dispatched'),
  onsite: L('已到场', 'On site'),
  resolved: L('已处置', 'Resolved'),
  closed: L('已关闭', 'Closed'),
  shelved: L('已搁置', 'Shelved'),
};

export const ACTION_LABELS: Record<OperatorAction | 'raise' | 'reactivate' | 'rtn' | 'unshelve-expired', Labels> = {
  acknowledge: L('确认', 'Acknowledge'),
  dispatch: L('派单', 'Dispatch'),
  onsite: L('到场', 'On site'),
  resolve: L('处置完成', 'Resolve'),
  close: L('关闭', 'Close'),
  shelve: L('搁置', 'Shelve'),
  unshelve: L('取消搁置', 'Unshelve'),
  raise: L('触发', 'Raised'),
  reactivate: L('再次触发', 'Re-alarmed'),
  rtn: L('恢复正常', 'Returned to normal'),
  'unshelve-expired': L('搁置到期', 'Shelf expired'),
};

const CAUSE_LABELS: Record<string, Labels> = {
  fire: L('烟感/火警', 'Smoke/fire'),
  fault: L('设备故障', 'Device fault'),
  call: L('紧急呼叫', 'Emergency call'),
  offline: L('设备离线', 'Offline'),
  sos: L('一键求助', 'SOS button'),
  aqi: L('空气质量', 'Air quality'),
  pm25: L('PM2.5', 'PM2.5'),
  noise: L('噪声', 'Noise'),
  water_ph: L('水质pH', 'Water pH'),
};

export const TEAMS: Labels[] = [L('排水抢修一队', 'Drainage crew 1'), L('燃气抢险队', 'Gas emergency'), L('消防救援站', 'Fire station'), L('网格员', 'Grid officer'), L('社区医生', 'Community doctor'), L('派出所', 'Police post')];

export function causeLabel(a: Alarm, loc: Locale): string {
  if (a.category === 'manhole' && a.cause in SENSOR_SPECS) return SENSOR_SPECS[a.cause as ManholeSensor].label[loc];
  return CAUSE_LABELS[a.cause]?.[loc] ?? a.cause;
}

export function alarmTitle(a: Alarm, loc: Locale): string {
  const floor = a.floor !== undefined ? ` ${a.floor}${loc === 'zh-CN' ? '层' : 'F'}` : '';
  return `${CATEGORY_LABELS[a.category][loc]} · ${causeLabel(a, loc)} · ${a.sourceId}${floor}`;
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
    byKey.set(k, [...(byKey.get(k) ?? []), a]);
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

/** The team a dispatcher most likely sends, preselected in the dispatch menu (zh-CN name, as journaled). */
export function defaultTeam(a: Alarm): string {
  if (a.category === 'fire') return a.cause === 'fault' ? '网格员' : '消防救援站';
  if (a.category === 'care') return '社区医生';
  if (a.category === 'camera') return a.cause === 'sos' ? '派出所' : '网格员';
  if (a.category === 'manhole') return ['gas', 'co', 'o2', 'h2s'].includes(a.cause) ? '燃气抢险队' : '排水抢修一队';
  return '网格员';
}
