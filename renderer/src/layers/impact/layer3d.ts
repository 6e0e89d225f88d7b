/** 3D: the impact zone as a translucent ground sheet with its outline, the roads to close and the roadblocks. */
import {
  Cartesian3,
  Color,
  ColorGeometryInstanceAttribute,
  GeometryInstance,
  Material,
  PerInstanceColorAppearance,
  PointPrimitiveCollection,
  PolygonGeometry,
  PolygonHierarchy,
  PolylineCollection,
  Primitive,
} from '@cesium/engine';
import { reaction } from 'mobx';
import type { LayerContext3D, LayerRenderer } from '../types.ts';
import { IMPACT_COLORS, shownImpact, zonePolygons, zoneRings } from './format.ts';
import { cesiumColor } from '../shared/cesium-color.ts';

/** the sheet sits just above the ground, below the roads and the footprints' bases */
const SHEET_M = 0.6;

export function createImpact3D({ scene, store }: LayerContext3D): LayerRenderer {
  const points = new PointPrimitiveCollection();
  const lines = new PolylineCollection();
  scene.primitives.add(points);
  scene.primitives.add(lines);
  let sheet: Primitive | null = null;
  let visible = true;

  const paint = () => {
    points.removeAll();
    lines.removeAll();
    if (sheet) {
      scene.primitives.remove(sheet);
      sheet = null;
    }
    const shown = shownImpact(store);
    if (shown) {
      const { impact, drill } = shown;
      const polys = zonePolygons(impact);
      const rings = zoneRings(impact);
      const fill = drill ? IMPACT_COLORS.drillFill : IMPACT_COLORS.zoneFill;
      const edge = drill ? IMPACT_COLORS.drillLine : IMPACT_COLORS.zoneLine;
      sheet = scene.primitives.add(
        new Primitive({
          geometryInstances: polys.map(
            ([outer, ...holes], i) =>
              new GeometryInstance({
                id: `impact-zone-${i}`,
                geometry: new PolygonGeometry({
                  polygonHierarchy: new PolygonHierarchy(
                    Cartesian3.fromDegreesArray(outer!.flat()),
                    holes.map((hole) => new PolygonHierarchy(Cartesian3.fromDegreesArray(hole.flat()))),
                  ),
                  height: SHEET_M,
                  vertexFormat: PerInstanceColorAppearance.VERTEX_FORMAT,
                }),
                attributes: { color: ColorGeometryInstanceAttribute.fromColor(cesiumColor(fill)) },
              }),
          ),
          appearance: new PerInstanceColorAppearance({ translucent: true, flat: true }),
          asynchronous: false,
        }),
      ) as Primitive;
      for (const ring of rings)
        lines.add({
          positions: ring.map(([x, y]) => Cartesian3.fromDegrees(x, y, SHEET_M + 0.4)),
          width: 3,
          material: Material.fromType('Color', { color: cesiumColor(edge) }),
        });
      for (const seg of impact.roads.segments)
        lines.add({
          positions: seg.map(([x, y]) => Cartesian3.fromDegrees(x, y, SHEET_M + 0.8)),
          width: 4,
          material: Material.fromType('Color', { color: cesiumColor(IMPACT_COLORS.road) }),
        });
      for (const c of impact.roads.closures)
        points.add({
          id: `impact-closure-${c.node}`,
          position: Cartesian3.fromDegrees(c.lon, c.lat, 3),
          color: Color.fromBytes(230, 30, 30, 255),
          pixelSize: 12,
          outlineColor: Color.WHITE,
          outlineWidth: 2,
          disableDepthTestDistance: Number.POSITIVE_INFINITY,
        });
    }
    points.show = visible;
    lines.show = visible;
    if (sheet) sheet.show = visible;
    scene.requestRender();
  };

  const dispose = reaction(() => shownImpact(store)?.key ?? '', paint, { fireImmediately: true });
  return {
    setVisible(v) {
      visible = v;
      points.show = v;
      lines.show = v;
      if (sheet) sheet.show = v;
      scene.requestRender();
    },
    destroy() {
      dispose();
      scene.primitives.remove(points);
      scene.primitives.remove(lines);
      if (sheet) scene.primitives.remove(sheet);
    },
  };
}
