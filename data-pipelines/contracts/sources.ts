/**
 * `redwall-sources/1`: how a district's own sensor platforms (MQTT brokers, HTTP push) map onto the feed's existing
 * event kinds. Pure (zod only), so the sources panel can show a file's errors too. A district is connected by writing
 * such a file and a device registry (data-pipelines/sources/registry.ts), not code. See docs/sources.md.
 */
import { z } from 'zod';
import { CARE_REASONS, FIRE_STATES } from './events.ts';
import { MANHOLE_SENSORS, SENSOR_SPECS, type ManholeSensor, type SensorUnit } from './manhole.ts';

export const SOURCES_FORMAT = 'redwall-sources/1';

/** The event kinds a source may produce: exactly the feed's existing drafts (no new streams). */
export const SOURCE_EVENTS = ['manhole.reading', 'fire.detector', 'parking.occupancy', 'care.call', 'camera.sos', 'camera.status'] as const;
export type SourceEvent = (typeof SOURCE_EVENTS)[number];

/** `$`, then `.name`, `[3]` or `['any name']` steps; `$$` addresses the message root inside a batch element. */
const JSON_PATH_RE = /^\$\$?(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d{1,6}\]|\['(?:[^'\\]|\\.){1,100}'\])*$/;
export const JsonPath = z
  .string()
  .max(300)
  .regex(JSON_PATH_RE, "must be a JSON path like $.payload.APPdata, $.items[0] or $['a b'] ($$ = message root inside a batch)");
export type JsonPath = z.infer<typeof JsonPath>;

/** Parses a JSON path (already checked against the schema) into steps; `root` is true for `$$`. */
export function jsonPathSteps(path: string): { root: boolean; steps: Array<string | number> } {
  const root = path.startsWith('$$');
  const steps: Array<string | number> = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)+)'\]/g;
  for (const m of path.slice(root ? 2 : 1).matchAll(re)) {
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push(m[3]!.replace(/\\(.)/g, '$1'));
  }
  return { root, steps };
}

const CAPTURE_RE = /^\{([A-Za-z_][A-Za-z0-9_]{0,31})\}$/;

/** Checks an MQTT topic filter (+, # and {name} captures, each a whole level) or an HTTP path pattern. */
function patternProblem(p: string, kind: 'mqtt' | 'http'): string | null {
  if (p.length === 0 || p.length > 300) return 'must be 1 to 300 characters';
  if (/[\u0000-\u001f]/.test(p)) return 'must not contain control characters';
  if (kind === 'http' && !p.startsWith('/')) return 'an HTTP path pattern starts with /';
  const levels = p.split('/');
  const names = new Set<string>();
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l === '#') {
      if (kind === 'http') return "'#' is for MQTT topic filters only";
      if (i !== levels.length - 1) return "'#' may only be the last level";
      continue;
    }
    if (l === '+') continue;
    const cap = CAPTURE_RE.exec(l);
    if (cap) {
      if (names.has(cap[1]!)) return `capture {${cap[1]}} appears twice`;
      names.add(cap[1]!);
      continue;
    }
    if (/[+#{}]/.test(l)) return `level "${l.slice(0, 40)}": '+', '#' and {name} must fill a whole level`;
  }
  return null;
}

/** Units a value may arrive in, and how each becomes the contract's unit (manhole sensors). */
export const UNIT_CONVERSIONS: Record<string, { to: SensorUnit; convert: (v: number) => number }> = {
  mm: { to: 'mm', convert: (v) => v },
  cm: { to: 'mm', convert: (v) => v * 10 },
  m: { to: 'mm', convert: (v) => v * 1000 },
  deg: { to: 'deg', convert: (v) => v },
  rad: { to: 'deg', convert: (v) => (v * 180) / Math.PI },
  '%': { to: '%', convert: (v) => v },
  fraction: { to: '%', convert: (v) => v * 100 },
  '%LEL': { to: '%LEL', convert: (v) => v },
  ppm: { to: 'ppm', convert: (v) => v },
  '%vol': { to: '%vol', convert: (v) => v },
  degC: { to: 'degC', convert: (v) => v },
  degF: { to: 'degC', convert: (v) => ((v - 32) * 5) / 9 },
  bool: { to: 'bool', convert: (v) => v },
  MPa: { to: 'MPa', convert: (v) => v },
  kPa: { to: 'MPa', convert: (v) => v / 1000 },
  bar: { to: 'MPa', convert: (v) => v / 10 },
};
/** Conversions between the contract's own units (ppm and %vol of the same gas: 1 %vol = 10,000 ppm). There is no
 *  ppm → %LEL: that depends on which gas, so a platform reporting ppm of methane must say %LEL itself. */
