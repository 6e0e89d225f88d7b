import { describe, expect, it } from 'vitest';
import { buildIndoorLayout, detectorsPerFloor, FLOOR_HEIGHT_M, STAIR_MPS, STAIR_RUN_M, WALK_MPS } from '../../data-pipelines/indoor/layout.ts';
import { fireZone, planEvacuation, type Facility } from '../../data-pipelines/routing/evacuation.ts';
import { Graph, shortestPath, shortestPathTree } from '../../data-pipelines/routing/graph.ts';
import { StreetNetwork } from '../../data-pipelines/routing/streets.ts';

/** The classic 6-node example (Dijkstra's algorithm, e.g. Wikipedia), nodes 1..6 as 0..5. */
function classic(): Graph {
  const g = new Graph(6);
  for (const [a, b, c] of [
    [0, 1, 7],
    [0, 2, 9],
    [0, 5, 14],
    [1, 2, 10],
    [1, 3, 15],
    [2, 3, 11],
    [2, 5, 2],
    [3, 4, 6],
    [4, 5, 9],
  ] as const)
    g.addEdge(a, b, c);
  return g;
}

describe('shortest paths (hand-checked fixtures)', () => {
  it('finds the known shortest paths and costs', () => {
    const g = classic();
    expect(shortestPath(g, [0], [4])).toMatchObject({ nodes: [0, 2, 5, 4], cost: 20 });
    expect(shortestPath(g, [0], [3])).toMatchObject({ nodes: [0, 2, 3], cost: 20 });
    const tree = shortestPathTree(g, [0]);
    expect(Array.from(tree.cost)).toEqual([0, 7, 9, 20, 20, 11]);
  });

  it('never passes through a blocked node, but may start or end on one', () => {
    const g = classic();
    expect(shortestPath(g, [0], [4], { blocked: new Set([2]) })).toMatchObject({ nodes: [0, 5, 4], cost: 23 });
    expect(shortestPath(g, [2], [4], { blocked: new Set([2]) })).toMatchObject({ nodes: [2, 5, 4], cost: 11 });
    expect(shortestPath(g, [0], [2], { blocked: new Set([2]) })).toMatchObject({ nodes: [0, 2], cost: 9 });
    expect(shortestPath(g, [0], [4], { blocked: new Set([2, 5]) })).toMatchObject({ nodes: [0, 1, 3, 4], cost: 28 });
    expect(shortestPath(g, [0], [4], { blocked: new Set([2, 5, 1, 3]) })).toBeNull();
  });

  it('multi-source with source costs picks the best start; penalties steer around without forbidding', () => {
    const g = classic();
    // from 0 (cost 0) or 3 (cost 10) to 4: via 3 = 16 beats via 0 = 20
    expect(shortestPath(g, [0, 3], [4], { sourceCost: new Map([[3, 10]]) })).toMatchObject({ nodes: [3, 4], cost: 16 });
    expect(shortestPath(g, [0, 3], [4], { sourceCost: new Map([[3, 15]]) })).toMatchObject({ nodes: [0, 2, 5, 4], cost: 20 });
    const avoid5 = shortestPath(g, [0], [4], { penalty: (n) => (n === 5 ? 100 : 0) });
    expect(avoid5).toMatchObject({ nodes: [0, 2, 3, 4], cost: 26 });
  });

  it('rejects bad edges and reports lengths separately from costs', () => {
    const g = new Graph(3);
    expect(() => g.addEdge(0, 3, 1)).toThrow(/outside/);
    expect(() => g.addEdge(0, 1, Number.NaN)).toThrow(/finite/);
    g.addEdge(0, 1, 10, 12); // 10 s for 12 m
    g.addEdge(1, 2, 5, 6);
    expect(shortestPath(g, [0], [2])).toMatchObject({ cost: 15, lengthM: 18 });
  });

  it('street network snaps to the largest connected component only', () => {
    // component A: 0-1-2 (a line), component B: 3-4 (an isolated fragment right next to the query point)
    const net = new StreetNetwork({
      lon: [116.0, 116.001, 116.002, 116.0101, 116.0102],
      lat: [39.9, 39.9, 39.9, 39.9, 39.9],
      from: [0, 1, 3],
      to: [1, 2, 4],
      lengthM: [85, 85, 8.5],
    });
    expect(net.component[3]).not.toBe(net.main);
    expect(net.nearestNode(116.0101, 39.9).node).toBe(2);
    expect(net.route([0], [2])).toMatchObject({ nodes: [0, 1, 2], lengthM: 170 });
    expect(net.route([0], [4])).toBeNull();
  });
});

