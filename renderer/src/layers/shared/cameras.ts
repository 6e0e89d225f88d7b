/**
 * Cameras as more than one layer draws them: the demo district's with the registry's, and the cones of the cameras
 * chosen for the selected alarm (the alarms layer draws those too, so they are on the map with the camera layer off).
 */
import type { RGBA } from '../../palette.ts';
import type { RootStore } from '../../stores/root.ts';
import type { Cone } from '../points.ts';

/** turned to an SOS, or seeing the selected alarm */
export const CAMERA_TURNED: RGBA = [255, 80, 200, 255];

/** The demo district's cameras with the registry's (a registry record replaces the demo camera of its id). */
export function allCameras(store: RootStore): Array<{ id: string; lon: number; lat: number; heading: number; fov: number; rangeM: number }> {
  const reg = store.video.registry;
  return [...[...store.entities.cameras.values()].filter((c) => !reg.has(c.id)), ...reg.values()];
}

/**
 * The cones of the cameras the feed server chose for the selected alarm (PTZ ones turned to it): drawn by the alarms
 * layer too, so the cameras that see an alarm are on the map even with the camera layer off.
 */
export function alarmCameraCones(store: RootStore): Cone[] {
  const sel = store.ui.selectedAlarmId ? store.live.alarm(store.ui.selectedAlarmId) : null;
  if (!sel?.cameras?.length) return [];
  const byId = new Map(allCameras(store).map((c) => [c.id, c]));
  return sel.cameras.flatMap((ch) => {
    const c = byId.get(ch.id);
    return c
      ? [{ id: c.id, lon: c.lon, lat: c.lat, heading: ch.mode === 'turn' ? ch.bearingDeg : c.heading, fov: c.fov, rangeM: c.rangeM, color: CAMERA_TURNED }]
      : [];
  });
}
