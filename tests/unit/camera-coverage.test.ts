import { describe, expect, it } from 'vitest';
import { camerasCovering, coneCovers, type CoverageCamera } from '../../data-pipelines/geo/coverage.ts';
import { bearingDeg, haversineMeters } from '../../data-pipelines/geo/measure.ts';
import { rng } from '../../data-pipelines/shared/rng.ts';

const R = 6_371_008.8; // the sphere haversineMeters uses
const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** The point `distM` metres from (lon, lat) along initial bearing `brg` (spherical destination formula). */
function dest(lon: number, lat: number, brg: number, distM: number): { lon: number; lat: number } {
  const d = distM / R;
  const p1 = rad(lat);
  const t = rad(brg);
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(t));
  const l2 = rad(lon) + Math.atan2(Math.sin(t) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return { lon: ((deg(l2) + 540) % 360) - 180, lat: deg(p2) };
}

const O = { lon: 116.4105, lat: 39.9142 };
const cam = (over: Partial<CoverageCamera> = {}): CoverageCamera => ({ id: 'C', ...O, heading: 0, fov: 60, rangeM: 150, ptz: false, ...over });

describe('dest helper', () => {
  it('lands where haversine and bearing say', () => {
    const p = dest(O.lon, O.lat, 123, 80);
    expect(haversineMeters([O.lon, O.lat], [p.lon, p.lat])).toBeCloseTo(80, 6);
    expect(bearingDeg([O.lon, O.lat], [p.lon, p.lat])).toBeCloseTo(123, 6);
  });
});

describe('coneCovers (fixed camera)', () => {
  it('covers a point inside heading ± fov/2 and within range, not outside', () => {
    const c = cam({ heading: 0, fov: 60, rangeM: 150 });
    expect(coneCovers(c, dest(O.lon, O.lat, 20, 100))).toBe(true);
    expect(coneCovers(c, dest(O.lon, O.lat, 340, 100))).toBe(true);
    expect(coneCovers(c, dest(O.lon, O.lat, 29, 100))).toBe(true);
    expect(coneCovers(c, dest(O.lon, O.lat, 31, 100))).toBe(false);
    expect(coneCovers(c, dest(O.lon, O.lat, 180, 50))).toBe(false);
  });

  it('is bounded by rangeM', () => {
    const c = cam({ heading: 90, fov: 60, rangeM: 150 });
    expect(coneCovers(c, dest(O.lon, O.lat, 90, 149))).toBe(true);
    expect(coneCovers(c, dest(O.lon, O.lat, 90, 151))).toBe(false);
  });

  it('wraps around north: heading 350 / fov 40 sees 335..5, heading 10 / fov 40 sees 350..30', () => {
    const west = cam({ heading: 350, fov: 40 });
    for (const b of [5, 355, 0, 332]) expect(coneCovers(west, dest(O.lon, O.lat, b, 100)), `350±20 at ${b}`).toBe(true);
    for (const b of [15, 325, 180]) expect(coneCovers(west, dest(O.lon, O.lat, b, 100)), `350±20 at ${b}`).toBe(false);
    const east = cam({ heading: 10, fov: 40 });
    for (const b of [355, 0, 28]) expect(coneCovers(east, dest(O.lon, O.lat, b, 100)), `10±20 at ${b}`).toBe(true);
    for (const b of [345, 35]) expect(coneCovers(east, dest(O.lon, O.lat, b, 100)), `10±20 at ${b}`).toBe(false);
  });

  it('a point under the camera (within 1 m) is covered whatever the heading; fov 360 sees all round', () => {
    expect(coneCovers(cam({ heading: 0 }), dest(O.lon, O.lat, 180, 0.5))).toBe(true);
    expect(coneCovers(cam({ heading: 0 }), dest(O.lon, O.lat, 180, 5))).toBe(false);
    expect(coneCovers(cam({ fov: 360 }), dest(O.lon, O.lat, 180, 100))).toBe(true);
  });

  it('a camera with broken geometry covers nothing; a bad point is a RangeError', () => {
    expect(coneCovers(cam({ lon: Number.NaN }), O)).toBe(false);
    expect(coneCovers(cam({ rangeM: -5 }), dest(O.lon, O.lat, 0, 10))).toBe(false);
    expect(() => coneCovers(cam(), { lon: Number.NaN, lat: 39.9 })).toThrow(RangeError);
  });
});

