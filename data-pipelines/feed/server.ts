/**
 * Feed server: socket.io stream of contract events from the embedded simulator (or, later, real backends), plus the
 * web shell's static files and the district data package, all on a loopback address.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { Server } from 'socket.io';
import { contentSecurityPolicy } from '../../electron/bridge/csp.ts';
import type { ShellConfig } from '../../electron/bridge/api.ts';
import { FeedEvent, WIRE, type Hello, type Heartbeat } from '../contracts/events.ts';
import { MANHOLE_SENSORS, type ManholeSensor } from '../contracts/manhole.ts';
import { ManholeSimulator, type SimWell } from './simulator.ts';
import { mimeOf, resolveInside } from './static-files.ts';

export interface FeedServerOptions {
  host?: string;
  port?: number;
  /** built renderer (web shell); omitted = API/feed only */
  staticDir?: string;
  /** district data package folder (manifest.json + *.arrow) */
  assetsDir: string;
  tickMs?: number;
  heartbeatMs?: number;
  seed?: number;
  incidentEveryMs?: number;
  reportIntervalMs?: number;
  /** extra allowed socket.io origins (Electron's app://redwall) */
  allowedOrigins?: string[];
  appVersion?: string;
  log?: (msg: string) => void;
}

export interface FeedServer {
  url: string;
  port: number;
  sim: ManholeSimulator;
  stats: { emitted: number; rejected: number; clients: number };
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function loadWells(assetsDir: string): SimWell[] {
  const file = join(assetsDir, 'manholes.arrow');
  if (!existsSync(file)) throw new Error(`district package missing ${file}: run "npm run build:data" first`);
  const t = tableFromIPC(readFileSync(file));
  const ids = t.getChild('well_id');
  const kinds = t.getChild('kind');
  if (!ids || !kinds) throw new Error(`${file}: expected columns well_id, kind`);
  const wells: SimWell[] = [];
  for (let i = 0; i < t.numRows; i++) wells.push({ wellId: String(ids.get(i)), kind: String(kinds.get(i)) });
  return wells;
}

async function readBody(req: IncomingMessage, limit = 16 * 1024): Promise<string> {
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
  const epoch = `e${Date.now().toString(36)}`;
  const sim = new ManholeSimulator(loadWells(opts.assetsDir), {
    epoch,
    seed: opts.seed ?? 7,
    ...(opts.incidentEveryMs !== undefined ? { incidentEveryMs: opts.incidentEveryMs } : {}),
    ...(opts.reportIntervalMs !== undefined ? { reportIntervalMs: opts.reportIntervalMs } : {}),
  });
  const stats = { emitted: 0, rejected: 0, clients: 0 };
  let selfOrigin = '';
  const csp = () => contentSecurityPolicy([selfOrigin]);

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
      'content-security-policy': csp(),
      'x-content-type-options': 'nosniff',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': file.endsWith('.html') ? 'no-cache' : 'public, max-age=3600',
    });
    createReadStream(file).pipe(res);
  };

  const http = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://loopback');
      const path = url.pathname;
      if (path === '/api/health') {
        return send(res, 200, { ok: true, epoch, seqs: { manhole: sim.lastSeq }, wells: sim.wellCount, ...stats });
      }
      if (path === '/api/config') {
        const cfg: ShellConfig = { shell: 'web', feedUrl: '', assetsBase: '/assets/district/', appVersion: opts.appVersion ?? '0.0.0', simulated: true };
        return send(res, 200, cfg);
      }
      if (path === '/api/sim/incident') {
        if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
        let body: { wellId?: unknown; sensor?: unknown; holdMs?: unknown };
        try {
          body = JSON.parse((await readBody(req)) || '{}') as typeof body;
        } catch (e) {
          return send(res, 400, { error: `bad JSON: ${(e as Error).message}` });
        }
        if (body.wellId !== undefined && (typeof body.wellId !== 'string' || !sim.hasWell(body.wellId)))
          return send(res, 400, { error: `unknown wellId ${String(body.wellId)}` });
        if (body.sensor !== undefined && !MANHOLE_SENSORS.includes(body.sensor as ManholeSensor))
          return send(res, 400, { error: `sensor must be one of ${MANHOLE_SENSORS.join(', ')}` });
        const holdMs = typeof body.holdMs === 'number' && body.holdMs > 0 ? Math.min(body.holdMs, 3_600_000) : undefined;
        const ev = sim.inject(Date.now(), body.wellId as string | undefined, body.sensor as ManholeSensor | undefined, holdMs);
        emit([ev]);
        return send(res, 200, { event: ev });
      }
      if (path.startsWith('/assets/district/')) return serveFile(res, opts.assetsDir, path.slice('/assets/district'.length), false);
      if (opts.staticDir) return serveFile(res, opts.staticDir, path, true);
      return send(res, 404, { error: 'not found' });
    })().catch((e: unknown) => {
      log(`http error: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  });

  const io = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: opts.allowedOrigins ?? ['app://redwall'] },
  });

  const emit = (events: FeedEvent[]) => {
    const valid: FeedEvent[] = [];
    for (const ev of events) {
      const r = FeedEvent.safeParse(ev);
      if (r.success) valid.push(r.data);
      else {
        stats.rejected++;
        log(`rejected outbound event ${ev.id}: ${r.error.issues[0]?.message}`);
      }
    }
    if (valid.length) {
      io.to('live').emit(WIRE.events, valid);
      stats.emitted += valid.length;
    }
  };

  io.on('connection', (socket) => {
    stats.clients++;
    const hello: Hello = { server: 'redwall-feed', protocol: 1, epoch, seqs: { manhole: sim.lastSeq }, simulated: true };
    socket.emit(WIRE.hello, hello);
    socket.emit(WIRE.snapshot, sim.snapshot(Date.now()));
    void socket.join('live');
    // A client that detected a sequence gap or an epoch change asks for a fresh snapshot.
    socket.on(WIRE.subscribe, () => socket.emit(WIRE.snapshot, sim.snapshot(Date.now())));
    socket.on('disconnect', () => stats.clients--);
  });

  const tickMs = opts.tickMs ?? 250;
  const ticker = setInterval(() => emit(sim.tick(Date.now())), tickMs);
  const heart = setInterval(() => {
    const hb: Heartbeat = { ts: Date.now(), epoch, seqs: { manhole: sim.lastSeq } };
    io.emit(WIRE.heartbeat, hb);
  }, opts.heartbeatMs ?? 2_000);
  sim.tick(Date.now());

  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => resolveListen());
  });
  const port = (http.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  selfOrigin = url;
  log(`listening on ${url} (${sim.wellCount} simulated wells, epoch ${epoch})`);

  return {
    url,
    port,
    sim,
    stats,
    close: async () => {
      clearInterval(ticker);
      clearInterval(heart);
      await io.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
