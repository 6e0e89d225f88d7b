/**
 * Elderly density per grid cell (aggregates from the people service: no personal data): 2D cells coloured by the
 * share aged 60+, 3D columns as high as the number of elders. Loaded when the layer is first switched on.
 */
import { PolygonLayer } from '@deck.gl/layers';
import { reaction, when } from 'mobx';
import { fmtPercent, t } from '../../i18n.ts';
import type { RootStore } from '../../stores/root.ts';
import { h } from '../../ui/dom.ts';
import { cssColor } from '../../palette.ts';
import { cellsPrimitive, cellsRenderer3d } from '../cells.ts';
import type { LayerContext3D, LayerRenderer, LayerRenderer2D, LiveLayerDefinition } from '../types.ts';
import { ELDERLY_STEPS, elderlyCells, type ElderlyCell } from './format.ts';

const MAX_COLUMN_M = 300;

/** Asks the feed server for the per-grid counts the first time the layer is shown. */
function loadOnShow(store: RootStore): () => void {
  return reaction(
    () => store.ui.layers.elderly,
    (on) => {
      if (on) void when(() => store.feed.status === 'live').then(() => store.people.ensureDensity());
    },
    { fireImmediately: true },
  );
}

function create2d({ store }: { store: RootStore }): LayerRenderer2D {
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
  create2d,
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
