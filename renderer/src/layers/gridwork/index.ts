/**
 * Grid situation layer (网格态势): grid cells tinted by their late work (unacknowledged alarms, overdue requests,
 * overdue visits) in 2D and as flat tiles in 3D. Repaints on those streams and the 15 s clock.
 */
import { comparer } from 'mobx';
import { t } from '../../i18n.ts';
import { cellsPrimitive, cellsRenderer3d } from '../cells.ts';
import { swatchLegend } from '../points.ts';
import type { LayerContext3D, LayerRenderer, LiveLayerDefinition } from '../types.ts';
import { GRIDWORK_STEPS } from './format.ts';
import { cellsOf } from './late-work.ts';

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
  load2d: () => import('./layer2d.ts').then((m) => m.createGridwork2D),
  create3d,
  legend: (loc) =>
    swatchLegend(
      GRIDWORK_STEPS.map((s) => ({ color: s.color, label: t(`work.grid.${s.key}`, undefined, loc) })),
      t('work.grid.note', undefined, loc),
    ),
};
