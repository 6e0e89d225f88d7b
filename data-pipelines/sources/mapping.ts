/**
 * One platform message → the feed's existing drafts, by a `redwall-sources/1` source (contracts/sources.ts) and a
 * device registry (registry.ts). Pure and total: never throws; whatever cannot become a valid draft is returned as
 * quarantined with a reason, a safe truncated sample and the JSON path where it went wrong, and it costs only itself
 * (one bad sensor value, one bad element of a batch), never the good readings beside it.
 */
import { createHash } from 'node:crypto';
import { CARE_REASONS, FIRE_STATES, parseFeedEvent, type Draft } from '../contracts/events.ts';
import { classifyReading, SENSOR_SPECS, type ManholeSensor } from '../contracts/manhole.ts';
import {
  FIELD_BYTES,
  jsonPathSteps,
  unitConversion,
  type LayoutField,
  type Route,
  type Source,
  type SourceEvent,
  type ValueSpec,
} from '../contracts/sources.ts';
import { lookupDevice, type EntityType, type Registry, type RegistryEntry } from './registry.ts';

export const QUARANTINE_REASONS = [
  'too-large',
  'no-route',
  'bad-json',
  'bad-batch',
  'bad-payload',
  'no-device',
  'unknown-device',
  'wrong-entity',
  'incomplete-entity',
  'missing-value',
  'wrong-type',
  'unmapped-value',
  'out-of-range',
  'invalid-event',
  'internal-error',
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

export interface Quarantined {
  reason: QuarantineReason;
  /** what exactly was wrong, for the operator */
  detail: string;
  /** where: a JSON path into the message, or the topic / path */
  path: string;
  /** the start of the message, printable and at most SAMPLE_CHARS characters (binary shown as hex) */
  sample: string;
  device?: string;
}

export interface MapResult {
  drafts: Draft[];
  /**
   * One dedup id per draft (same order). The event contract has no field for it (an event's `id` is the journal's
   * "epoch:stream:seq"), so the transport keeps these beside the journal to make a redelivered message a no-op.
   */
  dedupIds: string[];
  /** the message's id: source, topic and the platform's id (route.messageId: unique per topic), or a hash of source, topic and bytes */
  messageId: string;
  quarantined: Quarantined[];
  /** readings kept with the received time instead of the device time, and why */
  flags: Array<{ flag: 'clock-skew' | 'time-unreadable'; detail: string; dedupId: string }>;
}

export const SAMPLE_CHARS = 200;
const MAX_BATCH = 10_000;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** A printable, truncated view of untrusted bytes (never raw control characters, never more than SAMPLE_CHARS). */
export function safeSample(bytes: Uint8Array): string {
  const head = bytes.subarray(0, SAMPLE_CHARS * 4);
  let text: string | null;
  try {
    text = utf8.decode(head);
  } catch {
    // a multi-byte character cut at the end is fine; invalid bytes elsewhere mean binary
    const t = lenient.decode(head);
    text = t.slice(0, -1).includes('\uFFFD') ? null : t;
  }
  if (text === null) return `hex:${Buffer.from(bytes.subarray(0, 64)).toString('hex')}${bytes.length > 64 ? '…' : ''}`;
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '\uFFFD').replace(/[\r\n\t]/g, ' ');
  const chars = [...clean];
  return chars.length > SAMPLE_CHARS || bytes.length > head.length ? `${chars.slice(0, SAMPLE_CHARS).join('')}…` : clean;
}

/** Matches an MQTT topic (or HTTP path) against a route pattern with +, # and {name}; returns the captures or null. */
export function matchPattern(pattern: string, topic: string): Record<string, string> | null {
  const p = pattern.split('/');
  const t = topic.split('/');
  const caps: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const level = p[i]!;
    if (level === '#') {
      // MQTT: wildcards at the first level never match topics starting with $ ($SYS/…)
      if (i === 0 && topic.startsWith('$')) return null;
      return caps;
    }
    if (i >= t.length) return null;
    const wild = level === '+' || /^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(level);
    if (wild) {
      if (i === 0 && t[0]!.startsWith('$')) return null;
      if (level !== '+') caps[level.slice(1, -1)] = t[i]!;
    } else if (level !== t[i]) return null;
  }
  return p.length === t.length ? caps : null;
}

