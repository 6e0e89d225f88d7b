/** Open elderly-care calls (wearable SOS, fall detection, inactivity, home emergency button). */
import { t } from '../../i18n.ts';
import type { RootStore } from '../../stores/root.ts';
import type { RGBA } from '../../palette.ts';
import { pointLayer, swatchLegend, type LivePoint, type PointLayerSpec } from '../points.ts';
import type { LiveLayerDefinition } from '../types.ts';

const CARE: RGBA = [214, 80, 255, 255];

const spec: PointLayerSpec = {
  id: 'care',
  revision: (s) => s.live.versions.care,
  points(store: RootStore): LivePoint[] {
    const out: LivePoint[] = [];
    for (const ev of store.live.world.byStream.care.values()) {
      if (ev.kind !== 'care.call') continue;
      out.push({ id: ev.deviceId, lon: ev.lon, lat: ev.lat, height: 6, color: CARE, size: 7, outline: [255, 255, 255, 255], onTop: true });
    }
    return out;
  },
  throttleMs: 100,
};

export const careLayer: LiveLayerDefinition<'care'> = pointLayer({ id: 'care', labelKey: 'care', defaultVisible: true }, spec, (loc) =>
  swatchLegend([{ color: CARE, label: t('layers.care.calls', undefined, loc) }]),
);