/** A 60 m x 15 m rectangle (east-west), 5 floors, centred on lon0/lat0. */
function rectBuilding(floors = 5, areaM2 = 900) {
  const lat0 = 39.92;
  const lon0 = 116.43;
  const kx = 111_320 * Math.cos((lat0 * Math.PI) / 180);
  const dx = 30 / kx;
  const dy = 7.5 / 110_540;
  return buildIndoorLayout({
    id: 7,
    floors,
    areaM2,
    ring: [
      [lon0 - dx, lat0 - dy],
      [lon0 + dx, lat0 - dy],
      [lon0 + dx, lat0 + dy],
      [lon0 - dx, lat0 + dy],
    ],
  });
}

describe('indoor layout', () => {
  it('lays a corridor along the long axis with two stairwells and two exits, detectors on stair landings first', () => {
    const L = rectBuilding();
    expect(L.lengthM).toBeCloseTo(60, 1);
    expect(L.widthM).toBeCloseTo(15, 1);
    expect(L.stairs).toEqual(['A', 'B']);
    expect(L.exits).toHaveLength(2);
    expect(detectorsPerFloor(900)).toBe(2);
    expect(L.detectors.filter((d) => d.floor === 3).map((d) => [d.id, d.where])).toEqual([
      ['SD-7-3-1', 'stair A landing'],
      ['SD-7-3-2', 'stair B landing'],
    ]);
    expect(L.detectors).toHaveLength(10);
    // corridor: 52 m (4 m inset each end) in 9 steps
    const c = L.nodes.filter((n) => n.floor === 1 && n.kind === 'corridor');
    expect(c).toHaveLength(10);
    expect(c[9]!.u - c[0]!.u).toBeCloseTo(52, 6);
  });

  it('short buildings get one stairwell', () => {
    const lat0 = 39.92;
    const kx = 111_320 * Math.cos((lat0 * Math.PI) / 180);
    const L = buildIndoorLayout({
      id: 8,
      floors: 3,
      areaM2: 200,
      ring: [
        [116.43, lat0 - 5 / 110_540],
        [116.43 + 20 / kx, lat0 - 5 / 110_540],
        [116.43 + 20 / kx, lat0 + 5 / 110_540],
        [116.43, lat0 + 5 / 110_540],
      ],
    });
    expect(L.stairs).toEqual(['A']);
    expect(L.detectors.map((d) => d.id)).toEqual(['SD-8-1-1', 'SD-8-2-1', 'SD-8-3-1']);
  });

  it('refuses impossible buildings with a clear error', () => {
    expect(() =>
      buildIndoorLayout({
        id: 1,
        floors: 0,
        areaM2: 1,
        ring: [
          [0, 0],
          [1, 0],
          [1, 1],
        ],
      }),
    ).toThrow(/floors/);
    expect(() =>
      buildIndoorLayout({
        id: 1,
        floors: 2,
        areaM2: 1,
        ring: [
          [0, 0],
          [1, 0],
        ],
      }),
    ).toThrow(/3 vertices/);
  });
});

