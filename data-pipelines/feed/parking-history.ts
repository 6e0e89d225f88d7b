/** Parking history queries (GET /api/history/parking and the socket's `WIRE.parkingHistory`): checks and CSV. */
import type { ParkingSample } from './journal.ts';

/** Limits of /api/history/parking: a minute is finer than any planning question; 5000 samples is 3.5 days at 1 min. */
export const HISTORY_MIN_STEP_MS = 60_000;
export const HISTORY_MAX_SAMPLES = 5000;

/**
 * Query of /api/history/parking (ms integers; defaults: the last 24 h at 30 min), or a one-line reason it is wrong.
 * Checked here rather than by the journal so a bad request is a 400 that says what to fix, never a long scan.
 */
export function parseHistoryQuery(q: URLSearchParams, now: number): { ok: true; from: number; to: number; stepMs: number } | { ok: false; error: string } {
  const int = (name: string, fallback: number): number | string => {
    const raw = q.get(name);
    if (raw === null) return fallback;
    return /^\d{1,15}$/.test(raw) ? Number(raw) : `${name} must be a non-negative integer (ms), got ${JSON.stringify(raw.slice(0, 40))}`;
  };
  const to = int('to', now);
  if (typeof to === 'string') return { ok: false, error: to };
  const from = int('from', to - 24 * 3600_000);
  if (typeof from === 'string') return { ok: false, error: from };
  const stepMs = int('step', 30 * 60_000);
  if (typeof stepMs === 'string') return { ok: false, error: stepMs };
  if (from >= to) return { ok: false, error: `from (${from}) must be before to (${to})` };
  if (stepMs < HISTORY_MIN_STEP_MS) return { ok: false, error: `step must be at least ${HISTORY_MIN_STEP_MS} ms, got ${stepMs}` };
  if ((to - from) / stepMs > HISTORY_MAX_SAMPLES)
    return {
      ok: false,
      error: `too many samples: (to - from) / step = ${Math.floor((to - from) / stepMs)} exceeds ${HISTORY_MAX_SAMPLES}; use a larger step or a shorter window`,
    };
  return { ok: true, from, to, stepMs };
}

/** CSV of sampled parking states (place ids are contract-checked [A-Z0-9-], so nothing needs quoting). */
export function parkingHistoryCsv(rows: readonly ParkingSample[]): string {
  const lines = ['ts,place_id,occupied,capacity'];
  for (const r of rows) lines.push(`${r.ts},${r.placeId},${r.occupied},${r.capacity}`);
  return lines.join('\n') + '\n';
}
