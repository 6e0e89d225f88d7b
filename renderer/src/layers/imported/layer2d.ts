/** The user's imported data in 2D (deck.gl GeoJsonLayer per visible import). Loaded with the 2D view (issue 24). */
import type { Layer } from '@deck.gl/core';
import { GeoJsonLayer } from '@deck.gl/layers';
import type { RootStore } from '../../stores/root.ts';
import type { LayerRenderer2D } from '../types.ts';

export function createImported2D({ store }: { store: RootStore }): LayerRenderer2D {
  let visible = true;
  return {
    revision: () => store.imports.version,
    deckLayers(): Layer[] {
      if (!visible) return [];
      return store.imports.layers
        .filter((l) => l.visible)
        .map(
          (l) =>
            new GeoJsonLayer({
              id: `imported-${l.id}`,
              data: {
                type: 'FeatureCollection',
                features: l.layer.features
                  .filter((f) => f.geometry)
                  .map((f) => ({ type: 'Feature' as const, geometry: f.geometry!, properties: f.properties })),
              },
              filled: true,
              stroked: true,
              getFillColor: [l.color[0], l.color[1], l.color[2], 70],
              getLineColor: l.color,
              getLineWidth: 2,
              lineWidthUnits: 'pixels',
              pointType: 'circle',
              getPointRadius: 6,
              pointRadiusUnits: 'pixels',
              pickable: true,
            }),
        );
    },
    setVisible(v) {
      visible = v;
    },
    destroy() {
      visible = false;
    },
  };
}
