/**
 * One large canvas (the district basemap, its surroundings) served to Cesium as geographic imagery tiles cut from it
 * when asked, at the levels its resolution carries. Handed to Cesium as one tile, the 4096 x 4456 basemap was one
 * texture uploaded in the frame the globe first drew, 1.5 s and more on a software renderer, held in GPU memory
 * whole; drawn on a GPU-backed canvas, its thousands of street paths were rasterised in the GPU process
 * first (2.6 s there, before Cesium's first shader could link). Tiles are uploaded as the view needs them, and the
 * canvases are CPU-backed (issue 24).
 */
import { GeographicTilingScheme, Rectangle, UrlTemplateImageryProvider } from '@cesium/engine';

/**
 * Tile side in pixels. Not a power of two on purpose: Cesium mipmaps only power-of-two imagery, and mipmapped, the
 * basemap's thin lines (the district boundary's dashes) were averaged away where the ground recedes at a grazing
 * angle; the single 4096 x 4456 texture before was not mipmapped either. (No mipmap to generate per tile, too.)
 */
export const CANVAS_TILE_PX = 500;

/** A lon/lat box in degrees. */
export interface DegreeBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

/**
 * The finest tile level a canvas of `canvasWidth` pixels over `box` needs: the first whose tiles (geographic tiling,
 * a tile spans 180 / 2^level degrees over `tilePx` pixels) have at least as many pixels per degree as the canvas.
 */
export function finestLevel(canvasWidth: number, box: DegreeBox, tilePx = CANVAS_TILE_PX): number {
  const pxPerDegree = canvasWidth / (box.east - box.west);
  return Math.max(0, Math.ceil(Math.log2((pxPerDegree * 180) / tilePx)));
}

/** A copy from the canvas into the tile: source and destination rectangles in pixels (drawImage's arguments). */
export interface TileCut {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  dx: number;
  dy: number;
  dw: number;
  dh: number;
}

/**
 * Where the tile `tile` (any unit, as `box`) takes its pixels from a canvas of `width` x `height` spanning `box`
 * (equirectangular: x linear in longitude, y in latitude, north up), clipped to the canvas; null when the tile misses
 * it. Clipped rather than left to drawImage: a source beyond the image is not drawn the same by every browser.
 */
export function tileCut(width: number, height: number, box: DegreeBox, tile: DegreeBox, tilePx = CANVAS_TILE_PX): TileCut | null {
  const sx = width / (box.east - box.west); // canvas pixels per unit
  const sy = height / (box.north - box.south);
  // the tile in canvas pixels, and the tile's pixels per canvas pixel
  const left = (tile.west - box.west) * sx;
  const top = (box.north - tile.north) * sy;
  const kx = tilePx / ((tile.east - tile.west) * sx);
  const ky = tilePx / ((tile.north - tile.south) * sy);
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const x1 = Math.min(width, left + tilePx / kx);
  const y1 = Math.min(height, top + tilePx / ky);
  if (!(x1 > x0 && y1 > y0)) return null;
  return { sx: x0, sy: y0, sw: x1 - x0, sh: y1 - y0, dx: (x0 - left) * kx, dy: (y0 - top) * ky, dw: (x1 - x0) * kx, dh: (y1 - y0) * ky };
}

export class CanvasTileProvider extends UrlTemplateImageryProvider {
  private readonly box: Rectangle;
  /**
   * `detail: 'coarse'`: tiles one level coarser than the view's (about two screen pixels per texel), for the receded
   * ground around the district (drawn at a lower resolution anyway): a quarter of the tiles to cut and upload.
   */
  constructor(
    private readonly canvas: HTMLCanvasElement,
    box: DegreeBox,
    detail: 'fine' | 'coarse' = 'fine',
  ) {
    const rectangle = Rectangle.fromDegrees(box.west, box.south, box.east, box.north);
    // the URL is never fetched: requestImage cuts the tile from the canvas
    super({
      url: 'redwall-canvas://{z}/{x}/{y}',
      tilingScheme: new GeographicTilingScheme(),
      rectangle,
      minimumLevel: 0,
      maximumLevel: finestLevel(canvas.width, box),
      // Cesium picks an imagery level from the tile width it is told; told half the real width, it takes tiles one
      // level finer: about one texel per screen pixel at the globe's default error (with the real width, two pixels,
      // and the district boundary's thin dashes faded out in the distance)
      tileWidth: detail === 'fine' ? CANVAS_TILE_PX / 2 : CANVAS_TILE_PX,
      tileHeight: detail === 'fine' ? CANVAS_TILE_PX / 2 : CANVAS_TILE_PX,
      hasAlphaChannel: true,
    });
    this.box = rectangle;
  }

  override requestImage(x: number, y: number, level: number): Promise<HTMLCanvasElement> {
    const out = document.createElement('canvas');
    out.width = CANVAS_TILE_PX;
    out.height = CANVAS_TILE_PX;
    // CPU-backed: Cesium reads it into a texture at once, with no GPU raster to wait for
    const ctx = out.getContext('2d', { willReadFrequently: true });
    if (!ctx) return Promise.reject(new Error('2D canvas unavailable'));
    const cut = tileCut(this.canvas.width, this.canvas.height, this.box, this.tilingScheme.tileXYToRectangle(x, y, level));
    if (cut) {
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(this.canvas, cut.sx, cut.sy, cut.sw, cut.sh, cut.dx, cut.dy, cut.dw, cut.dh);
    }
    return Promise.resolve(out);
  }
}
