/**
 * Replay of a journal window: its own LiveStore (views show it while the replay is open; the live feed keeps running
 * underneath), a playback clock with play/pause/seek/speed, and timeline markers (drill steps, alarms raised).
 * Seeking backwards rebuilds from the window's initial state; forwards applies events up to the new time.
 */
import { makeAutoObservable } from 'mobx';
import type { AlarmUpdate, DrillStatus, FeedEvent, JournalWindow } from '../../../data-pipelines/contracts/events.ts';
import { locale, t, type Locale } from '../i18n.ts';
import { actionLabel, categoryLabel, causeLabel } from '../layers/alarms/format.ts';
import { LiveStore } from '../stores/live-store.ts';
import type { ReplaySource } from '../stores/root.ts';

export interface Marker {
  t: number;
  kind: 'drill' | 'alarm' | 'action';
  /** the journaled event the marker stands for (its label is made in the UI language when shown) */
  event: DrillStatus | AlarmUpdate;
}

export function timelineMarkers(events: readonly FeedEvent[]): Marker[] {
  const out: Marker[] = [];
  for (const e of events) {
    if (e.kind === 'drill.status') out.push({ t: e.ts, kind: 'drill', event: e });
    else if (e.kind === 'alarm.update' && e.action === 'raise') out.push({ t: e.ts, kind: 'alarm', event: e });
    else if (e.kind === 'alarm.update' && ['acknowledge', 'dispatch', 'onsite', 'resolve', 'close'].includes(e.action))
      out.push({ t: e.ts, kind: 'action', event: e });
  }
  return out;
}

/** "开始: note", "窨井 MH-00420 液位", "确认 MH-00420 · operator" in the current (or given) locale. */
export function markerLabel(m: Marker, l: Locale = locale()): string {
  const e = m.event;
  if (e.kind === 'drill.status') return `${t(`drill.state.${e.state}`, undefined, l)}${e.note ? `: ${e.note}` : ''}`;
  if (m.kind === 'alarm') return `${e.alarm.drill ? 'DRILL ' : ''}${categoryLabel(e.alarm.category, l)} ${e.alarm.sourceId} ${causeLabel(e.alarm, l)}`;
  return `${actionLabel(e.action, l)} ${e.alarm.sourceId} · ${e.by}`;
}

export class ReplayController implements ReplaySource {
  readonly live = new LiveStore();
  readonly events: FeedEvent[];
  readonly markers: Marker[];
  t: number;
  playing = false;
  speed = 10;
  private cursor = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly window: JournalWindow,
    readonly label: string,
    /** the drill run this window was opened for (its after-action report is for that run) */
    readonly drillId?: string,
  ) {
    this.events = window.events; // time order, seq order within each stream (Journal.readWindow)
    this.markers = timelineMarkers(this.events);
    this.t = window.from;
    makeAutoObservable<this, 'cursor' | 'timer'>(
      this,
      { live: false, events: false, markers: false, window: false, drillId: false, cursor: false, timer: false },
      { autoBind: true },
    );
    this.rebuild();
  }

  get from(): number {
    return this.window.from;
  }

  get to(): number {
    return this.window.to;
  }

  /** all events of the window (plus the initial state): the after-action report's input */
  get allEvents(): FeedEvent[] {
    return [...this.window.initial, ...this.events];
  }

  private rebuild(): void {
    this.live.loadSnapshot(this.window.epoch, this.window.initial, this.window.seqs);
    this.cursor = 0;
  }

  seek(t: number): void {
    const target = Math.max(this.from, Math.min(this.to, t));
    if (target < this.t) this.rebuild();
    const batch: FeedEvent[] = [];
    while (this.cursor < this.events.length && this.events[this.cursor]!.ts <= target) batch.push(this.events[this.cursor++]!);
    if (batch.length) this.live.applyBatch(batch, target);
    this.t = target;
    if (target >= this.to) this.pause();
  }

  play(): void {
    if (this.playing) return;
    if (this.t >= this.to) this.seek(this.from);
    this.playing = true;
    const stepMs = 100;
    this.timer = setInterval(() => this.seek(this.t + stepMs * this.speed), stepMs);
  }

  pause(): void {
    this.playing = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  setSpeed(s: number): void {
    this.speed = s;
  }

  destroy(): void {
    this.pause();
  }
}
