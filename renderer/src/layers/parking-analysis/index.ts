/** Planner analysis layer: parking supply/demand cells, heatmap and candidate sites (state in AnalysisStore). */
import { t } from '../../i18n.ts';
import { h } from '../../ui/dom.ts';
import type { LiveLayerDefinition } from '../types.ts';
import { createAnalysis2D } from './layer2d.ts';
import { createAnalysis3D } from './layer3d.ts';

export const analysisLayer: LiveLayerDefinition = {
  id: 'analysis',
  labelKey: 'analysisLayer',
  create3d: createAnalysis3D,
  create2d: createAnalysis2D,
  legend: (loc) => h('div', { class: 'legend' }, h('div', { class: 'legend-sub' }, t('layers.analysis.note', undefined, loc))),
};
