/**
 * Feed server: socket.io stream of contract events from the journaled core (simulator by default), plus the web
 * shell's static files and the district data package, all on a loopback address.
 *
 * Protocol: server sends `hello`; the client answers `subscribe {epoch, since}`; the server replays exactly the
 * events after those offsets from the journal (or sends a compacted snapshot when the offsets are from another epoch
 * or too old), then streams `events` live. Operator commands go up as `command` with an ack callback.
 */
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve as resolvePath } from 'node:path';
import { Server } from 'socket.io';
import { z } from 'zod';
import type { ShellConfig } from '../../electron/bridge/api.ts';
import { contentSecurityPolicy } from '../../electron/bridge/csp.ts';
import { DrillRequest, JournalRequest, Subscribe, WIRE, type CommandAck, type Draft, type DrillAck, type FeedEvent, type Heartbeat, type Hello, type Resync, type StreamName } from '../contracts/events.ts';
import { afterActionReport, reportCsv, reportHtml } from '../contracts/after-action.ts';
import { parseScenario } from '../contracts/scenario.ts';
import { MANHOLE_SENSORS, type ManholeSensor } from '../contracts/manhole.ts';
import type { Alarm } from '../contracts/alarm.ts';
import { FeedCore } from './core.ts';
import { loadEntities } from './entities.ts';
import { decodeCursor, type ParkingSample } from './journal.ts';
import type { SimulatorOptions } from './simulator.ts';
import { mimeOf, resolveInside } from './static-files.ts';
import { loadHomes } from '../people/homes.ts';
import { ROLES, type User } from '../people/policy.ts';
import { PeopleService } from '../people/service.ts';
import { gridStaffName } from '../people/population.ts';
import { PeopleRequest, type PeopleAnswer } from '../contracts/people.ts';
import type { RequestAck } from '../contracts/citizen-request.ts';
import type { TaskAck } from '../contracts/tasks.ts';
import { LoginRequest, LogoutRequest, mayActOnAlarmIn, mayOperate, type LoginAnswer, type LogoutAnswer } from '../contracts/auth.ts';
import { AuthService, type Account, type AuthOptions } from './auth.ts';
import { assertNoDemoPasswords } from './demo-accounts.ts';
import { gridCellOf } from '../etl/district.ts';
import { SourcesStatus } from '../contracts/sources.ts';
import { declarativeSource, SourceHub, type HubSource } from '../sources/hub.ts';
import type { LoadedSource } from '../sources/load.ts';
import { MqttSourceClient, type MqttTarget } from '../sources/mqtt-source.ts';
import { checkSimViaUrl, SimPublisher, simSource } from '../sources/sim-via.ts';

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
   * Shared secret (the duty operator: masked data only): socket.io clients present it as auth.token, API callers as
   * "Authorization: Bearer". It is never served over HTTP: Electron hands it to its window over IPC; the web shell's
   * page gets a credential of its own instead (see `configRoute`).
   */
  token?: string;
  /**
   * POST /api/config (default on): the web shell's page exchanges the one-time nonce embedded in the index.html it was
   * navigated to for a duty-operator credential of its own (docs/security.md). false = no /api/config at all (404) and
   * no nonce in any page: Electron's embedded feed, whose window gets its credential over IPC.
   */
  configRoute?: boolean;
  /**
   * Demo mode (`--demo`): the published demo accounts may sign in. Without it, a start whose accounts still have a
   * published demo password is refused (demo-accounts.ts, assertNoDemoPasswords). Shown on the sign-in screen.
   */
  demo?: boolean;
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
  /**
   * Bound of one client's send queue (bytes of live events written for it but not yet taken by its connection;
   * default 32 MB). A client that reaches it stops getting live events, is told `resync`, and gets a snapshot once
   * its queue has drained: a slow client costs bounded memory and never slows the others.
   */
  maxClientQueueBytes?: number;
  /** the journal's write call (fs.writeSync by default): a thin adapter so tests can make the disk refuse writes */
  journalWrite?: (fd: number, buf: Buffer, offset: number) => number;
  /** events held in memory while the journal cannot write (FeedCore maxHeld) and how often they are retried */
  held?: { max?: number; retryMs?: number };
  /** connected sources (data-pipelines/sources, loaded from redwall-sources/1 files with loadSourcesFile) */
  sources?: LoadedSource[];
  /**
   * `mqtt://HOST:PORT`: the simulator publishes its live readings to this broker and they come back through the
   * built-in `simulator` source, the path real feeds take (data-pipelines/sources/sim-via.ts).
   */
  simVia?: string;
  /** the quarantine journal's write call (tests make the disk refuse writes) */
  quarantineWrite?: (fd: number, buf: Buffer, offset: number) => number;
}

