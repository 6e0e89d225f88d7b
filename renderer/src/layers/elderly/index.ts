/**
 * Elderly density per grid cell (aggregates from the people service: no personal data): 2D cells coloured by the
 * share aged 60+, 3D columns as high as the number of elders. Loaded when the layer is first switched on.
 */
import { fmtPercent, t } from '../../i18n.ts';
import { h } from '../../ui/dom.ts';
import { cssColor } from '../../palette.ts';
import { cellsPrimitive, cellsRenderer3d } from '../cells.ts';
import type { LayerContext3D, LayerRenderer, LiveLayerDefinition } from '../types.ts';
import { loadOnShow } from './density.ts';
import { ELDERLY_STEPS, elderlyCells } from './format.ts';

const MAX_COLUMN_M = 300;

function create3d({ scene, store }: LayerContext3D): LayerRenderer {
  const stop = loadOnShow(store);
  return cellsRenderer3d(
    scene,
    () => store.people.version,
    (_v, show) => {
      const cells = elderlyCells(store.people.grids, store.people.density);
      const max = Math.max(...cells.map((c) => c.elderly), 1);
      return cellsPrimitive(cells, { idPrefix: 'elderly', shrink: 0.5, topM: (i) => Math.max(5, (cells[i]!.elderly / max) * MAX_COLUMN_M), show });
    },
    stop,
  );
}

export const elderlyLayer: LiveLayerDefinition<'elderly'> = {
  id: 'elderly',
  labelKey: 'people.layer',
  defaultVisible: false,
  pick: () => null,
  load2d: () => import('./layer2d.ts').then((m) => m.createElderly2D),
  create3d,
  legend: (loc) =>
    h(
      'div',
      { class: 'legend' },
      h('div', { class: 'legend-title' }, t('people.legend.title', undefined, loc)),
      h(
        'div',
        { class: 'ramp' },
        ...ELDERLY_STEPS.map((s) => h('span', { class: 'ramp-step', style: `background:${cssColor(s.color)}` }, `${fmtPercent(s.from, 0, loc)}+`)),
      ),
      h('div', { class: 'legend-note' }, t('people.legend.note', undefined, loc)),
    ),
};
