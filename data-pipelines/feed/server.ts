/**
 * Feed server: socket.io stream of contract events from the journaled core (simulator by default), plus the web
 * shell's static files and the district data package, all on a loopback address.
 *
 * Protocol: server sends `hello`; the client answers `subscribe {epoch, since}`; the server replays exactly the
 * events after those offsets from the journal (or sends a compacted snapshot when the offsets are from another epoch
 * or too old), then streams `events` live. Operator commands go up as `command` with an ack callback.
 *
 * This file is the wiring: options, construction, listen, close. The jobs live in their own modules: http-routes.ts
 * (the HTTP API as a route table), socket-api.ts (socket handlers), hosting.ts (static files, CSP, the page-credential
 * handoff), emitter.ts (emit / emitSoon / back-pressure / heartbeats), identity.ts (who a token is), operations.ts
 * (drills, people, tasks, grid scope), care-followups.ts (care follow-up planning), incident.ts, parking-history.ts.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Server } from 'socket.io';
import { WIRE, type Draft, type FeedEvent } from '../contracts/events.ts';
import { loadHomes } from '../people/homes.ts';
import { ROLES, type User } from '../people/policy.ts';
import { gridStaffName } from '../people/population.ts';
import { PeopleService } from '../people/service.ts';
import { declarativeSource, SourceHub, type HubSource } from '../sources/hub.ts';
import type { LoadedSource } from '../sources/load.ts';
import { MqttSourceClient, type MqttTarget } from '../sources/mqtt-source.ts';
import { checkSimViaUrl, SimPublisher, simSource } from '../sources/sim-via.ts';
import { AuthService, type Account, type AuthOptions } from './auth.ts';
import { CareFollowups } from './care-followups.ts';
import { FeedCore, FOLLOWER_REFUSAL } from './core.ts';
import { forwardCommand, serveCommands, type Forwarded } from './cluster/commands.ts';
import { assertNoDemoPasswords } from './demo-accounts.ts';
import { FeedBroadcast, type FeedStats } from './emitter.ts';
import { loadEntities } from './entities.ts';
import { isAllowedRequest, loadPageKey, loadSharedPageKey, PageCredentials, WebShellHosting } from './hosting.ts';
import { parsePeers, type Buildings3d } from '../contracts/shell-config.ts';
import { httpHandler } from './http-routes.ts';
import { Identities } from './identity.ts';
import { FeedOperations } from './operations.ts';
import type { SimulatorOptions } from './simulator.ts';
import { attachSocketApi } from './socket-api.ts';
import { loadSopCatalog } from './sop-catalog.ts';
import { mergeRegistryCameras, VideoService } from './video.ts';
import { videoOrigins, type CameraRecord } from '../contracts/cameras.ts';
import type { ClusterOptions } from './cluster/jetstream-log.ts';
import { joinCluster, type ClusterMember } from './cluster/member.ts';
import { mountModels } from './model-mounts.ts';

// What other files import from here (tests, scripts, bench, electron/main), now defined in the modules that own them.
export { isAllowedRequest, loadPageKey } from './hosting.ts';
export { IncidentRequest, parseIncident } from './incident.ts';
export { HISTORY_MAX_SAMPLES, HISTORY_MIN_STEP_MS, parkingHistoryCsv, parseHistoryQuery } from './parking-history.ts';
export type { FeedStats } from './emitter.ts';

export interface FeedServerOptions {
  host?: string;
  port?: number;
  /** built renderer (web shell); omitted = API/feed only */
  staticDir?: string;
  /** 3D Tiles models to serve to the web shell (`--model`): tileset folders or .3tz/.zip packages */
  models?: string[];
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
  /**
   * The other gateways of this cluster (`--peers`, base URLs such as http://127.0.0.1:5181): listed to the web shell
   * (ShellConfig.gateways, this gateway first) so a screen whose gateway dies goes on at the next one, and their pages'
   * origins may open feed sockets here (socket.io Origin check) and are in this page's CSP connect-src.
   */
  peers?: string[];
  /**
   * A page-credential key file shared by the gateways of a cluster (`--page-key FILE`, hosting.ts loadSharedPageKey:
   * the trade-off is documented there). Omitted: the per-gateway key in journalDir (loadPageKey).
   */
  pageKeyFile?: string;
  appVersion?: string;
  /** test-only endpoints (raw payload injection for fuzzing the client); never on in the app */
  testHooks?: boolean;
  /**
   * Generate the (synthetic) population in the background as soon as the server is up, rather than at the first
   * people request (issue 24). The first request came from a page's elderly layer right after its feed went live,
   * and the 1-2.5 s of generation then shared this machine's 2 cores with the page drawing its first map. Electron,
   * the feed CLI and the benchmark warm it; `npm start` (under tsx, whose signal relay needs the event loop free
   * within 30 ms) and tests that start many servers leave it to the first request, as before.
   */
  warmPeople?: boolean;
  /** drill scenario files offered to operators (*.json, format redwall-drill/1) */
  scenariosDir?: string;
  /**
   * The SOP files (*.json, format redwall-sop/1, feed/sop-catalog.ts; `--sop-dir` / REDWALL_SOP_DIR). Default: `sop`
   * next to the district package (assets/sop). A bad file is logged and left out; the others load.
   */
  sopDir?: string;
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
  /** where the pages' 3D buildings come from (`--buildings`; told to them in the shell config): omitted, geometry */
  buildings3d?: Buildings3d;
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
  /**
   * The district's camera registry (`--cameras FILE`, sources/camera-registry.ts): its cameras join (or replace, by id)
   * the demo's, the alarm engine chooses among them, players get their stream URLs, and their origins are in the CSP.
   */
  cameras?: CameraRecord[];
  /** connected sources (data-pipelines/sources, loaded from redwall-sources/1 files with loadSourcesFile) */
  sources?: LoadedSource[];
  /**
   * `mqtt://HOST:PORT`: the simulator publishes its live readings to this broker and they come back through the
   * built-in `simulator` source, the path real feeds take (data-pipelines/sources/sim-via.ts).
   */
  simVia?: string;
  /** the quarantine journal's write call (tests make the disk refuse writes) */
  quarantineWrite?: (fd: number, buf: Buffer, offset: number) => number;
  /**
   * A cluster log (`--log nats://…`, NATS JetStream; feed/cluster): the journal in journalDir becomes this gateway's
   * copy of the cluster's history; the gateway holding the lease writes, the others follow. Omitted = the embedded
   * journal (one PC).
   */
  cluster?: ClusterOptions;
  /**
   * This gateway must stop (cluster log: another gateway writes, or the lease was lost). Default: the server closes.
   * The CLI exits with 75 so a supervisor restarts it, and it rejoins as a follower.
   */
  onFatal?: (e: Error) => void;
}

