/**
 * The map's layer ids and their default visibility (a leaf module: the UI store and saved layouts both use it).
 * The base layers (buildings, streets, compounds, grid, labels) are drawn by the views. Every other id is a live layer whose
 * folder under layers/ declares the same id and default (LiveLayerDefinition): stores may not import layers/ (import
 * boundaries), so this table mirrors the registry, and the compiler holds the two together: a folder's
 * `defaultVisible` must equal the value here, and layers/registry.ts fails to compile while a live id has no folder.
 */
export const BASE_LAYER_IDS = ['buildings', 'streets', 'compounds', 'grid', 'labels'] as const;
export type BaseLayerId = (typeof BASE_LAYER_IDS)[number];

export const ALL_LAYERS = {
  buildings: true,
  streets: true,
  compounds: true,
  grid: false,
  labels: true,
  alarms: true,
  manholes: true,
  cameras: false,
  parking: false,
  fire: true,
  care: true,
  env: false,
  evacuation: true,
  impact: true,
  analysis: false,
  imported: true,
  elderly: false,
  requests: true,
  gridwork: false,
} as const satisfies Record<string, boolean>;

export type LayerId = keyof typeof ALL_LAYERS;
/** The ids of the live layers (one folder each under layers/, registered in layers/registry.ts). */
export type LiveLayerId = Exclude<LayerId, BaseLayerId>;
