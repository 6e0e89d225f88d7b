/** Manholes in 2D (deck.gl): all wells as small dots + the abnormal ones drawn on top, larger, with a halo. */
import { ScatterplotLayer } from '@deck.gl/layers';
import type { AlarmLevel } from '../../../../data-pipelines/contracts/manhole.ts';

interface ActiveWell {
  wellId: string;
  level: AlarmLevel;
}
import type { RootStore } from '../../stores/root.ts';
import type { LayerRenderer2D } from '../types.ts';
import { LEVEL_COLORS, LEVEL_RADIUS_PX } from './format.ts';

export function createManholes2D({ store }: { store: RootStore }): LayerRenderer2D {
  const wells = store.entities.wells;
  // deck.gl layers are cheap descriptors, re-created on every update (a finalized instance must never be reused);
  // the data array and accessors keep their identity, so deck.gl does not recompute attributes for the base layer.
  const indices = Array.from({ length: wells.ids.length }, (_, i) => i);
  const basePosition = (i: number): [number, number] => [wells.lon[i]!, wells.lat[i]!];
  let visible = true;

  return {
    revision: () => store.live.versions.manhole,
    deckLayers() {
      if (!visible) return [];
      const active: ActiveWell[] = [...store.live.wellLevels].filter(([, l]) => l !== 'normal').map(([wellId, level]) => ({ wellId, level }));
      const version = store.live.versions.manhole;
      const pos = (s: ActiveWell): [number, number] => {
        const i = wells.index.get(s.wellId) ?? -1;
        return i < 0 ? [Number.NaN, Number.NaN] : [wells.lon[i]!, wells.lat[i]!];
      };
      return [
        new ScatterplotLayer<number>({
          id: 'manholes-all',
          data: indices,
          getPosition: basePosition,
          getFillColor: LEVEL_COLORS.normal,
          getRadius: LEVEL_RADIUS_PX.normal,
          radiusUnits: 'pixels',
          pickable: true,
        }),
        new ScatterplotLayer<ActiveWell>({
          id: 'manholes-active-halo',
          data: active,
          getPosition: pos,
          getFillColor: (s) => [...LEVEL_COLORS[s.level].slice(0, 3), 70] as [number, number, number, number],
          getRadius: (s) => LEVEL_RADIUS_PX[s.level] * 2.2,
          radiusUnits: 'pixels',
          updateTriggers: { getFillColor: version, getRadius: version },
        }),
        new ScatterplotLayer<ActiveWell>({
          id: 'manholes-active',
          data: active,
          getPosition: pos,
          getFillColor: (s) => LEVEL_COLORS[s.level],
          getLineColor: [255, 255, 255, 255],
          getRadius: (s) => LEVEL_RADIUS_PX[s.level],
          radiusUnits: 'pixels',
          stroked: true,
          lineWidthUnits: 'pixels',
          getLineWidth: 1.5,
          pickable: true,
          updateTriggers: { getFillColor: version, getRadius: version },
        }),
      ];
    },
    setVisible(v) {
      visible = v;
    },
    destroy() {
      /* deck.gl owns layer GPU state; the overlay's finalize releases it */
    },
  };
}
