/**
 * Pure manhole state transitions: the current non-normal state per well, and which readings raise a new alarm.
 * Used by the mobx store; unit-tested without a browser.
 */
import type { ManholeReading, Snapshot, WellState } from '../../../../data-pipelines/contracts/events.ts';
import { LEVEL_RANK, type AlarmLevel } from '../../../../data-pipelines/contracts/manhole.ts';

export interface Transition {
  wellId: string;
  from: AlarmLevel;
  to: AlarmLevel;
  reading: ManholeReading;
}

/**
 * Applies one reading to `states` (a map holding only non-normal wells). Returns the transition if the well's level
 * changed. A normal reading of a *different* sensor does not clear a well that is abnormal on another sensor.
 */
export function applyReading(states: Map<string, WellState>, ev: ManholeReading): Transition | null {
  const cur = states.get(ev.wellId);
  const from: AlarmLevel = cur?.level ?? 'normal';
  if (ev.level === 'normal') {
    if (!cur || cur.sensor !== ev.sensor) return null;
    states.delete(ev.wellId);
  } else {
    // A lower-level reading on another sensor must not mask an alarm on this one.
    if (cur && cur.sensor !== ev.sensor && LEVEL_RANK[ev.level] < LEVEL_RANK[cur.level]) return null;
    states.set(ev.wellId, { wellId: ev.wellId, sensor: ev.sensor, value: ev.value, unit: ev.unit, level: ev.level, ts: ev.ts });
  }
  const to: AlarmLevel = states.get(ev.wellId)?.level ?? 'normal';
  return from === to ? null : { wellId: ev.wellId, from, to, reading: ev };
}

/** Replaces all state with a snapshot (wells not listed are normal). */
export function stateFromSnapshot(s: Snapshot): Map<string, WellState> {
  return new Map(s.wells.map((w) => [w.wellId, w]));
}

/** Sorted for the alarm list: alarms before warnings, newest first. */
export function sortActive(states: Iterable<WellState>): WellState[] {
  return [...states].sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level] || b.ts - a.ts || a.wellId.localeCompare(b.wellId));
}
