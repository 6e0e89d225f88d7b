/**
 * The one-click plan (一键指挥, issue 22), proposed from what the renderer knows of an alarm: its SOP (which teams do
 * the steps), its impact zone (cameras, roads, responders, the assembly point) and who lives inside (per grid, with
 * the masked vulnerable people). Pure and deterministic: the same inputs give the same parts in the same order —
 * dispatches first (by the SOP's step order), then the grid staff to notify, the cameras for the wall, the broadcast,
 * the road closures. The operator confirms, edits or rejects each part; the feed server journals both.
 */
import type { Alarm } from '../../../data-pipelines/contracts/alarm.ts';
import type { InsideAnswer } from '../../../data-pipelines/contracts/people.ts';
import type { PlanPartProposal } from '../../../data-pipelines/contracts/plan.ts';
import type { SopFile, SopRole } from '../../../data-pipelines/contracts/sop.ts';
import type { Impact } from '../../../data-pipelines/routing/impact.ts';

export interface ProposeInput {
  alarm: Pick<Alarm, 'category' | 'cause' | 'drill'>;
  sop: SopFile | null;
  impact: Impact | null;
  inside: InsideAnswer | null;
  /** the journaled team name for an SOP role (roles without a team, e.g. the operator, are left out) */
  teamOf: (role: SopRole) => string | null;
  /** the broadcast text (composed by the caller in the residents' language) */
  broadcast: string | null;
  /** at most this many cameras and road closures */
  maxCameras?: number;
  maxClosures?: number;
  /** a place name for a point (road closures say where: "东方银座北 40 米"), journaled as the part's detail */
  placeOf?: (lon: number, lat: number) => string | null;
}

/** Roles whose step is a dispatch (the others are the console's own work or a call, not a team sent out). */
const DISPATCHED: readonly SopRole[] = ['fire', 'gas', 'drainage', 'police', 'medical', 'grid-staff', 'property'];

export function proposeResponse(inp: ProposeInput): PlanPartProposal[] {
  const parts: PlanPartProposal[] = [];
  const next = () => `p${parts.length + 1}`;
  const fire = inp.impact?.responders[0];

  // teams: one part per team, in the order the SOP first needs them
  const teams = new Map<string, SopRole>();
  for (const s of inp.sop?.steps ?? []) {
    if (!DISPATCHED.includes(s.who)) continue;
    const team = inp.teamOf(s.who);
    if (team && !teams.has(team)) teams.set(team, s.who);
  }
  for (const [team, role] of teams) {
    const step = inp.sop!.steps.find((s) => s.who === role)!;
    parts.push({
      partId: next(),
      kind: 'dispatch',
      target: team.slice(0, 64),
      detail: step.text['zh-CN'].slice(0, 500),
      ...(role === 'fire' && fire ? { etaS: fire.etaS } : {}),
    });
  }

  // grid staff of every grid with people inside, with the counts (who the vulnerable people are is not journaled on
  // the alarm: each screen asks the people service under its own role, masked and audited)
  for (const g of inp.inside?.grids ?? []) {
    if (g.residents === 0) continue;
    parts.push({
      partId: next(),
      kind: 'notify',
      target: g.gridId.slice(0, 64),
      detail: g.staff.slice(0, 500),
      counts: { residents: g.residents, elderly: g.elderly, alone: g.alone, disabled: g.disabled },
    });
  }

  // cameras: those that see the place first (the impact lists them first), then those standing in the zone
  for (const c of (inp.impact?.cameras ?? []).slice(0, inp.maxCameras ?? 4))
    parts.push({ partId: next(), kind: 'camera', target: c.id, detail: `${c.why} ${c.distanceM} m` });

  if (inp.broadcast) parts.push({ partId: next(), kind: 'broadcast', target: 'all', detail: inp.broadcast.slice(0, 500) });

  // road closures where the hazard is on or along the street (gas, water, fire); an SOS or a care call closes none
  if (inp.alarm.category === 'manhole' || inp.alarm.category === 'fire')
    for (const c of (inp.impact?.roads.closures ?? []).slice(0, inp.maxClosures ?? 8)) {
      const where = inp.placeOf?.(c.lon, c.lat);
      parts.push({ partId: next(), kind: 'close-road', target: `${c.lon.toFixed(5)},${c.lat.toFixed(5)}`, ...(where ? { detail: where.slice(0, 500) } : {}) });
    }

  return parts.slice(0, 40);
}
