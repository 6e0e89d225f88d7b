/** Typed reads of the district package's tables (package-tables.ts): no database, so the map does not wait for DuckDB. */
import type { CameraEntity, CareEntity, DetectorEntity, PlaceEntity, SosEntity, StationEntity, WellTable } from './entities.ts';
import type { Column, PackageTable, PackageTables } from './package-tables.ts';
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

/** The district's tables for the maps and the entity store, read from the package (not from DuckDB). */
export class DistrictRepo {
  /** buildings' row numbers by id (building(), buildingNames()), made on first use */
  private buildingRows: Map<number, number> | null = null;

  constructor(private readonly tables: PackageTables) {}

  buildings(): BuildingGeom {
    const t = this.tables.table('buildings');
    const order = t.orderBy('id');
    const n = t.numRows;
    const ids = new Int32Array(n);
    const floors = new Int32Array(n);
    const heights = new Float64Array(n);
    const areas = new Float64Array(n);
    const rings: Float64Array[] = [];
    const cId = t.numbers('id');
    const cF = t.numbers('floors');
    const cH = t.numbers('height_m');
    const cA = t.numbers('area_m2');
    const cR = t.coordLists('ring');
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      ids[k] = cId(i);
      floors[k] = cF(i);
      heights[k] = cH(i);
      areas[k] = cA(i);
      rings.push(cR(i));
    }
    return { ids, floors, heights, areas, rings };
  }

  private rowOfBuilding(id: number): number | undefined {
    if (!this.buildingRows) {
      const t = this.tables.table('buildings');
      const cId = t.numbers('id');
      const rows = new Map<number, number>();
      // the first row of an id, as SQL's LIMIT 1 on table order would give
      for (let i = t.numRows - 1; i >= 0; i--) rows.set(cId(i), i);
      this.buildingRows = rows;
    }
    return this.buildingRows.get(id);
  }

  building(id: number): BuildingInfo | null {
    if (!Number.isInteger(id)) return null;
    const i = this.rowOfBuilding(id);
    if (i === undefined) return null;
    const t = this.tables.table('buildings');
    return {
      id,
      name: t.strings('name')(i) ?? '',
      floors: t.numbers('floors')(i),
      heightM: t.numbers('height_m')(i),
      areaM2: t.numbers('area_m2')(i),
      gridId: t.strings('grid_id')(i) ?? '',
      lon: t.numbers('lon')(i),
      lat: t.numbers('lat')(i),
    };
  }

  /** Names and grid cells of these buildings (an impact zone's list). */
  buildingNames(ids: readonly number[]): Map<number, { name: string; gridId: string }> {
    const out = new Map<number, { name: string; gridId: string }>();
    const t = this.tables.table('buildings');
    const name = t.strings('name');
    const grid = t.strings('grid_id');
    for (const id of new Set(ids)) {
      const i = Number.isInteger(id) ? this.rowOfBuilding(id) : undefined;
      if (i !== undefined) out.set(id, { name: name(i) ?? '', gridId: grid(i) ?? '' });
    }
    return out;
  }

  streets(): Street[] {
    const t = this.tables.table('street_edges');
    const c = t.coordLists('coords');
    const r = t.numbers('routes');
    return Array.from({ length: t.numRows }, (_, i) => ({ coords: c(i), routes: r(i) }));
  }

  compounds(): Compound[] {
    const t = this.tables.table('compounds');
    const id = t.numbers('compound_id');
    const ring = t.coordLists('ring');
    return Array.from({ length: t.numRows }, (_, i) => ({ id: id(i), ring: ring(i) }));
  }

  grid(): GridCell[] {
    const t = this.tables.table('grid_cells');
    const [id, w, s, e, n] = [t.strings('grid_id'), t.numbers('west'), t.numbers('south'), t.numbers('east'), t.numbers('north')];
    return Array.from(t.orderBy('grid_id'), (i) => ({ id: id(i) ?? '', west: w(i), south: s(i), east: e(i), north: n(i) }));
  }

  /** Loads every entity table into the (non-observable) entity store. */
  loadEntities(into: EntityTables, buildings: BuildingGeom, grid: GridCell[]): void {
    into.wells = this.wells();
    const b = this.tables.table('buildings');
    const [bId, bName] = [b.numbers('id'), b.strings('name')];
    const names = new Map<number, string>();
    for (let i = 0; i < b.numRows; i++) {
      const name = bName(i);
      if (name !== null && name.trim() !== '' && !names.has(bId(i))) names.set(bId(i), name);
    }
    into.placeIndex = new PlaceIndex(
      Array.from(buildings.ids, (id, i) => ({ id, name: names.get(id) ?? '', floors: buildings.floors[i]!, ring: buildings.rings[i]! })),
      grid,
    );
    const rows = <T>(table: string, make: (t: PackageTable) => (i: number) => T): T[] => {
      const t = this.tables.table(table);
      const row = make(t);
      return Array.from({ length: t.numRows }, (_, i) => row(i));
    };
    const str = (c: Column<string | null>) => (i: number) => c(i) ?? '';
    into.cameras = new Map(
      rows('cameras', (t) => {
        const [id, lon, lat, heading, fov, range] = [
          str(t.strings('camera_id')),
          t.numbers('lon'),
          t.numbers('lat'),
          t.numbers('heading'),
          t.numbers('fov'),
          t.numbers('range_m'),
        ];
        return (i): [string, CameraEntity] => [id(i), { id: id(i), lon: lon(i), lat: lat(i), heading: heading(i), fov: fov(i), rangeM: range(i) }];
      }),
    );
    into.places = new Map(
      rows('parking_places', (t) => {
        const [id, kind, name, lon, lat, cap] = [
          str(t.strings('place_id')),
          str(t.strings('kind')),
          str(t.strings('name')),
          t.numbers('lon'),
          t.numbers('lat'),
          t.numbers('capacity'),
        ];
        return (i): [string, PlaceEntity] => [id(i), { id: id(i), kind: kind(i) as 'lot' | 'spot', name: name(i), lon: lon(i), lat: lat(i), capacity: cap(i) }];
      }),
    );
    into.detectors = new Map(
      rows('detectors', (t) => {
        const [id, bid, floor, lon, lat] = [str(t.strings('detector_id')), t.numbers('building_id'), t.numbers('floor'), t.numbers('lon'), t.numbers('lat')];
        return (i): [string, DetectorEntity] => [id(i), { id: id(i), buildingId: bid(i), floor: floor(i), lon: lon(i), lat: lat(i) }];
      }),
    );
    into.care = new Map(
      rows('care_devices', (t) => {
        const [id, device, bid, lon, lat] = [
          str(t.strings('device_id')),
          str(t.strings('device')),
          t.numbers('building_id'),
          t.numbers('lon'),
          t.numbers('lat'),
        ];
        return (i): [string, CareEntity] => [id(i), { id: id(i), device: device(i), buildingId: bid(i), lon: lon(i), lat: lat(i) }];
      }),
    );
    into.stations = new Map(
      rows('env_stations', (t) => {
        const [id, kind, lon, lat] = [str(t.strings('station_id')), str(t.strings('kind')), t.numbers('lon'), t.numbers('lat')];
        return (i): [string, StationEntity] => [id(i), { id: id(i), kind: kind(i), lon: lon(i), lat: lat(i) }];
      }),
    );
    into.sos = new Map(
      rows('sos_posts', (t) => {
        const [id, lon, lat] = [str(t.strings('sos_id')), t.numbers('lon'), t.numbers('lat')];
        return (i): [string, SosEntity] => [id(i), { id: id(i), lon: lon(i), lat: lat(i) }];
      }),
    );
    into.buildingHeights = new Map(Array.from(buildings.ids, (id, i) => [id, buildings.heights[i]!]));
    into.buildingGeom = buildings;
    into.buildingIndex = new Map(Array.from(buildings.ids, (id, i) => [id, i]));
    const nodes = this.tables.table('street_nodes');
    const edges = this.tables.table('street_edges');
    const byNode = nodes.orderBy('node_id');
    const [nLon, nLat] = [nodes.numbers('lon'), nodes.numbers('lat')];
    const [from, to, len] = [edges.numbers('from_node'), edges.numbers('to_node'), edges.numbers('length_m')];
    const all = (n: number, c: Column<number>) => Array.from({ length: n }, (_, i) => c(i));
    into.streets = new StreetNetwork({
      lon: Array.from(byNode, (i) => nLon(i)),
      lat: Array.from(byNode, (i) => nLat(i)),
      from: all(edges.numRows, from),
      to: all(edges.numRows, to),
      lengthM: all(edges.numRows, len),
    });
    const fac = this.tables.table('facilities');
    const [fId, fKind, fName, fLon, fLat] = [
      str(fac.strings('facility_id')),
      str(fac.strings('kind')),
      str(fac.strings('name')),
      fac.numbers('lon'),
      fac.numbers('lat'),
    ];
    into.facilities = Array.from(fac.orderBy('facility_id'), (i) => ({
      id: fId(i),
      kind: fKind(i) as Facility['kind'],
      name: fName(i),
      lon: fLon(i),
      lat: fLat(i),
    }));
  }

  wells(): WellTable {
    const t = this.tables.table('manholes');
    const order = t.orderBy('well_id');
    const n = t.numRows;
    const ids: string[] = new Array(n);
    const kinds: string[] = new Array(n);
    const lon = new Float64Array(n);
    const lat = new Float64Array(n);
    const index = new Map<string, number>();
    const [cI, cK, cX, cY] = [t.strings('well_id'), t.strings('kind'), t.numbers('lon'), t.numbers('lat')];
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      ids[k] = cI(i) ?? '';
      kinds[k] = cK(i) ?? '';
      lon[k] = cX(i);
      lat[k] = cY(i);
      index.set(ids[k]!, k);
    }
    return { ids, kinds, lon, lat, index };
  }
}
