/** Planner analysis layer: parking supply/demand cells, heatmap and candidate sites (state in AnalysisStore). */
import { t } from '../../i18n.ts';
import type { OperatorCommand } from '../../stores/ui-store.ts';
import { h } from '../../ui/dom.ts';
import type { LiveLayerDefinition, PickTarget } from '../types.ts';
import { createAnalysis3D } from './layer3d.ts';

/**
 * A click on a cell or a candidate site selects it. 3D instances are `cell:<id>` and `site:<id>` (layer3d.ts); in 2D
 * the deck.gl layers `analysis-cells` and `analysis-sites` (layer2d.ts).
 */
export function pickAnalysis(target: PickTarget): OperatorCommand | null {
  if (target.view === '3d') {
    if (target.id.startsWith('cell:')) return { type: 'analysis', cmd: { op: 'selectCell', cellId: target.id.slice(5) } };
    if (target.id.startsWith('site:')) return { type: 'analysis', cmd: { op: 'selectSite', siteId: target.id.slice(5) } };
    return null;
  }
  if (target.layerId === 'analysis-cells')
    return { type: 'analysis', cmd: { op: 'selectCell', cellId: (target.object as { id?: string } | null)?.id ?? null } };
  if (target.layerId === 'analysis-sites')
    return { type: 'analysis', cmd: { op: 'selectSite', siteId: (target.object as { siteId?: string } | null)?.siteId ?? null } };
  return null;
}

export const analysisLayer: LiveLayerDefinition<'analysis'> = {
  id: 'analysis',
  labelKey: 'analysisLayer',
  defaultVisible: false,
  create3d: createAnalysis3D,
  load2d: () => import('./layer2d.ts').then((m) => m.createAnalysis2D),
  legend: (loc) => h('div', { class: 'legend' }, h('div', { class: 'legend-sub' }, t('layers.analysis.note', undefined, loc))),
  pick: pickAnalysis,
};
