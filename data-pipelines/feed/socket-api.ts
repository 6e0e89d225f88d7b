/**
 * The socket API: `hello`, subscribe (replay or snapshot, then live), sign-in/out, operator commands, drills, journal
 * windows, parking history, people look-ups, citizen requests, visit tasks and the SOP files. Each request is answered
 * for the user the socket acts as, asked again every time (a session can end while the socket is open). The
 * request/answer events are the op table's (contracts/socket-ops.ts), which the renderer's FeedClient.call sends.
 */
import type { Server } from 'socket.io';
import { LoginRequest, LogoutRequest, mayOperate, type LoginAnswer, type LogoutAnswer } from '../contracts/auth.ts';
import type { RequestAck } from '../contracts/citizen-request.ts';
import { JournalRequest, Subscribe, WIRE, type CommandAck, type DrillAck, type FeedEvent, type Hello } from '../contracts/events.ts';
import type { PeopleAnswer } from '../contracts/people.ts';
import { SOCKET_OPS, type SopAnswer } from '../contracts/socket-ops.ts';
import type { TaskAck } from '../contracts/tasks.ts';
import type { User } from '../people/policy.ts';
import type { AuthService } from './auth.ts';
import type { FeedCore } from './core.ts';
import type { Forwarded } from './cluster/commands.ts';
import type { FeedBroadcast, FeedStats } from './emitter.ts';
import { tokenOf, type Identities } from './identity.ts';
import type { FeedOperations } from './operations.ts';
import type { VideoService } from './video.ts';
import type { VideoAnswer } from '../contracts/video.ts';
import { parkingHistoryCsv, parseHistoryQuery } from './parking-history.ts';

const SESSION_ENDED = 'session ended (signed out or expired): sign in again';

export interface SocketApiOptions {
  io: Server;
  core: FeedCore;
  auth: AuthService;
  identities: Identities;
  ops: FeedOperations;
  broadcast: FeedBroadcast;
  stats: FeedStats;
  emit: (events: FeedEvent[]) => void;
  log: (msg: string) => void;
  /**
   * Cluster log, at a follower gateway: alarm, citizen-request, drill and task commands go to the writer gateway (returns its
   * acknowledgement); null when this gateway writes itself.
   */
  forward?: (f: Forwarded) => Promise<unknown> | null;
  /** the video operation: camera registry, stream health, stills (feed/video.ts) */
  video?: VideoService;
}

