/**
 * After-action report for a drill or any time window: per alarm, detection-to-acknowledge, -to-dispatch and
 * -to-on-site times from the alarm's own journaled history, its SOP steps (due, done, by whom, late) and its response
 * plan (each part proposed, decided, by whom, edited: plan against done, issue 22), with a summary and CSV/HTML
 * exports. Pure; the renderer and the server's /api/report use the same code. Given the SOP files, every step of an
 * alarm's SOP is listed with its due time; without them, only the steps ticked or escalated (what the alarm carries).
 */
import { csvText, htmlEscape } from './export-format.ts';
import type { Alarm } from './alarm.ts';
import type { DrillStatus, FeedEvent } from './events.ts';
import type { PlanDecision, PlanPartKind } from './plan.ts';
import { sopFileOf, sopProgress, type SopFile, type SopRole } from './sop.ts';

/** One SOP step of an alarm, as the report shows it. */
export interface StepRow {
  stepId: string;
  /** from the SOP file (null: the file was not given or no longer has the step) */
  who: SopRole | null;
  mandatory: boolean | null;
  /** the step's text (zh-CN) when the file was given */
  text: string | null;
  dueAt: number | null;
  doneAt: number | null;
  by: string | null;
  note: string | null;
  /** done after its due time, or not done by the alarm's close (or the report's end) though due */
  late: boolean;
  escalated: boolean;
}

/** One part of an alarm's response plan. */
export interface PlanRow {
  partId: string;
  kind: PlanPartKind;
  target: string;
  detail: string | null;
  decision: PlanDecision;
  /** when the proposal holding this part was made (null: not known) */
  proposedAt: number | null;
  decidedAt: number | null;
  decidedBy: string | null;
  edited: boolean;
  etaS: number | null;
}

export interface AlarmTimes {
  alarmId: string;
  category: Alarm['category'];
  sourceId: string;
  cause: string;
  priority: number;
  drill: boolean;
  drillId?: string;
  floor?: number;
  buildingId?: number;
  raisedAt: number;
  acknowledgedAt: number | null;
  dispatchedAt: number | null;
  onsiteAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  team: string | null;
  /** seconds from detection (raise) */
  toAckS: number | null;
  toDispatchS: number | null;
  toOnsiteS: number | null;
  toResolveS: number | null;
  state: Alarm['state'];
  /** its SOP (null: none) and steps */
  sopId: string | null;
  sopVersion: number | null;
  steps: StepRow[];
  /** its response plan's parts (empty: no plan); planDrill: the plan was a drill plan */
  plan: PlanRow[];
  planProposedBy: string | null;
}

export interface Stat {
  n: number;
  medianS: number | null;
  p90S: number | null;
  maxS: number | null;
}

export interface AfterActionReport {
  title: string;
  from: number;
  to: number;
  drill: {
    drillId: string;
    name: string;
    startedAt: number;
    endedAt: number | null;
    outcome: 'ended' | 'aborted' | 'running';
    steps: Array<{ at: number; note: string }>;
  } | null;
  alarms: AlarmTimes[];
  summary: {
    alarms: number;
    acknowledged: number;
    dispatched: number;
    onsite: number;
    neverAcknowledged: number;
    toAck: Stat;
    toDispatch: Stat;
    toOnsite: Stat;
  };
}

const secs = (a: number | null, b: number) => (a === null ? null : Math.round((a - b) / 100) / 10);

/**
 * The alarm's SOP steps as of `asOf` (its close, else the report's end): with its SOP file every step, else the
 * ticked and escalated ones.
 */
export function stepRows(a: Alarm, sop: SopFile | null, asOf: number): StepRow[] {
  if (!a.sop) return [];
  const state = a.sop;
  if (sop && sop.id === state.id) {
    return sopProgress(sop, state, a.raisedAt, asOf).map((p) => {
      const doneAt = p.done?.at ?? null;
      return {
        stepId: p.step.id,
        who: p.step.who,
        mandatory: p.step.mandatory,
        text: p.step.text['zh-CN'],
        dueAt: p.dueAt,
        doneAt,
        by: p.done?.by ?? null,
        note: p.done?.note ?? null,
        late: p.dueAt !== null && (doneAt === null ? asOf > p.dueAt : doneAt > p.dueAt),
        escalated: p.escalated,
      };
    });
  }
  const ids = [...state.done.map((d) => d.stepId), ...state.escalated.filter((id) => !state.done.some((d) => d.stepId === id))];
  return ids.map((stepId) => {
    const d = state.done.find((x) => x.stepId === stepId) ?? null;
    const escalated = state.escalated.includes(stepId);
    return {
      stepId,
      who: null,
      mandatory: null,
      text: null,
      dueAt: null,
      doneAt: d?.at ?? null,
      by: d?.by ?? null,
      note: d?.note ?? null,
      // an escalated step was overdue: late whether or not it was done later
      late: escalated,
      escalated,
    };
  });
}

