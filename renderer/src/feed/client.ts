/**
 * Feed client: socket.io on loopback. Every inbound message is validated against the shared contract; bad ones are
 * counted per stream with a reason and never applied. On (re)connect the client subscribes with its per-stream
 * offsets and receives the exact missing events (or a snapshot); live events are queued and applied to the stores
 * once per animation frame. Duplicate deliveries are ignored by seq; a gap triggers a resubscribe. A client that falls
 * too far behind is told `resync` by the server and gets a snapshot once its backlog has drained. Heartbeats carry the
 * server journal's health (a full disk), shown on every screen. The connected sources' health (WIRE.sources) goes to
 * the sources store, validated like everything else.
 * Operator commands are sent with an ack and retried with the same commandId after a reconnect (the server is
 * idempotent), so a command is never lost and never applied twice. With several gateways listed (a cluster, `--peers`), a
 * gateway that refuses two connection attempts in a row is left for the next listed one (gateways.ts), where the
 * client resubscribes with the offsets it holds: that gateway replays exactly the missed events (same cluster log,
 * same epoch) or sends a snapshot; pending commands are resent there with their ids. A signed-in session is per
 * gateway: it ends at a failover and the client goes on with the shared credential (onSessionLost). Every other request (sign-in, drills, journal
 * windows, people, citizen requests, tasks…) is one `call(op, request)` of the op table in contracts/socket-ops.ts.
 */
import { runInAction } from 'mobx';
import { io, type Socket } from 'socket.io-client';
import type { LoginAnswer, LogoutAnswer } from '../../../data-pipelines/contracts/auth.ts';
import {
  CommandAck,
  Heartbeat,
  Hello,
  parseFeedEvent,
  Replay,
  Resync,
  Snapshot,
  STREAMS,
  WIRE,
  type FeedEvent,
  type StreamName,
  type Subscribe,
} from '../../../data-pipelines/contracts/events.ts';
import {
  isSocketOp,
  SOCKET_OPS,
  type JournalAnswer,
  type SocketAnswer,
  type SocketOp,
  type SocketOpName,
  type SocketRequest,
} from '../../../data-pipelines/contracts/socket-ops.ts';
import { LocalizedError, t } from '../i18n.ts';
import { failoverDelayMs, gatewayLabel, nextGateway, shouldFailOver } from './gateways.ts';
import { FlushSchedule, isPromptEvent, orderPerStream } from './flush-schedule.ts';
import type { CommandSink, RootStore } from '../stores/root.ts';

export interface FeedClientOptions {
  url: string;
  token?: string;
  /** heartbeat silence after which the feed is shown as stale */
  staleAfterMs?: number;
  commandTimeoutMs?: number;
  /** benchmark baseline only: apply every event in its own action, no per-frame batching */
  perEvent?: boolean;
  /** the server ended our session (expired, signed out elsewhere, restarted): we are back on the shared token */
  onSessionLost?: () => void;
  /**
   * The cluster's feed gateways (ShellConfig.gateways: the page's own first, then its peers). With two or more, an
   * unreachable gateway is left for the next one. Omitted: `url` only.
   */
  gateways?: string[];
  /** failed connection attempts in a row after which the gateway counts as unreachable (default 2) */
  failOverAfter?: number;
}

type CommandPayload = Parameters<CommandSink['sendAlarmCommand']>[0];

function streamOf(raw: unknown): StreamName | null {
  const s = raw && typeof raw === 'object' ? (raw as { stream?: unknown }).stream : undefined;
  return typeof s === 'string' && (STREAMS as readonly string[]).includes(s) ? (s as StreamName) : null;
}

