/**
 * Feed server: socket.io stream of contract events from the journaled core (simulator by default), plus the web
 * shell's static files and the district data package, all on a loopback address.
 *
 * Protocol: server sends `hello`; the client answers `subscribe {epoch, since}`; the server replays exactly the
 * events after those offsets from the journal (or sends a compacted snapshot when the offsets are from another epoch
 * or too old), then streams `events` live. Operator commands go up as `command` with an ack callback.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Server } from 'socket.io';
import type { ShellConfig } from '../../electron/bridge/api.ts';
import { contentSecurityPolicy } from '../../electron/bridge/csp.ts';
import { Subscribe, WIRE, type FeedEvent, type Heartbeat, type Hello } from '../contracts/events.ts';
import { MANHOLE_SENSORS, type ManholeSensor } from '../contracts/manhole.ts';
import { FeedCore } from './core.ts';
import { loadEntities } from './entities.ts';
import type { SimulatorOptions } from './simulator.ts';
import { mimeOf, resolveInside } from './static-files.ts';

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
  /**
   * Shared secret: socket.io clients must present it as auth.token, API callers as "Authorization: Bearer". The web
   * shell receives it from /api/config, which answers same-origin requests only; Electron gets it over IPC.
   */
  token?: string;
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
  const core = new FeedCore({ journal: { dir: opts.journalDir }, entities: loadEntities(opts.assetsDir), sim: opts.sim === undefined ? {} : opts.sim, log });
  const stats = { emitted: 0, clients: 0, replays: 0, snapshots: 0 };
  let selfOrigin = '';

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

  const allowedOrigins = opts.allowedOrigins ?? ['app://redwall'];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://loopback');
      const path = url.pathname;
      const allowed = isAllowedRequest(req.headers, selfOrigin, allowedOrigins);
      if (!allowed.ok) return send(res, 403, { error: `forbidden: ${allowed.why}` });
      const authed = !opts.token || safeEqual(String(req.headers.authorization ?? ''), `Bearer ${opts.token}`);
      if (path.startsWith('/api/') && path !== '/api/config' && !authed) return send(res, 401, { error: 'unauthorized: missing or wrong bearer token' });
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
  io.use((socket, next) => {
    if (!opts.token) return next();
    const tok = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof tok === 'string' && safeEqual(tok, opts.token)) return next();
    next(new Error('unauthorized'));
  });

  const emit = (events: FeedEvent[]) => {
    if (!events.length) return;
    io.to('live').emit(WIRE.events, events);
    stats.emitted += events.length;
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
    socket.on(WIRE.command, (raw: unknown, ack?: unknown) => {
      const { ack: result, events } = core.command(raw, Date.now());
      emit(events);
      if (typeof ack === 'function') (ack as (r: unknown) => void)(result);
    });
    socket.on('disconnect', () => stats.clients--);
  });

  const ticker = setInterval(() => emit(core.tick(Date.now())), opts.tickMs ?? 250);
  const heart = setInterval(() => {
    const hb: Heartbeat = { ts: Date.now(), epoch: core.epoch, seqs: { ...core.world.seqs } };
    io.emit(WIRE.heartbeat, hb);
  }, opts.heartbeatMs ?? 2_000);
  core.tick(Date.now());

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
      clearInterval(ticker);
      clearInterval(heart);
      await io.close();
      await new Promise<void>((r) => http.close(() => r()));
      core.close();
    },
  };
}
