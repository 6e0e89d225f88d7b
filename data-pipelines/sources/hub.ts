/**
 * The sources hub: every connected source (MQTT, HTTP push, the simulator published through a broker) enters here.
 * One message at a time: mapped (mapping.ts), its readings journaled through the feed core (exactly once: the
 * envelope `origin` makes a redelivery a no-op), whatever could not be mapped written to the quarantine journal, and
 * only then is it acknowledged (the caller sends PUBACK / answers 202). While the journal cannot write, nothing is
 * acknowledged: the platform keeps the message and redelivers it.
 *
 * It also keeps each source's health for the operator (state, rate, last message, counts, latest quarantined
 * samples) and raises the feed-health alarms: "no data from source X for N minutes" (quiet) and "source X is down"
 * (MQTT connection lost for longer than downAlarmAfterS); both return to normal by themselves.
 */
import { createHash } from 'node:crypto';
import { parseFeedEvent, type Draft, type FeedEvent } from '../contracts/events.ts';
import type { SourceState, SourceStatus, SourcesStatus } from '../contracts/sources.ts';
import type { FeedCore } from '../feed/core.ts';
import { contentMessageId, mapMessage, safeSample, type MapResult } from './mapping.ts';
import type { LoadedSource } from './load.ts';
import { QuarantineLog, type QuarantineEntry } from './quarantine.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'failing' | 'listening';

/** What the transport needs to know: acknowledge (ok) or not (the journal cannot write now; retry / redeliver). */
export type AcceptResult =
  { ok: true; journaled: number; duplicates: number; quarantined: Array<{ reason: string; detail: string; path: string }> } | { ok: false; error: string };

export interface HubSource {
  id: string;
  name?: string;
  kind: 'mqtt' | 'http';
  file: string;
  endpoint: string;
  quietAfterMin: number;
  downAlarmAfterS: number;
  /** one message → drafts (with dedup ids) and quarantined parts */
  decode: (topic: string, payload: Uint8Array, receivedAt: number) => MapResult;
  /** the loaded declarative source (absent for the built-in simulator source) */
  loaded?: LoadedSource;
}

interface Health {
  src: HubSource;
  conn: ConnectionState;
  connSince: number;
  detail?: string;
  messages: number;
  journaled: number;
  duplicates: number;
  quarantined: number;
  lastMessageAt: number | null;
  /** messages per second over the rate window: a ring of one-second buckets (second number, count) */
  rateSec: number[];
  rateCount: number[];
  /** alarms this hub believes raised (mirrors the engine; re-synced on start) */
  quietAlarm: boolean;
  downAlarm: boolean;
  startedAt: number;
}

export interface HubOptions {
  core: FeedCore;
  /** sends journaled events to the screens */
  emit: (events: FeedEvent[]) => void;
  quarantineDir: string;
  quarantineWrite?: (fd: number, buf: Buffer, offset: number) => number;
  log?: (m: string) => void;
  now?: () => number;
}

/** the rate shown is messages per second over the last 10 whole seconds */
const RATE_SECONDS = 10;
const hash32 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** No message for the source's quietAfterMin (counted from the gateway's start when none came yet). */
function isQuiet(h: Health, now: number): boolean {
  return now - (h.lastMessageAt ?? h.startedAt) > h.src.quietAfterMin * 60_000;
}

/** A declarative source (loaded from a redwall-sources/1 file) as the hub runs it. */
export function declarativeSource(l: LoadedSource): HubSource {
  const s = l.source;
  return {
    id: s.id,
    ...(s.name !== undefined ? { name: s.name } : {}),
    kind: s.kind,
    file: l.file,
    endpoint: s.kind === 'mqtt' ? redactUrl(s.mqtt.url) : `POST /api/ingest/${s.id}/…`,
    quietAfterMin: s.quietAfterMin,
    downAlarmAfterS: s.downAlarmAfterS,
    // the journal checks each draft against the contract; what it refuses comes back and is quarantined
    decode: (topic, payload, receivedAt) => mapMessage(s, topic, payload, receivedAt, l.registry, { validate: false }),
    loaded: l,
  };
}

