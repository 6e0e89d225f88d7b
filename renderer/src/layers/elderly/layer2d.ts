/** The elderly layer in 2D (deck.gl): cells coloured by the share aged 60+. Loaded with the 2D view (issue 24). */
import { PolygonLayer } from '@deck.gl/layers';
import type { RootStore } from '../../stores/root.ts';
import type { LayerRenderer2D } from '../types.ts';
import { loadOnShow } from './density.ts';
import { elderlyCells, type ElderlyCell } from './format.ts';

export function createElderly2D({ store }: { store: RootStore }): LayerRenderer2D {
  let visible = true;
  const stop = loadOnShow(store);
  return {
    setVisible: (v) => void (visible = v),
    revision: () => `${store.people.version}|${visible}`,
    deckLayers: () =>
      visible
        ? [
            new PolygonLayer<ElderlyCell>({
              id: 'elderly-density',
              data: elderlyCells(store.people.grids, store.people.density),
              getPolygon: (c) => c.ring,
              getFillColor: (c) => c.color,
              getLineColor: [255, 255, 255, 60],
              lineWidthMinPixels: 1,
              pickable: false,
            }),
          ]
        : [],
    destroy: stop,
  };
}