const EXTRA_CONVERSIONS: Record<string, Partial<Record<SensorUnit, (v: number) => number>>> = {
  ppm: { '%vol': (v) => v / 10_000 },
  '%vol': { ppm: (v) => v * 10_000 },
};
export const SOURCE_UNITS = Object.keys(UNIT_CONVERSIONS) as [string, ...string[]];

/** The function turning a reading in `from` into the contract unit `to`, or null when no conversion is defined. */
export function unitConversion(from: string, to: SensorUnit): ((v: number) => number) | null {
  const c = UNIT_CONVERSIONS[from];
  if (c && c.to === to) return c.convert;
  return EXTRA_CONVERSIONS[from]?.[to] ?? null;
}

const FIELD_TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32'] as const;
export const FIELD_BYTES: Record<(typeof FIELD_TYPES)[number], number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4 };

export const LayoutField = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,31}$/, 'a field name is a short identifier'),
    offset: z.number().int().min(0).max(4096),
    type: z.enum(FIELD_TYPES),
    endian: z.enum(['big', 'little']).default('big'),
  })
  .strict();
export type LayoutField = z.infer<typeof LayoutField>;

export const Payload = z.discriminatedUnion('decode', [
  z.object({ decode: z.literal('json') }).strict(),
  z
    .object({
      decode: z.enum(['base64', 'hex']),
      /** where the encoded bytes sit in the JSON envelope */
      field: JsonPath,
      layout: z.array(LayoutField).min(1).max(64),
    })
    .strict()
    .superRefine((p, ctx) => {
      const seen = new Set<string>();
      p.layout.forEach((f, i) => {
        if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['layout', i, 'name'], message: `field "${f.name}" is declared twice` });
        seen.add(f.name);
      });
    }),
]);
export type Payload = z.infer<typeof Payload>;

const scalar = z.union([z.string().max(64), z.number(), z.boolean()]);
export const ValueSpec = z
  .object({
    /** where the value sits in the JSON (or batch element) */
    path: JsonPath.optional(),
    /** a field of the binary layout */
    field: z.string().max(32).optional(),
    /** raw value (as a string) → value, for enums and codes ("1" → "fire"); a raw value not listed is quarantined */
    map: z.record(z.string().max(64), scalar).optional(),
    scale: z.number().refine(Number.isFinite, 'must be a finite number').default(1),
    /** the unit the platform reports in (manhole sensors): converted to the contract's unit */
    unit: z.enum(SOURCE_UNITS).optional(),
    /** accepted range after scale and unit conversion; outside it the value is quarantined */
    min: z.number().optional(),
    max: z.number().optional(),
    /** a message without this value is fine (otherwise it is quarantined as missing) */
    optional: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.path === undefined) === (v.field === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of path (JSON) or field (binary layout)' });
    if (v.min !== undefined && v.max !== undefined && v.min > v.max) ctx.addIssue({ code: 'custom', path: ['min'], message: 'min is above max' });
  });
export type ValueSpec = z.infer<typeof ValueSpec>;

export const DeviceSpec = z
  .object({
    /** a named capture of the topic filter / path pattern */
    capture: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,31}$/)
      .optional(),
    /** one JSON path, or several joined with `join` (e.g. building, floor, zone and device of a fire panel) */
    path: JsonPath.optional(),
    paths: z.array(JsonPath).min(2).max(8).optional(),
    join: z.string().max(4).default('-'),
  })
  .strict()
  .refine((d) => [d.capture, d.path, d.paths].filter((x) => x !== undefined).length === 1, 'give exactly one of capture, path or paths');
export type DeviceSpec = z.infer<typeof DeviceSpec>;

export const TIME_FORMATS = ['epoch-ms', 'epoch-s', 'iso8601', 'yyyy-MM-dd HH:mm:ss'] as const;
export const TimeSpec = z.discriminatedUnion('from', [
  z.object({ from: z.literal('received') }).strict(),
  z
    .object({
      from: z.literal('device'),
      path: JsonPath,
      format: z.enum(TIME_FORMATS),
      /** zone of times written without one ('yyyy-MM-dd HH:mm:ss', ISO-8601 without offset) */
      zone: z.enum(['Asia/Shanghai', 'UTC']).default('Asia/Shanghai'),
    })
    .strict(),
]);
export type TimeSpec = z.infer<typeof TimeSpec>;

