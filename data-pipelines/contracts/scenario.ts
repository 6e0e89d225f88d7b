/**
 * Drill scenario files (format "redwall-drill/1"): a named script of incidents over time, run by the feed server
 * against the live system. Every event a drill causes carries `drill: true` and the run's `drillId`, so drill
 * alarms are separate alarms, shown as DRILL everywhere and never mixed with real ones. Documented in
 * docs/drills.md; example: assets/scenarios/plant-stair-smoke.json.
 *
 *   { "format": "redwall-drill/1", "name": "...", "description": "...",
 *     "steps": [ { "at": 0, "do": "smoke", "detectorId": "SD-41-3-1", "note": "3F stair A landing" },
 *                { "at": 20, "do": "operator", "action": "acknowledge", "source": "SD-41-3-1" }, ... ] }
 *
 * `at` is seconds from the start of the run. "operator" steps script the responders for unattended demos and tests;
 * in a real drill operators act themselves and the after-action report measures them.
 */
import { z } from 'zod';
import { MANHOLE_SENSORS } from './manhole.ts';

export const SCENARIO_FORMAT = 'redwall-drill/1';

const at = z
  .number()
  .min(0)
  .max(24 * 3600);
const note = z.string().max(200).optional();
const detectorId = z.string().regex(/^SD-\d{1,6}-\d{1,3}-\d$/, 'detectorId must look like SD-<building>-<floor>-<n>');

export const ScenarioStep = z.discriminatedUnion('do', [
  z.object({ at, note, do: z.enum(['smoke', 'fire', 'fault']), detectorId, obscuration: z.number().min(0).max(100).optional() }).strict(),
  z.object({ at, note, do: z.literal('clear'), detectorId }).strict(),
  z
    .object({ at, note, do: z.literal('manhole'), wellId: z.string().regex(/^MH-\d{5}$/), sensor: z.enum(MANHOLE_SENSORS), value: z.number().optional() })
    .strict(),
  z.object({ at, note, do: z.literal('manhole-clear'), wellId: z.string().regex(/^MH-\d{5}$/), sensor: z.enum(MANHOLE_SENSORS) }).strict(),
  z.object({ at, note, do: z.literal('sos'), buttonId: z.string().regex(/^SOS-\d{3}$/) }).strict(),
  z.object({ at, note, do: z.literal('care'), deviceId: z.string().regex(/^CR-\d{5}$/), reason: z.enum(['sos', 'fall', 'inactivity']) }).strict(),
  z.object({ at, note, do: z.literal('care-cancel'), deviceId: z.string().regex(/^CR-\d{5}$/) }).strict(),
  z
    .object({
      at,
      note,
      do: z.literal('operator'),
      action: z.enum(['acknowledge', 'dispatch', 'onsite', 'resolve', 'close']),
      /** the alarm of this source raised earlier in the same run (detector, well, button or device id) */
      source: z.string().min(1).max(64),
      team: z.string().min(1).max(64).optional(),
      by: z.string().min(1).max(64).optional(),
    })
    .strict(),
  z.object({ at, do: z.literal('note'), note: z.string().min(1).max(200) }).strict(),
]);
export type ScenarioStep = z.infer<typeof ScenarioStep>;

export const Scenario = z
  .object({
    format: z.literal(SCENARIO_FORMAT),
    name: z.string().min(1).max(120),
    description: z.string().max(2000).optional(),
    steps: z.array(ScenarioStep).min(1).max(1000),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (let i = 1; i < s.steps.length; i++)
      if (s.steps[i]!.at < s.steps[i - 1]!.at)
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'at'], message: `steps must be in time order (${s.steps[i]!.at}s after ${s.steps[i - 1]!.at}s)` });
    for (const [i, st] of s.steps.entries())
      if (st.do === 'operator' && st.action === 'dispatch' && !st.team)
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'team'], message: 'a dispatch step needs a team' });
  });
export type Scenario = z.infer<typeof Scenario>;

/** Validates a scenario file's text; errors name the step and field ("steps.3.detectorId: ..."). */
export function parseScenario(text: string | unknown): { ok: true; value: Scenario } | { ok: false; errors: string[] } {
  let raw: unknown = text;
  if (typeof text === 'string') {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return { ok: false, errors: [`not JSON: ${(e as Error).message}`] };
    }
  }
  const r = Scenario.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, errors: r.error.issues.slice(0, 10).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`) };
}

/** The source id a step refers to (for operator steps: the alarm source), or null. */
export function stepSource(st: ScenarioStep): string | null {
  switch (st.do) {
    case 'smoke':
    case 'fire':
    case 'fault':
    case 'clear':
      return st.detectorId;
    case 'manhole':
    case 'manhole-clear':
      return st.wellId;
    case 'sos':
      return st.buttonId;
    case 'care':
    case 'care-cancel':
      return st.deviceId;
    case 'operator':
      return st.source;
    case 'note':
      return null;
  }
}
