/** Environment stations coloured by their worst current metric. */
import { LEVEL_RANK, type AlarmLevel } from '../../../../data-pipelines/contracts/manhole.ts';
import type { RootStore } from '../../stores/root.ts';
import { LEVEL_COLORS } from '../manholes/format.ts';
import { pointLayer, swatchLegend, type LivePoint, type PointLayerSpec } from '../points.ts';
import type { LiveLayerDefinition } from '../registry.ts';

const spec: PointLayerSpec = {
  id: 'env',
  revision: (s) => s.live.versions.env,
  points(store: RootStore): LivePoint[] {
    const worst = new Map<string, AlarmLevel>();
    for (const ev of store.live.world.byStream.env.values()) {
      if (ev.kind !== 'env.reading') continue;
      const cur = worst.get(ev.stationId);
      if (!cur || LEVEL_RANK[ev.level] > LEVEL_RANK[cur]) worst.set(ev.stationId, ev.level);
    }
    return [...store.entities.stations.values()].map((s) => {
      const l = worst.get(s.id) ?? 'normal';
      return { id: s.id, lon: s.lon, lat: s.lat, height: 10, color: LEVEL_COLORS[l], size: 6, outline: [20, 40, 80, 255] };
    });
  },
  throttleMs: 1000,
};

export const envLayer: LiveLayerDefinition = pointLayer('env', 'env', spec, (loc) =>
    swatchLegend((['alarm', 'warning', 'normal'] as const).map((l) => ({ color: LEVEL_COLORS[l], label: { alarm: ['超标', 'Exceeded'], warning: ['偏高', 'Elevated'], normal: ['良好', 'Good'] }[l][loc === 'zh-CN' ? 0 : 1]! })), loc === 'zh-CN' ? '空气(AQI/PM2.5)、噪声、水质' : 'air (AQI/PM2.5), noise, water'));
