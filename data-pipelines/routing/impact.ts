/**
 * Impact zones and what is inside them (issue 22): pure, computed where the data is (the renderer's entity tables,
 * loaded from the district package through DuckDB; tests build small worlds by hand). turf does the geometry: circles
 * and buffers for the zone, intersection for building footprints, point-in-polygon for devices and places.
 *
 * A zone follows its SOP's hazard model (contracts/hazard.ts): a circle, the alarm's building widened, or the streets
 * within a driving distance, widened. Inside it: the buildings that touch it (and their floors), the care devices in
 * homes there, the cameras that see it (inside it, or whose cone covers the alarm's place), the manholes and parking
 * places in it, the road segments to close and where to put the roadblocks (the first node outside on each road that
 * leaves the zone), the fire stations by travel time, and the nearest assembly point outside the zone.
 */
import { booleanIntersects } from '@turf/boolean-intersects';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { buffer } from '@turf/buffer';
import { circle } from '@turf/circle';
import { multiLineString, polygon } from '@turf/helpers';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { HazardModel } from '../contracts/hazard.ts';
import { camerasCovering, type CoverageCamera } from '../geo/coverage.ts';
import { haversineMeters, M_PER_DEG_LAT, mPerDegLon, type BBox4 } from '../geo/measure.ts';
import type { Facility } from './evacuation.ts';
import { stationEtas, type StationEta } from './responders.ts';
import type { StreetNetwork } from './streets.ts';

export type ZonePolygon = Feature<Polygon | MultiPolygon>;

export interface ImpactWorld {
  /** footprints: flat [lon, lat, lon, lat, ...] rings, floors, ids (BuildingGeom) */
  buildings: { ids: ArrayLike<number>; floors: ArrayLike<number>; rings: readonly ArrayLike<number>[] } | null;
  buildingIndex: ReadonlyMap<number, number>;
  wells: { ids: readonly string[]; kinds: readonly string[]; lon: ArrayLike<number>; lat: ArrayLike<number> };
  cameras: readonly CoverageCamera[];
  places: ReadonlyArray<{ id: string; lon: number; lat: number; capacity: number; name: string; kind: string }>;
  care: ReadonlyArray<{ id: string; lon: number; lat: number; buildingId: number }>;
  streets: StreetNetwork | null;
  facilities: readonly Facility[];
}

export interface ZoneInput {
  model: HazardModel;
  lon: number;
  lat: number;
  /** the alarm's building (fires, care calls) */
  buildingId?: number;
}

export interface HazardZone {
  model: HazardModel;
  /** what was drawn: the model's shape, or a circle where the building / street network is unknown */
  drawn: 'circle' | 'building' | 'street';
  center: [number, number];
  polygon: ZonePolygon;
  bbox: BBox4;
  /** street zones: the street segments it follows */
  streetLines: Array<Array<[number, number]>>;
  /** street zones: street nodes reached (index -> driving metres from the place) */
  streetNodes: Map<number, number>;
}

export interface RoadClosure {
  node: number;
  lon: number;
  lat: number;
}

export interface Impact {
  zone: HazardZone;
  buildings: Array<{ id: number; floors: number; distanceM: number }>;
  floors: number;
  care: Array<{ id: string; buildingId: number; distanceM: number }>;
  cameras: Array<{ id: string; distanceM: number; why: 'inside' | 'view' | 'turn' }>;
  wells: Array<{ id: string; kind: string; distanceM: number }>;
  parking: Array<{ id: string; name: string; kind: string; capacity: number; distanceM: number }>;
  roads: { segments: Array<Array<[number, number]>>; lengthM: number; closures: RoadClosure[] };
  responders: StationEta[];
  assembly: { facility: Facility; distanceM: number } | null;
}

/** A closed ring from a flat footprint, or null when it has fewer than 3 distinct corners (a broken footprint). */
const ringOf = (flat: ArrayLike<number>): Array<[number, number]> | null => {
  const ring: Array<[number, number]> = [];
  for (let k = 0; k + 1 < flat.length; k += 2) {
    const x = flat[k]!,
      y = flat[k + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
    const last = ring[ring.length - 1];
    if (!last || last[0] !== x || last[1] !== y) ring.push([x, y]);
  }
  if (ring.length && ring[0]![0] === ring[ring.length - 1]![0] && ring[0]![1] === ring[ring.length - 1]![1]) ring.pop();
  if (ring.length < 3) return null;
  ring.push([ring[0]![0], ring[0]![1]]);
  return ring;
};

function bboxOf(coords: Iterable<readonly [number, number] | readonly number[]>): BBox4 {
  let w = Infinity,
    s = Infinity,
    e = -Infinity,
    n = -Infinity;
  for (const c of coords) {
    const x = c[0]!,
      y = c[1]!;
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > n) n = y;
  }
  return [w, s, e, n];
}

