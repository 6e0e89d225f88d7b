/**
 * The district street graph (from the data package's street_nodes / street_edges) as a routable network. Only the
 * largest connected component is used for snapping: a route must never start on an isolated fragment of a bus
 * corridor that leads nowhere.
 */
import { haversineMeters } from '../geo/measure.ts';
import { Graph, pathTo, shortestPathTree, type PathResult } from './graph.ts';

export interface StreetTables {
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
  from: ArrayLike<number>;
  to: ArrayLike<number>;
  lengthM: ArrayLike<number>;
}

export interface StreetRoute extends PathResult {
  coords: Array<[number, number]>;
}

export class StreetNetwork {
  readonly graph: Graph;
  readonly lon: Float64Array;
  readonly lat: Float64Array;
  /** component id per node; `main` is the largest */
  readonly component: Int32Array;
  readonly main: number;

  constructor(t: StreetTables) {
    const n = t.lon.length;
    if (t.lat.length !== n) throw new Error('street nodes: lon and lat differ in length');
    this.lon = Float64Array.from(t.lon);
    this.lat = Float64Array.from(t.lat);
    this.graph = new Graph(n);
    for (let i = 0; i < t.from.length; i++) {
      const a = t.from[i]!;
      const b = t.to[i]!;
      if (a === b) continue;
      this.graph.addEdge(a, b, t.lengthM[i]!, t.lengthM[i]!);
    }
    this.component = new Int32Array(n).fill(-1);
    const sizes: number[] = [];
    for (let s = 0; s < n; s++) {
      if (this.component[s] !== -1) continue;
      const c = sizes.length;
      let size = 0;
      const stack = [s];
      this.component[s] = c;
      while (stack.length) {
        const x = stack.pop()!;
        size++;
        for (const e of this.graph.adj[x]!)
          if (this.component[e.to] === -1) {
            this.component[e.to] = c;
            stack.push(e.to);
          }
      }
      sizes.push(size);
    }
    this.main = sizes.indexOf(Math.max(...sizes, 0));
  }

  get size(): number {
    return this.lon.length;
  }

  /** Nearest node of the main component, with the straight-line distance to it. */
  nearestNode(lon: number, lat: number): { node: number; distanceM: number } {
    let best = -1;
    let bestD = Infinity;
    const k = Math.cos((lat * Math.PI) / 180);
    for (let i = 0; i < this.lon.length; i++) {
      if (this.component[i] !== this.main) continue;
      const dx = (this.lon[i]! - lon) * k;
      const dy = this.lat[i]! - lat;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    if (best < 0) throw new Error('street network is empty');
    return { node: best, distanceM: haversineMeters([lon, lat], [this.lon[best]!, this.lat[best]!]) };
  }

  coords(nodes: number[]): Array<[number, number]> {
    return nodes.map((n) => [this.lon[n]!, this.lat[n]!]);
  }

  /** Shortest route (metres) from any source node to the nearest of the targets; sourceCost in metres. */
  route(sources: number[], targets: number[], sourceCost?: Map<number, number>): StreetRoute | null {
    const t = new Set(targets);
    const tree = shortestPathTree(this.graph, sources, sourceCost ? { sourceCost } : {}, (n) => t.has(n));
    if (tree.reached < 0) return null;
    const p = pathTo(tree, tree.reached)!;
    return { ...p, coords: this.coords(p.nodes) };
  }
}
