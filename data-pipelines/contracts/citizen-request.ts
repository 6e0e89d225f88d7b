/**
 * Citizen requests (12345 / 444 hotline work orders, 接诉即办): a pure state machine and SLA clock shared by the
 * feed server (authoritative, journals every step) and the renderer (legal buttons, overdue highlighting).
 *
 *   registered ──dispatch(dept)──> dispatched ──accept──> handling ──handle(result)──> handled ──feedback──> fed-back ──close──> closed
 *        ^                           │                       │                                      │
 *        └──────────return(reason)───┴───────────────────────┘          unsatisfied: reopen ────────┴──> dispatched
 *
 * Two SLA clocks run from registration: the response clock stops when the department accepts (contacts the citizen),
 * the resolution clock when the request is handled. Deadlines come from a policy per urgency; the demo's defaults
 * (urgent: respond 2 h, resolve 24 h; normal: respond 24 h, resolve 7 days) are stated, not official — a district sets
 * its own. Results are supervised by the three rates (响应率, 解决率, 满意率) per department or grid.
 */
import { z } from 'zod';
import type { TaskActor } from './tasks.ts';
import { quantile } from './stats.ts';

export const REQUEST_STATES = ['registered', 'dispatched', 'handling', 'handled', 'fed-back', 'closed'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const REQUEST_ACTIONS = ['register', 'dispatch', 'accept', 'return', 'handle', 'feedback', 'reopen', 'close'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];
export const URGENCIES = ['urgent', 'normal'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const CHANNELS = ['12345', '444', 'app', 'grid'] as const;

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

export const RequestStep = z
  .object({
    action: z.enum(REQUEST_ACTIONS),
    by: z.string().min(1).max(64),
    at: finite(),
    note: z.string().max(500).optional(),
    department: z.string().max(64).optional(),
    satisfied: z.boolean().optional(),
  })
  .strict();
export type RequestStep = z.infer<typeof RequestStep>;

export const CitizenRequest = z
  .object({
    requestId: z.string().min(1).max(64),
    channel: z.enum(CHANNELS),
    /** what it is about, e.g. 'noise', 'parking', 'drainage' (a code: the UI translates it) */
    topic: z.string().min(1).max(64),
    urgency: z.enum(URGENCIES),
    summary: z.string().min(1).max(500),
    lon: finite().pipe(z.number().min(-180).max(180)),
    lat: finite().pipe(z.number().min(-90).max(90)),
    gridId: z.string().max(32).optional(),
    state: z.enum(REQUEST_STATES),
    department: z.string().max(64).optional(),
    registeredAt: finite(),
    updatedAt: finite(),
    /** when the department accepted (response clock stops) / handled it (resolution clock stops); the first time counts */
    acceptedAt: finite().optional(),
    handledAt: finite().optional(),
    /** the citizen's verdict at feedback (回访) */
    satisfied: z.boolean().optional(),
    /** how many times it came back: returned by a department or reopened by an unsatisfied citizen */
    returns: z.number().int().min(0),
    reopens: z.number().int().min(0),
    history: z.array(RequestStep).min(1).max(200),
  })
  .strict();
export type CitizenRequest = z.infer<typeof CitizenRequest>;

export const RequestCommand = z
  .object({
    commandId: z.string().min(8).max(64),
    requestId: z.string().min(1).max(64),
    action: z.enum(['dispatch', 'accept', 'return', 'handle', 'feedback', 'reopen', 'close']),
    by: z.string().min(1).max(64),
    note: z.string().max(500).optional(),
    department: z.string().min(1).max(64).optional(),
    satisfied: z.boolean().optional(),
  })
  .strict();
export type RequestCommand = z.infer<typeof RequestCommand>;

/** What the requests are about (codes; the UI translates them) and the department each goes to by default. */
export const TOPICS = ['noise', 'parking', 'drainage', 'road', 'sanitation', 'property', 'heating', 'market', 'greening', 'elderly'] as const;
export type Topic = (typeof TOPICS)[number];
/** Departments a subdistrict dispatches to (codes; a district configures its own list). */
export const DEPARTMENTS = ['urban-management', 'housing', 'water', 'traffic', 'market-regulation', 'sanitation', 'community', 'civil-affairs'] as const;
export type Department = (typeof DEPARTMENTS)[number];
export const DEFAULT_DEPARTMENT: Record<Topic, Department> = {
  noise: 'urban-management',
  parking: 'traffic',
  drainage: 'water',
  road: 'urban-management',
  sanitation: 'sanitation',
  property: 'housing',
  heating: 'housing',
  market: 'market-regulation',
  greening: 'community',
  elderly: 'civil-affairs',
};

/** client -> server: a request taken by the desk itself (a call to the subdistrict, a grid report). */
export const RegisterCommand = z
  .object({
    commandId: z.string().min(8).max(64),
    action: z.literal('register'),
    channel: z.enum(CHANNELS),
    topic: z.enum(TOPICS),
    urgency: z.enum(URGENCIES),
    summary: z.string().trim().min(2).max(500),
    lon: finite().pipe(z.number().min(-180).max(180)),
    lat: finite().pipe(z.number().min(-90).max(90)),
  })
  .strict();
export type RegisterCommand = z.infer<typeof RegisterCommand>;

/** Either command on the wire (WIRE.request); `by` is ignored: the server journals the signed-in user. */
export const RequestWire = z.union([RegisterCommand, RequestCommand.omit({ by: true }).extend({ by: z.string().max(64).optional() })]);
export type RequestWire = z.infer<typeof RequestWire>;

export type RequestAck = { ok: true; seq: number; request: CitizenRequest; duplicate: boolean } | { ok: false; error: string };

export interface SlaPolicy {
  respondMs: Record<Urgency, number>;
  resolveMs: Record<Urgency, number>;
  /** "due soon" when less than this share of the window is left */
  warnShare: number;
}

const H = 3600_000;
export const DEMO_SLA: SlaPolicy = { respondMs: { urgent: 2 * H, normal: 24 * H }, resolveMs: { urgent: 24 * H, normal: 7 * 24 * H }, warnShare: 0.2 };

export type CommandName = RequestCommand['action'];

/** Which actions are legal now (drives the UI; the server re-checks). */
export function allowedRequestActions(r: CitizenRequest): CommandName[] {
  switch (r.state) {
    case 'registered':
      return ['dispatch'];
    case 'dispatched':
      return ['accept', 'return'];
    case 'handling':
      return ['handle', 'return'];
    case 'handled':
      return ['feedback'];
    case 'fed-back':
      return r.satisfied === false ? ['reopen', 'close'] : ['close'];
    case 'closed':
      return [];
  }
}

/** Who acts on a request: the same shape as on a visit task (name, role, grids of grid staff). */
export type RequestActor = TaskActor;

/** The department a signed-in user acts for, if any: civil affairs for its own; grid staff for the community (社区). */
export function departmentOf(user: Pick<RequestActor, 'role'>): Department | undefined {
  return user.role === 'civil-affairs' ? 'civil-affairs' : user.role === 'grid-staff' ? 'community' : undefined;
}

/**
 * Who may take which step (the server refuses the rest; the UI offers only these):
 * - the duty operator (the centre's 接诉即办 desk) takes every step — including a department's accept/handle/return
 *   phoned in by a department with no terminal of its own (the demo's departments are simulated);
 * - civil affairs and grid staff register what they are told or see (channel `grid`, a field report — hotline and app
 *   requests are the centre's to register), and
 *   accept, handle or return requests dispatched to their own department (civil affairs; the community for grid
 *   staff, and only in their own grids);
 * - dispatching, feedback, reopening and closing are the desk's (the supervision of results stays with the centre);
 * - auditors read only.
 */
export function mayRequest(user: RequestActor, action: RequestAction, r?: Partial<Pick<CitizenRequest, 'department' | 'gridId' | 'channel'>>): boolean {
  if (user.role === 'auditor') return false;
  if (user.role === 'operator') return true;
  // their own reports only: a hotline (12345/444) or app request is the centre's to register
  if (action === 'register') return r?.channel === 'grid';
  if (action !== 'accept' && action !== 'handle' && action !== 'return') return false;
  const dept = departmentOf(user);
  if (!r || !dept || r.department !== dept) return false;
  return user.role !== 'grid-staff' || (r.gridId !== undefined && (user.grids ?? []).includes(r.gridId));
}

export type RequestResult = { ok: true; request: CitizenRequest } | { ok: false; error: string };

export function registerRequest(
  input: Omit<
    CitizenRequest,
    'state' | 'registeredAt' | 'updatedAt' | 'returns' | 'reopens' | 'history' | 'acceptedAt' | 'handledAt' | 'satisfied' | 'department'
  >,
  by: string,
  now: number,
): CitizenRequest {
  return { ...input, state: 'registered', registeredAt: now, updatedAt: now, returns: 0, reopens: 0, history: [{ action: 'register', by, at: now }] };
}

/** Applies a command. Pure: the next request, or why not. */
export function applyRequestCommand(r: CitizenRequest, cmd: RequestCommand, now: number): RequestResult {
  if (cmd.requestId !== r.requestId) return { ok: false, error: 'command is for another request' };
  if (!allowedRequestActions(r).includes(cmd.action)) return { ok: false, error: `cannot ${cmd.action} a request that is ${r.state}` };
  if (now < r.updatedAt) return { ok: false, error: 'command is older than the request’s last step' };
  const step: RequestStep = {
    action: cmd.action,
    by: cmd.by,
    at: now,
    ...(cmd.note ? { note: cmd.note } : {}),
    ...(cmd.department ? { department: cmd.department } : {}),
    ...(cmd.satisfied !== undefined ? { satisfied: cmd.satisfied } : {}),
  };
  const history = r.history.length >= 200 ? [r.history[0]!, ...r.history.slice(r.history.length - 198), step] : [...r.history, step];
  const base = { ...r, updatedAt: now, history };
  switch (cmd.action) {
    case 'dispatch':
      if (!cmd.department) return { ok: false, error: 'dispatch needs a department' };
      return { ok: true, request: { ...base, state: 'dispatched', department: cmd.department } };
    case 'accept':
      return { ok: true, request: { ...base, state: 'handling', acceptedAt: r.acceptedAt ?? now } };
    case 'return': {
      if (!cmd.note) return { ok: false, error: 'a returned request needs a reason' };
      const { department: _d, ...rest } = base;
      void _d;
      return { ok: true, request: { ...rest, state: 'registered', returns: r.returns + 1 } };
    }
    case 'handle':
      if (!cmd.note) return { ok: false, error: 'handling needs a result' };
      return { ok: true, request: { ...base, state: 'handled', handledAt: r.handledAt ?? now } };
    case 'feedback':
      if (cmd.satisfied === undefined) return { ok: false, error: 'feedback needs the citizen’s verdict' };
      return { ok: true, request: { ...base, state: 'fed-back', satisfied: cmd.satisfied } };
    case 'reopen': {
      // back to the same department; the resolution clock keeps running from registration (no reset by reopening)
      const { handledAt: _h, satisfied: _s, ...rest } = base;
      void _h;
      void _s;
      return { ok: true, request: { ...rest, state: 'dispatched', reopens: r.reopens + 1 } };
    }
    case 'close':
      return { ok: true, request: { ...base, state: 'closed' } };
  }
}

export type ClockStatus = 'running' | 'due-soon' | 'overdue' | 'met' | 'missed';

export interface SlaClock {
  status: ClockStatus;
  dueAt: number;
  /** ms left (negative when late); for a stopped clock, the margin it stopped with */
  leftMs: number;
}

function clock(start: number, windowMs: number, stoppedAt: number | undefined, now: number, warnShare: number): SlaClock {
  const dueAt = start + windowMs;
  if (stoppedAt !== undefined) return { status: stoppedAt <= dueAt ? 'met' : 'missed', dueAt, leftMs: dueAt - stoppedAt };
  const left = dueAt - now;
  return { status: left < 0 ? 'overdue' : left < windowMs * warnShare ? 'due-soon' : 'running', dueAt, leftMs: left };
}

/** Both SLA clocks of a request at `now`. */
export function requestSla(r: CitizenRequest, now: number, policy: SlaPolicy = DEMO_SLA): { response: SlaClock; resolution: SlaClock } {
  return {
    response: clock(r.registeredAt, policy.respondMs[r.urgency], r.acceptedAt, now, policy.warnShare),
    resolution: clock(r.registeredAt, policy.resolveMs[r.urgency], r.handledAt, now, policy.warnShare),
  };
}

/** Overdue (either clock late and still running) or missed-and-open: what the lists and the map highlight. */
export function isOverdue(r: CitizenRequest, now: number, policy: SlaPolicy = DEMO_SLA): boolean {
  if (r.state === 'closed') return false;
  const s = requestSla(r, now, policy);
  return s.response.status === 'overdue' || s.resolution.status === 'overdue';
}

export interface ThreeRates {
  requests: number;
  /** accepted within the response window / requests whose response is decided (met, missed, or overdue) */
  responseRate: number;
  /** handled within the resolution window / requests whose resolution is decided */
  resolutionRate: number;
  /** satisfied / requests with a verdict */
  satisfactionRate: number;
  overdue: number;
  medianResponseMs: number;
}

/**
 * The supervision numbers (三率) over a set of requests, e.g. one department's or one grid's: only decided clocks
 * count (a request still inside its window is neither met nor missed yet). NaN where nothing is decided.
 */
export function threeRates(list: readonly CitizenRequest[], now: number, policy: SlaPolicy = DEMO_SLA): ThreeRates {
  let rd = 0;
  let rm = 0;
  let sd = 0;
  let sm = 0;
  let fv = 0;
  let fs = 0;
  let overdue = 0;
  const resp: number[] = [];
  for (const r of list) {
    const s = requestSla(r, now, policy);
    if (s.response.status === 'met' || s.response.status === 'missed' || s.response.status === 'overdue') {
      rd++;
      if (s.response.status === 'met') rm++;
    }
    if (s.resolution.status === 'met' || s.resolution.status === 'missed' || s.resolution.status === 'overdue') {
      sd++;
      if (s.resolution.status === 'met') sm++;
    }
    if (r.satisfied !== undefined) {
      fv++;
      if (r.satisfied) fs++;
    }
    if (isOverdue(r, now, policy)) overdue++;
    if (r.acceptedAt !== undefined) resp.push(r.acceptedAt - r.registeredAt);
  }
  return {
    requests: list.length,
    responseRate: rd ? rm / rd : Number.NaN,
    resolutionRate: sd ? sm / sd : Number.NaN,
    satisfactionRate: fv ? fs / fv : Number.NaN,
    overdue,
    medianResponseMs: quantile(resp, 0.5),
  };
}
