/**
 * The one event contract between feed server and renderer. Validated at runtime on both ends with zod; the renderer
 * imports this folder and never server code. Every event carries the envelope {stream, seq, epoch, ts, id}:
 *  - stream: which journal the event belongs to; seq: strictly increasing per stream within an epoch
 *  - epoch: changes when the server's journal is reset, so a client knows its offsets are void
 *  - ts: source timestamp (ms since Unix epoch); id: globally unique event id
 */
import { z } from 'zod';
import { ALARM_LEVELS, MANHOLE_SENSORS, SENSOR_UNITS } from './manhole.ts';

export const STREAMS = ['manhole'] as const;
export const StreamName = z.enum(STREAMS);
export type StreamName = z.infer<typeof StreamName>;

/** Hard cap for one serialized event; larger payloads are rejected before parsing. */
export const MAX_EVENT_BYTES = 16 * 1024;

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

export const Envelope = z.object({
  stream: StreamName,
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  epoch: z.string().min(1).max(64),
  ts: finite().pipe(z.number().min(0)),
  id: z.string().min(1).max(128),
});
export type Envelope = z.infer<typeof Envelope>;

export const WellId = z.string().regex(/^MH-\d{5}$/, 'well id must look like MH-00001');

export const ManholeReading = Envelope.extend({
  stream: z.literal('manhole'),
  kind: z.literal('manhole.reading'),
  wellId: WellId,
  sensor: z.enum(MANHOLE_SENSORS),
  value: finite(),
  unit: z.enum(SENSOR_UNITS),
  level: z.enum(ALARM_LEVELS),
}).strict();
export type ManholeReading = z.infer<typeof ManholeReading>;

export const FeedEvent = z.discriminatedUnion('kind', [ManholeReading]);
export type FeedEvent = z.infer<typeof FeedEvent>;
export type FeedEventKind = FeedEvent['kind'];

/** Current non-normal state of one well, as sent in a snapshot. */
export const WellState = z.object({
  wellId: WellId,
  sensor: z.enum(MANHOLE_SENSORS),
  value: finite(),
  unit: z.enum(SENSOR_UNITS),
  level: z.enum(ALARM_LEVELS),
  ts: finite(),
}).strict();
export type WellState = z.infer<typeof WellState>;

export const Snapshot = z.object({
  stream: StreamName,
  epoch: z.string().min(1).max(64),
  /** state is complete up to and including this seq */
  seq: z.number().int().nonnegative(),
  ts: finite(),
  /** wells not listed are normal */
  wells: z.array(WellState).max(100_000),
}).strict();
export type Snapshot = z.infer<typeof Snapshot>;

export const Hello = z.object({
  server: z.literal('redwall-feed'),
  protocol: z.literal(1),
  epoch: z.string().min(1).max(64),
  seqs: z.record(StreamName, z.number().int().nonnegative()),
  simulated: z.boolean(),
}).strict();
export type Hello = z.infer<typeof Hello>;

export const Heartbeat = z.object({
  ts: finite(),
  epoch: z.string().min(1).max(64),
  seqs: z.record(StreamName, z.number().int().nonnegative()),
}).strict();
export type Heartbeat = z.infer<typeof Heartbeat>;

/** Socket.io event names (server -> client unless noted). */
export const WIRE = {
  hello: 'hello',
  snapshot: 'snapshot',
  events: 'events',
  heartbeat: 'heartbeat',
  /** client -> server */
  subscribe: 'subscribe',
} as const;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

function byteLength(s: string): number {
  return new TextEncoder().encode(s).byteLength;
}

/**
 * Validates one untrusted event. Never throws: returns a reason that names the offending field(s), so a rejected
 * event can be counted and shown to the operator instead of crashing the stream.
 */
export function parseFeedEvent(raw: unknown): ParseResult<FeedEvent> {
  try {
    if (typeof raw === 'string') {
      if (byteLength(raw) > MAX_EVENT_BYTES) return { ok: false, error: `event larger than ${MAX_EVENT_BYTES} bytes` };
      raw = JSON.parse(raw);
    } else {
      // Objects arriving already decoded: bound their size too (huge arrays/strings hidden in extra fields).
      const s = JSON.stringify(raw);
      if (s === undefined) return { ok: false, error: 'event is not JSON-serializable' };
      if (byteLength(s) > MAX_EVENT_BYTES) return { ok: false, error: `event larger than ${MAX_EVENT_BYTES} bytes` };
    }
  } catch (e) {
    return { ok: false, error: `unparseable event: ${(e as Error).message}` };
  }
  const r = FeedEvent.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, error: first.join('; ') };
}
