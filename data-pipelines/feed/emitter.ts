/**
 * Sending to the connected screens: live events (`emit`, and `emitSoon` for source events, coalesced per turn), the
 * per-client queue bound (back-pressure), heartbeats with the journal's health, and the sources' status.
 */
import type { Server } from 'socket.io';
import { WIRE, type FeedEvent, type Heartbeat, type Resync } from '../contracts/events.ts';
import type { SourcesStatus } from '../contracts/sources.ts';
import type { SourceHub } from '../sources/hub.ts';
import type { FeedCore } from './core.ts';

export interface FeedStats {
  emitted: number;
  clients: number;
  replays: number;
  snapshots: number;
  slowResyncs: number;
  maxQueuedBytes: number;
}

export interface BroadcastOptions {
  io: Server;
  core: FeedCore;
  hub: SourceHub;
  stats: FeedStats;
  /** bound of one client's send queue, bytes */
  maxQueued: number;
  log: (msg: string) => void;
  /** called with every batch of events sent live, after it is sent (domain follow-ups such as care visits) */
  afterEmit: (events: FeedEvent[]) => void;
}

export class FeedBroadcast {
  private queuesCheckedAt = 0;
  /**
   * Events from the sources arrive one platform message at a time: they are sent together once the messages already
   * read are through (setImmediate), one packet instead of thousands. Anything emitted directly sends them first, so
   * every client still sees each stream in seq order.
   */
  private soon: FeedEvent[] = [];
  private soonScheduled = false;
  /** the journal's writable|lost as last sent on a heartbeat */
  private healthKey = '';
  private lastSources: SourcesStatus | null = null;
  private sourcesKey = '';

  constructor(private readonly o: BroadcastOptions) {}

  /** sends waiting for the cluster log to store their events (in order) */
  private waiting = 0;
  private chain: Promise<void> = Promise.resolve();

  /**
   * Live events go out only once durable (FeedCore.durable: at once with the embedded journal; a cluster log's
   * quorum): a screen never shows an event another gateway could not replay. Sends keep their order.
   */
  private emitNow(events: FeedEvent[]): void {
    const durable = this.o.core.durable();
    if (!durable && !this.waiting) return this.send(events);
    this.waiting++;
    this.chain = this.chain
      .then(() => durable ?? undefined)
      .then(() => {
        this.waiting--;
        this.send(events);
      });
  }

  private send(events: FeedEvent[]): void {
    this.o.io.to('live').emit(WIRE.events, events);
    this.o.stats.emitted += events.length;
    // measuring every client's queue walks its write buffer: at most every 25 ms (and on every heartbeat)
    const t = performance.now();
    if (t - this.queuesCheckedAt >= 25) {
      this.queuesCheckedAt = t;
      this.checkQueues();
    }
    this.o.afterEmit(events);
  }

  private readonly flushSoon = (): void => {
    this.soonScheduled = false;
    const evs = this.soon;
    this.soon = [];
    if (evs.length) this.emitNow(evs);
  };

  /** Source events: sent together at the end of this turn (or sooner, before any direct `emit`). */
  emitSoon(events: FeedEvent[]): void {
    for (const e of events) this.soon.push(e);
    if (!this.soonScheduled && this.soon.length) {
      this.soonScheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  /** Sends events to every live client now, after any source events still waiting (seq order holds). */
  emit(events: FeedEvent[]): void {
    if (this.soon.length) this.flushSoon();
    if (events.length) this.emitNow(events);
  }

  /**
   * Back-pressure: each client's send queue is bounded. Bytes written for a socket but not yet taken by its
   * connection wait in engine.io's per-socket write buffer; a socket whose buffer passes the bound leaves the live
   * room (no more events are queued for it), is told `resync`, and — once its buffer has drained — gets a snapshot
   * and rejoins live (sent synchronously together: nothing can fall between). Checked after every send and heartbeat.
   */
  checkQueues(): void {
    const { io, core, stats } = this.o;
    for (const socket of io.sockets.sockets.values()) {
      const q = queuedBytes(socket.conn);
      if (q > stats.maxQueuedBytes) stats.maxQueuedBytes = q;
      if (socket.rooms.has('behind')) {
        if (q === 0 && (socket.conn as unknown as { transport?: { writable?: boolean } }).transport?.writable) {
          void socket.leave('behind');
          stats.snapshots++;
          socket.emit(WIRE.snapshot, core.snapshot(Date.now()));
          void socket.join('live');
        }
      } else if (q > this.o.maxQueued && socket.rooms.has('live')) {
        void socket.leave('live');
        void socket.join('behind');
        stats.slowResyncs++;
        const r: Resync = { reason: 'slow-client', queuedBytes: q };
        socket.emit(WIRE.resync, r);
        this.o.log(`client ${socket.id} fell behind (${Math.round(q / 1024)} KB queued): live events paused, a snapshot follows once it has caught up`);
      }
    }
  }

  /** The journal's health rides on every heartbeat; a change (cannot write, writes again, events lost) is sent at once. */
  heartbeat(): Heartbeat {
    const { core } = this.o;
    const journal = core.health();
    this.healthKey = `${journal.writable}|${journal.lost}`;
    return { ts: Date.now(), epoch: core.epoch, seqs: { ...core.world.seqs }, journal };
  }

  beat(): void {
    // not to clients that fell behind: their queue is what we are waiting on
    this.o.io.except('behind').emit(WIRE.heartbeat, this.heartbeat());
    this.checkQueues();
  }

  /** Beats at once when the journal's health changed since the last heartbeat. */
  beatIfHealthChanged(): void {
    const h = this.o.core.health();
    if (`${h.writable}|${h.lost}` !== this.healthKey) this.beat();
  }

  /** The sources' status as last sent (what a new screen gets first). */
  sources(): SourcesStatus {
    return this.lastSources ?? this.o.hub.status();
  }

  /** The sources' health goes to every screen when it changes (checked every second; rates change under load). */
  sourcesBeat(): void {
    const st = this.o.hub.status();
    const key = JSON.stringify(st.sources);
    if (key === this.sourcesKey) return;
    this.sourcesKey = key;
    this.lastSources = st;
    this.o.io.emit(WIRE.sources, st);
  }
}

function queuedBytes(conn: unknown): number {
  let n = 0;
  for (const p of (conn as { writeBuffer?: Array<{ data?: unknown }> }).writeBuffer ?? [])
    n += typeof p.data === 'string' ? p.data.length : p.data instanceof Uint8Array ? p.data.byteLength : 0;
  return n;
}
