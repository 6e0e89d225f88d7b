/** The map's layer ids and their default visibility (a leaf module: the UI store and saved layouts both use it). */
export type LayerId = 'buildings' | 'streets' | 'compounds' | 'grid' | 'alarms' | 'manholes' | 'cameras' | 'parking' | 'fire' | 'care' | 'env' | 'evacuation' | 'analysis' | 'imported' | 'elderly' | 'requests' | 'gridwork';

export const ALL_LAYERS: Record<LayerId, boolean> = {
  buildings: true,
  streets: true,
  compounds: true,
  grid: false,
  alarms: true,
  manholes: true,
  cameras: false,
  parking: false,
  fire: true,
  care: true,
  env: false,
  evacuation: true,
  analysis: false,
  imported: true,
  elderly: false,
  requests: true,
  gridwork: false,
};
