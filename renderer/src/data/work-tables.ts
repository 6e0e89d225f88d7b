/**
 * Citizen requests and visit tasks in the local DuckDB, for analysis in the SQL console and reports ("all in DuckDB
 * for analysis"): `citizen_requests` (one row per request, its current state and SLA deadlines), `request_steps` (every
 * step of every request: who did what when) and `visit_tasks`. Rebuilt from the live world a moment after a change
 * and on the 15 s clock (debounced; a week of requests is a few hundred rows), through CSV and read_csv with declared column types — no
 * DuckDB extension needed offline, and no Arrow builders (they generate code at run time, which the CSP forbids).
 */
import { reaction } from 'mobx';
import { memFile } from './db-lockdown.ts';
import { DEMO_SLA, isOverdue, requestSla, type CitizenRequest } from '../../../data-pipelines/contracts/citizen-request.ts';
import type { VisitTask } from '../../../data-pipelines/contracts/tasks.ts';
import type { World } from '../../../data-pipelines/contracts/world.ts';
import { requestsOf, tasksOf } from '../work/format.ts';

export interface TableSink {
  /** an in-memory file read_csv() can read */
  registerText(name: string, text: string): Promise<void>;
  exec(sql: string): Promise<unknown>;
}

type Column = readonly string[] | readonly boolean[] | Float64Array | Int32Array;

/** One CSV cell: strings always quoted (quotes doubled), missing numbers empty (NULL). */
function cell(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return `"${String(v).replaceAll('"', '""')}"`;
}

/** CSV text of columns, and the read_csv column spec (names and DuckDB types) to read it back exactly. */
export function toCsv(cols: Record<string, Column>): { text: string; spec: string } {
  const names = Object.keys(cols);
  const n = names.length ? cols[names[0]!]!.length : 0;
  const lines = [names.map((k) => `"${k}"`).join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((k) => cell(cols[k]![i])).join(','));
  // an empty boolean column reads as VARCHAR here: the typed tables cast it (finalSql), so an empty table keeps its types
  const type = (c: Column) => (c instanceof Float64Array ? 'DOUBLE' : c instanceof Int32Array ? 'INTEGER' : typeof c[0] === 'boolean' ? 'BOOLEAN' : 'VARCHAR');
  return { text: `${lines.join('\n')}\n`, spec: `{${names.map((k) => `'${k}': '${type(cols[k]!)}'`).join(', ')}}` };
}

const num = (v: number | undefined) => (v === undefined ? Number.NaN : v);

/** Column arrays of the three tables (pure: unit-tested without DuckDB). Timestamps as epoch ms (NaN = none). */
export function workColumns(requests: readonly CitizenRequest[], tasks: readonly VisitTask[], now: number) {
  const sla = requests.map((r) => requestSla(r, now, DEMO_SLA));
  const steps = requests.flatMap((r) => r.history.map((s, i) => ({ r, s, i })));
  return {
    requests: {
      request_id: requests.map((r) => r.requestId),
      channel: requests.map((r) => r.channel),
      topic: requests.map((r) => r.topic),
      urgency: requests.map((r) => r.urgency),
      summary: requests.map((r) => r.summary),
      lon: Float64Array.from(requests, (r) => r.lon),
      lat: Float64Array.from(requests, (r) => r.lat),
      grid_id: requests.map((r) => r.gridId ?? ''),
      state: requests.map((r) => r.state),
      department: requests.map((r) => r.department ?? ''),
      registered_ms: Float64Array.from(requests, (r) => r.registeredAt),
      accepted_ms: Float64Array.from(requests, (r) => num(r.acceptedAt)),
      handled_ms: Float64Array.from(requests, (r) => num(r.handledAt)),
      updated_ms: Float64Array.from(requests, (r) => r.updatedAt),
      respond_due_ms: Float64Array.from(sla, (s) => s.response.dueAt),
      resolve_due_ms: Float64Array.from(sla, (s) => s.resolution.dueAt),
      response_status: sla.map((s) => s.response.status),
      resolution_status: sla.map((s) => s.resolution.status),
      overdue: requests.map((r) => isOverdue(r, now)),
      satisfied: requests.map((r) => (r.satisfied === undefined ? '' : r.satisfied ? 'yes' : 'no')),
      returns: Int32Array.from(requests, (r) => r.returns),
      reopens: Int32Array.from(requests, (r) => r.reopens),
    },
    steps: {
      request_id: steps.map((x) => x.r.requestId),
      step: Int32Array.from(steps, (x) => x.i),
      action: steps.map((x) => x.s.action),
      by: steps.map((x) => x.s.by),
      at_ms: Float64Array.from(steps, (x) => x.s.at),
      department: steps.map((x) => x.s.department ?? ''),
      satisfied: steps.map((x) => (x.s.satisfied === undefined ? '' : x.s.satisfied ? 'yes' : 'no')),
      note: steps.map((x) => x.s.note ?? ''),
    },
    tasks: {
      task_id: tasks.map((t) => t.taskId),
      kind: tasks.map((t) => t.kind),
      resident_id: tasks.map((t) => t.residentId),
      grid_id: tasks.map((t) => t.gridId),
      staff: tasks.map((t) => t.staff),
      building_id: Int32Array.from(tasks, (t) => t.buildingId),
      due: tasks.map((t) => t.due),
      state: tasks.map((t) => t.state),
      source: tasks.map((t) => t.source),
      created_ms: Float64Array.from(tasks, (t) => t.createdAt),
      updated_ms: Float64Array.from(tasks, (t) => t.updatedAt),
      done_by: tasks.map((t) => t.doneBy ?? ''),
    },
  };
}