function polygonBbox(p: ZonePolygon): BBox4 {
  const g = p.geometry;
  const rings = g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
  return bboxOf(rings.flat() as Array<[number, number]>);
}

const inBbox = (b: BBox4, lon: number, lat: number) => lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3];

function circleZone(model: HazardModel, lon: number, lat: number, radiusM: number): HazardZone {
  const polygonF = circle([lon, lat], Math.max(radiusM, 1), { units: 'meters', steps: 64 }) as ZonePolygon;
  return { model, drawn: 'circle', center: [lon, lat], polygon: polygonF, bbox: polygonBbox(polygonF), streetLines: [], streetNodes: new Map() };
}

/** The zone of a hazard model at a place. Throws a RangeError for a place that is not WGS84 lon/lat. */
export function hazardZone(input: ZoneInput, world: Pick<ImpactWorld, 'buildings' | 'buildingIndex' | 'streets'>): HazardZone {
  const { model, lon, lat } = input;
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90)
    throw new RangeError(`impact zone: the place must be WGS84 lon/lat, got ${lon}, ${lat}`);
  switch (model.shape) {
    case 'circle':
      return circleZone(model, lon, lat, model.radiusM);
    case 'building': {
      const i = input.buildingId === undefined ? undefined : world.buildingIndex.get(input.buildingId);
      const flat = i === undefined ? undefined : world.buildings?.rings[i];
      const footRing = flat ? ringOf(flat) : null;
      if (!footRing) return circleZone(model, lon, lat, Math.max(model.bufferM, 20));
      const foot = polygon([footRing]);
      const widened = model.bufferM > 0 ? (buffer(foot, model.bufferM, { units: 'meters', steps: 16 }) as ZonePolygon | undefined) : (foot as ZonePolygon);
      if (!widened) return circleZone(model, lon, lat, Math.max(model.bufferM, 20));
      return { model, drawn: 'building', center: [lon, lat], polygon: widened, bbox: polygonBbox(widened), streetLines: [], streetNodes: new Map() };
    }
    case 'street': {
      const net = world.streets;
      if (!net || net.size === 0) return circleZone(model, lon, lat, model.alongM);
      const start = net.nearestNode(lon, lat);
      const budget = model.alongM - start.distanceM;
      const lines: Array<Array<[number, number]>> = [
        [
          [lon, lat],
          [net.lon[start.node]!, net.lat[start.node]!],
        ],
      ];
      const reached = new Map<number, number>();
      if (budget > 0) {
        // driving distance from the place along the streets (both ways; the graph is undirected)
        const dist = streetDistances(net, start.node, budget);
        for (const [n, d] of dist) {
          reached.set(n, d + start.distanceM);
          for (const e of net.graph.adj[n]!) {
            const dm = dist.get(e.to);
            if (dm !== undefined && budget - d + (budget - dm) >= e.lengthM) {
              // reached from both ends and covered all along
              if (n < e.to)
                lines.push([
                  [net.lon[n]!, net.lat[n]!],
                  [net.lon[e.to]!, net.lat[e.to]!],
                ]);
            } else {
              // the edge leaves the reach, or its middle is beyond it from both ends: the stub still within the distance
              const f = Math.min(1, (budget - d) / Math.max(e.lengthM, 1e-9));
              if (f > 0)
                lines.push([
                  [net.lon[n]!, net.lat[n]!],
                  [net.lon[n]! + (net.lon[e.to]! - net.lon[n]!) * f, net.lat[n]! + (net.lat[e.to]! - net.lat[n]!) * f],
                ]);
            }
          }
        }
      }
      const widened = buffer(multiLineString(lines), model.widthM / 2, { units: 'meters', steps: 8 }) as ZonePolygon | undefined;
      if (!widened) return circleZone(model, lon, lat, model.alongM);
      return { model, drawn: 'street', center: [lon, lat], polygon: widened, bbox: polygonBbox(widened), streetLines: lines, streetNodes: reached };
    }
  }
}

/** Street nodes within `maxM` driving metres of `from` (Dijkstra cut at the distance). */
function streetDistances(net: StreetNetwork, from: number, maxM: number): Map<number, number> {
  const dist = new Map<number, number>([[from, 0]]);
  const done = new Set<number>();
  // the reach is small (hundreds of metres): a sorted frontier is enough
  const frontier: Array<[number, number]> = [[0, from]];
  while (frontier.length) {
    frontier.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    const [d, n] = frontier.pop()!;
    if (done.has(n) || d > dist.get(n)!) continue;
    done.add(n);
    for (const e of net.graph.adj[n]!) {
      const nd = d + e.lengthM;
      if (nd <= maxM && nd < (dist.get(e.to) ?? Infinity)) {
        dist.set(e.to, nd);
        frontier.push([nd, e.to]);
      }
    }
  }
  return dist;
}

