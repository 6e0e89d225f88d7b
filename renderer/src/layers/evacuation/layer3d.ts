/** 3D: the peeled building (floor slabs, corridors, stairs, detectors) and the evacuation / responder routes. */
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
import type { RGBA } from '../../palette.ts';
import { currentIncident, EVAC_COLORS, floorBase, indoorRoute3d, isIncident, SLAB_M } from './format.ts';
import { FIRE_COLORS } from '../shared/fire-colors.ts';
import { deviceKey } from '../../../../data-pipelines/contracts/world.ts';
import { cesiumColor } from '../shared/cesium-color.ts';
import { DEPTH_TESTED } from '../shared/depth.ts';

export function createEvacuation3D({ scene, store }: LayerContext3D): LayerRenderer {
  const points = new PointPrimitiveCollection();
  const lines = new PolylineCollection();
  scene.primitives.add(points);
  scene.primitives.add(lines);
  let slabs: Primitive | null = null;
  let visible = true;

  const paint = () => {
    points.removeAll();
    lines.removeAll();
    if (slabs) {
      scene.primitives.remove(slabs);
      slabs = null;
    }
    const inc = currentIncident(store);
    const bId = store.ui.explodedBuildingId;
    const layout = bId !== null ? store.entities.layout(bId) : null;
    const i = bId !== null ? store.entities.buildingIndex.get(bId) : undefined;
    const geom = store.entities.buildingGeom;
    const plan = isIncident(inc) ? inc.plan : null;
    if (layout && geom && i !== undefined) {
      const ring = Array.from(geom.rings[i]!);
      const zoneFloors = new Set(plan && plan.buildingId === bId ? plan.zoneNodes.map((id) => Number(id.split(':')[0])).filter(Number.isFinite) : []);
      const alarmFloor = plan && plan.buildingId === bId ? plan.floor : null;
      const instances: GeometryInstance[] = [];
      for (let f = 1; f <= layout.floors; f++) {
        const base = floorBase(f, true);
        const color = f === alarmFloor ? EVAC_COLORS.floorAlarm : zoneFloors.has(f) ? EVAC_COLORS.floorSmoke : EVAC_COLORS.floor;
        instances.push(
          new GeometryInstance({
            id: `floor-${bId}-${f}`,
            geometry: new PolygonGeometry({
              polygonHierarchy: new PolygonHierarchy(Cartesian3.fromDegreesArray(ring)),
              height: base,
              extrudedHeight: base + SLAB_M,
              vertexFormat: PerInstanceColorAppearance.VERTEX_FORMAT,
            }),
            attributes: { color: ColorGeometryInstanceAttribute.fromColor(cesiumColor(color)) },
          }),
        );
        // corridor centre line
        const corridor = layout.nodes.filter((n) => n.floor === f && n.kind === 'corridor');
        lines.add({
          positions: corridor.map((n) => Cartesian3.fromDegrees(n.lon, n.lat, base + SLAB_M + 0.05)),
          width: 1.5,
          material: Material.fromType('Color', { color: cesiumColor(EVAC_COLORS.corridor) }),
        });
      }
      slabs = scene.primitives.add(
        new Primitive({ geometryInstances: instances, appearance: new PerInstanceColorAppearance({ translucent: true, closed: true }), asynchronous: false }),
      ) as Primitive;
      const blocked = new Set(plan && plan.buildingId === bId ? plan.zoneNodes : []);
      for (const n of layout.nodes) {
        if (n.kind === 'corridor') continue;
        const h = n.kind === 'exit' ? 1 : floorBase(n.floor, true) + SLAB_M + 0.3;
        points.add({
          id: `node-${n.id}`,
          position: Cartesian3.fromDegrees(n.lon, n.lat, h),
          color: cesiumColor(blocked.has(n.id) ? EVAC_COLORS.stairBlocked : EVAC_COLORS.stair),
          pixelSize: n.kind === 'exit' ? 12 : 7,
          outlineColor: Color.BLACK,
          outlineWidth: 1,
        });
      }
      // detectors on every floor: alarming ones in their state colour, drawn on top
      for (const d of layout.detectors) {
        const ev = store.live.world.byStream.fire.get(deviceKey(d.id, false)) ?? store.live.world.byStream.fire.get(deviceKey(d.id, true));
        const st = ev?.kind === 'fire.detector' ? ev.state : 'normal';
        const alarming = st !== 'normal';
        points.add({
          id: d.id,
          position: Cartesian3.fromDegrees(d.lon, d.lat, floorBase(d.floor, true) + SLAB_M / 2),
          color: cesiumColor(alarming ? FIRE_COLORS[st] : EVAC_COLORS.detector),
          pixelSize: alarming ? 18 : 6,
          outlineColor: alarming ? Color.WHITE : Color.BLACK,
          outlineWidth: alarming ? 3 : 1,
          disableDepthTestDistance: alarming ? Number.POSITIVE_INFINITY : DEPTH_TESTED,
        });
      }
    }
    if (plan) {
      const exploded = plan.buildingId === bId;
      const route = (coords: Array<[number, number, number]>, color: RGBA, width: number) =>
        lines.add({
          positions: coords.map(([x, y, z]) => Cartesian3.fromDegrees(x, y, z)),
          width,
          material: Material.fromType('Color', { color: cesiumColor(color) }),
        });
      route(indoorRoute3d(plan, exploded), EVAC_COLORS.indoor, 5);
      if (plan.outdoor) {
        route(plan.outdoor.coords, EVAC_COLORS.outdoor, 5);
        const a = plan.outdoor.assembly;
        points.add({
          id: a.id,
          position: Cartesian3.fromDegrees(a.lon, a.lat, 3),
          color: cesiumColor(EVAC_COLORS.assembly),
          pixelSize: 16,
          outlineColor: Color.WHITE,
          outlineWidth: 2,
          disableDepthTestDistance: Number.POSITIVE_INFINITY,
        });
      }
      if (plan.responder) {
        route(plan.responder.coords, EVAC_COLORS.responder, 4);
        const st = plan.responder.station;
        points.add({
          id: st.id,
          position: Cartesian3.fromDegrees(st.lon, st.lat, 3),
          color: cesiumColor(EVAC_COLORS.station),
          pixelSize: 16,
          outlineColor: Color.WHITE,
          outlineWidth: 2,
          disableDepthTestDistance: Number.POSITIVE_INFINITY,
        });
      }
    }
    points.show = visible;
    lines.show = visible;
    if (slabs) slabs.show = visible;
    scene.requestRender();
  };

  const dispose = reaction(
    () => {
      const inc = currentIncident(store);
      return `${store.ui.explodedBuildingId}|${isIncident(inc) ? `${inc.plan.detectorId}|${inc.target.state}` : ''}|${store.live.versions.fire}`;
    },
    paint,
    { fireImmediately: true, delay: 100 },
  );
  return {
    setVisible(v) {
      visible = v;
      points.show = v;
      lines.show = v;
      if (slabs) slabs.show = v;
      scene.requestRender();
    },
    destroy() {
      dispose();
      scene.primitives.remove(points);
      scene.primitives.remove(lines);
      if (slabs) scene.primitives.remove(slabs);
    },
  };
}