type Json = unknown;

function getAt(root: Json, element: Json, path: string): { found: true; value: Json } | { found: false } {
  const { root: fromRoot, steps } = jsonPathSteps(path);
  let cur: Json = fromRoot ? root : element;
  for (const s of steps) {
    if (typeof s === 'number') {
      if (!Array.isArray(cur) || s >= cur.length) return { found: false };
      cur = cur[s];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, s)) return { found: false };
      cur = (cur as Record<string, Json>)[s];
    }
  }
  return cur === undefined ? { found: false } : { found: true, value: cur };
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const HEX_RE = /^(?:[0-9A-Fa-f]{2})*$/;

/** Decodes a base64 or hex string strictly (whitespace ignored); null when it is not valid. */
export function decodeBytes(text: string, encoding: 'base64' | 'hex'): Uint8Array | null {
  const s = text.replace(/\s+/g, '');
  if (encoding === 'hex') return HEX_RE.test(s) ? new Uint8Array(Buffer.from(s, 'hex')) : null;
  const std = s.replace(/-/g, '+').replace(/_/g, '/');
  return BASE64_RE.test(std) ? new Uint8Array(Buffer.from(std, 'base64')) : null;
}

/** One field of a declared binary layout, or null when the bytes are too short for it. */
export function readField(bytes: Uint8Array, f: LayoutField): number | null {
  const n = FIELD_BYTES[f.type];
  if (f.offset + n > bytes.length) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset + f.offset, n);
  const le = f.endian === 'little';
  switch (f.type) {
    case 'u8':
      return v.getUint8(0);
    case 'i8':
      return v.getInt8(0);
    case 'u16':
      return v.getUint16(0, le);
    case 'i16':
      return v.getInt16(0, le);
    case 'u32':
      return v.getUint32(0, le);
    case 'i32':
      return v.getInt32(0, le);
    case 'f32':
      return v.getFloat32(0, le);
  }
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses a device time; null when unreadable. Zone-less times are read in `zone` (Asia/Shanghai: UTC+8, no DST). */
export function parseDeviceTime(
  raw: unknown,
  format: 'epoch-ms' | 'epoch-s' | 'iso8601' | 'yyyy-MM-dd HH:mm:ss',
  zone: 'Asia/Shanghai' | 'UTC',
): number | null {
  if (format === 'epoch-ms' || format === 'epoch-s') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,16}(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(n) || n < 0) return null;
    const ms = format === 'epoch-s' ? n * 1000 : n;
    return ms <= 8.64e15 ? Math.round(ms) : null;
  }
  if (typeof raw !== 'string') return null;
  const m = TIME_RE.exec(raw.trim());
  if (!m) return null;
  if (format === 'yyyy-MM-dd HH:mm:ss' && (raw.trim()[10] !== ' ' || m[7] !== undefined || m[8] !== undefined)) return null;
  if (format === 'iso8601' && raw.trim()[10] !== 'T') return null;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (mo! < 1 || mo! > 12 || d! < 1 || h! > 23 || mi! > 59 || s! > 59) return null;
  const days = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  if (d! > days) return null;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  let offsetMin: number;
  if (m[8] === undefined) offsetMin = zone === 'UTC' ? 0 : 480;
  else if (m[8] === 'Z') offsetMin = 0;
  else {
    const z = m[8].replace(':', '');
    offsetMin = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  return Date.UTC(y!, mo! - 1, d!, h, mi, s) + Math.round(frac) - offsetMin * 60_000;
}

const ENTITY_FOR: Record<SourceEvent, EntityType> = {
  'manhole.reading': 'well',
  'fire.detector': 'detector',
  'parking.occupancy': 'parking',
  'care.call': 'care',
  'camera.sos': 'sos',
  'camera.status': 'camera',
};

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

class Problem {
  constructor(
    readonly reason: QuarantineReason,
    readonly detail: string,
    readonly path: string,
  ) {}
}

interface Ctx {
  root: Json;
  element: Json;
  /** JSON path prefix of the element ("$.events[3]" or "$") */
  at: string;
  route: Route;
  bytes: Uint8Array | null;
  bytesPath: string;
}

