/**
 * Heights of things on a building's floors, following the floors when the building is peeled apart in 3D (the
 * evacuation layer peels; alarms and detectors sit on their floor). Pure; shared by several layers.
 */
import { FLOOR_HEIGHT_M } from '../../../../data-pipelines/indoor/layout.ts';
import type { RootStore } from '../../stores/root.ts';

/** vertical spacing of peeled floors, as a multiple of the storey height */
export const EXPLODE = 2.5;
/** thickness of a peeled floor's slab (m) */
export const SLAB_M = 2.2;

/** Height (m) of a floor's base: true height, or peeled apart when the building is exploded. */
export function floorBase(floor: number, exploded: boolean): number {
  return (floor - 1) * FLOOR_HEIGHT_M * (exploded ? EXPLODE : 1);
}

/** Where a thing on `floor` of `buildingId` is drawn (alarm markers, detectors), following the peeled floors. */
export function heightOnFloor(store: Pick<RootStore, 'ui'>, buildingId: number | undefined, floor: number): number {
  const exploded = buildingId !== undefined && store.ui.explodedBuildingId === buildingId;
  return floorBase(floor, exploded) + (exploded ? SLAB_M / 2 : FLOOR_HEIGHT_M / 2);
}
