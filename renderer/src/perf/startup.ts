/**
 * The start-up timeline (issue 24): one `performance.mark('redwall:<phase>')` per phase of boot, in the order they
 * normally end. `npm run bench` reads them (with the long tasks between) and docs/benchmarks.md keeps the table, so a
 * slower phase shows up in the next run instead of going unnoticed.
 */
export const STARTUP_PHASES = [
  /** the shell's config (bridge) */
  'config',
  /** the district package's tables fetched and read (their Arrow bytes, no database: data/package-tables.ts) */
  'package',
  /** buildings, streets, compounds, grid read; entities and the place index built */
  'district',
  /** the feed socket opened (before the maps are built; its events fill the stores) */
  'feed',
  /** the 2D basemap and the surroundings drawn (canvases) */
  'basemap',
  /** the 3D view created (Cesium widget, labels, live layers; imagery and buildings on their way) */
  'view3d',
  /** the console's panels mounted (alarm list included), once the maps and their reactions exist */
  'panels',
  /** DuckDB-Wasm compiled and connected, and the package's tables in it: the analyses and the SQL console can run */
  'duckdb',
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

/**
 * Lets the page handle what waited (input, the DuckDB worker's answers, the feed socket) between two steps of
 * start-up, so that no step adds to another's long task (issue 24: a long task over 200 ms is a bug).
 */
export function nextTask(): Promise<void> {
  // a message, not a timer: timers in a page that starts hidden (a minimised window) wait a second or more
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
