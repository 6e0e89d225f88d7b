/**
 * Citizen requests and visit tasks as the console shows them: which list a request belongs to, in what order, which
 * SLA clock matters now and its colour; per grid cell, the open and late work. Pure (unit-tested): the panels, the
 * map layer, the grid panel and the DuckDB tables all read these, so every screen agrees on "overdue".
 */
import {
  isOverdue,
  requestSla,
  threeRates,
  type CitizenRequest,
  type ThreeRates,
  type ClockStatus,
  type SlaClock,
} from '../../../data-pipelines/contracts/citizen-request.ts';
import type { World } from '../../../data-pipelines/contracts/world.ts';
import { taskOverdue, type VisitTask } from '../../../data-pipelines/contracts/tasks.ts';
import type { RGBA } from '../palette.ts';

/** Beijing calendar date (YYYY-MM-DD) of a timestamp: the tasks' due dates are Beijing dates. */
export function beijingToday(ts: number): string {
  return new Date(ts + 8 * 3600_000).toISOString().slice(0, 10);
}

export const RATES_WINDOW_MS = 7 * 24 * 3600_000;

/**
 * The desk's headline: the three rates over requests registered in the last 7 days (a rolling week, as the
 * hotline's reports are), but open and overdue counted over every open request, however old (an overdue request
 * from last month is still overdue). Shared by the desk panel and the wall.
 */
export function deskSummary(list: readonly CitizenRequest[], now: number): { rates: ThreeRates; recent: number; open: number; overdue: number } {
  const recent = list.filter((r) => r.registeredAt >= now - RATES_WINDOW_MS);
  let open = 0;
  let overdue = 0;
  for (const r of list) {
    if (r.state === 'closed') continue;
    open++;
    if (isOverdue(r, now)) overdue++;
  }
  return { rates: threeRates(recent, now), recent: recent.length, open, overdue };
}

export type RequestFilter = 'open' | 'overdue' | 'all';
export const REQUEST_FILTERS: readonly RequestFilter[] = ['open', 'overdue', 'all'];

export function requestsOf(w: World): CitizenRequest[] {
  const out: CitizenRequest[] = [];
  for (const ev of w.byStream.request.values()) if (ev.kind === 'request.update') out.push(ev.request);
  return out;
}

export function tasksOf(w: World): VisitTask[] {
  const out: VisitTask[] = [];
  for (const ev of w.byStream.task.values()) if (ev.kind === 'task.update') out.push(ev.task);
  return out;
}

export interface RequestView {
  request: CitizenRequest;
  /** the clock that matters now: the response clock until accepted, then the resolution clock */
  clock: SlaClock;
  which: 'response' | 'resolution';
  overdue: boolean;
  /** 'closed' for closed requests, else the current clock's status */
  status: ClockStatus | 'closed';
}

export function requestView(r: CitizenRequest, now: number): RequestView {
  const s = requestSla(r, now);
  const which = r.acceptedAt === undefined ? 'response' : 'resolution';
  const clock = s[which];
  const overdue = isOverdue(r, now);
  return { request: r, clock, which, overdue, status: r.state === 'closed' ? 'closed' : overdue ? 'overdue' : clock.status };
}

const RANK: Record<RequestView['status'], number> = { overdue: 0, 'due-soon': 1, running: 2, missed: 3, met: 4, closed: 5 };

/**
 * The desk's list: overdue first (longest late first), then due soon and running by time left, then the finished
 * (handled/fed back, newest first), closed last. `filter` picks open (not closed), overdue only, or all.
 */
export function listRequests(list: readonly CitizenRequest[], now: number, filter: RequestFilter): RequestView[] {
  const views = list.map((r) => requestView(r, now)).filter((v) => (filter === 'all' ? true : filter === 'overdue' ? v.overdue : v.request.state !== 'closed'));
  return views.sort(
    (a, b) =>
      RANK[a.status] - RANK[b.status] ||
      (a.status === 'met' || a.status === 'missed' || a.status === 'closed' ? b.request.updatedAt - a.request.updatedAt : a.clock.leftMs - b.clock.leftMs) ||
      a.request.requestId.localeCompare(b.request.requestId),
  );
}

/**
 * Citizen-request SLA states in their own palette (docs/colours.md): red, orange and yellow are reserved for alarm
 * priorities, so an overdue request must not look like a critical alarm. Indigo (dark) / lavender (light) / sky blue
 * differ in lightness as well as hue, so they stay apart for red-green colour-blind operators.
 */
export const SLA_COLORS: Record<RequestView['status'], RGBA> = {
  overdue: [110, 70, 255, 255],
  'due-soon': [185, 165, 255, 255],
  running: [40, 140, 240, 255],
  met: [120, 170, 150, 255],
  missed: [150, 120, 170, 255],
  closed: [140, 140, 140, 200],
};

export interface GridWork {
  gridId: string;
  openRequests: number;
  overdueRequests: number;
  openTasks: number;
  overdueTasks: number;
}

/** Open and late work per grid cell (requests by their grid, tasks by the resident's grid). */
export function gridWork(requests: readonly CitizenRequest[], tasks: readonly VisitTask[], now: number, today: string): Map<string, GridWork> {
  const by = new Map<string, GridWork>();
  const cell = (g: string) => {
    let w = by.get(g);
    if (!w) by.set(g, (w = { gridId: g, openRequests: 0, overdueRequests: 0, openTasks: 0, overdueTasks: 0 }));
    return w;
  };
  for (const r of requests) {
    if (!r.gridId || r.state === 'closed') continue;
    const w = cell(r.gridId);
    w.openRequests++;
    if (isOverdue(r, now)) w.overdueRequests++;
  }
  for (const t of tasks) {
    if (t.state !== 'open') continue;
    const w = cell(t.gridId);
    w.openTasks++;
    if (taskOverdue(t, today)) w.overdueTasks++;
  }
  return by;
}

/** Tasks as a staff member's list: their grids' open tasks first (soonest due), then the rest open, then finished. */
export function listTasks(tasks: readonly VisitTask[], mine: readonly string[] | null): VisitTask[] {
  const rank = (t: VisitTask) => (t.state !== 'open' ? 2 : mine && !mine.includes(t.gridId) ? 1 : 0);
  return [...tasks].sort(
    (a, b) => rank(a) - rank(b) || (a.state === 'open' ? a.due.localeCompare(b.due) : b.updatedAt - a.updatedAt) || a.taskId.localeCompare(b.taskId),
  );
}
