/** Loads the district package's entity tables (Arrow IPC) for the simulator and the alarm engine. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';

export interface Entities {
  wells: Array<{ id: string; kind: string; lon: number; lat: number }>;
  cameras: Array<{ id: string; lon: number; lat: number; heading: number; fov: number; rangeM: number; ptz: boolean }>;
  sos: Array<{ id: string; lon: number; lat: number }>;
  parking: Array<{ id: string; kind: 'lot' | 'spot'; lon: number; lat: number; capacity: number; ref: string }>;
  detectors: Array<{ id: string; buildingId: number; floor: number; lon: number; lat: number }>;
  care: Array<{ id: string; device: 'wearable' | 'button'; buildingId: number; lon: number; lat: number }>;
  stations: Array<{ id: string; kind: 'air' | 'noise' | 'water'; lon: number; lat: number }>;
  /** the management grid (网格) cells */
  grid: Array<{ id: string; west: number; south: number; east: number; north: number }>;
  /** real half-hourly crowd curve, peak = 1 */
  diurnal: number[];
}

function table(dir: string, name: string): Table {
  const file = join(dir, `${name}.arrow`);
  if (!existsSync(file)) throw new Error(`district package missing ${file}: run "npm run build:data" first`);
  return tableFromIPC(readFileSync(file));
}

function rows<T>(t: Table, map: (get: (col: string) => unknown) => T): T[] {
  const cols = new Map(t.schema.fields.map((f) => [f.name, t.getChild(f.name)!]));
  const out: T[] = new Array(t.numRows);
  for (let i = 0; i < t.numRows; i++) {
    out[i] = map((c) => {
      const v = cols.get(c);
      if (!v) throw new Error(`table has no column ${c}`);
      return v.get(i);
    });
  }
  return out;
}

export function loadEntities(dir: string): Entities {
  return {
    wells: rows(table(dir, 'manholes'), (g) => ({ id: String(g('well_id')), kind: String(g('kind')), lon: Number(g('lon')), lat: Number(g('lat')) })),
    cameras: rows(table(dir, 'cameras'), (g) => ({
      id: String(g('camera_id')),
      lon: Number(g('lon')),
      lat: Number(g('lat')),
      heading: Number(g('heading')),
      fov: Number(g('fov')),
      rangeM: Number(g('range_m')),
      ptz: Number(g('ptz')) === 1,
    })),
    sos: rows(table(dir, 'sos_posts'), (g) => ({ id: String(g('sos_id')), lon: Number(g('lon')), lat: Number(g('lat')) })),
    parking: rows(table(dir, 'parking_places'), (g) => ({
      id: String(g('place_id')),
      kind: String(g('kind')) as 'lot' | 'spot',
      lon: Number(g('lon')),
      lat: Number(g('lat')),
      capacity: Number(g('capacity')),
      ref: String(g('ref')),
    })),
    detectors: rows(table(dir, 'detectors'), (g) => ({
      id: String(g('detector_id')),
      buildingId: Number(g('building_id')),
      floor: Number(g('floor')),
      lon: Number(g('lon')),
      lat: Number(g('lat')),
    })),
    care: rows(table(dir, 'care_devices'), (g) => ({
      id: String(g('device_id')),
      device: String(g('device')) as 'wearable' | 'button',
      buildingId: Number(g('building_id')),
      lon: Number(g('lon')),
      lat: Number(g('lat')),
    })),
    stations: rows(table(dir, 'env_stations'), (g) => ({
      id: String(g('station_id')),
      kind: String(g('kind')) as 'air' | 'noise' | 'water',
      lon: Number(g('lon')),
      lat: Number(g('lat')),
    })),
    grid: rows(table(dir, 'grid_cells'), (g) => ({
      id: String(g('grid_id')),
      west: Number(g('west')),
      south: Number(g('south')),
      east: Number(g('east')),
      north: Number(g('north')),
    })),
    diurnal: rows(table(dir, 'crowd_diurnal'), (g) => Number(g('relative'))),
  };
}
