/**
 * The cluster log: RedWall's streams kept in NATS JetStream, a replicated (RAFT) stream store, so several feed
 * gateways share one history and any of them can take over (docs/deployment.md).
 *
 * Mapping: each RedWall stream is one JetStream stream `RW_<district>_<stream>` (subject `rw.<district>.ev.<stream>`),
 * and an event's RedWall seq IS its JetStream stream sequence. A screen's `{epoch, since}` therefore means the same
 * thing at every gateway. The epoch is the cluster's, kept in the KV bucket `RW_<district>_meta` (a journal migrated
 * into the cluster keeps its epoch, so its screens resume by replay). Record streams (alarm, drill, request, task)
 * have no limits; telemetry streams are trimmed by age, like the embedded journal's segment retention.
 *
 * One gateway writes: the holder of the lease (KV bucket `RW_<district>_lease`, key `leader`, renewed well inside its
 * TTL). Every publish says which sequence it must land on (`Nats-Expected-Last-Sequence` = seq - 1) and carries the
 * event id as `Nats-Msg-Id`, so a retried publish is recognised (duplicate window) and a second writer, a gateway that
 * lost its lease without noticing, is refused by JetStream itself: it stops (fatal) instead of forking the history.
 * The others follow the streams into their local journal copy and serve their screens from it.
 */
import {
  connect,
  DiscardPolicy,
  headers,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type JetStreamClient,
  type JetStreamManager,
  type KV,
  type NatsConnection,
  type PubAck,
} from 'nats';
import { parseFeedEvent, STREAMS, type FeedEvent, type Seqs, type StreamName } from '../../contracts/events.ts';
import { emptySeqs } from '../../contracts/world.ts';
import { RECORD_STREAMS } from '../journal.ts';

export interface ClusterOptions {
  /** nats://host:port (several: any node of the cluster) */
  servers: string[];
  /** the district's name in the cluster (stream and bucket names): letters, digits, - and _ */
  district: string;
  /** JetStream replicas of every stream and bucket: 1 (single node) or 3 (a 3-node cluster; survives losing one) */
  replicas?: number;
  user?: string;
  pass?: string;
  token?: string;
  /** TLS to the cluster: PEM file paths */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** telemetry kept for (default 7 days); the record streams are never trimmed */
  telemetryMaxAgeMs?: number;
  /** the writer's lease: a gateway that did not renew it for this long is replaced (default 10 s) */
  leaseTtlMs?: number;
  /** this gateway's name (in the lease and the logs) */
  gateway?: string;
  log?: (msg: string) => void;
}

