/** Static entity tables of the district (from DuckDB), kept out of mobx: they never change after load. */
export interface Point {
  lon: number;
  lat: number;
}
export interface WellEntity extends Point {
  id: string;
  kind: string;
}
export interface CameraEntity extends Point {
  id: string;
  heading: number;
  fov: number;
  rangeM: number;
}
export interface PlaceEntity extends Point {
  id: string;
  kind: 'lot' | 'spot';
  capacity: number;
  name: string;
}
export interface DetectorEntity extends Point {
  id: string;
  buildingId: number;
  floor: number;
}
export interface CareEntity extends Point {
  id: string;
  buildingId: number;
  device: string;
}
export interface StationEntity extends Point {
  id: string;
  kind: string;
}
export interface SosEntity extends Point {
  id: string;
}

export interface WellTable {
  ids: string[];
  kinds: string[];
  lon: Float64Array;
  lat: Float64Array;
  index: Map<string, number>;
}

export class EntityStore {
  wells: WellTable = { ids: [], kinds: [], lon: new Float64Array(0), lat: new Float64Array(0), index: new Map() };
  cameras = new Map<string, CameraEntity>();
  places = new Map<string, PlaceEntity>();
  detectors = new Map<string, DetectorEntity>();
  care = new Map<string, CareEntity>();
  stations = new Map<string, StationEntity>();
  sos = new Map<string, SosEntity>();
  /** building id -> height in metres (for placing things on floors in 3D) */
  buildingHeights = new Map<number, number>();

  wellPoint(id: string): Point | null {
    const i = this.wells.index.get(id);
    return i === undefined ? null : { lon: this.wells.lon[i]!, lat: this.wells.lat[i]! };
  }
}
