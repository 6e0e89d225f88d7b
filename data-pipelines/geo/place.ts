/**
 * Places an operator can say over the radio: "东方银座东北 40 米", "12 号楼（东方银座南 80 米）3 层", not "116.42900,
 * 39.93877". Pure (no DOM, no DuckDB): built once from the district's buildings (footprint, floors, optional name) and
 * its management grid; used by the renderer wherever it names a location (alarm, request, road closure, search).
 *
 * How a point is described:
 * - inside a named building: its name (and the floor when one is given);
 * - inside an unnamed building: "building N" plus the nearest named building within reach, as a landmark;
 * - outside every building: direction and distance from the nearest named building within reach (distance to its
 *   nearest wall, rounded to 10 m; direction from its centre, 8 compass points);
 * - nothing named within reach: the grid cell.
 * The grid cell is always given as the secondary code. The words ("东方银座东北 40 米") are the renderer's (its i18n
 * catalogs: renderer/src/ui/place-text.ts); this module gives the facts.
 */
import { gridCellOf, type GridCellBounds } from './grid-cell.ts';
import { M_PER_DEG_LAT, mPerDegLon, pointInRing, type XY } from './measure.ts';

export interface PlaceBuilding {
  id: number;
  /** '' or undefined: unnamed */
  name?: string;
  floors: number;
  /** footprint, flat [lon, lat, lon, lat, ...] (open or closed) */
  ring: ArrayLike<number>;
}

export type Compass8 = 'N' | 'NE' | 'E' | 'SE' | 'S' | 'SW' | 'W' | 'NW';

export interface Place {
  /** the building the point is in, if any */
  building: { id: number; name: string | null } | null;
  /** the nearest named building (not the one the point is in), within reach */
  landmark: { id: number; name: string; distanceM: number; direction: Compass8 } | null;
  floor: number | null;
  gridId: string | null;
}

export interface SearchHit {
  kind: 'building';
  id: number;
  name: string;
  lon: number;
  lat: number;
  floors: number;
}

/** How far a landmark may be to still help (metres): beyond this the grid cell is more useful than "1.2 km from X". */
export const LANDMARK_REACH_M = 600;
/** Bucket size of the spatial index: 0.002 degrees of latitude (~221 m), as metres on the index's local plane. */
const CELL_DEG = 0.002;

interface Entry {
  id: number;
  name: string;
  floors: number;
  /** local metric frame: metres east/north of the index origin */
  xy: Float64Array;
  ring: XY[];
  cx: number;
  cy: number;
  lon: number;
  lat: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

const COMPASS: readonly Compass8[] = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'];

/** 8-point compass name of a direction given as east/north components. */
export function compass8(dx: number, dy: number): Compass8 {
  const deg = ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360;
  return COMPASS[Math.round(deg / 45) % 8]!;
}

/** The nearest point of segment a-b to p, and its distance. */
function segNearest(px: number, py: number, ax: number, ay: number, bx: number, by: number): { d: number; wx: number; wy: number } {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  const wx = ax + t * dx;
  const wy = ay + t * dy;
  return { d: Math.hypot(px - wx, py - wy), wx, wy };
}

export class PlaceIndex {
  private readonly entries: Entry[] = [];
  private readonly byId = new Map<number, Entry>();
  private readonly buckets = new Map<string, Entry[]>();
  private readonly named: Entry[] = [];
  private readonly namedBuckets = new Map<string, Entry[]>();
  private readonly lon0: number;
  private readonly lat0: number;
  private readonly kx: number;

