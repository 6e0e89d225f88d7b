/**
 * Cameras: every camera as a dot (offline grey), the demo's and the registry's (cameras with live streams, ringed);
 * view cones for the cameras that matter now: turned by an SOS, on the video wall, chosen for the selected alarm, and
 * every registry camera.
 */
import { t } from '../../i18n.ts';
import type { RootStore } from '../../stores/root.ts';
import type { RGBA } from '../../palette.ts';
import { pointLayer, swatchLegend, type Cone, type LivePoint, type PointLayerSpec } from '../points.ts';
import { alarmCameraCones, allCameras, CAMERA_TURNED as TURNED } from '../shared/cameras.ts';
import type { LiveLayerDefinition } from '../types.ts';

const ONLINE: RGBA = [120, 180, 255, 220];
const OFFLINE: RGBA = [130, 130, 130, 255];

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

const LIVE: RGBA = [80, 230, 160, 255];
/** above this many registry cameras only the ones that matter now get a cone (turned, on the wall, the alarm's) */
const MAX_REGISTRY_CONES = 500;

const spec: PointLayerSpec = {
  id: 'cameras',
  revision: (s) => `${s.live.versions.camera}|${s.video.registry.size}|${s.video.tiles.map((t) => t.cameraId).join(',')}|${s.ui.selectedAlarmId}`,
  points(store): LivePoint[] {
    const { offline, ptz } = cameraState(store);
    const reg = store.video.registry;
    return allCameras(store).map((c) => ({
      id: c.id,
      lon: c.lon,
      lat: c.lat,
      height: 6,
      color: offline.has(c.id) ? OFFLINE : ptz.has(c.id) ? TURNED : ONLINE,
      size: ptz.has(c.id) ? 6 : 2.5,
      ...(offline.has(c.id) ? { outline: [239, 35, 60, 255] as RGBA } : reg.has(c.id) ? { outline: LIVE } : {}),
    }));
  },
  cones(store): Cone[] {
    const { ptz } = cameraState(store);
    const byId = new Map(allCameras(store).map((c) => [c.id, c]));
    const out = new Map<string, Cone>();
    const add = (id: string, color: RGBA, heading?: number) => {
      const c = byId.get(id);
      if (c && !out.has(id)) out.set(id, { id, lon: c.lon, lat: c.lat, heading: heading ?? c.heading, fov: c.fov, rangeM: c.rangeM, color });
    };
    for (const [id, heading] of ptz) add(id, TURNED, heading);
    for (const c of alarmCameraCones(store)) out.set(c.id, c);
    for (const t of store.video.tiles) if (t.cameraId) add(t.cameraId, LIVE);
    // every registry camera's cone while they are few enough to read (a city-wide registry: the dots, ringed)
    if (store.video.registry.size <= MAX_REGISTRY_CONES) for (const id of store.video.registry.keys()) add(id, [LIVE[0], LIVE[1], LIVE[2], 150]);
    return [...out.values()];
  },
  onPick: (_s, id) => ({ type: 'openVideo', cameraId: id }),
  owns3d: (s, id) => s.entities.cameras.has(id) || s.video.registry.has(id),
  throttleMs: 200,
};

export const cameraLayer: LiveLayerDefinition<'cameras'> = pointLayer({ id: 'cameras', labelKey: 'cameras', defaultVisible: false }, spec, (loc) =>
  swatchLegend([
    { color: ONLINE, label: t('layers.cameras.online', undefined, loc) },
    { color: OFFLINE, label: t('layers.cameras.offline', undefined, loc) },
    { color: TURNED, label: t('layers.cameras.turned', undefined, loc) },
    { color: LIVE, label: t('layers.cameras.live', undefined, loc) },
  ]),
);
