/**
 * Key performance indicators of the video-wall dashboards, as pure functions of the live state (unit-tested):
 * alarms by category and state, response times against targets, parking pressure, feed health. Drill alarms are
 * never counted as real ones (they have their own panel), exactly as the status bar counts them.
 */
import { quantile } from '../../../data-pipelines/contracts/stats.ts';
import { ALARM_CATEGORIES, type Alarm, type AlarmCategory, type AlarmState, type Priority } from '../../../data-pipelines/contracts/alarm.ts';
import type { FeedEvent } from '../../../data-pipelines/contracts/events.ts';
import { LEVEL_RANK, type AlarmLevel } from '../../../data-pipelines/contracts/manhole.ts';

/** States an open alarm can be in, in workflow order (closed alarms are history, not load). */
export const OPEN_STATES = ['new', 'acknowledged', 'dispatched', 'onsite', 'resolved', 'shelved'] as const satisfies readonly AlarmState[];

export interface AlarmMatrix {
  categories: AlarmCategory[];
  states: (typeof OPEN_STATES)[number][];
  /** counts[state][category] */
  counts: number[][];
  total: number;
}

/** Open (not closed) real alarms by category × state. */
export function alarmMatrix(alarms: readonly Alarm[]): AlarmMatrix {
  const categories = [...ALARM_CATEGORIES];
  const states = [...OPEN_STATES];
  const counts = states.map(() => categories.map(() => 0));
  let total = 0;
  for (const a of alarms) {
    if (a.drill || a.state === 'closed') continue;
    const si = states.indexOf(a.state as (typeof OPEN_STATES)[number]);
    const ci = categories.indexOf(a.category);
    if (si < 0 || ci < 0) continue;
    counts[si]![ci]!++;
    total++;
  }
  return { categories, states, counts, total };
}

/**
 * 窨井告警/预警 (the manhole tile on the wall and the console status bar), from one source: `alarm` counts the open
 * real manhole alarms — exactly the alarms the alarm list and the alarm matrix's manhole column show (an alarm stays
 * open after its well returns to normal, until an operator closes it); `warning` counts wells whose worst real sensor
 * reading is at warning level now (a warning raises no alarm). Drill alarms and drill readings never count. Pure.
 */
export function manholeCounts(alarms: Iterable<Alarm>, readings: Iterable<FeedEvent>): { alarm: number; warning: number } {
  let alarm = 0;
  for (const a of alarms) if (a.category === 'manhole' && !a.drill && a.state !== 'closed') alarm++;
  const worst = new Map<string, AlarmLevel>();
  for (const ev of readings) {
    if (ev.kind !== 'manhole.reading' || ev.drill) continue;
    const cur = worst.get(ev.wellId);
    if (!cur || LEVEL_RANK[ev.level] > LEVEL_RANK[cur]) worst.set(ev.wellId, ev.level);
  }
  let warning = 0;
  for (const l of worst.values()) if (l === 'warning') warning++;
  return { alarm, warning };
}

/**
 * Acknowledgement targets by priority (seconds): life-safety alarms within a minute, the rest within 3 and 5. These
 * are the defaults of the demo; a district sets its own in its operating rules.
 */
export const ACK_TARGET_S: Record<Priority, number> = { 1: 60, 2: 180, 3: 300 };

export { quantile };

/** Seconds from raise to the first history entry with one of `actions`, or null if none yet. */
export function secondsTo(a: Alarm, actions: readonly string[]): number | null {
  const h = a.history.find((e) => actions.includes(e.action));
  return h ? Math.max(0, (h.at - a.raisedAt) / 1000) : null;
}

export interface ResponseRow {
  category: AlarmCategory | 'all';
  /** alarms raised in the window */
  raised: number;
  /** of those, acknowledged (acknowledge or a direct dispatch) */
  acked: number;
  ackP50: number;
  ackP90: number;
  /** raise → on site */
  onsiteP50: number;
  /** raise → resolved */
  resolveP50: number;
  /** share acknowledged within the target of their priority (unacked ones past their target count as misses) */
  withinTarget: number;
  /** unacknowledged now, and the longest of them waiting (s) */
  waiting: number;
  longestWaitS: number;
}

/** Response times of real alarms raised in [now − windowMs, now], per category and overall ('all' first). */
export function responseTimes(alarms: readonly Alarm[], now: number, windowMs: number): ResponseRow[] {
  const inWindow = alarms.filter((a) => !a.drill && a.raisedAt >= now - windowMs && a.raisedAt <= now);
  const row = (category: AlarmCategory | 'all', list: Alarm[]): ResponseRow => {
    const ack: number[] = [];
    const onsite: number[] = [];
    const resolve: number[] = [];
    let judged = 0;
    let met = 0;
    let waiting = 0;
    let longestWaitS = 0;
    for (const a of list) {
      const s = secondsTo(a, ['acknowledge', 'dispatch']);
      const target = ACK_TARGET_S[a.priority];
      if (s !== null) {
        ack.push(s);
        judged++;
        if (s <= target) met++;
      } else if (a.state === 'new') {
        const w = Math.max(0, (now - a.raisedAt) / 1000);
        waiting++;
        longestWaitS = Math.max(longestWaitS, w);
        if (w > target) judged++; // already late: a miss whatever happens next
      }
      const o = secondsTo(a, ['onsite']);
      if (o !== null) onsite.push(o);
      const r = secondsTo(a, ['resolve']);
      if (r !== null) resolve.push(r);
    }
    return {
      category,
      raised: list.length,
      acked: ack.length,
      ackP50: quantile(ack, 0.5),
      ackP90: quantile(ack, 0.9),
      onsiteP50: quantile(onsite, 0.5),
      resolveP50: quantile(resolve, 0.5),
      withinTarget: judged ? met / judged : Number.NaN,
      waiting,
      longestWaitS,
    };
  };
  return [
    row('all', inWindow),
    ...ALARM_CATEGORIES.map((c) =>
      row(
        c,
        inWindow.filter((a) => a.category === c),
      ),
    ),
  ];
}

