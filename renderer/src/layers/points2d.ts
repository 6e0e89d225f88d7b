/**
 * The 2D (deck.gl) renderer of a point layer (points.ts): in a chunk of its own, loaded with the 2D view (issue 24).
 */
import { PolygonLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { RootStore } from '../stores/root.ts';
import { conePolygon, type Cone, type LivePoint, type PointLayerSpec } from './point-spec.ts';
import type { LayerRenderer2D } from './types.ts';

export function createPointLayer2D(spec: PointLayerSpec, { store }: { store: RootStore }): LayerRenderer2D {
  let visible = true;
  return {
    revision: () => spec.revision(store),
    deckLayers(): Layer[] {
      if (!visible) return [];
      const pts = spec.points(store);
      const rev = spec.revision(store);
      const out: Layer[] = [];
      const cones = spec.cones?.(store) ?? [];
      if (cones.length)
        out.push(
          new PolygonLayer<Cone>({
            id: `${spec.id}-cones`,
            data: cones,
            getPolygon: (c) => conePolygon(c),
            getFillColor: (c) => [c.color[0], c.color[1], c.color[2], 60],
            getLineColor: (c) => c.color,
            lineWidthUnits: 'pixels',
            getLineWidth: 1.5,
            updateTriggers: { getPolygon: rev },
          }),
        );
      out.push(
        new ScatterplotLayer<LivePoint>({
          id: spec.id,
          data: pts,
          getPosition: (p) => [p.lon, p.lat],
          getFillColor: (p) => p.color,
          getRadius: (p) => p.size,
          radiusUnits: 'pixels',
          stroked: true,
          getLineColor: (p) => p.outline ?? [0, 0, 0, 0],
          lineWidthUnits: 'pixels',
          getLineWidth: (p) => (p.outline ? 1.5 : 0),
          // clicks are resolved by the 2D view through the registry (pointPick)
          pickable: !!spec.onPick,
          updateTriggers: { getFillColor: rev, getRadius: rev, getLineColor: rev },
        }),
      );
      return out;
    },
    setVisible(v) {
      visible = v;
    },
    destroy() {
      /* deck.gl releases layer state when the overlay drops the layers */
    },
  };
}
