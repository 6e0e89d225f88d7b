/**
 * Live state of the district: the same compacted-log reducer the server uses (contracts/world.ts), fed by snapshots,
 * replays and live events. Maps are plain (not observable: tens of thousands of entries); each stream has an
 * observable version that renderers and panels react to, bumped at most once per animation frame.
 */
import { makeAutoObservable } from 'mobx';
import { compareAlarms, type Alarm } from '../../../data-pipelines/contracts/alarm.ts';
import { STREAMS, type FeedEvent, type Seqs, type StreamName } from '../../../data-pipelines/contracts/events.ts';
import type { AlarmLevel } from '../../../data-pipelines/contracts/manhole.ts';
import { applyEvent, emptySeqs, emptyWorld, loadSnapshot, wellLevels, type World } from '../../../data-pipelines/contracts/world.ts';
import { manholeCounts } from '../wall/kpi.ts';

export interface AlarmNotice {
  alarm: Alarm;
  receivedAt: number;
  /** raised, or an overdue mandatory SOP step escalated (issue 22): both are toasted and sounded */
  kind: 'raise' | 'escalate';
}

export interface SosNotice {
  buttonId: string;
  cameraId: string;
  heading: number;
  lon: number;
  lat: number;
  receivedAt: number;
}

export interface StreamHealth {
  lastEventAt: number;
  events: number;
  rejected: number;
  lastRejectAt: number;
  gaps: number;
}

export type BatchResult = { gap: boolean; duplicates: number; applied: number };

export class LiveStore {
  readonly world: World = emptyWorld();
  epoch: string | null = null;
  versions: Record<StreamName, number> = Object.fromEntries(STREAMS.map((s) => [s, 0])) as Record<StreamName, number>;
  health: Record<StreamName, StreamHealth> = Object.fromEntries(
    STREAMS.map((s) => [s, { lastEventAt: 0, events: 0, rejected: 0, lastRejectAt: 0, gaps: 0 }]),
  ) as Record<StreamName, StreamHealth>;
  /** newly raised alarms (for toast and tone), newest first */
  notices: AlarmNotice[] = [];
  sos: SosNotice[] = [];
  duplicates = 0;

  constructor() {
    makeAutoObservable(this, { world: false }, { autoBind: true });
  }

  seqs(): Seqs {
    return { ...emptySeqs(), ...this.world.seqs };
  }

  loadSnapshot(epoch: string, events: FeedEvent[], seqs: Seqs): void {
    this.epoch = epoch;
    loadSnapshot(this.world, events, seqs);
    for (const s of STREAMS) this.versions[s]++;
  }

  /**
   * Applies events in seq order per stream; reports whether a gap was seen (caller resubscribes). Replayed events
   * raise notices too: an alarm raised while the operator was disconnected must still be announced.
   */
  applyBatch(events: FeedEvent[], now = Date.now()): BatchResult {
    const touched = new Set<StreamName>();
    const res: BatchResult = { gap: false, duplicates: 0, applied: 0 };
    for (const ev of events) {
      const before = ev.kind === 'alarm.update' ? this.world.byStream.alarm.get(ev.alarm.alarmId) : undefined;
      const outcome = applyEvent(this.world, ev);
      if (outcome === 'duplicate') {
        res.duplicates++;
        continue;
      }
      res.applied++;
      if (outcome === 'gap') {
        res.gap = true;
        this.health[ev.stream].gaps++;
      }
      touched.add(ev.stream);
      const h = this.health[ev.stream];
      h.lastEventAt = now;
      h.events++;
      if (ev.kind === 'alarm.update' && ev.action === 'raise' && !before) this.notices.unshift({ alarm: ev.alarm, receivedAt: now, kind: 'raise' });
      // an escalation is always of an alarm already known (duplicates never get here)
      if (ev.kind === 'alarm.update' && ev.action === 'escalate') this.notices.unshift({ alarm: ev.alarm, receivedAt: now, kind: 'escalate' });
      if (ev.kind === 'camera.ptz' && ev.reason === 'sos' && ev.targetLon !== undefined && ev.targetLat !== undefined) {
        const sos = [...this.world.byStream.camera.values()]
          .reverse()
          .find((e) => e.kind === 'camera.sos' && Math.abs(e.lon - ev.targetLon!) < 1e-9 && Math.abs(e.lat - ev.targetLat!) < 1e-9);
        this.sos.unshift({
          buttonId: sos?.kind === 'camera.sos' ? sos.buttonId : '?',
          cameraId: ev.cameraId,
          heading: ev.heading,
          lon: ev.targetLon,
          lat: ev.targetLat,
          receivedAt: now,
        });
      }
    }
    if (this.notices.length > 200) this.notices.length = 200;
    if (this.sos.length > 20) this.sos.length = 20;
    this.duplicates += res.duplicates;
    for (const s of touched) this.versions[s]++;
    return res;
  }

  onReject(stream: StreamName | null, now = Date.now()): void {
    if (!stream) return;
    this.health[stream].rejected++;
    this.health[stream].lastRejectAt = now;
  }

  /** All alarms known (open first by the operator sort). */
  get alarms(): Alarm[] {
    void this.versions.alarm;
    const out: Alarm[] = [];
    for (const ev of this.world.byStream.alarm.values()) if (ev.kind === 'alarm.update') out.push(ev.alarm);
    return out.sort(compareAlarms);
  }

  get openAlarms(): Alarm[] {
    return this.alarms.filter((a) => a.state !== 'closed');
  }

  alarm(id: string): Alarm | null {
    void this.versions.alarm;
    const ev = this.world.byStream.alarm.get(id);
    return ev?.kind === 'alarm.update' ? ev.alarm : null;
  }

  get wellLevels(): Map<string, AlarmLevel> {
    void this.versions.manhole;
    return wellLevels(this.world);
  }

  get counts(): { critical: number; unacked: number; open: number; wellAlarm: number; wellWarning: number } {
    let critical = 0;
    let unacked = 0;
    let open = 0;
    for (const a of this.alarms) {
      if (a.state === 'closed' || a.drill) continue; // drill alarms are counted apart (drill panel), never as real
      open++;
      if (a.state === 'new') unacked++;
      if (a.priority === 1 && a.state !== 'resolved') critical++;
    }
    // open manhole alarms (as listed) / wells at warning level now: one source with the alarm list (wall/kpi.ts)
    void this.versions.manhole;
    const wells = manholeCounts(this.alarms, this.world.byStream.manhole.values());
    return { critical, unacked, open, wellAlarm: wells.alarm, wellWarning: wells.warning };
  }
}
