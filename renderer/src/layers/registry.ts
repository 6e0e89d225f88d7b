/**
 * The one place live layers are registered. Each layer is a folder with pure `format` functions, a 3D renderer,
 * a 2D renderer and a legend; views and panels iterate this list and know nothing layer-specific.
 */
import type { Scene } from '@cesium/engine';
import type { Layer } from '@deck.gl/core';
import type { Locale, StringKey } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import type { LayerId } from '../stores/ui-store.ts';
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

/** A value that changes whenever a layer must repaint: a counter, or a composite key such as `${version}|${selection}`. */
export type Revision = number | string;

export interface LayerContext3D {
  scene: Scene;
  store: RootStore;
}

export interface LayerRenderer {
  setVisible(visible: boolean): void;
  /** releases GPU resources and reactions */
  destroy(): void;
}

export interface LayerRenderer2D extends LayerRenderer {
  /** current deck.gl layers (recomputed when `revision()` changes) */
  deckLayers(): Layer[];
  /** observable change key the 2D view reacts to (compared by value) */
  revision(): Revision;
}

export interface LiveLayerDefinition {
  id: LayerId;
  labelKey: StringKey;
  create3d?(ctx: LayerContext3D): LayerRenderer;
  create2d?(ctx: { store: RootStore }): LayerRenderer2D;
  legend(locale: Locale): HTMLElement;
}

/** Drawing order: later layers on top. */
export const LIVE_LAYERS: readonly LiveLayerDefinition[] = [elderlyLayer, gridworkLayer, analysisLayer, importedLayer, parkingLayer, envLayer, requestLayer, cameraLayer, manholeLayer, careLayer, evacuationLayer, fireLayer, alarmLayer];