/** A broker URL as shown to operators: never the credentials. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

export class SourceHub {
  readonly quarantine: QuarantineLog;
  private readonly health = new Map<string, Health>();
  private readonly log: (m: string) => void;
  private readonly now: () => number;

  constructor(
    sources: HubSource[],
    private readonly opts: HubOptions,
  ) {
    this.log = opts.log ?? (() => undefined);
    this.now = opts.now ?? Date.now;
    this.quarantine = new QuarantineLog({ dir: opts.quarantineDir, log: this.log, ...(opts.quarantineWrite ? { write: opts.quarantineWrite } : {}) });
    if (this.quarantine.unreadable) this.log(`quarantine journal: ${this.quarantine.unreadable} unreadable lines skipped`);
    const t = this.now();
    for (const src of sources) {
      if (this.health.has(src.id)) throw new Error(`source id ${src.id} is used twice`);
      this.health.set(src.id, {
        src,
        conn: src.kind === 'http' ? 'listening' : 'connecting',
        connSince: t,
        messages: 0,
        journaled: 0,
        duplicates: 0,
        quarantined: 0,
        lastMessageAt: null,
        rateSec: new Array<number>(RATE_SECONDS).fill(-1),
        rateCount: new Array<number>(RATE_SECONDS).fill(0),
        startedAt: t,
        // alarms open from before a restart stay open until the source proves healthy
        quietAlarm: opts.core.engine.sourceAlarmActive(src.id, 'quiet'),
        downAlarm: opts.core.engine.sourceAlarmActive(src.id, 'down'),
      });
    }
  }

  sources(): HubSource[] {
    return [...this.health.values()].map((h) => h.src);
  }

  source(id: string): HubSource | undefined {
    return this.health.get(id)?.src;
  }

  /**
   * One message from source `id` (MQTT topic, or the HTTP path after /api/ingest/<id>). Never throws. `ok` means it
   * is journaled (readings) and quarantined (the rest): acknowledge it now.
   */
  accept(id: string, topic: string, payload: Uint8Array, opts: { receivedAt?: number; redelivery?: boolean } = {}): AcceptResult {
    return this.acceptMany(id, [{ topic, payload, ...(opts.redelivery !== undefined ? { redelivery: opts.redelivery } : {}) }], opts.receivedAt);
  }

  /**
   * Several messages of one source at once (those an MQTT connection read together): their readings journaled in one
   * append, all or nothing, in order. `ok` means every one of them may be acknowledged now.
   */
  /** When what was accepted is durable (null: now): see FeedCore.durable. */
  durable(): Promise<void> | null {
    return this.opts.core.durable();
  }

  acceptMany(id: string, messages: ReadonlyArray<{ topic: string; payload: Uint8Array; redelivery?: boolean }>, receivedAt: number = this.now()): AcceptResult {
    const h = this.health.get(id);
    if (!h) return { ok: false, error: `no source ${id}` };
    const mapped = messages.map((m) => {
      let res: MapResult;
      try {
        res = h.src.decode(m.topic, m.payload, receivedAt);
      } catch (e) {
        // mapping is total; a bug must still not lose the message silently
        res = {
          drafts: [],
          dedupIds: [],
          messageId: contentMessageId(id, m.topic, m.payload),
          flags: [],
          quarantined: [
            {
              reason: 'internal-error',
              detail: `mapping failed: ${(e as Error).message.slice(0, 200)}`,
              path: m.topic.slice(0, 200),
              sample: safeSample(m.payload),
            },
          ],
        };
      }
      // A platform's own message id is unique: always checked. Without one, the id is a hash of the bytes, and the
      // same bytes twice are two readings (a car park reporting the same count again) unless the transport says this
      // may be a redelivery (MQTT DUP flag: the broker resends what was never acknowledged; HTTP: a retried push).
      const check = res.messageId.startsWith(`${id}:m:`) || m.redelivery === true;
      return { m, res, check };
    });
    const drafts: Draft[] = [];
    const checks: boolean[] = [];
    const messageOf = new Map<Draft, number>();
    mapped.forEach(({ res, check }, k) => {
      res.drafts.forEach((d, i) => {
        const draft = { ...d, origin: `${id}/${hash32(res.dedupIds[i] ?? `${res.messageId}#${i}`)}` } as Draft;
        drafts.push(draft);
        checks.push(check);
        messageOf.set(draft, k);
      });
    });
    let journaled = 0;
    let duplicates = 0;
    if (drafts.length) {
      const r = this.opts.core.acceptSource(drafts, checks);
      if (!r) return { ok: false, error: this.opts.core.journalRefusal() ?? 'journal cannot write' };
      journaled = drafts.length - r.duplicates - r.rejected.length;
      duplicates = r.duplicates;
      // a draft the event contract refuses is quarantined with its message, like any other unmappable part
      for (const x of r.rejected) {
        const k = messageOf.get(x.draft);
        if (k === undefined) continue;
        const { m, res } = mapped[k]!;
        res.quarantined.push({ reason: 'invalid-event', detail: x.error.slice(0, 300), path: '$', sample: safeSample(m.payload) });
      }
      if (r.events.length) this.opts.emit(r.events);
    }
    let quarantined = 0;
    const reasons: Array<{ reason: string; detail: string; path: string }> = [];
    for (const { m, res, check } of mapped) {
      if (!res.quarantined.length) continue;
      const msg = hash32(res.messageId);
      const entries: QuarantineEntry[] = res.quarantined.map((q) => ({
        at: receivedAt,
        source: id,
        msg,
        topic: m.topic.slice(0, 300),
        reason: q.reason,
        detail: q.detail.slice(0, 400),
        path: q.path.slice(0, 220),
        sample: q.sample.slice(0, 1000),
        ...(q.device !== undefined ? { device: q.device.slice(0, 128) } : {}),
      }));
      try {
        quarantined += this.quarantine.append(entries, check);
      } catch (e) {
        // readings (if any) are journaled; the redelivery finds them there and retries the quarantine part
        return { ok: false, error: `quarantine journal cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.slice(0, 80)})` };
      }
      for (const q of res.quarantined) if (reasons.length < 5) reasons.push({ reason: q.reason, detail: q.detail, path: q.path });
    }
    // readings kept with the received time (device clock off or unreadable): noted beside the quarantine, not counted in it
    for (const { m, res, check } of mapped) {
      if (!res.flags.length) continue;
      const msg = hash32(`${res.messageId}#flags`);
      try {
        this.quarantine.append(
          res.flags.slice(0, 20).map((f) => ({
            at: receivedAt,
            source: id,
            msg,
            topic: m.topic.slice(0, 300),
            reason: f.flag,
            detail: f.detail.slice(0, 400),
            path: '$',
            sample: safeSample(m.payload),
          })),
          check,
        );
      } catch {
        // a note: the readings are journaled; not worth refusing the message for
      }
    }
    h.messages += messages.length;
    h.journaled += journaled;
    h.duplicates += duplicates;
    h.quarantined += quarantined;
    h.lastMessageAt = receivedAt;
    const sec = Math.floor(receivedAt / 1000);
    const slot = ((sec % RATE_SECONDS) + RATE_SECONDS) % RATE_SECONDS;
    if (h.rateSec[slot] !== sec) {
      h.rateSec[slot] = sec;
      h.rateCount[slot] = 0;
    }
    h.rateCount[slot]! += messages.length;
    if (h.quietAlarm) this.healthAlarm(h, 'quiet', false, receivedAt, '');
    return { ok: true, journaled, duplicates, quarantined: reasons };
  }

  /** A transport's connection state changed (MQTT): shown to the operator, and the basis of the "down" alarm. */
  setConnection(id: string, conn: ConnectionState, detail?: string): void {
    const h = this.health.get(id);
    if (!h) return;
    if (h.conn !== conn) {
      h.conn = conn;
      h.connSince = this.now();
    }
    if (detail !== undefined) h.detail = detail.slice(0, 300);
    else if (conn === 'connected') delete h.detail;
    if (conn === 'connected' && h.downAlarm) this.healthAlarm(h, 'down', false, this.now(), '');
  }

  /** Raises or clears the feed-health alarms; call it on the server's tick. */
  tick(now: number = this.now()): void {
    for (const h of this.health.values()) {
      const quiet = isQuiet(h, now);
      if (quiet && !h.quietAlarm)
        this.healthAlarm(
          h,
          'quiet',
          true,
          now,
          `no data from source ${h.src.id} for ${h.src.quietAfterMin} min${h.lastMessageAt === null ? ' (none since the gateway started)' : ` (last at ${new Date(h.lastMessageAt).toISOString()})`}`,
        );
      const down = h.src.kind === 'mqtt' && h.conn !== 'connected' && now - h.connSince > h.src.downAlarmAfterS * 1000;
      if (down && !h.downAlarm)
        this.healthAlarm(h, 'down', true, now, `source ${h.src.id} is ${h.conn} for more than ${h.src.downAlarmAfterS} s${h.detail ? `: ${h.detail}` : ''}`);
      // an alarm raised before a restart whose condition is over
      if (!down && h.downAlarm && h.conn === 'connected') this.healthAlarm(h, 'down', false, now, '');
    }
  }

  private healthAlarm(h: Health, cause: 'quiet' | 'down', bad: boolean, now: number, note: string): void {
    const events = this.opts.core.sourceHealth(h.src.id, cause, bad, now, note);
    // the journal cannot write: tried again on a later tick / message
    if (events === null) return;
    if (cause === 'quiet') h.quietAlarm = bad;
    else h.downAlarm = bad;
    if (bad) this.log(note);
    if (events.length) this.opts.emit(events);
  }

  /** Every source's health for the operator (sources panel, GET /api/sources). */
  status(now: number = this.now()): SourcesStatus {
    const sources: SourceStatus[] = [];
    for (const h of this.health.values()) {
      const q = this.quarantine.of(h.src.id);
      const quiet = isQuiet(h, now);
      const state: SourceState = (h.conn === 'connected' || h.conn === 'listening') && quiet ? 'quiet' : h.conn;
      // the last RATE_SECONDS whole seconds before the current one
      const nowSec = Math.floor(now / 1000);
      let inWindow = 0;
      for (let i = 0; i < RATE_SECONDS; i++) if (h.rateSec[i]! < nowSec && h.rateSec[i]! >= nowSec - RATE_SECONDS) inWindow += h.rateCount[i]!;
      sources.push({
        id: h.src.id,
        ...(h.src.name !== undefined ? { name: h.src.name.slice(0, 120) } : {}),
        kind: h.src.kind,
        state,
        since: state === 'quiet' ? (h.lastMessageAt ?? h.startedAt) + h.src.quietAfterMin * 60_000 : h.connSince,
        ...(h.detail !== undefined ? { detail: h.detail } : {}),
        endpoint: h.src.endpoint.slice(0, 300),
        file: h.src.file.slice(-300),
        quietAfterMin: h.src.quietAfterMin,
        ratePerS: Math.round((inWindow / RATE_SECONDS) * 10) / 10,
        lastMessageAt: h.lastMessageAt,
        messages: h.messages,
        journaled: h.journaled,
        duplicates: h.duplicates,
        quarantined: h.quarantined,
        byReason: q.byReason,
        recent: q.recent.map(({ at, reason, detail, path, sample, topic, device }) => ({
          at,
          reason,
          detail,
          path,
          sample,
          topic,
          ...(device !== undefined ? { device } : {}),
        })),
      });
    }
    return { ts: now, sources };
  }

  close(): void {
    this.quarantine.close();
  }
}

