/**
 * The feed server's HTTP API as a route table (method + exact path or prefix -> handler). Every request is checked
 * first against the Host/Origin guard; HTTP push sources (/api/ingest/…) carry their own token; every other /api/
 * path but /api/config needs a bearer token. Whatever no route takes is a static file (web shell or data package).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterActionReport, reportCsv, reportHtml, reportPlanCsv, reportStepsCsv } from '../contracts/after-action.ts';
import { mayOperate } from '../contracts/auth.ts';
import { JournalRequest, type FeedEvent, type StreamName } from '../contracts/events.ts';
import type { User } from '../people/policy.ts';
import type { PeopleService } from '../people/service.ts';
import type { SourceHub } from '../sources/hub.ts';
import type { FeedCore } from './core.ts';
import type { FeedStats } from './emitter.ts';
import { isAllowedRequest, type WebShellHosting } from './hosting.ts';
import { bearerOf, readBody, safeEqual, send } from './http-io.ts';
import { DUTY_OPERATOR, type Identities } from './identity.ts';
import { injectIncident, parseIncident } from './incident.ts';
import { decodeCursor } from './journal.ts';
import type { FeedOperations } from './operations.ts';
import { parkingHistoryCsv, parseHistoryQuery } from './parking-history.ts';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  path: string;
  /** the bearer token's user (the duty operator for public routes without one) */
  user: User;
}

export interface Route {
  /** only this method matches (others fall through to the next route or the static files); omitted = any */
  method?: string;
  path: string;
  /** `path` is a prefix (exact paths are tried first) */
  prefix?: boolean;
  /** 'bearer' (default): an operator or user token; 'none': anyone who passed the Host/Origin guard; 'own': the route checks its own */
  auth?: 'bearer' | 'none' | 'own';
  handle: (c: RouteContext) => void | Promise<void>;
}

/** Exact routes by path, then prefix routes in order. */
export class RouteTable {
  private readonly exact = new Map<string, Route[]>();
  private readonly prefixes: Route[] = [];

  constructor(routes: readonly Route[]) {
    for (const r of routes) {
      if (r.prefix) this.prefixes.push(r);
      else this.exact.set(r.path, [...(this.exact.get(r.path) ?? []), r]);
    }
  }

  match(method: string | undefined, path: string): Route | undefined {
    const ok = (r: Route) => r.method === undefined || r.method === method;
    return this.exact.get(path)?.find(ok) ?? this.prefixes.find((r) => path.startsWith(r.path) && ok(r));
  }
}

export interface HttpApiOptions {
  core: FeedCore;
  hub: SourceHub;
  people: PeopleService;
  ops: FeedOperations;
  hosting: WebShellHosting;
  identities: Identities;
  stats: FeedStats;
  emit: (events: FeedEvent[]) => void;
  /** test-only: sends a raw payload to live clients as if it were events (fuzzing); omitted = no /api/test/raw */
  sendRaw?: ((payload: unknown) => void) | undefined;
  allowedOrigins: string[];
  selfOrigin: () => string;
  log: (msg: string) => void;
}

