/**
 * Issue 22: hazard zones and "who and what is inside", on a small world laid out by hand in metres east/north of a
 * place, with the answers worked out here (see the sketch in each case).
 */
import { describe, expect, it } from 'vitest';
import { hazardZone, impactOf, pointInZone, type ImpactWorld } from '../../data-pipelines/routing/impact.ts';
import { M_PER_DEG_LAT, mPerDegLon } from '../../data-pipelines/geo/measure.ts';
import type { Facility } from '../../data-pipelines/routing/evacuation.ts';
import { stationEtas } from '../../data-pipelines/routing/responders.ts';
import { StreetNetwork } from '../../data-pipelines/routing/streets.ts';
import type { CoverageCamera } from '../../data-pipelines/geo/coverage.ts';

const O: [number, number] = [116.4, 39.9];
const at = (x: number, y: number): [number, number] => [O[0] + x / mPerDegLon(O[1]), O[1] + y / M_PER_DEG_LAT];
/** a rectangle footprint from (x0, y0) to (x1, y1) metres, as a flat ring */
const rect = (x0: number, y0: number, x1: number, y1: number) => Float64Array.from([...at(x0, y0), ...at(x1, y0), ...at(x1, y1), ...at(x0, y1)]);

/*
 *            AS2 (0,200)                         north ↑
 *   F (40..50, 30..40)
 *   D (-10..10)  A (40..60, ±10)  C (95..125, ±10)  B (140..160, ±10)
 *   street y=-30: nodes x = -300 … 300 every 100; side street x=0 down to y=-230
 *   E (145..155, -45..-35) fronts the street
 */
function world(): ImpactWorld {
  const buildings = [
    { id: 1, floors: 6, ring: rect(40, -10, 60, 10) }, // A
    { id: 2, floors: 3, ring: rect(140, -10, 160, 10) }, // B
    { id: 3, floors: 4, ring: rect(95, -10, 125, 10) }, // C
    { id: 4, floors: 12, ring: rect(-10, -10, 10, 10) }, // D: the place is inside it
    { id: 5, floors: 2, ring: rect(145, -45, 155, -35) }, // E
    { id: 6, floors: 5, ring: rect(40, 30, 50, 40) }, // F
  ];
  const nodes: Array<[number, number]> = [-300, -200, -100, 0, 100, 200, 300].map((x) => at(x, -30));
  nodes.push(at(0, -130), at(0, -230));
  const from = [0, 1, 2, 3, 4, 5, 3, 7];
  const to = [1, 2, 3, 4, 5, 6, 7, 8];
  const streets = new StreetNetwork({
    lon: nodes.map((n) => n[0]),
    lat: nodes.map((n) => n[1]),
    from,
    to,
    lengthM: from.map(() => 100),
  });
  const cam = (id: string, x: number, y: number, heading: number, rangeM: number): CoverageCamera => {
    const [lon, lat] = at(x, y);
    return { id, lon, lat, heading, fov: 60, rangeM, ptz: false };
  };
  const fac = (id: string, kind: Facility['kind'], x: number, y: number): Facility => ({ id, kind, name: id, lon: at(x, y)[0], lat: at(x, y)[1] });
  return {
    buildings: { ids: buildings.map((b) => b.id), floors: buildings.map((b) => b.floors), rings: buildings.map((b) => b.ring) },
    buildingIndex: new Map(buildings.map((b, i) => [b.id, i])),
    wells: { ids: ['W1', 'W2'], kinds: ['sewer', 'sewer'], lon: [at(0, 90)[0], at(0, 110)[0]], lat: [at(0, 90)[1], at(0, 110)[1]] },
    cameras: [cam('K1', 300, 0, 270, 400), cam('K2', 0, -50, 180, 30), cam('K3', 500, 0, 270, 100)],
    places: [
      { id: 'P1', name: 'near', kind: 'lot', capacity: 40, lon: at(-60, -60)[0], lat: at(-60, -60)[1] },
      { id: 'P2', name: 'far', kind: 'lot', capacity: 10, lon: at(-80, -80)[0], lat: at(-80, -80)[1] },
    ],
    care: [
      { id: 'CR-00001', buildingId: 1, lon: at(50, 0)[0], lat: at(50, 0)[1] },
      { id: 'CR-00002', buildingId: 2, lon: at(150, 0)[0], lat: at(150, 0)[1] },
    ],
    streets,
    facilities: [fac('S1', 'fire_station', 300, -40), fac('S2', 'fire_station', -300, -40), fac('AS1', 'assembly', 0, 60), fac('AS2', 'assembly', 0, 200)],
  };
}

