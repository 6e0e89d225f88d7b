import type { OperatorCommand } from '../../stores/ui-store.ts';
import type { LiveLayerDefinition, PickStore, PickTarget } from '../types.ts';
import { createManholes3D } from './layer3d.ts';
import { manholeLegend } from './legend.ts';

/**
 * A well clicked on either map: fly there. 3D points carry the well id; in 2D the layers are `manholes-*`, whose data
 * are well indices (all wells) or `{ wellId }` (the abnormal ones). An id that is no known well is not this layer's.
 */
export function pickManhole(target: PickTarget, store: PickStore): OperatorCommand | null {
  let id: string | undefined;
  if (target.view === '3d') id = target.id;
  else if (target.layerId.startsWith('manholes')) {
    const obj = target.object;
    id = typeof obj === 'number' ? store.entities.wells.ids[obj] : (obj as { wellId?: string } | null)?.wellId;
  }
  const p = id ? store.entities.wellPoint(id) : null;
  return id && p ? { type: 'focus', lon: p.lon, lat: p.lat, what: id } : null;
}

export const manholeLayer: LiveLayerDefinition<'manholes'> = {
  id: 'manholes',
  labelKey: 'manholes',
  defaultVisible: true,
  create3d: createManholes3D,
  load2d: () => import('./layer2d.ts').then((m) => m.createManholes2D),
  legend: manholeLegend,
  pick: pickManhole,
};
