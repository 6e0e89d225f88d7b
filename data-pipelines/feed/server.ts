/**
 * Feed server: socket.io stream of contract events from the journaled core (simulator by default), plus the web
 * shell's static files and the district data package, all on a loopback address.
 *
 * Protocol: server sends `hello`; the client answers `subscribe {epoch, since}`; the server replays exactly the
 * events after those offsets from the journal (or sends a compacted snapshot when the offsets are from another epoch
 * or too old), then streams `events` live. Operator commands go up as `command` with an ack callback.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Server } from 'socket.io';
import type { ShellConfig } from '../../electron/bridge/api.ts';
import { contentSecurityPolicy } from '../../electron/bridge/csp.ts';
import { DrillRequest, JournalRequest, Subscribe, WIRE, type CommandAck, type DrillAck, type FeedEvent, type Heartbeat, type Hello } from '../contracts/events.ts';
import { afterActionReport, reportCsv, reportHtml } from '../contracts/after-action.ts';
import { parseScenario } from '../contracts/scenario.ts';
import { MANHOLE_SENSORS, type ManholeSensor } from '../contracts/manhole.ts';
import type { Alarm } from '../contracts/alarm.ts';
import { FeedCore } from './core.ts';
import { loadEntities } from './entities.ts';
import type { ParkingSample } from './journal.ts';
import type { SimulatorOptions } from './simulator.ts';
import { mimeOf, resolveInside } from './static-files.ts';
import { loadHomes } from '../people/homes.ts';
import { ROLES, type User } from '../people/policy.ts';
import { PeopleService } from '../people/service.ts';
import { gridStaffName } from '../people/population.ts';
import { PeopleRequest, type PeopleAnswer } from '../contracts/people.ts';
import type { RequestAck } from '../contracts/citizen-request.ts';
import type { TaskAck } from '../contracts/tasks.ts';
import { LoginRequest, LogoutRequest, mayOperate, type LoginAnswer, type LogoutAnswer } from '../contracts/auth.ts';
import { AuthService, type Account, type AuthOptions } from './auth.ts';

export interface FeedServerOptions {
  host?: string;
  port?: number;
  /** built renderer (web shell); omitted = API/feed only */
  staticDir?: string;
  /** district data package folder (manifest.json + *.arrow) */
  assetsDir: string;
  /** journal folder; survives restarts */
  journalDir: string;
  tickMs?: number;
  heartbeatMs?: number;
  /** simulator settings; null disables the simulator */
  sim?: SimulatorOptions | null;
  /** extra allowed socket.io origins (Electron's app://redwall) */
  allowedOrigins?: string[];
  appVersion?: string;
  /** test-only endpoints (raw payload injection for fuzzing the client); never on in the app */
  testHooks?: boolean;
  /** drill scenario files offered to operators (*.json, format redwall-drill/1) */
  scenariosDir?: string;
  /**
   * Shared secret: socket.io clients must present it as auth.token, API callers as "Authorization: Bearer". The web
   * shell receives it from /api/config, which answers same-origin requests only; Electron gets it over IPC.
   */
  token?: string;
  /**
   * Named users with their own bearer tokens and roles (people service: who may see whole records). The shared
   * `token` above is the duty operator (role operator: masked data only).
   */
  users?: Array<User & { token: string }>;
  /**
   * Named accounts (login + scrypt hash, feed/auth.ts) that sign in over the socket (`WIRE.login`) and then connect
   * with their session token: that socket and Bearer token act as the account's user. Omitted = none.
   */
  accounts?: Account[];
  /** sessions and sign-in limits (tests inject a clock) */
  auth?: Omit<AuthOptions, 'log'>;
  /** serve HTTPS/WSS instead of plain HTTP (PEM strings) */
  tls?: { key: string; cert: string };
  log?: (msg: string) => void;
}

