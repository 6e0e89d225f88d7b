/** Manholes in 3D: one PointPrimitiveCollection; only wells whose level changed are repainted. */
import { Cartesian3, Color, PointPrimitiveCollection, type PointPrimitive } from '@cesium/engine';
import { reaction } from 'mobx';
import type { AlarmLevel } from '../../../../data-pipelines/contracts/manhole.ts';
import type { LayerContext3D, LayerRenderer } from '../types.ts';
import { LEVEL_COLORS, LEVEL_RADIUS_PX } from './format.ts';

const colorOf = (l: AlarmLevel) => {
  const c = LEVEL_COLORS[l];
  return new Color(c[0] / 255, c[1] / 255, c[2] / 255, c[3] / 255);
};

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
        pixelSize: LEVEL_RADIUS_PX.normal * 1.6,
      }),
    );
  }
  scene.primitives.add(collection);
  let painted: Map<string, AlarmLevel> = new Map();

  const paint = () => {
    const next = store.live.wellLevels;
    const touched = new Set([...painted.keys(), ...next.keys()]);
    for (const id of touched) {
      const i = wells.index.get(id);
      if (i === undefined) continue;
      const level = next.get(id) ?? 'normal';
      if (painted.get(id) === level) continue;
      const p = points[i]!;
      p.color = colorOf(level);
      p.pixelSize = LEVEL_RADIUS_PX[level] * 1.8;
      p.outlineColor = level === 'normal' ? Color.TRANSPARENT : Color.WHITE;
      p.outlineWidth = level === 'normal' ? 0 : 2;
      // Abnormal wells stay visible through buildings: an alarm must never hide behind a tower.
      p.disableDepthTestDistance = level === 'normal' ? 0 : Number.POSITIVE_INFINITY;
    }
    painted = next;
    scene.requestRender();
  };
  const dispose = reaction(() => store.live.versions.manhole, paint, { fireImmediately: true });

  return {
    setVisible(v) {
      collection.show = v;
    },
    destroy() {
      dispose();
      scene.primitives.remove(collection); // destroys it (primitives.destroyPrimitives defaults to true)
    },
  };
}
