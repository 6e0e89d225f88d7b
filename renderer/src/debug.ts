/** Read-only debug handle on window, used by end-to-end tests and by operators' support staff in devtools. */
import type { RootStore } from './stores/root.ts';
import type { View2D } from './views/view2d.ts';
import type { View3D } from './views/view3d.ts';
import type { WallStore } from './wall/wall-store.ts';

export interface RedWallDebug {
  store: RootStore;
  /** the wall screens' trend store (null until a wall or dashboard screen is shown) */
  wall(): WallStore | null;
  readonly view3d: View3D;
  restores3d(): number;
  restores2d(): number;
  view2d(): View2D | null;
  readonly ready3d: Promise<void>;
  ready2d(): Promise<void>;
  /** runs SQL on the local DuckDB (support staff, benchmarks); BigInts are returned as-is */
  sql(query: string): Promise<{ rows: number; ms: number; first: Record<string, unknown> | null }>;
}

declare global {
  interface Window {
    __redwall?: RedWallDebug;
  }
}
