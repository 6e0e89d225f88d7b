/**
 * Issue 22: the one-click plan proposed from an alarm's SOP, its impact zone and who lives inside (pure), and what
 * the operator's decisions do to the alarm (contracts/alarm.ts applyCommand: journaled, the first confirmed team
 * dispatched).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyCommand, raise } from '../../data-pipelines/contracts/alarm.ts';
import type { InsideAnswer, MaskedResident } from '../../data-pipelines/contracts/people.ts';
import { parseSop, type SopFile } from '../../data-pipelines/contracts/sop.ts';
import type { Impact } from '../../data-pipelines/routing/impact.ts';
import { proposeResponse } from '../../renderer/src/command/propose.ts';

const sop = (name: string): SopFile => {
  const r = parseSop(JSON.parse(readFileSync(resolve(import.meta.dirname, '../../assets/sop', `${name}.json`), 'utf8')), name);
  if (!r.ok) throw new Error(r.error);
  return r.sop;
};

const impact = {
  cameras: [
    { id: 'CAM-0001', distanceM: 40, why: 'view' },
    { id: 'CAM-0002', distanceM: 60, why: 'turn' },
    { id: 'CAM-0003', distanceM: 20, why: 'inside' },
    { id: 'CAM-0004', distanceM: 30, why: 'inside' },
    { id: 'CAM-0005', distanceM: 50, why: 'inside' },
  ],
  roads: {
    segments: [],
    lengthM: 0,
    closures: Array.from({ length: 10 }, (_, i) => ({ node: i, lon: 116.4 + i / 1000, lat: 39.9 })),
  },
  responders: [{ station: { id: 'F1', kind: 'fire_station', name: '消防站', lon: 0, lat: 0 }, distanceM: 800, etaS: 156, coords: [] }],
} as unknown as Impact;

const person = (id: string, gridId: string): MaskedResident => ({ residentId: id, gridId, livingAlone: true }) as unknown as MaskedResident;
const inside: InsideAnswer = {
  buildings: [],
  grids: [
    { gridId: 'G-1', staff: '王芳', residents: 120, elderly: 30, alone: 4, disabled: 2 },
    { gridId: 'G-2', staff: '李强', residents: 0, elderly: 0, alone: 0, disabled: 0 },
    { gridId: 'G-3', staff: '张伟', residents: 10, elderly: 2, alone: 0, disabled: 0 },
  ],
  total: { residents: 130, elderly: 32, alone: 4, disabled: 2 },
  vulnerable: [person('R-1', 'G-1'), person('R-2', 'G-3'), person('R-3', 'G-1')],
  truncated: false,
};
const teamOf = (role: string) => (role === 'property' ? null : `T-${role}`);

/** The gas alarm's proposal (teams from its SOP, the inside counts above, '请撤离' broadcast), with overrides. */
const gasPlan = (over: Partial<Parameters<typeof proposeResponse>[0]> = {}) =>
  proposeResponse({
    alarm: { category: 'manhole', cause: 'gas', drill: false },
    sop: sop('manhole-gas'),
    impact,
    inside,
    teamOf,
    broadcast: '请撤离',
    ...over,
  });