/** Staging tables (from CSV) -> typed tables: real TIMESTAMPs, DATEs and booleans. */
const finalSql = (now: number) => `
CREATE OR REPLACE TABLE citizen_requests AS SELECT request_id, channel, topic, urgency, summary, lon, lat, NULLIF(grid_id, '') AS grid_id, state,
  NULLIF(department, '') AS department, epoch_ms(registered_ms::BIGINT) AS registered_at,
  epoch_ms(accepted_ms::BIGINT) AS accepted_at,
  epoch_ms(handled_ms::BIGINT) AS handled_at,
  epoch_ms(updated_ms::BIGINT) AS updated_at, epoch_ms(respond_due_ms::BIGINT) AS respond_due,
  epoch_ms(resolve_due_ms::BIGINT) AS resolve_due, response_status, resolution_status, overdue::BOOLEAN AS overdue,
  CASE satisfied WHEN 'yes' THEN true WHEN 'no' THEN false END AS satisfied, returns, reopens, epoch_ms(${Math.round(now)}::BIGINT) AS sla_as_of FROM _stage_requests;
CREATE OR REPLACE TABLE request_steps AS SELECT request_id, step, action, "by", epoch_ms(at_ms::BIGINT) AS at,
  NULLIF(department, '') AS department, CASE satisfied WHEN 'yes' THEN true WHEN 'no' THEN false END AS satisfied, NULLIF(note, '') AS note FROM _stage_steps;
CREATE OR REPLACE TABLE visit_tasks AS SELECT task_id, kind, resident_id, grid_id, staff, building_id, due::DATE AS due, state, source,
  epoch_ms(created_ms::BIGINT) AS created_at, epoch_ms(updated_ms::BIGINT) AS updated_at, NULLIF(done_by, '') AS done_by FROM _stage_tasks;
DROP TABLE _stage_requests; DROP TABLE _stage_steps; DROP TABLE _stage_tasks;`;

/** Writes the three tables once (from the live world at `now`). */
export async function writeWorkTables(db: TableSink, requests: readonly CitizenRequest[], tasks: readonly VisitTask[], now: number): Promise<void> {
  const c = workColumns(requests, tasks, now);
  const stage: string[] = [];
  for (const [name, cols] of [
    ['_stage_requests', c.requests],
    ['_stage_steps', c.steps],
    ['_stage_tasks', c.tasks],
  ] as const) {
    const { text, spec } = toCsv(cols);
    await db.registerText(memFile(`${name}.csv`), text);
    stage.push(
      `CREATE OR REPLACE TEMP TABLE ${name} AS SELECT * FROM read_csv('${memFile(`${name}.csv`)}', header = true, quote = '"', escape = '"', columns = ${spec});`,
    );
  }
  // one transaction (on its own connection, LocalDb.connectSink): a query from the SQL console sees the old tables or
  // the new ones, never a half-built set; a failure rolls back to the old
  try {
    await db.exec(`BEGIN TRANSACTION;\n${stage.join('\n')}${finalSql(now)}\nCOMMIT;`);
  } catch (e) {
    await db.exec('ROLLBACK;').catch(() => undefined);
    throw e;
  }
}

/**
 * Keeps the tables in step with the feed (debounced) and with the clock: the SLA columns (`overdue`, the statuses) are
 * as of the last rebuild (`sla_as_of`), which runs on every change and at least every 15 s. Returns the disposer.
 * `onWritten` e.g. refreshes the schema.
 */
/** What syncWorkTables reads of the root store (RootStore satisfies it; data/ does not import stores/). */
export interface WorkTablesSource {
  readonly realLive: { readonly versions: { readonly request: number; readonly task: number }; readonly world: World };
  readonly feed: { readonly now15s: number };
}

export function syncWorkTables(store: WorkTablesSource, db: TableSink, onWritten: () => void, delayMs = 2_000): () => void {
  let chain = Promise.resolve();
  let first = true;
  return reaction(
    () => [store.realLive.versions.request, store.realLive.versions.task, store.feed.now15s],
    () => {
      const requests = requestsOf(store.realLive.world);
      const tasks = tasksOf(store.realLive.world);
      chain = chain
        .then(() => writeWorkTables(db, requests, tasks, Date.now()))
        .then(() => {
          if (first) onWritten();
          first = false;
        })
        .catch((e: unknown) => console.warn('citizen-request tables not updated:', (e as Error).message));
    },
    { delay: delayMs },
  );
}