/** The routes of the feed's HTTP API. */
export function feedRoutes(o: HttpApiOptions): Route[] {
  const { core, hub, people, ops, hosting, stats, emit, log } = o;
  const ingestAuthFailures = new Map<string, number>();

  /**
   * POST /api/ingest/<source>/<path>: an HTTP push source. Its own bearer token (never the operator's); the body is
   * one message (a route's `batch` takes many readings). Answered only after journaling: the source's ackStatus (202,
   * or 200 for platforms that want it) with what became of it; 503 + Retry-After while the journal cannot write.
   * A body over the source's maxMessageBytes is quarantined (its start) and answered 413.
   */
  const ingest = async ({ req, res, path }: RouteContext) => {
    const m = /^\/api\/ingest\/([a-z0-9][a-z0-9_-]{0,47})(\/.*)?$/.exec(path);
    const src = m ? hub.source(m[1]!) : undefined;
    const loaded = src?.loaded;
    if (!m || !src || !loaded || loaded.source.kind !== 'http' || loaded.token === undefined)
      return send(res, 404, {
        error: `no HTTP push source ${JSON.stringify((m?.[1] ?? path.slice('/api/ingest/'.length)).slice(0, 60))} (see GET /api/sources and docs/sources.md)`,
      });
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
    const presented = bearerOf(req) ?? '';
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
    await hub.durable(); // acknowledged only once durable (a cluster log's quorum; at once with the embedded journal)
    if (over) return send(res, 413, { error: `message larger than ${limit} bytes (the source's maxMessageBytes): quarantined`, quarantined: r.quarantined });
    return send(res, loaded.source.http.ackStatus, {
      journaled: r.journaled,
      duplicates: r.duplicates,
      quarantined: r.quarantined.length,
      reasons: r.quarantined,
    });
  };

  /** People routes answer after the population is ready (generated on first use). */
  const peopleRoute =
    (handle: (c: RouteContext, answer: <T>(r: { ok: true; value: T } | { ok: false; status: number; error: string }) => void) => void | Promise<void>) =>
    async (c: RouteContext) => {
      await people.ready();
      const answer = <T>(r: { ok: true; value: T } | { ok: false; status: number; error: string }) =>
        r.ok ? send(c.res, 200, r.value) : send(c.res, r.status, { error: r.error });
      return handle(c, answer);
    };

  const drillControl = async ({ req, res, path, user }: RouteContext) => {
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
    const refused = ops.drillRefusal(user, dreq);
    if (refused) return send(res, 403, refused);
    const r = ops.drill(dreq);
    return send(res, r.ok ? 200 : 400, r);
  };

  /** The window of /api/journal and /api/report (default: the last hour), or a 400 sent (undefined). */
  const journalWindow = ({ res, url }: RouteContext): { from: number; to: number; streams?: StreamName[] | undefined } | undefined => {
    const q = url.searchParams;
    const now = Date.now();
    const from = q.has('from') ? Number(q.get('from')) : now - 3600_000;
    const to = q.has('to') ? Number(q.get('to')) : now;
    const streams = q.get('streams')?.split(',');
    const parsed = JournalRequest.safeParse({ from, to, ...(streams ? { streams } : {}) });
    if (!parsed.success) {
      send(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return undefined;
    }
    return parsed.data;
  };

  /**
   * GET /api/journal: one page of a window, streamed out as it is read from disk (the event loop turns between
   * chunks, so live events keep flowing while ~100 MB of journal is read). `limit` events per page (default 10,000,
   * at most 100,000); the answer is a JournalWindow plus `next`, the cursor of the following page (null: last page;
   * pass it back as `cursor`, the window's from/to/streams travel in it).
   */
  const journalPage = async (c: RouteContext) => {
    const w = journalWindow(c);
    if (!w) return;
    const { res } = c;
    const q = c.url.searchParams;
    const rawLimit = q.get('limit');
    const limit = rawLimit === null ? 10_000 : /^\d{1,6}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!(limit >= 1 && limit <= 100_000))
      return send(res, 400, { error: `limit must be an integer 1..100000, got ${JSON.stringify(rawLimit?.slice(0, 20))}` });
    const cursor = q.get('cursor') ?? undefined;
    if (cursor !== undefined) {
      try {
        const cur = decodeCursor(cursor);
        if (cur.epoch !== core.epoch)
          return send(res, 409, { error: `cursor is from journal ${cur.epoch}, this journal is ${core.epoch}: start again without a cursor` });
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
      { from: w.from, to: w.to, ...(w.streams ? { streams: w.streams } : {}), limit, ...(cursor ? { cursor } : {}) },
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
        await write(
          `{"epoch":${JSON.stringify(head.epoch)},"from":${head.from},"to":${head.to},"seqs":${JSON.stringify(head.seqs)},"initial":${JSON.stringify(head.initial)},"events":[`,
        );
      },
    );
    if (buf.length) await write((first ? '' : ',') + buf.join(','));
    res.end(`],"truncated":${page.truncated},"next":${JSON.stringify(page.next)}}`);
  };

  /** GET /api/report: the after-action report of a window (json, csv, steps-csv, plan-csv or html). */
  const report = async (c: RouteContext) => {
    const w = journalWindow(c);
    if (!w) return;
    const { res } = c;
    const q = c.url.searchParams;
    const win = await core.journal.readWindowAsync(w.from, w.to, { streams: ['alarm', 'drill'] });
    const drillId = q.get('drillId') ?? undefined;
    const include = q.get('include');
    const rep = afterActionReport([...win.initial, ...win.events], {
      from: w.from,
      to: w.to,
      ...(drillId ? { drillId } : {}),
      ...(include === 'real' || include === 'drill' || include === 'all' ? { include } : {}),
      sops: core.sops,
    });
    const format = q.get('format') ?? 'json';
    // issue 22: one row per SOP step / per plan part of every alarm
    if (format === 'steps-csv' || format === 'plan-csv') {
      const kind = format === 'steps-csv' ? 'steps' : 'plan';
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="after-action-${kind}-${drillId ?? w.from}.csv"`,
      });
      return res.end(kind === 'steps' ? reportStepsCsv(rep) : reportPlanCsv(rep));
    }
    if (format === 'csv') {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="after-action-${drillId ?? w.from}.csv"` });
      return res.end(reportCsv(rep));
    }
    if (format === 'html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
      return res.end(reportHtml(rep));
    }
    return send(res, 200, rep);
  };

  const parkingHistory = async ({ req, res, url }: RouteContext) => {
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
  };

  const simIncident = async ({ req, res, user }: RouteContext) => {
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
      const events = injectIncident(core, parsed.value);
      emit(events);
      return send(res, 200, { events });
    } catch (e) {
      return send(res, 400, { error: (e as Error).message });
    }
  };

  const routes: Route[] = [
    // platforms push with their source's own token, never the operator's (checked in ingest)
    { path: '/api/ingest/', prefix: true, auth: 'own', handle: ingest },
    { path: '/api/me', handle: ({ res, user }) => send(res, 200, user) },
    {
      path: '/api/people/turning',
      handle: peopleRoute(({ url, user }, answer) =>
        answer(
          people.turning(user, {
            age: Number(url.searchParams.get('age') ?? 60),
            days: Number(url.searchParams.get('days') ?? 30),
            ...(url.searchParams.get('grid') ? { grid: url.searchParams.get('grid')! } : {}),
          }),
        ),
      ),
    },
    { path: '/api/people/resident', handle: peopleRoute(({ url, user }, answer) => answer(people.view(user, url.searchParams.get('id') ?? ''))) },
    { path: '/api/people/density', handle: peopleRoute(({ res }) => send(res, 200, people.density())) },
    { path: '/api/people/audit', handle: peopleRoute(({ user }, answer) => answer(people.auditTrail(user))) },
    {
      path: '/api/people/unmask',
      handle: peopleRoute(async ({ req, res, user }, answer) => {
        if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
        let body: { residentId?: unknown; reason?: unknown };
        try {
          body = JSON.parse(await readBody(req, 4096)) as typeof body;
        } catch {
          return send(res, 400, { error: 'body must be JSON {residentId, reason}' });
        }
        if (typeof body.residentId !== 'string' || typeof body.reason !== 'string') return send(res, 400, { error: 'body must be JSON {residentId, reason}' });
        return answer(people.unmask(user, body.residentId, body.reason));
      }),
    },
    { path: '/api/people/', prefix: true, handle: peopleRoute(({ res }) => send(res, 404, { error: 'not found' })) },
    {
      path: '/api/health',
      handle: ({ res }) =>
        send(res, 200, {
          ok: true,
          epoch: core.epoch,
          seqs: core.world.seqs,
          journal: core.loadReport,
          journalHealth: core.health(),
          rejected: core.stats.rejected,
          ...stats,
        }),
    },
    { path: '/api/config', auth: 'none', handle: ({ req, res }) => hosting.config(req, res) },
    { path: '/api/sources', handle: ({ res }) => send(res, 200, hub.status()) },
    { path: '/api/alarms', handle: ({ res }) => send(res, 200, { epoch: core.epoch, alarms: [...core.engine.alarms.values()] }) },
    { path: '/api/drills', method: 'GET', handle: ({ res }) => send(res, 200, ops.drill({ op: 'list' })) },
    { path: '/api/drill/start', handle: drillControl },
    { path: '/api/drill/stop', handle: drillControl },
    { path: '/api/journal', handle: journalPage },
    { path: '/api/report', handle: report },
    { path: '/api/history/parking', handle: parkingHistory },
    { path: '/api/sim/incident', handle: simIncident },
  ];
  const sendRaw = o.sendRaw;
  if (sendRaw) {
    routes.push({
      path: '/api/test/raw',
      method: 'POST',
      handle: async ({ req, res }) => {
        // Fuzzing only: sends arbitrary payloads to clients as if they were events, bypassing validation.
        const payload: unknown = JSON.parse(await readBody(req, 8 * 1024 * 1024));
        sendRaw(payload);
        return send(res, 200, { sent: true });
      },
    });
  }
  return routes;
}

/** The HTTP request handler: guard, route table, authentication, static files for the rest. */
export function httpHandler(o: HttpApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const table = new RouteTable(feedRoutes(o));
  const { identities, hosting, log } = o;
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://loopback');
      const path = url.pathname;
      const allowed = isAllowedRequest(req.headers, o.selfOrigin(), o.allowedOrigins);
      if (!allowed.ok) return send(res, 403, { error: `forbidden: ${allowed.why}` });
      const route = table.match(req.method, path);
      if (route?.auth === 'own') return route.handle({ req, res, url, path, user: DUTY_OPERATOR });
      const authedUser = identities.userForToken(bearerOf(req));
      if (path.startsWith('/api/') && route?.auth !== 'none' && !authedUser)
        return send(res, 401, { error: 'unauthorized: missing, wrong or expired bearer token' });
      const user: User = authedUser ?? DUTY_OPERATOR;
      if (route) return route.handle({ req, res, url, path, user });
      return hosting.serveStatic(req, res, path);
    })().catch((e: unknown) => {
      log(`http error: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  };
}
