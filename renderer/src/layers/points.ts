/**
 * Shared machinery for live point layers: a layer supplies pure `points()` (from the live store) and gets a Cesium
 * PointPrimitiveCollection and a deck.gl ScatterplotLayer that repaint when its stream's version changes (at most
 * every `throttleMs`, so a busy stream cannot starve the frame).
 */
import type { CoverageCamera } from '../../../data-pipelines/geo/coverage.ts';
import { Cartesian3, Color, Material, PointPrimitiveCollection, PolylineCollection } from '@cesium/engine';
import { ScatterplotLayer, PolygonLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import { reaction } from 'mobx';
import type { Locale, StringKey } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import type { ALL_LAYERS, LiveLayerId } from '../stores/layer-ids.ts';
import type { OperatorCommand } from '../stores/ui-store.ts';
import type { LayerContext3D, LayerRenderer, LayerRenderer2D, LiveLayerDefinition, PickStore, PickTarget, Revision } from './types.ts';
import type { RGBA } from '../palette.ts';
import { M_PER_DEG_LAT, mPerDegLon } from '../../../data-pipelines/geo/measure.ts';
import { cesiumColor } from './shared/cesium-color.ts';
import { DEPTH_TESTED } from './shared/depth.ts';

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

/** A point layer's pick hook: in 2D its own deck.gl layer's points, in 3D the ids `owns3d` claims. */
export function pointPick(spec: PointLayerSpec, target: PickTarget, store: PickStore): OperatorCommand | null {
  if (!spec.onPick) return null;
  if (target.view === '2d') {
    const p = target.layerId === spec.id ? (target.object as LivePoint | null) : null;
    return p ? spec.onPick(store, p.id) : null;
  }
  return spec.owns3d?.(store, target.id) ? spec.onPick(store, target.id) : null;
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

export function createPointLayer2D(spec: PointLayerSpec, { store }: { store: RootStore }): LayerRenderer2D {
  let visible = true;
  return {
    revision: () => spec.revision(store),
    deckLayers(): Layer[] {
      if (!visible) return [];
      const pts = spec.points(store);
      const rev = spec.revision(store);
      const out: Layer[] = [];
      const cones = spec.cones?.(store) ?? [];
      if (cones.length)
        out.push(
          new PolygonLayer<Cone>({
            id: `${spec.id}-cones`,
            data: cones,
            getPolygon: (c) => conePolygon(c),
            getFillColor: (c) => [c.color[0], c.color[1], c.color[2], 60],
            getLineColor: (c) => c.color,
            lineWidthUnits: 'pixels',
            getLineWidth: 1.5,
            updateTriggers: { getPolygon: rev },
          }),
        );
      out.push(
        new ScatterplotLayer<LivePoint>({
          id: spec.id,
          data: pts,
          getPosition: (p) => [p.lon, p.lat],
          getFillColor: (p) => p.color,
          getRadius: (p) => p.size,
          radiusUnits: 'pixels',
          stroked: true,
          getLineColor: (p) => p.outline ?? [0, 0, 0, 0],
          lineWidthUnits: 'pixels',
          getLineWidth: (p) => (p.outline ? 1.5 : 0),
          // clicks are resolved by the 2D view through the registry (pointPick)
          pickable: !!spec.onPick,
          updateTriggers: { getFillColor: rev, getRadius: rev, getLineColor: rev },
        }),
      );
      return out;
    },
    setVisible(v) {
      visible = v;
    },
    destroy() {
      /* deck.gl releases layer state when the overlay drops the layers */
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
    create2d: (ctx) => createPointLayer2D(spec, ctx),
    legend,
    pick: (target, store) => pointPick(spec, target, store),
  };
}
