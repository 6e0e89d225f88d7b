/**
 * Which management grid cell a point lies in. Pure: used at build time (etl/district.ts, build-district.ts) and at
 * run time by the feed (grid-staff scope, citizen requests), so it lives here rather than in build-time etl/.
 */

/** A grid cell's id and bounds (degrees, WGS84); west/south inclusive, east/north exclusive. */
export interface GridCellBounds {
  id: string;
  west: number;
  south: number;
  east: number;
  north: number;
}

export function gridCellOf(grid: ReadonlyArray<GridCellBounds>, lon: number, lat: number): string | null {
  for (const g of grid) if (lon >= g.west && lon < g.east && lat >= g.south && lat < g.north) return g.id;
  return null;
}

/** A cell's outline as a closed ring (lon, lat), counter-clockwise from its south-west corner. */
export function cellRing(g: Pick<GridCellBounds, 'west' | 'south' | 'east' | 'north'>): Array<[number, number]> {
  return [
    [g.west, g.south],
    [g.east, g.south],
    [g.east, g.north],
    [g.west, g.north],
    [g.west, g.south],
  ];
}