export interface FeedServer {
  url: string;
  port: number;
  core: FeedCore;
  stats: { emitted: number; clients: number; replays: number; snapshots: number; slowResyncs: number; maxQueuedBytes: number };
  /** journals drafts from an in-process feed adapter and sends what was journaled (held while the journal cannot write) */
  publish(drafts: Draft[]): FeedEvent[];
  /** the connected sources (empty hub without any) */
  sources: SourceHub;
  close(): Promise<void>;
}

/** Whoever holds the shared feed token: the duty operator (masked data only). */
const DUTY_OPERATOR: User = { name: '值班员', role: 'operator' }; // i18n-exempt: the operator's name as journaled
/** The care platform itself, when it looks up a device's holder to plan a follow-up visit (audited under this name). */
const CARE_PLATFORM: User = { name: '养老服务平台', role: 'operator' }; // i18n-exempt: journaled name

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Page credentials: handed out at most this often (token bucket), kept for the server's life, at most this many. */
const PAGE_MINT_PER_MINUTE = 30;
/** A nonce embedded in a served page is good for one exchange within this time. */
const HANDOFF_TTL_MS = 5 * 60_000;
const MAX_HANDOFFS = 500;
const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');

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
  if (!r.success) return { ok: false, error: `bad incident request: ${r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`).join('; ')}` };
  if (r.data.category === 'manhole' && r.data.id !== undefined && r.data.wellId !== undefined && r.data.id !== r.data.wellId) return { ok: false, error: 'bad incident request: id and wellId name different wells; give one' };
  return { ok: true, value: r.data };
}

/**
 * The key that signs web-shell page credentials: read from `<journalDir>/page-key`, created (0600) on first start. A
 * journal folder that cannot be written (full disk) gets a key for this run only, logged: pages then need a reload
 * after a restart, nothing else changes.
 */
export function loadPageKey(journalDir: string, log: (m: string) => void): Buffer {
  const file = join(journalDir, 'page-key');
  try {
    const k = readFileSync(file);
    if (k.length >= 32) return k;
    log(`page-key in ${journalDir} is too short; making a new one`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log(`cannot read ${file}: ${(e as Error).message}; making a new key`);
  }
  const key = randomBytes(32);
  try {
    mkdirSync(journalDir, { recursive: true });
    writeFileSync(file, key, { mode: 0o600 });
  } catch (e) {
    log(`cannot keep the page key in ${file} (${(e as Error).message}): open pages will need a reload after a restart`);
  }
  return key;
}

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
  // a deployment never runs with the published demo passwords (checked before anything is opened or bound)
  if (!opts.demo && opts.accounts?.length) await assertNoDemoPasswords(opts.accounts);
  // The grid staff roster: a signed-in grid-staff account (or named user) looks after its grid cells; other cells have
  // the synthetic roster's name. Visit tasks and the grid panel name the same person the account signs in as.
  const roster = new Map<string, string>();
  for (const u of [...(opts.accounts ?? []), ...(opts.users ?? [])]) if (u.role === 'grid-staff') for (const g of u.grids ?? []) if (!roster.has(g)) roster.set(g, u.name);
  const staffOf = (gridId: string) => roster.get(gridId) ?? gridStaffName(gridId);
  if (opts.simVia !== undefined) {
    const bad = checkSimViaUrl(opts.simVia);
    if (bad) throw new Error(bad);
    if (opts.sim === null) throw new Error('--sim-via needs the simulator (it was turned off with --no-sim)');
  }
  const simPub = opts.simVia !== undefined ? new SimPublisher(opts.simVia, log) : null;
  const core = new FeedCore({ journal: { dir: opts.journalDir, ...(opts.journalWrite ? { write: opts.journalWrite } : {}) }, entities: loadEntities(opts.assetsDir), sim: opts.sim === undefined ? {} : opts.sim, log, staffOf, ...(opts.held?.max ? { maxHeld: opts.held.max } : {}), ...(opts.held?.retryMs ? { retryMs: opts.held.retryMs } : {}), ...(simPub ? { simOut: (d: Draft[]) => simPub.publish(d) } : {}) });
  // Connected sources: each message journaled before it is acknowledged (data-pipelines/sources/hub.ts).
  const simVia = opts.simVia !== undefined ? simSource(opts.simVia) : null;
  const hubSources: HubSource[] = [...(opts.sources ?? []).map(declarativeSource), ...(simVia ? [simVia.hub] : [])];
  const hub = new SourceHub(hubSources, { core, emit: (events) => emitSoon(events), quarantineDir: join(opts.journalDir, 'quarantine'), log, ...(opts.quarantineWrite ? { quarantineWrite: opts.quarantineWrite } : {}) });
  const mqttTargets: MqttTarget[] = [
    ...(opts.sources ?? []).flatMap((l): MqttTarget[] => (l.source.kind === 'mqtt' ? [{ id: l.source.id, url: l.source.mqtt.url, topics: l.source.mqtt.topics, clientId: l.source.mqtt.clientId ?? `redwall-${l.source.id}`, protocolVersion: l.source.mqtt.protocolVersion, ...(l.source.mqtt.username !== undefined ? { username: l.source.mqtt.username } : {}), ...(l.password !== undefined ? { password: l.password } : {}), ...(l.tls ? { tls: l.tls } : {}) }] : [])),
    ...(simVia ? [simVia.target] : []),
  ];
  const mqttClients = mqttTargets.map((t) => new MqttSourceClient(t, hub, log));
  const ingestAuthFailures = new Map<string, number>();
  for (const u of opts.users ?? []) if (!(ROLES as readonly string[]).includes(u.role) || u.token.length < 16) throw new Error(`user ${u.name}: unknown role or token shorter than 16 characters`);
  const auth = new AuthService(opts.accounts ?? [], { ...opts.auth, log });
  /**
   * Web-shell page credentials: each page load exchanges its one-time nonce (`handoffs`, by SHA-256) for a credential
   * `pg1.<id>.<HMAC(key, id)>` that acts as the duty operator (masked data only). Stateless: the key is kept in the
   * journal folder (page-key, mode 0600), so a page keeps working across a feed-server restart (kill -9 included) and
   * no set of issued credentials grows. Minting is rate-limited.
   */
  const pageKey = loadPageKey(opts.journalDir, log);
  const pageMac = (id: string) => createHmac('sha256', pageKey).update(`redwall-page/1:${id}`).digest('hex');
  const isPageToken = (tok: string): boolean => {
    const m = /^pg1\.([0-9a-f]{32})\.([0-9a-f]{64})$/.exec(tok);
    return m !== null && safeEqual(m[2]!, pageMac(m[1]!));
  };
  const handoffs = new Map<string, number>();
  const mintBucket = { tokens: PAGE_MINT_PER_MINUTE, at: Date.now() };
  const issueHandoff = (): string => {
    const now = Date.now();
    for (const [k, exp] of handoffs) if (exp <= now || handoffs.size >= MAX_HANDOFFS) handoffs.delete(k);
    const nonce = randomBytes(32).toString('hex');
    handoffs.set(sha256(nonce), now + HANDOFF_TTL_MS);
    return nonce;
  };
  /** A fresh page credential for a nonce (used up), or why not. */
  const redeemHandoff = (nonce: unknown): { ok: true; token: string } | { ok: false; status: number; error: string } => {
    if (typeof nonce !== 'string' || !/^[0-9a-f]{64}$/.test(nonce)) return { ok: false, status: 403, error: 'config: the page’s one-time nonce is missing or malformed (reload the page)' };
    const key = sha256(nonce);
    const exp = handoffs.get(key);
    handoffs.delete(key);
    if (exp === undefined || exp <= Date.now()) return { ok: false, status: 403, error: 'config: unknown, used or expired nonce (reload the page)' };
    const now = Date.now();
    mintBucket.tokens = Math.min(PAGE_MINT_PER_MINUTE, mintBucket.tokens + ((now - mintBucket.at) / 60_000) * PAGE_MINT_PER_MINUTE);
    mintBucket.at = now;
    if (mintBucket.tokens < 1) return { ok: false, status: 429, error: 'config: too many page loads in the last minute; reload in a few seconds' };
    mintBucket.tokens--;
    const id = randomBytes(16).toString('hex');
    return { ok: true, token: `pg1.${id}.${pageMac(id)}` };
  };
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
      if (isPageToken(tok)) return DUTY_OPERATOR;
    }
    return opts.token ? undefined : DUTY_OPERATOR;
  };
  /**
   * Where a sign-in comes from, for its back-off (feed/auth.ts): the credential the socket connected with (a page's
   * own, the shared token, a session, a named token) and the peer address. Unknown tokens (only possible without a
   * shared token) are one source together, so inventing tokens gains nothing.
   */
  const signInSource = (handshakeAuth: unknown, address: string): string => {
    const tok = tokenOf(handshakeAuth);
    const known = typeof tok === 'string' && tok !== '' && (auth.session(tok) || (opts.users ?? []).some((u) => safeEqual(tok, u.token)) || (opts.token && safeEqual(tok, opts.token)) || isPageToken(tok));
    return `${known ? `cred:${sha256(tok).slice(0, 16)}` : 'anonymous'}@${address}`;
  };
  const tokenOf = (handshakeAuth: unknown): unknown => (handshakeAuth as { token?: unknown } | undefined)?.token;
  // Personal data stays in this process: generated on first use, answered masked, every access audited on disk.
  const people = new PeopleService(() => loadHomes(opts.assetsDir), { auditPath: join(opts.journalDir, 'people-audit.jsonl'), devices: () => core.entities.care, staffOf });
  const stats = { emitted: 0, clients: 0, replays: 0, snapshots: 0, slowResyncs: 0, maxQueuedBytes: 0 };
  let selfOrigin = '';
  let closed = false;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const serveFile = (res: ServerResponse, root: string, urlPath: string, fallbackIndex: boolean, headers: IncomingMessage['headers'] = {}) => {
    let file = resolveInside(root, urlPath);
    if (!file) return send(res, 400, { error: 'bad path' });
    if (!existsSync(file) || !statSync(file).isFile()) {
      if (!fallbackIndex) return send(res, 404, { error: 'not found' });
      file = join(root, 'index.html');
      if (!existsSync(file)) return send(res, 404, { error: 'web shell not built: run "npm run build"' });
    }
    if (opts.configRoute !== false && fallbackIndex && resolvePath(file) === resolvePath(root, 'index.html')) {
      // The web shell's page: a browser's top-level navigation (fetch metadata) gets a one-time nonce to exchange for
      // its credential (POST /api/config); anything else (curl, a script, a subresource fetch) gets the page without.
      const navigation = headers['sec-fetch-mode'] === 'navigate' && headers['sec-fetch-dest'] === 'document';
      const html = readFileSync(file, 'utf8');
      const page = navigation ? html.replace(/<head>/i, `<head>\n    <meta name="redwall-handoff" content="${issueHandoff()}" />`) : html;
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': contentSecurityPolicy([selfOrigin]),
        'x-content-type-options': 'nosniff',
        'cross-origin-opener-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      });
      return res.end(page);
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

  const inject = (req: IncidentRequest): FeedEvent[] => {
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
        const invalid: Array<{ file: string; error: string }> = [];
        const files = scenarioFiles();
        for (const f of files) {
          const sc = parseScenario(f.text);
          if (!sc.ok) {
            log(`scenario ${f.file} is invalid: ${sc.errors.join('; ')}`);
            invalid.push({ file: f.file, error: sc.errors.join('; ').slice(0, 2000) });
            continue;
          }
          scenarios.push({ file: f.file, name: sc.value.name, ...(sc.value.description ? { description: sc.value.description } : {}), steps: sc.value.steps.length, durationS: sc.value.steps[sc.value.steps.length - 1]!.at });
        }
        // an empty list says why (the drill panel shows it): no folder configured, folder missing, no files, all invalid
        const dir = opts.scenariosDir;
        const emptyBecause = scenarios.length ? undefined : !dir ? 'no-folder' : !existsSync(dir) ? 'folder-missing' : files.length ? 'all-invalid' : 'no-files';
        return { ok: true, running: running(), scenarios, ...(invalid.length ? { invalid } : {}), ...(emptyBecause ? { emptyBecause } : {}) } as const;
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

  /**
   * Grid staff act on alarms in their own grid cells only (they are the ones on site there; elsewhere it is another
   * grid's staff, or the duty operator's): the refusal for an alarm located outside their cells, else null. Unknown
   * alarms are left to the core (it answers "unknown alarm").
   */
  const outsideOwnGrids = (who: User, raw: unknown): string | null => {
    if (who.role !== 'grid-staff') return null;
    const alarmId = raw && typeof raw === 'object' ? (raw as { alarmId?: unknown }).alarmId : undefined;
    const alarm = typeof alarmId === 'string' ? core.engine.alarms.get(alarmId) : undefined;
    if (!alarm) return null;
    const cell = gridCellOf(core.entities.grid, alarm.lon, alarm.lat);
    if (mayActOnAlarmIn(who, cell)) return null;
    return `grid-staff may act on alarms in their own grids only (${(who.grids ?? []).join(', ') || 'none'}); ${alarm.alarmId} is in ${cell ?? 'no grid cell'}`;
  };

  /** Starting or stopping a drill is the duty operator's; listing is anyone's. */
  const drillRefusal = (who: User, raw: unknown): DrillAck | null => {
    const op = raw && typeof raw === 'object' ? (raw as { op?: unknown }).op : undefined;
    return (op === 'start' || op === 'stop') && !mayOperate(who, 'drill') ? { ok: false, error: `${who.role} may not ${op} drills` } : null;
  };

  /**
   * POST /api/ingest/<source>/<path>: an HTTP push source. Its own bearer token (never the operator's); the body is
   * one message (a route's `batch` takes many readings). Answered only after journaling: the source's ackStatus (202,
   * or 200 for platforms that want it) with what became of it; 503 + Retry-After while the journal cannot write.
   * A body over the source's maxMessageBytes is quarantined (its start) and answered 413.
   */
  const ingest = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const m = /^\/api\/ingest\/([a-z0-9][a-z0-9_-]{0,47})(\/.*)?$/.exec(path);
    const src = m ? hub.source(m[1]!) : undefined;
    const loaded = src?.loaded;
    if (!m || !src || !loaded || loaded.source.kind !== 'http' || loaded.token === undefined) return send(res, 404, { error: `no HTTP push source ${JSON.stringify((m?.[1] ?? path.slice('/api/ingest/'.length)).slice(0, 60))} (see GET /api/sources and docs/sources.md)` });
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
    const auth = String(req.headers.authorization ?? '');
    const presented = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!presented || !safeEqual(presented, loaded.token)) {
      const n = (ingestAuthFailures.get(src.id) ?? 0) + 1;
      ingestAuthFailures.set(src.id, n);
      if (n === 1 || n % 100 === 0) log(`ingest ${src.id}: ${n} pushes refused for a missing or wrong token`);
      return send(res, 401, { error: `unauthorized: source ${src.id} needs its own bearer token` });
    }
    const limit = loaded.source.maxMessageBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    try {
      for await (const c of req) {
        // past the limit the rest is drained unread (so the answer reaches the platform); what was read shows it is too large
        if (!over) chunks.push(c as Buffer);
        size += (c as Buffer).length;
        if (size > limit) over = true;
      }
    } catch {
      return; // the platform went away: nothing acknowledged, it pushes again
    }
    const body = Buffer.concat(chunks);
    // identical bytes pushed again are taken as the platform's retry of the same message (docs/sources.md)
    const r = hub.accept(src.id, m[2] ?? '/', body, { redelivery: true });
    if (!r.ok) {
      res.setHeader('retry-after', '5');
      return send(res, 503, { error: r.error });
    }
    if (over) return send(res, 413, { error: `message larger than ${limit} bytes (the source's maxMessageBytes): quarantined`, quarantined: r.quarantined });
    return send(res, loaded.source.http.ackStatus, { journaled: r.journaled, duplicates: r.duplicates, quarantined: r.quarantined.length, reasons: r.quarantined });
  };

  const allowedOrigins = opts.allowedOrigins ?? ['app://redwall'];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://loopback');
      const path = url.pathname;
      const allowed = isAllowedRequest(req.headers, selfOrigin, allowedOrigins);
      if (!allowed.ok) return send(res, 403, { error: `forbidden: ${allowed.why}` });
      // platforms push with their source's own token, never the operator's (checked in ingest)
      if (path.startsWith('/api/ingest/')) return ingest(req, res, path);
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
        return send(res, 200, { ok: true, epoch: core.epoch, seqs: core.world.seqs, journal: core.loadReport, journalHealth: core.health(), rejected: core.stats.rejected, ...stats });
      }
      if (path === '/api/config') {
        // Electron's embedded feed: its window gets the config over IPC, so there is nothing to serve here.
        if (opts.configRoute === false) return send(res, 404, { error: 'not found' });
        // The page's own fetch only: POST {nonce} (the one-time nonce its navigation got), from this origin, with
        // browser fetch metadata saying so. The credential answered is the page's own duty-operator one (masked only).
        if (req.method !== 'POST') return send(res, 405, { error: 'POST {nonce} only (the web shell page does this at load)' });
        const origin = String(req.headers.origin ?? '').toLowerCase();
        // this server itself, or an origin the deployment declared for its pages (a reverse proxy in front of the feed)
        const sameOrigin = origin !== '' && (origin === selfOrigin.toLowerCase() || origin === selfOrigin.toLowerCase().replace('127.0.0.1', 'localhost') || allowedOrigins.some((o) => o.toLowerCase() === origin && /^https?:/.test(o)));
        if (!sameOrigin || req.headers['sec-fetch-site'] !== 'same-origin') return send(res, 403, { error: 'config: only the web shell page itself may ask (same-origin fetch with its nonce)' });
        let nonce: unknown;
        try {
          nonce = (JSON.parse(await readBody(req, 1024)) as { nonce?: unknown } | null)?.nonce;
        } catch {
          return send(res, 400, { error: 'config: body must be JSON {nonce}' });
        }
        const got = redeemHandoff(nonce);
        if (!got.ok) return send(res, got.status, { error: got.error });
        const cfg: ShellConfig = { shell: 'web', feedUrl: '', assetsBase: '/assets/district/', appVersion: opts.appVersion ?? '0.0.0', simulated: core.sim !== null, demoAccounts: opts.demo === true, feedToken: got.token };
        return send(res, 200, cfg);
      }
      if (path === '/api/sources') return send(res, 200, hub.status());
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
        if (path === '/api/journal') return journalPage(res, q, parsed.data);
        const w = await core.journal.readWindowAsync(parsed.data.from, parsed.data.to, { streams: ['alarm', 'drill'] });
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
        // a deployment without the simulator has real sensors only: nothing may be made up
        if (!core.sim) return send(res, 404, { error: 'no simulator in this deployment: incidents come from the sensors only' });
        // raising a simulated incident drives the live picture, like a drill: the duty operator's only
        if (!mayOperate(user, 'drill')) return send(res, 403, { error: `${user.role} may not raise simulated incidents` });
        let raw: unknown;
        try {
          raw = JSON.parse((await readBody(req)) || '{}');
        } catch (e) {
          return send(res, 400, { error: `bad JSON: ${(e as Error).message}` });
        }
        const parsed = parseIncident(raw);
        if (!parsed.ok) return send(res, 400, { error: parsed.error });
        // nothing is raised that the journal cannot hold (the same rule as operator commands)
        const refusal = core.journalRefusal();
        if (refusal) return send(res, 503, { error: refusal });
        try {
          const events = inject(parsed.value);
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
      if (opts.staticDir) return serveFile(res, opts.staticDir, path, true, req.headers);
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

  const emitNow = (events: FeedEvent[]) => {
    io.to('live').emit(WIRE.events, events);
    stats.emitted += events.length;
    // measuring every client's queue walks its write buffer: at most every 25 ms (and on every heartbeat)
    const t = performance.now();
    if (t - queuesCheckedAt >= 25) {
      queuesCheckedAt = t;
      checkQueues();
    }
    careFollowups(events);
  };
  let queuesCheckedAt = 0;
  /**
   * Events from the sources arrive one platform message at a time: they are sent together once the messages already
   * read are through (setImmediate), one packet instead of thousands. Anything emitted directly sends them first, so
   * every client still sees each stream in seq order.
   */
  let soon: FeedEvent[] = [];
  let soonScheduled = false;
  const flushSoon = () => {
    soonScheduled = false;
    const evs = soon;
    soon = [];
    if (evs.length) emitNow(evs);
  };
  const emitSoon = (events: FeedEvent[]) => {
    for (const e of events) soon.push(e);
    if (!soonScheduled && soon.length) {
      soonScheduled = true;
      setImmediate(flushSoon);
    }
  };
  const emit = (events: FeedEvent[]) => {
    if (soon.length) flushSoon();
    if (events.length) emitNow(events);
  };
  /**
   * Back-pressure: each client's send queue is bounded. Bytes written for a socket but not yet taken by its
   * connection wait in engine.io's per-socket write buffer; a socket whose buffer passes the bound leaves the live
   * room (no more events are queued for it), is told `resync`, and — once its buffer has drained — gets a snapshot
   * and rejoins live (sent synchronously together: nothing can fall between). Checked after every send and heartbeat.
   */
  const maxQueued = opts.maxClientQueueBytes ?? 32 * 1024 * 1024;
  const queuedBytes = (conn: unknown): number => {
    let n = 0;
    for (const p of (conn as { writeBuffer?: Array<{ data?: unknown }> }).writeBuffer ?? []) n += typeof p.data === 'string' ? p.data.length : p.data instanceof Uint8Array ? p.data.byteLength : 0;
    return n;
  };
  const checkQueues = () => {
    for (const socket of io.sockets.sockets.values()) {
      const q = queuedBytes(socket.conn);
      if (q > stats.maxQueuedBytes) stats.maxQueuedBytes = q;
      if (socket.rooms.has('behind')) {
        if (q === 0 && (socket.conn as unknown as { transport?: { writable?: boolean } }).transport?.writable) {
          void socket.leave('behind');
          stats.snapshots++;
          socket.emit(WIRE.snapshot, core.snapshot(Date.now()));
          void socket.join('live');
        }
      } else if (q > maxQueued && socket.rooms.has('live')) {
        void socket.leave('live');
        void socket.join('behind');
        stats.slowResyncs++;
        const r: Resync = { reason: 'slow-client', queuedBytes: q };
        socket.emit(WIRE.resync, r);
        log(`client ${socket.id} fell behind (${Math.round(q / 1024)} KB queued): live events paused, a snapshot follows once it has caught up`);
      }
    }
  };
  /**
   * GET /api/journal: one page of a window, streamed out as it is read from disk (the event loop turns between
   * chunks, so live events keep flowing while ~100 MB of journal is read). `limit` events per page (default 10,000,
   * at most 100,000); the answer is a JournalWindow plus `next`, the cursor of the following page (null: last page;
   * pass it back as `cursor`, the window's from/to/streams travel in it).
   */
  const journalPage = async (res: ServerResponse, q: URLSearchParams, req: { from: number; to: number; streams?: StreamName[] | undefined }) => {
    const rawLimit = q.get('limit');
    const limit = rawLimit === null ? 10_000 : /^\d{1,6}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!(limit >= 1 && limit <= 100_000)) return send(res, 400, { error: `limit must be an integer 1..100000, got ${JSON.stringify(rawLimit?.slice(0, 20))}` });
    const cursor = q.get('cursor') ?? undefined;
    if (cursor !== undefined) {
      try {
        const c = decodeCursor(cursor);
        if (c.epoch !== core.epoch) return send(res, 409, { error: `cursor is from journal ${c.epoch}, this journal is ${core.epoch}: start again without a cursor` });
      } catch (e) {
        return send(res, 400, { error: (e as Error).message });
      }
    }
    let buf: string[] = [];
    let first = true;
    const write = async (chunk: string) => {
      if (res.destroyed) throw new Error('client went away');
      if (!res.write(chunk))
        await new Promise<void>((r) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            r();
          };
          res.on('drain', done);
          res.on('close', done);
        });
    };
    const page = await core.journal.readWindowPage(
      { from: req.from, to: req.to, ...(req.streams ? { streams: req.streams } : {}), limit, ...(cursor ? { cursor } : {}) },
      async (ev) => {
        buf.push(JSON.stringify(ev));
        if (buf.length >= 500) {
          const chunk = (first ? '' : ',') + buf.join(',');
          first = false;
          buf = [];
          await write(chunk);
        }
      },
      async (head) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        await write(`{"epoch":${JSON.stringify(head.epoch)},"from":${head.from},"to":${head.to},"seqs":${JSON.stringify(head.seqs)},"initial":${JSON.stringify(head.initial)},"events":[`);
      },
    );
    if (buf.length) await write((first ? '' : ',') + buf.join(','));
    res.end(`],"truncated":${page.truncated},"next":${JSON.stringify(page.next)}}`);
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
      // nothing is acknowledged that the journal cannot hold
      const refusal = core.journalRefusal();
      if (refusal) return { ok: false, status: 409, error: refusal };
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
    socket.emit(WIRE.heartbeat, heartbeat());
    socket.emit(WIRE.sources, lastSources ?? hub.status());
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
    socket.on(WIRE.login, (raw: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') return;
      const reply = ack as (r: LoginAnswer) => void;
      const p = LoginRequest.safeParse(raw);
      if (!p.success) return reply({ ok: false, error: 'bad sign-in request: {login, password} expected' }); // no issue text: it could echo the password
      auth.login(p.data.login, p.data.password, signInSource(socket.handshake.auth, socket.handshake.address)).then(reply, (e: unknown) => {
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
      const outside = outsideOwnGrids(as.who, as.req);
      if (outside) {
        if (typeof ack === 'function') (ack as (r: CommandAck) => void)({ ok: false, error: outside });
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
      // read asynchronously: live events keep flowing while a long window is read
      core.journal.readWindowAsync(r.data.from, r.data.to, r.data).then(
        (w) => (ack as (r: unknown) => void)(w),
        (e: unknown) => (ack as (r: unknown) => void)({ error: (e as Error).message }),
      );
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

  /** The journal's health rides on every heartbeat; a change (cannot write, writes again, events lost) is sent at once. */
  let healthKey = '';
  const heartbeat = (): Heartbeat => {
    const journal = core.health();
    healthKey = `${journal.writable}|${journal.lost}`;
    return { ts: Date.now(), epoch: core.epoch, seqs: { ...core.world.seqs }, journal };
  };
  const beat = () => {
    // not to clients that fell behind: their queue is what we are waiting on
    io.except('behind').emit(WIRE.heartbeat, heartbeat());
    checkQueues();
  };
  /** The sources' health goes to every screen when it changes (checked every second; rates change under load). */
  let lastSources: SourcesStatus | null = null;
  let sourcesKey = '';
  const sourcesBeat = () => {
    const st = hub.status();
    const key = JSON.stringify(st.sources);
    if (key === sourcesKey) return;
    sourcesKey = key;
    lastSources = st;
    io.emit(WIRE.sources, st);
  };
  const tick = () => {
    emit(core.tick(Date.now()));
    hub.tick(Date.now());
    const h = core.health();
    if (`${h.writable}|${h.lost}` !== healthKey) beat();
  };
  const ticker = setInterval(tick, opts.tickMs ?? 250);
  const heart = setInterval(beat, opts.heartbeatMs ?? 2_000);
  const sourcesTimer = setInterval(sourcesBeat, 1_000);
  tick();
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
  for (const c of mqttClients) c.start();
  if (hubSources.length) log(`sources: ${hubSources.map((h) => `${h.id} (${h.kind} ${h.endpoint})`).join(', ')}; quarantine in ${join(opts.journalDir, 'quarantine')}`);
  log(`listening on ${url} (journal ${opts.journalDir}, epoch ${core.epoch}, ${Object.values(core.world.seqs).reduce((a, b) => a + b, 0)} events so far)`);

  return {
    url,
    port,
    core,
    stats,
    publish: (drafts) => {
      const events = core.ingest(drafts);
      emit(events);
      return events;
    },
    sources: hub,
    close: async () => {
      closed = true;
      clearInterval(ticker);
      clearInterval(heart);
      clearInterval(sourcesTimer);
      await Promise.all(mqttClients.map((c) => c.stop()));
      await simPub?.close();
      hub.close();
      clearInterval(sessionSweep);
      await io.close();
      await new Promise<void>((r) => http.close(() => r()));
      core.close();
    },
  };
}
