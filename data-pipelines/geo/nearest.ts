/** Small pure geo helpers for live operations (nearest camera to an SOS post, bearing to turn a PTZ camera). */
import { haversineMeters, type XY } from './coords.ts';

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(a: XY, b: XY): number {
  const toRad = Math.PI / 180;
  const dLon = (b[0] - a[0]) * toRad;
  const y = Math.sin(dLon) * Math.cos(b[1] * toRad);
  const x = Math.cos(a[1] * toRad) * Math.sin(b[1] * toRad) - Math.sin(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.cos(dLon);
  const deg = (Math.atan2(y, x) / toRad + 360) % 360;
  return deg >= 360 ? 0 : deg;
}

/** The nearest item to `p` that passes `usable`, with its distance in metres; null if none within maxM. */
export function nearest<T extends { lon: number; lat: number }>(items: readonly T[], p: XY, usable: (t: T) => boolean = () => true, maxM = Infinity): { item: T; distanceM: number } | null {
  let best: T | null = null;
  let bestD = maxM;
  for (const it of items) {
    if (!usable(it)) continue;
    const d = haversineMeters([it.lon, it.lat], p);
    if (d < bestD) {
      bestD = d;
      best = it;
    }
  }
  return best ? { item: best, distanceM: bestD } : null;
}