/** The plan's parts; `proposedAt` per part from the alarm's earlier versions when known (afterActionReport). */
export function planRows(a: Alarm, proposedAt?: ReadonlyMap<string, number>): PlanRow[] {
  const plan = a.plan;
  if (!plan) return [];
  return plan.parts.map((p) => ({
    partId: p.partId,
    kind: p.kind,
    target: p.target,
    detail: p.detail ?? null,
    decision: p.decision,
    // a part decided before the latest proposal came from an earlier one (its time is known from earlier versions)
    proposedAt: proposedAt?.get(p.partId) ?? (p.decidedAt === undefined || p.decidedAt >= plan.proposedAt ? plan.proposedAt : null),
    decidedAt: p.decidedAt ?? null,
    decidedBy: p.decidedBy ?? null,
    edited: p.edited === true,
    etaS: p.etaS ?? null,
  }));
}

export function alarmTimes(a: Alarm, o: { sop?: SopFile | null; asOf?: number; proposedAt?: ReadonlyMap<string, number> } = {}): AlarmTimes {
  const first = (action: string) => a.history.find((h) => h.action === action)?.at ?? null;
  // dispatch implies acknowledgement (dispatching a new alarm is allowed): count the earlier of the two
  const ack = first('acknowledge');
  const dispatched = first('dispatch');
  const acknowledgedAt = ack === null ? dispatched : dispatched === null ? ack : Math.min(ack, dispatched);
  const onsiteAt = first('onsite');
  const resolvedAt = first('resolve');
  return {
    alarmId: a.alarmId,
    category: a.category,
    sourceId: a.sourceId,
    cause: a.cause,
    priority: a.priority,
    drill: a.drill,
    ...(a.drillId ? { drillId: a.drillId } : {}),
    ...(a.floor !== undefined ? { floor: a.floor } : {}),
    ...(a.buildingId !== undefined ? { buildingId: a.buildingId } : {}),
    raisedAt: a.raisedAt,
    acknowledgedAt,
    dispatchedAt: dispatched,
    onsiteAt,
    resolvedAt,
    closedAt: first('close'),
    team: a.team ?? null,
    toAckS: secs(acknowledgedAt, a.raisedAt),
    toDispatchS: secs(dispatched, a.raisedAt),
    toOnsiteS: secs(onsiteAt, a.raisedAt),
    toResolveS: secs(resolvedAt, a.raisedAt),
    state: a.state,
    sopId: a.sop?.id ?? null,
    sopVersion: a.sop?.version ?? null,
    steps: stepRows(a, o.sop ?? null, first('close') ?? o.asOf ?? a.updatedAt),
    plan: planRows(a, o.proposedAt),
    planProposedBy: a.plan?.proposedBy ?? null,
  };
}

export function stat(values: Array<number | null>): Stat {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (!v.length) return { n: 0, medianS: null, p90S: null, maxS: null };
  const q = (p: number) => {
    // linear interpolation between closest ranks
    const i = (v.length - 1) * p;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return Math.round((v[lo]! + (v[hi]! - v[lo]!) * (i - lo)) * 10) / 10;
  };
  return { n: v.length, medianS: q(0.5), p90S: q(0.9), maxS: v[v.length - 1]! };
}

/**
 * Builds the report from journal events (alarm.update and drill.status): the latest version of every alarm raised
 * in [from, to] (optionally only those of one drill run, or only real ones). `sops`: the SOP files (every step of an
 * alarm's SOP with its due time; without them only the steps the alarm carries as done or escalated).
 */
