import type { RootStore } from '../../stores/root.ts';
import { pointLayer, swatchLegend, type LivePoint, type PointLayerSpec } from '../points.ts';
import type { LiveLayerDefinition } from '../types.ts';
import { heightOnFloor } from '../shared/floors.ts';
import { t } from '../../i18n.ts';
import { alarmHasPlace, isAlarmId, PRIORITY_COLORS, priorityLabel } from './format.ts';
import { alarmCameraCones } from '../shared/cameras.ts';

/**
 * Open alarms as markers; fire alarms sit on their floor in 3D. Alarms about a data source (category `feed`) have no
 * place of their own (alarmHasPlace): they are in the alarm list and the sources panel, never a pin on the maps.
 */
export function alarmPoints(store: RootStore): LivePoint[] {
  const sel = store.ui.selectedAlarmId;
  return store.live.openAlarms
    .filter((a) => a.state !== 'shelved' && alarmHasPlace(a))
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
  revision: (s) => `${s.live.versions.alarm}|${s.ui.selectedAlarmId ?? ''}|${s.ui.explodedBuildingId ?? ''}|${s.video.registry.size}`,
  points: alarmPoints,
  // the cameras that see the selected alarm, even with the camera layer off
  cones: alarmCameraCones,
  onPick: (_s, id) => ({ type: 'selectAlarm', alarmId: id }),
  owns3d: (_s, id) => isAlarmId(id),
  throttleMs: 50,
};

export const alarmLayer: LiveLayerDefinition<'alarms'> = pointLayer({ id: 'alarms', labelKey: 'alarmMarkers', defaultVisible: true }, spec, (loc) =>
  swatchLegend(
    ([1, 2, 3] as const).map((p) => ({ color: PRIORITY_COLORS[p], label: priorityLabel(p, loc) })),
    t('layers.alarms.note', undefined, loc),
  ),
);
