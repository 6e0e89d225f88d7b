import { makeAutoObservable } from 'mobx';
import type { JournalHealth, StreamName } from '../../../data-pipelines/contracts/events.ts';
import type { StringKey } from '../i18n.ts';
import type { StreamHealth } from './live-store.ts';

export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'stale' | 'offline';

/** What the status bar and the wall show: the connection state, or 'starting' before the first state arrived. */
export type FeedPhase = FeedStatus | 'starting';

/** The label of each connection state (console status bar and wall title bar). */
export const FEED_STATUS_KEY: Record<FeedPhase, StringKey> = {
  starting: 'feedStarting',
  connecting: 'feedConnecting',
  live: 'feedLive',
  reconnecting: 'feedReconnecting',
  stale: 'feedStale',
  offline: 'feedOffline',
};
/**
 * The banner every screen shows for the server journal's health (console status bar and wall title bar): a journal
 * that cannot write (disk full: commands refused, new events held back), or events lost while it could not. Pure.
 */
export function journalBanner(j: JournalHealth | null): { key: StringKey; vars: Record<string, string | number>; level: 'alarm' | 'warning' } | null {
  if (!j) return null;
  if (!j.writable) return { key: 'core.feed.journalDown', vars: { code: j.code ?? '?', held: j.held }, level: 'alarm' };
  if (j.lost > 0) return { key: 'core.feed.journalLost', vars: { lost: j.lost }, level: 'warning' };
  return null;
}
export type StreamStatus = 'live' | 'quiet' | 'degraded' | 'stale' | 'down';

/**
 * Starting up vs stalled (pure, unit-tested). Until the first snapshot or replay of this page has been applied
 * nothing is known yet and nothing can be late: the feed is 'starting' — not 'stale' and not zero healthy streams —
 * while it connects, waits for the server's greeting or reads the snapshot. Other states (offline, reconnecting, or
 * any state added later) are shown as they are, even at start.
 */
export function feedPhase(status: FeedStatus, synced: boolean): FeedPhase {
  return !synced && (status === 'connecting' || status === 'live' || status === 'stale') ? 'starting' : status;
}

/** A gap this long between the page's own 1 s ticks means its thread was blocked (boot, a large snapshot). */
export const BLOCKED_TICK_MS = 2_500;

/**
 * Stalled: no heartbeat for `staleAfterMs` of time during which this page could have heard one (pure, unit-tested).
 * Silence is counted from the later of the last heartbeat and `listeningSince` (when the connection came up, or
 * when the page's thread resumed after being blocked: heartbeats queued behind a long task are not missing).
 */
export function isStalled(s: { lastHeartbeatAt: number; listeningSince: number; now: number; staleAfterMs: number }): boolean {
  return s.now - Math.max(s.lastHeartbeatAt, s.listeningSince) > s.staleAfterMs;
}

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
  /** the server journal's health, from its heartbeats (null until reported) */
  journal: JournalHealth | null = null;
  /** times the server paused our live events because we fell behind (a snapshot followed) */
  slowResyncs = 0;
  /** a clock for health displays, ticking once a second */
  now = Date.now();
  /** a snapshot or replay has been applied since the page loaded (before that the feed is 'starting') */
  synced = false;
  /** since when this page could hear heartbeats (connection up, or thread resumed after a block): see isStalled */
  listeningSince = 0;
  /** the gateway this screen is on (host:port), when the cluster lists several ('' = one gateway, nothing to show) */
  gateway = '';
  /** times this screen left an unreachable gateway for the next listed one */
  failovers = 0;
  private lastTickAt = 0;

  constructor() {
    makeAutoObservable(this, {}, { autoBind: true });
  }

  setStatus(s: FeedStatus): void {
    if (s === 'live' && this.status !== 'live') this.listeningSince = Date.now();
    this.status = s;
  }

  /** The state shown to the operator: 'starting' until the first state arrived (feedPhase). */
  get phase(): FeedPhase {
    return feedPhase(this.status, this.synced);
  }

  /** Live → stale after `staleAfterMs` of heartbeat silence the page could have heard (isStalled). */
  checkStale(staleAfterMs: number, now = this.now): void {
    if (this.status === 'live' && isStalled({ lastHeartbeatAt: this.lastHeartbeatAt, listeningSince: this.listeningSince, now, staleAfterMs }))
      this.status = 'stale';
  }

  setGateway(label: string): void {
    this.gateway = label;
  }

  onFailover(): void {
    this.failovers++;
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

  setJournal(j: JournalHealth): void {
    this.journal = j;
  }

  onSlowResync(): void {
    this.slowResyncs++;
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
    this.synced = true;
    if (kind === 'replay') this.replays++;
    else this.snapshots++;
  }

  tick(now: number): void {
    // a late tick: the page's thread was blocked, heartbeats may be queued behind it (not missing)
    if (this.lastTickAt && now - this.lastTickAt > BLOCKED_TICK_MS) this.listeningSince = now;
    this.lastTickAt = now;
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
