/**
 * `--sim-via mqtt://HOST:PORT`: the demo goes through the same door as real feeds. The simulator's live drafts are
 * published to the broker (QoS 1, `redwall/sim/<stream>`, `{"id", "drafts"}` in chunks) and read back by a built-in
 * MQTT source (`simulator`) with the same acknowledgement, dedup, quarantine and health rules as any platform.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Draft } from '../contracts/events.ts';
import { nativeDecode, redactUrl, type HubSource } from './hub.ts';
import type { MqttTarget } from './mqtt-source.ts';

export const SIM_SOURCE_ID = 'simulator';
export const SIM_TOPIC_ROOT = 'redwall/sim';
const CHUNK = 200;
/** drafts kept while the broker is away (simulated data: beyond this, the oldest are dropped and counted) */
const MAX_PENDING = 50_000;

export function checkSimViaUrl(url: string): string | null {
  return /^mqtts?:\/\/[^\s/]+(:\d{1,5})?\/?$/.test(url) ? null : `--sim-via takes mqtt://HOST:PORT (or mqtts://), got ${JSON.stringify(url.slice(0, 100))}`;
}

/** The built-in source reading the simulator back from the broker. */
export function simSource(url: string): { hub: HubSource; target: MqttTarget } {
  return {
    hub: {
      id: SIM_SOURCE_ID,
      name: 'Simulator via MQTT (--sim-via)',
      kind: 'mqtt',
      file: '(built in: --sim-via)',
      endpoint: redactUrl(url),
      quietAfterMin: 2,
      downAlarmAfterS: 30,
      decode: nativeDecode(SIM_SOURCE_ID, 1024 * 1024),
    },
    target: { id: SIM_SOURCE_ID, url, topics: [{ filter: `${SIM_TOPIC_ROOT}/#`, qos: 1 }], clientId: 'redwall-sim-gateway', protocolVersion: 4 },
  };
}

export class SimPublisher {
  private readonly client: MqttClient;
  private readonly run = randomBytes(6).toString('hex');
  private n = 0;
  private pending: Draft[] = [];
  dropped = 0;

  constructor(
    url: string,
    private readonly log: (m: string) => void,
  ) {
    this.client = mqtt.connect(url, { clientId: `redwall-sim-pub-${this.run}`, clean: true, reconnectPeriod: 2_000, connectTimeout: 10_000 });
    this.client.on('connect', () => this.flush());
    this.client.on('error', (e) => this.log(`simulator publisher: ${e.message}`));
  }

  publish(drafts: Draft[]): void {
    this.pending.push(...drafts);
    if (this.pending.length > MAX_PENDING) {
      const over = this.pending.length - MAX_PENDING;
      this.pending.splice(0, over);
      if (this.dropped === 0 || Math.floor((this.dropped + over) / 10_000) > Math.floor(this.dropped / 10_000))
        this.log(`simulator publisher: broker unreachable, ${this.dropped + over} simulated readings dropped so far`);
      this.dropped += over;
    }
    this.flush();
  }

  private flush(): void {
    if (!this.client.connected) return;
    const out = this.pending;
    this.pending = [];
    const byStream = new Map<string, Draft[]>();
    for (const d of out) {
      let l = byStream.get(d.stream);
      if (!l) byStream.set(d.stream, (l = []));
      l.push(d);
    }
    for (const [stream, list] of byStream) {
      for (let i = 0; i < list.length; i += CHUNK) {
        const id = `${this.run}-${++this.n}`;
        this.client.publish(`${SIM_TOPIC_ROOT}/${stream}`, JSON.stringify({ id, drafts: list.slice(i, i + CHUNK) }), { qos: 1 });
      }
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(false).catch(() => undefined);
  }
}
