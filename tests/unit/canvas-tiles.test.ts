import { GeographicTilingScheme, Rectangle } from '@cesium/engine';
import { describe, expect, it } from 'vitest';
import { CANVAS_TILE_PX as T, finestLevel, tileCut, type DegreeBox } from '../../renderer/src/views/canvas-tiles.ts';
import { isSoftwareRendererName } from '../../renderer/src/views/gpu.ts';

// the district basemap's shape: a 4096-pixel canvas over a box a few kilometres wide
const box: DegreeBox = { west: 116.43, south: 39.88, east: 116.5, north: 39.955 };
const W = 4096;
const H = 4389;

/** a geographic tile (180 / 2^level degrees square) at column x, row y (from the north pole) */
function geoTile(level: number, x: number, y: number): DegreeBox {
  const span = 180 / 2 ** level;
  return { west: -180 + x * span, east: -180 + (x + 1) * span, north: 90 - y * span, south: 90 - (y + 1) * span };
}

describe('canvas imagery tiles (issue 24)', () => {
  it('the finest level is the first as sharp as the canvas', () => {
    const level = finestLevel(W, box);
    const canvasPxPerDeg = W / (box.east - box.west);
    const tilePxPerDeg = (l: number) => T / (180 / 2 ** l);
    expect(tilePxPerDeg(level)).toBeGreaterThanOrEqual(canvasPxPerDeg);
    expect(tilePxPerDeg(level - 1)).toBeLessThan(canvasPxPerDeg);
    // a canvas coarser than one whole-world tile still has level 0
    expect(finestLevel(16, { west: -180, south: -90, east: 180, north: 90 })).toBe(0);
  });

  it('a tile inside the canvas copies its own pixels to the whole tile', () => {
    const level = finestLevel(W, box);
    const span = 180 / 2 ** level;
    // the tile holding the box's centre
    const x = Math.floor((116.465 + 180) / span);
    const y = Math.floor((90 - 39.9175) / span);
    const t = geoTile(level, x, y);
    const cut = tileCut(W, H, box, t)!;
    expect(cut).not.toBeNull();
    // source = the tile's lon/lat range in canvas pixels
    expect(cut.sx).toBeCloseTo(((t.west - box.west) / (box.east - box.west)) * W, 6);
    expect(cut.sy).toBeCloseTo(((box.north - t.north) / (box.north - box.south)) * H, 6);
    expect(cut.sw).toBeCloseTo((span / (box.east - box.west)) * W, 6);
    expect(cut.sh).toBeCloseTo((span / (box.north - box.south)) * H, 6);
    expect([cut.dx, cut.dy, cut.dw, cut.dh].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0, T, T]);
  });

  it("the provider's radians (Cesium rectangles, its tiling scheme) cut the same pixels as degrees", () => {
    const level = finestLevel(W, box);
    const span = 180 / 2 ** level;
    const x = Math.floor((116.47 + 180) / span);
    const y = Math.floor((90 - 39.9) / span);
    const inRadians = tileCut(
      W,
      H,
      Rectangle.fromDegrees(box.west, box.south, box.east, box.north),
      new GeographicTilingScheme().tileXYToRectangle(x, y, level),
    )!;
    const inDegrees = tileCut(W, H, box, geoTile(level, x, y))!;
    for (const k of ['sx', 'sy', 'sw', 'sh', 'dx', 'dy', 'dw', 'dh'] as const) expect(inRadians[k]).toBeCloseTo(inDegrees[k], 4);
  });

  it('a tile over the canvas edge copies only the canvas part, to where it lies in the tile', () => {
    // a tile whose west half lies beyond the box's west edge and north part above its north edge
    const span = 0.01;
    const t = { west: box.west - span / 2, east: box.west + span / 2, north: box.north + span / 4, south: box.north - (3 * span) / 4 };
    const cut = tileCut(W, H, box, t)!;
    expect(cut.sx).toBe(0);
    expect(cut.sy).toBe(0);
    expect(cut.dx).toBeCloseTo(T / 2, 6);
    expect(cut.dy).toBeCloseTo(T / 4, 6);
    expect(cut.dw).toBeCloseTo(T / 2, 6);
    expect(cut.dh).toBeCloseTo((3 * T) / 4, 6);
    expect(cut.sw).toBeCloseTo((span / 2 / (box.east - box.west)) * W, 6);
    expect(cut.sh).toBeCloseTo(((3 * span) / 4 / (box.north - box.south)) * H, 6);
  });

  it('a tile beside the canvas copies nothing, and a hemisphere tile (level 0) takes the canvas whole into a small patch', () => {
    expect(tileCut(W, H, box, { west: 117, south: 39, east: 118, north: 40 })).toBeNull();
    expect(tileCut(W, H, box, { west: box.east, south: box.south, east: box.east + 1, north: box.north })).toBeNull();
    const cut = tileCut(W, H, box, geoTile(0, 1, 0))!;
    expect([cut.sx, cut.sy, cut.sw, cut.sh]).toEqual([0, 0, W, H]);
    expect(cut.dw).toBeCloseTo((T * (box.east - box.west)) / 180, 9);
    expect(cut.dx).toBeCloseTo((T * (box.west - 0)) / 180, 9);
    expect(cut.dy).toBeCloseTo((T * (90 - box.north)) / 180, 9);
  });
});

describe('software renderer detection (issue 24)', () => {
  it('names a CPU rasteriser as software and a GPU as not', () => {
    expect(isSoftwareRendererName('ANGLE (Mesa, llvmpipe (LLVM 19.1.7 256 bits), OpenGL ES 3.2)')).toBe(true);
    expect(isSoftwareRendererName('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)')).toBe(true);
    expect(isSoftwareRendererName('Microsoft Basic Render Driver (Software)')).toBe(true);
    expect(isSoftwareRendererName('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(false);
    expect(isSoftwareRendererName('ANGLE (Intel, Mesa Intel(R) UHD Graphics 630 (CFL GT2), OpenGL 4.6)')).toBe(false);
    expect(isSoftwareRendererName('')).toBe(false);
  });
});
