/**
 * What a live point layer is made of (points.ts draws it in 3D, points2d.ts in 2D): its points, cones and pick rules,
 * and the cone's outline (pure).
 */
import type { CoverageCamera } from '../../../data-pipelines/geo/coverage.ts';
import { M_PER_DEG_LAT, mPerDegLon } from '../../../data-pipelines/geo/measure.ts';
import type { RGBA } from '../palette.ts';
import type { RootStore } from '../stores/root.ts';
import type { OperatorCommand } from '../stores/ui-store.ts';
import type { PickStore, Revision } from './types.ts';

export interface LivePoint {
  id: string;
  lon: number;
  lat: number;
  /** metres above ground (3D only): floors of buildings */
  height?: number;
  color: RGBA;
  /** radius in CSS px */
  size: number;
  outline?: RGBA;
  /** drawn over buildings in 3D (alarms must never hide behind a tower) */
  onTop?: boolean;
}

/** A field-of-view cone to draw: a camera's place, heading, angle and range (geo/coverage.ts), in a colour. */
export interface Cone extends Omit<CoverageCamera, 'ptz'> {
  color: RGBA;
}

export interface PointLayerSpec {
  id: string;
  revision(store: RootStore): Revision;
  points(store: RootStore): LivePoint[];
  cones?(store: RootStore): Cone[];
  /** what a click on point `id` means (the 2D layer is pickable only when this is given); null: nothing */
  onPick?(store: PickStore, id: string): OperatorCommand | null;
  /** whether a 3D pick id is one of this layer's points (3D ids are bare point ids, so each layer says which are its) */
  owns3d?(store: PickStore, id: string): boolean;
  throttleMs?: number;
}

/** Field-of-view cone as a lon/lat polygon (apex + arc). */
export function conePolygon(c: Cone, steps = 12): Array<[number, number]> {
  const mLat = M_PER_DEG_LAT;
  const mLon = mPerDegLon(c.lat);
  const pts: Array<[number, number]> = [[c.lon, c.lat]];
  for (let i = 0; i <= steps; i++) {
    const a = ((c.heading - c.fov / 2 + (c.fov * i) / steps) * Math.PI) / 180;
    pts.push([c.lon + (Math.sin(a) * c.rangeM) / mLon, c.lat + (Math.cos(a) * c.rangeM) / mLat]);
  }
  pts.push([c.lon, c.lat]);
  return pts;
}
