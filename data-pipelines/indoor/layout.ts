/**
 * Synthesized indoor layout of a building, from its real footprint and floor count (we have no BIM/CAD plans for the
 * demo district; a real deployment imports them). Deterministic, pure, shared by the ETL (detector positions), the
 * renderer (exploded floors, routes) and the tests.
 *
 * Per floor: a central corridor along the footprint's long axis (principal axis of its vertices), a stairwell at each
 * corridor end (one stairwell for buildings shorter than 24 m), smoke detectors on the stair landings and along the
 * corridor. Ground floor: an exit door at each end of the corridor. The walking graph links corridor points, stair
 * landings (vertically, flight by flight) and exits; costs are seconds:
 *   corridor 1.2 m/s (design walking speed, GB 51251 / SFPE), stairs 7.5 m of flight per floor at 0.6 m/s.
 */
import { M_PER_DEG_LAT, mPerDegLon } from '../geo/measure.ts';
import { Graph } from '../routing/graph.ts';

export const FLOOR_HEIGHT_M = 3;
export const WALK_MPS = 1.2;
export const STAIR_RUN_M = 7.5;
export const STAIR_MPS = 0.6;
/** spacing of corridor graph points */
const CORRIDOR_STEP_M = 6;

export type IndoorNodeKind = 'corridor' | 'stair' | 'exit';

export interface IndoorNode {
  index: number;
  /** stable id, e.g. "3:c4" (floor 3, corridor point 4), "3:sA" (stair A landing), "exit:B" */
  id: string;
  kind: IndoorNodeKind;
  floor: number;
  /** local metres: u along the long axis, v across */
  u: number;
  v: number;
  lon: number;
  lat: number;
}

export interface DetectorSlot {
  id: string;
  floor: number;
  /** 1-based position on the floor */
  n: number;
  where: 'stair A landing' | 'stair B landing' | 'corridor';
  node: number;
  lon: number;
  lat: number;
}

export interface BuildingInput {
  id: number;
  floors: number;
  areaM2: number;
  /** footprint ring, WGS84 [lon, lat] (closing vertex optional) */
  ring: ReadonlyArray<readonly [number, number]>;
}

export interface IndoorLayout {
  buildingId: number;
  floors: number;
  lengthM: number;
  widthM: number;
  stairs: Array<'A' | 'B'>;
  nodes: IndoorNode[];
  graph: Graph;
  exits: number[];
  detectors: DetectorSlot[];
  /** lon/lat of a local (u, v) point */
  toLonLat(u: number, v: number): [number, number];
  nodeById(id: string): IndoorNode | undefined;
}

export function detectorsPerFloor(areaM2: number): number {
  return Math.max(1, Math.min(4, Math.round(areaM2 / 600)));
}

