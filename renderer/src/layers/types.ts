/**
 * The contract every live layer implements (types only). Layers import these from here, not from registry.ts, so the
 * registry can import every layer without an import circle.
 */
import type { Scene } from '@cesium/engine';
import type { Layer } from '@deck.gl/core';
import type { Locale, StringKey } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import type { LayerId } from '../stores/ui-store.ts';

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
