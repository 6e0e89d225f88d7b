import type { LiveLayerDefinition } from '../types.ts';
import { createManholes2D } from './layer2d.ts';
import { createManholes3D } from './layer3d.ts';
import { manholeLegend } from './legend.ts';

export const manholeLayer: LiveLayerDefinition = {
  id: 'manholes',
  labelKey: 'manholes',
  create3d: createManholes3D,
  create2d: createManholes2D,
  legend: manholeLegend,
};