/** Metres from a place to the nearest point of a ring's edges (the local frame: district scale). */
function ringDistanceM(ring: ReadonlyArray<[number, number]>, lon: number, lat: number): number {
  const kx = mPerDegLon(lat);
  let best = Infinity;
  for (let i = 0; i + 1 < ring.length; i++) {
    const ax = (ring[i]![0] - lon) * kx,
      ay = (ring[i]![1] - lat) * M_PER_DEG_LAT;
    const bx = (ring[i + 1]![0] - lon) * kx,
      by = (ring[i + 1]![1] - lat) * M_PER_DEG_LAT;
    const dx = bx - ax,
      dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
    best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
  }
  return best;
}

export function pointInZone(zone: HazardZone, lon: number, lat: number): boolean {
  return inBbox(zone.bbox, lon, lat) && booleanPointInPolygon([lon, lat], zone.polygon);
}

export interface ImpactOptions {
  /** how many fire stations to list (nearest by travel time) */
  stations?: number;
}

/** What is inside the zone (pure; the lists are sorted by distance from the alarm's place, then id). */
export function impactOf(zone: HazardZone, world: ImpactWorld, opts: ImpactOptions = {}): Impact {
  const [clon, clat] = zone.center;
  const dist = (lon: number, lat: number) => Math.round(haversineMeters([clon, clat], [lon, lat]));
  const byDistance = <T extends { distanceM: number; id: string | number }>(a: T, b: T) =>
    a.distanceM - b.distanceM || String(a.id).localeCompare(String(b.id));

  const buildings: Impact['buildings'] = [];
  const g = world.buildings;
  if (g)
    for (let i = 0; i < g.rings.length; i++) {
      const flat = g.rings[i]!;
      if (flat.length < 6) continue;
      let w = Infinity,
        s = Infinity,
        e = -Infinity,
        n = -Infinity,
        nearest = Infinity;
      for (let k = 0; k + 1 < flat.length; k += 2) {
        const x = flat[k]!,
          y = flat[k + 1]!;
        if (x < w) w = x;
        if (x > e) e = x;
        if (y < s) s = y;
        if (y > n) n = y;
      }
      if (e < zone.bbox[0] || w > zone.bbox[2] || n < zone.bbox[1] || s > zone.bbox[3]) continue;
      // a broken footprint (fewer than 3 corners, a non-number) is left out: it must not cost the rest
      const ring = ringOf(flat);
      if (!ring) continue;
      const foot = polygon([ring]);
      if (!booleanIntersects(foot, zone.polygon)) continue;
      nearest = Math.round(ringDistanceM(ring, clon, clat));
      // the place itself inside the footprint: distance 0
      if (booleanPointInPolygon([clon, clat], foot)) nearest = 0;
      buildings.push({ id: g.ids[i]!, floors: g.floors[i]!, distanceM: nearest });
    }
  buildings.sort(byDistance);

  const inside = new Set(buildings.map((b) => b.id));
  const care = world.care
    .filter((c) => inside.has(c.buildingId) || pointInZone(zone, c.lon, c.lat))
    .map((c) => ({ id: c.id, buildingId: c.buildingId, distanceM: dist(c.lon, c.lat) }))
    .sort(byDistance);

  const wells: Impact['wells'] = [];
  for (let i = 0; i < world.wells.ids.length; i++) {
    const lon = world.wells.lon[i]!,
      lat = world.wells.lat[i]!;
    if (pointInZone(zone, lon, lat)) wells.push({ id: world.wells.ids[i]!, kind: world.wells.kinds[i]!, distanceM: dist(lon, lat) });
  }
  wells.sort(byDistance);

  const parking = world.places
    .filter((p) => pointInZone(zone, p.lon, p.lat))
    .map((p) => ({ id: p.id, name: p.name, kind: p.kind, capacity: p.capacity, distanceM: dist(p.lon, p.lat) }))
    .sort(byDistance);

  const cams = new Map<string, Impact['cameras'][number]>();
  for (const c of camerasCovering(world.cameras, { lon: clon, lat: clat }, { max: 8 }))
    cams.set(c.id, { id: c.id, distanceM: Math.round(c.distanceM), why: c.mode });
  for (const c of world.cameras)
    if (!cams.has(c.id) && pointInZone(zone, c.lon, c.lat)) cams.set(c.id, { id: c.id, distanceM: dist(c.lon, c.lat), why: 'inside' });
  const cameras = [...cams.values()].sort((a, b) => (a.why === 'inside' ? 1 : 0) - (b.why === 'inside' ? 1 : 0) || byDistance(a, b));

  const roads = roadsIn(zone, world.streets);
  const responders = world.streets ? stationEtas(world.streets, world.facilities, { lon: clon, lat: clat }).slice(0, opts.stations ?? 3) : [];
  let assembly: Impact['assembly'] = null;
  for (const f of world.facilities) {
    if (f.kind !== 'assembly' || pointInZone(zone, f.lon, f.lat)) continue;
    const d = dist(f.lon, f.lat);
    if (!assembly || d < assembly.distanceM) assembly = { facility: f, distanceM: d };
  }

  return {
    zone,
    buildings,
    floors: buildings.reduce((s, b) => s + b.floors, 0),
    care,
    cameras,
    wells,
    parking,
    roads,
    responders,
    assembly,
  };
}