/** Installs the socket API on `io`; the returned stop() ends its session sweep. */
export function attachSocketApi(o: SocketApiOptions): { stop(): void } {
  const { io, core, auth, identities, ops, broadcast, stats, emit, log } = o;
  /** acknowledgements wait until what they confirm is durable (a cluster log's quorum; at once with the journal) */
  const whenDurable = (send: () => void) => {
    const d = core.durable();
    if (d) void d.then(send);
    else send();
  };
  io.use((socket, next) => (identities.userForToken(tokenOf(socket.handshake.auth)) ? next() : next(new Error('unauthorized'))));
  /**
   * The user a socket acts as, asked again on every request: its session can end (sign-out, 12 h) while it is open.
   * undefined = the session ended: refuse, and the socket is closed (the client falls back to the shared token).
   */
  const socketUser = (handshakeAuth: unknown): User | undefined => identities.userForToken(tokenOf(handshakeAuth));
  /** Closes sockets whose session ended (except `keep`): their page reconnects as the duty operator. */
  const closeEndedSessions = (keep?: string) => {
    for (const s of io.sockets.sockets.values()) if (s.id !== keep && !socketUser(s.handshake.auth)) s.disconnect(true);
  };
  const sessionSweep = setInterval(() => {
    auth.sweep();
    closeEndedSessions();
  }, 60_000);
  sessionSweep.unref();

  io.on('connection', (socket) => {
    stats.clients++;
    const hello: Hello = { server: 'redwall-feed', protocol: 2, epoch: core.epoch, seqs: { ...core.world.seqs }, simulated: core.sim !== null };
    socket.emit(WIRE.hello, hello);
    socket.emit(WIRE.heartbeat, broadcast.heartbeat());
    socket.emit(WIRE.sources, broadcast.sources());
    socket.on(WIRE.subscribe, (raw: unknown) => {
      void socket.leave('behind');
      const sub = Subscribe.safeParse(raw);
      const replay = sub.success ? core.replay(sub.data) : null;
      // Computed and sent synchronously, then joined to live: no event can fall between the two.
      if (replay) {
        stats.replays++;
        socket.emit(WIRE.replay, replay);
      } else {
        stats.snapshots++;
        socket.emit(WIRE.snapshot, core.snapshot(Date.now()));
      }
      void socket.join('live');
    });
    /**
     * Commands are journaled under the name of the socket's user, whatever `by` the page sent: a signed-in user's own
     * name, the duty desk's for the shared token. Looked up per command, so a command resent after its session ended
     * is refused (null), never journaled under the old name.
     */
    const asUser = (raw: unknown): { who: User; req: unknown } | null => {
      const who = socketUser(socket.handshake.auth);
      if (!who) return null;
      // only where the request names someone (a drill list does not, and its schema is strict)
      return { who, req: raw && typeof raw === 'object' && !Array.isArray(raw) && 'by' in raw ? { ...(raw as Record<string, unknown>), by: who.name } : raw };
    };
    socket.on(SOCKET_OPS.login.event, (raw: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') return;
      const reply = ack as (r: LoginAnswer) => void;
      const p = LoginRequest.safeParse(raw);
      if (!p.success) return reply({ ok: false, error: 'bad sign-in request: {login, password} expected' }); // no issue text: it could echo the password
      auth.login(p.data.login, p.data.password, identities.signInSource(socket.handshake.auth, socket.handshake.address)).then(reply, (e: unknown) => {
        log(`sign-in error: ${(e as Error).message}`);
        reply({ ok: false, error: 'sign-in failed on the server' });
      });
    });
    socket.on(SOCKET_OPS.logout.event, (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: LogoutAnswer) => void) : () => undefined;
      if (!LogoutRequest.safeParse(raw ?? {}).success) return reply({ ok: false, error: 'bad sign-out request: {} expected' });
      const tok = tokenOf(socket.handshake.auth);
      const ended = typeof tok === 'string' && auth.logout(tok);
      reply({ ok: true, ended });
      // other sockets on the same session (other windows) are closed; this one reconnects with the shared token
      if (ended) closeEndedSessions(socket.id);
    });
    socket.on(WIRE.command, (raw: unknown, ack?: unknown) => {
      const as = asUser(raw);
      // session ended: no ack (the page keeps the command and resends it once reconnected)
      if (as === null) return void socket.disconnect(true);
      if (!mayOperate(as.who, 'alarm')) {
        if (typeof ack === 'function') (ack as (r: CommandAck) => void)({ ok: false, error: `${as.who.role} may not act on alarms` });
        return;
      }
      const outside = ops.outsideOwnGrids(as.who, as.req);
      if (outside) {
        if (typeof ack === 'function') (ack as (r: CommandAck) => void)({ ok: false, error: outside });
        return;
      }
      const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => undefined;
      const forwarded = o.forward?.({ kind: 'alarm', req: as.req });
      if (forwarded) return void forwarded.then(reply);
      const { ack: result, events } = core.command(as.req, Date.now());
      emit(events);
      whenDurable(() => reply(result));
    });
    socket.on(SOCKET_OPS.drill.event, (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => undefined;
      const as = asUser(raw);
      const refusal: DrillAck | null = as === null ? { ok: false, error: SESSION_ENDED } : ops.drillRefusal(as.who, as.req);
      if (refusal || as === null) return reply(refusal);
      const forwarded = o.forward?.({ kind: 'drill', req: as.req });
      if (forwarded) return void forwarded.then(reply);
      const result = ops.drill(as.req);
      whenDurable(() => reply(result));
    });
    socket.on(SOCKET_OPS.journal.event, (raw: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') return;
      const r = JournalRequest.safeParse(raw);
      if (!r.success) return (ack as (r: unknown) => void)({ error: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      // read asynchronously: live events keep flowing while a long window is read
      core.journal.readWindowAsync(r.data.from, r.data.to, r.data).then(
        (w) => (ack as (r: unknown) => void)(w),
        (e: unknown) => (ack as (r: unknown) => void)({ error: (e as Error).message }),
      );
    });
    socket.on(SOCKET_OPS.parkingHistory.event, (raw: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') return;
      const reply = ack as (r: unknown) => void;
      const obj = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
      const params = new URLSearchParams();
      for (const k of ['from', 'to', 'step']) if (obj[k] !== undefined) params.set(k, String(obj[k]));
      const q = parseHistoryQuery(params, Date.now());
      if (!q.ok) return reply({ error: q.error });
      core.journal.sampleParkingAsync(q.from, q.to, q.stepMs).then(
        (h) => reply({ csv: parkingHistoryCsv(h.rows), truncated: h.truncated, rows: h.rows.length }),
        (e: unknown) => reply({ error: (e as Error).message }),
      );
    });
    socket.on(SOCKET_OPS.people.event, (raw: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') return;
      const user = socketUser(socket.handshake.auth);
      if (!user) {
        (ack as (r: PeopleAnswer) => void)({ ok: false, status: 403, error: SESSION_ENDED });
        return void socket.disconnect(true);
      }
      void ops.people(user, raw).then((a) => (ack as (r: PeopleAnswer) => void)(a));
    });
    socket.on(SOCKET_OPS.request.event, (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: RequestAck) => void) : () => undefined;
      const user = socketUser(socket.handshake.auth);
      if (!user) {
        reply({ ok: false, error: SESSION_ENDED });
        return void socket.disconnect(true);
      }
      const forwarded = o.forward?.({ kind: 'request', raw, user });
      if (forwarded) return void forwarded.then((r) => reply(r as RequestAck));
      const { ack: result, events } = core.requestCommand(raw, user, Date.now());
      emit(events);
      whenDurable(() => reply(result));
    });
    socket.on(SOCKET_OPS.task.event, (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: TaskAck) => void) : () => undefined;
      const user = socketUser(socket.handshake.auth);
      if (!user) {
        reply({ ok: false, status: 403, error: SESSION_ENDED });
        return void socket.disconnect(true);
      }
      const forwarded = o.forward?.({ kind: 'task', raw, user });
      if (forwarded) return void forwarded.then((r) => reply(r as TaskAck));
      void ops.task(user, raw).then((r) => whenDurable(() => reply(r)));
    });
    socket.on(SOCKET_OPS.video.event, (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: VideoAnswer) => void) : () => undefined;
      const user = socketUser(socket.handshake.auth);
      if (!user) {
        reply({ ok: false, error: SESSION_ENDED });
        return void socket.disconnect(true);
      }
      if (!o.video) return reply({ ok: false, error: 'no video service' });
      try {
        reply(o.video.answer(user, raw));
      } catch (e) {
        reply({ ok: false, error: (e as Error).message });
      }
    });
    socket.on(SOCKET_OPS.sop.event, (_raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: SopAnswer) => void) : () => undefined;
      if (!socketUser(socket.handshake.auth)) {
        reply({ ok: false, error: SESSION_ENDED });
        return void socket.disconnect(true);
      }
      reply({ ok: true, sops: [...core.sops] });
    });
    socket.on('disconnect', () => stats.clients--);
  });
  return { stop: () => clearInterval(sessionSweep) };
}
