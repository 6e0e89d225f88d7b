/**
 * The video wall's tiles, pure: a 1/4/9/16 grid, cameras put on tiles by the operator (drag or "send to wall") or by
 * alarms (an SOS, a fire: the cameras that cover it), pinned tiles that alarms never take. Where an alarm's cameras go:
 * a tile already showing the camera keeps it; then empty tiles; then the tile an alarm filled longest ago; then the
 * operator's unpinned tile filled longest ago. Pinned tiles are never taken.
 */
export const GRID_SIZES = [1, 4, 9, 16] as const;
export type GridSize = (typeof GRID_SIZES)[number];

export interface WallTile {
  cameraId: string | null;
  pinned: boolean;
  /** who put the camera there: the operator, or an alarm (its id) */
  by: 'operator' | { alarmId: string } | null;
  /** when (ms) */
  at: number;
}

export const emptyTile = (): WallTile => ({ cameraId: null, pinned: false, by: null, at: 0 });

export function isGridSize(n: unknown): n is GridSize {
  return typeof n === 'number' && (GRID_SIZES as readonly number[]).includes(n);
}

/** The wall at another grid size: tiles beyond it are dropped, new ones empty. */
export function resizeWall(tiles: readonly WallTile[], n: GridSize): WallTile[] {
  return Array.from({ length: n }, (_, i) => tiles[i] ?? emptyTile());
}

/**
 * The operator puts a camera on a tile (null clears it). A camera already on another tile moves (one camera, one
 * tile). Returns null for a tile outside the grid.
 */
export function assignTile(tiles: readonly WallTile[], index: number, cameraId: string | null, now: number): WallTile[] | null {
  if (!Number.isInteger(index) || index < 0 || index >= tiles.length) return null;
  return tiles.map((t, i) => {
    if (i === index) return cameraId ? { cameraId, pinned: t.pinned, by: 'operator' as const, at: now } : { ...emptyTile(), pinned: t.pinned };
    if (cameraId && t.cameraId === cameraId) return { ...emptyTile(), pinned: t.pinned };
    return t;
  });
}

export function pinTile(tiles: readonly WallTile[], index: number, pinned: boolean): WallTile[] | null {
  if (!Number.isInteger(index) || index < 0 || index >= tiles.length) return null;
  return tiles.map((t, i) => (i === index ? { ...t, pinned } : t));
}

/**
 * An alarm's cameras (best first) go on the wall. Returns the new tiles and, per camera, the tile it is on (-1: no free
 * tile, every other one pinned or taken by a camera of this same alarm).
 */
export function autoAssign(tiles: readonly WallTile[], cameraIds: readonly string[], alarmId: string, now: number): { tiles: WallTile[]; placed: number[] } {
  const out = tiles.map((t) => ({ ...t }));
  const mine = new Set<number>();
  const placed: number[] = [];
  for (const cam of cameraIds) {
    const already = out.findIndex((t) => t.cameraId === cam);
    if (already >= 0) {
      mine.add(already);
      placed.push(already);
      continue;
    }
    const order = out
      .map((t, i) => ({ t, i }))
      .filter(({ t, i }) => !t.pinned && !mine.has(i))
      .sort((a, b) => rank(a.t) - rank(b.t) || a.t.at - b.t.at || a.i - b.i);
    const slot = order[0];
    if (!slot) {
      placed.push(-1);
      continue;
    }
    out[slot.i] = { cameraId: cam, pinned: false, by: { alarmId }, at: now };
    mine.add(slot.i);
    placed.push(slot.i);
  }
  return { tiles: out, placed };
}

/** empty first, then alarm-filled, then operator-filled */
function rank(t: WallTile): number {
  return t.cameraId === null ? 0 : t.by !== null && t.by !== 'operator' ? 1 : 2;
}
