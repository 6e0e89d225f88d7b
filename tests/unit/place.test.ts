import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { compass8, normalise, PlaceIndex, type PlaceBuilding } from '../../data-pipelines/geo/place.ts';
import { formatPlace as fmt } from '../../renderer/src/ui/place-text.ts';
import { M_PER_DEG_LAT, mPerDegLon } from '../../data-pipelines/geo/measure.ts';

// A small street of squares, 20 m a side, in the demo district's latitude.
const LAT0 = 39.93;
const LON0 = 116.45;
const dLon = (m: number) => m / mPerDegLon(LAT0);
const dLat = (m: number) => m / M_PER_DEG_LAT;
const square = (eastM: number, northM: number, side = 20): number[] => {
  const w = LON0 + dLon(eastM);
  const s = LAT0 + dLat(northM);
  const e = w + dLon(side);
  const n = s + dLat(side);
  return [w, s, e, s, e, n, w, n];
};
const at = (eastM: number, northM: number): [number, number] => [LON0 + dLon(eastM), LAT0 + dLat(northM)];

const buildings: PlaceBuilding[] = [
  { id: 1, name: '东方银座', floors: 26, ring: square(0, 0) },
  { id: 2, name: '', floors: 6, ring: square(100, 0) },
  { id: 3, floors: 3, ring: square(0, -100) },
  { id: 4, name: '团结湖公园 管理处', floors: 2, ring: square(-200, 0) },
];
const grid = [{ id: 'WG-0101', west: LON0 - 0.01, south: LAT0 - 0.01, east: LON0 + 0.01, north: LAT0 + 0.01 }];

