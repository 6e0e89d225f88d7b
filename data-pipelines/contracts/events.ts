/**
 * The one event contract between feed server and renderer. Validated at runtime on both ends with zod; the renderer
 * imports this folder and never server code. Every event carries the envelope {stream, seq, epoch, ts, id}:
 *  - stream: which journal the event belongs to; seq: strictly increasing by 1 per stream within an epoch
 *  - epoch: identifies one journal; it survives server restarts and changes only when the journal is reset, so a
 *    client knows whether its offsets are still meaningful
 *  - ts: source timestamp (ms since Unix epoch); id: globally unique event id ("epoch:stream:seq")
 */
import { z } from 'zod';
import { CAMERA_ID_RE } from './cameras.ts';
import { Alarm, AlarmCommand, ALARM_STATES, OPERATOR_ACTIONS, SYSTEM_ACTIONS } from './alarm.ts';
import { ALARM_LEVELS, MANHOLE_SENSORS, SENSOR_UNITS } from './manhole.ts';
import { CitizenRequest, REQUEST_ACTIONS } from './citizen-request.ts';
import { TASK_ACTIONS, VisitTask } from './tasks.ts';

export const STREAMS = ['manhole', 'camera', 'parking', 'fire', 'care', 'env', 'alarm', 'drill', 'request', 'task'] as const;
export const StreamName = z.enum(STREAMS);
export type StreamName = z.infer<typeof StreamName>;

/** Hard cap for one serialized event; larger payloads are rejected before validation. */
export const MAX_EVENT_BYTES = 16 * 1024;

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');
const lon = () => finite().pipe(z.number().min(-180).max(180));
const lat = () => finite().pipe(z.number().min(-90).max(90));
const id = (re: RegExp, what: string) => z.string().regex(re, `${what} id has the wrong shape`);
const DrillIdSchema = id(/^D-[A-Za-z0-9_-]{1,48}$/, 'drill');

export const Envelope = z.object({
  stream: StreamName,
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  epoch: z.string().min(1).max(64),
  ts: finite().pipe(z.number().min(0)),
  id: z.string().min(1).max(128),
  /** set on events that belong to a drill scenario; never mixed with real alarms */
  drill: z.boolean().optional(),
  /** which drill run (with drill: true) */
  drillId: DrillIdSchema.optional(),
  /**
   * Events from a connected source (contracts/sources.ts): "<source id>/<32 hex>", the hash of the platform message
   * and reading it came from. The journal keeps it, so a message redelivered after a crash is recognised as a no-op.
   */
  origin: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,47}\/[0-9a-f]{32}$/, 'origin must be "<source id>/<32 hex>"')
    .optional(),
});
export type Envelope = z.infer<typeof Envelope>;

export const WellId = id(/^MH-\d{5}$/, 'well');
/** the demo's CAM-0001 and a registry's ids (GB/T 28181 channel codes…): contracts/cameras.ts */
export const CameraId = id(CAMERA_ID_RE, 'camera');
export const SosId = id(/^SOS-\d{3}$/, 'SOS button');
export const PlaceId = id(/^(PL-\d{3}|RS-\d{5})$/, 'parking place');
export const DetectorId = id(/^SD-\d{1,6}-\d{1,3}-\d$/, 'detector');
export const CareDeviceId = id(/^CR-\d{5}$/, 'care device');
export const StationId = id(/^ENV-\d{2}$/, 'station');

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

export const CameraStatus = Envelope.extend({
  stream: z.literal('camera'),
  kind: z.literal('camera.status'),
  cameraId: CameraId,
  online: z.boolean(),
  /** 'device': the camera itself (platform status); 'stream': its video stream failed or stalled at a player */
  cause: z.enum(['device', 'stream']).optional(),
  /** what failed, in the player's words (e.g. manifestLoadError, no signal, hvc1…) */
  detail: z.string().max(200).optional(),
}).strict();
export type CameraStatus = z.infer<typeof CameraStatus>;

export const CameraPtz = Envelope.extend({
  stream: z.literal('camera'),
  kind: z.literal('camera.ptz'),
  cameraId: CameraId,
  /** degrees clockwise from north */
  heading: finite().pipe(z.number().min(0).lt(360)),
  reason: z.enum(['sos', 'operator', 'patrol']),
  targetLon: lon().optional(),
  targetLat: lat().optional(),
}).strict();
export type CameraPtz = z.infer<typeof CameraPtz>;

