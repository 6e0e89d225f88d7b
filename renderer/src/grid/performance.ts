/**
 * Grid management (网格化管理): every event lands in the grid cell it happened in; per cell, how many are open, what
 * kinds (人地物事组织 — here: the alarm categories of 事 and 物), and how fast the cell's events were handled. Pure
 * (unit-tested); response times reuse the wall's definitions (wall/kpi.ts) so both screens agree.
 */
import type { Alarm, AlarmCategory } from '../../../data-pipelines/contracts/alarm.ts';
import type { GridRect } from '../stores/people-store.ts';
import { responseTimes } from '../wall/kpi.ts';
import { alarmHasPlace } from '../layers/alarms/format.ts';

export interface GridPerformance {
  gridId: string;
  /** events raised in the window, real ones only */
  events: number;
  open: number;
  byCategory: Partial<Record<AlarmCategory, number>>;
  ackP50: number;
  /** share acknowledged within target (NaN: nothing decided yet) */
  withinTarget: number;
  /** unacknowledged now */
  waiting: number;
}

/** The grid cell containing a point (west/south inclusive), or null outside the district's grid. */
export function gridAt(grids: readonly GridRect[], lon: number, lat: number): GridRect | null {
  for (const g of grids) if (lon >= g.west && lon < g.east && lat >= g.south && lat < g.north) return g;
  return null;
}

/** Per grid cell with at least one real event raised in [now − windowMs, now]; busiest (open, then events) first. */
export function gridPerformance(alarms: readonly Alarm[], grids: readonly GridRect[], now: number, windowMs: number): GridPerformance[] {
  const by = new Map<string, Alarm[]>();
  for (const a of alarms) {
    // an alarm about a data source (category feed) is placed at the district centre, not in a cell: no cell's event
    if (a.drill || a.raisedAt < now - windowMs || a.raisedAt > now || !alarmHasPlace(a)) continue;
    const g = gridAt(grids, a.lon, a.lat);
    if (!g) continue;
    const list = by.get(g.id);
    if (list) list.push(a);
    else by.set(g.id, [a]);
  }
  const out: GridPerformance[] = [];
  for (const [gridId, list] of by) {
    const all = responseTimes(list, now, windowMs)[0]!;
    const byCategory: Partial<Record<AlarmCategory, number>> = {};
    for (const a of list) byCategory[a.category] = (byCategory[a.category] ?? 0) + 1;
    out.push({
      gridId,
      events: list.length,
      open: list.filter((a) => a.state !== 'closed').length,
      byCategory,
      ackP50: all.ackP50,
      withinTarget: all.withinTarget,
      waiting: all.waiting,
    });
  }
  return out.sort((a, b) => b.open - a.open || b.events - a.events || a.gridId.localeCompare(b.gridId));
}
