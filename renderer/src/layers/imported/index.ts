/** The user's imported data (GeoJSON, CSV, Shapefile, KML) on both maps: points, lines and polygon outlines/fills. */
import { Cartesian3, Color, PointPrimitiveCollection, PolylineCollection, Material } from '@cesium/engine';
import { reaction } from 'mobx';
import { t } from '../../i18n.ts';
import { h } from '../../ui/dom.ts';
import type { LayerContext3D, LayerRenderer, LiveLayerDefinition } from '../types.ts';

function create3d({ scene, store }: LayerContext3D): LayerRenderer {
  const points = new PointPrimitiveCollection();
  const lines = new PolylineCollection();
  scene.primitives.add(points);
  scene.primitives.add(lines);
  const paint = () => {
    points.removeAll();
    lines.removeAll();
    for (const l of store.imports.layers) {
      if (!l.visible) continue;
      const color = new Color(l.color[0] / 255, l.color[1] / 255, l.color[2] / 255, 1);
      const line = (coords: number[][]) => {
        if (coords.length < 2) return;
        lines.add({
          positions: Cartesian3.fromDegreesArrayHeights(coords.flatMap((c) => [c[0]!, c[1]!, 3])),
          width: 2,
          material: Material.fromType('Color', { color }),
        });
      };
      const draw = (g: GeoJSON.Geometry): void => {
        if (g.type === 'Point')
          points.add({
            position: Cartesian3.fromDegrees(g.coordinates[0]!, g.coordinates[1]!, 3),
            color,
            pixelSize: 10,
            outlineColor: Color.BLACK,
            outlineWidth: 1,
          });
        else if (g.type === 'MultiPoint') g.coordinates.forEach((c) => draw({ type: 'Point', coordinates: c }));
        else if (g.type === 'LineString') line(g.coordinates);
        else if (g.type === 'MultiLineString') g.coordinates.forEach(line);
        else if (g.type === 'Polygon') g.coordinates.forEach(line);
        else if (g.type === 'MultiPolygon') g.coordinates.forEach((p) => p.forEach(line));
        else if (g.type === 'GeometryCollection') g.geometries.forEach(draw);
      };
      for (const f of l.layer.features) if (f.geometry) draw(f.geometry);
    }
    scene.requestRender();
  };
  const dispose = reaction(() => store.imports.version, paint, { fireImmediately: true });
  return {
    setVisible(v) {
      points.show = v;
      lines.show = v;
      scene.requestRender();
    },
    destroy() {
      dispose();
      scene.primitives.remove(points);
      scene.primitives.remove(lines);
    },
  };
}

export const importedLayer: LiveLayerDefinition<'imported'> = {
  id: 'imported',
  labelKey: 'importedLayer',
  defaultVisible: true,
  // pickable in 2D (deck.gl hover), but a click on the user's own data does nothing yet
  pick: () => null,
  load2d: () => import('./layer2d.ts').then((m) => m.createImported2D),
  create3d,
  legend: (loc) => h('div', { class: 'legend' }, h('div', { class: 'legend-sub' }, t('layers.imported.note', undefined, loc))),
};
