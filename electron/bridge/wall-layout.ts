/**
 * Multi-display wall layout: which screen (console, wall overview, dashboard) each display shows, full screen or
 * kiosk. Saved by the Electron main process (userData/wall-layout.json) and restored at start; the web shell keeps it
 * in localStorage and opens one window per screen URL. Shared by main, preload-facing bridge types and the renderer;
 * validated with zod on every boundary (IPC argument, file on disk, imported JSON).
 */
import { z } from 'zod';

export const WALL_SCREENS = ['console', 'wall', 'dashboard', 'video'] as const;
export type WallScreen = (typeof WALL_SCREENS)[number];

export const Rect = z
  .object({
    x: z.number().int(),
    y: z.number().int(),
    width: z.number().int().min(200).max(32768),
    height: z.number().int().min(200).max(32768),
  })
  .strict();
export type Rect = z.infer<typeof Rect>;

export const WallScreenSlot = z
  .object({
    /** the display's id as the shell reports it (Electron: display.id) */
    displayId: z.string().min(1).max(64),
    /** where that display was when the layout was saved: finds it again if its id changed (re-plugged, new driver) */
    bounds: Rect,
    screen: z.enum(WALL_SCREENS),
    fullscreen: z.boolean(),
    /** kiosk: full screen with no way out but the operator's shortcut; for unattended wall PCs */
    kiosk: z.boolean().default(false),
  })
  .strict();
export type WallScreenSlot = z.infer<typeof WallScreenSlot>;

export const WallLayout = z
  .object({
    format: z.literal('redwall-wall/1'),
    screens: z.array(WallScreenSlot).min(1).max(16),
  })
  .strict();
export type WallLayout = z.infer<typeof WallLayout>;

export interface DisplayInfo {
  id: string;
  label: string;
  bounds: Rect;
  primary: boolean;
  scaleFactor: number;
}

export interface PlannedWindow {
  slot: number;
  screen: WallScreen;
  displayId: string;
  bounds: Rect;
  fullscreen: boolean;
  kiosk: boolean;
  /** the layout's display was not found: shown windowed on the primary display instead (never silently dropped) */
  fallback: boolean;
}

function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/**
 * Places each slot of a layout on a connected display: by id, else by identical bounds, else on the primary display
 * (windowed, cascaded, flagged as fallback so the operator is told). Pure.
 */
export function planWallWindows(layout: WallLayout, displays: readonly DisplayInfo[]): PlannedWindow[] {
  if (!displays.length) throw new Error('no display connected');
  const primary = displays.find((d) => d.primary) ?? displays[0]!;
  let cascade = 0;
  return layout.screens.map((s, slot) => {
    const d = displays.find((x) => x.id === s.displayId) ?? displays.find((x) => sameRect(x.bounds, s.bounds));
    if (d) return { slot, screen: s.screen, displayId: d.id, bounds: d.bounds, fullscreen: s.fullscreen || s.kiosk, kiosk: s.kiosk, fallback: false };
    const off = 40 * ++cascade;
    const width = Math.max(800, Math.round(primary.bounds.width * 0.7));
    const height = Math.max(600, Math.round(primary.bounds.height * 0.7));
    return {
      slot,
      screen: s.screen,
      displayId: primary.id,
      bounds: {
        x: primary.bounds.x + off,
        y: primary.bounds.y + off,
        width: Math.min(width, primary.bounds.width),
        height: Math.min(height, primary.bounds.height),
      },
      fullscreen: false,
      kiosk: false,
      fallback: true,
    };
  });
}

/** The layout for "one screen per display": the primary keeps the console, the others get the wall and dashboards. */
export function defaultWallLayout(displays: readonly DisplayInfo[]): WallLayout {
  const sorted = [...displays].sort((a, b) => Number(b.primary) - Number(a.primary) || a.bounds.x - b.bounds.x || a.bounds.y - b.bounds.y);
  return {
    format: 'redwall-wall/1',
    screens: sorted.map((d, i) => ({
      displayId: d.id,
      bounds: d.bounds,
      screen: i === 0 ? 'console' : i === 1 ? 'wall' : 'dashboard',
      fullscreen: i > 0,
      kiosk: false,
    })),
  };
}

/** The page a screen shows (query on the app entry; the web shell uses the same on its own origin). */
export function screenQuery(screen: WallScreen): string {
  return screen === 'console' ? '' : `?screen=${screen}`;
}