const ENUM_VALUES: Record<string, readonly string[]> = { state: FIRE_STATES, reason: CARE_REASONS };

/** Values each event kind takes (and which are required). */
export const EVENT_VALUES: Record<SourceEvent, { allowed: readonly string[]; required: readonly string[][] }> = {
  'manhole.reading': { allowed: MANHOLE_SENSORS, required: [] },
  'fire.detector': { allowed: ['state', 'obscuration'], required: [['state']] },
  'parking.occupancy': { allowed: ['occupied', 'free', 'capacity'], required: [['occupied', 'free']] },
  'care.call': { allowed: ['reason'], required: [] },
  'camera.sos': { allowed: [], required: [] },
  'camera.status': { allowed: ['online'], required: [['online']] },
};

export const Route = z
  .object({
    /** MQTT topic filter (+, #, {name} captures) or, for HTTP, the path after /api/ingest/<source> */
    match: z.string(),
    /** only messages whose value at `path` equals `equals` (e.g. CTWing messageType "dataReport") */
    when: z.object({ path: JsonPath, equals: scalar }).strict().optional(),
    event: z.enum(SOURCE_EVENTS),
    /** a JSON path to an array of readings; other paths then address one element ($$ the whole message) */
    batch: JsonPath.optional(),
    device: DeviceSpec,
    time: TimeSpec.default({ from: 'received' }),
    /** the platform's own message id, unique per topic, for dedup of redeliveries (otherwise a hash of source, topic and bytes) */
    messageId: JsonPath.optional(),
    payload: Payload.default({ decode: 'json' }),
    values: z.record(z.string(), ValueSpec).default({}),
  })
  .strict();
export type Route = z.infer<typeof Route>;

const sourceId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'a source id is 1-48 lowercase letters, digits, - or _');
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name (A-Z, 0-9, _)');
const filePath = z.string().min(1).max(1000);

const common = {
  id: sourceId,
  name: z.string().max(120).optional(),
  /** minutes without a message before the feed-health alarm "no data from source X for N minutes" */
  quietAfterMin: z
    .number()
    .min(1)
    .max(7 * 24 * 60),
  /** device time further than this from the received time: received time is used and the reading flagged */
  maxSkewS: z
    .number()
    .min(1)
    .max(7 * 24 * 3600)
    .default(300),
  /** seconds an MQTT source may be disconnected before the feed-health alarm "source X is down" */
  downAlarmAfterS: z
    .number()
    .min(5)
    .max(24 * 3600)
    .default(30),
  /** messages larger than this are quarantined unread */
  maxMessageBytes: z
    .number()
    .int()
    .min(256)
    .max(1024 * 1024)
    .default(64 * 1024),
  /** the device registry (CSV or JSON), relative to this file */
  registry: filePath,
  routes: z.array(Route).min(1).max(100),
};

export const MqttConnection = z
  .object({
    url: z.string().regex(/^(mqtt|mqtts|ws|wss):\/\/[^\s/]+(\/\S*)?$/, 'must be mqtt://host:port, mqtts://, ws:// or wss://'),
    topics: z
      .array(
        z
          .object({
            /** subscribed as given; `$share/{group}/` spreads one topic over several gateways */
            filter: z.string().min(1).max(300),
            /**
             * 1 (default): acknowledged only once journaled, redelivered by the broker otherwise. 0: may be lost (no ack).
             * 2 is refused: its PUBREC would hand the message over before it is journaled.
             */
            qos: z
              .union([z.literal(0), z.literal(1)], {
                error: 'qos must be 0 or 1 (RedWall acknowledges QoS 1 only after journaling; QoS 2 would hand the message over before that)',
              })
              .default(1),
          })
          .strict(),
      )
      .min(1)
      .max(100),
    /** a fixed client id keeps the broker session (and un-acknowledged messages) across a gateway restart; default redwall-<source id> */
    clientId: z.string().min(1).max(64).optional(),
    /** MQTT 3.1.1 (4, default: every broker and carrier platform) or 5 */
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4),
    username: z.string().max(128).optional(),
    password: z.string().max(256).optional(),
    passwordEnv: envName.optional(),
    tls: z.object({ ca: filePath.optional(), cert: filePath.optional(), key: filePath.optional() }).strict().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.password !== undefined && c.passwordEnv !== undefined)
      ctx.addIssue({ code: 'custom', path: ['passwordEnv'], message: 'give password or passwordEnv, not both' });
    if (c.tls && (c.tls.cert === undefined) !== (c.tls.key === undefined))
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'a client certificate needs both cert and key' });
  });

