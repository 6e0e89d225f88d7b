/**
 * An MQTT source: subscribes to a broker (Mosquitto, EMQX, NATS' MQTT listener, a carrier platform) and hands its
 * messages to the hub. A QoS 1 message is acknowledged (PUBACK) only after the hub has journaled it. Messages read
 * together are journaled together (one append; group commit): mqtt.js processes one packet at a time and sends the
 * PUBACK when `handleMessage` calls back, so the PUBACK it sends is held here (the `_sendPacket` wrapper) and written
 * once the batch is journaled, all in one socket write. While the journal cannot write, nothing is acknowledged,
 * nothing further is read (the broker keeps the rest) and the batch is retried every second. A persistent session
 * (clean: false, a fixed client id) makes the broker redeliver what was not acknowledged when the gateway died; the
 * journal's origins and the DUP flag make the redelivery a no-op.
 *
 * A broker that goes away is retried with backoff (1 s doubling to 30 s); a refused login or subscription is shown as
 * failing with the broker's reason.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import { redactUrl, type ConnectionState, type SourceHub } from './hub.ts';

export interface MqttTarget {
  id: string;
  url: string;
  topics: Array<{ filter: string; qos: 0 | 1 }>;
  clientId: string;
  username?: string;
  password?: string;
  protocolVersion: 4 | 5;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

const MAX_BACKOFF_MS = 30_000;

/** Flushed at once beyond this many messages read together (bounds one append). */
const MAX_BATCH = 5_000;

interface Pending {
  packet: IPublishPacket;
  /** connection generation it arrived on: its PUBACK is only ever sent on that connection */
  gen: number;
  /** the PUBACK mqtt.js wanted to send for it (QoS 1), held until journaled */
  ack: Packet | null;
}

export class MqttSourceClient {
  private client: MqttClient | null = null;
  private attempts = 0;
  /** bumped on every (re)connect and close: a PUBACK of a message from an older connection is never sent */
  private generation = 0;
  private stopped = false;
  private batch: Pending[] = [];
  private flushScheduled = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** set while the journal refuses the batch: reading stops (this callback resumes it) */
  private held: (() => void) | null = null;
  /** the message whose PUBACK mqtt.js is about to send (captured by the _sendPacket wrapper) */
  private capturing: Pending | null = null;
  private send: ((packet: Packet, cb?: (err?: Error) => void) => void) | null = null;
  /** the last connection error since the last successful connect (shown with the reconnect delay) */
  private lastError: { why: string; fatal: boolean } | null = null;
  private loggedError = '';

  constructor(
    private readonly t: MqttTarget,
    private readonly hub: SourceHub,
    private readonly log: (m: string) => void,
  ) {}

  private state(s: ConnectionState, detail?: string): void {
    this.hub.setConnection(this.t.id, s, detail);
  }

