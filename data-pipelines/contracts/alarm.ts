/**
 * Alarm lifecycle (ISA-18.2 style), a pure state machine shared by the feed server (authoritative, journals every
 * transition) and the renderer (enables only the buttons that are legal). Alarms are raised by the server's alarm
 * engine from sensor events, never by the UI.
 *
 *   new ──ack──> acknowledged ──dispatch──> dispatched ──onsite──> onsite ──resolve──> resolved ──close──> closed
 *    │  └──────────────dispatch──────────────^                                  ^
 *    ├──shelve──> shelved ──unshelve / expiry──> (state before shelving)         │
 *    └─ resolve from acknowledged/dispatched/onsite ─────────────────────────────┘
 *
 * Independently, `active` tracks the process condition: return-to-normal (RTN) sets it false; a re-alarm of the same
 * source while the alarm is open sets it true again (no duplicate alarm: floods stay one row per source). An
 * acknowledged alarm that has returned to normal may be closed directly.
 */
import { z } from 'zod';
import { CAMERA_ID_RE } from './cameras.ts';

export const ALARM_STATES = ['new', 'acknowledged', 'dispatched', 'onsite', 'resolved', 'closed', 'shelved'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** `feed`: a connected source (contracts/sources.ts) that went quiet or lost its connection (sourceId = the source id) */
export const ALARM_CATEGORIES = ['manhole', 'fire', 'camera', 'care', 'env', 'parking', 'feed'] as const;
export type AlarmCategory = (typeof ALARM_CATEGORIES)[number];

export const OPERATOR_ACTIONS = ['acknowledge', 'dispatch', 'onsite', 'resolve', 'close', 'shelve', 'unshelve'] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];
export const SYSTEM_ACTIONS = ['raise', 'reactivate', 'rtn', 'unshelve-expired'] as const;
export type SystemAction = (typeof SYSTEM_ACTIONS)[number];
export type AlarmAction = OperatorAction | SystemAction;

/** 1 = critical (life safety: fire, SOS, care calls), 2 = high (gas, flooding), 3 = medium. */
export const Priority = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type Priority = z.infer<typeof Priority>;

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

export const AlarmHistoryEntry = z
  .object({
    action: z.enum([...OPERATOR_ACTIONS, ...SYSTEM_ACTIONS]),
    by: z.string().min(1).max(64),
    at: finite(),
    note: z.string().max(500).optional(),
  })
  .strict();
export type AlarmHistoryEntry = z.infer<typeof AlarmHistoryEntry>;

/**
 * A camera that sees an alarm's place (geo/coverage.ts), chosen when the alarm is raised: a fixed camera whose cone
 * covers it ('view') or a PTZ camera that turns to it ('turn'); distance and bearing from the camera.
 */
export const AlarmCamera = z
  .object({
    id: z.string().regex(CAMERA_ID_RE, 'camera id has the wrong shape'),
    distanceM: finite().pipe(z.number().min(0).max(100_000)),
    bearingDeg: finite().pipe(z.number().min(0).lt(360)),
    mode: z.enum(['view', 'turn']),
  })
  .strict();
export type AlarmCamera = z.infer<typeof AlarmCamera>;

export const Alarm = z
  .object({
    alarmId: z.string().min(1).max(128),
    category: z.enum(ALARM_CATEGORIES),
    /** the entity that alarmed: well id, detector id, camera/button id, care device id, station id */
    sourceId: z.string().min(1).max(64),
    /** what alarmed, e.g. the sensor ('gas') or the call reason ('fall') */
    cause: z.string().min(1).max(64),
    priority: Priority,
    state: z.enum(ALARM_STATES),
    active: z.boolean(),
    raisedAt: finite(),
    updatedAt: finite(),
    lon: finite().pipe(z.number().min(-180).max(180)),
    lat: finite().pipe(z.number().min(-90).max(90)),
    /** floor for building alarms (fire detectors) */
    floor: z.number().int().min(-10).max(200).optional(),
    buildingId: z.number().int().optional(),
    value: finite().optional(),
    unit: z.string().max(16).optional(),
    team: z.string().max(64).optional(),
    shelvedUntil: finite().optional(),
    shelvedFrom: z.enum(ALARM_STATES).optional(),
    drill: z.boolean(),
    /** the drill run that raised it (drill alarms only) */
    drillId: z.string().max(64).optional(),
    history: z.array(AlarmHistoryEntry).max(100),
    /** the cameras that see the place, best first (raised alarms with a place; none where no camera covers it) */
    cameras: z.array(AlarmCamera).max(8).optional(),
  })
  .strict();
export type Alarm = z.infer<typeof Alarm>;

export const AlarmCommand = z
  .object({
    commandId: z.string().min(8).max(64),
    alarmId: z.string().min(1).max(128),
    action: z.enum(OPERATOR_ACTIONS),
    by: z.string().min(1).max(64),
    note: z.string().max(500).optional(),
    team: z.string().min(1).max(64).optional(),
    /** for shelve: how long, 1 min .. 24 h */
    minutes: z.number().int().min(1).max(1440).optional(),
  })
  .strict();
export type AlarmCommand = z.infer<typeof AlarmCommand>;

export type TransitionResult = { ok: true; alarm: Alarm } | { ok: false; error: string };

