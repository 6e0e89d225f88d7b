/**
 * Feed client: socket.io on loopback. Every inbound message is validated against the shared contract; bad ones are
 * counted and reported, never applied. Valid events are queued and applied to mobx once per animation frame (not
 * per event). Sequence gaps and epoch changes trigger a resync from a fresh snapshot.
 */
import { runInAction } from 'mobx';
import { io, type Socket } from 'socket.io-client';
import { Heartbeat, Hello, parseFeedEvent, Snapshot, WIRE, type ManholeReading } from '../../../data-pipelines/contracts/events.ts';
import type { RootStore } from '../stores/root.ts';

export interface FeedClientOptions {
  url: string;
  /** heartbeat silence after which the feed is shown as stale */
  staleAfterMs?: number;
}

export class FeedClient {
  private socket: Socket | null = null;
  private queue: ManholeReading[] = [];
  private flushScheduled = false;
  private staleTimer: ReturnType<typeof setInterval> | null = null;
  private snapshotSeq = -1;

  constructor(
    private readonly store: RootStore,
    private readonly opts: FeedClientOptions,
  ) {}

  start(): void {
    const socket = io(this.opts.url || undefined, {
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      timeout: 10_000,
    });
    this.socket = socket;
    const feed = this.store.feed;

    socket.on('connect', () => feed.setStatus('live'));
    socket.on('disconnect', () => feed.setStatus('reconnecting'));
    socket.io.on('reconnect_attempt', () => feed.setStatus('reconnecting'));
    socket.on('connect_error', () => feed.setStatus(feed.epoch ? 'reconnecting' : 'offline'));

    socket.on(WIRE.hello, (raw: unknown) => {
      const h = Hello.safeParse(raw);
      if (!h.success) return feed.onReject(`hello: ${h.error.issues[0]?.message}`);
      feed.onHello(h.data.epoch, h.data.simulated);
    });

    socket.on(WIRE.snapshot, (raw: unknown) => {
      const s = Snapshot.safeParse(raw);
      if (!s.success) {
        feed.onReject(`snapshot: ${s.error.issues[0]?.message}`);
        return;
      }
      // Drop queued events the snapshot already covers, then replace state.
      this.queue = this.queue.filter((e) => e.epoch === s.data.epoch && e.seq > s.data.seq);
      this.snapshotSeq = s.data.seq;
      runInAction(() => {
        this.store.manholes.applySnapshot(s.data);
        feed.setSeq('manhole', s.data.seq);
      });
    });

    socket.on(WIRE.events, (raw: unknown) => {
      if (!Array.isArray(raw)) return feed.onReject('events: payload is not an array');
      let accepted = 0;
      for (const item of raw) {
        const r = parseFeedEvent(item);
        if (!r.ok) {
          feed.onReject(r.error);
          continue;
        }
        if (r.value.epoch !== feed.epoch) {
          feed.onReject(`event from epoch ${r.value.epoch}, current ${feed.epoch}`);
          this.resync();
          continue;
        }
        this.queue.push(r.value);
        accepted++;
      }
      if (accepted) {
        feed.onAccepted(accepted);
        this.scheduleFlush();
      }
    });

    socket.on(WIRE.heartbeat, (raw: unknown) => {
      const h = Heartbeat.safeParse(raw);
      if (!h.success) return feed.onReject(`heartbeat: ${h.error.issues[0]?.message}`);
      feed.onHeartbeat(Date.now());
      if (h.data.epoch !== feed.epoch) this.resync();
    });

    const staleAfter = this.opts.staleAfterMs ?? 6_000;
    this.staleTimer = setInterval(() => {
      if (feed.status === 'live' && Date.now() - feed.lastHeartbeatAt > staleAfter) feed.setStatus('stale');
    }, 1_000);
  }

  private resync(): void {
    this.socket?.emit(WIRE.subscribe, { streams: ['manhole'] });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      this.flushScheduled = false;
      this.flush();
    };
    requestAnimationFrame(run);
    // Hidden windows get no animation frames: never let alarms wait on the compositor.
    setTimeout(run, 250);
  }

  /** Applies queued events in order, checking per-stream sequence continuity. */
  flush(): void {
    if (!this.queue.length) return;
    const batch = this.queue.sort((a, b) => a.seq - b.seq);
    this.queue = [];
    const feed = this.store.feed;
    let last = feed.lastSeq.manhole ?? this.snapshotSeq;
    const apply: ManholeReading[] = [];
    let gap = false;
    for (const ev of batch) {
      if (ev.seq <= last) continue; // already covered (snapshot or duplicate delivery)
      if (ev.seq !== last + 1) gap = true;
      apply.push(ev);
      last = ev.seq;
    }
    runInAction(() => {
      if (apply.length) this.store.manholes.applyBatch(apply);
      feed.setSeq('manhole', last);
      if (gap) feed.onGap();
    });
    if (gap) this.resync();
  }

  destroy(): void {
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }
}