export const CameraSos = Envelope.extend({
  stream: z.literal('camera'),
  kind: z.literal('camera.sos'),
  buttonId: SosId,
  lon: lon(),
  lat: lat(),
}).strict();
export type CameraSos = z.infer<typeof CameraSos>;

/**
 * A still of a camera's live picture attached to an alarm (issue 20): the picture is kept by the feed server
 * (<journal>/snapshots/<snapshotId>.jpg, fetched with the video socket op); the journal records that it was taken.
 */
export const CameraSnapshot = Envelope.extend({
  stream: z.literal('camera'),
  kind: z.literal('camera.snapshot'),
  cameraId: CameraId,
  snapshotId: z.string().regex(/^SNAP-\d{13}-[0-9a-f]{8}$/, 'snapshot id has the wrong shape'),
  alarmId: z.string().min(1).max(128).optional(),
  /** or the citizen request it documents */
  requestId: z.string().min(1).max(64).optional(),
  bytes: z.number().int().positive().max(10_000_000),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  by: z.string().min(1).max(64),
}).strict();
export type CameraSnapshot = z.infer<typeof CameraSnapshot>;

export const ParkingOccupancy = Envelope.extend({
  stream: z.literal('parking'),
  kind: z.literal('parking.occupancy'),
  placeId: PlaceId,
  occupied: z.number().int().min(0).max(5000),
  capacity: z.number().int().min(1).max(5000),
})
  .strict()
  .refine((e) => e.occupied <= e.capacity, 'occupied exceeds capacity');
export type ParkingOccupancy = z.infer<typeof ParkingOccupancy>;

export const FIRE_STATES = ['normal', 'smoke', 'fire', 'fault'] as const;
export const FireDetector = Envelope.extend({
  stream: z.literal('fire'),
  kind: z.literal('fire.detector'),
  detectorId: DetectorId,
  buildingId: z.number().int().nonnegative(),
  floor: z.number().int().min(-10).max(200),
  state: z.enum(FIRE_STATES),
  /** smoke obscuration, %/m */
  obscuration: finite().pipe(z.number().min(0).max(100)),
}).strict();
export type FireDetector = z.infer<typeof FireDetector>;

export const CARE_REASONS = ['sos', 'fall', 'inactivity', 'cancel'] as const;
export const CareCall = Envelope.extend({
  stream: z.literal('care'),
  kind: z.literal('care.call'),
  deviceId: CareDeviceId,
  buildingId: z.number().int().nonnegative(),
  device: z.enum(['wearable', 'button']),
  reason: z.enum(CARE_REASONS),
  lon: lon(),
  lat: lat(),
}).strict();
export type CareCall = z.infer<typeof CareCall>;

export const ENV_METRICS = ['aqi', 'pm25', 'noise', 'water_ph'] as const;
export const EnvReading = Envelope.extend({
  stream: z.literal('env'),
  kind: z.literal('env.reading'),
  stationId: StationId,
  metric: z.enum(ENV_METRICS),
  value: finite(),
  unit: z.enum(['index', 'ug/m3', 'dB(A)', 'pH']),
  level: z.enum(ALARM_LEVELS),
}).strict();
export type EnvReading = z.infer<typeof EnvReading>;

export const AlarmUpdate = Envelope.extend({
  stream: z.literal('alarm'),
  kind: z.literal('alarm.update'),
  action: z.enum([...OPERATOR_ACTIONS, ...SYSTEM_ACTIONS]),
  by: z.string().min(1).max(64),
  commandId: z.string().min(8).max(64).optional(),
  alarm: Alarm,
}).strict();
export type AlarmUpdate = z.infer<typeof AlarmUpdate>;

export const DRILL_STATES = ['started', 'step', 'ended', 'aborted'] as const;
/** Drill lifecycle on its own stream (kept forever, like alarms): the timeline of every drill run. */
export const DrillStatus = Envelope.extend({
  stream: z.literal('drill'),
  kind: z.literal('drill.status'),
  drill: z.literal(true),
  drillId: DrillIdSchema,
  name: z.string().min(1).max(120),
  state: z.enum(DRILL_STATES),
  /** index of the scenario step (state 'step') */
  step: z.number().int().min(0).max(10_000).optional(),
  /** what happened, for the timeline ("3F stair A smoke", "aborted by 值班员") */
  note: z.string().max(300).optional(),
  /** when the run started (all states), so a late joiner can place it on the timeline */
  startedAt: finite(),
}).strict();
export type DrillStatus = z.infer<typeof DrillStatus>;

