/**
 * Standard operating procedures (SOP, 处置预案) per alarm kind (issue 22): a versioned, validated file
 * (`redwall-sop/1`) holding the hazard model (how far the danger reaches, contracts/hazard.ts) and the checklist: the
 * steps, who does each, which are mandatory, and the time limit of each counted from the alarm's raise. The feed
 * server loads the files (feed/sop-catalog.ts) and is the authority: it names an alarm's SOP when it raises it,
 * journals every ticked step, escalates overdue mandatory steps and refuses to close an alarm with mandatory steps
 * open unless the operator records a reason. The renderer shows the same files with the same pure functions.
 */
import { z } from 'zod';
import { ALARM_CATEGORIES } from './alarm-category.ts';
import { HazardModel } from './hazard.ts';

export const SOP_FORMAT = 'redwall-sop/1';

/** Who does a step: the operator at the console, or a team the operator dispatches / calls. */
export const SOP_ROLES = ['operator', 'supervisor', 'grid-staff', 'fire', 'gas', 'drainage', 'police', 'medical', 'civil-affairs', 'property'] as const;
export type SopRole = (typeof SOP_ROLES)[number];

const Text = z.object({ 'zh-CN': z.string().trim().min(1).max(300), en: z.string().trim().min(1).max(300) }).strict();
export type SopText = z.infer<typeof Text>;

export const SOP_ID_RE = /^[a-z0-9][a-z0-9-]{0,47}$/;
export const STEP_ID_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;

export const SopStep = z
  .object({
    id: z.string().regex(STEP_ID_RE, 'step id: lower-case letters, digits and dashes, at most 32'),
    text: Text,
    who: z.enum(SOP_ROLES),
    mandatory: z.boolean(),
    /** minutes from the alarm's raise by which the step must be done (mandatory steps past it escalate) */
    limitMin: z.number().int().min(1).max(1440).optional(),
  })
  .strict();
export type SopStep = z.infer<typeof SopStep>;

export const SopFile = z
  .object({
    format: z.literal(SOP_FORMAT),
    id: z.string().regex(SOP_ID_RE, 'id: lower-case letters, digits and dashes, at most 48'),
    version: z.number().int().min(1).max(1_000_000),
    title: Text,
    /** which alarms it is for: the category and, when given, the causes (empty: every cause of the category) */
    applies: z.object({ category: z.enum(ALARM_CATEGORIES), causes: z.array(z.string().min(1).max(64)).max(20) }).strict(),
    /** the published procedures it is modelled on */
    basis: Text,
    hazard: HazardModel,
    steps: z.array(SopStep).min(1).max(40),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.steps.forEach((st, i) => {
      if (seen.has(st.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `step id ${st.id} appears twice` });
      seen.add(st.id);
    });
  });
export type SopFile = z.infer<typeof SopFile>;

/** A file's SOP, or one line naming the file and the field that is wrong. */
export function parseSop(raw: unknown, name: string): { ok: true; sop: SopFile } | { ok: false; error: string } {
  const r = SopFile.safeParse(raw);
  if (r.success) return { ok: true, sop: r.data };
  const detail = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`)
    .join('; ');
  return { ok: false, error: `${name}: not a valid ${SOP_FORMAT} file: ${detail}` };
}

/** The SOPs, checked as a set: one id once, no two files for the same category and cause. */
export function checkSopSet(sops: readonly SopFile[]): string[] {
  const errors: string[] = [];
  const ids = new Set<string>();
  const claimed = new Map<string, string>();
  for (const s of sops) {
    if (ids.has(s.id)) errors.push(`SOP ${s.id} is given twice`);
    ids.add(s.id);
    for (const c of s.applies.causes.length ? s.applies.causes : ['*']) {
      const k = `${s.applies.category}|${c}`;
      const other = claimed.get(k);
      if (other) errors.push(`SOPs ${other} and ${s.id} both apply to ${s.applies.category} alarms (${c === '*' ? 'any cause' : c})`);
      else claimed.set(k, s.id);
    }
  }
  return errors;
}

/** The SOP for an alarm of this category and cause: one naming the cause first, else one for the whole category. */
export function sopFor(sops: readonly SopFile[], a: { category: string; cause: string }): SopFile | null {
  return (
    sops.find((s) => s.applies.category === a.category && s.applies.causes.includes(a.cause)) ??
    sops.find((s) => s.applies.category === a.category && s.applies.causes.length === 0) ??
    null
  );
}

/**
 * The file of the SOP an alarm was raised with: the same id and version (an edited file, a new version, does not
 * re-time or re-judge alarms raised under the old one). Null: none, or no longer loaded.
 */
export function sopFileOf(sops: readonly SopFile[], ref: { id: string; version: number } | undefined): SopFile | null {
  return ref ? (sops.find((s) => s.id === ref.id && s.version === ref.version) ?? null) : null;
}

/** What an alarm carries of its SOP: which file and version, the ticked steps, the escalated steps. */
export const AlarmSop = z
  .object({
    id: z.string().regex(SOP_ID_RE),
    version: z.number().int().min(1),
    done: z
      .array(
        z
          .object({
            stepId: z.string().regex(STEP_ID_RE),
            by: z.string().min(1).max(64),
            at: z.number().refine(Number.isFinite, 'must be a finite number'),
            note: z.string().max(500).optional(),
          })
          .strict(),
      )
      .max(40),
    escalated: z.array(z.string().regex(STEP_ID_RE)).max(40),
  })
  .strict();
export type AlarmSop = z.infer<typeof AlarmSop>;

export type StepStatus = 'done' | 'open' | 'overdue';
export interface StepProgress {
  step: SopStep;
  status: StepStatus;
  /** when it is due (ms), for steps with a limit */
  dueAt: number | null;
  done: AlarmSop['done'][number] | null;
  escalated: boolean;
}

/** Every step of `sop` for an alarm raised at `raisedAt` with these ticks, as of `now`. */
export function sopProgress(sop: SopFile, state: AlarmSop, raisedAt: number, now: number): StepProgress[] {
  const done = new Map(state.done.map((d) => [d.stepId, d]));
  const esc = new Set(state.escalated);
  return sop.steps.map((step) => {
    const d = done.get(step.id) ?? null;
    const dueAt = step.limitMin === undefined ? null : raisedAt + step.limitMin * 60_000;
    const status: StepStatus = d ? 'done' : dueAt !== null && now > dueAt ? 'overdue' : 'open';
    return { step, status, dueAt, done: d, escalated: esc.has(step.id) };
  });
}

/** The mandatory steps not done: while there are any, closing the alarm needs a recorded reason. */
export function closeBlockers(sop: SopFile, state: AlarmSop): string[] {
  const done = new Set(state.done.map((d) => d.stepId));
  return sop.steps.filter((s) => s.mandatory && !done.has(s.id)).map((s) => s.id);
}

/** Mandatory steps past their limit, not done and not yet escalated (each escalates once). */
export function dueEscalations(sop: SopFile, state: AlarmSop, raisedAt: number, now: number): string[] {
  return sopProgress(sop, state, raisedAt, now)
    .filter((p) => p.step.mandatory && p.status === 'overdue' && !p.escalated)
    .map((p) => p.step.id);
}