describe('one-click plan: proposal', () => {
  it('a gas alarm: the SOP’s teams in step order, grid staff with their vulnerable people, cameras, broadcast, roadblocks', () => {
    const parts = gasPlan();
    expect(parts.map((p) => p.partId)).toEqual(parts.map((_, i) => `p${i + 1}`));
    // gas (call-gas), grid staff (notify-grid), police (cordon), fire (fire-standby, with the nearest station's ETA)
    expect(parts.filter((p) => p.kind === 'dispatch').map((p) => [p.target, p.etaS])).toEqual([
      ['T-gas', undefined],
      ['T-grid-staff', undefined],
      ['T-police', undefined],
      ['T-fire', 156],
    ]);
    // G-2 has nobody: no call; counts only (no resident ids journaled on the alarm for every role to read)
    expect(parts.filter((p) => p.kind === 'notify').map((p) => [p.target, p.detail, p.counts?.alone])).toEqual([
      ['G-1', '王芳', 4],
      ['G-3', '张伟', 0],
    ]);
    expect(JSON.stringify(parts)).not.toMatch(/R-[123]/);
    expect(parts.filter((p) => p.kind === 'camera').map((p) => p.target)).toEqual(['CAM-0001', 'CAM-0002', 'CAM-0003', 'CAM-0004']);
    expect(parts.filter((p) => p.kind === 'broadcast').map((p) => p.detail)).toEqual(['请撤离']);
    const roads = parts.filter((p) => p.kind === 'close-road');
    expect(roads).toHaveLength(8);
    expect(roads[1]!.target).toBe('116.40100,39.90000');
    // without a place index the closure has coordinates only; with one it also says where (journaled as its detail)
    expect(roads[1]!.detail).toBeUndefined();
    const named = gasPlan({ placeOf: (lon, lat) => (lon > 116.4005 ? `东方银座北 ${Math.round((lat - 39.9) * 1e5)} 米` : null) });
    expect(named.filter((p) => p.kind === 'close-road').map((p) => p.detail)).toContain('东方银座北 0 米');
    expect(named.filter((p) => p.kind === 'close-road').some((p) => p.detail === undefined)).toBe(true);
    expect(parts.map((p) => p.kind)).toEqual([
      ...Array(4).fill('dispatch'),
      'notify',
      'notify',
      ...Array(4).fill('camera'),
      'broadcast',
      ...Array(8).fill('close-road'),
    ]);
  });

  it('a care call closes no roads and broadcasts nothing; without an impact or people it still dispatches', () => {
    const parts = proposeResponse({
      alarm: { category: 'care', cause: 'call', drill: false },
      sop: sop('care-call'),
      impact,
      inside: null,
      teamOf,
      broadcast: null,
    });
    expect(parts.some((p) => p.kind === 'close-road' || p.kind === 'broadcast' || p.kind === 'notify')).toBe(false);
    expect(parts.filter((p) => p.kind === 'dispatch').map((p) => p.target)).toEqual(['T-medical', 'T-grid-staff']);
    const bare = proposeResponse({
      alarm: { category: 'fire', cause: 'fire', drill: true },
      sop: sop('building-fire'),
      impact: null,
      inside: null,
      teamOf,
      broadcast: null,
    });
    expect(bare.map((p) => p.target)).toEqual(['T-fire', 'T-grid-staff', 'T-police', 'T-medical', 'T-gas']);
  });
});

