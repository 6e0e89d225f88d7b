/** Simulated incidents (POST /api/sim/incident): the request, validated strictly, and raising it in the simulator. */
import { z } from 'zod';
import type { FeedEvent } from '../contracts/events.ts';
import { MANHOLE_SENSORS, type ManholeSensor } from '../contracts/manhole.ts';
import type { FeedCore } from './core.ts';

/**
 * POST /api/sim/incident, validated strictly (a wrong type is a 400 naming the field, never a random target). `wellId`
 * is the older name of a manhole's `id`; `category` defaults to manhole.
 */
const holdMs = z.number().int().positive().max(3_600_000, 'holdMs is at most 3 600 000 (1 h)').optional();
const sourceId = z.string().min(1).max(64).optional();
export const IncidentRequest = z.discriminatedUnion('category', [
  z.object({ category: z.literal('manhole'), id: sourceId, wellId: sourceId, sensor: z.enum(MANHOLE_SENSORS).optional(), holdMs }).strict(),
  z.object({ category: z.literal('fire'), id: sourceId, state: z.enum(['smoke', 'fire']).optional(), holdMs }).strict(),
  z.object({ category: z.literal('care'), id: sourceId, reason: z.enum(['sos', 'fall', 'inactivity']).optional(), holdMs }).strict(),
  z.object({ category: z.literal('sos'), id: sourceId }).strict(),
  z.object({ category: z.literal('camera-offline'), id: sourceId, holdMs }).strict(),
]);
export type IncidentRequest = z.infer<typeof IncidentRequest>;

/** The incident request in `raw` (a parsed JSON body), or a one-line reason naming the field. */
export function parseIncident(raw: unknown): { ok: true; value: IncidentRequest } | { ok: false; error: string } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, error: 'bad incident request: the body must be a JSON object' };
  const body = { category: 'manhole', ...(raw as Record<string, unknown>) };
  const r = IncidentRequest.safeParse(body);
  if (!r.success)
    return {
      ok: false,
      error: `bad incident request: ${r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`).join('; ')}`,
    };
  if (r.data.category === 'manhole' && r.data.id !== undefined && r.data.wellId !== undefined && r.data.id !== r.data.wellId)
    return { ok: false, error: 'bad incident request: id and wellId name different wells; give one' };
  return { ok: true, value: r.data };
}

/** Raises the incident in the core's simulator and journals it (throws without a simulator or for an unknown id). */
export function injectIncident(core: FeedCore, req: IncidentRequest): FeedEvent[] {
  const sim = core.sim;
  if (!sim) throw new Error('no simulator running');
  const now = Date.now();
  switch (req.category) {
    case 'manhole':
      return core.ingest(sim.injectManhole(now, req.id ?? req.wellId, req.sensor as ManholeSensor | undefined, req.holdMs));
    case 'fire':
      return core.ingest(sim.injectFire(now, req.id, req.state ?? 'smoke', req.holdMs));
    case 'care':
      return core.ingest(sim.injectCare(now, req.id, req.reason ?? 'sos', req.holdMs));
    case 'sos':
      return core.ingest(sim.injectSos(now, req.id));
    case 'camera-offline':
      return core.ingest(sim.injectCameraOffline(now, req.id, req.holdMs));
  }
}
