/**
 * Issue 24's globe start-up levers, checked where they can be without a GPU: the far-away ground's Natural Earth
 * tiles are named as Cesium's TMS provider names them (and all exist in the bundled pyramid), and the flat terrain
 * says every tile exists and asks for meshes unthrottled.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GeographicTilingScheme, HeightmapTerrainData, Rectangle } from '@cesium/engine';

/** The parts of Cesium's TerrainMesh (not in its typings) checked here. */
interface TerrainMesh {
  vertices: Float32Array;
  rectangle: Rectangle;
  minimumHeight: number;
  maximumHeight: number;
  vertexCountWithoutSkirts: number;
}
import { describe, expect, it, vi } from 'vitest';
import { NATURAL_EARTH_MAX_LEVEL, naturalEarthPath, naturalEarthTiles } from '../../renderer/src/views/natural-earth.ts';

const pyramid = resolve(import.meta.dirname, '../../node_modules/@cesium/engine/Source/Assets/Textures/NaturalEarthII');

describe('Natural Earth, loaded outside Cesium (views/natural-earth.ts)', () => {
  it('its finest level is the bundled pyramid’s', () => {
    const xml = readFileSync(join(pyramid, 'tilemapresource.xml'), 'utf8');
    const levels = [...xml.matchAll(/<TileSet [^>]*order="(\d+)"/g)].map((m) => Number(m[1]));
    expect(Math.max(...levels)).toBe(NATURAL_EARTH_MAX_LEVEL);
    expect(xml).toMatch(/profile="geodetic"/);
  });

  it('every tile of the geographic tiling, named as TMS names it (rows from the south), is a file of the pyramid', () => {
    const scheme = new GeographicTilingScheme();
    const tiles = naturalEarthTiles();
    let expected = 0;
    for (let level = 0; level <= NATURAL_EARTH_MAX_LEVEL; level++) expected += scheme.getNumberOfXTilesAtLevel(level) * scheme.getNumberOfYTilesAtLevel(level);
    expect(tiles).toHaveLength(expected);
    for (const [x, y, level] of tiles) {
      // Cesium's {reverseY}: the number of rows at the level, minus the row from the north, minus one
      expect(naturalEarthPath(x, y, level)).toBe(`${level}/${x}/${scheme.getNumberOfYTilesAtLevel(level) - y - 1}.jpg`);
      expect(existsSync(join(pyramid, naturalEarthPath(x, y, level)))).toBe(true);
    }
    expect(naturalEarthPath(6, 1, 2)).toBe('2/6/2.jpg');
  });
});

describe('flat terrain (views/flat-terrain.ts)', () => {
  it('every tile exists at every level, and its mesh is made at once, without the worker', async () => {
    const { FlatTerrainProvider } = await import('../../renderer/src/views/flat-terrain.ts');
    const worker = vi.spyOn(HeightmapTerrainData.prototype as unknown as { createMesh: (o: unknown) => unknown }, 'createMesh');
    const p = new FlatTerrainProvider();
    expect(p.getTileDataAvailable()).toBe(true);
    const data = await p.requestTileGeometry();
    expect(data).toBeInstanceOf(HeightmapTerrainData);
    const asked = (data as unknown as { createMesh: (o: unknown) => Promise<TerrainMesh> | undefined }).createMesh({
      tilingScheme: p.tilingScheme,
      x: 3,
      y: 1,
      level: 2,
      throttle: true,
    });
    expect(asked).toBeInstanceOf(Promise);
    const mesh = await asked!;
    // Cesium's own mesh of the tile: its rectangle, flat (0 m), a 16 x 16 grid with skirts; no worker asked
    expect(mesh.vertices).toBeInstanceOf(Float32Array);
    expect(worker).not.toHaveBeenCalled();
    expect(Rectangle.equalsEpsilon(mesh.rectangle, p.tilingScheme.tileXYToRectangle(3, 1, 2), 1e-12)).toBe(true);
    expect([mesh.minimumHeight, mesh.maximumHeight]).toEqual([0, 0]);
    expect(mesh.vertexCountWithoutSkirts).toBe(16 * 16);
    worker.mockRestore();
    // heights: all zero (the ellipsoid)
    expect(data.interpolateHeight(p.tilingScheme.tileXYToRectangle(3, 1, 2), 0, 0)).toBe(0);
    // and says so before its mesh is made: the globe then knows the tile's bounds and loads its imagery meanwhile
    // (Cesium 1.145 GlobeSurfaceTileProvider reads these two names, as on a quantized-mesh tile)
    expect(data).toMatchObject({ _minimumHeight: 0, _maximumHeight: 0 });
    const src = readFileSync(resolve(import.meta.dirname, '../../node_modules/@cesium/engine/Source/Scene/GlobeSurfaceTileProvider.js'), 'utf8');
    expect(src).toContain('terrainData._minimumHeight !== undefined');
  });
});
