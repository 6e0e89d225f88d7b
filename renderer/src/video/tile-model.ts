/**
 * The life of one live video tile, pure (no DOM, no timers): what the engine reported and what the watchdog saw
 * decide what the operator is told and when the player is rebuilt. The LiveTile (live-tile.ts) feeds it events and
 * acts on `reconnectAt`.
 *
 *   connecting ──frames──▶ playing ──no progress 4 s──▶ stalled ──12 s or fatal──▶ offline ──backoff──▶ connecting
 *        │                    ▲                           │
 *        │                    └─────────frames────────────┘
 *        ├──network error──▶ offline (retried with backoff 1, 2, 4, 8, 15, 15… s)
 *        └──codec the browser cannot decode (H.265)──▶ unsupported (retried every 60 s: the gateway may start transcoding)
 */
export type TileState = 'connecting' | 'playing' | 'stalled' | 'offline' | 'unsupported';

export interface TileModel {
  state: TileState;
  /** when the current state began (ms) */
  since: number;
  /** failed attempts in a row (reset when frames flow) */
  failures: number;
  /** the video's currentTime the last time it advanced, and when */
  lastTime: number;
  lastProgressAt: number;
  /** when the player should be torn down and built again (ms), or null */
  reconnectAt: number | null;
  /** what the engine said last (error detail), for the operator */
  detail: string;
  /** the stream's video codec as the engine found it (e.g. avc1.42c01e, hvc1.1.6.L93.B0) */
  codec: string;
  /** live latency in seconds, when the engine can tell */
  latencyS: number | null;
}

export type TileEvent =
  | { t: 'start' }
  /** the watchdog's sample of the video element */
  | { t: 'tick'; currentTime: number }
  | { t: 'codec'; codec: string }
  | { t: 'latency'; seconds: number }
  /** kind 'network': the source cannot be reached or stopped answering; 'media': decoding failed; 'unsupported':
   *  the codec cannot be decoded here; 'ended': the stream ended (a live camera should not end) */
  | { t: 'error'; kind: 'network' | 'media' | 'unsupported' | 'ended'; detail: string };

export const STALL_AFTER_MS = 4_000;
export const OFFLINE_AFTER_MS = 12_000;
export const UNSUPPORTED_RETRY_MS = 60_000;
const BACKOFF_S = [1, 2, 4, 8, 15];

export function backoffMs(failures: number): number {
  return BACKOFF_S[Math.min(Math.max(failures - 1, 0), BACKOFF_S.length - 1)]! * 1000;
}

export function initialTile(now: number): TileModel {
  return { state: 'connecting', since: now, failures: 0, lastTime: -1, lastProgressAt: now, reconnectAt: null, detail: '', codec: '', latencyS: null };
}

const enter = (m: TileModel, state: TileState, now: number, patch: Partial<TileModel> = {}): TileModel =>
  m.state === state ? { ...m, ...patch } : { ...m, ...patch, state, since: now };

/** The next model after `ev` at `now`. */
export function tileStep(m: TileModel, ev: TileEvent, now: number): TileModel {
  switch (ev.t) {
    case 'start':
      return { ...enter(m, 'connecting', now), lastTime: -1, lastProgressAt: now, reconnectAt: null, latencyS: null };
    case 'codec':
      return { ...m, codec: ev.codec };
    case 'latency':
      return Number.isFinite(ev.seconds) && ev.seconds >= 0 ? { ...m, latencyS: ev.seconds } : m;
    case 'error': {
      if (m.state === 'unsupported') return m;
      if (ev.kind === 'unsupported') return enter(m, 'unsupported', now, { detail: ev.detail, reconnectAt: now + UNSUPPORTED_RETRY_MS, latencyS: null });
      const failures = m.failures + 1;
      return enter(m, 'offline', now, { detail: ev.detail, failures, reconnectAt: now + backoffMs(failures), latencyS: null });
    }
    case 'tick': {
      if (m.state === 'offline' || m.state === 'unsupported') return m;
      // the first sample after a (re)start is the reference: a live player seeks to the live edge before it plays
      if (m.lastTime < 0) return { ...m, lastTime: ev.currentTime };
      if (ev.currentTime > m.lastTime + 1e-3) {
        // the picture moves: the first frames, or frames again after a stall
        return { ...enter(m, 'playing', now, { detail: '' }), failures: 0, lastTime: ev.currentTime, lastProgressAt: now };
      }
      const still = now - m.lastProgressAt;
      if (m.state === 'playing' && still >= STALL_AFTER_MS) return enter(m, 'stalled', now);
      if ((m.state === 'stalled' || m.state === 'connecting') && still >= OFFLINE_AFTER_MS) {
        const failures = m.failures + 1;
        return enter(m, 'offline', now, {
          detail: m.state === 'connecting' ? m.detail || 'no picture' : 'no signal',
          failures,
          reconnectAt: now + backoffMs(failures),
          latencyS: null,
        });
      }
      return m;
    }
  }
}

/** True when the player must be rebuilt now. */
export function dueForReconnect(m: TileModel, now: number): boolean {
  return m.reconnectAt !== null && now >= m.reconnectAt;
}

/** The camera's health as the feed server should hear it: a stream that failed or stalled is an outage. */
export function tileHealth(m: TileModel): 'ok' | 'down' | 'unsupported' | 'pending' {
  if (m.state === 'playing') return 'ok';
  if (m.state === 'offline') return 'down';
  if (m.state === 'unsupported') return 'unsupported';
  return 'pending';
}

/** Is this codec string H.265/HEVC (hvc1/hev1 in MP4 terms; FLV codec id 12 is reported as hvc1 by mpegts.js)? */
export function isHevc(codec: string): boolean {
  return /^(hvc1|hev1|hevc|h265)/i.test(codec.trim());
}
