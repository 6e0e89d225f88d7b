/**
 * The one, narrow bridge between the UI and its host. Implemented twice: by the Electron preload (contextBridge ->
 * validated IPC) and by the web shell (HTTP on loopback). The renderer only ever talks to this interface.
 */
import type { ShellConfig } from '../../data-pipelines/contracts/shell-config.ts';
import type { DisplayInfo, PlannedWindow, WallLayout } from './wall-layout.ts';

export type { ShellConfig } from '../../data-pipelines/contracts/shell-config.ts';

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