export function afterActionReport(
  events: readonly FeedEvent[],
  o: { from: number; to: number; drillId?: string; include?: 'all' | 'real' | 'drill'; title?: string; sops?: readonly SopFile[] },
): AfterActionReport {
  const latest = new Map<string, Alarm>();
  // per alarm and plan part: the time of the last proposal in which the part was still proposed
  const proposedAt = new Map<string, Map<string, number>>();
  const drillEvents: DrillStatus[] = [];
  for (const ev of events) {
    if (ev.kind === 'alarm.update') {
      latest.set(ev.alarm.alarmId, ev.alarm);
      const plan = ev.alarm.plan;
      if (plan) {
        let m = proposedAt.get(ev.alarm.alarmId);
        if (!m) proposedAt.set(ev.alarm.alarmId, (m = new Map()));
        for (const p of plan.parts) if (p.decision === 'proposed') m.set(p.partId, plan.proposedAt);
      }
    } else if (ev.kind === 'drill.status' && (!o.drillId || ev.drillId === o.drillId)) drillEvents.push(ev);
  }
  const include = o.include ?? (o.drillId ? 'drill' : 'all');
  const alarms = [...latest.values()]
    .filter((a) => a.raisedAt >= o.from && a.raisedAt <= o.to)
    .filter((a) => (o.drillId ? a.drillId === o.drillId : include === 'all' ? true : include === 'drill' ? a.drill : !a.drill))
    .sort((a, b) => a.raisedAt - b.raisedAt || a.alarmId.localeCompare(b.alarmId))
    .map((a) =>
      alarmTimes(a, {
        sop: sopFileOf(o.sops ?? [], a.sop),
        asOf: o.to,
        ...(proposedAt.has(a.alarmId) ? { proposedAt: proposedAt.get(a.alarmId)! } : {}),
      }),
    );
  let drill: AfterActionReport['drill'] = null;
  if (o.drillId) {
    const evs = drillEvents.filter((e) => e.drillId === o.drillId).sort((a, b) => a.seq - b.seq);
    const first = evs[0];
    if (first) {
      const end = evs.find((e) => e.state === 'ended' || e.state === 'aborted');
      drill = {
        drillId: o.drillId,
        name: first.name,
        startedAt: first.startedAt,
        endedAt: end?.ts ?? null,
        outcome: end ? (end.state as 'ended' | 'aborted') : 'running',
        steps: evs.filter((e) => e.state === 'step' || e.state === 'aborted').map((e) => ({ at: e.ts, note: e.note ?? '' })),
      };
    }
  }
  return {
    title: o.title ?? (drill ? `演练复盘 After-action: ${drill.name}` : '事件复盘 After-action review'),
    from: o.from,
    to: o.to,
    drill,
    alarms,
    summary: {
      alarms: alarms.length,
      acknowledged: alarms.filter((a) => a.acknowledgedAt !== null).length,
      dispatched: alarms.filter((a) => a.dispatchedAt !== null).length,
      onsite: alarms.filter((a) => a.onsiteAt !== null).length,
      neverAcknowledged: alarms.filter((a) => a.acknowledgedAt === null).length,
      toAck: stat(alarms.map((a) => a.toAckS)),
      toDispatch: stat(alarms.map((a) => a.toDispatchS)),
      toOnsite: stat(alarms.map((a) => a.toOnsiteS)),
    },
  };
}

const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());

export const REPORT_COLUMNS = [
  'alarm_id',
  'category',
  'source_id',
  'cause',
  'priority',
  'drill',
  'building_id',
  'floor',
  'raised_at',
  'acknowledged_at',
  'dispatched_at',
  'onsite_at',
  'resolved_at',
  'closed_at',
  'team',
  'to_ack_s',
  'to_dispatch_s',
  'to_onsite_s',
  'to_resolve_s',
  'state',
  // issue 22 (after the original columns, which stay as they were)
  'sop',
  'steps_done',
  'steps_listed',
  'mandatory_open',
  'steps_late',
  'steps_escalated',
  'plan_parts',
  'plan_confirmed',
  'plan_rejected',
] as const;