describe('evacuation planning', () => {
  it('smoke on the 3rd-floor stair A landing: stair A blocked from 3F up, worst case leaves by stair B (hand-computed)', () => {
    const L = rectBuilding();
    const zone = fireZone(L, 'SD-7-3-1', 8);
    // within 8 m of stair A landing (u=-26, v=3): the landing, corridor points c0 (3 m) and c1 (6.5 m); c2 is 11.9 m away
    expect([...zone.nodes].map((n) => L.nodes[n]!.id).sort()).toEqual(['3:c0', '3:c1', '3:sA', '4:sA', '5:sA']);
    const plan = planEvacuation(L, 'SD-7-3-1', null, []);
    expect(plan.blockedStairs).toEqual(['A']);
    expect(plan.indoor.from).toBe('3:c2');
    expect(plan.indoor.viaStair).toBe('B');
    expect(plan.indoor.exit).toBe('B');
    expect(plan.indoor.throughZone).toBe(false);
    // 7 corridor steps of 52/9 m + 3 m to the landing + two flights + 5.83 m from 1F landing B to exit B
    const walk = (7 * 52) / 9 + 3 + Math.hypot(5, 3);
    expect(plan.indoor.distanceM).toBe(Math.round(walk + 2 * STAIR_RUN_M));
    expect(plan.indoor.timeS).toBe(Math.round(walk / WALK_MPS + (2 * STAIR_RUN_M) / STAIR_MPS));
    expect(plan.indoor.coords[0]![2]).toBe(2 * FLOOR_HEIGHT_M + 1);
    expect(plan.floors.find((f) => f.floor === 5)!.trapped).toBe(false);
  });

  it('with no way around the fire the route is still given, and flagged', () => {
    const lat0 = 39.92;
    const kx = 111_320 * Math.cos((lat0 * Math.PI) / 180);
    const L = buildIndoorLayout({
      id: 9,
      floors: 4,
      areaM2: 200,
      ring: [
        [116.43, lat0 - 5 / 110_540],
        [116.43 + 20 / kx, lat0 - 5 / 110_540],
        [116.43 + 20 / kx, lat0 + 5 / 110_540],
        [116.43, lat0 + 5 / 110_540],
      ],
    });
    const plan = planEvacuation(L, 'SD-9-2-1', null, []);
    expect(plan.blockedStairs).toEqual(['A']);
    expect(plan.floors.find((f) => f.floor === 4)!.trapped).toBe(true);
    expect(plan.floors.find((f) => f.floor === 1)!.trapped).toBe(false);
  });

  it('outdoors: nearest assembly point at least 150 m away by street, responder from the nearest station', () => {
    const L = rectBuilding();
    const exitB = L.nodes[L.exits[1]!]!;
    // a straight east-west street through the building's exit B, nodes every ~85 m
    const lons = [0, 1, 2, 3, 4, 5, 6].map((i) => exitB.lon + (i - 1) * 0.001);
    const net = new StreetNetwork({
      lon: lons,
      lat: lons.map(() => exitB.lat),
      from: [0, 1, 2, 3, 4, 5],
      to: [1, 2, 3, 4, 5, 6],
      lengthM: [85, 85, 85, 85, 85, 85],
    });
    const fac: Facility[] = [
      { id: 'AP-near', kind: 'assembly', name: 'too close', lon: lons[2]!, lat: exitB.lat },
      { id: 'AP-ok', kind: 'assembly', name: 'ok', lon: lons[4]!, lat: exitB.lat },
      { id: 'AP-far', kind: 'assembly', name: 'far', lon: lons[6]!, lat: exitB.lat },
      { id: 'FS-1', kind: 'fire_station', name: 'west', lon: lons[0]!, lat: exitB.lat },
      { id: 'FS-2', kind: 'fire_station', name: 'east', lon: lons[6]!, lat: exitB.lat },
    ];
    const plan = planEvacuation(L, 'SD-7-3-1', net, fac);
    expect(plan.outdoor!.assembly.id).toBe('AP-ok');
    // exit B sits on node 1; AP-near (node 2, 85 m) is too close; AP-ok is 3 edges east
    expect(plan.outdoor!.distanceM).toBe(255);
    expect(plan.outdoor!.timeS).toBe(Math.round(255 / 1.2));
    // FS-1 (node 0) is one edge away, FS-2 (node 6) five: turnout 60 s + 85 m at 30 km/h
    expect(plan.responder!.station.id).toBe('FS-1');
    expect(plan.responder!.distanceM).toBe(85);
    expect(plan.responder!.timeS).toBe(Math.round(60 + 85 / (30 / 3.6)));
    expect(plan.totalEvacuationS).toBe(plan.indoor.timeS + plan.outdoor!.timeS);
  });
});
