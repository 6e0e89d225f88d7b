/**
 * An MQTT source: subscribes to a broker (Mosquitto, EMQX, NATS' MQTT listener, a carrier platform) and hands every
 * message to the hub. QoS 1 messages are acknowledged (PUBACK) only after the hub has journaled them: mqtt.js sends
 * the PUBACK when `handleMessage`'s callback is called, so the callback waits for the journal. While the journal
 * cannot write, the message is retried every second and nothing further is read (the broker keeps the rest). A
 * persistent session (clean: false, a fixed client id) makes the broker redeliver what was not acknowledged when the
 * gateway died; the journal's origins make the redelivery a no-op.
 *
 * A broker that goes away is retried with backoff (1 s doubling to 30 s); a refused login or subscription is shown as
 * failing with the broker's reason.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { ConnectionState, SourceHub } from './hub.ts';

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

export class MqttSourceClient {
  private client: MqttClient | null = null;
  private attempts = 0;
  /** bumped on every (re)connect: a callback of a message from an older connection must not be called (its PUBACK id could belong to another message now) */
  private generation = 0;
  private stopped = false;
  private retryTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly t: MqttTarget, private readonly hub: SourceHub, private readonly log: (m: string) => void) {}

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
    client.on('connect', (connack) => {
      this.generation++;
      this.attempts = 0;
      client.options.reconnectPeriod = 1_000;
      this.state('connected');
      this.log(`source ${this.t.id}: connected to ${redact(this.t.url)}${connack.sessionPresent ? ' (session kept by the broker)' : ''}`);
      // a new session (or a broker that lost ours) has no subscriptions yet; subscribing again is harmless otherwise
      client.subscribe(
        Object.fromEntries(this.t.topics.map((t) => [t.filter, { qos: t.qos }])),
        (err, granted) => {
          if (err) return this.state('failing', `subscribe failed: ${err.message.slice(0, 200)}`);
          const refused = (granted ?? []).filter((g) => g.qos === 128 || (g.qos as number) > 2);
          if (refused.length) this.state('failing', `the broker refused the subscription to ${refused.map((g) => g.topic).join(', ').slice(0, 200)}`);
        },
      );
    });
    // backoff: mqtt.js reads reconnectPeriod when it schedules the next attempt, right after 'offline'
    client.on('offline', () => {
      this.attempts++;
      client.options.reconnectPeriod = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(this.attempts - 1, 5));
      if (!this.stopped) this.state('reconnecting', `next attempt in ${Math.round(client.options.reconnectPeriod / 1000)} s`);
    });
    client.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      const why = `${err.message}${typeof code === 'string' || typeof code === 'number' ? ` (${code})` : ''}`.slice(0, 250);
      // refused logins and bad client ids do not get better by themselves: failing, still retried with backoff
      const fatal = /not authori[sz]ed|bad user ?name or password|identifier rejected|banned/i.test(err.message);
      this.state(fatal ? 'failing' : 'reconnecting', why);
      this.log(`source ${this.t.id}: ${why}`);
    });
    client.on('close', () => {
      if (this.stopped) return;
      this.generation++;
    });
  }

  private onMessage(packet: IPublishPacket, callback: (err?: Error) => void): void {
    const gen = this.generation;
    const attempt = () => {
      if (this.stopped || gen !== this.generation) return; // the broker redelivers it on the new connection
      const r = this.hub.accept(this.t.id, packet.topic, packet.payload as Uint8Array, { redelivery: packet.dup === true });
      if (r.ok) return callback();
      // not journaled: no PUBACK, nothing further read from this connection, tried again in a second
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        attempt();
      }, 1_000);
      this.retryTimers.add(timer);
    };
    attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync(true).catch(() => undefined);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
