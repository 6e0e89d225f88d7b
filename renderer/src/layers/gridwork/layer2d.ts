/** The grid situation layer in 2D (deck.gl): cells tinted by their late work. Loaded with the 2D view (issue 24). */
import { PolygonLayer } from '@deck.gl/layers';
import type { RootStore } from '../../stores/root.ts';
import type { LayerRenderer2D } from '../types.ts';
import type { GridworkCell } from './format.ts';
import { cellsOf } from './late-work.ts';

export function createGridwork2D({ store }: { store: RootStore }): LayerRenderer2D {
  let visible = true;
  const cells = cellsOf(store);
  return {
    setVisible: (v) => void (visible = v),
    revision: () =>
      `${cells
        .get()
        .map((c) => `${c.id}${c.late}/${c.open}`)
        .join(',')}|${visible}`,
    deckLayers: () =>
      visible
        ? [
            new PolygonLayer<GridworkCell>({
              id: 'gridwork',
              data: cells.get(),
              getPolygon: (c) => c.ring,
              getFillColor: (c) => c.color,
              getLineColor: [255, 255, 255, 90],
              lineWidthMinPixels: 1,
              pickable: false,
            }),
          ]
        : [],
    destroy: () => undefined,
  };
}
