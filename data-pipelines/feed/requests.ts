/**
 * The citizen-request desk (接诉即办) on the feed server: the authoritative state of every 12345/444 work order, built
 * from the journal's `request` stream; operator commands checked against the pure state machine
 * (contracts/citizen-request.ts) and journaled with the signed-in user's name; idempotent by commandId.
 *
 * With the simulator on it also plays the outside world: hotline calls arriving (registered by the 12345 centre),
 * departments accepting and handling what the desk dispatched to them, and — for a fresh journal — a week of history
 * (closed, late, still open) so the lists, SLA clocks and three rates have something real to show from the first
 * start. The desk itself (dispatch, call-back, close) is left to the operator: nothing the operator should do is
 * done for them, so an undispatched urgent request really goes overdue.
 */
import {
  applyRequestCommand,
  CitizenRequest,
  DEFAULT_DEPARTMENT,
  mayRequest,
  registerRequest,
  RequestWire,
  TOPICS,
  type RequestAck,
  type RequestActor,
  type RequestCommand,
  type Topic,
  type Urgency,
} from '../contracts/citizen-request.ts';
import type { Draft, FeedEvent, RequestUpdate } from '../contracts/events.ts';
import { gridCellOf } from '../geo/grid-cell.ts';
import { rng } from '../shared/rng.ts';
import type { Entities } from './entities.ts';

/** What a citizen says, per topic (data: the wording of real hotline summaries; shown as received). */
const SUMMARIES: Record<Topic, readonly string[]> = {
  noise: ['夜间施工噪音扰民', '商铺音响声音过大', '广场舞音量过大影响休息'],
  parking: ['车辆乱停占用消防通道', '小区门口长期占道停车', '共享单车堆放阻碍通行'],
  drainage: ['雨水井堵塞路面积水', '污水井冒水有异味', '井盖松动行人绊倒风险'],
  road: ['人行道地砖破损', '路灯不亮', '道路坑洼需修补'],
  sanitation: ['垃圾桶满溢未及时清运', '楼道堆放杂物', '公厕卫生差'],
  property: ['楼道灯不亮物业不处理', '电梯经常故障', '单元门禁损坏'],
  heating: ['暖气不热室温偏低', '暖气管道漏水'],
  market: ['商户占道经营', '无证流动摊贩'],
  greening: ['树枝遮挡路灯', '绿地被占用'],
  elderly: ['独居老人需要上门探访', '老人助餐点开放时间咨询'],
};
const TOPIC_WEIGHTS: Record<Topic, number> = {
  noise: 3,
  parking: 4,
  drainage: 2,
  road: 2,
  sanitation: 3,
  property: 3,
  heating: 1,
  market: 1,
  greening: 1,
  elderly: 1,
};

export interface DeskOptions {
  seed?: number;
  /** mean interval between new hotline requests across the district (0 = none) */
  requestEveryMs?: number;
  /** days of request history synthesized into a fresh journal (one with no request events yet); 0 = none */
  backfillDays?: number;
  /** how fast simulated departments accept / handle what was dispatched to them (ms ranges) */
  acceptAfterMs?: [number, number];
  handleAfterMs?: [number, number];
}

const SYSTEM = '12345';
const MIN = 60_000;
const H = 3600_000;

/** Beijing calendar date as YYYYMMDD. */
function ymd(ts: number): string {
  return new Date(ts + 8 * H).toISOString().slice(0, 10).replaceAll('-', '');
}

function hash(s: string): number {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (h >>> 0) / 4294967296;
}

export class RequestDesk {
  readonly requests = new Map<string, CitizenRequest>();
  private readonly commands = new Map<string, { seq: number; requestId: string }>();
  private readonly perDay = new Map<string, number>();
  private readonly rand: () => number;
  readonly opts: Readonly<Required<DeskOptions>>;
  private lastTick: number | null = null;
  /** first live tick: departments' clocks for work older than this start here (no burst of steps at start-up) */
  private liveSince = 0;

  constructor(
    private readonly e: Entities,
    opts: DeskOptions = {},
  ) {
    this.opts = { seed: 12345, requestEveryMs: 4 * MIN, backfillDays: 0, acceptAfterMs: [2 * MIN, 15 * MIN], handleAfterMs: [10 * MIN, 60 * MIN], ...opts };
    this.rand = rng(this.opts.seed);
  }

  observe(ev: FeedEvent): void {
    if (ev.kind !== 'request.update') return;
    this.requests.set(ev.request.requestId, ev.request);
    if (ev.commandId) this.commands.set(ev.commandId, { seq: ev.seq, requestId: ev.request.requestId });
    const m = /^R-(\d{8})-(\d{4,})$/.exec(ev.request.requestId);
    if (m) this.perDay.set(m[1]!, Math.max(this.perDay.get(m[1]!) ?? 0, Number(m[2])));
  }

