/**
 * The video wall's state (mobx): grid size, which camera is on which tile and who put it there, pinned tiles, the
 * district's camera registry as the feed server serves it (cameras with stream URLs), and each camera's stream health
 * as the players saw it. Changed only through operator commands (RootStore.command → apply), so every change is
 * audited; an alarm's cameras go on the wall by the same command path (by: the alarm).
 */
import { makeAutoObservable, observable } from 'mobx';
import type { CameraRecord } from '../../../data-pipelines/contracts/cameras.ts';
import { assignTile, autoAssign, emptyTile, isGridSize, pinTile, resizeWall, type GridSize, type WallTile } from '../video/wall-logic.ts';

export type VideoWallCommand =
  | { op: 'grid'; n: GridSize }
  /** put a camera on a tile (null clears it) */
  | { op: 'assign'; tile: number; cameraId: string | null }
  | { op: 'pin'; tile: number; pinned: boolean }
  /** an alarm's cameras, best first (an SOS, a fire alarm): onto unpinned tiles */
  | { op: 'auto'; alarmId: string; cameraIds: string[] }
  /** a saved layout's wall */
  | { op: 'restore'; n: GridSize; tiles: Array<{ cameraId: string | null; pinned: boolean }> };

export interface StreamHealth {
  health: 'ok' | 'down' | 'unsupported';
  detail: string;
  at: number;
}

export class VideoWallStore {
  grid: GridSize = 4;
  tiles: WallTile[] = resizeWall([], 4);
  /** cameras of the district's registry (with stream URLs), by id */
  registry: ReadonlyMap<string, CameraRecord> = new Map();
  /** the registry could not be fetched (shown in the wall panel) */
  registryError: string | null = null;
  health = new Map<string, StreamHealth>();

  constructor() {
    makeAutoObservable(this, { registry: observable.ref }, { autoBind: true });
  }

  /** Applies a wall command; an error text for a command that does not fit (tile outside the grid…). */
  apply(cmd: VideoWallCommand, now = Date.now()): string | null {
    switch (cmd.op) {
      case 'grid':
        if (!isGridSize(cmd.n)) return `grid ${String(cmd.n)}: 1, 4, 9 or 16`;
        this.grid = cmd.n;
        this.tiles = resizeWall(this.tiles, cmd.n);
        return null;
      case 'assign': {
        const next = assignTile(this.tiles, cmd.tile, cmd.cameraId, now);
        if (!next) return `tile ${cmd.tile} is not on the ${this.grid}-tile wall`;
        this.tiles = next;
        return null;
      }
      case 'pin': {
        const next = pinTile(this.tiles, cmd.tile, cmd.pinned);
        if (!next) return `tile ${cmd.tile} is not on the ${this.grid}-tile wall`;
        this.tiles = next;
        return null;
      }
      case 'auto': {
        const r = autoAssign(this.tiles, cmd.cameraIds, cmd.alarmId, now);
        this.tiles = r.tiles;
        const left = cmd.cameraIds.filter((_, i) => r.placed[i] === -1);
        return left.length ? `no free tile for ${left.join(', ')} (the others are pinned)` : null;
      }
      case 'restore':
        if (!isGridSize(cmd.n)) return `grid ${String(cmd.n)}: 1, 4, 9 or 16`;
        this.grid = cmd.n;
        this.tiles = resizeWall(
          cmd.tiles.map((t) =>
            t.cameraId ? { cameraId: t.cameraId, pinned: t.pinned, by: 'operator' as const, at: now } : { ...emptyTile(), pinned: t.pinned },
          ),
          cmd.n,
        );
        return null;
    }
  }

  setRegistry(cams: readonly CameraRecord[] | null, error: string | null = null): void {
    if (cams) this.registry = new Map(cams.map((c) => [c.id, c]));
    this.registryError = error;
  }

  setHealth(cameraId: string, h: StreamHealth): void {
    this.health.set(cameraId, h);
  }

  /** The wall as a saved layout keeps it. */
  get saved(): { grid: GridSize; tiles: Array<{ cameraId: string | null; pinned: boolean }> } {
    return { grid: this.grid, tiles: this.tiles.map((t) => ({ cameraId: t.cameraId, pinned: t.pinned })) };
  }
}
