/** Typed queries over the district package tables in DuckDB. */
import type { Table } from 'apache-arrow';
import type { CameraEntity, CareEntity, DetectorEntity, PlaceEntity, SosEntity, StationEntity, WellTable } from './entities.ts';
import type { LocalDb } from './duckdb.ts';
import type { Facility } from '../../../data-pipelines/routing/evacuation.ts';
import { StreetNetwork } from '../../../data-pipelines/routing/streets.ts';
import { PlaceIndex } from '../../../data-pipelines/geo/place.ts';

export interface DistrictMeta {
  name: { 'zh-CN': string; en: string };
  bbox: { west: number; south: number; east: number; north: number };
  center: { lon: number; lat: number };
  boundary: Array<[number, number]>;
  presets: Array<{ id: string; label: { 'zh-CN': string; en: string }; lon: number; lat: number; height: number; heading: number; pitch: number }>;
  metresPerFloor: number;
  credits: Array<{ data: string; licence: string; file: string }>;
}

export interface BuildingGeom {
  ids: Int32Array;
  floors: Int32Array;
  heights: Float64Array;
  areas: Float64Array;
  /** flat [lon, lat, lon, lat, ...] per building */
  rings: Float64Array[];
}

export interface BuildingInfo {
  id: number;
  name: string;
  floors: number;
  heightM: number;
  areaM2: number;
  gridId: string;
  lon: number;
  lat: number;
}

/** What loadEntities fills (the entity store implements it; data/ never imports stores/). */
export interface EntityTables {
  wells: WellTable;
  cameras: Map<string, CameraEntity>;
  places: Map<string, PlaceEntity>;
  detectors: Map<string, DetectorEntity>;
  care: Map<string, CareEntity>;
  stations: Map<string, StationEntity>;
  sos: Map<string, SosEntity>;
  buildingHeights: Map<number, number>;
  buildingGeom: BuildingGeom | null;
  buildingIndex: Map<number, number>;
  streets: StreetNetwork | null;
  facilities: Facility[];
  /** names for locations: the building a point is in, the nearest named building, the grid cell */
  placeIndex: PlaceIndex | null;
}

export interface Street {
  coords: Float64Array;
  routes: number;
}

export interface Compound {
  id: number;
  ring: Float64Array;
}

export interface GridCell {
  id: string;
  west: number;
  south: number;
  east: number;
  north: number;
}

function col<T = unknown>(t: Table, name: string): { get(i: number): T } {
  const c = t.getChild(name);
  if (!c) throw new Error(`query result has no column ${name}`);
  return c as unknown as { get(i: number): T };
}

const listToF64 = (v: unknown): Float64Array => {
  const a = (v as { toArray(): ArrayLike<number> }).toArray();
  return a instanceof Float64Array ? a : Float64Array.from(a);
};

export class DistrictRepo {
  constructor(private readonly db: LocalDb) {}

  async buildings(): Promise<BuildingGeom> {
    const t = await this.db.query(`SELECT id, floors, height_m, area_m2, ring FROM buildings ORDER BY id`);
    const n = t.numRows;
    const ids = new Int32Array(n);
    const floors = new Int32Array(n);
    const heights = new Float64Array(n);
    const areas = new Float64Array(n);
    const cA = col<number>(t, 'area_m2');
    const rings: Float64Array[] = [];
    const cId = col<number>(t, 'id');
    const cF = col<number>(t, 'floors');
    const cH = col<number>(t, 'height_m');
    const cR = col(t, 'ring');
    for (let i = 0; i < n; i++) {
      ids[i] = cId.get(i);
      floors[i] = cF.get(i);
      heights[i] = cH.get(i);
      areas[i] = cA.get(i);
      rings.push(listToF64(cR.get(i)));
    }
    return { ids, floors, heights, areas, rings };
  }

  async building(id: number): Promise<BuildingInfo | null> {
    if (!Number.isInteger(id)) return null;
    const t = await this.db.query(`SELECT id, name, floors, height_m, area_m2, grid_id, lon, lat FROM buildings WHERE id = ${id}`);
    if (t.numRows === 0) return null;
    const r = t.get(0)!.toJSON() as Record<string, unknown>;
    return {
      id: Number(r['id']),
      name: String(r['name'] ?? ''),
      floors: Number(r['floors']),
      heightM: Number(r['height_m']),
      areaM2: Number(r['area_m2']),
      gridId: String(r['grid_id'] ?? ''),
      lon: Number(r['lon']),
      lat: Number(r['lat']),
    };
  }

  /** Names and grid cells of these buildings (an impact zone's list). */
  async buildingNames(ids: readonly number[]): Promise<Map<number, { name: string; gridId: string }>> {
    const safe = [...new Set(ids)].filter((id) => Number.isInteger(id));
    const out = new Map<number, { name: string; gridId: string }>();
    if (!safe.length) return out;
    const t = await this.db.query(`SELECT id, name, grid_id FROM buildings WHERE id IN (${safe.join(',')})`);
    for (const row of t.toArray()) {
      const r = row.toJSON() as Record<string, unknown>;
      out.set(Number(r['id']), { name: String(r['name'] ?? ''), gridId: String(r['grid_id'] ?? '') });
    }
    return out;
  }

  async streets(): Promise<Street[]> {
    const t = await this.db.query(`SELECT coords, routes FROM street_edges`);
    const c = col(t, 'coords');
    const r = col<number>(t, 'routes');
    return Array.from({ length: t.numRows }, (_, i) => ({ coords: listToF64(c.get(i)), routes: r.get(i) }));
  }

  async compounds(): Promise<Compound[]> {
    const t = await this.db.query(`SELECT compound_id, ring FROM compounds`);
    const id = col<number>(t, 'compound_id');
    const ring = col(t, 'ring');
    return Array.from({ length: t.numRows }, (_, i) => ({ id: id.get(i), ring: listToF64(ring.get(i)) }));
  }