/** CSV (RFC 4180, UTF-8 with BOM so Excel on Chinese Windows opens it correctly; formula injection neutralized). */
export function reportCsv(r: AfterActionReport): string {
  const rows = r.alarms.map((a) => [
    a.alarmId,
    a.category,
    a.sourceId,
    a.cause,
    a.priority,
    a.drill ? 'drill' : 'real',
    a.buildingId ?? '',
    a.floor ?? '',
    iso(a.raisedAt),
    iso(a.acknowledgedAt),
    iso(a.dispatchedAt),
    iso(a.onsiteAt),
    iso(a.resolvedAt),
    iso(a.closedAt),
    a.team ?? '',
    a.toAckS ?? '',
    a.toDispatchS ?? '',
    a.toOnsiteS ?? '',
    a.toResolveS ?? '',
    a.state,
    a.sopId ? `${a.sopId} v${a.sopVersion}` : '',
    a.steps.filter((st) => st.doneAt !== null).length,
    a.steps.length,
    a.steps.filter((st) => st.mandatory === true && st.doneAt === null).length,
    a.steps.filter((st) => st.late).length,
    a.steps.filter((st) => st.escalated).length,
    a.plan.length,
    a.plan.filter((p) => p.decision === 'confirmed').length,
    a.plan.filter((p) => p.decision === 'rejected').length,
  ]);
  return csvText(REPORT_COLUMNS, rows);
}

export const STEP_COLUMNS = ['alarm_id', 'drill', 'sop', 'step_id', 'who', 'mandatory', 'due_at', 'done_at', 'by', 'late', 'escalated', 'note'] as const;

const yesNo = (v: boolean | null) => (v === null ? '' : v ? 'yes' : 'no');

/** One row per SOP step of every alarm (CSV like reportCsv). */
export function reportStepsCsv(r: AfterActionReport): string {
  const rows = r.alarms.flatMap((a) =>
    a.steps.map((st) => [
      a.alarmId,
      a.drill ? 'drill' : 'real',
      a.sopId ? `${a.sopId} v${a.sopVersion}` : '',
      st.stepId,
      st.who ?? '',
      yesNo(st.mandatory),
      iso(st.dueAt),
      iso(st.doneAt),
      st.by ?? '',
      yesNo(st.late),
      yesNo(st.escalated),
      st.note ?? '',
    ]),
  );
  return csvText(STEP_COLUMNS, rows);
}

export const PLAN_COLUMNS = [
  'alarm_id',
  'drill',
  'part_id',
  'kind',
  'target',
  'decision',
  'proposed_at',
  'decided_at',
  'decided_by',
  'edited',
  'eta_s',
  'detail',
] as const;

/** One row per plan part of every alarm: plan against done (CSV like reportCsv). */
export function reportPlanCsv(r: AfterActionReport): string {
  const rows = r.alarms.flatMap((a) =>
    a.plan.map((p) => [
      a.alarmId,
      a.drill ? 'drill' : 'real',
      p.partId,
      p.kind,
      p.target,
      p.decision,
      iso(p.proposedAt),
      iso(p.decidedAt),
      p.decidedBy ?? '',
      yesNo(p.edited),
      p.etaS ?? '',
      p.detail ?? '',
    ]),
  );
  return csvText(PLAN_COLUMNS, rows);
}

const esc = htmlEscape;
const fmtS = (v: number | null) => (v === null ? '—' : v >= 120 ? `${Math.floor(v / 60)} min ${Math.round(v % 60)} s` : `${v} s`);
const local = (t: number | null) => (t === null ? '—' : new Date(t + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19) + ' (UTC+8)');

const yn = (v: boolean | null) => (v === null ? '—' : v ? '是 yes' : '否 no');

function stepsSection(r: AfterActionReport): string {
  const withSteps = r.alarms.filter((a) => a.steps.length);
  if (!withSteps.length) return '';
  const rows = withSteps.flatMap((a) =>
    a.steps.map(
      (st) =>
        `<tr class="${a.drill ? 'drill' : ''}${st.late ? ' late' : ''}"><td>${esc(a.alarmId)}${a.drill ? ' <b>DRILL</b>' : ''}</td><td>${esc(a.sopId ?? '')}</td><td>${esc(st.stepId)}${st.text ? ` — ${esc(st.text)}` : ''}</td><td>${esc(st.who ?? '')}</td><td>${yn(st.mandatory)}</td><td>${local(st.dueAt)}</td><td>${local(st.doneAt)}</td><td>${esc(st.by ?? '')}</td><td>${st.late ? '<b>超时 late</b>' : ''}${st.escalated ? ' 已升级 escalated' : ''}</td></tr>`,
    ),
  );
  return `<section><h2>处置步骤 SOP steps</h2><table><tr><th>alarm</th><th>SOP</th><th>step</th><th>who</th><th>mandatory</th><th>due</th><th>done</th><th>by</th><th>late</th></tr>
${rows.join('\n')}
</table></section>
`;
}