describe('one-click plan: on the alarm', () => {
  const gas = sop('manhole-gas');
  const base = raise(
    { alarmId: 'AL-1', category: 'manhole', sourceId: 'MH-00001', cause: 'gas', priority: 2, lon: 116.4, lat: 39.9, sop: { id: gas.id, version: gas.version } },
    1000,
  );
  const parts = proposeResponse({ alarm: base, sop: gas, impact, inside, teamOf, broadcast: '请撤离' });

  it('propose, then confirm some and reject others: journaled with who and when; the first team dispatched', () => {
    const planned = applyCommand(base, { commandId: 'cmd-00001', alarmId: 'AL-1', action: 'plan', by: '值班员', plan: parts }, 2000, gas);
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    expect(planned.alarm.plan?.parts.every((p) => p.decision === 'proposed')).toBe(true);
    expect(planned.alarm.history.at(-1)).toMatchObject({ action: 'plan', by: '值班员', at: 2000 });
    const decided = applyCommand(
      planned.alarm,
      {
        commandId: 'cmd-00002',
        alarmId: 'AL-1',
        action: 'decide',
        by: '值班长',
        decisions: [
          { partId: 'p1', decision: 'confirm' },
          { partId: 'p2', decision: 'reject' },
          { partId: 'p11', decision: 'confirm', detail: '改过的广播' },
        ],
      },
      3000,
      gas,
    );
    expect(decided.ok).toBe(true);
    if (!decided.ok) return;
    const a = decided.alarm;
    expect(a.state).toBe('dispatched');
    expect(a.team).toBe('T-gas');
    expect(a.plan!.parts.find((p) => p.partId === 'p1')).toMatchObject({ decision: 'confirmed', decidedBy: '值班长', decidedAt: 3000 });
    expect(a.plan!.parts.find((p) => p.partId === 'p2')).toMatchObject({ decision: 'rejected' });
    expect(a.plan!.parts.find((p) => p.partId === 'p11')).toMatchObject({ kind: 'broadcast', detail: '改过的广播', edited: true });
    expect(a.history.slice(-2).map((h) => h.action)).toEqual(['decide', 'dispatch']);
    // a part is decided once
    const again = applyCommand(
      a,
      { commandId: 'cmd-00003', alarmId: 'AL-1', action: 'decide', by: 'x', decisions: [{ partId: 'p1', decision: 'reject' }] },
      4000,
      gas,
    );
    expect(again).toMatchObject({ ok: false, error: expect.stringContaining('already confirmed') });
    // a new proposal keeps what was decided and replaces the rest
    const re = applyCommand(a, { commandId: 'cmd-00004', alarmId: 'AL-1', action: 'plan', by: 'x', plan: parts.slice(0, 3) }, 5000, gas);
    expect(re.ok && re.alarm.plan!.parts.filter((p) => p.decision !== 'proposed').map((p) => p.partId)).toEqual(['p1', 'p2', 'p11']);
    expect(re.ok && re.alarm.plan!.parts.filter((p) => p.decision === 'proposed')).toHaveLength(3);
    expect(re.ok && new Set(re.alarm.plan!.parts.map((p) => p.partId)).size).toBe(6);
  });

  it('a plan with a duplicate part id or no parts is refused by the command contract', async () => {
    const { AlarmCommand } = await import('../../data-pipelines/contracts/alarm.ts');
    expect(AlarmCommand.safeParse({ commandId: 'cmd-00009', alarmId: 'AL-1', action: 'plan', by: 'x', plan: [parts[0], parts[0]] }).success).toBe(false);
    expect(AlarmCommand.safeParse({ commandId: 'cmd-00009', alarmId: 'AL-1', action: 'plan', by: 'x', plan: [] }).success).toBe(false);
    const noPlan = applyCommand(
      base,
      { commandId: 'cmd-00010', alarmId: 'AL-1', action: 'decide', by: 'x', decisions: [{ partId: 'p1', decision: 'confirm' }] },
      1,
      gas,
    );
    expect(noPlan).toMatchObject({ ok: false, error: expect.stringContaining('no plan') });
  });
});

describe('escalation reaches the operator', () => {
  it('an escalate update of a known alarm is a notice (toast and tone), a raise too; a repeated event is not', async () => {
    const { LiveStore } = await import('../../renderer/src/stores/live-store.ts');
    const live = new LiveStore();
    const gas = sop('manhole-gas');
    const a = raise(
      { alarmId: 'AL-9', category: 'manhole', sourceId: 'MH-9', cause: 'gas', priority: 2, lon: 116.4, lat: 39.9, sop: { id: gas.id, version: 1 } },
      1000,
    );
    const ev = (seq: number, action: 'raise' | 'escalate', alarm: typeof a) =>
      ({ stream: 'alarm', kind: 'alarm.update', seq, epoch: 'e', ts: 1000 + seq, id: `alarm:${seq}`, action, by: 'system', alarm }) as const;
    live.applyBatch([ev(1, 'raise', a) as never]);
    const escalated = { ...a, sop: { ...a.sop!, escalated: ['verify'] } };
    live.applyBatch([ev(2, 'escalate', escalated) as never]);
    live.applyBatch([ev(2, 'escalate', escalated) as never]);
    expect(live.notices.map((n) => n.kind)).toEqual(['escalate', 'raise']);
  });
});
