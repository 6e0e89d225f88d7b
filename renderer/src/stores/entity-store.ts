/** Static entity tables of the district (from DuckDB), kept out of mobx: they never change after load. */
import { buildIndoorLayout, type IndoorLayout } from '../../../data-pipelines/indoor/layout.ts';
import type { Facility } from '../../../data-pipelines/routing/evacuation.ts';
import type { StreetNetwork } from '../../../data-pipelines/routing/streets.ts';
import type { BuildingGeom } from '../data/district.ts';
import type { PlaceIndex } from '../../../data-pipelines/geo/place.ts';
import type { CameraEntity, CareEntity, DetectorEntity, PlaceEntity, Point, SosEntity, StationEntity, WellTable } from '../data/entities.ts';
export type { CameraEntity, CareEntity, DetectorEntity, PlaceEntity, Point, SosEntity, StationEntity, WellEntity, WellTable } from '../data/entities.ts';

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
  buildingGeom: BuildingGeom | null = null;
  buildingIndex = new Map<number, number>();
  streets: StreetNetwork | null = null;
  facilities: Facility[] = [];
  placeIndex: PlaceIndex | null = null;
  private readonly layouts = new Map<number, IndoorLayout>();

  /** The synthesized indoor layout of a building (cached; the same the data package placed detectors with). */
  layout(buildingId: number): IndoorLayout | null {
    const hit = this.layouts.get(buildingId);
    if (hit) return hit;
    const i = this.buildingIndex.get(buildingId);
    const g = this.buildingGeom;
    if (i === undefined || !g) return null;
    const flat = g.rings[i]!;
    const ring: Array<[number, number]> = [];
    for (let k = 0; k + 1 < flat.length; k += 2) ring.push([flat[k]!, flat[k + 1]!]);
    const l = buildIndoorLayout({ id: buildingId, floors: g.floors[i]!, areaM2: g.areas[i]!, ring });
    if (this.layouts.size > 50) this.layouts.clear();
    this.layouts.set(buildingId, l);
    return l;
  }

  wellPoint(id: string): Point | null {
    const i = this.wells.index.get(id);
    return i === undefined ? null : { lon: this.wells.lon[i]!, lat: this.wells.lat[i]! };
  }
}