function planSection(r: AfterActionReport): string {
  const withPlan = r.alarms.filter((a) => a.plan.length);
  if (!withPlan.length) return '';
  const rows = withPlan.flatMap((a) =>
    a.plan.map(
      (p) =>
        `<tr class="${a.drill ? 'drill' : ''}"><td>${esc(a.alarmId)}${a.drill ? ' <b>DRILL</b>' : ''}</td><td>${esc(p.partId)}</td><td>${esc(p.kind)}</td><td>${esc(p.target)}${p.detail ? ` — ${esc(p.detail)}` : ''}</td><td>${esc(p.decision)}${p.edited ? ' (edited 已修改)' : ''}</td><td>${local(p.proposedAt)}</td><td>${local(p.decidedAt)}</td><td>${esc(p.decidedBy ?? '')}</td></tr>`,
    ),
  );
  return `<section><h2>一键指挥方案与执行 Plan vs done</h2><table><tr><th>alarm</th><th>part</th><th>kind</th><th>target</th><th>decision</th><th>proposed</th><th>decided</th><th>by</th></tr>
${rows.join('\n')}
</table></section>
`;
}

/** A self-contained printable HTML page (no external resources: opens on an isolated intranet and prints to PDF). */
export function reportHtml(r: AfterActionReport): string {
  const s = r.summary;
  const statRow = (label: string, st: Stat) =>
    `<tr><th>${esc(label)}</th><td>${st.n}</td><td>${fmtS(st.medianS)}</td><td>${fmtS(st.p90S)}</td><td>${fmtS(st.maxS)}</td></tr>`;
  const drill = r.drill
    ? `<section><h2>演练 Drill</h2><p><b>${esc(r.drill.name)}</b> (${esc(r.drill.drillId)}) — ${local(r.drill.startedAt)} → ${local(r.drill.endedAt)}, ${esc(r.drill.outcome)}</p>
<ol>${r.drill.steps.map((st) => `<li>${local(st.at)} — ${esc(st.note)}</li>`).join('')}</ol></section>`
    : '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>body{font:14px/1.5 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#111}
h1{font-size:20px}table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #999;padding:3px 8px;text-align:left}
.drill{background:repeating-linear-gradient(135deg,#fff,#fff 6px,#f3f3f3 6px,#f3f3f3 12px)}.late td{color:#a00}@media print{body{margin:0}}</style></head><body>
<h1>${esc(r.title)}</h1>
<p>时间窗 Window: ${local(r.from)} → ${local(r.to)} · ${s.alarms} alarms · ${s.neverAcknowledged} never acknowledged</p>
${drill}
<section><h2>响应时间 Response times (from detection)</h2><table><tr><th></th><th>n</th><th>median</th><th>p90</th><th>max</th></tr>
${statRow('to acknowledge 确认', s.toAck)}${statRow('to dispatch 派单', s.toDispatch)}${statRow('to on-site 到场', s.toOnsite)}</table></section>
<section><h2>告警 Alarms</h2><table><tr><th>alarm</th><th>category</th><th>source</th><th>floor</th><th>raised</th><th>ack</th><th>dispatch</th><th>on-site</th><th>team</th><th>state</th></tr>
${r.alarms.map((a) => `<tr class="${a.drill ? 'drill' : ''}"><td>${esc(a.alarmId)}${a.drill ? ' <b>DRILL</b>' : ''}</td><td>${esc(a.category)}/${esc(a.cause)}</td><td>${esc(a.sourceId)}</td><td>${a.floor ?? ''}</td><td>${local(a.raisedAt)}</td><td>${fmtS(a.toAckS)}</td><td>${fmtS(a.toDispatchS)}</td><td>${fmtS(a.toOnsiteS)}</td><td>${esc(a.team ?? '')}</td><td>${esc(a.state)}</td></tr>`).join('\n')}
</table></section>
${stepsSection(r)}${planSection(r)}
<p>Method: times are from each alarm's journaled history (detection = raise; acknowledgement = first acknowledge or dispatch, whichever came first). Generated by RedWall.</p>
</body></html>`;
}
