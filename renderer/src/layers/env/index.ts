/** Environment stations coloured by their worst current metric. */
import { LEVEL_RANK, type AlarmLevel } from '../../../../data-pipelines/contracts/manhole.ts';
import { t } from '../../i18n.ts';
import type { RootStore } from '../../stores/root.ts';
import { LEVEL_COLORS } from '../../palette.ts';
import { pointLayer, swatchLegend, type LivePoint, type PointLayerSpec } from '../points.ts';
import type { LiveLayerDefinition } from '../types.ts';

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

export const envLayer: LiveLayerDefinition<'env'> = pointLayer({ id: 'env', labelKey: 'env', defaultVisible: false }, spec, (loc) =>
  swatchLegend(
    (['alarm', 'warning', 'normal'] as const).map((l) => ({ color: LEVEL_COLORS[l], label: t(`layers.env.${l}`, undefined, loc) })),
    t('layers.env.note', undefined, loc),
  ),
);