export class FeedClient implements CommandSink {
  private socket: Socket | null = null;
  private queue: FeedEvent[] = [];
  private readonly schedule = new FlushSchedule(() => this.flush());
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private readonly pending = new Map<string, { cmd: CommandPayload; resolve: (a: CommandAck) => void; sending: boolean }>();
  /** true between sending subscribe and receiving replay/snapshot: live events are held until then */
  private syncing = false;
  /** a signed-in user's session token: in memory only (never stored); undefined = the shared token */
  private sessionToken: string | undefined;
  /** the gateway the socket is open to ('' = the page's own origin) and its failed connection attempts in a row */
  private gatewayUrl = '';
  private failures = 0;
  /** failovers since the last successful connection, and the timer of a delayed one (failoverDelayMs) */
  private hops = 0;
  private hopTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly store: RootStore,
    private readonly opts: FeedClientOptions,
  ) {}

  start(): void {
    this.open(this.opts.url);
    const feed = this.store.feed;
    const staleAfter = this.opts.staleAfterMs ?? 6_000;
    this.timers.push(
      setInterval(() => {
        const now = Date.now();
        feed.tick(now);
        // silence the page could have heard: not the time its own thread was busy (boot, a large snapshot)
        feed.checkStale(staleAfter, now);
      }, 1_000),
    );
  }

  /** The gateway the client is on (its URL as listed; '' = the page's own origin). */
  get gateway(): string {
    return this.gatewayUrl;
  }

  /** Opens the feed socket to one gateway, with every handler. */
  private open(url: string): void {
    this.gatewayUrl = url;
    this.failures = 0;
    const gateways = this.opts.gateways ?? [];
    if (gateways.length > 1) runInAction(() => this.store.feed.setGateway(gatewayLabel(url || gateways[0]!)));
    const socket = io(url || undefined, {
      // a socket (and manager) of its own: a failover back to a gateway left earlier must not reuse the closed one
      forceNew: true,
      transports: ['websocket'],
      // asked on every (re)connect: a sign-in or sign-out reconnects with the other token
      auth: (cb: (data: object) => void) => {
        const token = this.sessionToken ?? this.opts.token;
        cb(token ? { token } : {});
      },
      reconnectionDelay: 300,
      reconnectionDelayMax: 3_000,
      timeout: 10_000,
    });
    this.socket = socket;
    const feed = this.store.feed;
    const live = this.store.realLive;

    socket.on('connect', () => {
      this.failures = 0;
      this.hops = 0;
      feed.setStatus('live');
    });
    socket.on('disconnect', (reason) => {
      // our own disconnect (a sign-in/out reconnecting at once, or destroy) is no feed trouble: no alarm tone
      if (reason !== 'io client disconnect') feed.setStatus('reconnecting');
      // the server closes a socket whose session ended; socket.io does not reconnect those by itself
      if (reason === 'io server disconnect' && this.sessionToken) this.dropSession();
    });
    socket.io.on('reconnect_attempt', () => feed.setStatus('reconnecting'));
    socket.on('connect_error', () => {
      feed.setStatus(feed.epoch ? 'reconnecting' : 'offline');
      // refused by the server's auth (not a network error: those retry by themselves), e.g. sessions lost in a restart
      if (!socket.active && this.sessionToken) this.dropSession();
      // a network failure (socket.io retries by itself): the gateway may be gone; after a few in a row, the next one
      else if (socket.active && this.socket === socket && shouldFailOver(++this.failures, gateways, url, this.opts.failOverAfter)) this.failOver();
    });

    socket.on(WIRE.hello, (raw: unknown) => {
      const h = Hello.safeParse(raw);
      if (!h.success) return feed.onReject(`hello: ${h.error.issues[0]?.message}`);
      feed.onHello(h.data.epoch, h.data.simulated);
      this.subscribe();
      this.resendPending();
    });

    socket.on(WIRE.snapshot, (raw: unknown) => {
      const s = Snapshot.safeParse(raw);
      if (!s.success) return feed.onReject(`snapshot: ${s.error.issues[0]?.message}`);
      const events = this.validateAll(s.data.events);
      runInAction(() => {
        live.loadSnapshot(s.data.epoch, events, s.data.seqs);
        feed.onSync('snapshot');
      });
      this.queue = this.queue.filter((e) => e.epoch === s.data.epoch && e.seq > (s.data.seqs[e.stream] ?? 0));
      this.syncing = false;
      this.scheduleFlush();
    });

    socket.on(WIRE.replay, (raw: unknown) => {
      const r = Replay.safeParse(raw);
      if (!r.success || r.data.epoch !== live.epoch) {
        feed.onReject(`replay: ${r.success ? 'epoch changed' : r.error.issues[0]?.message}`);
        this.subscribe(true);
        return;
      }
      const events = this.validateAll(r.data.events);
      runInAction(() => {
        const res = live.applyBatch(events, Date.now());
        feed.onSync('replay');
        feed.onAccepted(res.applied);
        if (res.gap) feed.onGap();
      });
      this.syncing = false;
      this.scheduleFlush();
    });

    socket.on(WIRE.events, (raw: unknown) => {
      if (!Array.isArray(raw)) return feed.onReject('events: payload is not an array');
      const accepted = this.validateAll(raw).filter((ev) => {
        if (ev.epoch === live.epoch) return true;
        feed.onReject(`event from epoch ${ev.epoch}, current ${live.epoch}`);
        this.subscribe(true);
        return false;
      });
      if (accepted.length) {
        this.queue.push(...accepted);
        this.scheduleFlush(accepted.some(isPromptEvent));
      }
    });

    // We fell too far behind (the server bounds each client's queue): live events are paused for us and a snapshot
    // follows once our backlog has drained; hold anything until then.
    socket.on(WIRE.resync, (raw: unknown) => {
      const r = Resync.safeParse(raw);
      if (!r.success) return feed.onReject(`resync: ${r.error.issues[0]?.message}`);
      feed.onSlowResync();
      this.syncing = true;
    });

    socket.on(WIRE.heartbeat, (raw: unknown) => {
      const h = Heartbeat.safeParse(raw);
      if (!h.success) return feed.onReject(`heartbeat: ${h.error.issues[0]?.message}`);
      feed.onHeartbeat(Date.now());
      if (h.data.journal) feed.setJournal(h.data.journal);
      if (h.data.epoch !== live.epoch && !this.syncing) this.subscribe(true);
      // Behind the server with nothing queued and not syncing: we missed something, ask for it.
      else if (!this.syncing && !this.queue.length && STREAMS.some((s) => (h.data.seqs[s] ?? 0) > (live.world.seqs[s] ?? 0) + 2000)) this.subscribe();
    });

    // The connected sources' health (on connect and on change): validated; an invalid one is counted, never applied.
    socket.on(WIRE.sources, (raw: unknown) => {
      runInAction(() => {
        const reason = this.store.sources.receive(raw, Date.now());
        if (reason) feed.onReject(reason);
      });
    });
  }

  /**
   * Leaves an unreachable gateway for the next listed one: the new socket's hello resubscribes with the offsets this
   * screen holds (replay of exactly the missed events, or a snapshot) and resends pending commands (same ids: applied
   * once). A session token is per gateway, so it is dropped (back to the shared credential).
   */
  private failOver(): void {
    const next = nextGateway(this.opts.gateways ?? [], this.gatewayUrl);
    if (next === null) return;
    const old = this.socket;
    old?.removeAllListeners();
    old?.io.removeAllListeners();
    old?.disconnect();
    for (const p of this.pending.values()) p.sending = false;
    this.syncing = false;
    runInAction(() => {
      this.store.feed.setStatus('reconnecting');
      this.store.feed.onFailover();
    });
    if (this.sessionToken) {
      this.sessionToken = undefined;
      this.opts.onSessionLost?.();
    }
    this.socket = null;
    const delay = failoverDelayMs(++this.hops, this.opts.gateways?.length ?? 1);
    if (delay === 0) return this.open(next);
    this.gatewayUrl = next;
    this.hopTimer = setTimeout(() => {
      this.hopTimer = null;
      this.open(next);
    }, delay);
  }

  /** Validates a batch; rejects are counted against their stream with the reason. */
  private validateAll(raw: unknown[]): FeedEvent[] {
    const out: FeedEvent[] = [];
    let rejected = 0;
    let reason = '';
    runInAction(() => {
      for (const item of raw) {
        const r = parseFeedEvent(item);
        if (r.ok) out.push(r.value);
        else {
          rejected++;
          reason = r.error;
          this.store.realLive.onReject(streamOf(item));
        }
      }
      if (rejected) this.store.feed.onReject(reason, rejected);
    });
    return out;
  }

  private subscribe(fromScratch = false): void {
    const live = this.store.realLive;
    const sub: Subscribe = fromScratch || !live.epoch ? { epoch: null, since: {} } : { epoch: live.epoch, since: live.seqs() };
    this.syncing = true;
    this.socket?.emit(WIRE.subscribe, sub);
  }

  /** Applies the queue at the next frame, or in the next task when it holds something an operator waits on. */
  private scheduleFlush(prompt = this.queue.some(isPromptEvent)): void {
    if (this.opts.perEvent && !this.syncing) {
      const q = this.queue;
      this.queue = [];
      for (const ev of q) {
        this.queue = [ev];
        this.flush();
      }
      return;
    }
    this.schedule.request(prompt);
  }

  /** Applies queued live events (sorted per stream); a gap triggers a resubscribe with our offsets. */
  flush(): void {
    if (this.syncing || !this.queue.length) return;
    const batch = orderPerStream(this.queue);
    this.queue = [];
    const res = runInAction(() => {
      const r = this.store.realLive.applyBatch(batch);
      this.store.feed.onAccepted(r.applied);
      if (r.gap) this.store.feed.onGap();
      return r;
    });
    if (res.gap) this.subscribe();
  }

  sendAlarmCommand(cmd: CommandPayload): Promise<CommandAck> {
    return new Promise((resolve) => {
      this.pending.set(cmd.commandId, { cmd, resolve, sending: false });
      this.trySend(cmd.commandId);
    });
  }

  private trySend(commandId: string): void {
    const p = this.pending.get(commandId);
    const socket = this.socket;
    if (!p || p.sending || !socket?.connected) return;
    p.sending = true;
    socket.timeout(this.opts.commandTimeoutMs ?? 8_000).emit(WIRE.command, p.cmd, (err: unknown, raw: unknown) => {
      p.sending = false;
      if (err) return; // timed out: resent on the next connect with the same commandId
      const ack = CommandAck.safeParse(raw);
      this.pending.delete(commandId);
      p.resolve(ack.success ? ack.data : { ok: false, error: t('core.feed.badAnswer', { detail: `ack: ${ack.error.issues[0]?.message}` }) });
    });
  }

  /**
   * One request/answer op of the socket API (contracts/socket-ops.ts: its event, ack timeout and answer check). Rejects
   * with a LocalizedError when the op is unknown, the socket is not connected, no answer comes in the op's time, the
   * server refuses ({error}) or the answer is not of the op's shape.
   */
  call<K extends SocketOpName>(op: K, request: SocketRequest<K>): Promise<SocketAnswer<K>> {
    if (!isSocketOp(op)) return Promise.reject(new LocalizedError('core.feed.unknownOp', { op: String(op).slice(0, 40) }));
    const spec: SocketOp<SocketRequest<K>, SocketAnswer<K>> = SOCKET_OPS[op];
    const socket = this.socket;
    if (!socket?.connected) return Promise.reject(new LocalizedError('core.feed.notConnected'));
    const payload = spec.encode ? spec.encode(request) : request;
    return new Promise((resolve, reject) => {
      socket.timeout(spec.timeoutS * 1000).emit(spec.event, payload, (err: unknown, raw: unknown) => {
        if (err) return reject(new LocalizedError('core.feed.noAnswer', { s: spec.timeoutS }));
        const refusal = spec.errorReply && raw && typeof raw === 'object' && 'error' in raw ? (raw as { error: unknown }).error : undefined;
        if (refusal !== undefined) return reject(new LocalizedError('core.feed.serverError', { detail: String(refusal) }));
        const answer = spec.answer(raw);
        if (!answer.ok) return reject(new LocalizedError('core.feed.badAnswer', { detail: `${spec.event}: ${answer.error}` }));
        if (op === 'journal') this.countSkipped((answer.value as JournalAnswer).skipped);
        resolve(answer.value);
      });
    });
  }

  /** Invalid events left out of a journal window are counted like any rejected message. */
  private countSkipped(skipped: number): void {
    if (skipped) runInAction(() => this.store.feed.onReject(`journal window: ${skipped} invalid events skipped`, skipped));
  }

  /** Signs in over the socket the page already holds (AuthSink). */
  login(login: string, password: string): Promise<LoginAnswer> {
    return this.call('login', { login, password });
  }

  /** Ends the session this socket was opened with (AuthSink). */
  logout(): Promise<LogoutAnswer> {
    return this.call('logout', {});
  }

  /**
   * Reconnects with a session token (after a sign-in) or the shared token (undefined, after a sign-out). Nothing is
   * lost: on hello the client resubscribes with its offsets and gets the missed events by replay; pending commands
   * are resent. Resolves once the server has greeted the new connection.
   */
  setToken(token: string | undefined): Promise<void> {
    this.sessionToken = token;
    const socket = this.socket;
    if (!socket) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        socket.off(WIRE.hello, onHello);
        socket.off('connect_error', onError);
        if (err) reject(err);
        else resolve();
      };
      const onHello = () => done();
      const onError = () => {
        if (!socket.active) done(new LocalizedError('core.feed.notConnected'));
      };
      socket.on(WIRE.hello, onHello);
      socket.on('connect_error', onError);
      socket.disconnect();
      socket.connect();
    });
  }

  /** Our session ended on the server: back to the shared token, and say so. */
  private dropSession(): void {
    this.sessionToken = undefined;
    this.opts.onSessionLost?.();
    this.socket?.connect();
  }

  private resendPending(): void {
    for (const id of this.pending.keys()) this.trySend(id);
  }

  destroy(): void {
    this.timers.forEach(clearInterval);
    if (this.hopTimer) clearTimeout(this.hopTimer);
    this.hopTimer = null;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }
}
