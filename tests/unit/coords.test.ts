import { describe, expect, it } from 'vitest';
import {
  bd09ToBd09mc,
  bd09ToGcj02,
  bd09mcToBd09,
  convert,
  CRS_LIST,
  gcj02ToBd09,
  gcj02ToWgs84,
  toWgs84,
  wgs84ToGcj02,
  type XY,
} from '../../data-pipelines/geo/coords.ts';
import { haversineMeters } from '../../data-pipelines/geo/measure.ts';

const close = (a: XY, b: XY, eps: number) => {
  expect(Math.abs(a[0] - b[0])).toBeLessThan(eps);
  expect(Math.abs(a[1] - b[1])).toBeLessThan(eps);
};

describe('coordinate conversion', () => {
  // Published reference vectors of the standard algorithm (coordtransform / eviltransform README values).
  it('WGS84 -> GCJ-02 matches the published reference vector bit for bit', () => {
    expect(wgs84ToGcj02(116.404, 39.915)).toEqual([116.41024449916938, 39.91640428150164]);
  });

  it('GCJ-02 -> BD-09 matches the published reference vector', () => {
    close(gcj02ToBd09(116.404, 39.915), [116.41036949371029, 39.92133699351021], 1e-12);
  });

  it('BD-09 -> GCJ-02 agrees with the published one-step inverse to < 1e-5 deg and is exact against the forward', () => {
    const g = bd09ToGcj02(116.404, 39.915);
    close(g, [116.39762729119315, 39.90865673957631], 1e-5);
    close(gcj02ToBd09(g[0], g[1]), [116.404, 39.915], 1e-10);
  });

  it('GCJ-02 -> WGS84 is an exact inverse (the one-step approximation is ~1 m off; ours < 1 mm)', () => {
    const w = gcj02ToWgs84(116.404, 39.915);
    close(wgs84ToGcj02(w[0], w[1]), [116.404, 39.915], 1e-9);
    // within a metre of the common approximation
    expect(haversineMeters(w, [116.39775550083061, 39.91359571849836])).toBeLessThan(2);
  });

  it('Tiananmen Gate: WGS84 ~ (116.3913, 39.9075) shows at GCJ-02 ~ (116.3975, 39.9087)', () => {
    const g = wgs84ToGcj02(116.3913, 39.9075);
    expect(haversineMeters(g, [116.3975, 39.9087])).toBeLessThan(30);
    // and the offset itself is hundreds of metres: forgetting the conversion is a visible bug
    expect(haversineMeters([116.3913, 39.9075], g)).toBeGreaterThan(400);
  });

  it('BD-09MC: Baidu Mercator of Tiananmen (12958175, 4825923.77) is BD-09 (116.404, 39.915)', () => {
    close(bd09mcToBd09(12958175, 4825923.77), [116.404, 39.915], 2e-5);
    const mc = bd09ToBd09mc(116.404, 39.915);
    expect(Math.abs(mc[0] - 12958175)).toBeLessThan(2);
    expect(Math.abs(mc[1] - 4825923.77)).toBeLessThan(2);
  });

  it('round-trips every CRS through WGS84 across the demo district', () => {
    for (const crs of CRS_LIST) {
      for (const p of [
        [116.4285, 39.9075],
        [116.4834, 39.9676],
        [116.45, 39.935],
      ] as XY[]) {
        const there = convert('WGS84', crs, p[0], p[1]);
        const back = toWgs84(crs, there[0], there[1]);
        // BD09MC is a polynomial fit in both directions: allow ~0.5 m; lon/lat systems are exact.
        expect(haversineMeters(back, p)).toBeLessThan(crs === 'BD09MC' ? 0.5 : 0.001);
      }
    }
  });

  it('leaves coordinates outside China untouched and rejects non-finite input', () => {
    expect(wgs84ToGcj02(-0.1246, 51.5007)).toEqual([-0.1246, 51.5007]);
    expect(() => wgs84ToGcj02(Number.NaN, 39.9)).toThrow(/finite/);
    expect(() => toWgs84('BD09', 116.4, Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });
});
