/**
 * A synthetic city for the scale benchmark (issue 25.4): the district's real footprints repeated on a square grid of
 * district-sized blocks around the district and jittered (each copy shifted up to 3 % of a block, each building's
 * height scaled by 0.8-1.25), so a tileset of hundreds of thousands of buildings keeps real shapes and a real
 * height mix. Deterministic for a seed. Not a place: the copies' names carry "#N" (the copy) so nobody mistakes one
 * for data; ids are copy x 10^7 + the district id.
 */
import { rng } from '../shared/rng.ts';
import type { BuildingSolid } from './glb.ts';

export function syntheticCity(district: BuildingSolid[], count: number, seed = 20261206): BuildingSolid[] {
  if (!district.length) throw new Error('no buildings to repeat');
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const b of district)
    for (const [x, y] of b.ring) {
      west = Math.min(west, x);
      east = Math.max(east, x);
      south = Math.min(south, y);
      north = Math.max(north, y);
    }
  const w = east - west;
  const h = north - south;
  const copies = Math.ceil(count / district.length);
  const side = Math.ceil(Math.sqrt(copies));
  const r = rng(seed);
  const out: BuildingSolid[] = [];
  // copy 0 is the district itself; the grid is centred on it
  for (let c = 0; c < copies && out.length < count; c++) {
    const col = (c % side) - Math.floor(side / 2);
    const row = Math.floor(c / side) - Math.floor(side / 2);
    // the centre cell of the grid is the real district (copy 0 goes there; the copy that would have landed there takes cell 0)
    const [gc, gr] = c === 0 ? [0, 0] : col === 0 && row === 0 ? [-Math.floor(side / 2), -Math.floor(side / 2)] : [col, row];
    // blocks 8 % apart, each copy moved at most 3 % of a block: neighbours never overlap
    const dx = gc * w * 1.08 + (c ? (r() - 0.5) * 0.06 * w : 0);
    const dy = gr * h * 1.08 + (c ? (r() - 0.5) * 0.06 * h : 0);
    for (const b of district) {
      if (out.length >= count) break;
      const k = c ? 0.8 + r() * 0.45 : 1;
      out.push({
        id: c * 10_000_000 + b.id,
        name: c && b.name ? `${b.name} #${c}` : b.name,
        floors: Math.max(1, Math.round(b.floors * k)),
        heightM: b.heightM * k,
        areaM2: b.areaM2,
        ring: b.ring.map(([x, y]) => [x + dx, y + dy]),
      });
    }
  }
  return out;
}