/** A citizen request's (12345/444 work order's) state after one step; the request stream is a record, never trimmed. */
export const RequestUpdate = Envelope.extend({
  stream: z.literal('request'),
  kind: z.literal('request.update'),
  action: z.enum(REQUEST_ACTIONS),
  by: z.string().min(1).max(64),
  commandId: z.string().min(8).max(64).optional(),
  request: CitizenRequest,
}).strict();
export type RequestUpdate = z.infer<typeof RequestUpdate>;

/** A visit task's state after one step (created, done, cancelled): pushed to every console, grid staff act on theirs. */
export const TaskUpdate = Envelope.extend({
  stream: z.literal('task'),
  kind: z.literal('task.update'),
  action: z.enum(TASK_ACTIONS),
  by: z.string().min(1).max(64),
  commandId: z.string().min(8).max(64).optional(),
  task: VisitTask,
}).strict();
export type TaskUpdate = z.infer<typeof TaskUpdate>;

export const FeedEvent = z.union([
  ManholeReading,
  CameraStatus,
  CameraPtz,
  CameraSos,
  CameraSnapshot,
  ParkingOccupancy,
  FireDetector,
  CareCall,
  EnvReading,
  AlarmUpdate,
  DrillStatus,
  RequestUpdate,
  TaskUpdate,
]);
export type FeedEvent = z.infer<typeof FeedEvent>;
export type FeedEventKind = FeedEvent['kind'];
const SCHEMA_BY_KIND: Record<FeedEventKind, z.ZodType> = {
  'manhole.reading': ManholeReading,
  'camera.status': CameraStatus,
  'camera.ptz': CameraPtz,
  'camera.sos': CameraSos,
  'camera.snapshot': CameraSnapshot,
  'parking.occupancy': ParkingOccupancy,
  'fire.detector': FireDetector,
  'care.call': CareCall,
  'env.reading': EnvReading,
  'alarm.update': AlarmUpdate,
  'drill.status': DrillStatus,
  'request.update': RequestUpdate,
  'task.update': TaskUpdate,
};
export const EVENT_KINDS = Object.keys(SCHEMA_BY_KIND) as FeedEventKind[];

/** An event before the journal stamps it (seq, epoch and id are assigned on append). */
export type Draft<E extends FeedEvent = FeedEvent> = E extends FeedEvent ? Omit<E, 'seq' | 'epoch' | 'id'> : never;

/** Current non-normal state of one well, as kept in snapshots. */
export const WellState = z
  .object({
    wellId: WellId,
    sensor: z.enum(MANHOLE_SENSORS),
    value: finite(),
    unit: z.enum(SENSOR_UNITS),
    level: z.enum(ALARM_LEVELS),
    ts: finite(),
  })
  .strict();
export type WellState = z.infer<typeof WellState>;

export const Seqs = z.record(StreamName, z.number().int().nonnegative());
export type Seqs = z.infer<typeof Seqs>;

export const Snapshot = z
  .object({
    epoch: z.string().min(1).max(64),
    ts: finite(),
    /** state is complete up to and including these seqs */
    seqs: Seqs,
    /** latest event per key of each stream, as a compacted log (wells not listed are normal, etc.) */
    events: z.array(z.unknown()).max(500_000),
  })
  .strict();
export type Snapshot = z.infer<typeof Snapshot>;

export const Hello = z
  .object({
    server: z.literal('redwall-feed'),
    protocol: z.literal(2),
    epoch: z.string().min(1).max(64),
    seqs: Seqs,
    simulated: z.boolean(),
  })
  .strict();
export type Hello = z.infer<typeof Hello>;

/**
 * Whether the server's journal can write (a full or failing disk). While it cannot, the server keeps serving what it
 * has, refuses commands (nothing is acknowledged that is not on disk), holds incoming events in a bounded buffer
 * (not sent: every sent event is journaled) and journals them once the disk takes writes again; what overflowed the
 * buffer is counted in `lost`. Every screen shows it as a banner.
 */