/** Alarms raised per hour bucket over the last `hours` (oldest first), real alarms only. */
export function raisedPerHour(alarms: readonly Alarm[], now: number, hours: number): Array<{ hourStart: number; count: number; critical: number }> {
  const end = Math.floor(now / 3600_000) * 3600_000 + 3600_000;
  const start = end - hours * 3600_000;
  const out = Array.from({ length: hours }, (_, i) => ({ hourStart: start + i * 3600_000, count: 0, critical: 0 }));
  for (const a of alarms) {
    if (a.drill || a.raisedAt < start || a.raisedAt >= end) continue;
    const b = out[Math.floor((a.raisedAt - start) / 3600_000)]!;
    b.count++;
    if (a.priority === 1) b.critical++;
  }
  return out;
}

export interface ParkingPressure {
  occupied: number;
  capacity: number;
  /** occupied / capacity over places with a reading; NaN before any */
  ratio: number;
  /** places with a reading / all places */
  reporting: number;
  places: number;
  /** lots at or above 90 % */
  fullLots: number;
  lots: number;
  /** fullest lots first (ratio, then name) */
  fullest: Array<{ id: string; name: string; ratio: number; free: number }>;
}

/** District parking pressure now; `places` lists every known place, `readings` the latest occupancy of each. */
export function parkingPressure(
  places: Iterable<{ id: string; name: string; kind: 'lot' | 'spot'; capacity: number }>,
  readings: (id: string) => { occupied: number; capacity: number } | null,
  top = 5,
): ParkingPressure {
  let occupied = 0;
  let capacity = 0;
  let reporting = 0;
  let n = 0;
  let lots = 0;
  let fullLots = 0;
  const lotRows: ParkingPressure['fullest'] = [];
  for (const p of places) {
    n++;
    if (p.kind === 'lot') lots++;
    const r = readings(p.id);
    if (!r) continue;
    reporting++;
    occupied += r.occupied;
    capacity += r.capacity;
    if (p.kind === 'lot') {
      const ratio = r.occupied / r.capacity;
      if (ratio >= 0.9) fullLots++;
      lotRows.push({ id: p.id, name: p.name, ratio, free: r.capacity - r.occupied });
    }
  }
  lotRows.sort((a, b) => b.ratio - a.ratio || a.name.localeCompare(b.name));
  return { occupied, capacity, ratio: capacity ? occupied / capacity : Number.NaN, reporting, places: n, fullLots, lots, fullest: lotRows.slice(0, top) };
}

/**
 * District occupancy series from the feed journal's history CSV (`ts,place_id,occupied,capacity`, changes-only per
 * sample): each place keeps its last sample until it changes (carried forward), places not yet seen are left out of
 * both sums — the same rule as the analysis SQL (analysis/parking/sql/occupancy_series.sql, cross-checked in tests).
 */
export function occupancySeriesFromCsv(csv: string): Array<{ ts: number; ratio: number; occupied: number; capacity: number }> {
  const lines = csv.split('\n');
  if ((lines[0] ?? '').trim() !== 'ts,place_id,occupied,capacity')
    throw new Error(`occupancy history: unexpected CSV header "${(lines[0] ?? '').slice(0, 80)}"`);
  const byTs = new Map<number, Array<[string, number, number]>>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const [ts, id, occ, cap] = line.split(',');
    const t = Number(ts);
    const o = Number(occ);
    const c = Number(cap);
    if (!id || !Number.isFinite(t) || !Number.isFinite(o) || !(c > 0)) throw new Error(`occupancy history: bad row ${i + 1}: ${line.slice(0, 80)}`);
    let list = byTs.get(t);
    if (!list) byTs.set(t, (list = []));
    list.push([id, o, c]);
  }
  const state = new Map<string, [number, number]>();
  let occupied = 0;
  let capacity = 0;
  const out: Array<{ ts: number; ratio: number; occupied: number; capacity: number }> = [];
  for (const t of [...byTs.keys()].sort((a, b) => a - b)) {
    for (const [id, o, c] of byTs.get(t)!) {
      const prev = state.get(id);
      if (prev) {
        occupied -= prev[0];
        capacity -= prev[1];
      }
      state.set(id, [o, c]);
      occupied += o;
      capacity += c;
    }
    out.push({ ts: t, occupied, capacity, ratio: capacity ? occupied / capacity : Number.NaN });
  }
  return out;
}

/** A bounded time series (ring buffer) for trend charts. */
export class Trend {
  private readonly t: number[] = [];
  private readonly v: number[] = [];
  constructor(readonly max: number) {}
  push(ts: number, value: number): void {
    // samples arrive in time order; an out-of-order one (clock step) replaces the tail instead of zig-zagging
    while (this.t.length && this.t[this.t.length - 1]! >= ts) {
      this.t.pop();
      this.v.pop();
    }
    this.t.push(ts);
    this.v.push(value);
    if (this.t.length > this.max) {
      this.t.shift();
      this.v.shift();
    }
  }
  points(): Array<[number, number]> {
    return this.t.map((t, i) => [t, this.v[i]!]);
  }
}

/** Events per second from two cumulative counters. */
export function ratePerSecond(prev: { at: number; count: number } | null, now: { at: number; count: number }): number {
  if (!prev || now.at <= prev.at) return 0;
  return Math.max(0, (now.count - prev.count) / ((now.at - prev.at) / 1000));
}
