/**
 * 2D: analysis cells (grid squares or hexagons coloured by the metric) or a heatmap of the demand sources weighted by
 * the metric; candidate sites with the selected one's walking catchment; cells a what-if improves; SQL console points;
 * the outline being drawn.
 */
import type { Layer } from '@deck.gl/core';
import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import { PathLayer, PolygonLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { RootStore } from '../../stores/root.ts';
import type { LayerRenderer2D } from '../types.ts';
import { cellFeatures, SITE_COLORS, type CellFeature } from './format.ts';
import type { SiteShape } from '../../stores/analysis-store.ts';

export function createAnalysis2D({ store }: { store: RootStore }): LayerRenderer2D {
  let visible = true;
  const a = store.analysis;
  return {
    revision: () => a.version,
    deckLayers(): Layer[] {
      if (!visible || !a.params) return [];
      const out: Layer[] = [];
      const { cells } = cellFeatures(a);
      if (a.display === 'heatmap' && a.metric !== 'occupancy' && a.metric !== 'supply') {
        const key = a.metric === 'gap' ? 'unmet' : a.metric;
        out.push(
          new HeatmapLayer<(typeof a.access)[number]>({
            id: 'analysis-heat',
            data: a.access.filter((r) => r[key] > 0),
            getPosition: (r) => [r.lon, r.lat],
            getWeight: (r) => r[key],
            radiusPixels: 40,
            aggregation: 'SUM',
          }),
        );
      } else {
        out.push(
          new PolygonLayer<CellFeature>({
            id: 'analysis-cells',
            data: cells,
            getPolygon: (c) => c.ring,
            getFillColor: (c) => c.color,
            getLineColor: (c) => (c.id === a.selectedCellId ? [255, 255, 255, 255] : [20, 30, 45, 160]),
            getLineWidth: (c) => (c.id === a.selectedCellId ? 3 : 1),
            lineWidthUnits: 'pixels',
            pickable: true,
            stroked: true,
            updateTriggers: { getLineColor: a.selectedCellId, getLineWidth: a.selectedCellId },
          }),
        );
      }
      if (a.whatIf) {
        const better = new Set(a.whatIf.delta.filter((d) => d.unmetAfter < d.unmetBefore - 0.5).map((d) => d.cell_id));
        out.push(
          new PolygonLayer<CellFeature>({
            id: 'analysis-whatif',
            data: cells.filter((c) => better.has(c.id)),
            getPolygon: (c) => c.ring,
            filled: false,
            stroked: true,
            getLineColor: SITE_COLORS.better,
            getLineWidth: 3,
            lineWidthUnits: 'pixels',
          }),
        );
      }
      const rankOf = new Map(a.sites.map((s, i) => [s.site_id, i]));
      const shapes = a.shapes.filter((s) => rankOf.has(s.siteId) || s.drawn);
      out.push(
        new PolygonLayer<SiteShape>({
          id: 'analysis-sites',
          data: shapes,
          getPolygon: (s) => s.ring,
          getFillColor: (s) => (s.siteId === a.selectedSiteId ? [255, 209, 102, 200] : s.drawn ? [200, 140, 255, 150] : [120, 200, 255, 120]),
          getLineColor: (s) => (s.siteId === a.selectedSiteId ? SITE_COLORS.selected : s.drawn ? SITE_COLORS.drawn : SITE_COLORS.candidate),
          getLineWidth: 2,
          lineWidthUnits: 'pixels',
          pickable: true,
          updateTriggers: { getFillColor: a.selectedSiteId, getLineColor: a.selectedSiteId },
        }),
      );
      const sel = a.sites.find((s) => s.site_id === a.selectedSiteId);
      if (sel && a.params) {
        out.push(
          new ScatterplotLayer<{ lon: number; lat: number }>({
            id: 'analysis-catchment',
            data: [{ lon: sel.lon, lat: sel.lat }],
            getPosition: (d) => [d.lon, d.lat],
            getRadius: a.params.walkM / a.params.detour,
            radiusUnits: 'meters',
            filled: false,
            stroked: true,
            getLineColor: SITE_COLORS.selected,
            getLineWidth: 2,
            lineWidthUnits: 'pixels',
          }),
        );
      }
      const pts = a.console?.points ?? [];
      if (pts.length) {
        const max = pts.reduce((m, p) => Math.max(m, Math.abs(p.value ?? 0)), 0) || 1;
        out.push(
          new ScatterplotLayer<(typeof pts)[number]>({
            id: 'analysis-console',
            data: pts,
            getPosition: (p) => [p.lon, p.lat],
            getRadius: (p) => 3 + (p.value === null ? 0 : 9 * Math.sqrt(Math.abs(p.value) / max)),
            radiusUnits: 'pixels',
            getFillColor: [0, 229, 255, 200],
            getLineColor: [0, 40, 60, 255],
            stroked: true,
            lineWidthUnits: 'pixels',
            getLineWidth: 1,
          }),
        );
      }
      if (a.drawing && a.drawPoints.length) {
        const path = a.drawPoints.length > 2 ? [...a.drawPoints, a.drawPoints[0]!] : a.drawPoints;
        out.push(
          new PathLayer<Array<[number, number]>>({
            id: 'analysis-draw-path',
            data: [path],
            getPath: (d) => d,
            getColor: SITE_COLORS.drawn,
            getWidth: 3,
            widthUnits: 'pixels',
          }),
          new ScatterplotLayer<[number, number]>({
            id: 'analysis-draw-pts',
            data: a.drawPoints,
            getPosition: (d) => d,
            getRadius: 5,
            radiusUnits: 'pixels',
            getFillColor: SITE_COLORS.drawn,
          }),
        );
      }
      return out;
    },
    setVisible(v: boolean) {
      visible = v;
    },
    destroy() {
      visible = false;
    },
  };
}
