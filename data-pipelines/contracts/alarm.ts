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
import { ALARM_CATEGORIES, type AlarmCategory } from './alarm-category.ts';
import { AlarmPlan, decidePlan, PlanDecisionInput, PlanProposal, proposePlan } from './plan.ts';
import { AlarmSop, closeBlockers, STEP_ID_RE, type SopFile } from './sop.ts';

export { ALARM_CATEGORIES, type AlarmCategory };

export const ALARM_STATES = ['new', 'acknowledged', 'dispatched', 'onsite', 'resolved', 'closed', 'shelved'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/**
 * The lifecycle actions, and the incident-command ones (issue 22): `step` ticks an SOP step, `plan` records a proposed
 * response plan, `decide` confirms / rejects its parts. The system `escalate`s overdue mandatory steps.
 */
export const LIFECYCLE_ACTIONS = ['acknowledge', 'dispatch', 'onsite', 'resolve', 'close', 'shelve', 'unshelve'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];
export const OPERATOR_ACTIONS = [...LIFECYCLE_ACTIONS, 'step', 'plan', 'decide'] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];
export const SYSTEM_ACTIONS = ['raise', 'reactivate', 'rtn', 'unshelve-expired', 'escalate'] as const;
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
    /** its SOP (contracts/sop.ts): which file and version, the ticked and the escalated steps */
    sop: AlarmSop.optional(),
    /** the one-click response plan (contracts/plan.ts), once proposed */
    plan: AlarmPlan.optional(),
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
    /** for step: the SOP step ticked */
    stepId: z.string().regex(STEP_ID_RE, 'step id has the wrong shape').optional(),
    /** for plan: the proposed parts */
    plan: PlanProposal.optional(),
    /** for decide: a decision per part */
    decisions: z.array(PlanDecisionInput).min(1).max(40).optional(),
  })
  .strict();
export type AlarmCommand = z.infer<typeof AlarmCommand>;

export type TransitionResult = { ok: true; alarm: Alarm } | { ok: false; error: string };

const MAX_HISTORY = 100;
const KEEP: ReadonlySet<string> = new Set(['raise', ...LIFECYCLE_ACTIONS]);
function withHistory(a: Alarm, e: AlarmHistoryEntry): Alarm['history'] {
  const h = [...a.history, e];
  if (h.length <= MAX_HISTORY) return h;
  // Over the limit: drop the oldest entry that is not the raise nor the first of a lifecycle action (the report times
  // the alarm from those); SOP ticks and plan decisions are also on the alarm's sop and plan. Else the oldest after the raise.
  const firsts = new Set<number>();
  const seen = new Set<string>();
  h.forEach((x, i) => {
    if (KEEP.has(x.action) && !seen.has(x.action)) {
      seen.add(x.action);
      firsts.add(i);
    }
  });
  const drop = h.findIndex((_, i) => i > 0 && !firsts.has(i));
  return h.filter((_, i) => i !== (drop > 0 ? drop : 1));
}

/**
 * What an alarm may weigh in the journal once incident command has added to it (an SOP tick, a plan): every update
 * journals the whole alarm and an event may take 16 KiB (events.ts); 12 KiB leaves room for the rest of its life.
 */
export const ALARM_BUDGET_BYTES = 12 * 1024;
const utf8 = new TextEncoder();
function overBudget(a: Alarm): string | null {
  const n = utf8.encode(JSON.stringify(a)).length;
  return n > ALARM_BUDGET_BYTES ? `the alarm would take ${n} bytes, over the ${ALARM_BUDGET_BYTES} it may: shorten the plan or the note` : null;
}

