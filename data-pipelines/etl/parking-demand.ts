/**
 * Parking demand for planners (以房管人: vehicles are registered to the home they belong to), pure:
 *  - resident vehicles per residential building (a building whose centroid lies in a real compound outline);
 *  - visitor/commuter demand per non-residential building (a parking-standard rate per floor area);
 *  - a half-hourly presence profile derived from the real Wangfujing crowd curve;
 *  - candidate vacant lots for new car parks (open ground near a street, clear of every building footprint).
 * Every number here is a stated model (see docs/parking-analysis.md), synthesized with a fixed seed.
 */
import type { XY } from '../geo/coords.ts';
import { M_PER_DEG_LAT, mPerDegLon, pointInRing } from '../geo/measure.ts';
import { inBBox, rng, type BBox, type Building, type Compound, type StreetEdge, type StreetNode } from './district.ts';

/** Gross floor area per household (m²) after circulation/common space: 0.75 of GFA is dwelling, 90 m² each. */
export const M2_PER_HOUSEHOLD = 90 / 0.75;
/** Car ownership per household, drawn per building in [0.35, 0.55) (central Beijing old compounds to newer estates). */
export const OWNERSHIP = [0.35, 0.55] as const;
/** Peak visitor/commuter vehicles per 100 m² of non-residential floor area (Beijing office standards are 0.3–0.65). */
export const VISITORS_PER_100M2 = 0.3;
/** Surface car park: one space per 25 m² including aisles. */
export const M2_PER_SPACE = 25;

export interface DemandSource {
  id: string;
  kind: 'resident' | 'visitor';
  buildingId: number;
  /** real compound id for residents; -1 for visitors */
  compoundId: number;
  households: number;
  /** registered (residents) or peak (visitors) vehicles */
  vehicles: number;
  lon: number;
  lat: number;
}

/** One demand source per building in the district: residents where the building is inside a compound, visitors otherwise. */
export function demandSources(buildings: Building[], compounds: Compound[], district: BBox, seed: number): DemandSource[] {
  const rand = rng(seed);
  const cs = compounds.map((c) => {
    let w = Infinity,
      s = Infinity,
      e = -Infinity,
      n = -Infinity;
    for (const [x, y] of c.ring) {
      w = Math.min(w, x);
      e = Math.max(e, x);
      s = Math.min(s, y);
      n = Math.max(n, y);
    }
    return { c, w, s, e, n };
  });
  const out: DemandSource[] = [];
  for (const b of buildings) {
    if (!inBBox(district, b.lon, b.lat)) continue;
    const gfa = b.floors * b.areaM2;
    const home = cs.find((x) => b.lon >= x.w && b.lon <= x.e && b.lat >= x.s && b.lat <= x.n && pointInRing([b.lon, b.lat], x.c.ring));
    const r = rand(); // drawn for every building so one building's class does not shift the others' draws
    if (home) {
      const households = Math.max(1, Math.round(gfa / M2_PER_HOUSEHOLD));
      const vehicles = Math.round(households * (OWNERSHIP[0] + (OWNERSHIP[1] - OWNERSHIP[0]) * r));
      if (vehicles > 0) out.push({ id: `DR-${b.id}`, kind: 'resident', buildingId: b.id, compoundId: home.c.id, households, vehicles, lon: b.lon, lat: b.lat });
    } else if (b.floors >= 3 && b.areaM2 >= 300) {
      const vehicles = Math.round((gfa / 100) * VISITORS_PER_100M2);
      if (vehicles > 0) out.push({ id: `DV-${b.id}`, kind: 'visitor', buildingId: b.id, compoundId: -1, households: 0, vehicles, lon: b.lon, lat: b.lat });
    }
  }
  return out;
}

export interface ProfileSlot {
  slot: number;
  hhmm: string;
  /** share of resident vehicles parked near home */
  residentHome: number;
  /** share of peak visitor/commuter vehicles present */
  visitor: number;
}

/**
 * Presence by half hour from the real crowd curve c (peak 1): visitors follow c; residents are home except the part
 * of them that drive out when the district is busy: 0.95 − 0.5·c (≈0.9 at night, ≈0.45 at the midday peak).
 */
export function demandProfile(crowd: readonly number[]): ProfileSlot[] {
  return crowd.map((c, slot) => ({
    slot,
    hhmm: `${String(Math.floor(slot / 2)).padStart(2, '0')}:${slot % 2 ? '30' : '00'}`,
    residentHome: Math.round((0.95 - 0.5 * c) * 1e4) / 1e4,
    visitor: Math.round(c * 1e4) / 1e4,
  }));
}

/** Opening hours of a public parking place (minutes of the day, Beijing time): office-building lots close at night. */
export function parkingHours(kind: 'lot' | 'spot', ref: string): { openMin: number; closeMin: number } {
  return kind === 'lot' && ref.startsWith('B') ? { openMin: 7 * 60, closeMin: 21 * 60 } : { openMin: 0, closeMin: 24 * 60 };
}

export interface VacantLot {
  id: string;
  name: string;
  lon: number;
  lat: number;
  areaM2: number;
  /** surface spaces at M2_PER_SPACE */
  maxSpaces: number;
  /** closed ring, WGS84 */
  ring: XY[];
}

