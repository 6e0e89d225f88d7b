/** Parking occupancy: lots sized by capacity and coloured by occupancy; numbered roadside spots free/taken. */
import { t } from '../../i18n.ts';
import type { RGBA } from '../../palette.ts';
import { pointLayer, swatchLegend, type LivePoint, type PointLayerSpec } from '../points.ts';
import type { LiveLayerDefinition } from '../types.ts';

/** Green (free) -> amber -> red (full) by occupancy ratio. */
export function occupancyColor(ratio: number): RGBA {
  const r = Math.max(0, Math.min(1, ratio));
  if (r < 0.7) return [46, 196, 120, 230];
  if (r < 0.9) return [255, 183, 3, 240];
  return [230, 57, 70, 250];
}

const spec: PointLayerSpec = {
  id: 'parking',
  revision: (s) => s.live.versions.parking,
  points(store): LivePoint[] {
    const out: LivePoint[] = [];
    const occ = store.live.world.byStream.parking;
    for (const p of store.entities.places.values()) {
      const ev = occ.get(p.id);
      const ratio = ev?.kind === 'parking.occupancy' ? ev.occupied / ev.capacity : Number.NaN;
      const color: RGBA = Number.isNaN(ratio) ? [120, 120, 140, 160] : occupancyColor(ratio);
      out.push({ id: p.id, lon: p.lon, lat: p.lat, height: 1, color, size: p.kind === 'lot' ? 4 + Math.sqrt(p.capacity) / 3 : 1.6 });
    }
    return out;
  },
  throttleMs: 1000,
};

export const parkingLayer: LiveLayerDefinition<'parking'> = pointLayer({ id: 'parking', labelKey: 'parking', defaultVisible: false }, spec, (loc) =>
  swatchLegend(
    [
      { color: occupancyColor(0.3), label: t('layers.parking.free', undefined, loc) },
      { color: occupancyColor(0.8), label: t('layers.parking.busy', undefined, loc) },
      { color: occupancyColor(1), label: t('layers.parking.full', undefined, loc) },
    ],
    t('layers.parking.note', undefined, loc),
  ),
);