describe('places (geo/place.ts)', () => {
  const idx = new PlaceIndex(buildings, grid);

  it('names the building a point is in, with the floor and the grid cell', () => {
    const p = idx.describe(...at(10, 10), { floor: 3 });
    expect(p.building).toEqual({ id: 1, name: '东方银座' });
    expect(p.landmark).toBeNull();
    expect(fmt(p, 'zh-CN')).toBe('东方银座 3 层 · WG-0101');
    expect(fmt(p, 'en')).toBe('东方银座, floor 3 · WG-0101');
  });

  it('outside: direction from the nearest named building and distance to its wall, rounded to 10 m', () => {
    // 40 m north of the north wall of 东方银座 (its north wall is at 20 m)
    const p = idx.describe(...at(10, 60));
    expect(p.building).toBeNull();
    expect(p.landmark).toMatchObject({ id: 1, name: '东方银座', distanceM: 40, direction: 'N' });
    expect(fmt(p, 'zh-CN')).toBe('东方银座北 40 米 · WG-0101');
    expect(fmt(p, 'en')).toBe('40 m N of 东方银座 · WG-0101');
    // south-east, and the nearer of two landmarks wins
    expect(idx.describe(...at(50, -30)).landmark).toMatchObject({ id: 1, direction: 'SE' });
    expect(idx.describe(...at(-150, 10)).landmark).toMatchObject({ id: 4, direction: 'E', distanceM: 30 });
    // the direction is taken along the distance (from the nearest wall), not from the centre of a long building
    const long = new PlaceIndex([
      { id: 7, name: '长楼', floors: 5, ring: [...square(0, 0).slice(0, 2), LON0 + dLon(300), LAT0, LON0 + dLon(300), LAT0 + dLat(20), LON0, LAT0 + dLat(20)] },
    ]);
    expect(long.describe(...at(290, 50)).landmark).toMatchObject({ direction: 'N', distanceM: 30 });
  });

  it('inside an unnamed building: its number, placed from the nearest landmark', () => {
    const p = idx.describe(...at(110, 10));
    expect(p.building).toEqual({ id: 2, name: null });
    expect(p.landmark).toMatchObject({ id: 1, direction: 'E', distanceM: 90 });
    expect(fmt(p, 'zh-CN')).toBe('楼宇编号 2（东方银座东 90 米） · WG-0101');
    expect(fmt(p, 'en')).toBe('building #2 (90 m E of 东方银座) · WG-0101');
    // an explicit building id wins over the geometry (a detector's building); an unknown one falls back to it
    expect(idx.describe(...at(500, 500), { buildingId: 3, floor: 2 }).building).toEqual({ id: 3, name: null });
    expect(idx.describe(...at(110, 10), { buildingId: 999 }).building).toEqual({ id: 2, name: null });
  });

  it('far from every landmark: the grid cell, and null outside the grid', () => {
    const far = at(2000, 2000);
    const p = idx.describe(...far);
    expect(p.landmark).toBeNull();
    expect(fmt(p, 'zh-CN')).toBeNull(); // outside the grid too
    const inGrid = new PlaceIndex(buildings, [{ id: 'WG-9999', west: far[0] - 0.001, south: far[1] - 0.001, east: far[0] + 0.001, north: far[1] + 0.001 }]);
    expect(fmt(inGrid.describe(...far), 'zh-CN')).toBe('网格 WG-9999');
    expect(fmt(inGrid.describe(...far), 'en')).toBe('grid WG-9999');
  });

  it('compass points', () => {
    expect([compass8(0, 1), compass8(1, 1), compass8(1, 0), compass8(1, -1), compass8(0, -1), compass8(-1, -1), compass8(-1, 0), compass8(-1, 1)]).toEqual([
      'N',
      'NE',
      'E',
      'SE',
      'S',
      'SW',
      'W',
      'NW',
    ]);
  });

  it('search: every word must match, exact and prefix first, full-width folded; landmarks tallest first', () => {
    expect(idx.search('银座').map((h) => h.id)).toEqual([1]);
    expect(idx.search('公园 管理').map((h) => h.id)).toEqual([4]);
    expect(idx.search('东方银座')[0]).toMatchObject({ id: 1, name: '东方银座', floors: 26 });
    expect(idx.search('   ')).toEqual([]);
    expect(normalise('ＡＢＣ１２')).toBe('abc12');
    // full-width Latin in a source name is shown folded (a map would space it out letter by letter) and still found
    const fw = new PlaceIndex([{ id: 9, name: '北京Ｇｏｌｆ公寓', floors: 12, ring: square(0, 0) }]);
    expect(fw.landmarks()[0]!.name).toBe('北京Golf公寓');
    expect(fw.search('golf').map((h) => h.id)).toEqual([9]);
    expect(fw.search('Ｇｏｌｆ').map((h) => h.id)).toEqual([9]);
    expect(idx.landmarks().map((h) => h.id)).toEqual([1, 4]);
    // a complex's wings with one name: labelled once (the tallest) within the distance, both kept when farther apart
    const wings = new PlaceIndex([
      { id: 1, name: '东方银座', floors: 26, ring: square(0, 0) },
      { id: 2, name: '东方银座', floors: 3, ring: square(30, 0) },
      { id: 3, name: '东方银座', floors: 5, ring: square(900, 0) },
    ]);
    expect(wings.landmarks().map((h) => h.id)).toEqual([1, 3, 2]);
    expect(wings.landmarks(150).map((h) => h.id)).toEqual([1, 3]);
    const c = idx.landmarks()[0]!;
    expect(c.lon).toBeCloseTo(LON0 + dLon(10), 6);
    expect(c.lat).toBeCloseTo(LAT0 + dLat(10), 6);
  });

  it('on the real district: every named building describes itself by name; an unnamed one gets a landmark', () => {
    const t = tableFromIPC(readFileSync(resolve(import.meta.dirname, '../../assets/district/buildings.arrow')));
    const list: PlaceBuilding[] = [];
    for (let i = 0; i < t.numRows; i++) {
      const r = t.get(i)!.toJSON() as { id: number; name: string | null; floors: number; ring: Iterable<number> };
      const ring = Float64Array.from(r.ring);
      list.push({ id: r.id, name: r.name ?? '', floors: r.floors, ring });
    }
    const real = new PlaceIndex(list);
    expect(real.size).toBe(5442);
    const named = real.landmarks();
    expect(named.length).toBeGreaterThan(1000);
    // every named building found by a point of its own (the label point is inside its footprint), without its id
    let self = 0;
    for (const h of named) if (real.describe(h.lon, h.lat).building?.id === h.id) self++;
    // overlapping footprints in the source data may put a point in a neighbour first: allow a handful
    expect(self).toBeGreaterThan(named.length * 0.98);
    const unnamed = list.find((b) => !b.name)!;
    const c = real.building(unnamed.id)!;
    const p = real.describe(c.lon, c.lat, { buildingId: unnamed.id });
    expect(p.building).toEqual({ id: unnamed.id, name: null });
    expect(p.landmark?.distanceM).toBeLessThanOrEqual(600);
  });
});