function where(ctx: Ctx, path: string): string {
  return path.startsWith('$$') ? `$${path.slice(2)}` : `${ctx.at}${path.slice(1)}`;
}

/** Reads one value: undefined when absent and optional; throws Problem otherwise (caught per value by the caller). */
function readRaw(ctx: Ctx, name: string, spec: ValueSpec): { raw: Json; path: string } | undefined {
  if (spec.field !== undefined) {
    const path = `${ctx.bytesPath} (${spec.field})`;
    if (ctx.route.payload.decode === 'json' || !ctx.bytes) throw new Problem('bad-payload', `no decoded payload for field ${spec.field}`, path);
    const f = ctx.route.payload.layout.find((x) => x.name === spec.field)!;
    const v = readField(ctx.bytes, f);
    if (v === null)
      throw new Problem(
        'bad-payload',
        `payload is ${ctx.bytes.length} bytes, field ${spec.field} needs bytes ${f.offset}..${f.offset + FIELD_BYTES[f.type] - 1} (truncated?)`,
        path,
      );
    return { raw: v, path };
  }
  const path = where(ctx, spec.path!);
  const got = getAt(ctx.root, ctx.element, spec.path!);
  if (!got.found || got.value === null) {
    if (spec.optional) return undefined;
    throw new Problem('missing-value', `no value "${name}" at ${path}`, path);
  }
  return { raw: got.value, path };
}

function mapped(spec: ValueSpec, raw: Json, path: string, name: string): Json {
  if (!spec.map) return raw;
  if (raw === null || (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean'))
    throw new Problem('wrong-type', `${name}: expected a code, got ${Array.isArray(raw) ? 'an array' : typeof raw}`, path);
  const key = String(raw);
  if (!Object.hasOwn(spec.map, key)) throw new Problem('unmapped-value', `${name}: code ${JSON.stringify(key.slice(0, 40))} is not in the mapping`, path);
  return spec.map[key];
}

function asNumber(raw: Json, path: string, name: string): number {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(raw) && raw.length < 40) return Number(raw);
  throw new Problem('wrong-type', `${name}: expected a number, got ${describe(raw)}`, path);
}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.slice(0, 30))}${v.length > 30 ? '…' : ''}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v).slice(0, 30)}`;
}

/** A numeric value after map, scale, unit conversion and range check; undefined when optional and absent. */
function numberValue(ctx: Ctx, name: string, spec: ValueSpec, range: { min: number; max: number; unit?: ManholeSensor }): number | undefined {
  const r = readRaw(ctx, name, spec);
  if (!r) return undefined;
  const m = mapped(spec, r.raw, r.path, name);
  let v = asNumber(m, r.path, name);
  if (!spec.map) v *= spec.scale;
  if (spec.unit !== undefined && range.unit) v = unitConversion(spec.unit, SENSOR_SPECS[range.unit].unit)!(v);
  v = round6(v);
  const min = spec.min ?? range.min;
  const max = spec.max ?? range.max;
  if (!Number.isFinite(v) || v < min || v > max) throw new Problem('out-of-range', `${name}: ${v} is outside ${min}..${max}`, r.path);
  return v;
}

function enumValue<T extends string>(ctx: Ctx, name: string, spec: ValueSpec, allowed: readonly T[]): T | undefined {
  const r = readRaw(ctx, name, spec);
  if (!r) return undefined;
  const m = mapped(spec, r.raw, r.path, name);
  if (typeof m === 'string' && (allowed as readonly string[]).includes(m)) return m as T;
  throw new Problem(
    spec.map ? 'wrong-type' : 'unmapped-value',
    `${name}: ${describe(m)} is not one of ${allowed.join(', ')}${spec.map ? '' : ' (add a map)'}`,
    r.path,
  );
}

function boolValue(ctx: Ctx, name: string, spec: ValueSpec): boolean | undefined {
  const r = readRaw(ctx, name, spec);
  if (!r) return undefined;
  const m = mapped(spec, r.raw, r.path, name);
  if (typeof m === 'boolean') return m;
  if (m === 0 || m === 1 || m === '0' || m === '1') return Number(m) === 1;
  throw new Problem('wrong-type', `${name}: expected true/false or 0/1, got ${describe(m)}`, r.path);
}

function need<K extends keyof RegistryEntry>(e: RegistryEntry, keys: K[], path: string): void {
  const missing = keys.filter((k) => e[k] === undefined);
  if (missing.length) throw new Problem('incomplete-entity', `${e.entity} lacks ${missing.join(', ')}: load the registry with the district's entities`, path);
}