describe('camerasCovering', () => {
  it('lists a fixed camera as view only when its cone covers the point', () => {
    const p = dest(O.lon, O.lat, 20, 100);
    expect(camerasCovering([cam({ id: 'in' })], p)).toEqual([{ id: 'in', distanceM: 100, bearingDeg: 20, mode: 'view' }]);
    expect(camerasCovering([cam({ id: 'away', heading: 180 })], p)).toEqual([]);
    expect(camerasCovering([cam({ id: 'short', rangeM: 90 })], p)).toEqual([]);
  });

  it('a PTZ camera in range must turn (turnTo = bearing); one already looking there is a view without turnTo', () => {
    const p = dest(O.lon, O.lat, 200, 50);
    const [turn] = camerasCovering([cam({ id: 'ptz', ptz: true, heading: 0 })], p);
    expect(turn).toEqual({ id: 'ptz', distanceM: 50, bearingDeg: 200, mode: 'turn', turnTo: 200 });
    const [view] = camerasCovering([cam({ id: 'ptz', ptz: true, heading: 195 })], p);
    expect(view).toEqual({ id: 'ptz', distanceM: 50, bearingDeg: 200, mode: 'view' });
    expect(view).not.toHaveProperty('turnTo');
    expect(camerasCovering([cam({ id: 'ptz', ptz: true, rangeM: 40 })], p)).toEqual([]);
  });

  it('orders nearest first, then view before turn, then id; keeps at most max (default 4)', () => {
    const p = { lon: O.lon, lat: O.lat };
    // cameras south of the point looking north, at 30, 60, 90, 120 and 140 m; two pairs share a position
    const at = (m: number) => dest(O.lon, O.lat, 180, m);
    const cams: CoverageCamera[] = [
      cam({ id: 'far', ...at(140) }),
      cam({ id: 'b-60', ...at(60) }),
      cam({ id: 'ptz-30', ...at(30), ptz: true, heading: 180 }),
      cam({ id: 'a-60', ...at(60) }),
      cam({ id: 'z-30', ...at(30) }),
      cam({ id: 'mid', ...at(90) }),
      cam({ id: 'next', ...at(120) }),
    ];
    const all = camerasCovering(cams, p, { max: 100 }).map((c) => `${c.id}:${c.mode}`);
    expect(all).toEqual(['z-30:view', 'ptz-30:turn', 'a-60:view', 'b-60:view', 'mid:view', 'next:view', 'far:view']);
    expect(camerasCovering(cams, p).map((c) => c.id)).toEqual(['z-30', 'ptz-30', 'a-60', 'b-60']);
    expect(camerasCovering(cams, p, { max: 2 }).map((c) => c.id)).toEqual(['z-30', 'ptz-30']);
    expect(camerasCovering(cams, p, { max: 0 })).toEqual([]);
    expect(() => camerasCovering(cams, p, { max: Number.NaN })).toThrow(RangeError);
  });

  it('skips cameras the usable filter rejects and cameras with broken geometry', () => {
    const p = dest(O.lon, O.lat, 10, 40);
    const cams = [cam({ id: 'offline' }), cam({ id: 'ok' }), cam({ id: 'nan', lat: Number.NaN }), cam({ id: 'inf', rangeM: Infinity })];
    expect(camerasCovering(cams, p, { usable: (c) => c.id !== 'offline' }).map((c) => c.id)).toEqual(['ok']);
  });

  it('its degree-box prefilter never drops a camera that the exact test accepts (20 000 cameras, incl. high latitudes and ±180°)', () => {
    const rand = rng(20);
    const sites = [O, { lon: 179.999, lat: 10 }, { lon: 25, lat: 70 }, { lon: -70, lat: -54 }];
    const cams: CoverageCamera[] = [];
    for (let i = 0; i < 20_000; i++) {
      const s = sites[i % sites.length]!;
      const p = dest(s.lon, s.lat, rand() * 360, rand() * 3000);
      cams.push({ id: `K${i}`, ...p, heading: rand() * 360, fov: 10 + rand() * 120, rangeM: 20 + rand() * 4980, ptz: rand() < 0.2 });
    }
    let checked = 0;
    for (let q = 0; q < 40; q++) {
      const s = sites[q % sites.length]!;
      const point = dest(s.lon, s.lat, rand() * 360, rand() * 2000);
      const got = camerasCovering(cams, point, { max: Infinity });
      const want = cams.filter((c) => haversineMeters([c.lon, c.lat], [point.lon, point.lat]) <= c.rangeM && (c.ptz || coneCovers(c, point)));
      expect(new Set(got.map((g) => g.id))).toEqual(new Set(want.map((c) => c.id)));
      for (const g of got) expect(g.mode === 'turn').toBe(g.turnTo !== undefined);
      checked += want.length;
    }
    expect(checked).toBeGreaterThan(1000); // the comparison covered many real hits, not just empty sets
  });
});
