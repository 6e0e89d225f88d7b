/**
 * Visit tasks for grid staff (网格员走访任务): bringing the elderly card on a resident's 60th birthday, following up a
 * care call, a visit asked for by civil affairs. Created and journaled by the feed server (stream `task`), pushed to
 * every console; grid staff see their own grids' tasks first and mark them done. Pure rules here, shared by the server
 * (authoritative) and the renderer (which buttons to show). Tasks carry the masked name only: the whole record stays
 * behind the people service's role check and audit.
 */
import { z } from 'zod';

export const TASK_KINDS = ['birthday-card', 'care-followup', 'visit'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export const TASK_STATES = ['open', 'done', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

/** Keys older journals carry that are no longer part of a task: dropped when read (the event still replays). */
const RETIRED_KEYS = ['benefits'] as const;
const withoutRetired = (v: unknown): unknown => {
  if (!v || typeof v !== 'object' || Array.isArray(v) || !RETIRED_KEYS.some((k) => k in v)) return v;
  const o = { ...(v as Record<string, unknown>) };
  for (const k of RETIRED_KEYS) delete o[k];
  return o;
};

export const VisitTask = z.preprocess(
  withoutRetired,
  z
    .object({
      /** deterministic for generated tasks (V-<age>-<resident>, C-<alarm>): creating twice is a no-op */
      taskId: z.string().regex(/^[VCT]-[\w:.-]{1,140}$/, 'task id has the wrong shape'),
      kind: z.enum(TASK_KINDS),
      residentId: z.string().min(1).max(64),
      /**
       * masked (张*丰), as every list shows it. A task goes to every screen, so it carries nothing sensitive beyond the
       * masked name and age: no benefits (they reveal low income or disability) — the visitor opens the whole record
       * (by role, audited) for those.
       */
      name: z.string().min(1).max(32),
      age: z.number().int().min(0).max(130),
      gridId: z.string().min(1).max(32),
      /** the grid's staff member the task goes to */
      staff: z.string().min(1).max(64),
      buildingId: z.number().int().nonnegative(),
      lon: finite().pipe(z.number().min(-180).max(180)),
      lat: finite().pipe(z.number().min(-90).max(90)),
      /** YYYY-MM-DD (Beijing date) the visit is due */
      due: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      state: z.enum(TASK_STATES),
      /** what caused it: 'turning:60', an alarm id, … */
      source: z.string().max(80),
      createdAt: finite(),
      createdBy: z.string().min(1).max(64),
      updatedAt: finite(),
      doneBy: z.string().max(64).optional(),
      note: z.string().max(500).optional(),
    })
    .strict(),
);
export type VisitTask = z.infer<typeof VisitTask>;

export const TASK_ACTIONS = ['create', 'done', 'cancel'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

/** client -> server (WIRE.task, with an ack: TaskAck) */
export const TaskRequest = z.discriminatedUnion('op', [
  /** a birthday-card task for everyone turning `age` within `days` days (in `grid` when given); existing ones are kept */
  z
    .object({
      op: z.literal('create-turning'),
      commandId: z.string().min(8).max(64),
      age: z.number().int().min(0).max(120),
      days: z.number().int().min(1).max(366),
      grid: z.string().max(32).optional(),
    })
    .strict(),
  z
    .object({
      op: z.literal('done'),
      commandId: z.string().min(8).max(64),
      taskId: z.string().min(1).max(142),
      note: z.string().trim().min(2, 'say what was done').max(500),
    })
    .strict(),
  z
    .object({
      op: z.literal('cancel'),
      commandId: z.string().min(8).max(64),
      taskId: z.string().min(1).max(142),
      note: z.string().trim().min(2, 'a cancelled task needs a reason').max(500),
    })
    .strict(),
]);
export type TaskRequest = z.infer<typeof TaskRequest>;

export type TaskAck =
  { ok: true; created: number; existing: number; updated: number; duplicate: boolean } | { ok: false; status: 400 | 403 | 404 | 409; error: string };

export interface TaskActor {
  name: string;
  role: 'operator' | 'grid-staff' | 'civil-affairs' | 'auditor';
  grids?: string[];
}

/**
 * Who may do what with a task: the duty operator and civil affairs create and cancel (they plan the visits); the
 * grid's own staff and civil affairs mark a task done (they made the visit). Auditors read only.
 */
export function mayTask(user: TaskActor, action: 'create' | 'done' | 'cancel', task?: Pick<VisitTask, 'gridId'>): boolean {
  switch (action) {
    case 'create':
    case 'cancel':
      return user.role === 'operator' || user.role === 'civil-affairs';
    case 'done':
      return user.role === 'civil-affairs' || (user.role === 'grid-staff' && task !== undefined && (user.grids ?? []).includes(task.gridId));
  }
}

/** The task after `action`, or why not. Pure. */
export function applyTaskAction(
  t: VisitTask,
  action: 'done' | 'cancel',
  by: string,
  note: string,
  now: number,
): { ok: true; task: VisitTask } | { ok: false; error: string } {
  if (t.state !== 'open') return { ok: false, error: `task ${t.taskId} is already ${t.state}` };
  return { ok: true, task: { ...t, state: action === 'done' ? 'done' : 'cancelled', updatedAt: Math.max(now, t.updatedAt), doneBy: by, note } };
}

/** Open tasks overdue on `today` (YYYY-MM-DD): due before today. */
export function taskOverdue(t: Pick<VisitTask, 'state' | 'due'>, today: string): boolean {
  return t.state === 'open' && t.due < today;
}

/** Per staff member: open, overdue and done tasks — the workload the grid panel shows. Pure. */
export function staffWorkload(
  tasks: Iterable<VisitTask>,
  today: string,
): Array<{ staff: string; grids: string[]; open: number; overdue: number; done: number }> {
  const by = new Map<string, { staff: string; grids: Set<string>; open: number; overdue: number; done: number }>();
  for (const t of tasks) {
    let w = by.get(t.staff);
    if (!w) by.set(t.staff, (w = { staff: t.staff, grids: new Set(), open: 0, overdue: 0, done: 0 }));
    w.grids.add(t.gridId);
    if (t.state === 'open') w.open++;
    if (taskOverdue(t, today)) w.overdue++;
    if (t.state === 'done') w.done++;
  }
  return [...by.values()]
    .map((w) => ({ ...w, grids: [...w.grids].sort() }))
    .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.staff.localeCompare(b.staff));
}