export const HttpConnection = z
  .object({
    /** the environment variable holding this source's own bearer token (never the operator token, never inline) */
    tokenEnv: envName,
    token: z.never({ error: 'inline tokens are not allowed here: put the token in an environment variable and name it in tokenEnv' }).optional(),
    /** the status answered once a push is journaled: 202 (default), or 200 for platforms that count anything else as a failure (CTWing) */
    ackStatus: z.union([z.literal(200), z.literal(202)]).default(202),
  })
  .strict();

export const Source = z
  .discriminatedUnion('kind', [
    z.object({ ...common, kind: z.literal('mqtt'), mqtt: MqttConnection }).strict(),
    z.object({ ...common, kind: z.literal('http'), http: HttpConnection }).strict(),
  ])
  .superRefine((s, ctx) => {
    s.routes.forEach((r, i) => {
      const bad = patternProblem(r.match, s.kind);
      if (bad) ctx.addIssue({ code: 'custom', path: ['routes', i, 'match'], message: bad });
      const captures = new Set([...r.match.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!));
      if (r.device.capture !== undefined && !captures.has(r.device.capture))
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'device', 'capture'], message: `the pattern has no capture {${r.device.capture}}` });
      const spec = EVENT_VALUES[r.event];
      const fields = new Set(r.payload.decode === 'json' ? [] : r.payload.layout.map((f) => f.name));
      for (const [name, v] of Object.entries(r.values)) {
        const at = ['routes', i, 'values', name];
        if (!spec.allowed.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: at,
            message: `${r.event} takes no value "${name}"${spec.allowed.length ? ` (it takes ${spec.allowed.join(', ')})` : ''}`,
          });
          continue;
        }
        if (v.field !== undefined && !fields.has(v.field))
          ctx.addIssue({
            code: 'custom',
            path: [...at, 'field'],
            message: r.payload.decode === 'json' ? 'a layout field needs payload.decode base64 or hex' : `the layout has no field "${v.field}"`,
          });
        const codes = ENUM_VALUES[name];
        if (codes && r.event !== 'manhole.reading' && v.map) {
          for (const [k, out] of Object.entries(v.map))
            if (typeof out !== 'string' || !codes.includes(out))
              ctx.addIssue({ code: 'custom', path: [...at, 'map', k], message: `must be one of ${codes.join(', ')}` });
        }
        if (v.unit !== undefined) {
          if (r.event !== 'manhole.reading') ctx.addIssue({ code: 'custom', path: [...at, 'unit'], message: 'units are converted for manhole sensors only' });
          else {
            const to = SENSOR_UNIT_OF[name as ManholeSensor];
            if (!unitConversion(v.unit, to))
              ctx.addIssue({ code: 'custom', path: [...at, 'unit'], message: `no conversion from ${v.unit} to ${to} (the ${name} sensor's unit)` });
          }
        }
      }
      for (const group of spec.required) {
        if (!group.some((g) => g in r.values))
          ctx.addIssue({ code: 'custom', path: ['routes', i, 'values'], message: `${r.event} needs a value ${group.map((g) => `"${g}"`).join(' or ')}` });
      }
      if (r.event === 'manhole.reading' && Object.keys(r.values).length === 0)
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'values'], message: 'manhole.reading needs at least one sensor value' });
      if (s.kind === 'mqtt') {
        // every route should be reachable from a subscription (a typo in either leaves a route that never fires)
        const subs = s.mqtt.topics.map((t) => t.filter.replace(/^\$share\/[^/]+\//, '').replace(/\{[^}/]*\}/g, '+'));
        const asFilter = r.match.replace(/\{[^}/]*\}/g, '+');
        if (!subs.some((f) => filterCovers(f, asFilter)))
          ctx.addIssue({ code: 'custom', path: ['routes', i, 'match'], message: 'no subscribed topic filter (mqtt.topics) covers this route' });
      }
    });
  });
