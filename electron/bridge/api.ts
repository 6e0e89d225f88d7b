/**
 * The one, narrow bridge between the UI and its host. Implemented twice: by the Electron preload (contextBridge ->
 * validated IPC) and by the web shell (HTTP on loopback). The renderer only ever talks to this interface.
 */
import type { DisplayInfo, PlannedWindow, WallLayout } from './wall-layout.ts';

export interface ShellConfig {
  /** 'electron' when running in the desktop app, 'web' in the browser web shell */
  shell: 'electron' | 'web';
  /** socket.io feed origin; '' means same origin as the page */
  feedUrl: string;
  /** base URL of the district data package (manifest.json, *.arrow) */
  assetsBase: string;
  appVersion: string;
  /** true when the feed is the embedded simulator (demo), shown to the operator */
  simulated: boolean;
  /**
   * The page's credential for the feed (socket.io auth): always the duty operator (masked data only). Electron: the
   * shared token, over IPC only. Web shell: a credential of the page's own, got once for the one-time nonce embedded
   * in the page it was navigated to (docs/security.md). Omitted when the feed runs without authentication.
   */
  feedToken?: string;
  /** the published demo accounts may sign in (`--demo`): the sign-in screen says so */
  demoAccounts?: boolean;
}

export interface RedWallBridge {
  getConfig(): Promise<ShellConfig>;
  /** Kiosk/full-screen for video walls. */
  setFullScreen(on: boolean): Promise<boolean>;
  /**
   * Connected displays. The web shell knows only its own screen unless `detect` (asks the browser's window-management
   * permission, on an operator's click) finds all of them.
   */
  listDisplays(detect?: boolean): Promise<DisplayInfo[]>;
  /** The saved multi-display layout (null: none saved yet) and where its windows are. */
  getWallLayout(): Promise<{ layout: WallLayout | null; windows: PlannedWindow[] }>;
  /**
   * Saves a layout and puts it on the displays. Electron: one window per screen on its display (restored at the next
   * start). Web shell: saved; the operator opens each screen's URL (a browser cannot place windows by itself).
   */
  applyWallLayout(layout: WallLayout): Promise<PlannedWindow[]>;
}

/** IPC channel names: the only ones the preload exposes and the main process answers. */
export const IPC = {
  getConfig: 'redwall:get-config',
  setFullScreen: 'redwall:set-full-screen',
  listDisplays: 'redwall:list-displays',
  getWallLayout: 'redwall:get-wall-layout',
  applyWallLayout: 'redwall:apply-wall-layout',
} as const;

declare global {
  interface Window {
    redwall?: RedWallBridge;
  }
}
