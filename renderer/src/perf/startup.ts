/**
 * The start-up timeline (issue 24): one `performance.mark('redwall:<phase>')` per phase of boot, in the order they
 * normally end. `npm run bench` reads them (with the long tasks between) and docs/benchmarks.md keeps the table, so a
 * slower phase shows up in the next run instead of going unnoticed.
 */
export const STARTUP_PHASES = [
  /** the shell's config (bridge) */
  'config',
  /** DuckDB-Wasm compiled and connected */
  'duckdb',
  /** the district package's tables fetched and loaded into DuckDB */
  'package',
  /** buildings, streets, compounds, grid read back; entities and the place index built */
  'district',
  /** the console's panels mounted (alarm list included) */
  'panels',
  /** the feed socket opened (before the maps are built) */
  'feed',
  /** the 2D basemap and the surroundings drawn (canvases) */
  'basemap',
  /** the 3D view created (Cesium widget, labels, live layers; imagery and buildings on their way) */
  'view3d',
  /** the feed's first snapshot applied: the alarm list is live */
  'feed-live',
  /** the first 3D frame with the district's basemap: the map is on screen and pans and zooms */
  'map',
  /** the 3D buildings drawn: everything ready */
  'ready',
] as const;
export type StartupPhase = (typeof STARTUP_PHASES)[number];

export const phaseMark = (p: StartupPhase): string => `redwall:${p}`;

const marked = (p: StartupPhase): boolean => performance.getEntriesByName(phaseMark(p), 'mark').length > 0;

/** Marks the end of a start-up phase (once: a rebuilt view or a reconnect does not move it). */
export function phase(p: StartupPhase): void {
  if (!marked(p)) performance.mark(phaseMark(p));
}

/** Resolves once a start-up phase has been marked (at once if it already was). */
export function whenPhase(p: StartupPhase): Promise<void> {
  if (marked(p)) return Promise.resolve();
  return new Promise((resolve) => {
    const o = new PerformanceObserver((list) => {
      if (!list.getEntriesByName(phaseMark(p), 'mark').length) return;
      o.disconnect();
      resolve();
    });
    o.observe({ type: 'mark' });
  });
}