  private nextId(now: number): string {
    const day = ymd(now);
    const n = (this.perDay.get(day) ?? 0) + 1;
    this.perDay.set(day, n);
    return `R-${day}-${String(n).padStart(4, '0')}`;
  }

  private gridOf(lon: number, lat: number): string | undefined {
    return gridCellOf(this.e.grid, lon, lat) ?? undefined;
  }

  /**
   * A command from `user` (the socket's user; register, or a step of an existing request) as a journal draft, or the
   * ack to send without journaling anything (refused by the state machine or the user's role, or a repeat of a command
   * already journaled). The step is by `user.name`, not whatever the client wrote.
   */
  command(raw: unknown, user: RequestActor, now: number): { draft: Draft<RequestUpdate> } | { ack: RequestAck } {
    const by = user.name;
    const p = RequestWire.safeParse(raw);
    if (!p.success)
      return {
        ack: {
          ok: false,
          error: `bad request command: ${p.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
            .join('; ')}`,
        },
      };
    const c = p.data;
    const seen = this.commands.get(c.commandId);
    if (seen) {
      const r = this.requests.get(seen.requestId);
      return { ack: r ? { ok: true, seq: seen.seq, request: r, duplicate: true } : { ok: false, error: 'duplicate command of a request no longer held' } };
    }
    if (c.action === 'register') {
      if (!mayRequest(user, 'register', { channel: c.channel })) return { ack: { ok: false, error: `${user.role} may not register ${c.channel} requests` } };
      const gridId = this.gridOf(c.lon, c.lat);
      const request = registerRequest(
        {
          requestId: this.nextId(now),
          channel: c.channel,
          topic: c.topic,
          urgency: c.urgency,
          summary: c.summary,
          lon: c.lon,
          lat: c.lat,
          ...(gridId ? { gridId } : {}),
        },
        by,
        now,
      );
      return { draft: { stream: 'request', kind: 'request.update', ts: now, action: 'register', by, commandId: c.commandId, request } };
    }
    const cur = this.requests.get(c.requestId);
    if (!cur) return { ack: { ok: false, error: `no request ${c.requestId}` } };
    if (!mayRequest(user, c.action, cur))
      return { ack: { ok: false, error: `${user.role} may not ${c.action} request ${cur.requestId}${cur.department ? ` (with ${cur.department})` : ''}` } };
    const cmd: RequestCommand = { ...c, by };
    const r = applyRequestCommand(cur, cmd, Math.max(now, cur.updatedAt));
    if (!r.ok) return { ack: { ok: false, error: r.error } };
    return { draft: { stream: 'request', kind: 'request.update', ts: now, action: c.action, by, commandId: c.commandId, request: r.request } };
  }