  async grid(): Promise<GridCell[]> {
    const t = await this.db.query(`SELECT grid_id, west, south, east, north FROM grid_cells ORDER BY grid_id`);
    return t.toArray().map((row) => {
      const r = row.toJSON() as Record<string, unknown>;
      return { id: String(r['grid_id']), west: Number(r['west']), south: Number(r['south']), east: Number(r['east']), north: Number(r['north']) };
    });
  }

  private async rows(sql: string): Promise<Array<Record<string, unknown>>> {
    const t = await this.db.query(sql);
    return t.toArray().map((r) => r.toJSON() as Record<string, unknown>);
  }

  /** Loads every entity table into the (non-observable) entity store. */
  async loadEntities(into: EntityTables, buildings: BuildingGeom, grid: GridCell[]): Promise<void> {
    into.wells = await this.wells();
    const named = await this.rows(`SELECT id, name FROM buildings WHERE name IS NOT NULL AND trim(name) <> ''`);
    const names = new Map(named.map((r) => [Number(r['id']), String(r['name'])]));
    into.placeIndex = new PlaceIndex(
      Array.from(buildings.ids, (id, i) => ({ id, name: names.get(id) ?? '', floors: buildings.floors[i]!, ring: buildings.rings[i]! })),
      grid,
    );
    const [cams, places, dets, care, stations, sos] = await Promise.all([
      this.rows(`SELECT camera_id, lon, lat, heading, fov, range_m FROM cameras`),
      this.rows(`SELECT place_id, kind, name, lon, lat, capacity FROM parking_places`),
      this.rows(`SELECT detector_id, building_id, floor, lon, lat FROM detectors`),
      this.rows(`SELECT device_id, device, building_id, lon, lat FROM care_devices`),
      this.rows(`SELECT station_id, kind, lon, lat FROM env_stations`),
      this.rows(`SELECT sos_id, lon, lat FROM sos_posts`),
    ]);
    const n = (v: unknown) => Number(v);
    into.cameras = new Map(
      cams.map((r) => [
        String(r['camera_id']),
        { id: String(r['camera_id']), lon: n(r['lon']), lat: n(r['lat']), heading: n(r['heading']), fov: n(r['fov']), rangeM: n(r['range_m']) },
      ]),
    );
    into.places = new Map(
      places.map((r) => [
        String(r['place_id']),
        {
          id: String(r['place_id']),
          kind: String(r['kind']) as 'lot' | 'spot',
          name: String(r['name']),
          lon: n(r['lon']),
          lat: n(r['lat']),
          capacity: n(r['capacity']),
        },
      ]),
    );
    into.detectors = new Map(
      dets.map((r) => [
        String(r['detector_id']),
        { id: String(r['detector_id']), buildingId: n(r['building_id']), floor: n(r['floor']), lon: n(r['lon']), lat: n(r['lat']) },
      ]),
    );
    into.care = new Map(
      care.map((r) => [
        String(r['device_id']),
        { id: String(r['device_id']), device: String(r['device']), buildingId: n(r['building_id']), lon: n(r['lon']), lat: n(r['lat']) },
      ]),
    );
    into.stations = new Map(
      stations.map((r) => [String(r['station_id']), { id: String(r['station_id']), kind: String(r['kind']), lon: n(r['lon']), lat: n(r['lat']) }]),
    );
    into.sos = new Map(sos.map((r) => [String(r['sos_id']), { id: String(r['sos_id']), lon: n(r['lon']), lat: n(r['lat']) }]));
    into.buildingHeights = new Map(Array.from(buildings.ids, (id, i) => [id, buildings.heights[i]!]));
    into.buildingGeom = buildings;
    into.buildingIndex = new Map(Array.from(buildings.ids, (id, i) => [id, i]));
    const [nodes, edges, fac] = await Promise.all([
      this.db.query(`SELECT node_id, lon, lat FROM street_nodes ORDER BY node_id`),
      this.db.query(`SELECT from_node, to_node, length_m FROM street_edges`),
      this.rows(`SELECT facility_id, kind, name, lon, lat FROM facilities ORDER BY facility_id`),
    ]);
    const arr = (t: Table, c: string) => Array.from({ length: t.numRows }, (_, i) => Number(col(t, c).get(i)));
    into.streets = new StreetNetwork({
      lon: arr(nodes, 'lon'),
      lat: arr(nodes, 'lat'),
      from: arr(edges, 'from_node'),
      to: arr(edges, 'to_node'),
      lengthM: arr(edges, 'length_m'),
    });
    into.facilities = fac.map((r) => ({
      id: String(r['facility_id']),
      kind: String(r['kind']) as Facility['kind'],
      name: String(r['name']),
      lon: n(r['lon']),
      lat: n(r['lat']),
    }));
  }

  async wells(): Promise<WellTable> {
    const t = await this.db.query(`SELECT well_id, kind, lon, lat FROM manholes ORDER BY well_id`);
    const n = t.numRows;
    const ids: string[] = new Array(n);
    const kinds: string[] = new Array(n);
    const lon = new Float64Array(n);
    const lat = new Float64Array(n);
    const index = new Map<string, number>();
    const cI = col<string>(t, 'well_id');
    const cK = col<string>(t, 'kind');
    const cX = col<number>(t, 'lon');
    const cY = col<number>(t, 'lat');
    for (let i = 0; i < n; i++) {
      ids[i] = cI.get(i);
      kinds[i] = cK.get(i);
      lon[i] = cX.get(i);
      lat[i] = cY.get(i);
      index.set(ids[i]!, i);
    }
    return { ids, kinds, lon, lat, index };
  }
}
