/**
 * Manholes in 3D: one PointPrimitiveCollection; only wells whose level changed are repainted. Normal wells are dots
 * within WELL_POINTS_WITHIN_M of the camera; further away a second collection shows them counted in cells. Abnormal
 * wells show at every distance, through buildings.
 */
import { Cartesian3, Color, DistanceDisplayCondition, PointPrimitiveCollection, type PointPrimitive } from '@cesium/engine';
import { reaction } from 'mobx';
import type { AlarmLevel } from '../../../../data-pipelines/contracts/manhole.ts';
import type { LayerContext3D, LayerRenderer } from '../types.ts';
import { aggregateWells, LEVEL_COLORS, LEVEL_RADIUS_PX, WELL_CELL_3D_M, WELL_CELL_COLOR, WELL_POINTS_WITHIN_M, wellCellRadiusPx, type RGBA } from './format.ts';
import { DEPTH_TESTED } from '../shared/depth.ts';

const rgba = (c: RGBA) => new Color(c[0] / 255, c[1] / 255, c[2] / 255, c[3] / 255);
const colorOf = (l: AlarmLevel) => rgba(LEVEL_COLORS[l]);
/** a well's dot (px): normal wells as made, the others larger (one size for a level, however it got there) */
const sizeOf = (l: AlarmLevel) => LEVEL_RADIUS_PX[l] * (l === 'normal' ? 1.6 : 1.8);
/** normal wells: close up only */
const NEAR = new DistanceDisplayCondition(0, WELL_POINTS_WITHIN_M);
/** their cells: from where the dots end */
const FAR = new DistanceDisplayCondition(WELL_POINTS_WITHIN_M, Number.MAX_VALUE);
/** abnormal wells: at every distance */
const ALWAYS = new DistanceDisplayCondition(0, Number.MAX_VALUE);

export function createManholes3D({ scene, store }: LayerContext3D): LayerRenderer {
  const wells = store.entities.wells;
  const collection = new PointPrimitiveCollection();
  const points: PointPrimitive[] = [];
  const normal = colorOf('normal');
  for (let i = 0; i < wells.ids.length; i++) {
    points.push(
      collection.add({
        id: wells.ids[i],
        position: Cartesian3.fromDegrees(wells.lon[i]!, wells.lat[i]!, 1.5),
        color: normal,
        pixelSize: sizeOf('normal'),
        distanceDisplayCondition: NEAR,
        disableDepthTestDistance: DEPTH_TESTED,
      }),
    );
  }
  scene.primitives.add(collection);
  const cells = new PointPrimitiveCollection();
  const counted = aggregateWells(wells.lon, wells.lat, WELL_CELL_3D_M);
  const max = counted.reduce((a, c) => Math.max(a, c.count), 1);
  const cellColor = rgba(WELL_CELL_COLOR);
  for (const c of counted)
    cells.add({
      position: Cartesian3.fromDegrees(c.lon, c.lat, 1.5),
      color: cellColor,
      pixelSize: 2 * wellCellRadiusPx(c.count, max, 9),
      distanceDisplayCondition: FAR,
    });
  scene.primitives.add(cells);
  let painted: Map<string, AlarmLevel> = new Map();

  const paint = () => {
    const next = store.live.wellLevels;
    const touched = new Set([...painted.keys(), ...next.keys()]);
    let changed = 0;
    for (const id of touched) {
      const i = wells.index.get(id);
      if (i === undefined) continue;
      const level = next.get(id) ?? 'normal';
      if ((painted.get(id) ?? 'normal') === level) continue;
      changed++;
      const p = points[i]!;
      p.color = colorOf(level);
      p.pixelSize = sizeOf(level);
      p.outlineColor = level === 'normal' ? Color.TRANSPARENT : Color.WHITE;
      p.outlineWidth = level === 'normal' ? 0 : 2;
      // Abnormal wells stay visible through buildings: an alarm must never hide behind a tower.
      p.disableDepthTestDistance = level === 'normal' ? DEPTH_TESTED : Number.POSITIVE_INFINITY;
      p.distanceDisplayCondition = level === 'normal' ? NEAR : ALWAYS;
    }
    painted = next;
    // a frame only when a well looks different: the readings change every tick, a well's level seldom, and on a
    // software renderer each frame is a core's worth of work for a quarter of a second (issue 24)
    if (changed) scene.requestRender();
  };
  const dispose = reaction(() => store.live.versions.manhole, paint, { fireImmediately: true });

  return {
    setVisible(v) {
      collection.show = v;
      cells.show = v;
    },
    destroy() {
      dispose();
      scene.primitives.remove(collection); // destroys it (primitives.destroyPrimitives defaults to true)
      scene.primitives.remove(cells);
    },
  };
}
