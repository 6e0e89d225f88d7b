/**
 * Grid cells as one Cesium primitive: flat translucent tiles, or columns (extruded by a per-cell height). Shared by the
 * cell layers (elderly density, grid situation). The caller owns the primitive: remove it from the scene to free it.
 */
import {
  Cartesian3,
  ColorGeometryInstanceAttribute,
  GeometryInstance,
  PerInstanceColorAppearance,
  PolygonGeometry,
  PolygonHierarchy,
  Primitive,
  type Scene,
} from '@cesium/engine';
import { reaction, type IEqualsComparer } from 'mobx';
import type { RGBA } from '../palette.ts';
import type { LayerRenderer } from './types.ts';
import { cesiumColor } from './shared/cesium-color.ts';

export interface CellShape {
  id: string;
  /** closed ring, lon/lat */
  ring: Array<[number, number]>;
  color: RGBA;
}

/** One primitive for all cells; `shrink` < 1 draws each cell smaller around its centre; `topM` extrudes to that height. */
export function cellsPrimitive(
  cells: readonly CellShape[],
  opts: { idPrefix: string; shrink?: number; topM?: (i: number) => number; show: boolean },
): Primitive | null {
  if (!cells.length) return null;
  const k = opts.shrink ?? 1;
  return new Primitive({
    geometryInstances: cells.map((c, i) => {
      const cx = (c.ring[0]![0] + c.ring[1]![0]) / 2;
      const cy = (c.ring[0]![1] + c.ring[2]![1]) / 2;
      const ring = c.ring.slice(0, -1).map(([x, y]) => [cx + (x - cx) * k, cy + (y - cy) * k]);
      const top = opts.topM?.(i);
      return new GeometryInstance({
        id: `${opts.idPrefix}:${c.id}`,
        geometry: new PolygonGeometry({
          polygonHierarchy: new PolygonHierarchy(Cartesian3.fromDegreesArray(ring.flat())),
          height: 1,
          ...(top !== undefined ? { extrudedHeight: top } : {}),
          vertexFormat: PerInstanceColorAppearance.VERTEX_FORMAT,
        }),
        attributes: { color: ColorGeometryInstanceAttribute.fromColor(cesiumColor(c.color)) },
      });
    }),
    appearance: new PerInstanceColorAppearance({ translucent: true, closed: opts.topM !== undefined, flat: opts.topM === undefined }),
    asynchronous: false,
    show: opts.show,
  });
}

/**
 * A 3D cell layer: one primitive, rebuilt whenever `track()` changes (a mobx reaction; `equals` to compare by value),
 * shown/hidden in place, removed from the scene on destroy (then `onDestroy`, e.g. stopping a loader).
 */
export function cellsRenderer3d<T>(
  scene: Scene,
  track: () => T,
  build: (value: T, show: boolean) => Primitive | null,
  onDestroy: () => void = () => undefined,
  equals?: IEqualsComparer<T>,
): LayerRenderer {
  let prim: Primitive | null = null;
  let visible = true;
  const dispose = reaction(
    track,
    (value) => {
      if (prim) scene.primitives.remove(prim); // destroys it
      prim = null;
      prim = build(value, visible);
      if (prim) scene.primitives.add(prim);
      scene.requestRender();
    },
    { fireImmediately: true, ...(equals ? { equals } : {}) },
  );
  return {
    setVisible(v) {
      visible = v;
      if (prim) prim.show = v;
      scene.requestRender();
    },
    destroy() {
      dispose();
      onDestroy();
      if (prim) scene.primitives.remove(prim);
      prim = null;
    },
  };
}
