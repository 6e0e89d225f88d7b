/** 2D: the impact zone (filled, outlined), the buildings inside, the roads to close and the roadblocks. */
import type { Layer } from '@deck.gl/core';
import { PathLayer, PolygonLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { RootStore } from '../../stores/root.ts';
import type { LayerRenderer2D } from '../types.ts';
import { buildingRings, IMPACT_COLORS, shownImpact, zonePolygons } from './format.ts';

export function createImpact2D({ store }: { store: RootStore }): LayerRenderer2D {
  let visible = true;
  const revision = () => shownImpact(store)?.key ?? '';
  return {
    revision,
    deckLayers(): Layer[] {
      const shown = shownImpact(store);
      if (!visible || !shown) return [];
      const { impact, drill } = shown;
      const rev = revision();
      const line = drill ? IMPACT_COLORS.drillLine : IMPACT_COLORS.zoneLine;
      const fill = drill ? IMPACT_COLORS.drillFill : IMPACT_COLORS.zoneFill;
      return [
        new PolygonLayer<Array<Array<[number, number]>>>({
          id: 'impact-zone',
          data: zonePolygons(impact),
          getPolygon: (p) => p,
          getFillColor: fill,
          getLineColor: line,
          getLineWidth: 3,
          lineWidthUnits: 'pixels',
          stroked: true,
          filled: true,
          updateTriggers: { getPolygon: rev, getFillColor: rev, getLineColor: rev },
        }),
        new PolygonLayer<{ id: number; ring: Array<[number, number]> }>({
          id: 'impact-buildings',
          data: buildingRings(store, impact),
          getPolygon: (b) => b.ring,
          getFillColor: IMPACT_COLORS.building,
          getLineColor: [255, 255, 255, 200],
          getLineWidth: 1,
          lineWidthUnits: 'pixels',
          stroked: true,
          updateTriggers: { getPolygon: rev },
        }),
        new PathLayer<Array<[number, number]>>({
          id: 'impact-roads',
          data: impact.roads.segments,
          getPath: (p) => p,
          getColor: IMPACT_COLORS.road,
          getWidth: 5,
          widthUnits: 'pixels',
          capRounded: true,
          updateTriggers: { getPath: rev },
        }),
        new ScatterplotLayer<{ lon: number; lat: number }>({
          id: 'impact-closures',
          data: impact.roads.closures,
          getPosition: (c) => [c.lon, c.lat],
          getFillColor: [230, 30, 30, 255],
          getLineColor: IMPACT_COLORS.closure,
          getRadius: 7,
          radiusUnits: 'pixels',
          stroked: true,
          lineWidthUnits: 'pixels',
          getLineWidth: 2,
          updateTriggers: { getPosition: rev },
        }),
      ];
    },
    setVisible(v) {
      visible = v;
    },
    destroy() {
      /* deck.gl releases layer state when the overlay drops the layers */
    },
  };
}