/** Uniform-grid index of segments in local metres, for "distance to the nearest footprint/street" queries. */
class SegmentIndex {
  private readonly cells = new Map<string, Array<[number, number, number, number]>>();
  constructor(
    private readonly cell: number,
    private readonly lon0: number,
    private readonly lat0: number,
  ) {}
  xy(lon: number, lat: number): [number, number] {
    return [(lon - this.lon0) * mPerDegLon(this.lat0), (lat - this.lat0) * M_PER_DEG_LAT];
  }
  add(a: XY, b: XY): void {
    const [ax, ay] = this.xy(a[0], a[1]);
    const [bx, by] = this.xy(b[0], b[1]);
    const steps = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / this.cell));
    const keys = new Set<string>();
    for (let i = 0; i <= steps; i++)
      keys.add(`${Math.floor((ax + ((bx - ax) * i) / steps) / this.cell)},${Math.floor((ay + ((by - ay) * i) / steps) / this.cell)}`);
    for (const k of keys) {
      const list = this.cells.get(k) ?? [];
      list.push([ax, ay, bx, by]);
      this.cells.set(k, list);
    }
  }
  /** distance (m) to the nearest segment, or Infinity beyond `within` */
  nearest(x: number, y: number, within: number): number {
    let best = Infinity;
    const r = Math.ceil(within / this.cell);
    const cx = Math.floor(x / this.cell);
    const cy = Math.floor(y / this.cell);
    for (let i = -r; i <= r; i++)
      for (let j = -r; j <= r; j++)
        for (const [ax, ay, bx, by] of this.cells.get(`${cx + i},${cy + j}`) ?? []) {
          const dx = bx - ax;
          const dy = by - ay;
          const l2 = dx * dx + dy * dy;
          const t = l2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / l2)) : 0;
          best = Math.min(best, Math.hypot(x - ax - t * dx, y - ay - t * dy));
        }
    return best <= within ? best : Infinity;
  }
}

/**
 * Candidate vacant lots: rectangles of open ground whose every point is >= 8 m from any building footprint, whose
 * centre is 35–160 m from a street (reachable by a lane, not on the carriageway), inside the district, at least
 * `spacingM` apart. Our footprints are a subset of the real city, so these are candidates for a planner to check,
 * not a land register.
 */
export function findVacantLots(
  buildings: Building[],
  nodes: StreetNode[],
  edges: StreetEdge[],
  district: BBox,
  count: number,
  seed: number,
  spacingM = 350,
): VacantLot[] {
  const rand = rng(seed);
  const lon0 = (district.west + district.east) / 2;
  const lat0 = (district.south + district.north) / 2;
  const fp = new SegmentIndex(40, lon0, lat0);
  for (const b of buildings) for (let i = 0; i < b.ring.length; i++) fp.add(b.ring[i]!, b.ring[(i + 1) % b.ring.length]!);
  const st = new SegmentIndex(80, lon0, lat0);
  for (const e of edges) st.add([nodes[e.from]!.lon, nodes[e.from]!.lat], [nodes[e.to]!.lon, nodes[e.to]!.lat]);
  const [x0, y0] = fp.xy(district.west, district.south);
  const [x1, y1] = fp.xy(district.east, district.north);
  const inside = buildings.map((b) => fp.xy(b.lon, b.lat));
  const candidates: Array<{ x: number; y: number; w: number; h: number }> = [];
  for (let y = y0 + 60; y < y1 - 60; y += 25)
    for (let x = x0 + 60; x < x1 - 60; x += 25) {
      const road = st.nearest(x, y, 160);
      if (road < 35 || road === Infinity) continue;
      const w = 40 + 10 * Math.floor(rand() * 3); // 40–60 m
      const h = 50 + 10 * Math.floor(rand() * 2); // 50–60 m
      // clearance: the rectangle's half-diagonal plus 8 m from every footprint edge
      if (fp.nearest(x, y, Math.hypot(w, h) / 2 + 8) !== Infinity) continue;
      candidates.push({ x, y, w, h });
    }
  // A footprint entirely containing the rectangle would have no edge near it: reject centres inside a footprint's bbox-sized radius.
  const clear = candidates.filter((c) => !inside.some(([bx, by], i) => Math.hypot(bx - c.x, by - c.y) < Math.sqrt(buildings[i]!.areaM2)));
  // Seeded shuffle, then greedy spacing.
  for (let i = clear.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [clear[i], clear[j]] = [clear[j]!, clear[i]!];
  }
  const chosen: typeof clear = [];
  for (const c of clear) {
    if (chosen.length >= count) break;
    if (chosen.some((o) => Math.hypot(o.x - c.x, o.y - c.y) < spacingM)) continue;
    chosen.push(c);
  }
  const toLonLat = (x: number, y: number): XY => [lon0 + x / mPerDegLon(lat0), lat0 + y / M_PER_DEG_LAT];
  return chosen.map((c, i) => {
    const [lon, lat] = toLonLat(c.x, c.y);
    const ring: XY[] = [
      toLonLat(c.x - c.w / 2, c.y - c.h / 2),
      toLonLat(c.x + c.w / 2, c.y - c.h / 2),
      toLonLat(c.x + c.w / 2, c.y + c.h / 2),
      toLonLat(c.x - c.w / 2, c.y + c.h / 2),
    ];
    ring.push(ring[0]!);
    const areaM2 = c.w * c.h;
    return { id: `VL-${String(i + 1).padStart(2, '0')}`, name: `空地 ${i + 1}`, lon, lat, areaM2, maxSpaces: Math.floor(areaM2 / M2_PER_SPACE), ring };
  });
}