  constructor(
    buildings: Iterable<PlaceBuilding>,
    private readonly grid: ReadonlyArray<GridCellBounds> = [],
  ) {
    const list = [...buildings].filter((b) => b.ring.length >= 6);
    let sLon = 0;
    let sLat = 0;
    for (const b of list) {
      sLon += b.ring[0]!;
      sLat += b.ring[1]!;
    }
    this.lon0 = list.length ? sLon / list.length : 0;
    this.lat0 = list.length ? sLat / list.length : 0;
    this.kx = mPerDegLon(this.lat0);
    for (const b of list) {
      const ring: XY[] = [];
      let n = Math.floor(b.ring.length / 2);
      // a closed ring repeats its first corner: drop it (it would pull the centre towards that corner)
      if (n > 3 && b.ring[0] === b.ring[2 * n - 2] && b.ring[1] === b.ring[2 * n - 1]) n--;
      const xy = new Float64Array(2 * n);
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      for (let i = 0; i < n; i++) {
        const lon = b.ring[2 * i]!;
        const lat = b.ring[2 * i + 1]!;
        ring.push([lon, lat]);
        const [x, y] = this.toXY(lon, lat);
        xy[2 * i] = x;
        xy[2 * i + 1] = y;
        minX = Math.min(minX, x);
        minY = Math.min(minY, y);
        maxX = Math.max(maxX, x);
        maxY = Math.max(maxY, y);
      }
      // the label / fly-to point: inside the footprint (an L- or U-shaped building's centre can fall outside it)
      const [cx, cy] = this.interiorPoint(xy, ring);
      const e: Entry = {
        id: b.id,
        // full-width Latin in the source names (ＳＯＨＯ, Ｇｏｌｆ) reads as spaced-out letters on a map: NFKC folds it
        name: (b.name ?? '').normalize('NFKC').trim(),
        floors: b.floors,
        xy,
        ring,
        cx,
        cy,
        lon: this.toLonLat(cx, cy)[0],
        lat: this.toLonLat(cx, cy)[1],
        minX,
        minY,
        maxX,
        maxY,
      };
      this.entries.push(e);
      this.byId.set(e.id, e);
      this.addToBuckets(this.buckets, e);
      if (e.name) {
        this.named.push(e);
        this.addToBuckets(this.namedBuckets, e);
      }
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Named buildings (landmarks), tallest first: what the maps label. A complex's wings often carry the same name; a
   * name is labelled once within `distinctWithinM` (the tallest wing), so the map does not say 东方银座 twice.
   */
  landmarks(distinctWithinM = 0): SearchHit[] {
    const all = this.named
      .map((e) => ({ kind: 'building' as const, id: e.id, name: e.name, lon: e.lon, lat: e.lat, floors: e.floors }))
      .sort((a, b) => b.floors - a.floors || a.id - b.id);
    if (distinctWithinM <= 0) return all;
    const kept = new Map<string, SearchHit[]>();
    return all.filter((h) => {
      const same = kept.get(h.name) ?? [];
      const [x, y] = this.toXY(h.lon, h.lat);
      if (
        same.some((o) => {
          const [ox, oy] = this.toXY(o.lon, o.lat);
          return Math.hypot(x - ox, y - oy) < distinctWithinM;
        })
      )
        return false;
      kept.set(h.name, [...same, h]);
      return true;
    });
  }

  /** The building with this id, as a search hit (its centre), or null. */
  building(id: number): SearchHit | null {
    const e = this.byId.get(id);
    return e ? { kind: 'building', id: e.id, name: e.name, lon: e.lon, lat: e.lat, floors: e.floors } : null;
  }

  describe(lon: number, lat: number, opts: { buildingId?: number; floor?: number } = {}): Place {
    const [x, y] = this.toXY(lon, lat);
    // a known building (a detector's) wins; an unknown id falls back to the geometry
    const inside = (opts.buildingId !== undefined ? this.byId.get(opts.buildingId) : undefined) ?? this.buildingAt(lon, lat, x, y);
    let landmark: Place['landmark'] = null;
    if (!inside || !inside.name) {
      const near = this.nearestNamed(x, y, inside);
      if (near) {
        // the direction is the one the distance is measured along: from the nearest point of the landmark's walls
        // (from its centre when the point touches it)
        const [fx, fy] = near.d > 1 ? [near.wx, near.wy] : [near.e.cx, near.e.cy];
        landmark = { id: near.e.id, name: near.e.name, distanceM: Math.round(near.d / 10) * 10, direction: compass8(x - fx, y - fy) };
      }
    }
    return {
      building: inside ? { id: inside.id, name: inside.name || null } : null,
      landmark,
      floor: opts.floor ?? null,
      gridId: gridCellOf(this.grid, lon, lat),
    };
  }

  /**
   * Named buildings whose name contains the text (case- and width-insensitive; all words must match), exact and
   * prefix matches first, then taller first.
   */
  search(text: string, limit = 10): SearchHit[] {
    const words = normalise(text).split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    const q = words.join('');
    const scored: Array<{ e: Entry; s: number }> = [];
    for (const e of this.named) {
      const n = normalise(e.name).replace(/\s+/g, '');
      if (!words.every((w) => n.includes(w))) continue;
      scored.push({ e, s: n === q ? 0 : n.startsWith(q) ? 1 : 2 });
    }
    scored.sort((a, b) => a.s - b.s || b.e.floors - a.e.floors || a.e.id - b.e.id);
    return scored.slice(0, limit).map(({ e }) => ({ kind: 'building', id: e.id, name: e.name, lon: e.lon, lat: e.lat, floors: e.floors }));
  }

  /** A point inside the footprint: the area centroid when it is inside, else the middle of the widest span across it. */
  private interiorPoint(xy: Float64Array, ring: XY[]): [number, number] {
    const n = xy.length / 2;
    let a2 = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const cross = xy[2 * i]! * xy[2 * j + 1]! - xy[2 * j]! * xy[2 * i + 1]!;
      a2 += cross;
      cx += (xy[2 * i]! + xy[2 * j]!) * cross;
      cy += (xy[2 * i + 1]! + xy[2 * j + 1]!) * cross;
    }
    if (Math.abs(a2) > 1e-9) {
      cx /= 3 * a2;
      cy /= 3 * a2;
      if (pointInRing(this.toLonLat(cx, cy), ring)) return [cx, cy];
    } else {
      cx = 0;
      cy = 0;
      for (let i = 0; i < n; i++) {
        cx += xy[2 * i]! / n;
        cy += xy[2 * i + 1]! / n;
      }
    }
    // scan across at the centroid's height (and a few others): the middle of the widest inside span
    let best: [number, number] | null = null;
    let widest = -1;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minY = Math.min(minY, xy[2 * i + 1]!);
      maxY = Math.max(maxY, xy[2 * i + 1]!);
    }
    for (const y of [cy, ...[0.5, 0.25, 0.75, 0.1, 0.9].map((f) => minY + f * (maxY - minY))]) {
      const xs: number[] = [];
      for (let i = 0; i < n; i++) {
        const j = (i + 1) % n;
        const y1 = xy[2 * i + 1]!;
        const y2 = xy[2 * j + 1]!;
        if (y1 === y2 || y < Math.min(y1, y2) || y >= Math.max(y1, y2)) continue;
        xs.push(xy[2 * i]! + ((y - y1) / (y2 - y1)) * (xy[2 * j]! - xy[2 * i]!));
      }
      xs.sort((p, q) => p - q);
      for (let k = 0; k + 1 < xs.length; k += 2)
        if (xs[k + 1]! - xs[k]! > widest) {
          widest = xs[k + 1]! - xs[k]!;
          best = [(xs[k]! + xs[k + 1]!) / 2, y];
        }
    }
    return best ?? [cx, cy];
  }