export const JournalHealth = z
  .object({
    writable: z.boolean(),
    /** the refused write's error code (ENOSPC, EIO, …) while not writable */
    code: z.string().max(32).optional(),
    /** the refused write's message while not writable */
    error: z.string().max(500).optional(),
    /** when this outage began (ms) */
    since: finite().optional(),
    /** events received but not journaled yet (held in memory, sent once written) */
    held: z.number().int().nonnegative(),
    /** events that overflowed the held buffer since the server started: lost for good */
    lost: z.number().int().nonnegative(),
  })
  .strict();
export type JournalHealth = z.infer<typeof JournalHealth>;

export const Heartbeat = z
  .object({
    ts: finite(),
    epoch: z.string().min(1).max(64),
    seqs: Seqs,
    /** the journal's health (servers before 2026-12 do not send it) */
    journal: JournalHealth.optional(),
  })
  .strict();
export type Heartbeat = z.infer<typeof Heartbeat>;

/** client -> server: where the client stands; the server replays from there or sends a snapshot. */
export const Subscribe = z
  .object({
    epoch: z.string().min(1).max(64).nullable(),
    since: z.partialRecord(StreamName, z.number().int().nonnegative()),
  })
  .strict();
export type Subscribe = z.infer<typeof Subscribe>;

/**
 * server -> client: this client fell too far behind the live stream (its send queue reached the server's bound), so
 * live events stopped for it; once its queue has drained it receives a `snapshot` and live events resume.
 */
export const Resync = z
  .object({
    reason: z.literal('slow-client'),
    /** the bound it reached (bytes queued for it) */
    queuedBytes: z.number().int().nonnegative(),
  })
  .strict();
export type Resync = z.infer<typeof Resync>;

/** server -> client: the exact events after the client's offsets (or `snapshot` when they are too old). */
export const Replay = z
  .object({
    epoch: z.string().min(1).max(64),
    events: z.array(z.unknown()).max(500_000),
    seqs: Seqs,
  })
  .strict();
export type Replay = z.infer<typeof Replay>;

/** A time window of the journal (replay / after-action): state before `from`, then the window's events. */
export const JournalWindow = z
  .object({
    epoch: z.string().min(1).max(64),
    from: finite(),
    to: finite(),
    /** state is complete up to these seqs at `from`; the window's events follow them gap-free, in time order and in
     *  seq order within each stream (so they apply in the order given) */
    seqs: Seqs,
    initial: z.array(z.unknown()).max(500_000),
    events: z.array(z.unknown()).max(500_000),
    /** the window held more events than the cap: `events` stops early */
    truncated: z.boolean(),
  })
  .strict();
export type JournalWindow = Omit<z.infer<typeof JournalWindow>, 'initial' | 'events'> & { initial: FeedEvent[]; events: FeedEvent[] };

export const JournalRequest = z
  .object({
    from: finite(),
    to: finite(),
    streams: z.array(StreamName).optional(),
    maxEvents: z.number().int().min(1).max(200_000).optional(),
  })
  .strict()
  .refine((r) => r.to >= r.from, 'to must not be before from');
export type JournalRequest = z.infer<typeof JournalRequest>;

/** client -> server drill control (with an ack: DrillAck) */
export const DrillRequest = z.discriminatedUnion('op', [
  z.object({ op: z.literal('start'), scenario: z.unknown(), by: z.string().min(1).max(64) }).strict(),
  z.object({ op: z.literal('stop'), by: z.string().min(1).max(64) }).strict(),
  z.object({ op: z.literal('list') }).strict(),
]);
export type DrillRequest = z.infer<typeof DrillRequest>;

/** Why a drill list (op: list) offers no scenario file: the drill panel says so instead of a silently disabled button. */
export const DRILL_LIST_EMPTY = ['no-folder', 'folder-missing', 'no-files', 'all-invalid'] as const;
export type DrillListEmpty = (typeof DRILL_LIST_EMPTY)[number];