describe('a gas reading in a manhole: a 100 m circle', () => {
  const w = world();
  const zone = hazardZone({ model: { shape: 'circle', radiusM: 100 }, lon: O[0], lat: O[1] }, w);
  const imp = impactOf(zone, w);

  it('draws a circle of the stated radius', () => {
    expect(zone.drawn).toBe('circle');
    expect(pointInZone(zone, ...at(0, 95))).toBe(true);
    expect(pointInZone(zone, ...at(0, 105))).toBe(false);
    expect(pointInZone(zone, ...at(70, -70))).toBe(true); // 99 m on the diagonal
  });

  it('finds the buildings that touch it, nearest first, and their floors', () => {
    // D contains the place (0 m); A's west wall is 40 m away (its corners 41 m: the wall, not the corner, counts); F's
    // corner (40, 30) is 50 m; C's west wall 95 m; B starts at 140 m
    expect(imp.buildings.map((b) => [b.id, b.distanceM])).toEqual([
      [4, 0],
      [1, 40],
      [6, 50],
      [3, 95],
    ]);
    expect(imp.floors).toBe(12 + 6 + 5 + 4);
  });

  it('lists the care devices in homes inside, the manholes and parking inside', () => {
    expect(imp.care.map((c) => c.id)).toEqual(['CR-00001']);
    expect(imp.wells.map((x) => x.id)).toEqual(['W1']);
    expect(imp.parking.map((p) => p.id)).toEqual(['P1']); // 85 m; P2 is at 113 m
  });

  it('lists the cameras that see the place first, then those standing inside', () => {
    // K1 looks west at the place from 300 m; K2 stands inside (50 m) looking away; K3 is out of range
    expect(imp.cameras).toEqual([
      { id: 'K1', distanceM: 300, why: 'view' },
      { id: 'K2', distanceM: 50, why: 'inside' },
    ]);
  });

  it('clips the roads to the zone and puts the roadblocks where they cross its edge', () => {
    // only node (0, -30) is inside: the street y = -30 meets the circle at x = ±√(100² − 30²) = ±95.4, the side street
    // x = 0 at y = −100; inside: 95.4 + 95.4 + 70 = 260.8 m of road (the edges are 100 m each)
    expect(imp.roads.segments).toHaveLength(3);
    expect(Math.abs(imp.roads.lengthM - 261)).toBeLessThanOrEqual(2);
    const closures = imp.roads.closures.map((c) => [(c.lon - O[0]) * mPerDegLon(O[1]), (c.lat - O[1]) * M_PER_DEG_LAT]);
    closures.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    const expected = [
      [-95.4, -30],
      [0, -100],
      [95.4, -30],
    ];
    expect(closures).toHaveLength(3);
    // within a metre (the circle is a 64-gon; the local frame and the haversine sphere differ by 0.6 %)
    closures.forEach(([x, y], i) => {
      expect(Math.hypot(x! - expected[i]![0]!, y! - expected[i]![1]!)).toBeLessThan(1.5);
    });
  });

  it('ranks the fire stations by travel time and picks the nearest assembly point outside', () => {
    // each station: 10 m access + 300 m street + 30 m to the place = 340 m at 30 km/h, plus 60 s turnout = 101 s
    expect(imp.responders.map((r) => [r.station.id, r.distanceM, r.etaS])).toEqual([
      ['S1', 340, 101],
      ['S2', 340, 101],
    ]);
    expect(imp.responders[0]!.coords[0]).toEqual([w.facilities[0]!.lon, w.facilities[0]!.lat]);
    // AS1 (60 m) is inside the zone: people do not assemble in the danger
    expect(imp.assembly?.facility.id).toBe('AS2');
  });
});

