/**
 * Shortest paths on small weighted graphs (indoor floors, the district street graph). Pure and deterministic:
 * Dijkstra with a binary heap, multi-source, early exit on the first settled target, and a "fire zone" rule: blocked
 * nodes may start or end a path (people leave the zone; a responder drives to it) but are never passed through.
 */

export interface Edge {
  to: number;
  /** traversal cost (seconds, metres — the caller chooses one unit per graph) */
  cost: number;
  /** physical length in metres, for reporting distance when cost is time */
  lengthM: number;
}

export class Graph {
  readonly adj: Edge[][] = [];

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.adj.push([]);
  }

  addEdge(a: number, b: number, cost: number, lengthM = cost, bothWays = true): void {
    if (a < 0 || b < 0 || a >= this.size || b >= this.size) throw new Error(`edge ${a}-${b} outside graph of ${this.size} nodes`);
    if (!(cost >= 0) || !Number.isFinite(cost)) throw new Error(`edge ${a}-${b}: cost must be finite and >= 0, got ${cost}`);
    this.adj[a]!.push({ to: b, cost, lengthM });
    if (bothWays) this.adj[b]!.push({ to: a, cost, lengthM });
  }
}

export interface PathResult {
  /** node indices from a source to the target */
  nodes: number[];
  cost: number;
  lengthM: number;
}

export interface SearchOptions {
  /** nodes that cannot be passed through (still allowed as the first or last node) */
  blocked?: ReadonlySet<number>;
  /** initial cost per source (default 0), e.g. a responder's turnout time */
  sourceCost?: ReadonlyMap<number, number>;
  /** extra cost for entering a node (not charged for sources): a soft "avoid this" such as a smoke zone */
  penalty?: (node: number) => number;
}

class Heap {
  private readonly k: number[] = [];
  private readonly v: number[] = [];
  get size(): number {
    return this.k.length;
  }
  push(key: number, val: number): void {
    const k = this.k;
    const v = this.v;
    let i = k.length;
    k.push(key);
    v.push(val);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p]! <= key) break;
      k[i] = k[p]!;
      v[i] = v[p]!;
      i = p;
    }
    k[i] = key;
    v[i] = val;
  }
  pop(): [number, number] {
    const k = this.k;
    const v = this.v;
    const top: [number, number] = [k[0]!, v[0]!];
    const lk = k.pop()!;
    const lv = v.pop()!;
    if (k.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= k.length) break;
        const r = l + 1;
        const c = r < k.length && k[r]! < k[l]! ? r : l;
        if (k[c]! >= lk) break;
        k[i] = k[c]!;
        v[i] = v[c]!;
        i = c;
      }
      k[i] = lk;
      v[i] = lv;
    }
    return top;
  }
}

export interface ShortestPathTree {
  cost: Float64Array;
  lengthM: Float64Array;
  prev: Int32Array;
  /** where a node's path starts */
  source: Int32Array;
}

/** Full multi-source shortest-path tree (every reachable node gets its cost, length and predecessor). */
export function shortestPathTree(
  g: Graph,
  sources: readonly number[],
  opts: SearchOptions = {},
  stopAt?: (n: number) => boolean,
): ShortestPathTree & { reached: number } {
  const cost = new Float64Array(g.size).fill(Infinity);
  const lengthM = new Float64Array(g.size).fill(Infinity);
  const prev = new Int32Array(g.size).fill(-1);
  const source = new Int32Array(g.size).fill(-1);
  const done = new Uint8Array(g.size);
  const heap = new Heap();
  for (const s of sources) {
    if (s < 0 || s >= g.size) throw new Error(`source ${s} outside graph`);
    const c0 = opts.sourceCost?.get(s) ?? 0;
    if (c0 < cost[s]!) {
      cost[s] = c0;
      lengthM[s] = 0;
      source[s] = s;
      heap.push(c0, s);
    }
  }
  let reached = -1;
  while (heap.size) {
    const [c, n] = heap.pop();
    if (done[n] || c > cost[n]!) continue;
    done[n] = 1;
    if (stopAt?.(n)) {
      reached = n;
      break;
    }
    // a blocked node is reachable, but only sources may leave it
    if (opts.blocked?.has(n) && source[n] !== n) continue;
    for (const e of g.adj[n]!) {
      if (done[e.to]) continue;
      const nc = c + e.cost + (opts.penalty?.(e.to) ?? 0);
      // ties: prefer the shorter walk, then the lower node index (deterministic)
      if (nc < cost[e.to]! || (nc === cost[e.to]! && lengthM[n]! + e.lengthM < lengthM[e.to]!)) {
        cost[e.to] = nc;
        lengthM[e.to] = lengthM[n]! + e.lengthM;
        prev[e.to] = n;
        source[e.to] = source[n]!;
        heap.push(nc, e.to);
      }
    }
  }
  return { cost, lengthM, prev, source, reached };
}

export function pathTo(tree: ShortestPathTree, target: number): PathResult | null {
  if (!Number.isFinite(tree.cost[target]!)) return null;
  const nodes: number[] = [];
  for (let n = target; n >= 0; n = tree.prev[n]!) {
    nodes.push(n);
    if (nodes.length > tree.prev.length) throw new Error('cycle in shortest-path tree');
  }
  nodes.reverse();
  return { nodes, cost: tree.cost[target]!, lengthM: tree.lengthM[target]! };
}

/** Cheapest path from any source to any target (null when none is reachable). */
export function shortestPath(g: Graph, sources: readonly number[], targets: readonly number[], opts: SearchOptions = {}): PathResult | null {
  const t = new Set(targets);
  if (!t.size || !sources.length) return null;
  const tree = shortestPathTree(g, sources, opts, (n) => t.has(n));
  return tree.reached >= 0 ? pathTo(tree, tree.reached) : null;
}
