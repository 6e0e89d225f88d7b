/** Web-shell implementation of the bridge: the same narrow interface the Electron preload exposes. */
import type { RedWallBridge, ShellConfig } from '../../../electron/bridge/api.ts';

export function webBridge(): RedWallBridge {
  return {
    async getConfig(): Promise<ShellConfig> {
      const res = await fetch('./api/config');
      if (!res.ok) throw new Error(`config: HTTP ${res.status}`);
      return (await res.json()) as ShellConfig;
    },
    async setFullScreen(on: boolean): Promise<boolean> {
      if (on && !document.fullscreenElement) await document.documentElement.requestFullscreen();
      if (!on && document.fullscreenElement) await document.exitFullscreen();
      return on;
    },
  };
}

/** The Electron preload puts its bridge on window.redwall; otherwise we are the web shell. */
export function getBridge(): RedWallBridge {
  return window.redwall ?? webBridge();
}