  private pickTopic(): Topic {
    const total = TOPICS.reduce((s, t) => s + TOPIC_WEIGHTS[t], 0);
    let x = this.rand() * total;
    for (const t of TOPICS) if ((x -= TOPIC_WEIGHTS[t]) < 0) return t;
    return 'noise';
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  /** A new hotline request as the 12345 centre registers it. */
  private arrival(now: number): CitizenRequest {
    const topic = this.pickTopic();
    const places: ReadonlyArray<{ lon: number; lat: number }> =
      topic === 'parking' && this.e.parking.length ? this.e.parking : topic === 'drainage' || !this.e.detectors.length ? this.e.wells : this.e.detectors;
    const at = this.pick(places);
    const lon = at.lon + (this.rand() - 0.5) * 0.0003;
    const lat = at.lat + (this.rand() - 0.5) * 0.0002;
    const x = this.rand();
    const channel = x < 0.7 ? '12345' : x < 0.85 ? '444' : x < 0.95 ? 'app' : 'grid';
    const urgency: Urgency = this.rand() < 0.15 || (topic === 'drainage' && this.rand() < 0.4) ? 'urgent' : 'normal';
    const gridId = this.gridOf(lon, lat);
    return registerRequest(
      {
        requestId: this.nextId(now),
        channel,
        topic,
        urgency,
        summary: this.pick(SUMMARIES[topic]),
        lon: Math.round(lon * 1e6) / 1e6,
        lat: Math.round(lat * 1e6) / 1e6,
        ...(gridId ? { gridId } : {}),
      },
      SYSTEM,
      now,
    );
  }

  private step(r: CitizenRequest, action: RequestCommand['action'], by: string, at: number, extra: Partial<RequestCommand> = {}): CitizenRequest | null {
    const res = applyRequestCommand(r, { commandId: `sim-${r.requestId}-${r.history.length}`, requestId: r.requestId, action, by, ...extra }, at);
    return res.ok ? res.request : null;
  }

  /** Live simulation: new arrivals, and departments working on what was dispatched to them. */
  tick(now: number): Draft<RequestUpdate>[] {
    const dt = this.lastTick === null ? 0 : Math.max(0, Math.min(now - this.lastTick, 60_000));
    if (this.lastTick === null) this.liveSince = now;
    this.lastTick = now;
    const out: Draft<RequestUpdate>[] = [];
    if (this.opts.requestEveryMs > 0 && this.rand() < dt / this.opts.requestEveryMs) {
      const r = this.arrival(now);
      out.push({ stream: 'request', kind: 'request.update', ts: now, action: 'register', by: SYSTEM, request: r });
    }
    for (const r of this.requests.values()) {
      if (!r.department) continue;
      const since = Math.max(r.updatedAt, this.liveSince);
      const [a0, a1] = this.opts.acceptAfterMs;
      const [h0, h1] = this.opts.handleAfterMs;
      const u = hash(`${r.requestId}|${r.history.length}`);
      if (r.state === 'dispatched' && now - since >= a0 + (a1 - a0) * u) {
        const next = this.step(r, 'accept', r.department, now, { note: '已联系诉求人' }); // data: what a department writes
        if (next) out.push({ stream: 'request', kind: 'request.update', ts: now, action: 'accept', by: r.department, request: next });
      } else if (r.state === 'handling' && now - since >= h0 + (h1 - h0) * u) {
        const next = this.step(r, 'handle', r.department, now, { note: '已现场处置' });
        if (next) out.push({ stream: 'request', kind: 'request.update', ts: now, action: 'handle', by: r.department, request: next });
      }
    }
    return out;
  }

  /**
   * A week (opts.backfillDays) of requests for a fresh journal, each with its whole history, as drafts in time order
   * (seq order = time order). Most went the whole way and were closed; some were answered late, some are still open
   * at every stage, a few urgent ones were never dispatched (overdue now): what a real desk's week looks like.
   */
  backfill(now: number): Draft<RequestUpdate>[] {
    if (this.opts.backfillDays <= 0) return [];
    const from = now - this.opts.backfillDays * 24 * H;
    const perDay = 9;
    const n = Math.round(perDay * this.opts.backfillDays);
    const starts = Array.from({ length: n }, () => from + this.rand() * (now - from - 5 * MIN)).sort((a, b) => a - b);
    const drafts: Draft<RequestUpdate>[] = [];
    const push = (r: CitizenRequest, action: RequestCommand['action'] | 'register', by: string) =>
      drafts.push({ stream: 'request', kind: 'request.update', ts: r.updatedAt, action, by, request: r });
    for (const t0 of starts) {
      let r = this.arrival(t0);
      push(r, 'register', SYSTEM);
      const urgent = r.urgency === 'urgent';
      // the department holding it now: a returned request re-dispatched to the community is the community's after that
      let dept: string = DEFAULT_DEPARTMENT[r.topic as Topic] ?? 'community';
      const x = this.rand();
      // dispatch: minutes for most; a few never (the desk missed them)
      if (x < 0.04) continue;
      const operator = '值班员'; // i18n-exempt: the duty operator's journaled name
      const plan: Array<[RequestCommand['action'], string, number, Partial<RequestCommand>]> = [];
      let t = t0 + (5 + this.rand() * (urgent ? 30 : 120)) * MIN;
      plan.push(['dispatch', operator, t, { department: dept }]);
      // respond: most well inside the window, ~12% late
      const late = this.rand() < 0.12;
      t += (late ? (urgent ? 2.5 + this.rand() * 3 : 26 + this.rand() * 20) : this.rand() * (urgent ? 1.5 : 20)) * H;
      plan.push(['accept', dept, t, { note: '已联系诉求人' }]);
      const returned = this.rand() < 0.05;
      if (returned && dept !== 'community') {
        plan.push(['return', dept, t + 0.5 * H, { note: '不属于本部门职责' }]);
        plan.push(['dispatch', operator, t + 1 * H, { department: 'community' }]);
        plan.push(['accept', 'community', t + 2 * H, { note: '已联系诉求人' }]);
        dept = 'community';
        t += 2 * H;
      }
      t += (urgent ? 1 + this.rand() * 20 : 4 + this.rand() * 150) * H;
      plan.push(['handle', dept, t, { note: '已现场处置' }]);
      const satisfied = this.rand() < 0.86;
      t += (2 + this.rand() * 20) * H;
      plan.push(['feedback', operator, t, { satisfied, note: satisfied ? '诉求人满意' : '诉求人不满意' }]);
      if (!satisfied && this.rand() < 0.5) {
        plan.push(['reopen', operator, t + 0.5 * H, { note: '诉求人不满意，重新派单' }]);
        plan.push(['accept', dept, t + 2 * H, {}]);
        plan.push(['handle', dept, t + 20 * H, { note: '二次处置完成' }]);
        plan.push(['feedback', operator, t + 26 * H, { satisfied: true }]);
        t += 26 * H;
      }
      plan.push(['close', operator, t + 1 * H, {}]);
      for (const [action, by, at, extra] of plan) {
        if (at >= now) break;
        const next = this.step(r, action, by, at, extra);
        if (!next) break;
        r = next;
        push(r, action, by);
      }
    }
    return drafts.sort((a, b) => a.ts - b.ts);
  }
}

export { CitizenRequest };
