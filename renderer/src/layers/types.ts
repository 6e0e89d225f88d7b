/**
 * The contract every live layer implements (types only). Layers import these from here, not from registry.ts, so the
 * registry can import every layer without an import circle.
 */
import type { Scene } from '@cesium/engine';
import type { Layer } from '@deck.gl/core';
import type { Locale, StringKey } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import type { ALL_LAYERS, LiveLayerId } from '../stores/layer-ids.ts';
import type { OperatorCommand } from '../stores/ui-store.ts';

/** A value that changes whenever a layer must repaint: a counter, or a composite key such as `${version}|${selection}`. */
export type Revision = number | string;

export interface LayerContext3D {
  scene: Scene;
  store: RootStore;
}

/** What a 2D renderer is given: the store, and the map's whole zoom level (observable; changes only at whole steps). */
export interface LayerContext2D {
  store: RootStore;
  zoomStep(): number;
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

/**
 * What a click on a map hit. 3D: the string id of the Cesium primitive (or geometry instance) under the cursor.
 * 2D: the id of the deck.gl layer and the picked datum (an object, or an index for index-based data).
 */
export type PickTarget = { view: '3d'; id: string } | { view: '2d'; layerId: string; object: unknown };

/** The store a pick hook reads entity tables from (detectors, wells). */
export type PickStore = Pick<RootStore, 'entities' | 'video'>;

/** Makes a layer's 2D renderer (what `load2d` resolves to). */
export type Create2D = (ctx: LayerContext2D) => LayerRenderer2D;

export interface LiveLayerDefinition<I extends LiveLayerId = LiveLayerId> {
  id: I;
  labelKey: StringKey;
  /** shown when the app starts (must equal stores/layer-ids.ts, which the stores read) */
  defaultVisible: (typeof ALL_LAYERS)[I];
  create3d?(ctx: LayerContext3D): LayerRenderer;
  /**
   * The 2D renderer's factory, loaded with the 2D view (dynamic import: deck.gl and maplibre stay out of the start-up
   * bundle, issue 24); the 2D view awaits every layer's before it is made.
   */
  load2d?(): Promise<Create2D>;
  legend(locale: Locale): HTMLElement;
  /**
   * Whether this layer drew what was clicked, and what the click means: the operator command to run, or null when
   * the target is not this layer's (or this layer ignores clicks). Both views ask the registry (pickOwner).
   */
  pick(target: PickTarget, store: PickStore): OperatorCommand | null;
}
