/**
 * Sandboxed preload: exposes exactly the RedWallBridge, nothing else — no ipcRenderer, no Node. Bundled to one CJS
 * file because sandboxed preloads cannot load modules.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC, type RedWallBridge, type ShellConfig } from '../bridge/api.ts';

const bridge: RedWallBridge = {
  getConfig: () => ipcRenderer.invoke(IPC.getConfig) as Promise<ShellConfig>,
  setFullScreen: (on: boolean) => ipcRenderer.invoke(IPC.setFullScreen, on === true) as Promise<boolean>,
};

contextBridge.exposeInMainWorld('redwall', bridge);
