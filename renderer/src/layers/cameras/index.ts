/** Cameras: every camera as a dot (offline grey); cameras turned by an SOS show their field-of-view cone. */
import { t } from '../../i18n.ts';
import type { RootStore } from '../../stores/root.ts';
import type { RGBA } from '../../palette.ts';
import { pointLayer, swatchLegend, type Cone, type LivePoint, type PointLayerSpec } from '../points.ts';
import type { LiveLayerDefinition } from '../types.ts';

const ONLINE: RGBA = [120, 180, 255, 220];
const OFFLINE: RGBA = [130, 130, 130, 255];
const TURNED: RGBA = [255, 80, 200, 255];

export function cameraState(store: RootStore): { offline: Set<string>; ptz: Map<string, number> } {
  void store.live.versions.camera;
  const offline = new Set<string>();
  const ptz = new Map<string, number>();
  for (const ev of store.live.world.byStream.camera.values()) {
    if (ev.kind === 'camera.status' && !ev.online) offline.add(ev.cameraId);
    if (ev.kind === 'camera.ptz') ptz.set(ev.cameraId, ev.heading);
  }
  return { offline, ptz };
}

const spec: PointLayerSpec = {
  id: 'cameras',
  revision: (s) => s.live.versions.camera,
  points(store): LivePoint[] {
    const { offline, ptz } = cameraState(store);
    return [...store.entities.cameras.values()].map((c) => ({
      id: c.id,
      lon: c.lon,
      lat: c.lat,
      height: 6,
      color: offline.has(c.id) ? OFFLINE : ptz.has(c.id) ? TURNED : ONLINE,
      size: ptz.has(c.id) ? 6 : 2.5,
      ...(offline.has(c.id) ? { outline: [239, 35, 60, 255] as RGBA } : {}),
    }));
  },
  cones(store): Cone[] {
    const { ptz } = cameraState(store);
    const out: Cone[] = [];
    for (const [id, heading] of ptz) {
      const c = store.entities.cameras.get(id);
      if (c) out.push({ id, lon: c.lon, lat: c.lat, heading, fov: c.fov, rangeM: c.rangeM, color: TURNED });
    }
    return out;
  },
  onPick: (_s, id) => ({ type: 'openVideo', cameraId: id }),
  owns3d: (_s, id) => id.startsWith('CAM-'),
  throttleMs: 200,
};

export const cameraLayer: LiveLayerDefinition<'cameras'> = pointLayer({ id: 'cameras', labelKey: 'cameras', defaultVisible: false }, spec, (loc) =>
  swatchLegend([
    { color: ONLINE, label: t('layers.cameras.online', undefined, loc) },
    { color: OFFLINE, label: t('layers.cameras.offline', undefined, loc) },
    { color: TURNED, label: t('layers.cameras.turned', undefined, loc) },
  ]),
);
