/**
 * The one, narrow bridge between the UI and its host. Implemented twice: by the Electron preload (contextBridge ->
 * validated IPC) and by the web shell (HTTP on loopback). The renderer only ever talks to this interface.
 */
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
  /** shared secret for the feed connection (socket.io auth); omitted when the feed runs without authentication */
  feedToken?: string;
}

export interface RedWallBridge {
  getConfig(): Promise<ShellConfig>;
  /** Kiosk/full-screen for video walls. */
  setFullScreen(on: boolean): Promise<boolean>;
}

/** IPC channel names: the only ones the preload exposes and the main process answers. */
export const IPC = {
  getConfig: 'redwall:get-config',
  setFullScreen: 'redwall:set-full-screen',
} as const;

declare global {
  interface Window {
    redwall?: RedWallBridge;
  }
}
