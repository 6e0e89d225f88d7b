/**
 * The far-away ground: Cesium's bundled Natural Earth II imagery (a TMS pyramid of 42 JPEGs, ~600 KB, served with the
 * app), loaded during start-up and handed to the globe without going through Cesium's request scheduler.
 *
 * Cesium lets 18 requests at a time go to one server, and every file of the app comes from one (the gateway, or
 * `app://`). At start-up the district's 3D Tiles took all 18, so the globe's first imagery request waited for the
 * buildings' tiles to arrive and be handed over, and every ground tile on screen waited on it: seconds of the cold start
 * on this 2-core machine (issue 24's start-up probe). These files are few and small: main.ts fetches them once the
 * data package is in, before the 3D view asks for any tile, and they are kept for the page's life (a rebuilt view
 * uses them again).
 */
import { buildModuleUrl, GeographicTilingScheme, UrlTemplateImageryProvider } from '@cesium/engine';

/** The finest level of the pyramid (its tilemapresource.xml: levels 0-2). */
export const NATURAL_EARTH_MAX_LEVEL = 2;

/** Cesium's geographic tiling (2^(level+1) x 2^level tiles, rows counted from the north): the pyramid's and the globe's. */
const TILING = new GeographicTilingScheme();

/** The pyramid's file for tile (x, y) at `level` of the tiling (TMS counts rows from the south: Cesium's {reverseY}). */
export function naturalEarthPath(x: number, y: number, level: number): string {
  return `${level}/${x}/${TILING.getNumberOfYTilesAtLevel(level) - 1 - y}.jpg`;
}

/** Every tile of the pyramid, as [x, y, level]. */
export function naturalEarthTiles(maxLevel = NATURAL_EARTH_MAX_LEVEL): Array<[number, number, number]> {
  const tiles: Array<[number, number, number]> = [];
  for (let level = 0; level <= maxLevel; level++) {
    for (let x = 0; x < TILING.getNumberOfXTilesAtLevel(level); x++) {
      for (let y = 0; y < TILING.getNumberOfYTilesAtLevel(level); y++) tiles.push([x, y, level]);
    }
  }
  return tiles;
}

const root = (): string => buildModuleUrl('Assets/Textures/NaturalEarthII');

const files = new Map<string, Promise<HTMLImageElement>>();

/**
 * One file of the pyramid, loaded once as an image element (Cesium never changes the images it is given, so one serves
 * every request; it flips an image element on upload, as for its own loader's).
 * Not decoded to an ImageBitmap: createImageBitmap decodes on the browser's shared worker threads, and at start-up
 * those are busy compiling DuckDB's 34 MB of WebAssembly. The globe's tiles waited 2 s and more there for one 256 px
 * JPEG (issue 24's start-up probe). An image element is decoded where it is uploaded, on the main thread: a few ms for
 * one of these (2-19 ms measured in the start-up frames), and only for the few tiles the view shows; and the pyramid
 * is held encoded (600 KB), not as 11 MB of bitmaps.
 * A failed one is forgotten: Cesium draws the tile with its parent's imagery and asks again when it makes the tile
 * again (as with its own TMS provider), and then it is loaded again.
 */
function file(path: string): Promise<HTMLImageElement> {
  let p = files.get(path);
  if (!p) {
    const url = `${root()}/${path}`;
    p = new Promise<HTMLImageElement>((resolve, reject) => {
      const image = new Image();
      image.onload = () => resolve(image);
      image.onerror = () => reject(new Error(`${url}: not loaded`));
      image.src = url;
    });
    files.set(path, p);
    p.catch(() => files.delete(path));
  }
  return p;
}

/** Loads the whole pyramid now; a failure only costs the head start (the tile is loaded again when asked for). */
export function prefetchNaturalEarth(): void {
  for (const [x, y, level] of naturalEarthTiles()) file(naturalEarthPath(x, y, level)).catch(() => undefined);
}

export class NaturalEarthProvider extends UrlTemplateImageryProvider {
  constructor() {
    // (the template is what Cesium's TileMapServiceImageryProvider makes of the pyramid; requestImage below serves it)
    super({
      url: `${root()}/{z}/{x}/{reverseY}.jpg`,
      tilingScheme: TILING,
      maximumLevel: NATURAL_EARTH_MAX_LEVEL,
      tileWidth: 256,
      tileHeight: 256,
    });
  }

  override requestImage(x: number, y: number, level: number): Promise<HTMLImageElement> {
    return file(naturalEarthPath(x, y, level));
  }
}
