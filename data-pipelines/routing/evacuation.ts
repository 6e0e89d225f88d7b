/**
 * Evacuation and response planning for a fire alarm in a building. Pure: inputs are the building's indoor layout,
 * the street network and the district's facilities (fire stations, assembly points); output is drawable routes with
 * distances and times.
 *
 *  - Fire zone: indoor nodes on the alarm floor within `zoneRadiusM` of the detector; if a stair landing is in it, the
 *    same stairwell on the floors above is smoke-logged too. Zone nodes cost a large penalty to enter, so routes go
 *    around the zone whenever any way around exists, and a route that cannot avoid it is flagged (not hidden).
 *  - Indoor: from every node of the alarm floor to the nearest usable exit; the drawn route is the worst case (the
 *    longest of those shortest routes), the time every occupant of that floor needs at most.
 *  - Outdoor: from the exit used along real streets to the nearest assembly point at least `assemblyMinM` from the
 *    building (an assembly point next to a burning building is not one).
 *  - Responder: from the nearest fire station (by driving time, including turnout) to the street node at the exit.
 */
import { haversineMeters } from '../geo/measure.ts';
import { pathTo, shortestPathTree } from './graph.ts';
import { FLOOR_HEIGHT_M, type IndoorLayout } from '../indoor/layout.ts';
import type { StreetNetwork } from './streets.ts';
import { RESPONSE, type Facility } from './responders.ts';

/** Fire stations and assembly points (defined with the responders' travel times, re-exported here). */
export type { Facility } from './responders.ts';

export interface PlanOptions {
  zoneRadiusM?: number;
  /** penalty (s) for entering a fire-zone node */
  zonePenaltyS?: number;
  assemblyMinM?: number;
  walkMps?: number;
  /** urban fire-engine speed, km/h */
  engineKmh?: number;
  /** turnout time (alarm to wheels rolling), s */
  turnoutS?: number;
}

/** A drawable route: [lon, lat, height m] points. */
export interface Leg {
  coords: Array<[number, number, number]>;
  distanceM: number;
  timeS: number;
}

export interface EvacuationPlan {
  buildingId: number;
  floor: number;
  detectorId: string;
  zoneNodes: string[];
  blockedStairs: Array<'A' | 'B'>;
  indoor: Leg & { from: string; exit: 'A' | 'B'; viaStair: 'A' | 'B' | null; throughZone: boolean };
  /** per floor: the longest shortest way out, and whether someone there can only leave through the fire zone */
  floors: Array<{ floor: number; worstTimeS: number; trapped: boolean }>;
  outdoor: (Leg & { assembly: Facility }) | null;
  responder: (Leg & { station: Facility }) | null;
  totalEvacuationS: number;
}

export function fireZone(layout: IndoorLayout, detectorId: string, radiusM: number): { nodes: Set<number>; stairs: Array<'A' | 'B'> } {
  const d = layout.detectors.find((x) => x.id === detectorId);
  if (!d) throw new Error(`detector ${detectorId} is not in building ${layout.buildingId}`);
  const at = layout.nodes[d.node]!;
  const zone = new Set<number>();
  for (const n of layout.nodes) if (n.floor === d.floor && n.kind !== 'exit' && Math.hypot(n.u - at.u, n.v - at.v) <= radiusM) zone.add(n.index);
  if (d.floor === 1) for (const e of layout.exits) if (Math.hypot(layout.nodes[e]!.u - at.u, layout.nodes[e]!.v - at.v) <= radiusM) zone.add(e);
  const stairs: Array<'A' | 'B'> = [];
  for (const s of layout.stairs) {
    const landing = layout.nodeById(`${d.floor}:s${s}`);
    if (landing && zone.has(landing.index)) {
      stairs.push(s);
      for (let f = d.floor + 1; f <= layout.floors; f++) zone.add(layout.nodeById(`${f}:s${s}`)!.index);
    }
  }
  return { nodes: zone, stairs };
}

