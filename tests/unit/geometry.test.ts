/**
 * Issue 17.6: one geometry module (data-pipelines/geo/measure.ts). Known distances, bearings, areas and centroids
 * checked against closed forms written out here, and a scan that no other source file carries its own
 * metres-per-degree constant or its own turf import.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellRing } from '../../data-pipelines/geo/grid-cell.ts';
import {
  bearingDeg,
  geometryBbox,
  haversineMeters,
  M_PER_DEG_LAT,
  M_PER_DEG_LON_EQUATOR,
  mPerDegLon,
  nearest,
  offsetAlong,
  pointInRing,
  ringAreaM2,
  ringCentroid,
  ringMetrics,
  ringSide,
  type XY,
} from '../../data-pipelines/geo/measure.ts';

const rad = (d: number) => (d * Math.PI) / 180;
/** WGS84 defining constants, written out independently of the module */
const A = 6_378_137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const R_MEAN = 6_371_008.8;
/** Tiananmen (天安门), WGS84 */
const TAM: XY = [116.3975, 39.9087];
/** a point `x` m east and `y` m north of `o` in the module's local frame */
const at = (o: XY, x: number, y: number): XY => [o[0] + x / mPerDegLon(o[1]), o[1] + y / M_PER_DEG_LAT];

describe('metres per degree (WGS84)', () => {
  it('are the WGS84 equatorial degrees, within half a metre', () => {
    // meridian degree at the equator: the standard series 111 132.954 − 559.822 cos 2φ + 1.175 cos 4φ at φ = 0
    expect(Math.abs(M_PER_DEG_LAT - (111_132.954 - 559.822 + 1.175))).toBeLessThan(0.5);
    expect(Math.abs(M_PER_DEG_LAT - (Math.PI * A * (1 - E2)) / 180)).toBeLessThan(0.5);
    // equatorial degree of longitude π·a/180 = 111 319.49 m
    expect(Math.abs(M_PER_DEG_LON_EQUATOR - (Math.PI * A) / 180)).toBeLessThan(0.6);
    expect(mPerDegLon(0)).toBe(M_PER_DEG_LON_EQUATOR);
    expect(mPerDegLon(40)).toBeCloseTo(M_PER_DEG_LON_EQUATOR * Math.cos(rad(40)), 9);
  });

  it('the local frame reads Beijing within 0.5 % of the WGS84 ellipsoid (the documented approximation)', () => {
    const w = 1 - E2 * Math.sin(rad(40)) ** 2;
    const meridian40 = (Math.PI * A * (1 - E2)) / (180 * w ** 1.5); // 111 035 m
    const parallel40 = (Math.PI * A * Math.cos(rad(40))) / (180 * Math.sqrt(w)); // 85 394 m
    expect(meridian40).toBeCloseTo(111_035, -1);
    expect(1 - M_PER_DEG_LAT / meridian40).toBeGreaterThan(0.004);
    expect(1 - M_PER_DEG_LAT / meridian40).toBeLessThan(0.005);
    expect(Math.abs(1 - mPerDegLon(40) / parallel40)).toBeLessThan(0.002);
  });
});

