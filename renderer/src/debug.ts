/** Read-only debug handle on window, used by end-to-end tests and by operators' support staff in devtools. */
import type { RootStore } from './stores/root.ts';
import type { View2D } from './views/view2d.ts';
import type { View3D } from './views/view3d.ts';

export interface RedWallDebug {
  store: RootStore;
  view3d: View3D;
  view2d(): View2D | null;
  ready3d: Promise<void>;
  ready2d(): Promise<void>;
}

declare global {
  interface Window {
    __redwall?: RedWallDebug;
  }
}
