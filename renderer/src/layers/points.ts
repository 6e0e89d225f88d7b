/**
 * Shared machinery for live point layers: a layer supplies pure `points()` (from the live store, point-spec.ts) and gets
 * a Cesium PointPrimitiveCollection here and a deck.gl ScatterplotLayer in 2D (points2d.ts, loaded with the 2D view),
 * both repainting when its stream's version changes (at most every `throttleMs`, so a busy stream cannot starve the
 * frame).
 */
import { Cartesian3, Color, Material, PointPrimitiveCollection, PolylineCollection } from '@cesium/engine';
import { reaction } from 'mobx';
import type { Locale, StringKey } from '../i18n.ts';
import type { ALL_LAYERS, LiveLayerId } from '../stores/layer-ids.ts';
import type { OperatorCommand } from '../stores/ui-store.ts';
import type { LayerContext3D, LayerRenderer, LiveLayerDefinition, PickStore, PickTarget } from './types.ts';
import type { RGBA } from '../palette.ts';
import { cesiumColor } from './shared/cesium-color.ts';
import { DEPTH_TESTED } from './shared/depth.ts';
import { conePolygon, type LivePoint, type PointLayerSpec } from './point-spec.ts';

export { conePolygon, type Cone, type LivePoint, type PointLayerSpec } from './point-spec.ts';

/** A point layer's pick hook: in 2D its own deck.gl layer's points, in 3D the ids `owns3d` claims. */
export function pointPick(spec: PointLayerSpec, target: PickTarget, store: PickStore): OperatorCommand | null {
  if (!spec.onPick) return null;
  if (target.view === '2d') {
    const p = target.layerId === spec.id ? (target.object as LivePoint | null) : null;
    return p ? spec.onPick(store, p.id) : null;
  }
  return spec.owns3d?.(store, target.id) ? spec.onPick(store, target.id) : null;
}

export function createPointLayer3D(spec: PointLayerSpec, { scene, store }: LayerContext3D): LayerRenderer {
  const points = new PointPrimitiveCollection();
  const lines = new PolylineCollection();
  scene.primitives.add(points);
  scene.primitives.add(lines);
  const paint = () => {
    points.removeAll();
    lines.removeAll();
    for (const p of spec.points(store)) {
      points.add({
        id: p.id,
        position: Cartesian3.fromDegrees(p.lon, p.lat, p.height ?? 2),
        color: cesiumColor(p.color),
        pixelSize: p.size * 2,
        outlineColor: p.outline ? cesiumColor(p.outline) : Color.TRANSPARENT,
        outlineWidth: p.outline ? 2 : 0,
        disableDepthTestDistance: p.onTop ? Number.POSITIVE_INFINITY : DEPTH_TESTED,
      });
    }
    for (const c of spec.cones?.(store) ?? []) {
      lines.add({
        positions: Cartesian3.fromDegreesArray(conePolygon(c).flat()),
        width: 2,
        material: Material.fromType('Color', { color: cesiumColor(c.color) }),
      });
    }
    scene.requestRender();
  };
  const dispose = reaction(() => spec.revision(store), paint, { fireImmediately: true, delay: spec.throttleMs ?? 300 });
  return {
    setVisible(v) {
      points.show = v;
      lines.show = v;
    },
    destroy() {
      dispose();
      scene.primitives.remove(points);
      scene.primitives.remove(lines);
    },
  };
}

export function swatchLegend(entries: Array<{ color: RGBA; label: string }>, note?: string): HTMLElement {
  const el = document.createElement('div');
  el.className = 'legend';
  for (const e of entries) {
    const row = document.createElement('div');
    row.className = 'legend-row';
    const sw = document.createElement('span');
    sw.className = 'swatch dot';
    sw.style.background = `rgba(${e.color[0]},${e.color[1]},${e.color[2]},${e.color[3] / 255})`;
    row.append(sw, document.createTextNode(e.label));
    el.append(row);
  }
  if (note) {
    const n = document.createElement('div');
    n.className = 'legend-note';
    n.textContent = note;
    el.append(n);
  }
  return el;
}

/** A live layer made of points (and optional cones): the same spec drives the 3D and the 2D renderer and picking. */
export function pointLayer<I extends LiveLayerId>(
  meta: { id: I; labelKey: StringKey; defaultVisible: (typeof ALL_LAYERS)[I] },
  spec: PointLayerSpec,
  legend: (loc: Locale) => HTMLElement,
): LiveLayerDefinition<I> {
  return {
    ...meta,
    create3d: (ctx) => createPointLayer3D(spec, ctx),
    // deck.gl is loaded with the 2D view, not at start-up (issue 24: the 3D console never needs it)
    load2d: () => import('./points2d.ts').then((m) => (ctx) => m.createPointLayer2D(spec, ctx)),
    legend,
    pick: (target, store) => pointPick(spec, target, store),
  };
}