/**
 * The road segments inside the zone and where to close them. Circle and building zones: each street edge is clipped to
 * the zone (sampled every ~5 m, each crossing found by bisection to well under a metre), and a roadblock goes where an
 * edge crosses the zone's edge — not at the next junction, which on a long street can be hundreds of metres away.
 * Street zones: the segments followed, closed at the ends of the reach (the first node past it). Roadblocks closer
 * than 5 m to one another (the two directions of a bus corridor) are one.
 */
function roadsIn(zone: HazardZone, net: StreetNetwork | null): Impact['roads'] {
  if (!net) return { segments: [], lengthM: 0, closures: [] };
  const segments: Array<Array<[number, number]>> = [];
  const closures: RoadClosure[] = [];
  let lengthM = 0;
  const addClosure = (node: number, lon: number, lat: number) => {
    if (closures.some((c) => haversineMeters([c.lon, c.lat], [lon, lat]) < 5)) return;
    closures.push({ node, lon, lat });
  };
  const [w, s, east, n] = zone.bbox;
  for (let a = 0; a < net.size; a++) {
    const ax = net.lon[a]!,
      ay = net.lat[a]!;
    for (const e of net.graph.adj[a]!) {
      const b = e.to;
      if (b < a) continue;
      const bx = net.lon[b]!,
        by = net.lat[b]!;
      if ((ax < w && bx < w) || (ax > east && bx > east) || (ay < s && by < s) || (ay > n && by > n)) continue;
      if (zone.drawn === 'street') {
        // the reach: whole edges covered from their ends, stubs where it ends part-way (a roadblock at the stub's end)
        const along = zone.model.shape === 'street' ? zone.model.alongM : 0;
        const ra = zone.streetNodes.get(a),
          rb = zone.streetNodes.get(b);
        if (ra === undefined && rb === undefined) continue;
        if (ra !== undefined && rb !== undefined && along - ra + (along - rb) >= e.lengthM) {
          segments.push([
            [ax, ay],
            [bx, by],
          ]);
          lengthM += e.lengthM;
          continue;
        }
        const stub = (fx: number, fy: number, tx: number, ty: number, remain: number, far: number) => {
          const f = Math.max(0, Math.min(1, remain / Math.max(e.lengthM, 1e-9)));
          const end: [number, number] = [fx + (tx - fx) * f, fy + (ty - fy) * f];
          segments.push([[fx, fy], end]);
          lengthM += e.lengthM * f;
          addClosure(far, end[0], end[1]);
        };
        if (ra !== undefined) stub(ax, ay, bx, by, along - ra, b);
        if (rb !== undefined) stub(bx, by, ax, ay, along - rb, a);
        continue;
      }
      const at = (t: number): [number, number] => [ax + (bx - ax) * t, ay + (by - ay) * t];
      const inside = (t: number) => pointInZone(zone, ...at(t));
      const steps = Math.max(2, Math.ceil(e.lengthM / 5));
      let prevT = 0;
      let prevIn = inside(0);
      let enter = prevIn ? 0 : -1;
      for (let k = 1; k <= steps; k++) {
        const t = k / steps;
        const cur = inside(t);
        if (cur !== prevIn) {
          // bisect the crossing between prevT and t
          let lo = prevT,
            hi = t;
          for (let i = 0; i < 12; i++) {
            const mid = (lo + hi) / 2;
            if (inside(mid) === prevIn) lo = mid;
            else hi = mid;
          }
          const x = (lo + hi) / 2;
          const [cx, cy] = at(x);
          addClosure(cur ? a : b, cx, cy);
          if (cur) enter = x;
          else {
            segments.push([at(enter), [cx, cy]]);
            lengthM += e.lengthM * (x - enter);
            enter = -1;
          }
        }
        prevT = t;
        prevIn = cur;
      }
      if (enter >= 0) {
        segments.push([at(enter), [bx, by]]);
        lengthM += e.lengthM * (1 - enter);
      }
    }
  }
  return { segments, lengthM: Math.round(lengthM), closures };
}