export type Source = z.infer<typeof Source>;
export type MqttSource = Extract<Source, { kind: 'mqtt' }>;
export type HttpSource = Extract<Source, { kind: 'http' }>;

const SENSOR_UNIT_OF = Object.fromEntries(MANHOLE_SENSORS.map((s) => [s, SENSOR_SPECS[s].unit])) as Record<ManholeSensor, SensorUnit>;

/** Whether MQTT filter `a` receives every topic filter `b` would (used to check routes against subscriptions). */
function filterCovers(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < x.length; i++) {
    if (x[i] === '#') return true;
    if (i >= y.length) return false;
    if (y[i] === '#') return false;
    if (x[i] !== '+' && x[i] !== y[i]) return false;
  }
  return x.length === y.length;
}

export const SourcesFile = z
  .object({
    format: z.literal(SOURCES_FORMAT, { error: `format must be "${SOURCES_FORMAT}"` }),
    sources: z.array(Source).min(1).max(200),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Map<string, number>();
    f.sources.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({ code: 'custom', path: ['sources', i, 'id'], message: `source id "${s.id}" is already used by sources[${seen.get(s.id)}]` });
      else seen.set(s.id, i);
    });
  });
export type SourcesFile = z.infer<typeof SourcesFile>;

/** `sources[1].routes[0].values.gas.path` from zod's path array. */
export function formatJsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const s = String(p);
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? (out ? `.${s}` : s) : `[${JSON.stringify(s)}]`;
    }
  }
  return out || '(root)';
}

export type SourcesParse = { ok: true; value: SourcesFile } | { ok: false; errors: string[] };

/** Parses a `redwall-sources/1` file. Never throws; every error names the file and the JSON path. */
export function parseSourcesFile(text: string, fileName: string): SourcesParse {
  if (text.length > 4 * 1024 * 1024) return { ok: false, errors: [`${fileName}: larger than 4 MiB`] };
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, errors: [`${fileName}: not JSON: ${(e as Error).message.slice(0, 200)}`] };
  }
  const r = SourcesFile.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, errors: r.error.issues.slice(0, 50).map((i) => `${fileName}: ${formatJsonPath(i.path)}: ${i.message}`) };
}

/** What the operator sees of a source (sources panel, GET /api/sources). */
export const SOURCE_STATES = ['connecting', 'connected', 'listening', 'reconnecting', 'quiet', 'failing'] as const;
export type SourceState = (typeof SOURCE_STATES)[number];

const count = () => z.number().int().min(0);
export const QuarantineSample = z
  .object({
    at: z.number(),
    reason: z.string().max(32),
    detail: z.string().max(400),
    path: z.string().max(220),
    sample: z.string().max(1000),
    topic: z.string().max(300),
    device: z.string().max(128).optional(),
  })
  .strict();
export type QuarantineSample = z.infer<typeof QuarantineSample>;

export const SourceStatus = z
  .object({
    id: z.string().max(48),
    name: z.string().max(120).optional(),
    kind: z.enum(['mqtt', 'http']),
    /** connecting / connected / reconnecting / failing (MQTT), listening (HTTP: waits for pushes); quiet: no data for quietAfterMin */
    state: z.enum(SOURCE_STATES),
    /** since when in this state (ms) */
    since: z.number(),
    /** why (last connection error, what failing means), for the operator */
    detail: z.string().max(300).optional(),
    /** where it is read from: the broker URL without credentials, or the ingest path */
    endpoint: z.string().max(300),
    /** the sources file it runs */
    file: z.string().max(300),
    quietAfterMin: z.number(),
    /** messages per second over the last 10 s */
    ratePerS: z.number().min(0),
    lastMessageAt: z.number().nullable(),
    /** since the gateway started: messages received, readings journaled, redeliveries recognised, quarantined entries */
    messages: count(),
    journaled: count(),
    duplicates: count(),
    quarantined: count(),
    /** quarantined entries in the quarantine journal, by reason (all time, as far as retained) */
    byReason: z.record(z.string().max(32), count()),
    /** the latest quarantined entries, newest first */
    recent: z.array(QuarantineSample).max(20),
  })
  .strict();
export type SourceStatus = z.infer<typeof SourceStatus>;

export const SourcesStatus = z.object({ ts: z.number(), sources: z.array(SourceStatus).max(200) }).strict();
export type SourcesStatus = z.infer<typeof SourcesStatus>;
