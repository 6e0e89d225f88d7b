/** The district's static entity records as loaded from DuckDB (types only; the entity store holds them). */
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
