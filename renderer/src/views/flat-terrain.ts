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
 *   view took 10 frames more. Asked for all at once, they still waited on the worker: its script loaded for 1.4 s
 *   after the view was made, and then it competed for the 2 cores with DuckDB-Wasm compiling (the 27 meshes came
 *   back 2.3 s after they were asked for). A flat tile's mesh is a 16 x 16 grid, made in well under a millisecond:
 *   it is made at once, on the page's thread, with Cesium's own synchronous mesh maker (the one its terrain fill uses);
 * - its tiles do not say how high they are, so the globe knows a tile's bounds only once its mesh is back from the
 *   worker, and asks for no imagery before (it loads imagery only for a tile it is sure is on screen): the first
 *   view's imagery waited for all 27 meshes, 1.5 s with DuckDB-Wasm compiling beside it. A flat tile is 0 m high
 *   everywhere, and says so (Cesium reads `_minimumHeight` / `_maximumHeight`, as a quantized-mesh tile has them), so
 *   its imagery loads while its mesh is made.
 */
import { EllipsoidTerrainProvider, HeightmapTerrainData } from '@cesium/engine';

/** The grid of a flat tile (what EllipsoidTerrainProvider gives). */
const SIDE = 16;

type MeshOptions = Record<string, unknown>;
type MakeMesh = (this: HeightmapTerrainData, options: MeshOptions) => unknown;

/**
 * HeightmapTerrainData's mesh makers (Cesium 1.145, marked private in its typings): the worker's, which the globe
 * calls, and the synchronous one (TerrainFillMesh calls it).
 */
const proto = HeightmapTerrainData.prototype as unknown as { createMesh?: MakeMesh; _createMeshSync?: MakeMesh };
const createMeshSync = proto._createMeshSync;

/** A flat tile whose mesh is made when the globe asks for it, not by a worker. */
class FlatTile extends HeightmapTerrainData {
  createMesh(options: MeshOptions): Promise<unknown> {
    let mesh: { vertexCountWithoutSkirts?: number };
    try {
      mesh = createMeshSync!.call(this, options) as typeof mesh;
    } catch (e) {
      // a failed tile, as the worker's failure is (thrown here, it would stop the render loop)
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    // (left NaN by the synchronous maker, whose tessellator does not return the grid's size as the worker's does)
    if (!Number.isFinite(mesh.vertexCountWithoutSkirts)) mesh.vertexCountWithoutSkirts = SIDE * SIDE;
    return Promise.resolve(mesh);
  }
}

export class FlatTerrainProvider extends EllipsoidTerrainProvider {
  /** Every tile of the ellipsoid exists, at every level. */
  override getTileDataAvailable(): boolean {
    return true;
  }

  override requestTileGeometry(): Promise<HeightmapTerrainData> {
    // (a fresh buffer each time, as Cesium's own: the mesh maker lets go of it)
    const o = { buffer: new Uint8Array(SIDE * SIDE), width: SIDE, height: SIDE };
    // (a Cesium without the synchronous maker: its own, through the worker)
    const tile = typeof createMeshSync === 'function' ? new FlatTile(o) : new HeightmapTerrainData(o);
    // its heights (all 0): what Cesium 1.145's globe reads for a tile's bounds before the mesh is made
    Object.assign(tile, { _minimumHeight: 0, _maximumHeight: 0 });
    return Promise.resolve(tile);
  }
}