/** Streams the built-in simulator may publish through a broker (--sim-via): sensor feeds only, never records. */
const NATIVE_STREAMS = new Set(['manhole', 'camera', 'parking', 'fire', 'care', 'env']);

/**
 * The simulator's own messages (--sim-via mqtt://…): `{"id": "<run>-<n>", "drafts": [Draft, …]}`, each draft checked
 * against the event contract. Not for platforms (they use a redwall-sources/1 mapping); for RedWall's own publisher.
 */
export function nativeDecode(sourceId: string, maxBytes: number): HubSource['decode'] {
  return (topic, payload, receivedAt) => {
    const res: MapResult = { drafts: [], dedupIds: [], messageId: contentMessageId(sourceId, topic, payload), quarantined: [], flags: [] };
    const bad = (reason: MapResult['quarantined'][number]['reason'], detail: string, path: string) =>
      res.quarantined.push({ reason, detail, path, sample: safeSample(payload) });
    if (payload.byteLength > maxBytes) {
      bad('too-large', `message is ${payload.byteLength} bytes, at most ${maxBytes}`, topic);
      return res;
    }
    let msg: { id?: unknown; drafts?: unknown };
    try {
      msg = JSON.parse(Buffer.from(payload).toString('utf8')) as typeof msg;
    } catch (e) {
      bad('bad-json', `not JSON: ${(e as Error).message.slice(0, 120)}`, '$');
      return res;
    }
    if (typeof msg?.id === 'string' && msg.id.length <= 128) res.messageId = `${sourceId}:m:${msg.id}`;
    if (!Array.isArray(msg?.drafts)) {
      bad('bad-batch', 'expected {"id", "drafts": [...]}', '$.drafts');
      return res;
    }
    msg.drafts.forEach((d: unknown, i: number) => {
      const stream = (d as { stream?: unknown } | null)?.stream;
      if (typeof stream !== 'string' || !NATIVE_STREAMS.has(stream))
        return void bad('invalid-event', `stream ${JSON.stringify(String(stream)).slice(0, 40)} may not be published by a source`, `$.drafts[${i}].stream`);
      const check = parseFeedEvent({ ...(d as object), seq: 1, epoch: 'check', id: 'check' });
      if (!check.ok) return void bad('invalid-event', check.error, `$.drafts[${i}]`);
      const { seq: _s, epoch: _e, id: _i, ...draft } = check.value;
      void _s;
      void _e;
      void _i;
      res.drafts.push({ ...draft, ts: Number.isFinite(draft.ts) ? draft.ts : receivedAt } as Draft);
      res.dedupIds.push(`${res.messageId}#${i}`);
    });
    return res;
  };
}