export interface FeedServer {
  url: string;
  port: number;
  core: FeedCore;
  stats: { emitted: number; clients: number; replays: number; snapshots: number };
  close(): Promise<void>;
}

/** Whoever holds the shared feed token: the duty operator (masked data only). */
const DUTY_OPERATOR: User = { name: '值班员', role: 'operator' }; // i18n-exempt: the operator's name as journaled
/** The care platform itself, when it looks up a device's holder to plan a follow-up visit (audited under this name). */
const CARE_PLATFORM: User = { name: '养老服务平台', role: 'operator' }; // i18n-exempt: journaled name

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * DNS-rebinding and cross-site defence: the Host header must name a loopback address, and a browser Origin (when
 * present) must be this server itself or an allowed app origin.
 */
export function isAllowedRequest(headers: IncomingMessage['headers'], selfOrigin: string, allowedOrigins: string[]): { ok: boolean; why?: string } {
  const host = (headers.host ?? '').toLowerCase();
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) return { ok: false, why: `host ${host || '(none)'} is not loopback` };
  const origin = headers.origin;
  if (origin === undefined) return { ok: true }; // not a browser (CLI tools, Node clients): Host check and token apply
  const o = origin.toLowerCase();
  const self = selfOrigin.toLowerCase();
  const selfLocalhost = self.replace('127.0.0.1', 'localhost');
  if (o === self || o === selfLocalhost || allowedOrigins.includes(origin)) return { ok: true };
  return { ok: false, why: `origin ${origin} not allowed` };
}

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
  if ((to - from) / stepMs > HISTORY_MAX_SAMPLES) return { ok: false, error: `too many samples: (to - from) / step = ${Math.floor((to - from) / stepMs)} exceeds ${HISTORY_MAX_SAMPLES}; use a larger step or a shorter window` };
  return { ok: true, from, to, stepMs };
}

/** CSV of sampled parking states (place ids are contract-checked [A-Z0-9-], so nothing needs quoting). */
export function parkingHistoryCsv(rows: readonly ParkingSample[]): string {
  const lines = ['ts,place_id,occupied,capacity'];
  for (const r of rows) lines.push(`${r.ts},${r.placeId},${r.occupied},${r.capacity}`);
  return lines.join('\n') + '\n';
}

