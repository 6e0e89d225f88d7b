/** 3D: analysis cells as extruded columns (height ∝ the metric), candidate sites on the ground. */
import {
  Cartesian3,
  ColorGeometryInstanceAttribute,
  GeometryInstance,
  PerInstanceColorAppearance,
  PolygonGeometry,
  PolygonHierarchy,
  Primitive,
} from '@cesium/engine';
import { reaction } from 'mobx';
import type { LayerContext3D, LayerRenderer } from '../types.ts';
import type { RGBA } from '../../palette.ts';
import { cellFeatures } from './format.ts';
import { cesiumColor } from '../shared/cesium-color.ts';

/** the tallest column, metres: tall enough to read over 20-storey blocks from the overview */
export const MAX_COLUMN_M = 420;

export function createAnalysis3D({ scene, store }: LayerContext3D): LayerRenderer {
  let prim: Primitive | null = null;
  let visible = true;
  const a = store.analysis;
  const clear = () => {
    if (prim) scene.primitives.remove(prim); // remove() destroys it
    prim = null;
  };
  let stale = false;
  const paint = () => {
    clear();
    // hidden (2D view or layer off): rebuild when shown again, not on every change (corner clicks while drawing…)
    if (!visible) return void (stale = true);
    stale = false;
    if (!a.params) return;
    const { cells, scale } = cellFeatures(a);
    const instances: GeometryInstance[] = [];
    for (const c of cells) {
      const h = Math.max(4, (Math.abs(c.value) / scale.max) * MAX_COLUMN_M);
      // columns slightly inset so neighbours read as separate bars
      const lon0 = c.lon;
      const lat0 = c.lat;
      const ring = c.ring.slice(0, -1).map(([x, y]) => [lon0 + (x - lon0) * 0.86, lat0 + (y - lat0) * 0.86] as const);
      instances.push(
        new GeometryInstance({
          id: `cell:${c.id}`,
          geometry: new PolygonGeometry({
            polygonHierarchy: new PolygonHierarchy(Cartesian3.fromDegreesArray(ring.flat())),
            height: 1,
            extrudedHeight: h,
            vertexFormat: PerInstanceColorAppearance.VERTEX_FORMAT,
          }),
          attributes: { color: ColorGeometryInstanceAttribute.fromColor(cesiumColor(c.color)) },
        }),
      );
    }
    const ranked = new Set(a.sites.map((s) => s.site_id));
    for (const s of a.shapes) {
      if (!ranked.has(s.siteId) && !s.drawn) continue;
      const col: RGBA = s.siteId === a.selectedSiteId ? [255, 209, 102, 255] : s.drawn ? [200, 140, 255, 230] : [120, 200, 255, 220];
      instances.push(
        new GeometryInstance({
          id: `site:${s.siteId}`,
          geometry: new PolygonGeometry({
            polygonHierarchy: new PolygonHierarchy(Cartesian3.fromDegreesArray(s.ring.slice(0, -1).flat())),
            height: 0.5,
            extrudedHeight: 6,
            vertexFormat: PerInstanceColorAppearance.VERTEX_FORMAT,
          }),
          attributes: { color: ColorGeometryInstanceAttribute.fromColor(cesiumColor(col)) },
        }),
      );
    }
    if (!instances.length) return;
    prim = new Primitive({
      geometryInstances: instances,
      appearance: new PerInstanceColorAppearance({ translucent: true, closed: true }),
      asynchronous: false,
      show: visible,
    });
    scene.primitives.add(prim);
    scene.requestRender();
  };
  const dispose = reaction(() => a.version, paint, { fireImmediately: true });
  return {
    setVisible(v: boolean) {
      visible = v;
      if (v && stale) paint();
      if (prim) prim.show = v;
      scene.requestRender();
    },
    destroy() {
      dispose();
      clear();
    },
  };
}
