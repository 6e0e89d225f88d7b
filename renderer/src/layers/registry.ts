/**
 * The one place live layers are registered. Each layer is a folder with pure `format` functions, a 3D renderer,
 * a 2D renderer and a legend; views and panels iterate this list and know nothing layer-specific.
 */
import { alarmLayer } from './alarms/index.ts';
import { careLayer } from './care/index.ts';
import { cameraLayer } from './cameras/index.ts';
import { envLayer } from './env/index.ts';
import { fireLayer } from './fire/index.ts';
import { evacuationLayer } from './evacuation/index.ts';
import { manholeLayer } from './manholes/index.ts';
import { parkingLayer } from './parking/index.ts';
import { analysisLayer } from './parking-analysis/index.ts';
import { importedLayer } from './imported/index.ts';
import { elderlyLayer } from './elderly/index.ts';
import { requestLayer } from './requests/index.ts';
import { gridworkLayer } from './gridwork/index.ts';

export type { LayerContext3D, LayerRenderer, LayerRenderer2D, LiveLayerDefinition, Revision } from './types.ts';
import type { LiveLayerDefinition } from './types.ts';

/** Drawing order: later layers on top. */
export const LIVE_LAYERS: readonly LiveLayerDefinition[] = [elderlyLayer, gridworkLayer, analysisLayer, importedLayer, parkingLayer, envLayer, requestLayer, cameraLayer, manholeLayer, careLayer, evacuationLayer, fireLayer, alarmLayer];
