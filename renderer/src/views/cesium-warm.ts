/**
 * Starts the worker the 3D globe needs first while the app is still loading its data (issue 24).
 *
 * The globe cannot draw a tile until Cesium's `createVerticesFromHeightmap` worker has made its mesh, and that worker
 * is created on first use: after the 3D view exists, 1.4 s of module loading on this 2-core machine before the first
 * ground tile (measured with a Worker hook in the start-up probe). Asking it for one level-0 mesh at boot starts the
 * same worker (HeightmapTerrainData's module-level unthrottled mesh processor, the one the globe's flat tiles use:
 * flat-terrain.ts; Cesium keeps it for the page) while DuckDB compiles and the data package loads. Nothing is drawn; a failure only costs the head start.
 */
import type { TilingScheme } from '@cesium/engine';
import { FlatTerrainProvider } from './flat-terrain.ts';

/** HeightmapTerrainData's mesh maker (marked private in Cesium's typings; the globe calls it, Cesium 1.145). */
interface MeshMaker {
  createMesh?(o: { tilingScheme: TilingScheme; x: number; y: number; level: number; throttle: boolean }): Promise<unknown> | undefined;
}

export function warmGlobeWorker(): void {
  try {
    const provider = new FlatTerrainProvider();
    const data = provider.requestTileGeometry();
    // (a Promise for the ellipsoid; the mesh is asked for as the globe's flat tiles ask: unthrottled, the processor they share)
    void Promise.resolve(data)
      .then((d) => (d as MeshMaker | undefined)?.createMesh?.({ tilingScheme: provider.tilingScheme, x: 0, y: 0, level: 0, throttle: false }))
      .catch(() => undefined);
  } catch {
    /* the globe starts its worker itself */
  }
}