/** Which lifecycle actions are legal now (drives the UI buttons; the server re-checks). */
export function allowedActions(a: Alarm): LifecycleAction[] {
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

/**
 * Applies an operator command. Pure: returns the next alarm or a reason it is not allowed. `sop` is the alarm's SOP
 * file (the server passes it): closing with mandatory steps open then needs a note (the recorded reason).
 */
export function applyCommand(a: Alarm, cmd: AlarmCommand, now: number, sop?: SopFile | null): TransitionResult {
  if (cmd.alarmId !== a.alarmId) return { ok: false, error: 'command is for another alarm' };
  if (cmd.action === 'step' || cmd.action === 'plan' || cmd.action === 'decide') return applyCommandStep(a, cmd, now, sop ?? null);
  if (!(allowedActions(a) as OperatorAction[]).includes(cmd.action))
    return { ok: false, error: `cannot ${cmd.action} an alarm that is ${a.state}${a.active ? '' : ' (returned to normal)'}` };
  if (cmd.action === 'close' && sop && a.sop && sop.id === a.sop.id) {
    const open = closeBlockers(sop, a.sop);
    if (open.length && !cmd.note?.trim()) return { ok: false, error: `mandatory SOP steps are open (${open.join(', ')}): closing needs a reason in the note` };
  }
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

/** The incident-command actions: an SOP step, a plan, decisions on it. Legal on any alarm not closed. */
function applyCommandStep(a: Alarm, cmd: AlarmCommand, now: number, sop: SopFile | null): TransitionResult {
  const r = applyCommandStepUnchecked(a, cmd, now, sop);
  if (!r.ok) return r;
  const heavy = overBudget(r.alarm);
  return heavy ? { ok: false, error: heavy } : r;
}

function applyCommandStepUnchecked(a: Alarm, cmd: AlarmCommand, now: number, sop: SopFile | null): TransitionResult {
  if (a.state === 'closed') return { ok: false, error: `cannot ${cmd.action} on a closed alarm` };
  const note = (extra: string) => (cmd.note ? `${extra}: ${cmd.note}` : extra).slice(0, 500);
  switch (cmd.action) {
    case 'step': {
      if (!cmd.stepId) return { ok: false, error: 'step needs a stepId' };
      if (!a.sop) return { ok: false, error: 'this alarm has no SOP' };
      if (sop && sop.id === a.sop.id && !sop.steps.some((s) => s.id === cmd.stepId)) return { ok: false, error: `SOP ${sop.id} has no step ${cmd.stepId}` };
      if (a.sop.done.some((d) => d.stepId === cmd.stepId)) return { ok: false, error: `step ${cmd.stepId} is already done` };
      const done = { stepId: cmd.stepId, by: cmd.by, at: now, ...(cmd.note ? { note: cmd.note } : {}) };
      return {
        ok: true,
        alarm: {
          ...a,
          updatedAt: now,
          sop: { ...a.sop, done: [...a.sop.done, done] },
          // the note is kept once, on the tick
          history: withHistory(a, { action: 'step', by: cmd.by, at: now, note: cmd.stepId }),
        },
      };
    }
    case 'plan': {
      if (!cmd.plan) return { ok: false, error: 'plan needs the proposed parts' };
      const r = proposePlan(a.plan, cmd.plan, cmd.by, now, a.drill);
      if (!r.ok) return r;
      return {
        ok: true,
        alarm: { ...a, updatedAt: now, plan: r.plan, history: withHistory(a, { action: 'plan', by: cmd.by, at: now, note: note(`${cmd.plan.length} parts`) }) },
      };
    }
    case 'decide': {
      if (!cmd.decisions) return { ok: false, error: 'decide needs the decisions' };
      if (!a.plan) return { ok: false, error: 'this alarm has no plan to decide on' };
      const r = decidePlan(a.plan, cmd.decisions, cmd.by, now);
      if (!r.ok) return r;
      const summary = cmd.decisions.map((d) => `${d.decision} ${d.partId}`).join(', ');
      let next: Alarm = { ...a, updatedAt: now, plan: r.plan, history: withHistory(a, { action: 'decide', by: cmd.by, at: now, note: note(summary) }) };
      // the first confirmed team is the alarm's dispatch (the others go with it, on the plan)
      const team = r.confirmed.find((p) => p.kind === 'dispatch')?.target;
      if (team && (a.state === 'new' || a.state === 'acknowledged'))
        next = { ...next, state: 'dispatched', team, history: withHistory(next, { action: 'dispatch', by: cmd.by, at: now, note: 'plan' }) };
      return { ok: true, alarm: next };
    }
    default:
      return { ok: false, error: `unknown action ${cmd.action}` };
  }
}

/** Overdue mandatory SOP steps: journaled once each by the system (the alarm is brought back to the operator's attention). */
export function escalate(a: Alarm, stepIds: readonly string[], now: number): Alarm {
  if (!a.sop || !stepIds.length) return a;
  return {
    ...a,
    updatedAt: now,
    sop: { ...a.sop, escalated: [...a.sop.escalated, ...stepIds.filter((s) => !a.sop!.escalated.includes(s))] },
    history: withHistory(a, { action: 'escalate', by: 'system', at: now, note: `overdue: ${stepIds.join(', ')}`.slice(0, 500) }),
  };
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
  /** the SOP that applies (contracts/sop.ts sopFor) */
  sop?: { id: string; version: number };
}

export function raise(input: RaiseInput, now: number): Alarm {
  const { drill, sop, ...rest } = input;
  return {
    ...rest,
    ...(sop ? { sop: { id: sop.id, version: sop.version, done: [], escalated: [] } } : {}),
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
