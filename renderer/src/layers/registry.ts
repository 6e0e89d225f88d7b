/**
 * The one place live layers are registered. Each layer is a folder that owns its id, default visibility, pure
 * `format` functions, 3D and 2D renderers, legend, label and pick hook; views and panels iterate this list and know
 * nothing layer-specific. Adding a layer: its folder, one line here (and its id and default in stores/layer-ids.ts,
 * which the stores read: the compiler points at both).
 */
import { alarmLayer } from './alarms/index.ts';
import { careLayer } from './care/index.ts';
import { cameraLayer } from './cameras/index.ts';
import { envLayer } from './env/index.ts';
import { fireLayer } from './fire/index.ts';
import { evacuationLayer } from './evacuation/index.ts';
import { impactLayer } from './impact/index.ts';
import { manholeLayer } from './manholes/index.ts';
import { parkingLayer } from './parking/index.ts';
import { analysisLayer } from './parking-analysis/index.ts';
import { importedLayer } from './imported/index.ts';
import { elderlyLayer } from './elderly/index.ts';
import { requestLayer } from './requests/index.ts';
import { gridworkLayer } from './gridwork/index.ts';

export type { Create2D, LayerContext3D, LayerRenderer, LayerRenderer2D, LiveLayerDefinition, PickStore, PickTarget, Revision } from './types.ts';
import type { LiveLayerId } from '../stores/layer-ids.ts';
import type { OperatorCommand } from '../stores/ui-store.ts';
import type { Create2D, LiveLayerDefinition, PickStore, PickTarget } from './types.ts';

/** Drawing order: later layers on top. */
const REGISTERED = [
  elderlyLayer,
  gridworkLayer,
  analysisLayer,
  importedLayer,
  impactLayer,
  parkingLayer,
  envLayer,
  requestLayer,
  cameraLayer,
  manholeLayer,
  careLayer,
  evacuationLayer,
  fireLayer,
  alarmLayer,
] as const;
export const LIVE_LAYERS: readonly LiveLayerDefinition[] = REGISTERED;

/** Compile-time check: every live id of stores/layer-ids.ts has a registered folder (an error names the missing id). */
type AllRegistered<Missing extends never> = Missing;
export type LiveLayersComplete = AllRegistered<Exclude<LiveLayerId, (typeof REGISTERED)[number]['id']>>;

/** Top-most first: what a click hits is asked of the layer drawn on top before the ones under it. */
const PICK_ORDER = [...LIVE_LAYERS].reverse();

/**
 * Who owns a picked object, and what the click means: the first layer (top-most first) whose pick hook claims the
 * target, with its command; null when no live layer drew it (each view then does its own default).
 */
export function pickOwner(target: PickTarget, store: PickStore): { layer: LiveLayerDefinition; command: OperatorCommand } | null {
  for (const layer of PICK_ORDER) {
    const command = layer.pick(target, store);
    if (command) return { layer, command };
  }
  return null;
}

/** A layer's 2D factory, loaded: what the 2D view is made with. */
export interface Loaded2D {
  id: LiveLayerId;
  create: Create2D;
}

/**
 * Every layer's 2D renderer factory, in drawing order (each layer's 2D module is a dynamic import: deck.gl is not in
 * the start-up bundle, issue 24). Rejects if one cannot be loaded: the 2D view is not made with a layer missing.
 */
export function load2dLayers(): Promise<Loaded2D[]> {
  return Promise.all(LIVE_LAYERS.flatMap((d) => (d.load2d ? [d.load2d().then((create) => ({ id: d.id, create }))] : [])));
}
