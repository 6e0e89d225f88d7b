import { describe, expect, it } from 'vitest';
import {
  allowedRequestActions,
  applyRequestCommand,
  CitizenRequest,
  DEMO_SLA,
  isOverdue,
  registerRequest,
  requestSla,
  threeRates,
  type RequestCommand,
} from '../../data-pipelines/contracts/citizen-request.ts';

const H = 3600_000;
const T0 = Date.UTC(2026, 10, 23, 1, 0, 0);
let n = 0;
const cmd = (requestId: string, action: RequestCommand['action'], extra: Partial<RequestCommand> = {}): RequestCommand => ({
  commandId: `cmd-${String(++n).padStart(6, '0')}`,
  requestId,
  action,
  by: '接诉即办中心',
  ...extra,
});
const reg = (id: string, urgency: 'urgent' | 'normal' = 'normal', at = T0) =>
  registerRequest(
    { requestId: id, channel: '12345', topic: 'noise', urgency, summary: '夜间施工噪音', lon: 116.456, lat: 39.93, gridId: 'G-0101' },
    '话务员',
    at,
  );

function run(r: CitizenRequest, steps: Array<[RequestCommand['action'], number, Partial<RequestCommand>?]>): CitizenRequest {
  for (const [a, at, extra] of steps) {
    const res = applyRequestCommand(r, cmd(r.requestId, a, extra), at);
    if (!res.ok) throw new Error(res.error);
    r = res.request;
  }
  return r;
}

describe('citizen request workflow', () => {
  it('register -> dispatch -> accept -> handle -> feedback -> close, every step journaled and schema-valid', () => {
    const r = run(reg('R-1'), [
      ['dispatch', T0 + 10 * 60_000, { department: '城管执法队' }],
      ['accept', T0 + 3 * H],
      ['handle', T0 + 30 * H, { note: '已责令停工' }],
      ['feedback', T0 + 31 * H, { satisfied: true }],
      ['close', T0 + 32 * H],
    ]);
    expect(r.state).toBe('closed');
    expect(r.history.map((h) => h.action)).toEqual(['register', 'dispatch', 'accept', 'handle', 'feedback', 'close']);
    expect(r.department).toBe('城管执法队');
    expect(CitizenRequest.parse(r)).toEqual(r);
    expect(allowedRequestActions(r)).toEqual([]);
  });

  it('illegal steps are refused with a reason; dispatch needs a department, return a reason, feedback a verdict', () => {
    const r = reg('R-2');
    expect(applyRequestCommand(r, cmd('R-2', 'close'), T0 + 1)).toEqual({ ok: false, error: 'cannot close a request that is registered' });
    expect(applyRequestCommand(r, cmd('R-2', 'dispatch'), T0 + 1)).toMatchObject({ ok: false, error: /department/ });
    expect(applyRequestCommand(r, cmd('R-9', 'dispatch', { department: 'x' }), T0 + 1)).toMatchObject({ ok: false, error: /another request/ });
    const d = run(r, [['dispatch', T0 + 1, { department: '城管执法队' }]]);
    expect(applyRequestCommand(d, cmd('R-2', 'return'), T0 + 2)).toMatchObject({ ok: false, error: /reason/ });
    expect(applyRequestCommand(d, cmd('R-2', 'accept'), T0)).toMatchObject({ ok: false, error: /older/ });
    const h = run(d, [
      ['accept', T0 + 2],
      ['handle', T0 + 3, { note: 'ok' }],
    ]);
    expect(applyRequestCommand(h, cmd('R-2', 'feedback'), T0 + 4)).toMatchObject({ ok: false, error: /verdict/ });
  });

  it('a department returns it (back to the dispatcher, department cleared); an unsatisfied citizen reopens it', () => {
    let r = run(reg('R-3'), [
      ['dispatch', T0 + 1, { department: '房管所' }],
      ['return', T0 + H, { note: '非本单位职责' }],
    ]);
    expect(r.state).toBe('registered');
    expect(r.department).toBeUndefined();
    expect(r.returns).toBe(1);
    r = run(r, [
      ['dispatch', T0 + 2 * H, { department: '物业办' }],
      ['accept', T0 + 3 * H],
      ['handle', T0 + 5 * H, { note: '已协调' }],
      ['feedback', T0 + 6 * H, { satisfied: false }],
    ]);
    expect(allowedRequestActions(r)).toEqual(['reopen', 'close']);
    r = run(r, [['reopen', T0 + 7 * H]]);
    expect(r).toMatchObject({ state: 'dispatched', department: '物业办', reopens: 1 });
    expect(r.handledAt).toBeUndefined();
    expect(r.acceptedAt).toBe(T0 + 3 * H); // the first response still counts
  });

  it('SLA clocks: running, due soon, overdue, met, missed (demo policy: normal 24 h / 7 d, urgent 2 h / 24 h)', () => {
    const u = reg('R-4', 'urgent');
    expect(requestSla(u, T0 + H, DEMO_SLA).response).toMatchObject({ status: 'running', dueAt: T0 + 2 * H, leftMs: H });
    expect(requestSla(u, T0 + 1.9 * H).response.status).toBe('due-soon');
    expect(requestSla(u, T0 + 2 * H + 1).response.status).toBe('overdue');
    expect(isOverdue(u, T0 + 2 * H + 1)).toBe(true);
    const met = run(u, [
      ['dispatch', T0 + 60_000, { department: '燃气集团' }],
      ['accept', T0 + H],
    ]);
    expect(requestSla(met, T0 + 10 * H).response).toMatchObject({ status: 'met', leftMs: H });
    expect(isOverdue(met, T0 + 10 * H)).toBe(false);
    expect(requestSla(met, T0 + 25 * H).resolution.status).toBe('overdue');
    const late = run(met, [['handle', T0 + 26 * H, { note: '已修复' }]]);
    expect(requestSla(late, T0 + 30 * H).resolution).toMatchObject({ status: 'missed', leftMs: -2 * H });
    const closed = run(late, [
      ['feedback', T0 + 27 * H, { satisfied: true }],
      ['close', T0 + 28 * H],
    ]);
    expect(isOverdue(closed, T0 + 100 * H)).toBe(false);
  });

  it('three rates count only decided clocks', () => {
    const now = T0 + 48 * H;
    const a = run(reg('A'), [
      ['dispatch', T0 + 1, { department: 'd' }],
      ['accept', T0 + 2 * H],
      ['handle', T0 + 20 * H, { note: 'x' }],
      ['feedback', T0 + 21 * H, { satisfied: true }],
    ]); // met, met, satisfied
    const b = run(reg('B'), [
      ['dispatch', T0 + 1, { department: 'd' }],
      ['accept', T0 + 30 * H],
    ]); // response missed, resolution running (7 d)
    const c = reg('C', 'urgent'); // never accepted: response and resolution overdue
    const d = reg('D', 'normal', now - H); // fresh: nothing decided
    const rates = threeRates([a, b, c, d], now);
    expect(rates.requests).toBe(4);
    expect(rates.responseRate).toBeCloseTo(1 / 3); // a met; b missed; c overdue
    expect(rates.resolutionRate).toBeCloseTo(1 / 2); // a met; c overdue
    expect(rates.satisfactionRate).toBe(1);
    expect(rates.overdue).toBe(1); // c
    expect(rates.medianResponseMs).toBe(16 * H); // (2 h + 30 h) / 2
    expect(threeRates([], now).responseRate).toBeNaN();
  });
});
