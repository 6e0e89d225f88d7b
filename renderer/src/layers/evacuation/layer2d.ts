/** 2D: evacuation (indoor, outdoor) and responder routes, assembly point and station, on the analysis map. */
import type { Layer } from '@deck.gl/core';
import { PathLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { RootStore } from '../../stores/root.ts';
import type { LayerRenderer2D } from '../types.ts';
import type { RGBA } from '../../palette.ts';
import { currentIncident, EVAC_COLORS, isIncident } from './format.ts';

interface PathDatum {
  id: string;
  path: Array<[number, number]>;
  color: RGBA;
  width: number;
}
interface Marker {
  id: string;
  lon: number;
  lat: number;
  color: RGBA;
  r: number;
}

export function createEvacuation2D({ store }: { store: RootStore }): LayerRenderer2D {
  let visible = true;
  const revision = () => {
    const inc = currentIncident(store);
    return isIncident(inc) ? `${inc.plan.detectorId}|${inc.plan.indoor.exit}|${inc.plan.outdoor?.assembly.id ?? ''}` : '';
  };
  return {
    revision,
    deckLayers(): Layer[] {
      const inc = currentIncident(store);
      if (!visible || !isIncident(inc)) return [];
      const p = inc.plan;
      const paths: PathDatum[] = [];
      if (p.responder) paths.push({ id: 'responder', path: p.responder.coords.map(([x, y]) => [x, y]), color: EVAC_COLORS.responder, width: 5 });
      if (p.outdoor) paths.push({ id: 'outdoor', path: p.outdoor.coords.map(([x, y]) => [x, y]), color: EVAC_COLORS.outdoor, width: 5 });
      paths.push({ id: 'indoor', path: p.indoor.coords.map(([x, y]) => [x, y]), color: EVAC_COLORS.indoor, width: 4 });
      const markers: Marker[] = [];
      if (p.outdoor) markers.push({ id: p.outdoor.assembly.id, lon: p.outdoor.assembly.lon, lat: p.outdoor.assembly.lat, color: EVAC_COLORS.assembly, r: 9 });
      if (p.responder)
        markers.push({ id: p.responder.station.id, lon: p.responder.station.lon, lat: p.responder.station.lat, color: EVAC_COLORS.station, r: 9 });
      const rev = revision();
      return [
        new PathLayer<PathDatum>({
          id: 'evacuation-paths',
          data: paths,
          getPath: (d) => d.path,
          getColor: (d) => d.color,
          getWidth: (d) => d.width,
          widthUnits: 'pixels',
          capRounded: true,
          jointRounded: true,
          updateTriggers: { getPath: rev },
        }),
        new ScatterplotLayer<Marker>({
          id: 'evacuation-markers',
          data: markers,
          getPosition: (m) => [m.lon, m.lat],
          getFillColor: (m) => m.color,
          getRadius: (m) => m.r,
          radiusUnits: 'pixels',
          stroked: true,
          getLineColor: [255, 255, 255, 255],
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
