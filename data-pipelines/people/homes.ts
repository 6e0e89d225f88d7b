/** Home sources for the synthetic population: residential buildings of the data package with their households and grid. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { HomeSource } from './population.ts';

export function loadHomes(assetsDir: string): HomeSource[] {
  const read = (name: string) => {
    const f = join(assetsDir, `${name}.arrow`);
    if (!existsSync(f)) throw new Error(`district package missing ${f}: run "npm run build:data" first`);
    return tableFromIPC(readFileSync(f));
  };
  const b = read('buildings');
  const gridOf = new Map<number, string>();
  const floorsOf = new Map<number, number>();
  const bid = b.getChild('id')!;
  const bg = b.getChild('grid_id')!;
  const bf = b.getChild('floors');
  for (let i = 0; i < b.numRows; i++) {
    gridOf.set(Number(bid.get(i)), String(bg.get(i)));
    if (bf) floorsOf.set(Number(bid.get(i)), Number(bf.get(i)));
  }
  const d = read('demand_sources');
  const col = (n: string) => d.getChild(n)!;
  const [kind, building, compound, households, lon, lat] = ['kind', 'building_id', 'compound_id', 'households', 'lon', 'lat'].map(col) as [
    ReturnType<typeof col>,
    ReturnType<typeof col>,
    ReturnType<typeof col>,
    ReturnType<typeof col>,
    ReturnType<typeof col>,
    ReturnType<typeof col>,
  ];
  const out: HomeSource[] = [];
  for (let i = 0; i < d.numRows; i++) {
    if (kind.get(i) !== 'resident') continue;
    const id = Number(building.get(i));
    out.push({
      buildingId: id,
      compoundId: Number(compound.get(i)),
      households: Number(households.get(i)),
      gridId: gridOf.get(id) ?? '',
      ...((floorsOf.get(id) ?? 0) > 0 ? { floors: floorsOf.get(id)! } : {}),
      lon: Number(lon.get(i)),
      lat: Number(lat.get(i)),
    });
  }
  return out;
}