describe('water along a street: 250 m of driving distance, 30 m wide', () => {
  const w = world();
  const zone = hazardZone({ model: { shape: 'street', alongM: 250, widthM: 30 }, lon: O[0], lat: O[1] }, w);
  const imp = impactOf(zone, w);

  it('follows the streets, not a circle', () => {
    expect(zone.drawn).toBe('street');
    // the place is 30 m from the street: 220 m are left, so nodes at ±100 and ±200 (and 100, 200 down the side street)
    expect(zone.streetNodes.size).toBe(7);
    expect(pointInZone(zone, ...at(210, -30))).toBe(true); // partly along the edge towards 300
    // the reach ends at x ≈ 220; the 15 m round cap of the buffer takes it to ≈ 235
    expect(pointInZone(zone, ...at(230, -30))).toBe(true);
    expect(pointInZone(zone, ...at(240, -30))).toBe(false);
    expect(pointInZone(zone, ...at(0, 60))).toBe(false); // 60 m north: inside a circle of 250, not on the street
    expect(pointInZone(zone, ...at(150, -42))).toBe(true); // fronting the street within 15 m
  });

  it('takes the buildings fronting the street and the one the water comes from', () => {
    expect(imp.buildings.map((b) => b.id).sort()).toEqual([4, 5]);
  });

  it('closes the street where the reach ends', () => {
    // 250 m from the place: 30 m to the street, then 220 m along it (to x = ±220); the side street's 200 m end inside
    const closures = imp.roads.closures.map((c) => Math.round((c.lon - O[0]) * mPerDegLon(O[1])));
    expect(closures.sort((a, b) => a - b)).toEqual([-220, 220]);
    expect(imp.roads.segments).toHaveLength(8);
    // 6 whole edges of 100 m and two stubs of ~19.8 m
    expect(Math.abs(imp.roads.lengthM - 640)).toBeLessThanOrEqual(1);
  });

  it('a street covered from both ends with a stretch beyond the reach in the middle is two stubs', () => {
    // a loop: two 100 m streets from the place's node to a far node joined by a 130 m street; reach 150 m: each end of
    // the 130 m street is reached at 100 m with 50 m left, so its middle 30 m is beyond the reach
    const lon = [at(0, 0)[0], at(100, 0)[0], at(0, 100)[0]];
    const lat = [at(0, 0)[1], at(100, 0)[1], at(0, 100)[1]];
    const streets = new StreetNetwork({ lon, lat, from: [0, 0, 1], to: [1, 2, 2], lengthM: [100, 100, 130] });
    const w = { ...world(), streets };
    const z = hazardZone({ model: { shape: 'street', alongM: 150, widthM: 4 }, lon: O[0], lat: O[1] }, w);
    // the middle of the 130 m street, (50, 50), is beyond the reach; 40 m along it from (100, 0) is within
    expect(pointInZone(z, ...at(50, 50))).toBe(false);
    const r = impactOf(z, w).roads;
    expect(Math.abs(r.lengthM - 300)).toBeLessThanOrEqual(1);
    expect(r.closures).toHaveLength(2);
  });
});

describe('a building fire: the footprint widened by 25 m', () => {
  const w = world();
  const zone = hazardZone({ model: { shape: 'building', bufferM: 25 }, lon: at(50, 0)[0], lat: at(50, 0)[1], buildingId: 1 }, w);
  const imp = impactOf(zone, w);

  it('takes the building and the neighbours within the buffer', () => {
    expect(zone.drawn).toBe('building');
    // F is 20 m north of A; D is 30 m west and C 35 m east: outside
    expect(imp.buildings.map((b) => b.id)).toEqual([1, 6]);
    expect(imp.care.map((c) => c.id)).toEqual(['CR-00001']);
  });

  it('falls back to a circle where the building is unknown', () => {
    const z = hazardZone({ model: { shape: 'building', bufferM: 25 }, lon: O[0], lat: O[1], buildingId: 999 }, w);
    expect(z.drawn).toBe('circle');
    expect(pointInZone(z, ...at(0, 24))).toBe(true);
    expect(pointInZone(z, ...at(0, 26))).toBe(false);
  });
});

describe('bad places', () => {
  it('refuses a place that is not WGS84 lon/lat', () => {
    const w = world();
    expect(() => hazardZone({ model: { shape: 'circle', radiusM: 50 }, lon: 12_956_000, lat: 4_825_000 }, w)).toThrow(/WGS84/);
    expect(() => hazardZone({ model: { shape: 'circle', radiusM: 50 }, lon: Number.NaN, lat: 39.9 }, w)).toThrow(RangeError);
  });

  it('works without a street network (no roads, no responders)', () => {
    const w = { ...world(), streets: null };
    const imp = impactOf(hazardZone({ model: { shape: 'street', alongM: 200, widthM: 20 }, lon: O[0], lat: O[1] }, w), w);
    expect(imp.zone.drawn).toBe('circle');
    expect(imp.roads).toEqual({ segments: [], lengthM: 0, closures: [] });
    expect(imp.responders).toEqual([]);
  });

  it('station ETAs skip stations whose street is not connected', () => {
    const w = world();
    expect(stationEtas(w.streets!, [], { lon: O[0], lat: O[1] })).toEqual([]);
  });
});
