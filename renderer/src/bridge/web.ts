/** Web-shell implementation of the bridge: the same narrow interface the Electron preload exposes. */
import type { RedWallBridge, ShellConfig } from '../../../electron/bridge/api.ts';
import { planWallWindows, WallLayout, type DisplayInfo } from '../../../electron/bridge/wall-layout.ts';
import { parseShellConfig } from '../../../data-pipelines/contracts/shell-config.ts';

const LAYOUT_KEY = 'redwall.wall-layout';

/** Chromium's window-management API (not yet in lib.dom). */
interface ScreenDetailedLike {
  left: number;
  top: number;
  width: number;
  height: number;
  isPrimary: boolean;
  label: string;
  devicePixelRatio: number;
}
type WindowWithScreens = Window & { getScreenDetails?: () => Promise<{ screens: ScreenDetailedLike[] }> };

/** The screen this window is on (all a page knows without the window-management permission). */
function thisScreen(): DisplayInfo {
  const s = window.screen as Screen & { availLeft?: number; availTop?: number };
  const x = Math.round(s.availLeft ?? 0);
  const y = Math.round(s.availTop ?? 0);
  return {
    id: `${x},${y},${s.width}x${s.height}`,
    label: `${s.width}×${s.height}`,
    bounds: { x, y, width: Math.max(200, s.width), height: Math.max(200, s.height) },
    primary: true,
    scaleFactor: window.devicePixelRatio || 1,
  };
}

export function webBridge(storage: Storage = localStorage): RedWallBridge {
  const load = (): WallLayout | null => {
    const raw = storage.getItem(LAYOUT_KEY);
    if (!raw) return null;
    try {
      return WallLayout.parse(JSON.parse(raw));
    } catch {
      return null;
    }
  };
  const displays = async (detect: boolean): Promise<DisplayInfo[]> => {
    const w = window as WindowWithScreens;
    if (!detect || !w.getScreenDetails) return [thisScreen()];
    const { screens } = await w.getScreenDetails();
    return screens.map((s) => ({
      id: `${s.left},${s.top},${s.width}x${s.height}`,
      label: s.label || `${s.width}×${s.height}`,
      bounds: { x: s.left, y: s.top, width: Math.max(200, s.width), height: Math.max(200, s.height) },
      primary: s.isPrimary,
      scaleFactor: s.devicePixelRatio,
    }));
  };
  return {
    /**
     * The page's credential: the feed server embedded a one-time nonce in the page this tab navigated to; it is taken
     * out of the DOM and exchanged once (same-origin POST) for a duty-operator credential of this page's own
     * (docs/security.md). A second call, or a page without a nonce, is refused by the server: reload the page.
     */
    async getConfig(): Promise<ShellConfig> {
      const meta = document.querySelector<HTMLMetaElement>('meta[name="redwall-handoff"]');
      const nonce = meta?.content ?? '';
      meta?.remove();
      const res = await fetch('./api/config', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nonce }),
        credentials: 'omit',
        cache: 'no-store',
      });
      if (!res.ok) {
        const why = ((await res.json().catch(() => null)) as { error?: string } | null)?.error;
        throw new Error(`config: HTTP ${res.status}${why ? `: ${why}` : ''}`);
      }
      return parseShellConfig(await res.json());
    },
    async setFullScreen(on: boolean): Promise<boolean> {
      if (on && !document.fullscreenElement) await document.documentElement.requestFullscreen();
      if (!on && document.fullscreenElement) await document.exitFullscreen();
      return on;
    },
    listDisplays: (detect = false) => displays(detect),
    async getWallLayout() {
      const layout = load();
      return { layout, windows: layout ? planWallWindows(layout, await displays(false)) : [] };
    },
    async applyWallLayout(layout) {
      const valid = WallLayout.parse(layout);
      storage.setItem(LAYOUT_KEY, JSON.stringify(valid));
      // a browser cannot place windows by itself: the layout is saved and each screen's URL is opened by the operator
      return planWallWindows(valid, await displays(false));
    },
  };
}

/** The Electron preload puts its bridge on window.redwall; otherwise we are the web shell. */
export function getBridge(): RedWallBridge {
  return window.redwall ?? webBridge();
}