/** A publish JetStream refused because another writer got there first: this gateway must stop writing. */
export class FencedError extends Error {
  override name = 'FencedError';
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function streamName(district: string, s: StreamName): string {
  return `RW_${district}_${s}`;
}
export function subjectOf(district: string, s: StreamName): string {
  return `rw.${district}.ev.${s}`;
}

/** How to reach the cluster: its servers, credentials and TLS (one place for every connection the log opens). */
function connectionOptions(opts: ClusterOptions): ConnectionOptions {
  return {
    servers: opts.servers,
    timeout: 5_000,
    ...(opts.user !== undefined ? { user: opts.user, pass: opts.pass ?? '' } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    ...(opts.tls ? { tls: { ...opts.tls } } : {}),
  };
}

/**
 * The cluster credentials and TLS files from the environment (REDWALL_NATS_USER/REDWALL_NATS_PASS or
 * REDWALL_NATS_TOKEN; REDWALL_NATS_CA, REDWALL_NATS_CERT/REDWALL_NATS_KEY): the feed server's and log:migrate's.
 */
export function natsAccessFromEnv(env: NodeJS.ProcessEnv): Pick<ClusterOptions, 'user' | 'pass' | 'token' | 'tls'> {
  return {
    ...(env['REDWALL_NATS_USER'] !== undefined ? { user: env['REDWALL_NATS_USER'], pass: env['REDWALL_NATS_PASS'] ?? '' } : {}),
    ...(env['REDWALL_NATS_TOKEN'] !== undefined ? { token: env['REDWALL_NATS_TOKEN'] } : {}),
    ...(env['REDWALL_NATS_CA'] || env['REDWALL_NATS_CERT']
      ? {
          tls: {
            ...(env['REDWALL_NATS_CA'] ? { caFile: env['REDWALL_NATS_CA'] } : {}),
            ...(env['REDWALL_NATS_CERT'] ? { certFile: env['REDWALL_NATS_CERT'], keyFile: env['REDWALL_NATS_KEY'] ?? '' } : {}),
          },
        }
      : {}),
  };
}

/** Parses `nats://a:4222,b:4222` (the `--log` value) into server URLs; throws with the reason on anything else. */
export function parseLogUrl(raw: string): string[] {
  const servers = raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (!servers.length) throw new Error('--log: no server given (nats://host:port[,host2:port,...])');
  return servers.map((s, i) => {
    const url = i > 0 && !s.includes('://') ? `nats://${s}` : s;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Error(`--log: ${s} is not a URL (nats://host:port)`);
    }
    if (u.protocol !== 'nats:' && u.protocol !== 'tls:') throw new Error(`--log: ${s}: only nats:// or tls:// servers`);
    if (u.username || u.password)
      throw new Error(`--log: ${s}: put credentials in the environment (REDWALL_NATS_USER/REDWALL_NATS_PASS or REDWALL_NATS_TOKEN), not in the URL`);
    return `${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:${u.port || '4222'}`;
  });
}

/** Runs `f` until it succeeds (JetStream unavailable while a cluster elects its leaders), at most ~60 s. */
async function retrying<T>(f: () => Promise<T>, say: (m: string) => void): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= 120) throw e;
      if (i === 0) say(`JetStream not ready (${(e as Error).message}); retrying`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** `p`, or a rejection after `ms` (a request to a node that died may never be answered). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

interface Waiter {
  target: Partial<Seqs>;
  resolve: () => void;
}

/** Publishes one stream's events in seq order: pipelined, then one by one (verified) after any failure. */
class StreamWriter {
  private queue: FeedEvent[] = [];
  private running = false;
  acked: number;
  queued: number;
  constructor(
    private readonly log: JetStreamLog,
    readonly stream: StreamName,
    at: number,
  ) {
    this.acked = at;
    this.queued = at;
  }

  push(ev: FeedEvent): void {
    if (ev.seq !== this.queued + 1) throw new FencedError(`${ev.stream} seq ${ev.seq} after ${this.queued}: the local log and the cluster disagree`);
    this.queued = ev.seq;
    this.queue.push(ev);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length && !this.log.stopped) {
        const batch = this.queue.splice(0, 256);
        const results = await Promise.allSettled(batch.map((ev) => this.log.publishOne(ev)));
        const bad = results.findIndex((r, i) => r.status === 'rejected' || r.value.seq !== batch[i]!.seq);
        if (bad >= 0) for (const ev of batch.slice(bad)) await this.log.publishVerified(ev);
        this.acked = batch[batch.length - 1]!.seq;
        this.log.settle();
      }
    } catch (e) {
      this.log.fatal(e as Error);
    } finally {
      this.running = false;
    }
  }
}

export class JetStreamLog {
  readonly district: string;
  private readonly opts: Required<Pick<ClusterOptions, 'replicas' | 'telemetryMaxAgeMs' | 'leaseTtlMs' | 'gateway'>> & ClusterOptions;
  private readonly say: (m: string) => void;
  nc!: NatsConnection;
  private js!: JetStreamClient;
  jsm!: JetStreamManager;
  private lease!: KV;
  epoch = '';
  stopped = false;
  private writers = new Map<StreamName, StreamWriter>();
  private waiters: Waiter[] = [];
  private followGen = 0;
  private leaseRev = 0;
  private leaseTimer: ReturnType<typeof setInterval> | null = null;
  private lastRenew = 0;
  /** called once when this gateway must stop writing (fenced, lease lost); default: log it */
  onFatal: (e: Error) => void = (e) => this.say(`FATAL: ${e.message}`);
  /** this gateway's writing session (in every message id) */
  private writerId = '';
  /** publish failures retried since start (the cluster was unavailable or electing) */
  retries = 0;

