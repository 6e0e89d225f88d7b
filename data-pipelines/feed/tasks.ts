/**
 * Visit tasks on the feed server: the authoritative board built from the journal's `task` stream. Tasks are created
 * from the people service's (masked, audited) turning-N list or from a care call, go to the grid's staff member, and
 * are marked done by that staff member (role rules in contracts/tasks.ts). Idempotent twice over: by commandId, and
 * by the deterministic task id (the same resident's birthday card is never planned twice).
 */
import type { Draft, FeedEvent, TaskUpdate } from '../contracts/events.ts';
import type { MaskedResident, TurningRow } from '../contracts/people.ts';
import { applyTaskAction, mayTask, TaskRequest, type TaskAck, type TaskActor, type VisitTask } from '../contracts/tasks.ts';

export type TaskOutcome = { ack: TaskAck; drafts: Draft<TaskUpdate>[] };

/** Beijing calendar date (YYYY-MM-DD). */
function beijingDay(ts: number): string {
  return new Date(ts + 8 * 3600_000).toISOString().slice(0, 10);
}

export class TaskBoard {
  readonly tasks = new Map<string, VisitTask>();
  private readonly commands = new Set<string>();

  constructor(private readonly staffOf: (gridId: string) => string) {}

  observe(ev: FeedEvent): void {
    if (ev.kind !== 'task.update') return;
    this.tasks.set(ev.task.taskId, ev.task);
    if (ev.commandId) this.commands.add(ev.commandId);
  }

  private task(r: MaskedResident, kind: VisitTask['kind'], taskId: string, due: string, source: string, by: string, now: number): VisitTask {
    return {
      taskId,
      kind,
      residentId: r.residentId,
      name: r.name,
      age: r.age,
      gridId: r.gridId,
      staff: this.staffOf(r.gridId),
      buildingId: r.buildingId,
      lon: r.lon,
      lat: r.lat,
      due,
      state: 'open',
      source,
      createdAt: now,
      createdBy: by,
      updatedAt: now,
    };
  }

  /** Parses and checks a request; `rows` supplies the turning-N list for create-turning (asked for only then). */
  handle(
    user: TaskActor,
    raw: unknown,
    now: number,
    rows: (q: { age: number; days: number; grid?: string }) => TurningRow[] | { status: 400 | 403 | 404; error: string },
  ): TaskOutcome {
    const p = TaskRequest.safeParse(raw);
    if (!p.success)
      return {
        ack: {
          ok: false,
          status: 400,
          error: `bad task request: ${p.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
            .join('; ')}`,
        },
        drafts: [],
      };
    const q = p.data;
    if (this.commands.has(q.commandId)) return { ack: { ok: true, created: 0, existing: 0, updated: 0, duplicate: true }, drafts: [] };
    if (q.op === 'create-turning') {
      if (!mayTask(user, 'create')) return { ack: { ok: false, status: 403, error: `role ${user.role} may not plan visits` }, drafts: [] };
      const list = rows({ age: q.age, days: q.days, ...(q.grid ? { grid: q.grid } : {}) });
      if (!Array.isArray(list)) return { ack: { ok: false, ...list }, drafts: [] };
      const drafts: Draft<TaskUpdate>[] = [];
      let existing = 0;
      for (const r of list) {
        const taskId = `V-${q.age}-${r.residentId}`;
        if (this.tasks.has(taskId)) {
          existing++;
          continue;
        }
        drafts.push({
          stream: 'task',
          kind: 'task.update',
          ts: now,
          action: 'create',
          by: user.name,
          task: this.task(r, 'birthday-card', taskId, r.turnsOn, `turning:${q.age}`, user.name, now),
        });
      }
      // the command is remembered through its first task (a repeat after a lost ack creates nothing twice anyway)
      if (drafts[0]) drafts[0] = { ...drafts[0], commandId: q.commandId };
      return { ack: { ok: true, created: drafts.length, existing, updated: 0, duplicate: false }, drafts };
    }
    const t = this.tasks.get(q.taskId);
    if (!t) return { ack: { ok: false, status: 404, error: `no task ${q.taskId}` }, drafts: [] };
    if (!mayTask(user, q.op, t))
      return {
        ack: {
          ok: false,
          status: 403,
          error: q.op === 'done' ? `only the staff of grid ${t.gridId} or civil affairs mark this visit done` : `role ${user.role} may not cancel visits`,
        },
        drafts: [],
      };
    const r = applyTaskAction(t, q.op, user.name, q.note.trim(), now);
    if (!r.ok) return { ack: { ok: false, status: 409, error: r.error }, drafts: [] };
    return {
      ack: { ok: true, created: 0, existing: 0, updated: 1, duplicate: false },
      drafts: [{ stream: 'task', kind: 'task.update', ts: now, action: q.op, by: user.name, commandId: q.commandId, task: r.task }],
    };
  }

  /** A follow-up visit after a care call (one per alarm), due the next day, for the device holder's grid staff. */
  careFollowup(alarmId: string, holder: MaskedResident, by: string, now: number): Draft<TaskUpdate> | null {
    const taskId = `C-${alarmId}`;
    if (this.tasks.has(taskId)) return null;
    return {
      stream: 'task',
      kind: 'task.update',
      ts: now,
      action: 'create',
      by,
      task: this.task(holder, 'care-followup', taskId, beijingDay(now + 24 * 3600_000), alarmId, by, now),
    };
  }
}
