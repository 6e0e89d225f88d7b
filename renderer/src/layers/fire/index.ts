/** Smoke/fire detectors that are not normal, placed on their floor in 3D (following the floors when peeled). */
import { t } from '../../i18n.ts';
import type { RootStore } from '../../stores/root.ts';
import { pointLayer, swatchLegend, type LivePoint, type PointLayerSpec } from '../points.ts';
import type { LiveLayerDefinition } from '../types.ts';
import { FIRE_COLORS } from '../shared/fire-colors.ts';
import { heightOnFloor } from '../shared/floors.ts';

export { FIRE_COLORS } from '../shared/fire-colors.ts';

export function detectorPoints(store: RootStore): LivePoint[] {
  void store.live.versions.fire;
  const out: LivePoint[] = [];
  for (const ev of store.live.world.byStream.fire.values()) {
    if (ev.kind !== 'fire.detector' || ev.state === 'normal') continue;
    const d = store.entities.detectors.get(ev.detectorId);
    if (!d) continue;
    out.push({
      id: ev.detectorId,
      lon: d.lon,
      lat: d.lat,
      height: heightOnFloor(store, d.buildingId, d.floor),
      color: FIRE_COLORS[ev.state],
      size: ev.state === 'fault' ? 4 : 7,
      outline: [255, 255, 255, 255],
      onTop: true,
    });
  }
  return out;
}

const spec: PointLayerSpec = {
  id: 'fire',
  revision: (s) => `${s.live.versions.fire}|${s.ui.explodedBuildingId ?? ''}`,
  points: detectorPoints,
  // a detector (here, or drawn on a peeled floor by the evacuation layer) selects its building
  onPick: (s, id) => {
    const d = s.entities.detectors.get(id);
    return d ? { type: 'selectBuilding', buildingId: d.buildingId } : null;
  },
  owns3d: (s, id) => s.entities.detectors.has(id),
  throttleMs: 100,
};

export const fireLayer: LiveLayerDefinition<'fire'> = pointLayer({ id: 'fire', labelKey: 'fire', defaultVisible: true }, spec, (loc) =>
  swatchLegend(
    [
      { color: FIRE_COLORS.fire, label: t('layers.fire.fire', undefined, loc) },
      { color: FIRE_COLORS.smoke, label: t('layers.fire.smoke', undefined, loc) },
      { color: FIRE_COLORS.fault, label: t('layers.fire.fault', undefined, loc) },
    ],
    t('layers.fire.note', undefined, loc),
  ),
);
