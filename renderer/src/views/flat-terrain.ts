/**
 * The 3D view's ground: the WGS84 ellipsoid, flat everywhere (the product is offline and ships no elevation), told to
 * Cesium as terrain whose every tile exists, with meshes made as fast as the globe asks for them.
 *
 * Cesium's own EllipsoidTerrainProvider, measured at start-up on this 2-core software-GL machine (issue 24):
 * - it answers "unknown" when asked whether a tile's children exist, and the globe then refines a tile only once that
 *   tile itself has loaded: it walked down one level per frame, from level 0 to the district's level 13, before it
 *   asked for the tiles on screen (3 s and more with frames of 0.2-0.5 s). The ellipsoid is the same at every level,
 *   so the answer is known: every child exists, and the globe goes to the tiles the view needs in its first frame;
 * - its tiles' meshes are made by a worker at most 5 at a time, one batch per frame or two: the 27 tiles of the first
 *   view took 10 frames more. A flat tile's mesh is a 16 x 16 grid, so the globe's tiles ask for theirs all at once;
 * - its tiles do not say how high they are, so the globe knows a tile's bounds only once its mesh is back from the
 *   worker, and asks for no imagery before (it loads imagery only for a tile it is sure is on screen): the first
 *   view's imagery waited for all 27 meshes, 1.5 s with DuckDB-Wasm compiling beside it. A flat tile is 0 m high
 *   everywhere, and says so (Cesium reads `_minimumHeight` / `_maximumHeight`, as a quantized-mesh tile has them), so
 *   its imagery loads while its mesh is made.
 */
import { EllipsoidTerrainProvider, HeightmapTerrainData } from '@cesium/engine';

/** The grid of a flat tile (what EllipsoidTerrainProvider gives). */
const SIDE = 16;

type MeshOptions = Record<string, unknown> & { throttle?: boolean };
type CreateMesh = (this: HeightmapTerrainData, options: MeshOptions) => unknown;

/** HeightmapTerrainData's mesh maker: marked private in Cesium's typings, called by the globe (Cesium 1.145). */
const createMesh = (HeightmapTerrainData.prototype as unknown as { createMesh?: CreateMesh }).createMesh;

/** A flat tile whose mesh is never postponed (`throttle: false`: Cesium's own option, the worker it uses unthrottled). */
class UnthrottledHeightmap extends HeightmapTerrainData {
  createMesh(options: MeshOptions): unknown {
    return createMesh!.call(this, { ...options, throttle: false });
  }
}

export class FlatTerrainProvider extends EllipsoidTerrainProvider {
  /** Every tile of the ellipsoid exists, at every level. */
  override getTileDataAvailable(): boolean {
    return true;
  }

  override requestTileGeometry(): Promise<HeightmapTerrainData> {
    // (a fresh buffer each time, as Cesium's own: the worker may take it over)
    const o = { buffer: new Uint8Array(SIDE * SIDE), width: SIDE, height: SIDE };
    const tile = typeof createMesh === 'function' ? new UnthrottledHeightmap(o) : new HeightmapTerrainData(o);
    // its heights (all 0): what Cesium 1.145's globe reads for a tile's bounds before the mesh is made
    Object.assign(tile, { _minimumHeight: 0, _maximumHeight: 0 });
    return Promise.resolve(tile);
  }
}