describe('great-circle distance and bearing (turf)', () => {
  it('one degree along a meridian or the equator is R·π/180 on the mean sphere', () => {
    expect(haversineMeters(TAM, [TAM[0], TAM[1] + 1])).toBeCloseTo((R_MEAN * Math.PI) / 180, 3); // 111 195.08 m
    expect(haversineMeters([0, 0], [1, 0])).toBeCloseTo((R_MEAN * Math.PI) / 180, 3);
    expect(haversineMeters(TAM, TAM)).toBe(0);
  });

  it('Tiananmen to People’s Square, Shanghai: 1 068 km, as the spherical law of cosines gives', () => {
    const sh: XY = [121.4737, 31.2304];
    const cosC = Math.sin(rad(TAM[1])) * Math.sin(rad(sh[1])) + Math.cos(rad(TAM[1])) * Math.cos(rad(sh[1])) * Math.cos(rad(sh[0] - TAM[0]));
    expect(haversineMeters(TAM, sh)).toBeCloseTo(R_MEAN * Math.acos(cosC), 0);
    expect(haversineMeters(TAM, sh) / 1000).toBeCloseTo(1068, 0);
    expect(haversineMeters(sh, TAM)).toBeCloseTo(haversineMeters(TAM, sh), 6);
  });

  it('bearings: the four quarters, in [0, 360), and a great circle east leaves slightly north of east', () => {
    expect(bearingDeg(TAM, [TAM[0], TAM[1] + 0.01])).toBeCloseTo(0, 9);
    expect(bearingDeg([0, 0], [1, 0])).toBeCloseTo(90, 9);
    expect(bearingDeg(TAM, [TAM[0], TAM[1] - 0.01])).toBeCloseTo(180, 9);
    expect(bearingDeg([0, 0], [-1, 0])).toBeCloseTo(270, 9);
    for (let k = 0; k < 72; k++) {
      const b = bearingDeg(TAM, [TAM[0] + Math.sin(rad(k * 5)) * 0.01, TAM[1] + Math.cos(rad(k * 5)) * 0.01]);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(360);
    }
    expect(bearingDeg([0, 0], [-1e-13, 1])).toBeLessThan(360);
    // along the parallel: tan θ = sin Δλ / (sin φ (1 − cos Δλ))
    const east = Math.atan2(Math.sin(rad(1)), Math.sin(rad(TAM[1])) * (1 - Math.cos(rad(1)))) / rad(1);
    expect(bearingDeg(TAM, [TAM[0] + 1, TAM[1]])).toBeCloseTo(east, 9); // 89.68°
  });

  it('nearest: the closest usable item within the limit', () => {
    const items = [
      { id: 'a', lon: TAM[0] + 0.001, lat: TAM[1] },
      { id: 'b', lon: TAM[0], lat: TAM[1] + 0.0005 },
      { id: 'c', lon: TAM[0], lat: TAM[1] + 0.0001 },
    ];
    expect(nearest(items, TAM)?.item.id).toBe('c');
    expect(nearest(items, TAM, (i) => i.id !== 'c')?.item.id).toBe('b');
    expect(nearest(items, TAM, (i) => i.id !== 'c')?.distanceM).toBeCloseTo(haversineMeters(TAM, [TAM[0], TAM[1] + 0.0005]), 9);
    expect(nearest(items, TAM, (i) => i.id === 'a', 50)).toBeNull();
  });
});

