/**
 * Buildings as a 3D Tiles 1.1 tileset: a quadtree over their centres with additive refinement — each tile holds the
 * most prominent buildings of its area (tall or large: what reads from far away) and its children add the rest, so a
 * far view loads few, coarse tiles and a near one the detail. A tile's geometric error is the size of what it leaves
 * to its children (the tallest or widest building not yet drawn), 0 for a leaf. Bounding volumes are geodetic regions
 * covering the tile's own buildings and all its descendants'. Pure: returns the JSON and the glTF contents by path.
 */
import { ringAreaM2 } from '../geo/measure.ts';
import { buildingsGlb, cleanRing, type BuildingSolid, type GlbOptions } from './glb.ts';

export interface TilesetOptions extends GlbOptions {
  /** most buildings a leaf holds before it is split (default 400) */
  maxPerLeaf?: number;
  /** share of an inner tile's buildings it draws itself, the most prominent (default 0.12) */
  keepShare?: number;
  /** deepest level (root = 0; default 10) */
  maxDepth?: number;
  /** folder of the tile contents, relative to tileset.json (default "content") */
  contentDir?: string;
}

export interface TilesetBuild {
  tileset: Tileset;
  /** content path (relative to tileset.json) -> GLB bytes */
  files: Map<string, Uint8Array>;
  /** `quantized`: how many of the tiles' contents are quantized (the rest are too large for it and stay float) */
  stats: { tiles: number; buildings: number; skipped: number[]; depth: number; bytes: number; quantized: number };
}

export interface Tileset {
  asset: { version: '1.1'; generator: string; tilesetVersion?: string };
  geometricError: number;
  root: TileJson;
  extras?: Record<string, unknown>;
}
export interface TileJson {
  boundingVolume: { region: [number, number, number, number, number, number] };
  geometricError: number;
  refine?: 'ADD' | 'REPLACE';
  content?: { uri: string };
  children?: TileJson[];
}

interface Item {
  b: BuildingSolid;
  lon: number;
  lat: number;
  west: number;
  south: number;
  east: number;
  north: number;
  /** what it looks like from afar: its height or its footprint's width, whichever is greater */
  size: number;
}

const RAD = Math.PI / 180;

function item(b: BuildingSolid): Item | null {
  const ring = cleanRing(b.ring);
  if (!ring) return null;
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const [x, y] of ring) {
    west = Math.min(west, x);
    east = Math.max(east, x);
    south = Math.min(south, y);
    north = Math.max(north, y);
  }
  // a footprint with (almost) no area in metres is not drawable (the glTF writer would skip it)
  if (!(ringAreaM2(ring) > 5e-4)) return null;
  const h = Number.isFinite(b.heightM) && b.heightM > 0 ? b.heightM : 3;
  const width = Math.sqrt(Math.max(0, b.areaM2 || 0));
  return { b, lon: (west + east) / 2, lat: (south + north) / 2, west, south, east, north, size: Math.max(h, width) };
}