const MAX_HISTORY = 100;
function withHistory(a: Alarm, e: AlarmHistoryEntry): Alarm['history'] {
  const h = [...a.history, e];
  // Keep the raise entry and the most recent ones: the story's start and end both matter.
  return h.length > MAX_HISTORY ? [h[0]!, ...h.slice(h.length - MAX_HISTORY + 1)] : h;
}

/** Which operator actions are legal now (drives the UI buttons; the server re-checks). */
export function allowedActions(a: Alarm): OperatorAction[] {
  switch (a.state) {
    case 'new':
      return ['acknowledge', 'dispatch', 'shelve'];
    case 'acknowledged':
      return a.active ? ['dispatch', 'resolve', 'shelve'] : ['dispatch', 'resolve', 'close', 'shelve'];
    case 'dispatched':
      return ['onsite', 'resolve'];
    case 'onsite':
      return ['resolve'];
    case 'resolved':
      return ['close'];
    case 'shelved':
      return ['unshelve'];
    case 'closed':
      return [];
  }
}

export function isOpen(a: Alarm): boolean {
  return a.state !== 'closed';
}

/** Applies an operator command. Pure: returns the next alarm or a reason it is not allowed. */
export function applyCommand(a: Alarm, cmd: AlarmCommand, now: number): TransitionResult {
  if (cmd.alarmId !== a.alarmId) return { ok: false, error: 'command is for another alarm' };
  if (!allowedActions(a).includes(cmd.action))
    return { ok: false, error: `cannot ${cmd.action} an alarm that is ${a.state}${a.active ? '' : ' (returned to normal)'}` };
  const entry: AlarmHistoryEntry = { action: cmd.action, by: cmd.by, at: now, ...(cmd.note ? { note: cmd.note } : {}) };
  const base = { ...a, updatedAt: now, history: withHistory(a, entry) };
  switch (cmd.action) {
    case 'acknowledge':
      return { ok: true, alarm: { ...base, state: 'acknowledged' } };
    case 'dispatch':
      if (!cmd.team) return { ok: false, error: 'dispatch needs a team' };
      return { ok: true, alarm: { ...base, state: 'dispatched', team: cmd.team } };
    case 'onsite':
      return { ok: true, alarm: { ...base, state: 'onsite' } };
    case 'resolve':
      return { ok: true, alarm: { ...base, state: 'resolved' } };
    case 'close':
      return { ok: true, alarm: { ...base, state: 'closed' } };
    case 'shelve': {
      if (!cmd.minutes) return { ok: false, error: 'shelve needs minutes' };
      if (a.priority === 1) return { ok: false, error: 'critical (priority 1) alarms cannot be shelved' };
      return { ok: true, alarm: { ...base, state: 'shelved', shelvedFrom: a.state, shelvedUntil: now + cmd.minutes * 60_000 } };
    }
    case 'unshelve': {
      const { shelvedFrom, shelvedUntil: _u, ...rest } = base;
      void _u;
      return { ok: true, alarm: { ...rest, state: shelvedFrom ?? 'new' } };
    }
  }
}

export interface RaiseInput {
  alarmId: string;
  category: AlarmCategory;
  sourceId: string;
  cause: string;
  priority: Priority;
  lon: number;
  lat: number;
  floor?: number;
  buildingId?: number;
  value?: number;
  unit?: string;
  drill?: boolean;
  drillId?: string;
}

export function raise(input: RaiseInput, now: number): Alarm {
  const { drill, ...rest } = input;
  return {
    ...rest,
    state: 'new',
    active: true,
    raisedAt: now,
    updatedAt: now,
    drill: drill ?? false,
    history: [{ action: 'raise', by: 'system', at: now }],
  };
}

/** The source alarmed again while this alarm is open: mark active, refresh value; a resolved alarm becomes new. */
export function reactivate(a: Alarm, now: number, value?: number): Alarm {
  return {
    ...a,
    active: true,
    state: a.state === 'resolved' ? 'new' : a.state,
    updatedAt: now,
    ...(value !== undefined ? { value } : {}),
    history: withHistory(a, { action: 'reactivate', by: 'system', at: now }),
  };
}

/** Return to normal: the condition cleared. The alarm stays until an operator closes it. */
export function returnToNormal(a: Alarm, now: number): Alarm {
  return { ...a, active: false, updatedAt: now, history: withHistory(a, { action: 'rtn', by: 'system', at: now }) };
}

export function expireShelf(a: Alarm, now: number): Alarm | null {
  if (a.state !== 'shelved' || a.shelvedUntil === undefined || a.shelvedUntil > now) return null;
  const { shelvedFrom, shelvedUntil: _u, ...rest } = a;
  void _u;
  return { ...rest, state: shelvedFrom ?? 'new', updatedAt: now, history: withHistory(a, { action: 'unshelve-expired', by: 'system', at: now }) };
}

/** Sort for the operator: unacknowledged first, then by priority, then newest. Shelved and closed last. */
export function alarmSortKey(a: Alarm): [number, number, number] {
  const stateRank = a.state === 'new' ? 0 : a.state === 'shelved' ? 3 : a.state === 'closed' ? 4 : 1;
  return [stateRank, a.priority, -a.raisedAt];
}

export function compareAlarms(a: Alarm, b: Alarm): number {
  const ka = alarmSortKey(a);
  const kb = alarmSortKey(b);
  return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2] || a.alarmId.localeCompare(b.alarmId);
}
