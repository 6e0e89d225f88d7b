/**
 * Sign-in wire contract (renderer <-> feed server, over the socket the page already holds with the shared token):
 * `WIRE.login` {login, password} answers a session token and the user, `WIRE.logout` ends the socket's own session.
 * Login goes over the socket, not HTTP: Electron's app:// origin would need a CORS preflight for a POST.
 * Validated with zod on both ends; the renderer imports this, never the server's feed/auth.ts.
 */
import { z } from 'zod';

export const ROLE_NAMES = ['operator', 'grid-staff', 'civil-affairs', 'auditor'] as const;

/**
 * Who may act on the live picture (the server refuses the rest; the page hides what a role may not do):
 * - `alarm`: alarm steps (acknowledge, dispatch, on site, resolve, close, shelve) — the duty operator, grid staff (they
 *   are the ones on site) and civil affairs (care calls); auditors read only;
 * - `drill`: starting and stopping drills — the command centre's duty operator only (anyone may list them).
 */
export function mayOperate(user: { role: (typeof ROLE_NAMES)[number] }, what: 'alarm' | 'drill'): boolean {
  return what === 'drill' ? user.role === 'operator' : user.role !== 'auditor';
}

/**
 * May `user` take steps on an alarm that lies in grid cell `cell` (null: in none)? As `mayOperate(user, 'alarm')`, and
 * grid staff only in their own cells (issue 16: they are the ones on site there; elsewhere it is another grid's staff
 * or the duty operator's). The server enforces it; the page offers no steps it would refuse.
 */
export function mayActOnAlarmIn(user: { role: (typeof ROLE_NAMES)[number]; grids?: readonly string[] | undefined }, cell: string | null): boolean {
  if (!mayOperate(user, 'alarm')) return false;
  return user.role !== 'grid-staff' || (cell !== null && (user.grids ?? []).includes(cell));
}

/** Login names: lower-case letters, digits, dot, dash, underscore (case-folded before lookup). */
export const LOGIN_PATTERN = /^[a-z0-9._-]{2,32}$/;

export const LoginRequest = z
  .object({
    login: z.string().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .strict();
export type LoginRequest = z.infer<typeof LoginRequest>;

export const SessionUser = z
  .object({
    name: z.string().min(1).max(64),
    role: z.enum(ROLE_NAMES),
    grids: z.array(z.string().min(1).max(32)).max(500).optional(),
  })
  .strict();
export type SessionUser = z.infer<typeof SessionUser>;

export const LoginAnswer = z.union([
  z
    .object({
      ok: z.literal(true),
      /** 32 random bytes, hex: present it as auth.token (socket) or "Authorization: Bearer" (HTTP) */
      token: z.string().regex(/^[0-9a-f]{64}$/),
      login: z.string().regex(LOGIN_PATTERN),
      user: SessionUser,
      /** ms since the epoch; the session ends then (12 h after sign-in) */
      expiresAt: z.number().int().positive(),
    })
    .strict(),
  z
    .object({
      ok: z.literal(false),
      error: z.string().max(500),
      /** rate-limited: when another attempt for this login will be considered */
      retryAfterMs: z.number().int().nonnegative().optional(),
    })
    .strict(),
]);
export type LoginAnswer = z.infer<typeof LoginAnswer>;

/** Ends the session the socket was opened with (nothing else: no token travels again). */
export const LogoutRequest = z.object({}).strict();
export type LogoutRequest = z.infer<typeof LogoutRequest>;

export const LogoutAnswer = z.union([
  z.object({ ok: z.literal(true), ended: z.boolean() }).strict(),
  z.object({ ok: z.literal(false), error: z.string().max(500) }).strict(),
]);
export type LogoutAnswer = z.infer<typeof LogoutAnswer>;
