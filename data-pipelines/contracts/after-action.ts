/**
 * After-action report for a drill or any time window: per alarm, detection-to-acknowledge, -to-dispatch and
 * -to-on-site times from the alarm's own journaled history, with a summary and CSV/HTML exports. Pure; the renderer
 * and the CLI (data-pipelines/feed/report.ts) use the same code.
 */
import { csvText, htmlEscape } from './export-format.ts';
import type { Alarm } from './alarm.ts';
import type { DrillStatus, FeedEvent } from './events.ts';

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

export function alarmTimes(a: Alarm): AlarmTimes {
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
 * in [from, to] (optionally only those of one drill run, or only real ones).
 */
export function afterActionReport(
  events: readonly FeedEvent[],
  o: { from: number; to: number; drillId?: string; include?: 'all' | 'real' | 'drill'; title?: string },
): AfterActionReport {
  const latest = new Map<string, Alarm>();
  const drillEvents: DrillStatus[] = [];
  for (const ev of events) {
    if (ev.kind === 'alarm.update') latest.set(ev.alarm.alarmId, ev.alarm);
    else if (ev.kind === 'drill.status' && (!o.drillId || ev.drillId === o.drillId)) drillEvents.push(ev);
  }
  const include = o.include ?? (o.drillId ? 'drill' : 'all');
  const alarms = [...latest.values()]
    .filter((a) => a.raisedAt >= o.from && a.raisedAt <= o.to)
    .filter((a) => (o.drillId ? a.drillId === o.drillId : include === 'all' ? true : include === 'drill' ? a.drill : !a.drill))
    .sort((a, b) => a.raisedAt - b.raisedAt || a.alarmId.localeCompare(b.alarmId))
    .map(alarmTimes);
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
  ]);
  return csvText(REPORT_COLUMNS, rows);
}

const esc = htmlEscape;
const fmtS = (v: number | null) => (v === null ? '—' : v >= 120 ? `${Math.floor(v / 60)} min ${Math.round(v % 60)} s` : `${v} s`);
const local = (t: number | null) => (t === null ? '—' : new Date(t + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19) + ' (UTC+8)');

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
.drill{background:repeating-linear-gradient(135deg,#fff,#fff 6px,#f3f3f3 6px,#f3f3f3 12px)}@media print{body{margin:0}}</style></head><body>
<h1>${esc(r.title)}</h1>
<p>时间窗 Window: ${local(r.from)} → ${local(r.to)} · ${s.alarms} alarms · ${s.neverAcknowledged} never acknowledged</p>
${drill}
<section><h2>响应时间 Response times (from detection)</h2><table><tr><th></th><th>n</th><th>median</th><th>p90</th><th>max</th></tr>
${statRow('to acknowledge 确认', s.toAck)}${statRow('to dispatch 派单', s.toDispatch)}${statRow('to on-site 到场', s.toOnsite)}</table></section>
<section><h2>告警 Alarms</h2><table><tr><th>alarm</th><th>category</th><th>source</th><th>floor</th><th>raised</th><th>ack</th><th>dispatch</th><th>on-site</th><th>team</th><th>state</th></tr>
${r.alarms.map((a) => `<tr class="${a.drill ? 'drill' : ''}"><td>${esc(a.alarmId)}${a.drill ? ' <b>DRILL</b>' : ''}</td><td>${esc(a.category)}/${esc(a.cause)}</td><td>${esc(a.sourceId)}</td><td>${a.floor ?? ''}</td><td>${local(a.raisedAt)}</td><td>${fmtS(a.toAckS)}</td><td>${fmtS(a.toDispatchS)}</td><td>${fmtS(a.toOnsiteS)}</td><td>${esc(a.team ?? '')}</td><td>${esc(a.state)}</td></tr>`).join('\n')}
</table></section>
<p>Method: times are from each alarm's journaled history (detection = raise; acknowledgement = first acknowledge or dispatch, whichever came first). Generated by RedWall.</p>
</body></html>`;
}
