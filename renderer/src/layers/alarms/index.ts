import type { RootStore } from '../../stores/root.ts';
import { pointLayer, swatchLegend, type LivePoint, type PointLayerSpec } from '../points.ts';
import type { LiveLayerDefinition } from '../registry.ts';
import { heightOnFloor } from '../evacuation/format.ts';
import { PRIORITY_COLORS, PRIORITY_LABELS } from './format.ts';

/** Open alarms of every category as markers; fire alarms sit on their floor in 3D. */
export function alarmPoints(store: RootStore): LivePoint[] {
  const sel = store.ui.selectedAlarmId;
  return store.live.openAlarms
    .filter((a) => a.state !== 'shelved')
    .map((a) => ({
      id: a.alarmId,
      lon: a.lon,
      lat: a.lat,
      height: a.floor !== undefined ? Math.max(2, heightOnFloor(store, a.buildingId, a.floor)) : 4,
      color: PRIORITY_COLORS[a.priority],
      size: (a.state === 'new' ? 9 : 6) + (a.alarmId === sel ? 4 : 0),
      outline: a.alarmId === sel ? [255, 255, 255, 255] : a.active ? [40, 0, 0, 255] : [200, 200, 200, 255],
      onTop: true,
    }));
}

const spec: PointLayerSpec = {
  id: 'alarms',
  // repaint on any alarm change and on any change of selection (the selected marker is drawn larger, ringed white)
  revision: (s) => `${s.live.versions.alarm}|${s.ui.selectedAlarmId ?? ''}|${s.ui.explodedBuildingId ?? ''}`,
  points: alarmPoints,
  onPick: (s, id) => void s.command({ type: 'selectAlarm', alarmId: id }),
  throttleMs: 50,
};

export const alarmLayer: LiveLayerDefinition = pointLayer('alarms', 'alarmMarkers', spec, (loc) => swatchLegend(([1, 2, 3] as const).map((p) => ({ color: PRIORITY_COLORS[p], label: PRIORITY_LABELS[p][loc] })), loc === 'zh-CN' ? '大点 = 未确认；白圈 = 已选中' : 'large = unacknowledged; white ring = selected'));
