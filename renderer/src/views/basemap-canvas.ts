/**
 * Our own offline ground basemap, drawn from district data onto a canvas (equirectangular in lon/lat, as Cesium's
 * geographic tiling expects; canvas-tiles.ts cuts the tiles from it). No remote tiles, ever.
 */
import { mPerDegLon } from '../../../data-pipelines/geo/measure.ts';
import type { Compound, DistrictMeta, GridCell, Street } from '../data/district.ts';

export interface BasemapInput {
  meta: DistrictMeta;
  streets: Street[];
  compounds: Compound[];
  grid: GridCell[];
  /** building footprints drawn flat under the extrusions */
  rings: Float64Array[];
}

export const BASEMAP_COLORS = {
  ground: '#0e1a2b',
  outside: '#0a1220',
  grid: 'rgba(86, 120, 170, 0.35)',
  compound: 'rgba(42, 110, 120, 0.45)',
  compoundEdge: 'rgba(80, 170, 180, 0.7)',
  footprint: 'rgba(70, 95, 130, 0.9)',
  street: 'rgba(150, 170, 200, 0.85)',
  boundary: '#d62828',
  /** streets beyond the district (the 3D surroundings): the same network, receded */
  streetOutside: 'rgba(120, 140, 170, 0.55)',
};

/** How far the 3D surroundings reach beyond the district's box (degrees; the 2D map's pan limit is the same). */
export const SURROUNDINGS_MARGIN = { lon: 0.08, lat: 0.06 } as const;

/**
 * The ground around the district in 3D: the dark outside colour and every street we know of (the bus corridors run on
 * beyond the district), so the model does not float on a void. Drawn once, at a lower resolution than the district.
 */
export function drawSurroundings(
  input: Pick<BasemapInput, 'meta' | 'streets'>,
  maxPx = 2048,
): { canvas: HTMLCanvasElement; west: number; south: number; east: number; north: number } {
  const b = input.meta.bbox;
  const west = b.west - SURROUNDINGS_MARGIN.lon;
  const east = b.east + SURROUNDINGS_MARGIN.lon;
  const south = b.south - SURROUNDINGS_MARGIN.lat;
  const north = b.north + SURROUNDINGS_MARGIN.lat;
  const f = canvasFrame({ west, south, east, north }, input.meta.center.lat, maxPx);
  f.ctx.fillStyle = BASEMAP_COLORS.outside;
  f.ctx.fillRect(0, 0, f.canvas.width, f.canvas.height);
  f.ctx.strokeStyle = BASEMAP_COLORS.streetOutside;
  f.ctx.lineCap = 'round';
  strokeStreets(f, input.streets, 1);
  return { canvas: f.canvas, west, south, east, north };
}

/** A canvas over a lon/lat box (equirectangular), its projection and a path helper for flat [lon, lat, ...] arrays. */
interface CanvasFrame {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  X: (lon: number) => number;
  Y: (lat: number) => number;
  pxPerMetre: number;
  path: (flat: Float64Array, close: boolean) => void;
}

function canvasFrame(box: { west: number; south: number; east: number; north: number }, centerLat: number, maxPx: number): CanvasFrame {
  const w = box.east - box.west;
  const h = box.north - box.south;
  const canvas = document.createElement('canvas');
  canvas.width = maxPx;
  canvas.height = Math.round((maxPx * h) / w);
  // CPU-backed: a GPU-backed canvas put its thousands of paths on the GPU process (2.6 s on a software renderer,
  // ahead of Cesium's first shader), and Cesium's tiles are cut from it by the CPU anyway (canvas-tiles.ts)
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('2D canvas unavailable');
  const X = (lon: number) => ((lon - box.west) / w) * canvas.width;
  const Y = (lat: number) => ((box.north - lat) / h) * canvas.height;
  const path = (flat: Float64Array, close: boolean) => {
    ctx.beginPath();
    for (let i = 0; i < flat.length; i += 2) {
      const x = X(flat[i]!);
      const y = Y(flat[i + 1]!);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    if (close) ctx.closePath();
  };
  return { canvas, ctx, X, Y, pxPerMetre: canvas.width / (w * mPerDegLon(centerLat)), path };
}

/** Streets in the current stroke style, wider where more bus routes share the corridor (arterials vs side streets). */
function strokeStreets(f: CanvasFrame, streets: readonly Street[], minWidthPx: number): void {
  for (const s of streets) {
    f.ctx.lineWidth = Math.max(minWidthPx, (6 + Math.min(s.routes, 20) * 0.9) * f.pxPerMetre);
    f.path(s.coords, false);
    f.ctx.stroke();
  }
}

export function drawBasemap(input: BasemapInput, maxPx = 4096): HTMLCanvasElement {
  const f = canvasFrame(input.meta.bbox, input.meta.center.lat, maxPx);
  const { canvas, ctx, X, Y, pxPerMetre, path } = f;

  ctx.fillStyle = BASEMAP_COLORS.ground;
  ctx.fillRect(0, 0, canvas.width, canvas.height);

  ctx.strokeStyle = BASEMAP_COLORS.grid;
  ctx.lineWidth = Math.max(1, 2 * pxPerMetre);
  for (const g of input.grid) ctx.strokeRect(X(g.west), Y(g.north), X(g.east) - X(g.west), Y(g.south) - Y(g.north));

  ctx.fillStyle = BASEMAP_COLORS.compound;
  ctx.strokeStyle = BASEMAP_COLORS.compoundEdge;
  ctx.lineWidth = Math.max(1, 1.5 * pxPerMetre);
  for (const c of input.compounds) {
    path(c.ring, true);
    ctx.fill();
    ctx.stroke();
  }

  ctx.fillStyle = BASEMAP_COLORS.footprint;
  for (const r of input.rings) {
    path(r, true);
    ctx.fill();
  }

  ctx.strokeStyle = BASEMAP_COLORS.street;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  strokeStreets(f, input.streets, 1.5);

  ctx.strokeStyle = BASEMAP_COLORS.boundary;
  ctx.lineWidth = Math.max(3, 12 * pxPerMetre);
  ctx.setLineDash([24, 12]);
  ctx.beginPath();
  input.meta.boundary.forEach(([lon, lat], i) => (i === 0 ? ctx.moveTo(X(lon), Y(lat)) : ctx.lineTo(X(lon), Y(lat))));
  ctx.stroke();
  ctx.setLineDash([]);
  return canvas;
}
