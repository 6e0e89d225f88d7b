/**
 * One-click plan (一键指挥, issue 22): from an alarm, the whole proposed response — teams to dispatch, grid staff to
 * notify (with the masked list of vulnerable residents of their grid), cameras for the video wall, the broadcast text,
 * roads to close. The renderer proposes it from the impact zone it computed locally; the operator confirms, edits or
 * rejects each part; the feed server journals the proposal and every decision on the alarm (alarm.plan), with who and
 * when, so every screen sees the same plan and the after-action report can put plan against done. Drill alarms carry
 * a drill plan (marked DRILL everywhere).
 */
import { z } from 'zod';

export const PLAN_PART_KINDS = ['dispatch', 'notify', 'camera', 'broadcast', 'close-road'] as const;
export type PlanPartKind = (typeof PLAN_PART_KINDS)[number];

export const PLAN_DECISIONS = ['proposed', 'confirmed', 'rejected'] as const;
export type PlanDecision = (typeof PLAN_DECISIONS)[number];

export const PART_ID_RE = /^p\d{1,3}$/;
const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');

/** One part as proposed (no decision yet). */
export const PlanPartProposal = z
  .object({
    partId: z.string().regex(PART_ID_RE, 'part id: p and a number'),
    kind: z.enum(PLAN_PART_KINDS),
    /**
     * what the part acts on: the team (dispatch, as journaled: the zh-CN team name), the grid id (notify), the
     * camera id (camera), the road closure point "lon,lat" (close-road), "all" (broadcast)
     */
    target: z.string().min(1).max(64),
    /** the text shown for it (the broadcast message, the team's task, why this camera) */
    detail: z.string().max(500).optional(),
    /** estimated travel time of a responding team, seconds */
    etaS: z.number().int().min(0).max(86_400).optional(),
    /**
     * notify: how many people of each kind in the grid's part of the zone. Counts only: who they are is asked of the
     * people service by each screen under its own role (masked, audited), never journaled on the alarm for every role.
     */
    counts: z
      .object({ residents: z.number().int().min(0), elderly: z.number().int().min(0), alone: z.number().int().min(0), disabled: z.number().int().min(0) })
      .strict()
      .optional(),
  })
  .strict();
export type PlanPartProposal = z.infer<typeof PlanPartProposal>;

export const PlanPart = PlanPartProposal.extend({
  decision: z.enum(PLAN_DECISIONS),
  decidedAt: finite().optional(),
  decidedBy: z.string().min(1).max(64).optional(),
  /** the operator changed the target or the text before confirming */
  edited: z.boolean().optional(),
}).strict();
export type PlanPart = z.infer<typeof PlanPart>;

export const AlarmPlan = z
  .object({
    proposedAt: finite(),
    proposedBy: z.string().min(1).max(64),
    drill: z.boolean(),
    parts: z.array(PlanPart).max(40),
  })
  .strict();
export type AlarmPlan = z.infer<typeof AlarmPlan>;

/** What the `plan` command carries: the proposal. */
export const PlanProposal = z
  .array(PlanPartProposal)
  .min(1)
  .max(40)
  .superRefine((parts, ctx) => {
    const seen = new Set<string>();
    parts.forEach((p, i) => {
      if (seen.has(p.partId)) ctx.addIssue({ code: 'custom', path: [i, 'partId'], message: `part ${p.partId} appears twice` });
      seen.add(p.partId);
    });
  });

/** What the `decide` command carries: a decision per part; an edit gives the new target and/or text. */
export const PlanDecisionInput = z
  .object({
    partId: z.string().regex(PART_ID_RE),
    decision: z.enum(['confirm', 'reject']),
    target: z.string().min(1).max(64).optional(),
    detail: z.string().max(500).optional(),
  })
  .strict();
export type PlanDecisionInput = z.infer<typeof PlanDecisionInput>;

/**
 * A new proposal on top of the plan there is: parts already decided stay as they were (the record of what was done),
 * the undecided ones are replaced by the new proposal's parts (a colliding id takes the lowest free one). More than
 * MAX_PLAN_PARTS in all is refused, never cut silently.
 */
export const MAX_PLAN_PARTS = 40;
export function proposePlan(
  prev: AlarmPlan | undefined,
  parts: readonly PlanPartProposal[],
  by: string,
  now: number,
  drill: boolean,
): { ok: true; plan: AlarmPlan } | { ok: false; error: string } {
  const kept = (prev?.parts ?? []).filter((p) => p.decision !== 'proposed');
  if (kept.length + parts.length > MAX_PLAN_PARTS)
    return {
      ok: false,
      error: `a plan holds at most ${MAX_PLAN_PARTS} parts: ${kept.length} are decided, ${parts.length} proposed; propose at most ${MAX_PLAN_PARTS - kept.length}`,
    };
  const used = new Set(kept.map((p) => p.partId));
  let free = 1;
  const fresh: PlanPart[] = parts.map((p) => {
    let partId = p.partId;
    if (used.has(partId)) {
      while (used.has(`p${free}`)) free++;
      partId = `p${free}`;
    }
    used.add(partId);
    return { ...p, partId, decision: 'proposed' };
  });
  return { ok: true, plan: { proposedAt: now, proposedBy: by, drill, parts: [...kept, ...fresh] } };
}

/** Applies decisions: each names a part still proposed; a decided part cannot be decided again. */
export function decidePlan(
  plan: AlarmPlan,
  decisions: readonly PlanDecisionInput[],
  by: string,
  now: number,
): { ok: true; plan: AlarmPlan; confirmed: PlanPart[] } | { ok: false; error: string } {
  const parts = plan.parts.map((p) => ({ ...p }));
  const confirmed: PlanPart[] = [];
  const seen = new Set<string>();
  for (const d of decisions) {
    if (seen.has(d.partId)) return { ok: false, error: `part ${d.partId} is decided twice in one command` };
    seen.add(d.partId);
    const p = parts.find((x) => x.partId === d.partId);
    if (!p) return { ok: false, error: `the plan has no part ${d.partId}` };
    if (p.decision !== 'proposed') return { ok: false, error: `part ${d.partId} is already ${p.decision}` };
    const edited = (d.target !== undefined && d.target !== p.target) || (d.detail !== undefined && d.detail !== p.detail);
    if (d.target !== undefined) p.target = d.target;
    if (d.detail !== undefined) p.detail = d.detail;
    p.decision = d.decision === 'confirm' ? 'confirmed' : 'rejected';
    p.decidedAt = now;
    p.decidedBy = by;
    if (edited) p.edited = true;
    if (p.decision === 'confirmed') confirmed.push(p);
  }
  return { ok: true, plan: { ...plan, parts }, confirmed };
}
