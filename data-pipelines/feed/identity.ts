/** Who a caller is: a signed-in session, a named user's token, the shared token or a web-shell page's credential. */
import type { User } from '../people/policy.ts';
import type { AuthService } from './auth.ts';
import { sha256, type PageCredentials } from './hosting.ts';
import { safeEqual } from './http-io.ts';

/** Whoever holds the shared feed token: the duty operator (masked data only). */
export const DUTY_OPERATOR: User = { name: '值班员', role: 'operator' }; // i18n-exempt: the operator's name as journaled

/** The token a socket connected with (socket.io handshake auth). */
export const tokenOf = (handshakeAuth: unknown): unknown => (handshakeAuth as { token?: unknown } | undefined)?.token;

export class Identities {
  constructor(
    private readonly auth: AuthService,
    private readonly pages: PageCredentials,
    /** the shared token (the duty operator); undefined = no authentication (--no-auth) */
    private readonly token: string | undefined,
    private readonly users: ReadonlyArray<User & { token: string }>,
  ) {}

  /**
   * Who a token is: a live session (signed-in account), a named user's static token, or the shared token (the duty
   * operator); undefined = not authenticated (unknown, signed out, expired). Without a shared token (--no-auth) any
   * caller is the duty operator unless it presents a session or a named token.
   */
  userForToken(tok: unknown): User | undefined {
    if (typeof tok === 'string' && tok) {
      const s = this.auth.session(tok);
      if (s) return s.user;
      const named = this.users.find((u) => safeEqual(tok, u.token));
      if (named) return { name: named.name, role: named.role, ...(named.grids ? { grids: named.grids } : {}) };
      if (this.token && safeEqual(tok, this.token)) return DUTY_OPERATOR;
      if (this.pages.isPageToken(tok)) return DUTY_OPERATOR;
    }
    return this.token ? undefined : DUTY_OPERATOR;
  }

  /**
   * Where a sign-in comes from, for its back-off (feed/auth.ts): the credential the socket connected with (a page's
   * own, the shared token, a session, a named token) and the peer address. Unknown tokens (only possible without a
   * shared token) are one source together, so inventing tokens gains nothing.
   */
  signInSource(handshakeAuth: unknown, address: string): string {
    const tok = tokenOf(handshakeAuth);
    const known =
      typeof tok === 'string' &&
      tok !== '' &&
      (this.auth.session(tok) || this.users.some((u) => safeEqual(tok, u.token)) || (this.token && safeEqual(tok, this.token)) || this.pages.isPageToken(tok));
    return `${known ? `cred:${sha256(tok).slice(0, 16)}` : 'anonymous'}@${address}`;
  }
}
