import { makeAutoObservable } from 'mobx';
import type { StreamName } from '../../../data-pipelines/contracts/events.ts';
import type { StringKey } from '../i18n.ts';
import type { StreamHealth } from './live-store.ts';

export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'stale' | 'offline';

/** The label of each connection state (console status bar and wall title bar). */
export const FEED_STATUS_KEY: Record<FeedStatus, StringKey> = {
  connecting: 'feedConnecting',
  live: 'feedLive',
  reconnecting: 'feedReconnecting',
  stale: 'feedStale',
  offline: 'feedOffline',
};
export type StreamStatus = 'live' | 'quiet' | 'degraded' | 'stale' | 'down';

/** Streams that report on a clock go stale when silent; event-driven ones (fire, care, alarms) are quiet by design. */
export const EXPECTED_INTERVAL_MS: Partial<Record<StreamName, number>> = { manhole: 20_000, parking: 30_000, env: 120_000 };

/** Health of one stream from the operator's point of view. Pure (unit-tested). */
export function streamStatus(stream: StreamName, h: StreamHealth, conn: FeedStatus, now: number): StreamStatus {
  if (conn === 'offline' || conn === 'reconnecting' || conn === 'connecting') return 'down';
  if (conn === 'stale') return 'stale';
  if (now - h.lastRejectAt < 60_000 && h.rejected > 0) return 'degraded';
  const every = EXPECTED_INTERVAL_MS[stream];
  if (every !== undefined && h.lastEventAt > 0 && now - h.lastEventAt > every * 3) return 'stale';
  if (every === undefined && now - h.lastEventAt > 60_000) return 'quiet';
  return 'live';
}

/** Feed connection as the operator sees it. Mutated only through actions (mobx enforceActions: "always"). */
export class FeedStore {
  status: FeedStatus = 'connecting';
  epoch: string | null = null;
  simulated = false;
  received = 0;
  rejected = 0;
  gaps = 0;
  resyncs = 0;
  replays = 0;
  snapshots = 0;
  lastRejectReason: string | null = null;
  lastHeartbeatAt = 0;
  /** a clock for health displays, ticking once a second */
  now = Date.now();

  constructor() {
    makeAutoObservable(this, {}, { autoBind: true });
  }

  setStatus(s: FeedStatus): void {
    this.status = s;
  }

  onHello(epoch: string, simulated: boolean): void {
    if (this.epoch !== null && this.epoch !== epoch) this.resyncs++;
    this.epoch = epoch;
    this.simulated = simulated;
    this.lastHeartbeatAt = Date.now();
  }

  onHeartbeat(now: number): void {
    this.lastHeartbeatAt = now;
    if (this.status === 'stale') this.status = 'live';
  }

  onReject(reason: string, n = 1): void {
    this.rejected += n;
    this.lastRejectReason = reason;
  }

  onAccepted(n: number): void {
    this.received += n;
  }

  onGap(): void {
    this.gaps++;
  }

  onSync(kind: 'replay' | 'snapshot'): void {
    if (kind === 'replay') this.replays++;
    else this.snapshots++;
  }

  tick(now: number): void {
    this.now = now;
  }

  /**
   * The clock floored to 15 s, for displays that need not repaint every second (KPIs, per-grid tables): as a mobx
   * computed, readers re-run only when this value changes, not on every tick.
   */
  get now15s(): number {
    return Math.floor(this.now / 15_000) * 15_000;
  }
}