  start(): void {
    const opts: IClientOptions = {
      clientId: this.t.clientId,
      clean: false,
      protocolVersion: this.t.protocolVersion,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      keepalive: 30,
      resubscribe: true,
      ...(this.t.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } } : {}),
      ...(this.t.username !== undefined ? { username: this.t.username } : {}),
      ...(this.t.password !== undefined ? { password: this.t.password } : {}),
      ...(this.t.tls?.ca ? { ca: this.t.tls.ca } : {}),
      ...(this.t.tls?.cert ? { cert: this.t.tls.cert } : {}),
      ...(this.t.tls?.key ? { key: this.t.tls.key } : {}),
      rejectUnauthorized: true,
    };
    this.state('connecting');
    const client = mqtt.connect(this.t.url, opts);
    this.client = client;
    client.handleMessage = (packet, callback) => this.onMessage(packet as IPublishPacket, callback);
    // Hold the PUBACK of a message until its batch is journaled (mqtt.js sends it right after handleMessage calls
    // back). Everything else goes out as mqtt.js wants. mqtt is pinned to an exact version (package.json).
    const internals = client as unknown as { _sendPacket: (packet: Packet, cb?: (err?: Error) => void, cbStorePut?: unknown, noStore?: boolean) => void };
    const original = internals._sendPacket.bind(client);
    this.send = (packet, cb) => original(packet, cb);
    internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
      const p = this.capturing;
      if (p && packet.cmd === 'puback' && (packet as { messageId?: number }).messageId === p.packet.messageId) {
        this.capturing = null;
        p.ack = packet;
        cb?.();
        return;
      }
      original(packet, cb, cbStorePut, noStore);
    };
    client.on('connect', (connack) => {
      this.generation++;
      this.attempts = 0;
      this.lastError = null;
      this.loggedError = '';
      client.options.reconnectPeriod = 1_000;
      this.state('connected');
      this.log(`source ${this.t.id}: connected to ${redactUrl(this.t.url)}${connack.sessionPresent ? ' (session kept by the broker)' : ''}`);
      // a new session (or a broker that lost ours) has no subscriptions yet; subscribing again is harmless otherwise
      client.subscribe(Object.fromEntries(this.t.topics.map((t) => [t.filter, { qos: t.qos }])), (err, granted) => {
        if (err) return this.state('failing', `subscribe failed: ${err.message.slice(0, 200)}`);
        const refused = (granted ?? []).filter((g) => g.qos === 128 || (g.qos as number) > 2);
        if (refused.length)
          this.state(
            'failing',
            `the broker refused the subscription to ${refused
              .map((g) => g.topic)
              .join(', ')
              .slice(0, 200)}`,
          );
      });
    });
    // backoff: mqtt.js reads reconnectPeriod when it schedules the next attempt, right after 'offline'
    client.on('offline', () => {
      this.attempts++;
      client.options.reconnectPeriod = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(this.attempts - 1, 5));
      const next = `next attempt in ${Math.round(client.options.reconnectPeriod / 1000)} s`;
      if (!this.stopped) this.state(this.lastError?.fatal ? 'failing' : 'reconnecting', this.lastError ? `${this.lastError.why}; ${next}` : next);
    });
    client.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      const why = `${err.message}${typeof code === 'string' || typeof code === 'number' ? ` (${code})` : ''}`.slice(0, 250);
      // refused logins and bad client ids do not get better by themselves: failing (still retried, with backoff)
      const fatal = /not authori[sz]ed|bad user ?name or password|identifier rejected|banned/i.test(err.message);
      this.lastError = { why, fatal };
      this.state(fatal ? 'failing' : 'reconnecting', why);
      if (this.loggedError !== why) this.log(`source ${this.t.id}: ${why}`);
      this.loggedError = why;
    });
    client.on('close', () => {
      if (this.stopped) return;
      this.generation++;
    });
  }

  private onMessage(packet: IPublishPacket, callback: (err?: Error) => void): void {
    const p: Pending = { packet, gen: this.generation, ack: null };
    this.batch.push(p);
    const go = () => {
      this.capturing = p;
      callback(); // mqtt.js "sends" the PUBACK now: captured, and it goes on with the next packet
      if (this.capturing === p) this.capturing = null;
    };
    // while the journal refuses writes, stop reading (the broker keeps the rest); the timer retries the batch
    if (this.retryTimer) {
      this.held = go;
      return;
    }
    go();
    if (this.batch.length >= MAX_BATCH) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Journals what was read (one append) and only then sends its PUBACKs, in one write. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.stopped || !this.batch.length) return;
    const batch = this.batch;
    this.batch = [];
    // messages of an older connection are journaled too (their data is good); the broker redelivers them with DUP
    const r = this.hub.acceptMany(
      this.t.id,
      batch.map((p) => ({ topic: p.packet.topic, payload: p.packet.payload as Uint8Array, redelivery: p.packet.dup === true })),
    );
    if (!r.ok) {
      this.batch = batch.concat(this.batch);
      if (!this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.flush();
        }, 1_000);
      }
      return;
    }
    // the message reading stopped at (journal refused) is in this batch: let mqtt.js produce its PUBACK first
    const resume = this.held;
    this.held = null;
    resume?.();
    // PUBACKs only once the journaled batch is durable (at once with the embedded journal; a cluster log's quorum)
    const sendAcks = () => {
      const c = this.client;
      if (c?.connected && this.send) for (const p of batch) if (p.ack && p.gen === this.generation) this.send(p.ack);
    };
    const durable = this.hub.durable();
    if (durable) void durable.then(sendAcks);
    else sendAcks();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(true).catch(() => undefined);
  }
}