export interface FeedServer {
  url: string;
  port: number;
  core: FeedCore;
  stats: FeedStats;
  /** journals drafts from an in-process feed adapter and sends what was journaled (held while the journal cannot write) */
  publish(drafts: Draft[]): FeedEvent[];
  /** the connected sources (empty hub without any) */
  sources: SourceHub;
  /** the cluster log membership (null: the embedded journal) */
  cluster: ClusterMember | null;
  /**
   * The population's generation started at start (`warmPeople`): resolves when it is done (a failure is logged and
   * left to the first request); null without `warmPeople`.
   */
  peopleWarm: Promise<void> | null;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startFeedServer(opts: FeedServerOptions): Promise<FeedServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`feed server binds loopback only, refused host ${host}`);
  const log = opts.log ?? ((m: string) => console.log(`[feed] ${m}`));
  // a deployment never runs with the published demo passwords (checked before anything is opened or bound)
  if (!opts.demo && opts.accounts?.length) await assertNoDemoPasswords(opts.accounts);
  // 3D Tiles models named on the command line (checked before anything is opened: a wrong path stops the start)
  const models = mountModels(opts.models ?? []);
  // The grid staff roster: a signed-in grid-staff account (or named user) looks after its grid cells; other cells have
  // the synthetic roster's name. Visit tasks and the grid panel name the same person the account signs in as.
  const roster = new Map<string, string>();
  for (const u of [...(opts.accounts ?? []), ...(opts.users ?? [])])
    if (u.role === 'grid-staff') for (const g of u.grids ?? []) if (!roster.has(g)) roster.set(g, u.name);
  const staffOf = (gridId: string) => roster.get(gridId) ?? gridStaffName(gridId);
  if (opts.simVia !== undefined) {
    const bad = checkSimViaUrl(opts.simVia);
    if (bad) throw new Error(bad);
    if (opts.sim === null) throw new Error('--sim-via needs the simulator (it was turned off with --no-sim)');
  }
  // the cluster's other gateways (their pages' screens may fail over to this one) and the shared page key: checked
  // before anything is opened, a bad one stops the start with the reason
  const peers = opts.peers?.length ? parsePeers(opts.peers.join(',')) : [];
  const sharedPageKey = opts.pageKeyFile !== undefined ? loadSharedPageKey(opts.pageKeyFile) : null;
  const simPub = opts.simVia !== undefined ? new SimPublisher(opts.simVia, log) : null;
  const entities = loadEntities(opts.assetsDir);
  const sops = loadSopCatalog(opts.sopDir ?? join(opts.assetsDir, '..', 'sop'), log).sops;
  const registry = opts.cameras ?? [];
  if (registry.length) {
    const m = mergeRegistryCameras(entities.cameras, registry, (r) => ({
      id: r.id,
      lon: r.lon,
      lat: r.lat,
      heading: r.heading,
      fov: r.fov,
      rangeM: r.rangeM,
      ptz: r.ptz,
    }));
    log(`camera registry: ${registry.length} cameras (${m.replaced} replace demo cameras, ${m.added} added)`);
  }
  const makeCore = (cluster?: { epoch: string }) =>
    new FeedCore({
      journal: { dir: opts.journalDir, ...(opts.journalWrite ? { write: opts.journalWrite } : {}), ...(cluster ? { epoch: cluster.epoch } : {}) },
      entities,
      sim: opts.sim === undefined ? {} : opts.sim,
      log,
      staffOf,
      sops,
      ...(opts.held?.max ? { maxHeld: opts.held.max } : {}),
      ...(opts.held?.retryMs ? { retryMs: opts.held.retryMs } : {}),
      ...(simPub ? { simOut: (d: Draft[]) => simPub.publish(d) } : {}),
      ...(cluster ? { follower: true } : {}),
    });
  // Cluster log: events the writer gateway stamped reach this follower's screens (once the broadcast exists).
  let sendRemote: (events: readonly FeedEvent[]) => void = () => undefined;
  let startSources = () => undefined as void;
  let serveForwarded = () => undefined as void;
  let closeServer: () => Promise<void> = async () => undefined;
  const onFatal =
    opts.onFatal ??
    ((e: Error) => {
      log(`stopping: ${e.message}`);
      void closeServer();
    });
  const member = opts.cluster
    ? await joinCluster({
        cluster: { log, ...opts.cluster },
        journalDir: opts.journalDir,
        makeCore: (epoch) => makeCore({ epoch }),
        onRemote: (evs) => sendRemote(evs),
        onLead: () => {
          startSources();
          serveForwarded();
        },
        onFatal,
        log,
      })
    : null;
  const core = member ? member.core : makeCore();
  // Connected sources: each message journaled before it is acknowledged (data-pipelines/sources/hub.ts); their events
  // are sent coalesced per turn (emitter.ts, emitSoon).
  const simVia = opts.simVia !== undefined ? simSource(opts.simVia) : null;
  const hubSources: HubSource[] = [...(opts.sources ?? []).map(declarativeSource), ...(simVia ? [simVia.hub] : [])];
  const hub = new SourceHub(hubSources, {
    core,
    emit: (events) => broadcast.emitSoon(events),
    quarantineDir: join(opts.journalDir, 'quarantine'),
    log,
    ...(opts.quarantineWrite ? { quarantineWrite: opts.quarantineWrite } : {}),
  });
  const mqttTargets: MqttTarget[] = [
    ...(opts.sources ?? []).flatMap((l): MqttTarget[] =>
      l.source.kind === 'mqtt'
        ? [
            {
              id: l.source.id,
              url: l.source.mqtt.url,
              topics: l.source.mqtt.topics,
              clientId: l.source.mqtt.clientId ?? `redwall-${l.source.id}`,
              protocolVersion: l.source.mqtt.protocolVersion,
              ...(l.source.mqtt.username !== undefined ? { username: l.source.mqtt.username } : {}),
              ...(l.password !== undefined ? { password: l.password } : {}),
              ...(l.tls ? { tls: l.tls } : {}),
            },
          ]
        : [],
    ),
    ...(simVia ? [simVia.target] : []),
  ];
  const mqttClients = mqttTargets.map((t) => new MqttSourceClient(t, hub, log));
  for (const u of opts.users ?? [])
    if (!(ROLES as readonly string[]).includes(u.role) || u.token.length < 16)
      throw new Error(`user ${u.name}: unknown role or token shorter than 16 characters`);
  const auth = new AuthService(opts.accounts ?? [], { ...opts.auth, log });
  const pages = new PageCredentials(sharedPageKey ?? loadPageKey(opts.journalDir, log));
  const identities = new Identities(auth, pages, opts.token, opts.users ?? []);
  // Personal data stays in this process: generated on first use, answered masked, every access audited on disk.
  const people = new PeopleService(() => loadHomes(opts.assetsDir), {
    auditPath: join(opts.journalDir, 'people-audit.jsonl'),
    devices: () => core.entities.care,
    staffOf,
  });
  const stats: FeedStats = { emitted: 0, clients: 0, replays: 0, snapshots: 0, slowResyncs: 0, maxQueuedBytes: 0 };
  let selfOrigin = '';
  let closed = false;
  const emit = (events: FeedEvent[]) => broadcast.emit(events);
  const ops = new FeedOperations({ core, people, scenariosDir: opts.scenariosDir, emit, log });
  const care = new CareFollowups({ core, people, emit, log, closed: () => closed });

  const allowedOrigins = opts.allowedOrigins ?? ['app://redwall'];
  const socketOrigins = [...allowedOrigins, ...peers.flatMap((p) => [p, p.replace('127.0.0.1', 'localhost')])];
  const hosting = new WebShellHosting(
    {
      staticDir: opts.staticDir,
      assetsDir: opts.assetsDir,
      configRoute: opts.configRoute !== false,
      allowedOrigins,
      selfOrigin: () => selfOrigin,
      peers,
      videoOrigins: videoOrigins(registry),
      models,
      shellConfig: () => ({
        shell: 'web',
        feedUrl: '',
        assetsBase: '/assets/district/',
        appVersion: opts.appVersion ?? '0.0.0',
        simulated: core.sim !== null,
        demoAccounts: opts.demo === true,
        ...(peers.length ? { gateways: [selfOrigin, ...peers.filter((p) => p !== selfOrigin)] } : {}),
        ...(models.length ? { models: models.map((m) => m.config) } : {}),
        ...(opts.buildings3d ? { buildings3d: opts.buildings3d } : {}),
      }),
    },
    pages,
  );
  const handler = httpHandler({
    core,
    hub,
    people,
    ops,
    hosting,
    identities,
    stats,
    emit,
    sendRaw: opts.testHooks ? (payload) => io.to('live').emit(WIRE.events, payload) : undefined,
    allowedOrigins,
    selfOrigin: () => selfOrigin,
    log,
  });
  const http: HttpServer = opts.tls ? (createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) as unknown as HttpServer) : createServer(handler);

  const io = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: socketOrigins },
    // WebSocket upgrades are not subject to CORS: check Host and Origin ourselves.
    allowRequest: (req, cb) => {
      const r = isAllowedRequest(req.headers, selfOrigin, socketOrigins);
      cb(r.ok ? null : `forbidden: ${r.why}`, r.ok);
    },
  });
  /**
   * A client's send queue is bounded (default 32 MB): one that reaches it stops getting live events, is told
   * `resync`, and gets a snapshot once drained (emitter.ts). Every batch sent is then handed to the care follow-ups.
   */
  const broadcast = new FeedBroadcast({
    io,
    core,
    hub,
    stats,
    maxQueued: opts.maxClientQueueBytes ?? 32 * 1024 * 1024,
    log,
    afterEmit: (events) => care.onEvents(events),
  });
  const socketApi = attachSocketApi({
    io,
    core,
    auth,
    identities,
    ops,
    broadcast,
    stats,
    emit,
    log,
    video: new VideoService({ core, registry, journalDir: opts.journalDir, emit, log }),
    ...(member ? { forward: (f: Forwarded) => (core.follower ? forwardCommand(member.log, f) : null) } : {}),
  });
  // Cluster log: the writer takes the commands its followers forward (cluster/commands.ts)
  let stopServing = () => undefined as void;
  serveForwarded = () => {
    if (!member) return;
    stopServing = serveCommands(
      member.log,
      async (f) => {
        if (core.follower) return { ok: false, error: FOLLOWER_REFUSAL };
        let ack: unknown;
        if (f.kind === 'drill') ack = ops.drill(f.req);
        else if (f.kind === 'task') ack = await ops.task(f.user, f.raw);
        else {
          const r = f.kind === 'alarm' ? core.command(f.req, Date.now()) : core.requestCommand(f.raw, f.user, Date.now());
          emit(r.events);
          ack = r.ack;
        }
        await core.durable();
        return ack;
      },
      log,
    );
  };
  if (member?.leading) serveForwarded();
  sendRemote = (events) => broadcast.emitSoon([...events]);

  const tick = () => {
    emit(core.tick(Date.now()));
    if (!core.follower) hub.tick(Date.now()); // sources run at the writer gateway only
    broadcast.beatIfHealthChanged();
  };
  const ticker = setInterval(tick, opts.tickMs ?? 250);
  const heart = setInterval(() => broadcast.beat(), opts.heartbeatMs ?? 2_000);
  const sourcesTimer = setInterval(() => broadcast.sourcesBeat(), 1_000);
  tick();
  care.planOpenCalls();

  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => resolveListen());
  });
  const port = (http.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  selfOrigin = url;
  // Sources connect at the writer only (a follower starts them when it takes the lease): one reader per platform.
  let sourcesStarted = false;
  startSources = () => {
    if (sourcesStarted || closed) return;
    sourcesStarted = true;
    for (const c of mqttClients) c.start();
  };
  if (!core.follower) startSources();
  if (hubSources.length)
    log(`sources: ${hubSources.map((h) => `${h.id} (${h.kind} ${h.endpoint})`).join(', ')}; quarantine in ${join(opts.journalDir, 'quarantine')}`);
  log(`listening on ${url} (journal ${opts.journalDir}, epoch ${core.epoch}, ${Object.values(core.world.seqs).reduce((a, b) => a + b, 0)} events so far)`);

  const close = async () => {
    if (closed) return;
    closed = true;
    clearInterval(ticker);
    clearInterval(heart);
    clearInterval(sourcesTimer);
    await Promise.all(mqttClients.map((c) => c.stop()));
    await simPub?.close();
    hub.close();
    socketApi.stop();
    await io.close();
    await new Promise<void>((r) => http.close(() => r()));
    stopServing();
    await member?.close();
    core.close();
  };
  closeServer = close;
  // (a failure here is said, and the first people request tries again: a failed generation is not kept)
  const peopleWarm = opts.warmPeople
    ? people.ready().catch((e: unknown) => log(`the population could not be generated at start: ${(e as Error).message}`))
    : null;
  return {
    url,
    port,
    core,
    stats,
    cluster: member,
    publish: (drafts) => {
      const events = core.ingest(drafts);
      emit(events);
      return events;
    },
    sources: hub,
    peopleWarm,
    close,
  };
}