export function buildTileset(buildings: BuildingSolid[], opts: TilesetOptions = {}): TilesetBuild {
  const maxPerLeaf = opts.maxPerLeaf ?? 400;
  const keepShare = opts.keepShare ?? 0.12;
  const maxDepth = opts.maxDepth ?? 10;
  const dir = opts.contentDir ?? 'content';
  const files = new Map<string, Uint8Array>();
  const skipped: number[] = [];
  let tiles = 0;
  let depthSeen = 0;
  let bytes = 0;
  let drawn = 0;
  let quantized = 0;
  const items: Item[] = [];
  for (const b of buildings) {
    const it = item(b);
    if (it) items.push(it);
    else skipped.push(b.id);
  }
  if (!items.length) throw new Error('no building with a usable footprint: nothing to tile');

  const node = (list: Item[], box: { w: number; s: number; e: number; n: number }, depth: number, key: string): TileJson | null => {
    if (!list.length) return null;
    depthSeen = Math.max(depthSeen, depth);
    const leaf = list.length <= maxPerLeaf || depth >= maxDepth;
    let own: Item[];
    let rest: Item[];
    if (leaf) {
      own = list;
      rest = [];
    } else {
      const sorted = [...list].sort((a, c) => c.size - a.size || a.b.id - c.b.id);
      const k = Math.max(1, Math.min(maxPerLeaf, Math.round(list.length * keepShare)));
      own = sorted.slice(0, k);
      rest = sorted.slice(k);
    }
    const cx = (box.w + box.e) / 2;
    const cy = (box.s + box.n) / 2;
    const children: TileJson[] = [];
    if (rest.length) {
      const quads = [
        { w: box.w, s: box.s, e: cx, n: cy },
        { w: cx, s: box.s, e: box.e, n: cy },
        { w: box.w, s: cy, e: cx, n: box.n },
        { w: cx, s: cy, e: box.e, n: box.n },
      ];
      quads.forEach((q, i) => {
        const inQ = rest.filter((it) => (i % 2 === 0 ? it.lon < cx : it.lon >= cx) && (i < 2 ? it.lat < cy : it.lat >= cy));
        const c = node(inQ, q, depth + 1, `${key}${i}`);
        if (c) children.push(c);
      });
    }
    let uri: string | undefined;
    if (own.length) {
      let [w0, e0, s0, n0] = [Infinity, -Infinity, Infinity, -Infinity];
      for (const it of own) [w0, e0, s0, n0] = [Math.min(w0, it.lon), Math.max(e0, it.lon), Math.min(s0, it.lat), Math.max(n0, it.lat)];
      const centre = { lon: (w0 + e0) / 2, lat: (s0 + n0) / 2 };
      let r: ReturnType<typeof buildingsGlb> | null = null;
      try {
        r = buildingsGlb(
          own.map((it) => it.b),
          centre,
          opts,
        );
      } catch {
        // none of them drawable after all: no content for this tile, every building reported as skipped
        skipped.push(...own.map((it) => it.b.id));
      }
      if (r) {
        skipped.push(...r.skipped);
        drawn += r.drawn.length;
        uri = `${dir}/${key || 'root'}.glb`;
        files.set(uri, r.glb);
        bytes += r.glb.byteLength;
        tiles++;
        if (r.quantized) quantized++;
      }
    }
    // the region covers this tile's buildings and every descendant's (3D Tiles requires children inside parents)
    let w = Infinity;
    let s = Infinity;
    let e = -Infinity;
    let n = -Infinity;
    let top = 0;
    for (const it of list) {
      w = Math.min(w, it.west);
      s = Math.min(s, it.south);
      e = Math.max(e, it.east);
      n = Math.max(n, it.north);
      top = Math.max(top, Number.isFinite(it.b.heightM) && it.b.heightM > 0 ? it.b.heightM : 3);
    }
    let error = 0;
    for (const it of rest) error = Math.max(error, it.size);
    return {
      boundingVolume: { region: [w * RAD, s * RAD, e * RAD, n * RAD, 0, top] },
      geometricError: error,
      refine: 'ADD',
      ...(uri ? { content: { uri } } : {}),
      ...(children.length ? { children } : {}),
    };
  };

  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const it of items) {
    w = Math.min(w, it.lon);
    e = Math.max(e, it.lon);
    s = Math.min(s, it.lat);
    n = Math.max(n, it.lat);
  }
  const root = node(items, { w, s, e: e + 1e-9, n: n + 1e-9 }, 0, '')!;
  const tileset: Tileset = {
    asset: { version: '1.1', generator: opts.generator ?? 'RedWall ETL' },
    // beyond this the whole tileset is below a pixel's worth: the largest building in it
    geometricError: items.reduce((m, it) => Math.max(m, it.size), root.geometricError) * 2,
    root,
  };
  return { tileset, files, stats: { tiles, buildings: drawn, skipped, depth: depthSeen, bytes, quantized } };
}