interface Built {
  draft: Draft;
  suffix: string;
}

function build(ctx: Ctx, e: RegistryEntry, ts: number, q: (p: Problem) => void, devicePath: string): Built[] {
  const v = ctx.route.values;
  const ev = ctx.route.event;
  const guard = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      if (err instanceof Problem) {
        q(err);
        return undefined;
      }
      throw err;
    }
  };
  switch (ev) {
    case 'manhole.reading': {
      const out: Built[] = [];
      for (const [sensor, spec] of Object.entries(v)) {
        const s = sensor as ManholeSensor;
        const value = guard(() => numberValue(ctx, sensor, spec, { min: SENSOR_SPECS[s].min, max: SENSOR_SPECS[s].max, unit: s }));
        if (value === undefined) continue;
        out.push({
          suffix: `:${sensor}`,
          draft: {
            stream: 'manhole',
            kind: 'manhole.reading',
            ts,
            wellId: e.entity,
            sensor: s,
            value,
            unit: SENSOR_SPECS[s].unit,
            level: classifyReading(s, value),
          },
        });
      }
      return out;
    }
    case 'fire.detector': {
      need(e, ['buildingId', 'floor'], devicePath);
      const state = enumValue(ctx, 'state', v.state!, FIRE_STATES);
      if (state === undefined) return [];
      const obscuration = v.obscuration ? (numberValue(ctx, 'obscuration', v.obscuration, { min: 0, max: 100 }) ?? 0) : 0;
      return [
        {
          suffix: '',
          draft: { stream: 'fire', kind: 'fire.detector', ts, detectorId: e.entity, buildingId: e.buildingId!, floor: e.floor!, state, obscuration },
        },
      ];
    }
    case 'parking.occupancy': {
      const capacity = v.capacity ? (numberValue(ctx, 'capacity', v.capacity, { min: 1, max: 5000 }) ?? e.capacity) : e.capacity;
      if (capacity === undefined)
        throw new Problem(
          'incomplete-entity',
          `${e.entity} has no capacity: give a value "capacity" or load the registry with the district's entities`,
          devicePath,
        );
      let occupied: number | undefined;
      if (v.occupied) occupied = numberValue(ctx, 'occupied', v.occupied, { min: 0, max: capacity });
      else {
        const free = numberValue(ctx, 'free', v.free!, { min: 0, max: capacity });
        occupied = free === undefined ? undefined : capacity - free;
      }
      if (occupied === undefined) return [];
      // a fractional count is refused by the event contract below (invalid-event, naming the field)
      return [{ suffix: '', draft: { stream: 'parking', kind: 'parking.occupancy', ts, placeId: e.entity, occupied, capacity } }];
    }
    case 'care.call': {
      need(e, ['buildingId', 'careDevice', 'lon', 'lat'], devicePath);
      const reason = v.reason ? enumValue(ctx, 'reason', v.reason, CARE_REASONS) : 'sos';
      if (reason === undefined) return [];
      return [
        {
          suffix: '',
          draft: {
            stream: 'care',
            kind: 'care.call',
            ts,
            deviceId: e.entity,
            buildingId: e.buildingId!,
            device: e.careDevice!,
            reason,
            lon: e.lon!,
            lat: e.lat!,
          },
        },
      ];
    }
    case 'camera.sos':
      need(e, ['lon', 'lat'], devicePath);
      return [{ suffix: '', draft: { stream: 'camera', kind: 'camera.sos', ts, buttonId: e.entity, lon: e.lon!, lat: e.lat! } }];
    case 'camera.status': {
      const online = boolValue(ctx, 'online', v.online!);
      if (online === undefined) return [];
      return [{ suffix: '', draft: { stream: 'camera', kind: 'camera.status', ts, cameraId: e.entity, online } }];
    }
  }
}