export function buildIndoorLayout(b: BuildingInput): IndoorLayout {
  if (!(b.floors >= 1) || !Number.isInteger(b.floors)) throw new Error(`building ${b.id}: floors must be a positive integer, got ${b.floors}`);
  const ring =
    b.ring.length > 1 && b.ring[0]![0] === b.ring[b.ring.length - 1]![0] && b.ring[0]![1] === b.ring[b.ring.length - 1]![1] ? b.ring.slice(0, -1) : b.ring;
  if (ring.length < 3) throw new Error(`building ${b.id}: footprint needs at least 3 vertices`);
  const lon0 = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const lat0 = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  const kx = mPerDegLon(lat0);
  const xy = ring.map((p) => [(p[0] - lon0) * kx, (p[1] - lat0) * M_PER_DEG_LAT] as const);
  // principal axis (2x2 covariance, closed form)
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const [x, y] of xy) {
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const ux = Math.cos(theta);
  const uy = Math.sin(theta);
  let umin = Infinity;
  let umax = -Infinity;
  let vmin = Infinity;
  let vmax = -Infinity;
  for (const [x, y] of xy) {
    const u = x * ux + y * uy;
    const v = -x * uy + y * ux;
    umin = Math.min(umin, u);
    umax = Math.max(umax, u);
    vmin = Math.min(vmin, v);
    vmax = Math.max(vmax, v);
  }
  const L = Math.max(umax - umin, 1);
  const W = Math.max(vmax - vmin, 1);
  const vc = (vmin + vmax) / 2;
  const inset = Math.min(4, L * 0.15);
  const c0 = umin + inset;
  const c1 = umax - inset;
  const toLonLat = (u: number, v: number): [number, number] => {
    const x = u * ux - v * uy;
    const y = u * uy + v * ux;
    return [lon0 + x / kx, lat0 + y / M_PER_DEG_LAT];
  };
  const stairs: Array<'A' | 'B'> = L >= 24 ? ['A', 'B'] : ['A'];
  const steps = Math.max(1, Math.round((c1 - c0) / CORRIDOR_STEP_M));
  const nodes: IndoorNode[] = [];
  const byId = new Map<string, number>();
  const add = (id: string, kind: IndoorNodeKind, floor: number, u: number, v: number) => {
    const [lon, lat] = toLonLat(u, v);
    const index = nodes.length;
    nodes.push({ index, id, kind, floor, u, v, lon, lat });
    byId.set(id, index);
    return index;
  };
  const stairV = vc + Math.min(W / 4, 3); // stairwell beside the corridor
  const stairU = { A: c0, B: c1 } as const;
  for (let f = 1; f <= b.floors; f++) {
    for (let i = 0; i <= steps; i++) add(`${f}:c${i}`, 'corridor', f, c0 + ((c1 - c0) * i) / steps, vc);
    for (const s of stairs) add(`${f}:s${s}`, 'stair', f, stairU[s], stairV);
  }
  const exits = [add('exit:A', 'exit', 1, umin - 1, vc), add('exit:B', 'exit', 1, umax + 1, vc)];

  const g = new Graph(nodes.length);
  const dist = (a: number, c: number) => Math.hypot(nodes[a]!.u - nodes[c]!.u, nodes[a]!.v - nodes[c]!.v);
  const walk = (a: number, c: number) => {
    const d = dist(a, c);
    g.addEdge(a, c, d / WALK_MPS, d);
  };
  const id = (s: string) => byId.get(s)!;
  for (let f = 1; f <= b.floors; f++) {
    for (let i = 1; i <= steps; i++) walk(id(`${f}:c${i - 1}`), id(`${f}:c${i}`));
    walk(id(`${f}:sA`), id(`${f}:c0`));
    if (stairs.includes('B')) walk(id(`${f}:sB`), id(`${f}:c${steps}`));
    if (f > 1) for (const s of stairs) g.addEdge(id(`${f}:s${s}`), id(`${f - 1}:s${s}`), STAIR_RUN_M / STAIR_MPS, STAIR_RUN_M);
  }
  walk(exits[0]!, id('1:c0'));
  walk(exits[1]!, id(`1:c${steps}`));
  walk(exits[0]!, id('1:sA'));
  if (stairs.includes('B')) walk(exits[1]!, id('1:sB'));

  // Detectors: stair landings first (smoke rises through stairwells), then evenly along the corridor.
  const per = detectorsPerFloor(b.areaM2);
  const detectors: DetectorSlot[] = [];
  for (let f = 1; f <= b.floors; f++) {
    const spots: Array<{ where: DetectorSlot['where']; node: number; u: number; v: number }> = [];
    spots.push({ where: 'stair A landing', node: id(`${f}:sA`), u: stairU.A, v: stairV });
    if (stairs.includes('B')) spots.push({ where: 'stair B landing', node: id(`${f}:sB`), u: stairU.B, v: stairV });
    const corridorCount = per - spots.length;
    for (let k = 1; k <= corridorCount; k++) {
      const u = c0 + ((c1 - c0) * k) / (corridorCount + 1);
      const i = Math.round(((u - c0) / (c1 - c0 || 1)) * steps);
      spots.push({ where: 'corridor', node: id(`${f}:c${i}`), u, v: vc });
    }
    spots.slice(0, per).forEach((s, k) => {
      const [lon, lat] = toLonLat(s.u, s.v);
      detectors.push({ id: `SD-${b.id}-${f}-${k + 1}`, floor: f, n: k + 1, where: s.where, node: s.node, lon, lat });
    });
  }

  return {
    buildingId: b.id,
    floors: b.floors,
    lengthM: L,
    widthM: W,
    stairs,
    nodes,
    graph: g,
    exits,
    detectors,
    toLonLat,
    nodeById: (s) => nodes[byId.get(s) ?? -1],
  };
}