async function readBody(req: IncomingMessage, limit = 256 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFeedServer(opts: FeedServerOptions): Promise<FeedServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`feed server binds loopback only, refused host ${host}`);
  const log = opts.log ?? ((m: string) => console.log(`[feed] ${m}`));
  // The grid staff roster: a signed-in grid-staff account (or named user) looks after its grid cells; other cells have
  // the synthetic roster's name. Visit tasks and the grid panel name the same person the account signs in as.
  const roster = new Map<string, string>();
  for (const u of [...(opts.accounts ?? []), ...(opts.users ?? [])]) if (u.role === 'grid-staff') for (const g of u.grids ?? []) if (!roster.has(g)) roster.set(g, u.name);
  const staffOf = (gridId: string) => roster.get(gridId) ?? gridStaffName(gridId);
  const core = new FeedCore({ journal: { dir: opts.journalDir }, entities: loadEntities(opts.assetsDir), sim: opts.sim === undefined ? {} : opts.sim, log, staffOf });
  for (const u of opts.users ?? []) if (!(ROLES as readonly string[]).includes(u.role) || u.token.length < 16) throw new Error(`user ${u.name}: unknown role or token shorter than 16 characters`);
  const auth = new AuthService(opts.accounts ?? [], { ...opts.auth, log });
  /**
   * Who a token is: a live session (signed-in account), a named user's static token, or the shared token (the duty
   * operator); undefined = not authenticated (unknown, signed out, expired). Without a shared token (--no-auth) any
   * caller is the duty operator unless it presents a session or a named token.
   */
  const userForToken = (tok: unknown): User | undefined => {
    if (typeof tok === 'string' && tok) {
      const s = auth.session(tok);
      if (s) return s.user;
      const named = (opts.users ?? []).find((u) => safeEqual(tok, u.token));
      if (named) return { name: named.name, role: named.role, ...(named.grids ? { grids: named.grids } : {}) };
      if (opts.token && safeEqual(tok, opts.token)) return DUTY_OPERATOR;
    }
    return opts.token ? undefined : DUTY_OPERATOR;
  };
  const tokenOf = (handshakeAuth: unknown): unknown => (handshakeAuth as { token?: unknown } | undefined)?.token;
  // Personal data stays in this process: generated on first use, answered masked, every access audited on disk.
  const people = new PeopleService(() => loadHomes(opts.assetsDir), { auditPath: join(opts.journalDir, 'people-audit.jsonl'), devices: () => core.entities.care, staffOf });
  const stats = { emitted: 0, clients: 0, replays: 0, snapshots: 0 };
  let selfOrigin = '';
  let closed = false;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const serveFile = (res: ServerResponse, root: string, urlPath: string, fallbackIndex: boolean) => {
    let file = resolveInside(root, urlPath);
    if (!file) return send(res, 400, { error: 'bad path' });
    if (!existsSync(file) || !statSync(file).isFile()) {
      if (!fallbackIndex) return send(res, 404, { error: 'not found' });
      file = join(root, 'index.html');
      if (!existsSync(file)) return send(res, 404, { error: 'web shell not built: run "npm run build"' });
    }
    res.writeHead(200, {
      'content-type': mimeOf(file),
      'content-security-policy': contentSecurityPolicy([selfOrigin]),
      'x-content-type-options': 'nosniff',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': file.endsWith('.html') ? 'no-cache' : 'public, max-age=3600',
    });
    createReadStream(file).pipe(res);
  };

  const inject = (body: Record<string, unknown>): FeedEvent[] => {
    const sim = core.sim;
    if (!sim) throw new Error('no simulator running');
    const now = Date.now();
    const id = typeof body['id'] === 'string' ? body['id'] : undefined;
    const holdMs = typeof body['holdMs'] === 'number' && body['holdMs'] > 0 ? Math.min(body['holdMs'], 3_600_000) : undefined;
    switch (body['category']) {
      case 'manhole': {
        const sensor = body['sensor'];
        if (sensor !== undefined && !MANHOLE_SENSORS.includes(sensor as ManholeSensor)) throw new Error(`sensor must be one of ${MANHOLE_SENSORS.join(', ')}`);
        return core.ingest(sim.injectManhole(now, id, sensor as ManholeSensor | undefined, holdMs));
      }
      case 'fire':
        return core.ingest(sim.injectFire(now, id, body['state'] === 'fire' ? 'fire' : 'smoke', holdMs));
      case 'care':
        return core.ingest(sim.injectCare(now, id, body['reason'] === 'fall' ? 'fall' : body['reason'] === 'inactivity' ? 'inactivity' : 'sos', holdMs));
      case 'sos':
        return core.ingest(sim.injectSos(now, id));
      case 'camera-offline':
        return core.ingest(sim.injectCameraOffline(now, id, holdMs));
      default:
        throw new Error('category must be one of manhole, fire, care, sos, camera-offline');
    }
  };

  const scenarioFiles = (): Array<{ file: string; text: string }> => {
    const dir = opts.scenariosDir;
    if (!dir || !existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
  };
  const running = () => (core.drill ? { drillId: core.drill.drillId, name: core.drill.scenario.name, startedAt: core.drill.startedAt, endsAt: core.drill.ends } : null);
  /** Drill control shared by socket and HTTP: list scenario files, start one (by file name or inline), stop. */
  const drillOp = (raw: unknown): DrillAck => {
    const p = DrillRequest.safeParse(raw);
    if (!p.success) return { ok: false, error: `bad drill request: ${p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    const req = p.data;
    try {
      if (req.op === 'list') {
        const scenarios: NonNullable<Extract<DrillAck, { ok: true }>['scenarios']> = [];
        for (const f of scenarioFiles()) {
          const sc = parseScenario(f.text);
          if (!sc.ok) {
            log(`scenario ${f.file} is invalid: ${sc.errors.join('; ')}`);
            continue;
          }
          scenarios.push({ file: f.file, name: sc.value.name, ...(sc.value.description ? { description: sc.value.description } : {}), steps: sc.value.steps.length, durationS: sc.value.steps[sc.value.steps.length - 1]!.at });
        }
        return { ok: true, running: running(), scenarios };
      }
      if (req.op === 'stop') {
        emit(core.stopDrill(Date.now(), req.by));
        return { ok: true, running: null };
      }
      let scenario = req.scenario;
      if (typeof scenario === 'string' && /^[\w.-]+\.json$/.test(scenario)) {
        const f = scenarioFiles().find((x) => x.file === scenario);
        if (!f) return { ok: false, error: `no scenario file ${scenario}` };
        scenario = f.text;
      }
      const r = core.startDrill(scenario, Date.now(), req.by);
      emit(r.events);
      log(`drill ${r.drillId} started by ${req.by}`);
      return { ok: true, drillId: r.drillId, running: running() };
    } catch (e) {
      return { ok: false, error: (e as Error).message.slice(0, 2000) };
    }
  };

  /** Starting or stopping a drill is the duty operator's; listing is anyone's. */
  const drillRefusal = (who: User, raw: unknown): DrillAck | null => {
    const op = raw && typeof raw === 'object' ? (raw as { op?: unknown }).op : undefined;
    return (op === 'start' || op === 'stop') && !mayOperate(who, 'drill') ? { ok: false, error: `${who.role} may not ${op} drills` } : null;
  };

  const allowedOrigins = opts.allowedOrigins ?? ['app://redwall'];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://loopback');
      const path = url.pathname;
      const allowed = isAllowedRequest(req.headers, selfOrigin, allowedOrigins);
      if (!allowed.ok) return send(res, 403, { error: `forbidden: ${allowed.why}` });
      const authHeader = String(req.headers.authorization ?? '');
      const bearer = authHeader.startsWith('Bearer ') ? authHeader.slice('Bearer '.length) : undefined;
      const authedUser = userForToken(bearer);
      if (path.startsWith('/api/') && path !== '/api/config' && !authedUser) return send(res, 401, { error: 'unauthorized: missing, wrong or expired bearer token' });
      const user: User = authedUser ?? DUTY_OPERATOR;
      if (path === '/api/me') return send(res, 200, user);
      if (path.startsWith('/api/people/')) {
        await people.ready();
        const answer = <T>(r: { ok: true; value: T } | { ok: false; status: number; error: string }) => (r.ok ? send(res, 200, r.value) : send(res, r.status, { error: r.error }));
        if (path === '/api/people/turning') return answer(people.turning(user, { age: Number(url.searchParams.get('age') ?? 60), days: Number(url.searchParams.get('days') ?? 30), ...(url.searchParams.get('grid') ? { grid: url.searchParams.get('grid')! } : {}) }));
        if (path === '/api/people/resident') return answer(people.view(user, url.searchParams.get('id') ?? ''));
        if (path === '/api/people/density') return send(res, 200, people.density());
        if (path === '/api/people/audit') return answer(people.auditTrail(user));
        if (path === '/api/people/unmask') {
          if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
          let body: { residentId?: unknown; reason?: unknown };
          try {
            body = JSON.parse(await readBody(req, 4096)) as typeof body;
          } catch {
            return send(res, 400, { error: 'body must be JSON {residentId, reason}' });
          }
          if (typeof body.residentId !== 'string' || typeof body.reason !== 'string') return send(res, 400, { error: 'body must be JSON {residentId, reason}' });
          return answer(people.unmask(user, body.residentId, body.reason));
        }
        return send(res, 404, { error: 'not found' });
      }
      if (path === '/api/health') {
        return send(res, 200, { ok: true, epoch: core.epoch, seqs: core.world.seqs, journal: core.loadReport, rejected: core.stats.rejected, ...stats });
      }
      if (path === '/api/config') {
        // Same-origin only (checked above); fetch metadata rules out cross-site no-cors reads in modern browsers.
        if (req.headers['sec-fetch-site'] && req.headers['sec-fetch-site'] !== 'same-origin') return send(res, 403, { error: 'config is same-origin only' });
        const cfg: ShellConfig = { shell: 'web', feedUrl: '', assetsBase: '/assets/district/', appVersion: opts.appVersion ?? '0.0.0', simulated: core.sim !== null, ...(opts.token ? { feedToken: opts.token } : {}) };
        return send(res, 200, cfg);
      }
      if (path === '/api/alarms') {
        return send(res, 200, { epoch: core.epoch, alarms: [...core.engine.alarms.values()] });
      }
      if (path === '/api/drills' && req.method === 'GET') return send(res, 200, drillOp({ op: 'list' }));
      if (path === '/api/drill/start' || path === '/api/drill/stop') {
        if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
        let body: unknown;
        try {
          body = JSON.parse((await readBody(req)) || '{}');
        } catch (e) {
          return send(res, 400, { error: `bad JSON: ${(e as Error).message}` });
        }
        const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
        // journaled under the token's user (the body's `by`, if any, is ignored: it could name anyone)
        const dreq = path.endsWith('start') ? { op: 'start', scenario: b['scenario'] ?? b['file'], by: user.name } : { op: 'stop', by: user.name };
        const refused = drillRefusal(user, dreq);
        if (refused) return send(res, 403, refused);
        const r = drillOp(dreq);
        return send(res, r.ok ? 200 : 400, r);
      }
      if (path === '/api/journal' || path === '/api/report') {
        const q = url.searchParams;
        const now = Date.now();
        const from = q.has('from') ? Number(q.get('from')) : now - 3600_000;
        const to = q.has('to') ? Number(q.get('to')) : now;
        const streams = q.get('streams')?.split(',');
        const parsed = JournalRequest.safeParse({ from, to, ...(streams ? { streams } : {}) });
        if (!parsed.success) return send(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        if (path === '/api/journal') return send(res, 200, core.journal.readWindow(parsed.data.from, parsed.data.to, parsed.data));
        const w = core.journal.readWindow(parsed.data.from, parsed.data.to, { streams: ['alarm', 'drill'] });
        const drillId = q.get('drillId') ?? undefined;
        const include = q.get('include');
        const report = afterActionReport([...w.initial, ...w.events], { from: parsed.data.from, to: parsed.data.to, ...(drillId ? { drillId } : {}), ...(include === 'real' || include === 'drill' || include === 'all' ? { include } : {}) });
        const format = q.get('format') ?? 'json';
        if (format === 'csv') {
          res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="after-action-${drillId ?? from}.csv"` });
          return res.end(reportCsv(report));
        }
        if (format === 'html') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
          return res.end(reportHtml(report));
        }
        return send(res, 200, report);
      }
      if (path === '/api/history/parking') {
        if (req.method !== 'GET') return send(res, 405, { error: 'GET only' });
        const q = parseHistoryQuery(url.searchParams, Date.now());
        if (!q.ok) return send(res, 400, { error: q.error });
        const h = await core.journal.sampleParkingAsync(q.from, q.to, q.stepMs);
        res.writeHead(200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="parking-history-${q.from}-${q.to}.csv"`,
          'cache-control': 'no-store',
          'x-redwall-truncated': h.truncated ? '1' : '0',
          'x-redwall-rows': String(h.rows.length),
        });
        return res.end(parkingHistoryCsv(h.rows));
      }
      if (path === '/api/sim/incident') {
        if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
        let body: Record<string, unknown>;
        try {
          const parsed: unknown = JSON.parse((await readBody(req)) || '{}');
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body must be an object');
          body = parsed as Record<string, unknown>;
          if (body['category'] === undefined) body['category'] = 'manhole';
          if (body['wellId'] !== undefined) body['id'] = body['wellId'];
        } catch (e) {
          return send(res, 400, { error: `bad JSON: ${(e as Error).message}` });
        }
        try {
          const events = inject(body);
          emit(events);
          return send(res, 200, { events });
        } catch (e) {
          return send(res, 400, { error: (e as Error).message });
        }
      }
      if (opts.testHooks && path === '/api/test/raw' && req.method === 'POST') {
        // Fuzzing only: sends arbitrary payloads to clients as if they were events, bypassing validation.
        const payload: unknown = JSON.parse(await readBody(req, 8 * 1024 * 1024));
        io.to('live').emit(WIRE.events, payload);
        return send(res, 200, { sent: true });
      }
      if (path.startsWith('/assets/district/')) return serveFile(res, opts.assetsDir, path.slice('/assets/district'.length), false);
      if (opts.staticDir) return serveFile(res, opts.staticDir, path, true);
      return send(res, 404, { error: 'not found' });
    })().catch((e: unknown) => {
      log(`http error: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  };
  const http: HttpServer = opts.tls ? (createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) as unknown as HttpServer) : createServer(handler);

  const io = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: allowedOrigins },
    // WebSocket upgrades are not subject to CORS: check Host and Origin ourselves.
    allowRequest: (req, cb) => {
      const r = isAllowedRequest(req.headers, selfOrigin, allowedOrigins);
      cb(r.ok ? null : `forbidden: ${r.why}`, r.ok);
    },
  });
  io.use((socket, next) => (userForToken(tokenOf(socket.handshake.auth)) ? next() : next(new Error('unauthorized'))));
  /**
   * The user a socket acts as, asked again on every request: its session can end (sign-out, 12 h) while it is open.
   * undefined = the session ended: refuse, and the socket is closed (the client falls back to the shared token).
   */
  const socketUser = (handshakeAuth: unknown): User | undefined => userForToken(tokenOf(handshakeAuth));
  /** Closes sockets whose session ended (except `keep`): their page reconnects as the duty operator. */
  const closeEndedSessions = (keep?: string) => {
    for (const s of io.sockets.sockets.values()) if (s.id !== keep && !socketUser(s.handshake.auth)) s.disconnect(true);
  };
  const sessionSweep = setInterval(() => {
    auth.sweep();
    closeEndedSessions();
  }, 60_000);
  sessionSweep.unref();
  const SESSION_ENDED = 'session ended (signed out or expired): sign in again';
  const peopleOp = async (user: User, raw: unknown): Promise<PeopleAnswer> => {
    const p = PeopleRequest.safeParse(raw);
    if (!p.success) return { ok: false, status: 400, error: `bad people request: ${p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    const q = p.data;
    try {
      if (q.op !== 'me') await people.ready();
      switch (q.op) {
        case 'me':
          return { ok: true, op: 'me', user };
        case 'density':
          return { ok: true, op: 'density', grids: people.density() };
        case 'turning': {
          const r = people.turning(user, { age: q.age, days: q.days, ...(q.grid ? { grid: q.grid } : {}) });
          return r.ok ? { ok: true, op: 'turning', ...r.value } : r;
        }
        case 'view': {
          const r = people.view(user, q.residentId);
          return r.ok ? { ok: true, op: 'view', resident: r.value } : r;
        }
        case 'unmask': {
          const r = people.unmask(user, q.residentId, q.reason);
          return r.ok ? { ok: true, op: 'unmask', resident: r.value } : r;
        }
        case 'holder': {
          const r = people.holder(user, q.deviceId);
          return r.ok ? { ok: true, op: 'holder', deviceId: q.deviceId, resident: r.value } : r;
        }
      }
    } catch (e) {
      log(`people request failed: ${(e as Error).message}`);
      return { ok: false, status: 400, error: (e as Error).message.slice(0, 500) };
    }
  };

  const emit = (events: FeedEvent[]) => {
    if (!events.length) return;
    io.to('live').emit(WIRE.events, events);
    stats.emitted += events.length;
    careFollowups(events);
  };
  /**
   * A real care call raised as an alarm gets a follow-up visit for the grid staff of the device's holder (the care
   * platform looks the holder up: audited like any view). Asynchronous: the population may still be generating;
   * `planning` holds the calls on their way, so each is looked up once.
   */
  const planning = new Set<string>();
  const planCareFollowup = (alarm: Pick<Alarm, 'alarmId' | 'sourceId'>) => {
    if (planning.has(alarm.alarmId) || core.board.tasks.has(`C-${alarm.alarmId}`)) return;
    planning.add(alarm.alarmId);
    void people
      .ready()
      .then(() => {
        if (closed) return;
        const h = people.holder(CARE_PLATFORM, alarm.sourceId);
        if (!h.ok || !h.value) return log(`care call ${alarm.alarmId}: no elder registered to ${alarm.sourceId}, no follow-up visit planned`);
        const d = core.board.careFollowup(alarm.alarmId, h.value, CARE_PLATFORM.name, Date.now());
        if (d) emit(core.ingest([d]));
      })
      .catch((e: unknown) => log(`care follow-up for ${alarm.alarmId} failed: ${(e as Error).message}`))
      .finally(() => planning.delete(alarm.alarmId));
  };
  const careFollowups = (events: FeedEvent[]) => {
    for (const ev of events) if (ev.kind === 'alarm.update' && ev.action === 'raise' && ev.alarm.category === 'care' && !ev.alarm.drill) planCareFollowup(ev.alarm);
  };
  /** Visit tasks: plan from the (audited, masked) turning-N list, mark done/cancelled by role. */
  const taskOp = async (user: User, raw: unknown): Promise<TaskAck> => {
    try {
      const needsPeople = typeof raw === 'object' && raw !== null && (raw as { op?: unknown }).op === 'create-turning';
      if (needsPeople) await people.ready();
      const out = core.board.handle(user, raw, Date.now(), (q) => {
        const r = people.turning(user, q);
        return r.ok ? r.value.rows : { status: r.status, error: r.error };
      });
      if (out.drafts.length) emit(core.ingest(out.drafts));
      return out.ack;
    } catch (e) {
      log(`task request failed: ${(e as Error).message}`);
      return { ok: false, status: 400, error: (e as Error).message.slice(0, 500) };
    }
  };

  io.on('connection', (socket) => {
    stats.clients++;
    const hello: Hello = { server: 'redwall-feed', protocol: 2, epoch: core.epoch, seqs: { ...core.world.seqs }, simulated: core.sim !== null };
    socket.emit(WIRE.hello, hello);
    socket.on(WIRE.subscribe, (raw: unknown) => {
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
    socket.on(WIRE.login, (raw: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') return;
      const reply = ack as (r: LoginAnswer) => void;
      const p = LoginRequest.safeParse(raw);
      if (!p.success) return reply({ ok: false, error: 'bad sign-in request: {login, password} expected' }); // no issue text: it could echo the password
      auth.login(p.data.login, p.data.password).then(reply, (e: unknown) => {
        log(`sign-in error: ${(e as Error).message}`);
        reply({ ok: false, error: 'sign-in failed on the server' });
      });
    });
    socket.on(WIRE.logout, (raw: unknown, ack?: unknown) => {
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
      const { ack: result, events } = core.command(as.req, Date.now());
      emit(events);
      if (typeof ack === 'function') (ack as (r: unknown) => void)(result);
    });
    socket.on(WIRE.drill, (raw: unknown, ack?: unknown) => {
      const as = asUser(raw);
      const result: DrillAck = as === null ? { ok: false, error: SESSION_ENDED } : (drillRefusal(as.who, as.req) ?? drillOp(as.req));
      if (typeof ack === 'function') (ack as (r: unknown) => void)(result);
    });
    socket.on(WIRE.journal, (raw: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') return;
      const r = JournalRequest.safeParse(raw);
      if (!r.success) return (ack as (r: unknown) => void)({ error: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      try {
        (ack as (r: unknown) => void)(core.journal.readWindow(r.data.from, r.data.to, r.data));
      } catch (e) {
        (ack as (r: unknown) => void)({ error: (e as Error).message });
      }
    });
    socket.on(WIRE.parkingHistory, (raw: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') return;
      const reply = ack as (r: unknown) => void;
      const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
      const params = new URLSearchParams();
      for (const k of ['from', 'to', 'step']) if (o[k] !== undefined) params.set(k, String(o[k]));
      const q = parseHistoryQuery(params, Date.now());
      if (!q.ok) return reply({ error: q.error });
      core.journal.sampleParkingAsync(q.from, q.to, q.stepMs).then(
        (h) => reply({ csv: parkingHistoryCsv(h.rows), truncated: h.truncated, rows: h.rows.length }),
        (e: unknown) => reply({ error: (e as Error).message }),
      );
    });
    socket.on(WIRE.people, (raw: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') return;
      const user = socketUser(socket.handshake.auth);
      if (!user) {
        (ack as (r: PeopleAnswer) => void)({ ok: false, status: 403, error: SESSION_ENDED });
        return void socket.disconnect(true);
      }
      void peopleOp(user, raw).then((a) => (ack as (r: PeopleAnswer) => void)(a));
    });
    socket.on(WIRE.request, (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: RequestAck) => void) : () => undefined;
      const user = socketUser(socket.handshake.auth);
      if (!user) {
        reply({ ok: false, error: SESSION_ENDED });
        return void socket.disconnect(true);
      }
      const { ack: result, events } = core.requestCommand(raw, user, Date.now());
      emit(events);
      reply(result);
    });
    socket.on(WIRE.task, (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: TaskAck) => void) : () => undefined;
      const user = socketUser(socket.handshake.auth);
      if (!user) {
        reply({ ok: false, status: 403, error: SESSION_ENDED });
        return void socket.disconnect(true);
      }
      void taskOp(user, raw).then(reply);
    });
    socket.on('disconnect', () => stats.clients--);
  });

  const ticker = setInterval(() => emit(core.tick(Date.now())), opts.tickMs ?? 250);
  const heart = setInterval(() => {
    const hb: Heartbeat = { ts: Date.now(), epoch: core.epoch, seqs: { ...core.world.seqs } };
    io.emit(WIRE.heartbeat, hb);
  }, opts.heartbeatMs ?? 2_000);
  emit(core.tick(Date.now()));
  // A care call raised before a crash (or while the population was still generating) whose follow-up visit was never
  // journaled: planned now. Idempotent (one task per alarm, `C-<alarmId>`); closed and drill calls need none.
  for (const a of core.engine.alarms.values()) if (a.category === 'care' && !a.drill && a.state !== 'closed') planCareFollowup(a);

  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => resolveListen());
  });
  const port = (http.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  selfOrigin = url;
  log(`listening on ${url} (journal ${opts.journalDir}, epoch ${core.epoch}, ${Object.values(core.world.seqs).reduce((a, b) => a + b, 0)} events so far)`);

  return {
    url,
    port,
    core,
    stats,
    close: async () => {
      closed = true;
      clearInterval(ticker);
      clearInterval(heart);
      clearInterval(sessionSweep);
      await io.close();
      await new Promise<void>((r) => http.close(() => r()));
      core.close();
    },
  };
}