function idPart(v: Json): string | null {
  if (typeof v === 'string' && v.length > 0 && v.length <= 128) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A message's id without a platform id: a hash of source, topic (or path) and bytes. */
export function contentMessageId(sourceId: string, topicOrPath: string, payload: Uint8Array): string {
  return `${sourceId}:h:${createHash('sha256').update(sourceId).update('\u0000').update(topicOrPath).update('\u0000').update(payload).digest('hex').slice(0, 32)}`;
}

/**
 * Maps one message. `topicOrPath` is the MQTT topic, or for HTTP the path after /api/ingest/<source>. Never throws.
 * Drafts are checked against the event contract (a failing one is quarantined) unless `validate: false`: the
 * gateway's journal checks every draft anyway and hands failures back to be quarantined (one check, not two).
 */
export function mapMessage(
  source: Source,
  topicOrPath: string,
  payload: Uint8Array,
  receivedAt: number,
  registry: Registry,
  { validate = true }: { validate?: boolean } = {},
): MapResult {
  const res: MapResult = { drafts: [], dedupIds: [], messageId: contentMessageId(source.id, topicOrPath, payload), quarantined: [], flags: [] };
  let sample: string | undefined;
  const sampleOf = () => (sample ??= safeSample(payload));
  const quarantine = (p: Problem, device?: string) =>
    res.quarantined.push({
      reason: p.reason,
      detail: p.detail.slice(0, 300),
      path: p.path.slice(0, 200),
      sample: sampleOf(),
      ...(device !== undefined ? { device: device.slice(0, 128) } : {}),
    });
  try {
    if (payload.byteLength > source.maxMessageBytes) {
      quarantine(new Problem('too-large', `message is ${payload.byteLength} bytes, the source allows ${source.maxMessageBytes}`, topicOrPath.slice(0, 200)));
      return res;
    }
    const candidates = source.routes.map((r) => ({ r, caps: matchPattern(r.match, topicOrPath) })).filter((x) => x.caps !== null);
    if (!candidates.length) {
      quarantine(new Problem('no-route', `no route of source ${source.id} matches ${JSON.stringify(topicOrPath.slice(0, 120))}`, topicOrPath.slice(0, 200)));
      return res;
    }
    let root: Json;
    try {
      root = JSON.parse(utf8.decode(payload));
    } catch (e) {
      quarantine(new Problem('bad-json', `not JSON: ${(e as Error).message.slice(0, 120)}`, '$'));
      return res;
    }
    const chosen = candidates.find(
      ({ r }) =>
        !r.when ||
        (() => {
          const g = getAt(root, root, r.when.path);
          return g.found && g.value === r.when.equals;
        })(),
    );
    if (!chosen) {
      const w = candidates[0]!.r.when!;
      const g = getAt(root, root, w.path);
      quarantine(
        new Problem(
          'no-route',
          `routes match the topic but none accepts it: ${w.path} is ${g.found ? describe(g.value) : 'absent'}, not ${JSON.stringify(w.equals)}`,
          w.path,
        ),
      );
      return res;
    }
    const { r: route, caps } = chosen;
    if (route.messageId) {
      const g = getAt(root, root, route.messageId);
      const id = g.found ? idPart(g.value) : null;
      // without a usable platform id the content hash still deduplicates redeliveries
      if (id !== null) res.messageId = `${source.id}:m:${topicOrPath.slice(0, 200)}:${id}`;
    }
    let elements: Array<{ el: Json; at: string }>;
    if (route.batch) {
      const g = getAt(root, root, route.batch);
      if (!g.found || !Array.isArray(g.value)) {
        quarantine(new Problem('bad-batch', `expected an array of readings at ${route.batch}, got ${g.found ? describe(g.value) : 'nothing'}`, route.batch));
        return res;
      }
      if (g.value.length === 0) {
        quarantine(new Problem('bad-batch', `empty batch at ${route.batch}: no readings`, route.batch));
        return res;
      }
      if (g.value.length > MAX_BATCH) {
        quarantine(new Problem('bad-batch', `batch of ${g.value.length} readings, at most ${MAX_BATCH}`, route.batch));
        return res;
      }
      elements = g.value.map((el, i) => ({ el, at: `${route.batch}[${i}]` }));
    } else elements = [{ el: root, at: '$' }];

    elements.forEach(({ el, at }, index) => {
      const ctx: Ctx = { root, element: el, at, route, bytes: null, bytesPath: '' };
      const baseId = route.batch ? `${res.messageId}#${index}` : res.messageId;
      let device: string | undefined;
      try {
        // device id
        const d = route.device;
        let devicePath: string;
        if (d.capture !== undefined) {
          devicePath = `topic {${d.capture}}`;
          device = caps![d.capture];
        } else {
          const paths = d.path !== undefined ? [d.path] : d.paths!;
          devicePath = paths.map((p) => where(ctx, p)).join(' + ');
          const parts = paths.map((p) => {
            const g = getAt(root, el, p);
            return g.found ? idPart(g.value) : null;
          });
          if (parts.some((p) => p === null)) throw new Problem('no-device', `no device id at ${devicePath}`, devicePath);
          device = parts.join(d.join);
        }
        if (!device) throw new Problem('no-device', `empty device id at ${devicePath}`, devicePath);
        const entry = lookupDevice(registry, source.id, device);
        if (!entry) throw new Problem('unknown-device', `device ${JSON.stringify(device.slice(0, 60))} is not in the registry`, devicePath);
        if (entry.type !== ENTITY_FOR[route.event])
          throw new Problem(
            'wrong-entity',
            `device ${JSON.stringify(device.slice(0, 60))} is ${entry.entity} (a ${entry.type}); ${route.event} needs a ${ENTITY_FOR[route.event]}`,
            devicePath,
          );
        // time
        let ts = receivedAt;
        const t = route.time;
        if (t.from === 'device') {
          const g = getAt(root, el, t.path);
          const parsed = g.found ? parseDeviceTime(g.value, t.format, t.zone) : null;
          if (parsed === null)
            res.flags.push({ flag: 'time-unreadable', detail: `no ${t.format} time at ${where(ctx, t.path)}: received time used`, dedupId: baseId });
          else if (Math.abs(parsed - receivedAt) > source.maxSkewS * 1000)
            res.flags.push({
              flag: 'clock-skew',
              detail: `device time ${new Date(parsed).toISOString()} is ${Math.round((parsed - receivedAt) / 1000)} s from received time (limit ${source.maxSkewS} s): received time used`,
              dedupId: baseId,
            });
          else ts = parsed;
        }
        // binary payload
        if (route.payload.decode !== 'json') {
          ctx.bytesPath = where(ctx, route.payload.field);
          const g = getAt(root, el, route.payload.field);
          if (!g.found || typeof g.value !== 'string')
            throw new Problem(
              'bad-payload',
              `expected ${route.payload.decode} text at ${ctx.bytesPath}, got ${g.found ? describe(g.value) : 'nothing'}`,
              ctx.bytesPath,
            );
          ctx.bytes = decodeBytes(g.value, route.payload.decode);
          if (!ctx.bytes) throw new Problem('bad-payload', `not valid ${route.payload.decode} at ${ctx.bytesPath}`, ctx.bytesPath);
        }
        const built = build(ctx, entry, ts, (p) => quarantine(p, device), devicePath);
        for (const b of built) {
          const check = validate ? parseFeedEvent({ ...b.draft, seq: 1, epoch: 'check', id: 'check' }) : null;
          if (check && !check.ok) {
            quarantine(new Problem('invalid-event', check.error, at), device);
            continue;
          }
          res.drafts.push(b.draft);
          res.dedupIds.push(`${baseId}${b.suffix}`);
        }
      } catch (err) {
        if (err instanceof Problem) quarantine(err, device);
        else throw err;
      }
    });
  } catch (err) {
    // a bug here must still not lose the message silently nor crash the gateway
    quarantine(
      new Problem('internal-error', `mapping failed: ${(err as Error)?.message?.slice(0, 200) ?? String(err).slice(0, 200)}`, topicOrPath.slice(0, 200)),
    );
  }
  return res;
}