export function planEvacuation(
  layout: IndoorLayout,
  detectorId: string,
  streets: StreetNetwork | null,
  facilities: Facility[],
  o: PlanOptions = {},
): EvacuationPlan {
  const opt = { zoneRadiusM: 8, zonePenaltyS: 3600, assemblyMinM: 150, walkMps: 1.2, ...RESPONSE, ...o };
  const det = layout.detectors.find((x) => x.id === detectorId);
  if (!det) throw new Error(`detector ${detectorId} is not in building ${layout.buildingId}`);
  const zone = fireZone(layout, detectorId, opt.zoneRadiusM);
  const tree = shortestPathTree(layout.graph, layout.exits, { penalty: (n) => (zone.nodes.has(n) ? opt.zonePenaltyS : 0) });

  // Worst case on each floor: the node whose shortest way out is longest (penalties excluded from the reported time).
  const legTime = (nodes: number[]) => {
    let t = 0;
    for (let i = 1; i < nodes.length; i++) {
      const a = nodes[i - 1]!;
      const e = layout.graph.adj[a]!.find((x) => x.to === nodes[i]);
      t += e?.cost ?? 0;
    }
    return t;
  };
  const floors: EvacuationPlan['floors'] = [];
  let worst = { node: -1, time: -1 };
  for (let f = 1; f <= layout.floors; f++) {
    let fw = 0;
    let trapped = false;
    for (const n of layout.nodes) {
      if (n.floor !== f || n.kind === 'exit') continue;
      if (!Number.isFinite(tree.cost[n.index]!)) {
        trapped = true;
        continue;
      }
      const p = pathTo(tree, n.index)!.nodes.reverse();
      const throughZone = p.slice(1).some((x) => zone.nodes.has(x));
      if (throughZone && !zone.nodes.has(n.index)) trapped = true;
      const t = legTime(p);
      fw = Math.max(fw, t);
      if (f === det.floor && !zone.nodes.has(n.index) && t > worst.time) worst = { node: n.index, time: t };
    }
    floors.push({ floor: f, worstTimeS: Math.round(fw), trapped });
  }
  if (worst.node < 0) worst = { node: det.node, time: 0 }; // whole floor is in the zone
  const worstPath = pathTo(tree, worst.node)!;
  const path = worstPath.nodes.reverse();
  const exitNode = path[path.length - 1]!;
  const exit = layout.nodes[exitNode]!.id === 'exit:A' ? 'A' : 'B';
  const stairNode = path.map((n) => layout.nodes[n]!).find((n) => n.kind === 'stair');
  const coords3 = path.map((n) => {
    const x = layout.nodes[n]!;
    return [x.lon, x.lat, (x.floor - 1) * FLOOR_HEIGHT_M + 1] as [number, number, number];
  });
  const indoor = {
    coords: coords3,
    distanceM: Math.round(worstPath.lengthM),
    timeS: Math.round(legTime(path)),
    from: layout.nodes[worst.node]!.id,
    exit: exit as 'A' | 'B',
    viaStair: stairNode ? ((stairNode.id.endsWith('sA') ? 'A' : 'B') as 'A' | 'B') : null,
    throughZone: path.slice(1).some((x) => zone.nodes.has(x)),
  };

  let outdoor: EvacuationPlan['outdoor'] = null;
  let responder: EvacuationPlan['responder'] = null;
  const ex = layout.nodes[exitNode]!;
  if (streets) {
    const start = streets.nearestNode(ex.lon, ex.lat);
    const assemblies = facilities.filter((f) => f.kind === 'assembly' && haversineMeters([f.lon, f.lat], [ex.lon, ex.lat]) >= opt.assemblyMinM);
    const targets = new Map<number, Facility>();
    for (const a of assemblies) {
      const s = streets.nearestNode(a.lon, a.lat);
      if (!targets.has(s.node) && s.node !== start.node) targets.set(s.node, a);
    }
    const r = streets.route([start.node], [...targets.keys()]);
    if (r) {
      const a = targets.get(r.nodes[r.nodes.length - 1]!)!;
      const tail = haversineMeters(r.coords[r.coords.length - 1]!, [a.lon, a.lat]);
      const dist = start.distanceM + r.lengthM + tail;
      outdoor = {
        coords: [[ex.lon, ex.lat, 1], ...r.coords.map(([x, y]) => [x, y, 1] as [number, number, number]), [a.lon, a.lat, 1]],
        distanceM: Math.round(dist),
        timeS: Math.round(dist / opt.walkMps),
        assembly: a,
      };
    }
    const stations = facilities.filter((f) => f.kind === 'fire_station');
    const srcCost = new Map<number, number>();
    const stationAt = new Map<number, Facility>();
    const mps = (opt.engineKmh * 1000) / 3600;
    for (const s of stations) {
      const sn = streets.nearestNode(s.lon, s.lat);
      // cost in metres of driving: turnout + the access leg, converted to metres at engine speed
      const c = opt.turnoutS * mps + sn.distanceM;
      if (!srcCost.has(sn.node) || c < srcCost.get(sn.node)!) {
        srcCost.set(sn.node, c);
        stationAt.set(sn.node, s);
      }
    }
    if (stationAt.size) {
      const rr = streets.route([...stationAt.keys()], [start.node], srcCost);
      if (rr) {
        const st = stationAt.get(rr.nodes[0]!)!;
        const access = haversineMeters([st.lon, st.lat], rr.coords[0]!);
        const dist = access + rr.lengthM + start.distanceM;
        responder = {
          coords: [[st.lon, st.lat, 2], ...rr.coords.map(([x, y]) => [x, y, 2] as [number, number, number]), [ex.lon, ex.lat, 2]],
          distanceM: Math.round(dist),
          timeS: Math.round(opt.turnoutS + dist / mps),
          station: st,
        };
      }
    }
  }

  return {
    buildingId: layout.buildingId,
    floor: det.floor,
    detectorId,
    zoneNodes: [...zone.nodes].map((n) => layout.nodes[n]!.id),
    blockedStairs: zone.stairs,
    indoor,
    floors,
    outdoor,
    responder,
    totalEvacuationS: indoor.timeS + (outdoor?.timeS ?? 0),
  };
}
