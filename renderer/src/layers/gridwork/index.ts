/**
 * Grid situation layer (网格态势): grid cells tinted by their late work (unacknowledged alarms, overdue requests,
 * overdue visits) in 2D and as flat tiles in 3D. Repaints on those streams and the 15 s clock.
 */
import { PolygonLayer } from '@deck.gl/layers';
import { comparer, computed } from 'mobx';
import { t } from '../../i18n.ts';
import { gridPerformance } from '../../grid/performance.ts';
import type { RootStore } from '../../stores/root.ts';
import { beijingToday, gridWork, requestsOf, tasksOf } from '../../work/format.ts';
import { cellsPrimitive, cellsRenderer3d } from '../cells.ts';
import { swatchLegend } from '../points.ts';
import type { LayerContext3D, LayerRenderer, LayerRenderer2D, LiveLayerDefinition } from '../types.ts';
import { GRIDWORK_STEPS, gridworkCells, type GridworkCell } from './format.ts';

const DAY_MS = 24 * 3600_000;

function cellsOf(store: RootStore) {
  return computed(() => {
    void store.realLive.versions.request;
    void store.realLive.versions.task;
    const now = store.feed.now15s;
    const perf = gridPerformance(store.realLive.alarms, store.people.grids, now, DAY_MS);
    return gridworkCells(store.people.grids, perf, gridWork(requestsOf(store.realLive.world), tasksOf(store.realLive.world), now, beijingToday(now)));
  });
}

function create2d({ store }: { store: RootStore }): LayerRenderer2D {
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

function create3d({ scene, store }: LayerContext3D): LayerRenderer {
  const cells = cellsOf(store);
  // rebuilt only when a cell's colour or shape changes, not on every recompute (every alarm step, every 15 s)
  return cellsRenderer3d(
    scene,
    () => cells.get(),
    (list, show) => cellsPrimitive(list, { idPrefix: 'gridwork', shrink: 0.96, show }),
    undefined,
    comparer.structural,
  );
}

export const gridworkLayer: LiveLayerDefinition<'gridwork'> = {
  id: 'gridwork',
  labelKey: 'work.gridLayer',
  defaultVisible: false,
  pick: () => null,
  create2d,
  create3d,
  legend: (loc) =>
    swatchLegend(
      GRIDWORK_STEPS.map((s) => ({ color: s.color, label: t(`work.grid.${s.key}`, undefined, loc) })),
      t('work.grid.note', undefined, loc),
    ),
};