export const DrillAck = z.union([
  z
    .object({
      ok: z.literal(true),
      drillId: z.string().optional(),
      running: z.object({ drillId: z.string(), name: z.string(), startedAt: finite(), endsAt: finite() }).nullable(),
      scenarios: z
        .array(z.object({ file: z.string(), name: z.string(), description: z.string().optional(), steps: z.number(), durationS: z.number() }))
        .optional(),
      invalid: z.array(z.object({ file: z.string(), error: z.string().max(2000) })).optional(),
      emptyBecause: z.enum(DRILL_LIST_EMPTY).optional(),
    })
    .strict(),
  z.object({ ok: z.literal(false), error: z.string().max(2000) }).strict(),
]);
export type DrillAck = z.infer<typeof DrillAck>;

export const CommandAck = z.union([
  z.object({ ok: z.literal(true), seq: z.number().int().positive(), alarm: Alarm, duplicate: z.boolean() }).strict(),
  z.object({ ok: z.literal(false), error: z.string().max(500) }).strict(),
]);
export type CommandAck = z.infer<typeof CommandAck>;

export { AlarmCommand, ALARM_STATES };

/** Socket.io event names. */
export const WIRE = {
  hello: 'hello',
  snapshot: 'snapshot',
  replay: 'replay',
  events: 'events',
  heartbeat: 'heartbeat',
  /** server -> client, Resync: live events paused for a slow client, a snapshot follows once it has caught up */
  resync: 'resync',
  /** client -> server */
  subscribe: 'subscribe',
  /** client -> server, with an ack callback receiving CommandAck */
  command: 'command',
  /** client -> server, DrillRequest with an ack callback receiving DrillAck */
  drill: 'drill',
  /** client -> server, JournalRequest with an ack callback receiving JournalWindow | {error} */
  journal: 'journal',
  /**
   * client -> server, {from?, to?, step?} (ms) with an ack receiving {csv, truncated, rows} | {error}: the same sampled
   * parking history as GET /api/history/parking, over the authenticated socket (no CORS preflight from app://)
   */
  parkingHistory: 'parking-history',
  /** client -> server, LoginRequest / LogoutRequest (contracts/auth.ts) with an ack receiving LoginAnswer / LogoutAnswer */
  login: 'login',
  logout: 'logout',
  /** client -> server, PeopleRequest (contracts/people.ts) with an ack receiving PeopleAnswer: masked unless allowed */
  people: 'people',
  /** client -> server, RequestWire (contracts/citizen-request.ts) with an ack receiving RequestAck */
  request: 'request',
  /** client -> server, TaskRequest (contracts/tasks.ts) with an ack receiving TaskAck */
  task: 'task',
  /** client -> server, VideoRequest (contracts/video.ts) with an ack receiving VideoAnswer: registry, stream health, stills */
  video: 'video',
  /** client -> server, {} with an ack receiving SopAnswer (contracts/socket-ops.ts): the SOP files this gateway loaded */
  sop: 'sop',
  /** server -> client, SourcesStatus (contracts/sources.ts): the connected sources' health, on connect and on change */
  sources: 'sources',
} as const;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

const encoder = new TextEncoder();

/**
 * Validates one untrusted event. Never throws: returns a reason that names the offending field(s), so a rejected
 * event can be counted and shown to the operator instead of crashing the stream.
 */
export function parseFeedEvent(raw: unknown): ParseResult<FeedEvent> {
  try {
    if (typeof raw === 'string') {
      if (encoder.encode(raw).byteLength > MAX_EVENT_BYTES) return { ok: false, error: `event larger than ${MAX_EVENT_BYTES} bytes` };
      raw = JSON.parse(raw);
    } else {
      // Objects arriving already decoded: bound their size too (huge arrays/strings hidden in extra fields).
      const s = JSON.stringify(raw);
      if (s === undefined) return { ok: false, error: 'event is not JSON-serializable' };
      if (encoder.encode(s).byteLength > MAX_EVENT_BYTES) return { ok: false, error: `event larger than ${MAX_EVENT_BYTES} bytes` };
    }
  } catch (e) {
    return { ok: false, error: `unparseable event: ${(e as Error).message}` };
  }
  const kind = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { kind?: unknown }).kind : undefined;
  const schema = typeof kind === 'string' ? SCHEMA_BY_KIND[kind as FeedEventKind] : undefined;
  if (!schema) return { ok: false, error: `unknown event kind ${String(JSON.stringify(kind)).slice(0, 40)}` };
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data as FeedEvent };
  const first = r.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  return { ok: false, error: `${kind}: ${first.join('; ')}` };
}