describe('areas and centroids (local frame)', () => {
  it('a 1° × 1° cell at 40° N: kx·ky of the frame, 0.4 % under the spherical closed form', () => {
    const cell: XY[] = [
      [116, 40],
      [117, 40],
      [117, 41],
      [116, 41],
    ];
    expect(ringAreaM2(cell) / (mPerDegLon(40.5) * M_PER_DEG_LAT)).toBeCloseTo(1, 12);
    const sphere = R_MEAN ** 2 * rad(1) * (Math.sin(rad(41)) - Math.sin(rad(40))); // 9 401.8 km²
    expect(1 - ringAreaM2(cell) / sphere).toBeGreaterThan(0.003);
    expect(1 - ringAreaM2(cell) / sphere).toBeLessThan(0.006);
  });

  it('a 10 m × 8 m footprint at Tiananmen: 80 m², centroid to the millimetre (no cancellation at absolute lon/lat)', () => {
    // The former etl ringCentroid summed lon·lat products (~4 600) for an area of ~1e-8 deg²: this footprint's centroid
    // came out 365 m east and 162 m north of it, and 2 849 of the district's 5 442 buildings sat outside their own box.
    const ring = [at(TAM, 0, 0), at(TAM, 10, 0), at(TAM, 10, 8), at(TAM, 0, 8)];
    const c = ringCentroid(ring);
    const want = at(TAM, 5, 4);
    expect(Math.abs(c[0] - want[0]) * mPerDegLon(TAM[1])).toBeLessThan(0.001);
    expect(Math.abs(c[1] - want[1]) * M_PER_DEG_LAT).toBeLessThan(0.001);
    expect(ringAreaM2(ring)).toBeCloseTo(80, 4);
    // closed or open, either winding: the same
    const closed = [...ring, ring[0]!];
    expect(ringMetrics(closed)).toEqual(ringMetrics(ring));
    expect(ringAreaM2([...ring].reverse())).toBeCloseTo(80, 4);
  });

  it('an L-shaped footprint: area-weighted centroid (hand-computed), not the vertex mean', () => {
    // 20 × 10 slab plus a 10 × 10 wing on its west half: 300 m², centroid (8⅓, 8⅓)
    const L = [at(TAM, 0, 0), at(TAM, 20, 0), at(TAM, 20, 10), at(TAM, 10, 10), at(TAM, 10, 20), at(TAM, 0, 20)];
    const m = ringMetrics(L);
    expect(m.areaM2).toBeCloseTo(300, 3);
    expect((m.lon - TAM[0]) * mPerDegLon(TAM[1])).toBeCloseTo(25 / 3, 3);
    expect((m.lat - TAM[1]) * M_PER_DEG_LAT).toBeCloseTo(25 / 3, 3);
  });

  it('a degenerate ring has no area and the mean of its vertices as centroid', () => {
    const line = [at(TAM, 0, 0), at(TAM, 10, 0), at(TAM, 20, 0)];
    expect(ringMetrics(line).areaM2).toBe(0);
    expect(ringCentroid(line)[0]).toBeCloseTo(at(TAM, 10, 0)[0], 12);
    expect(ringAreaM2(line.slice(0, 2))).toBe(0);
  });

  it('offsetAlong: a fraction along a street, metres to its left', () => {
    const a = TAM;
    const b = at(TAM, 100, 0); // due east
    const left = offsetAlong(a, b, 0.5, 5);
    expect((left[0] - TAM[0]) * mPerDegLon(TAM[1])).toBeCloseTo(50, 6);
    expect((left[1] - TAM[1]) * M_PER_DEG_LAT).toBeCloseTo(5, 6); // left of east is north
    const right = offsetAlong(b, a, 0, 5); // heading west from b: left is south
    expect((right[1] - TAM[1]) * M_PER_DEG_LAT).toBeCloseTo(-5, 6);
  });
});

describe('point in ring (turf) and bounding boxes', () => {
  const sq: XY[] = [
    [0, 0],
    [10, 0],
    [10, 10],
    [0, 10],
  ];
  const U: XY[] = [
    [0, 0],
    [30, 0],
    [30, 30],
    [20, 30],
    [20, 10],
    [10, 10],
    [10, 30],
    [0, 30],
  ];

  it('inside, outside, the boundary counts as inside; open or closed rings; concave rings', () => {
    expect(pointInRing([5, 5], sq)).toBe(true);
    expect(pointInRing([5, 5], [...sq, sq[0]!])).toBe(true);
    expect(pointInRing([15, 5], sq)).toBe(false);
    expect(pointInRing([10, 5], sq)).toBe(true);
    expect(pointInRing([15, 20], U)).toBe(false); // in the notch
    expect(pointInRing([5, 20], U)).toBe(true);
    expect(pointInRing([25, 20], U)).toBe(true);
    expect(pointInRing([5, 5], sq.slice(0, 2))).toBe(false);
    // district-scale lon/lat: a building centre inside a compound outline, one just outside
    const compound = [at(TAM, 0, 0), at(TAM, 80, 0), at(TAM, 80, 60), at(TAM, 0, 60)];
    expect(pointInRing(at(TAM, 40, 30), compound)).toBe(true);
    expect(pointInRing(at(TAM, 80.5, 30), compound)).toBe(false);
  });

  it('ringSide tells boundary from inside in any planar coordinates (a shapefile in projected metres)', () => {
    const o = [500_000, 4_420_000];
    const ring = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
    ].map(([x, y]) => [o[0]! + x!, o[1]! + y!]);
    expect(ringSide([o[0]! + 5, o[1]! + 5], ring)).toBe(1);
    expect(ringSide([o[0]! + 10, o[1]! + 5], ring)).toBe(0);
    expect(ringSide([o[0]! + 10, o[1]! + 10], ring)).toBe(0);
    expect(ringSide([o[0]! + 11, o[1]! + 5], ring)).toBe(-1);
  });

  it('geometryBbox covers every geometry kind, skips nulls, and lets a NaN through (a failed reprojection)', () => {
    expect(
      geometryBbox([
        { type: 'Point', coordinates: [116.4, 39.9] },
        null,
        {
          type: 'LineString',
          coordinates: [
            [116.41, 39.95],
            [116.38, 39.91],
          ],
        },
        {
          type: 'GeometryCollection',
          geometries: [
            {
              type: 'Polygon',
              coordinates: [
                [
                  [116.5, 39.8],
                  [116.51, 39.8],
                  [116.5, 39.81],
                  [116.5, 39.8],
                ],
              ],
            },
          ],
        },
      ]),
    ).toEqual([116.38, 39.8, 116.51, 39.95]);
    expect(geometryBbox([])).toBeNull();
    expect(geometryBbox([null, { type: 'MultiPoint', coordinates: [] }])).toBeNull();
    const broken = geometryBbox([
      {
        type: 'LineString',
        coordinates: [
          [116.4, 39.9],
          [Number.NaN, 39.95],
          [116.5, 40],
        ],
      },
    ]);
    expect(broken!.every(Number.isFinite)).toBe(false);
  });
});

