/**
 * The current state of the district as a compacted log: for every stream, the latest event per key that still
 * matters (abnormal wells, offline cameras, occupancy per place, open care calls, alarms…). The server keeps one to
 * build snapshots; the renderer keeps one fed by snapshots and live events — the same pure reducer on both ends.
 */
import type { FeedEvent, Seqs, StreamName } from './events.ts';
import { STREAMS } from './events.ts';
import { LEVEL_RANK, type AlarmLevel } from './manhole.ts';

export interface World {
  seqs: Seqs;
  byStream: Record<StreamName, Map<string, FeedEvent>>;
}

export function emptySeqs(): Seqs {
  return Object.fromEntries(STREAMS.map((s) => [s, 0])) as Seqs;
}

export function emptyWorld(): World {
  return { seqs: emptySeqs(), byStream: Object.fromEntries(STREAMS.map((s) => [s, new Map()])) as World['byStream'] };
}

/** Key under which an event is kept, and whether it is kept at all (null = remove the key). */
export function keyOf(ev: FeedEvent): { key: string; keep: boolean } {
  // Drill state never overwrites (or is overwritten by) the real state of the same device.
  const k = sourceKey(ev);
  return ev.kind !== 'alarm.update' && ev.kind !== 'drill.status' && ev.kind !== 'request.update' && ev.kind !== 'task.update'
    ? { key: deviceKey(k.key, ev.drill === true), keep: k.keep }
    : k;
}

/** World key of a device's state: drill state lives beside the device's real state, under its own key. */
export function deviceKey(key: string, drill: boolean): string {
  return drill ? `drill:${key}` : key;
}

function sourceKey(ev: FeedEvent): { key: string; keep: boolean } {
  switch (ev.kind) {
    case 'manhole.reading':
      return { key: `${ev.wellId}|${ev.sensor}`, keep: ev.level !== 'normal' };
    case 'camera.status':
      return { key: `${ev.cameraId}|status`, keep: !ev.online };
    case 'camera.ptz':
      return { key: `${ev.cameraId}|ptz`, keep: true };
    case 'camera.sos':
      return { key: `${ev.buttonId}|sos`, keep: true };
    case 'camera.snapshot':
      return { key: ev.snapshotId, keep: true };
    case 'parking.occupancy':
      return { key: ev.placeId, keep: true };
    case 'fire.detector':
      return { key: ev.detectorId, keep: ev.state !== 'normal' };
    case 'care.call':
      return { key: ev.deviceId, keep: ev.reason !== 'cancel' };
    case 'env.reading':
      return { key: `${ev.stationId}|${ev.metric}`, keep: true };
    case 'alarm.update':
      return { key: ev.alarm.alarmId, keep: true };
    case 'drill.status':
      return { key: ev.drillId, keep: true };
    case 'request.update':
      return { key: ev.request.requestId, keep: true };
    case 'task.update':
      return { key: ev.task.taskId, keep: true };
  }
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'gap';

/**
 * Applies one event. Events at or below the stream's seq are duplicates (ignored: exactly-once application);
 * an event beyond seq+1 is still applied but reported as a gap so the caller can resync.
 */
export function applyEvent(w: World, ev: FeedEvent): ApplyOutcome {
  const last = w.seqs[ev.stream] ?? 0;
  if (ev.seq <= last) return 'duplicate';
  const { key, keep } = keyOf(ev);
  const map = w.byStream[ev.stream];
  if (keep) {
    map.delete(key); // re-insert so iteration order is recency
    map.set(key, ev);
  } else map.delete(key);
  w.seqs[ev.stream] = ev.seq;
  return ev.seq === last + 1 ? 'applied' : 'gap';
}

/** Closed citizen requests and finished visit tasks stay in snapshots this long (lists, rates and the grid panel's week). */
export const KEEP_FINISHED_WORK_MS = 7 * 24 * 3600_000;

/** The compacted log, oldest first per stream (applying it to an empty world reproduces this world). */
export function compact(w: World, keepClosedAlarmsMs = 24 * 3600_000, now = Date.now()): FeedEvent[] {
  const out: FeedEvent[] = [];
  const keepWork = Math.max(keepClosedAlarmsMs, KEEP_FINISHED_WORK_MS);
  for (const s of STREAMS) {
    for (const ev of w.byStream[s].values()) {
      if (ev.kind === 'alarm.update' && ev.alarm.state === 'closed' && now - ev.alarm.updatedAt > keepClosedAlarmsMs) continue;
      if (ev.kind === 'request.update' && ev.request.state === 'closed' && now - ev.request.updatedAt > keepWork) continue;
      if (ev.kind === 'task.update' && ev.task.state !== 'open' && now - ev.task.updatedAt > keepWork) continue;
      out.push(ev);
    }
  }
  return out;
}

/** Replaces `w` with the state described by a snapshot's compacted events and seqs. */
export function loadSnapshot(w: World, events: FeedEvent[], seqs: Seqs): void {
  for (const s of STREAMS) w.byStream[s].clear();
  for (const ev of events) {
    const { key, keep } = keyOf(ev);
    if (keep) w.byStream[ev.stream].set(key, ev);
  }
  w.seqs = { ...emptySeqs(), ...seqs };
}

/** Worst current level per well (a well is as bad as its worst sensor). */
export function wellLevels(w: World): Map<string, AlarmLevel> {
  const out = new Map<string, AlarmLevel>();
  for (const ev of w.byStream.manhole.values()) {
    if (ev.kind !== 'manhole.reading') continue;
    const cur = out.get(ev.wellId);
    if (!cur || LEVEL_RANK[ev.level] > LEVEL_RANK[cur]) out.set(ev.wellId, ev.level);
  }
  return out;
}

/** Merges per-stream event lists by time, never reordering within a stream (seq order is the order of record). */
export function mergeByTime(events: readonly FeedEvent[]): FeedEvent[] {
  const per = STREAMS.map((s) => events.filter((e) => e.stream === s).sort((a, b) => a.seq - b.seq));
  const idx = per.map(() => 0);
  const out: FeedEvent[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < per.length; i++) {
      const e = per[i]![idx[i]!];
      if (e && (best < 0 || e.ts < per[best]![idx[best]!]!.ts)) best = i;
    }
    if (best < 0) return out;
    out.push(per[best]![idx[best]!++]!);
  }
}
