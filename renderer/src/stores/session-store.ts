/**
 * Who is at the console (issue 6, access by role): the duty operator (the shared feed token) until someone signs in
 * with a named account. Sign-in goes to the feed server over the page's socket; the session token it answers is held
 * by the feed client in memory only (never in local storage) and the client reconnects with it — resubscribing with
 * its offsets, so no event is lost — after which the people service answers as that user's role. Sign-in and
 * sign-out are operator commands in the audit log ({type: 'session', op, login}; never the password) and later
 * commands are recorded and journaled under the signed-in user's name (UiStore.actor).
 */
import { makeAutoObservable, runInAction, when } from 'mobx';
import type { LoginAnswer, LogoutAnswer } from '../../../data-pipelines/contracts/auth.ts';
import { errorText, LocalizedError } from '../i18n.ts';
import type { FeedStore } from './feed-store.ts';
import type { PeopleStore } from './people-store.ts';
import type { AuditRecord, OperatorCommand, UiStore } from './ui-store.ts';

/** What the session store uses of the root store (RootStore satisfies it; importing root.ts here would close a circle). */
export interface SessionHost {
  readonly ui: UiStore;
  readonly people: PeopleStore;
  readonly feed: FeedStore;
}

/** What the session store needs from the feed client. */
export interface AuthSink {
  login(login: string, password: string): Promise<LoginAnswer>;
  logout(): Promise<LogoutAnswer>;
  /** reconnect with a session token (undefined = the shared token); resolves once connected */
  setToken(token: string | undefined): Promise<void>;
}

type SessionCommand = Extract<OperatorCommand, { type: 'session' }>;

export class SessionStore {
  /** the signed-in account's login; null = the duty operator (shared token) */
  login: string | null = null;
  /** when the session ends (ms), 0 when none */
  expiresAt = 0;
  busy = false;
  /** the server ended the session by itself (expiry, sign-out elsewhere, restart): shown until the next sign-in */
  ended = false;
  /** the published demo accounts may sign in (the server runs with --demo): the sign-in screen says so */
  demoAccounts = false;
  private auth: AuthSink | null = null;
  private readonly dutyActor: string;

  constructor(private readonly root: SessionHost) {
    this.dutyActor = root.ui.actor;
    makeAutoObservable<this, 'auth' | 'root' | 'dutyActor'>(this, { auth: false, root: false, dutyActor: false }, { autoBind: true });
  }

  setDemoAccounts(on: boolean): void {
    this.demoAccounts = on;
  }

  attach(auth: AuthSink): void {
    this.auth = auth;
  }

  private setBusy(b: boolean): void {
    this.busy = b;
  }

  /** Signs in; null on success, else what to show (the audit record gets the server's own words). */
  async signIn(loginRaw: string, password: string): Promise<LocalizedError | null> {
    const login = loginRaw.trim().toLowerCase();
    if (!login || !password) return new LocalizedError('auth.error.missing');
    const ui = this.root.ui;
    const rec = ui.dispatch({ type: 'session', op: 'signIn', login });
    const auth = this.auth;
    if (!auth) {
      ui.settle(rec, `error: ${errorText(new LocalizedError('core.feed.notConnected'))}`);
      return new LocalizedError('core.feed.notConnected');
    }
    this.setBusy(true);
    try {
      const a = await auth.login(login, password);
      if (!a.ok) {
        ui.settle(rec, `error: ${a.error}`);
        if (/^too many failed/.test(a.error) && a.retryAfterMs !== undefined)
          return new LocalizedError('auth.error.rateLimited', { s: Math.max(1, Math.ceil(a.retryAfterMs / 1000)) });
        return a.error === 'wrong login or password' ? new LocalizedError('auth.error.wrong') : new LocalizedError('auth.error.server', { detail: a.error });
      }
      // nothing whole from the previous identity stays on screen
      this.root.people.closeRecord();
      await auth.setToken(a.token);
      runInAction(() => {
        this.login = a.login;
        this.expiresAt = a.expiresAt;
        this.ended = false;
      });
      await this.root.people.loadUser();
      ui.setActor(this.root.people.user?.name ?? a.user.name);
      ui.settle(rec, 'ok');
      return null;
    } catch (e) {
      ui.settle(rec, `error: ${errorText(e)}`);
      return e instanceof LocalizedError ? e : new LocalizedError('auth.error.server', { detail: errorText(e) });
    } finally {
      this.setBusy(false);
    }
  }

  /** Signs out: the server ends the session, the page reconnects with the shared token as the duty operator. */
  signOut(): Promise<void> {
    if (!this.login) return Promise.resolve();
    return this.finishSignOut(this.root.ui.dispatch({ type: 'session', op: 'signOut', login: this.login }));
  }

  /** A session command through RootStore.command: sign-out; sign-in needs signIn() (a command never holds a password). */
  run(cmd: SessionCommand, rec: AuditRecord): Promise<{ ok: false; error: string } | null> {
    if (cmd.op === 'signOut' && this.login) return this.finishSignOut(rec).then(() => null);
    const error = cmd.op === 'signIn' ? 'sign in with SessionStore.signIn (a command never carries the password)' : 'not signed in';
    this.root.ui.settle(rec, `error: ${error}`);
    return Promise.resolve({ ok: false, error });
  }

  private async finishSignOut(rec: AuditRecord): Promise<void> {
    const ui = this.root.ui;
    this.root.people.closeRecord();
    this.setBusy(true);
    let err: string | null = null;
    try {
      const r = await this.auth?.logout();
      if (r && !r.ok) err = r.error;
    } catch (e) {
      err = errorText(e);
    }
    // whatever the server answered, this page goes back to the shared token
    try {
      await this.auth?.setToken(undefined);
    } catch (e) {
      err ??= errorText(e);
    }
    runInAction(() => {
      this.login = null;
      this.expiresAt = 0;
    });
    ui.setActor(this.dutyActor);
    await this.root.people.loadUser();
    if (this.root.people.user) ui.setActor(this.root.people.user.name);
    ui.settle(rec, err ? `error: ${err}` : 'ok');
    this.setBusy(false);
  }

  /** The server ended our session (the feed client is already back on the shared token). */
  sessionLost(): void {
    const login = this.login;
    if (!login) return;
    this.root.people.closeRecord();
    const rec = this.root.ui.dispatch({ type: 'session', op: 'signOut', login, cause: 'ended' });
    this.login = null;
    this.expiresAt = 0;
    this.ended = true;
    this.root.ui.setActor(this.dutyActor);
    this.root.ui.settle(rec, 'ok');
    void when(() => this.root.feed.status === 'live').then(() => this.root.people.loadUser());
  }
}