describe('one module', () => {
  const root = resolve(import.meta.dirname, '../..');
  const MODULE = 'data-pipelines/geo/measure.ts';
  const IMPACT = 'data-pipelines/routing/impact.ts';
  const sources: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (name === 'node_modules' || name === 'inputs' || name === 'dist') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|mjs|cjs)$/.test(name)) sources.push(relative(root, p).split('\\').join('/'));
    }
  };
  for (const d of ['renderer/src', 'data-pipelines', 'electron', 'scripts', 'bench']) walk(join(root, d));
  /** 110574 / 110540 / 111320 as whole numbers (with or without _), not the digits of a longer number such as 111320.702 */
  const LITERAL = /(?<![\d._])(110_?574|110_?540|111_?320)(?![\d_])(?!\.\d)/;

  it('no other source file writes metres-per-degree again', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources).toContain(MODULE);
    const hits = sources.flatMap((f) =>
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (LITERAL.test(line) ? [`${f}:${i + 1}`] : [])),
    );
    expect(hits.filter((h) => h.startsWith(`${MODULE}:`)).length).toBeGreaterThanOrEqual(2);
    expect(hits.filter((h) => !h.startsWith(`${MODULE}:`))).toEqual([]);
  });

  it('turf is imported by the module and the impact-zone module only, and every declared @turf package is used there', () => {
    // impact.ts holds the heavy part (buffer pulls in JSTS): the renderer loads it only when an alarm needs a zone
    const importers = sources.filter((f) => /from '@turf\//.test(readFileSync(join(root, f), 'utf8')));
    expect(importers.sort()).toEqual([IMPACT, MODULE].sort());
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const declared = Object.keys(pkg.dependencies).filter((d) => d.startsWith('@turf/'));
    const text = readFileSync(join(root, MODULE), 'utf8') + readFileSync(join(root, IMPACT), 'utf8');
    expect(declared.length).toBeGreaterThan(0);
    for (const d of declared) expect(text, d).toContain(`from '${d}'`);
  });
});

describe('grid cell ring', () => {
  it('is closed, counter-clockwise from the south-west corner, and encloses exactly the cell', () => {
    const g = { west: 116.4, south: 39.9, east: 116.41, north: 39.91 };
    const ring = cellRing(g);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    expect(ring.slice(0, 4)).toEqual([
      [116.4, 39.9],
      [116.41, 39.9],
      [116.41, 39.91],
      [116.4, 39.91],
    ]);
    // shoelace: positive = counter-clockwise
    let twice = 0;
    for (let i = 0; i < ring.length - 1; i++) twice += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
    expect(twice).toBeGreaterThan(0);
  });
});