  private constructor(opts: ClusterOptions) {
    if (!NAME.test(opts.district)) throw new Error(`cluster district name "${opts.district}": letters, digits, - and _ only (1-64)`);
    this.district = opts.district;
    this.opts = { replicas: 1, telemetryMaxAgeMs: 7 * 86_400_000, leaseTtlMs: 10_000, gateway: `gw-${process.pid}`, ...opts };
    this.say = (m) => (opts.log ?? (() => undefined))(`cluster ${this.district}: ${m}`);
  }

  /** Connects, makes sure the streams and buckets exist, and settles the cluster's epoch (`candidate` if it has none). */
  static async open(opts: ClusterOptions, candidateEpoch: () => string): Promise<JetStreamLog> {
    const l = new JetStreamLog(opts);
    l.nc = await connect({ ...connectionOptions(opts), name: l.opts.gateway, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    l.js = l.nc.jetstream({ timeout: 5_000 });
    // a cluster that just started (or lost a node) elects its JetStream leaders first: retried for a while
    const meta = await retrying(async () => {
      l.jsm = await l.nc.jetstreamManager({ timeout: 5_000 });
      await l.ensureStreams();
      const kvOpts = { history: 1, replicas: l.opts.replicas };
      const m = await l.js.views.kv(`RW_${l.district}_meta`, kvOpts);
      l.lease = await l.js.views.kv(`RW_${l.district}_lease`, kvOpts);
      return m;
    }, l.say);
    try {
      await meta.create('epoch', candidateEpoch());
    } catch {
      /* exists: the cluster's epoch wins */
    }
    const e = await meta.get('epoch');
    if (!e?.value.length) throw new Error('cluster has no epoch and none could be set');
    l.epoch = new TextDecoder().decode(e.value);
    l.say(`connected to ${opts.servers.join(',')} (epoch ${l.epoch}, R${l.opts.replicas})`);
    return l;
  }

  /** Makes an empty stream start at `firstSeq` (a migrated journal whose telemetry was trimmed by retention). */
  async startAt(s: StreamName, firstSeq: number): Promise<void> {
    if (firstSeq <= 1) return;
    await this.jsm.streams.purge(streamName(this.district, s), { seq: firstSeq });
    const st = (await this.jsm.streams.info(streamName(this.district, s))).state;
    if (st.last_seq !== firstSeq - 1) throw new Error(`${s}: the cluster stream could not be started at ${firstSeq} (it is at ${st.last_seq})`);
  }

  /** Sets the cluster's epoch when it has none yet, or says which it has. */
  static async epochOf(opts: ClusterOptions): Promise<string | null> {
    const l = new JetStreamLog(opts);
    l.nc = await connect(connectionOptions(opts));
    try {
      const js = l.nc.jetstream();
      const meta = await js.views.kv(`RW_${l.district}_meta`, { history: 1, replicas: l.opts.replicas });
      const e = await meta.get('epoch');
      return e?.value.length ? new TextDecoder().decode(e.value) : null;
    } finally {
      await l.nc.close();
    }
  }

  private async ensureStreams(): Promise<void> {
    for (const s of STREAMS) {
      const name = streamName(this.district, s);
      const cfg = {
        name,
        subjects: [subjectOf(this.district, s)],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        num_replicas: this.opts.replicas,
        max_age: RECORD_STREAMS.has(s) ? 0 : nanos(this.opts.telemetryMaxAgeMs),
        duplicate_window: nanos(120_000),
      };
      try {
        await this.jsm.streams.info(name);
      } catch {
        try {
          await this.jsm.streams.add(cfg);
        } catch (e) {
          // another gateway created it meanwhile
          await this.jsm.streams.info(name).catch(() => {
            throw e;
          });
        }
      }
    }
  }

  /** Last sequence of every stream in the cluster. */
  async lastSeqs(): Promise<Seqs> {
    const seqs = emptySeqs();
    for (const s of STREAMS) seqs[s] = (await this.jsm.streams.info(streamName(this.district, s))).state.last_seq;
    return seqs;
  }

  /** The event stored at `seq` of a stream (null: none, trimmed or never written). */
  async eventAt(s: StreamName, seq: number): Promise<FeedEvent | null> {
    try {
      const m = await this.jsm.streams.getMessage(streamName(this.district, s), { seq });
      const r = parseFeedEvent(new TextDecoder().decode(m.data));
      return r.ok ? r.value : null;
    } catch {
      return null;
    }
  }

  /** The message id stored at `seq` (who wrote it), or null. */
  async msgIdAt(s: StreamName, seq: number): Promise<string | null> {
    try {
      const m = await this.jsm.streams.getMessage(streamName(this.district, s), { seq });
      return m.header?.get('Nats-Msg-Id') ?? null;
    } catch {
      return null;
    }
  }

  private decode(s: StreamName, seq: number, data: Uint8Array): FeedEvent | string {
    const r = parseFeedEvent(new TextDecoder().decode(data));
    if (!r.ok) return `${s} message ${seq}: ${r.error}`;
    const ev = r.value;
    if (ev.stream !== s || ev.seq !== seq || ev.epoch !== this.epoch) return `${s} message ${seq} holds ${ev.stream} seq ${ev.seq} of epoch ${ev.epoch}`;
    return ev;
  }

  /**
   * Reads every stream from `after[s] + 1` to its last sequence now (or to `until`), in order, handing each stream's
   * events to `apply` in batches. Invalid messages are skipped, logged and counted (never applied).
   */
  async readRange(after: Seqs, apply: (events: FeedEvent[]) => void, until?: Seqs): Promise<{ events: number; invalid: number }> {
    const last = until ?? (await this.lastSeqs());
    const n = { events: 0, invalid: 0 };
    for (const s of STREAMS) if (last[s] > after[s]) await this.readStream(s, after[s] + 1, last[s], apply, n, () => !this.stopped);
    return n;
  }

  /**
   * One stream from `from` to `to` (Infinity: live, until `go()` says stop), by a loop of fetches from the next
   * sequence. A fetch that fails or stalls (a node died, the stream's leader moved) is read again from where it
   * stopped, on a new consumer: nothing is skipped or read twice.
   */
  private async readStream(
    s: StreamName,
    from: number,
    to: number,
    apply: (events: FeedEvent[]) => void,
    n: { events: number; invalid: number },
    go: () => boolean,
  ): Promise<void> {
    let next = from;
    let failing = false;
    let empty = 0;
    const live = to === Infinity;
    while (next <= to && go()) {
      try {
        const c = await within(this.js.consumers.get(streamName(this.district, s), { opt_start_seq: next }), 10_000, 'creating a consumer');
        while (next <= to && go()) {
          const batch: FeedEvent[] = [];
          const msgs = await within(c.fetch({ max_messages: Math.min(1_000, to - next + 1), expires: 1_000 }), 10_000, 'fetching');
          // a fetch whose node died may never end by itself: stopped after a while, then read again on a new consumer
          let stalled = false;
          const watchdog = setTimeout(() => {
            stalled = true;
            msgs.stop();
          }, 10_000);
          try {
            for await (const m of msgs) {
              if (m.seq < next) continue;
              const d = this.decode(s, m.seq, m.data);
              if (typeof d === 'string') {
                n.invalid++;
                this.say(`skipped: ${d}`);
              } else if (live) {
                // following: each event on as it comes (the caller coalesces), not when the fetch ends
                if (!go()) return;
                apply([d]);
                n.events++;
              } else batch.push(d);
              next = m.seq + 1;
            }
          } finally {
            clearTimeout(watchdog);
          }
          if (!go()) return;
          if (batch.length) {
            apply(batch);
            n.events += batch.length;
          }
          if (stalled) throw new Error('a fetch stalled');
          if (failing) this.say(`reading ${s} again from ${next}`);
          failing = false;
          // a bounded read that finds nothing asks where the stream ends (messages removed at its end)
          if (!batch.length && to !== Infinity && ++empty >= 3) {
            empty = 0;
            const info = await this.jsm.streams.info(streamName(this.district, s));
            if (info.state.last_seq < next) return;
          } else if (batch.length) empty = 0;
        }
      } catch (e) {
        if (!go()) return;
        if (!failing) this.say(`reading ${s} interrupted at ${next} (${(e as Error).message}); retrying`);
        failing = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Follows every stream live from `after[s] + 1`: new events go to `apply` as they come (one stream at a time). */
  async follow(after: Seqs, apply: (events: FeedEvent[]) => void): Promise<void> {
    const gen = ++this.followGen;
    const go = () => !this.stopped && gen === this.followGen;
    const n = { events: 0, invalid: 0 };
    for (const s of STREAMS) void this.readStream(s, after[s] + 1, Infinity, apply, n, go);
  }

  /** Stops following (a fetch under way ends within a second; nothing it read is applied). */
  async unfollow(): Promise<void> {
    this.followGen++;
  }

  /** Starts writing after the given sequences (they must be the cluster's last ones: see readRange). */
  startWriting(at: Seqs): void {
    this.writerId = `${this.opts.gateway}.${Date.now().toString(36)}${Math.floor(Math.random() * 46656).toString(36)}`;
    for (const s of STREAMS) this.writers.set(s, new StreamWriter(this, s, at[s]));
  }

  get writing(): boolean {
    return this.writers.size > 0;
  }

  /** Queues stamped events for the cluster (in seq order per stream); whenDurable() says when they are stored. */
  publish(events: readonly FeedEvent[]): void {
    if (this.stopped) return; // fenced or closed: nothing more reaches the cluster (nor, waiting on it, any screen)
    try {
      for (const ev of events) {
        const w = this.writers.get(ev.stream);
        if (!w) throw new FencedError('this gateway does not hold the lease: it cannot write to the cluster log');
        w.push(ev);
      }
    } catch (e) {
      this.fatal(e as Error);
    }
  }

  /** Resolves once every event queued so far is stored by the cluster (replicated: acknowledged by its quorum). */
  whenDurable(): Promise<void> | null {
    const target: Partial<Seqs> = {};
    let pending = false;
    for (const [s, w] of this.writers) {
      if (w.acked < w.queued) {
        target[s] = w.queued;
        pending = true;
      }
    }
    if (!pending) return null;
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  /** Events queued but not yet stored by the cluster. */
  get unacked(): number {
    let n = 0;
    for (const w of this.writers.values()) n += w.queued - w.acked;
    return n;
  }

  settle(): void {
    this.waiters = this.waiters.filter((w) => {
      for (const [s, seq] of Object.entries(w.target) as Array<[StreamName, number]>) if ((this.writers.get(s)?.acked ?? 0) < seq) return true;
      w.resolve();
      return false;
    });
  }

  private opts4(ev: FeedEvent): { msgID: string; expect: { lastSequence: number }; timeout: number; headers: ReturnType<typeof headers> } {
    const h = headers();
    h.set('RedWall-Gateway', this.opts.gateway);
    // the message id names this writer's session: its own retries are recognised as duplicates, another writer's
    // event for the same seq (same RedWall id) is not
    return { msgID: `${ev.id}@${this.writerId}`, expect: { lastSequence: ev.seq - 1 }, timeout: 5_000, headers: h };
  }

  publishOne(ev: FeedEvent): Promise<PubAck> {
    return this.js.publish(subjectOf(this.district, ev.stream), JSON.stringify(ev), this.opts4(ev));
  }

  /**
   * Publishes one event until the cluster has it at its seq: a timeout or an unavailable cluster is retried (the
   * same message id: a publish that did land is recognised); a refused expectation is ours only when the message
   * stored at that seq is this very event, otherwise another writer got there first (FencedError).
   */
  async publishVerified(ev: FeedEvent): Promise<void> {
    let wait = 100;
    let announced = false;
    for (;;) {
      if (this.stopped) throw new Error('cluster log closed');
      try {
        const ack = await this.publishOne(ev);
        if (ack.seq === ev.seq) {
          if (announced) this.say(`publishing again (${ev.stream} ${ev.seq} stored)`);
          return;
        }
        throw new FencedError(`${ev.stream} event ${ev.seq} was stored at ${ack.seq}: another writer`);
      } catch (e) {
        if (e instanceof FencedError) throw e;
        const err = e as Error & { api_error?: { err_code?: number } };
        if (err.api_error?.err_code === 10071 || /wrong last sequence/i.test(err.message)) {
          if ((await this.msgIdAt(ev.stream, ev.seq)) === `${ev.id}@${this.writerId}`) return;
          throw new FencedError(`${ev.stream} seq ${ev.seq} is taken by another writer: this gateway stops writing`);
        }
        this.retries++;
        if (!announced) {
          announced = true;
          this.say(`cannot publish ${ev.stream} ${ev.seq} (${err.message}); retrying until the cluster takes it`);
        }
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 2_000);
      }
    }
  }

  fatal(e: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.onFatal(e);
  }

  /** the lease revision last seen held by another gateway, and when it was first seen (this process's clock) */
  private seen = { rev: 0, at: 0 };

  /**
   * Tries to take the writer's lease (false: another gateway holds it). The holder renews it every ttl/4 (a new
   * revision of the key); a follower that sees the same revision for a whole ttl, by its own clock, takes it over with
   * an update expecting that revision, so of several followers one wins, and no clocks need to agree. The holder's
   * next renewal then fails: it stops writing (fatal). A renewal impossible for longer than the ttl is fatal too.
   */
  async tryLead(): Promise<boolean> {
    const value = JSON.stringify({ gateway: this.opts.gateway, since: Date.now() });
    try {
      const e = await this.lease.get('leader');
      if (!e || e.operation !== 'PUT') this.leaseRev = e ? await this.lease.update('leader', value, e.revision) : await this.lease.create('leader', value);
      else {
        const now = performance.now();
        if (e.revision !== this.seen.rev) {
          this.seen = { rev: e.revision, at: now };
          return false;
        }
        if (now - this.seen.at < this.opts.leaseTtlMs) return false;
        this.leaseRev = await this.lease.update('leader', value, e.revision);
        this.say(
          `the lease of ${(JSON.parse(new TextDecoder().decode(e.value)) as { gateway?: string }).gateway ?? '?'} was not renewed for ${this.opts.leaseTtlMs} ms: taken over`,
        );
      }
    } catch {
      return false;
    }
    this.lastRenew = Date.now();
    this.leaseTimer = setInterval(() => void this.renew(value), Math.max(250, Math.floor(this.opts.leaseTtlMs / 4)));
    this.say(`${this.opts.gateway} holds the writer's lease`);
    return true;
  }

  private renewing = false;
  private async renew(value: string): Promise<void> {
    if (this.renewing || this.stopped) return;
    this.renewing = true;
    try {
      this.leaseRev = await this.lease.update('leader', value, this.leaseRev);
      this.lastRenew = Date.now();
    } catch (e) {
      const err = e as Error & { api_error?: { err_code?: number } };
      if (err.api_error?.err_code === 10071 || /wrong last sequence/i.test(err.message))
        this.fatal(new FencedError('the writer lease was taken by another gateway'));
      else if (Date.now() - this.lastRenew > this.opts.leaseTtlMs)
        this.fatal(new FencedError(`the writer lease could not be renewed for ${this.opts.leaseTtlMs} ms (${err.message})`));
    } finally {
      this.renewing = false;
    }
  }

  /** Who holds the lease now (null: nobody). */
  async leader(): Promise<string | null> {
    try {
      const e = await this.lease.get('leader');
      if (!e || e.operation !== 'PUT') return null;
      return (JSON.parse(new TextDecoder().decode(e.value)) as { gateway: string }).gateway;
    } catch {
      return null;
    }
  }

  /** Stops writing and following; releases the lease if held (another gateway takes over at once). */
  async close(): Promise<void> {
    const held = this.leaseTimer !== null && !this.stopped;
    this.stopped = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await this.unfollow();
    // a delete marker: the next gateway takes the lease at once (create over a deleted key)
    if (held) await this.lease.delete('leader', { previousSeq: this.leaseRev }).catch(() => undefined);
    await this.nc.drain().catch(() => undefined);
  }
}
