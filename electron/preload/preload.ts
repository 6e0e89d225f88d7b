/**
 * Sandboxed preload: exposes exactly the RedWallBridge, nothing else — no ipcRenderer, no Node. Bundled to one CJS
 * file because sandboxed preloads cannot load modules.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC, type RedWallBridge, type ShellConfig } from '../bridge/api.ts';
import type { DisplayInfo, PlannedWindow, WallLayout } from '../bridge/wall-layout.ts';

const bridge: RedWallBridge = {
  getConfig: () => ipcRenderer.invoke(IPC.getConfig) as Promise<ShellConfig>,
  setFullScreen: (on: boolean) => ipcRenderer.invoke(IPC.setFullScreen, on === true) as Promise<boolean>,
  listDisplays: () => ipcRenderer.invoke(IPC.listDisplays) as Promise<DisplayInfo[]>,
  getWallLayout: () => ipcRenderer.invoke(IPC.getWallLayout) as Promise<{ layout: WallLayout | null; windows: PlannedWindow[] }>,
  // validated again in the main process: the preload only forwards
  applyWallLayout: (layout: WallLayout) => ipcRenderer.invoke(IPC.applyWallLayout, layout) as Promise<PlannedWindow[]>,
};

contextBridge.exposeInMainWorld('redwall', bridge);