  private toLonLat(x: number, y: number): XY {
    return [this.lon0 + x / this.kx, this.lat0 + y / M_PER_DEG_LAT];
  }

  private toXY(lon: number, lat: number): [number, number] {
    return [(lon - this.lon0) * this.kx, (lat - this.lat0) * M_PER_DEG_LAT];
  }

  private key(ix: number, iy: number): string {
    return `${ix}:${iy}`;
  }

  private cellOf(x: number, y: number): [number, number] {
    return [Math.floor(x / (CELL_DEG * M_PER_DEG_LAT)), Math.floor(y / (CELL_DEG * M_PER_DEG_LAT))];
  }

  private addToBuckets(into: Map<string, Entry[]>, e: Entry): void {
    const [x0, y0] = this.cellOf(e.minX, e.minY);
    const [x1, y1] = this.cellOf(e.maxX, e.maxY);
    for (let ix = x0; ix <= x1; ix++)
      for (let iy = y0; iy <= y1; iy++) {
        const k = this.key(ix, iy);
        const list = into.get(k);
        if (list) list.push(e);
        else into.set(k, [e]);
      }
  }

  private buildingAt(lon: number, lat: number, x: number, y: number): Entry | null {
    const [ix, iy] = this.cellOf(x, y);
    for (const e of this.buckets.get(this.key(ix, iy)) ?? []) {
      if (x < e.minX || x > e.maxX || y < e.minY || y > e.maxY) continue;
      if (pointInRing([lon, lat], e.ring)) return e;
    }
    return null;
  }

  /** Nearest named building by distance to its walls (0 inside), within LANDMARK_REACH_M; never `except`. */
  private nearestNamed(x: number, y: number, except: Entry | null): { e: Entry; d: number; wx: number; wy: number } | null {
    const cellM = CELL_DEG * M_PER_DEG_LAT;
    const reach = Math.ceil(LANDMARK_REACH_M / cellM);
    const [ix, iy] = this.cellOf(x, y);
    let best: { e: Entry; d: number; wx: number; wy: number } | null = null;
    const seen = new Set<Entry>();
    // rings of cells outwards; stop once the ring is farther than the best found
    for (let r = 0; r <= reach; r++) {
      if (best && (r - 1) * cellM > best.d) break;
      for (let dx = -r; dx <= r; dx++)
        for (let dy = -r; dy <= r; dy++) {
          if (Math.max(Math.abs(dx), Math.abs(dy)) !== r) continue;
          for (const e of this.namedBuckets.get(this.key(ix + dx, iy + dy)) ?? []) {
            if (e === except || seen.has(e)) continue;
            seen.add(e);
            const w = this.wallDistance(e, x, y);
            if (w.d <= LANDMARK_REACH_M && (!best || w.d < best.d)) best = { e, ...w };
          }
        }
    }
    return best;
  }

  /** Distance to the building's walls (0 inside) and the nearest wall point. */
  private wallDistance(e: Entry, x: number, y: number): { d: number; wx: number; wy: number } {
    if (x >= e.minX && x <= e.maxX && y >= e.minY && y <= e.maxY && pointInRing(this.toLonLat(x, y), e.ring)) return { d: 0, wx: x, wy: y };
    let best = { d: Infinity, wx: x, wy: y };
    const n = e.xy.length / 2;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const s = segNearest(x, y, e.xy[2 * i]!, e.xy[2 * i + 1]!, e.xy[2 * j]!, e.xy[2 * j + 1]!);
      if (s.d < best.d) best = s;
    }
    return best;
  }
}

/** For matching: NFKC (full-width ＡＢＣ１２ → ABC12, ideographic space → space), lower case, trimmed. */
export function normalise(s: string): string {
  return s.normalize('NFKC').toLowerCase().trim();
}
