/**
 * Manholes in 2D (deck.gl): close up (zoom ≥ WELL_POINTS_FROM_ZOOM) every well as a small dot; further out the wells
 * counted in cells, one faint dot a cell sized by its count. The abnormal ones are drawn on top at every zoom, larger,
 * with a halo.
 */
import { ScatterplotLayer } from '@deck.gl/layers';
import type { AlarmLevel } from '../../../../data-pipelines/contracts/manhole.ts';

interface ActiveWell {
  wellId: string;
  level: AlarmLevel;
}
import type { LayerContext2D, LayerRenderer2D } from '../types.ts';
import { aggregateWells, LEVEL_COLORS, LEVEL_RADIUS_PX, WELL_CELL_COLOR, WELL_POINTS_FROM_ZOOM, wellCellM, wellCellRadiusPx, type WellCell } from './format.ts';

export function createManholes2D({ store, zoomStep }: LayerContext2D): LayerRenderer2D {
  const wells = store.entities.wells;
  // deck.gl layers are cheap descriptors, re-created on every update (a finalized instance must never be reused);
  // the data array and accessors keep their identity, so deck.gl does not recompute attributes for the base layer.
  const indices = Array.from({ length: wells.ids.length }, (_, i) => i);
  const basePosition = (i: number): [number, number] => [wells.lon[i]!, wells.lat[i]!];
  let visible = true;
  // the counted cells of each zoom step, computed when first shown (the wells do not move)
  const cellsByM = new Map<number, { cells: WellCell[]; max: number }>();
  const cellsAt = (step: number) => {
    const m = wellCellM(step);
    let c = cellsByM.get(m);
    if (!c) {
      const cells = aggregateWells(wells.lon, wells.lat, m);
      c = { cells, max: cells.reduce((a, x) => Math.max(a, x.count), 1) };
      cellsByM.set(m, c);
    }
    return c;
  };
  const close = () => zoomStep() >= WELL_POINTS_FROM_ZOOM;

  return {
    revision: () => `${store.live.versions.manhole}|${close() ? 'points' : wellCellM(zoomStep())}`,
    deckLayers() {
      if (!visible) return [];
      const active: ActiveWell[] = [...store.live.wellLevels].filter(([, l]) => l !== 'normal').map(([wellId, level]) => ({ wellId, level }));
      const version = store.live.versions.manhole;
      const pos = (s: ActiveWell): [number, number] => {
        const i = wells.index.get(s.wellId) ?? -1;
        return i < 0 ? [Number.NaN, Number.NaN] : [wells.lon[i]!, wells.lat[i]!];
      };
      const step = zoomStep();
      const agg = close() ? null : cellsAt(step);
      return [
        agg
          ? new ScatterplotLayer<WellCell>({
              id: `manholes-cells-${wellCellM(step)}`,
              data: agg.cells,
              getPosition: (c) => [c.lon, c.lat],
              getFillColor: WELL_CELL_COLOR,
              getRadius: (c) => wellCellRadiusPx(c.count, agg.max),
              radiusUnits: 'pixels',
            })
          : new ScatterplotLayer<number>({
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
