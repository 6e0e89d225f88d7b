/**
 * A screen whose gateway dies goes on at another listed gateway with exactly the events it missed (issue 19.2): two
 * real feed gateways on one real NATS JetStream log, started with each other as `--peers` and one shared page key.
 * The page's credential comes from gateway A the way the web shell gets it (navigation nonce → POST /api/config);
 * the real FeedClient (renderer/src/feed/client.ts) runs under Node on it. A is killed; the client leaves it for B
 * (the next listed gateway, reachable only once B has written events the screen missed), resubscribes with the offsets it holds and gets a replay: no second snapshot, no gap, no
 * rejected event, an alarm raised while it was away included, and it catches up with B. A gateway without the shared key
 * refuses that credential, and B admits A's page origin on its feed socket (and A's page may connect to B: CSP).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as netConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { reaction } from 'mobx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS, WIRE } from '../../data-pipelines/contracts/events.ts';
import { parseShellConfig } from '../../data-pipelines/contracts/shell-config.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { startFeedServer, type FeedServer, type FeedServerOptions } from '../../data-pipelines/feed/server.ts';
import { FeedClient } from '../../renderer/src/feed/client.ts';
import { RootStore } from '../../renderer/src/stores/root.ts';
import { freePort, until } from './mosquitto.ts';
import { startNats, type NatsNode } from './nats.ts';

const TOKEN = 'cluster-failover-duty-token-0123';
let nats: NatsNode;
let assetsDir: string;
let staticDir: string;
let pageKey: string;
const servers: FeedServer[] = [];
const clients: FeedClient[] = [];
const cleanup: Array<() => Promise<void>> = [];
beforeAll(async () => {
  // the client applies events once per animation frame; Node has no frames (its 250 ms fallback timer still runs)
  globalThis.requestAnimationFrame ??= (cb: FrameRequestCallback) => setTimeout(() => cb(performance.now()), 16) as unknown as number;
  assetsDir = mkdtempSync(join(tmpdir(), 'redwall-feed-'));
  buildDistrict(assetsDir, () => undefined);
  staticDir = mkdtempSync(join(tmpdir(), 'redwall-web-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><html><head><title>RedWall</title></head><body></body></html>');
  pageKey = join(mkdtempSync(join(tmpdir(), 'redwall-key-')), 'page.key');
  writeFileSync(pageKey, randomBytes(32), { mode: 0o600 });
  nats = await startNats();
}, 120_000);
afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const c of cleanup) await c();
  for (const s of servers) await s.close().catch(() => undefined);
  await nats?.stop();
});

const gateway = async (name: string, port: number, extra: Partial<FeedServerOptions>) => {
  const s = await startFeedServer({
    assetsDir,
    staticDir,
    journalDir: mkdtempSync(join(tmpdir(), `redwall-gw${name}-`)),
    port,
    token: TOKEN,
    tickMs: 50,
    heartbeatMs: 200,
    sim: { incidentEveryMs: 0 },
    log: () => undefined,
    cluster: { servers: [nats.url], district: 'failover', leaseTtlMs: 1_500, gateway: name },
    onFatal: () => undefined,
    ...extra,
  });
  servers.push(s);
  return s;
};

/** A plain HTTP request with exactly these headers (what a browser sends; Node's fetch sets its own sec-fetch-*). */
function http(url: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  const u = new URL(url);
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The web shell page's start at `url`: navigate (nonce in the page), then exchange the nonce for its config. */
async function pageConfig(url: string) {
  const page = await http(url, 'GET', '/', { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'sec-fetch-site': 'none' });
  const nonce = /<meta name="redwall-handoff" content="([0-9a-f]{64})"/.exec(page.text)?.[1];
  const res = await http(
    url,
    'POST',
    '/api/config',
    { 'content-type': 'application/json', origin: url, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' },
    JSON.stringify({ nonce }),
  );
  expect(res.status, res.text).toBe(200);
  return { csp: String(page.headers['content-security-policy']), config: parseShellConfig(JSON.parse(res.text)) };
}

/** 'hello' when the gateway greets a socket with these options, else the refusal. */
function attempt(url: string, opts: Parameters<typeof connect>[1]): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5000, ...opts });
    s.on(WIRE.hello, () => (s.disconnect(), resolve('hello')));
    s.on('connect_error', (e) => (s.disconnect(), resolve(e.message)));
  });
}

describe('a screen fails over to the next listed gateway', () => {
  it('with the page credential from A it goes on at B after A dies, by a replay of exactly the missed events', async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    const [ua, ub] = [`http://127.0.0.1:${pa}`, `http://127.0.0.1:${pb}`];
    const a = await gateway('A', pa, { peers: [ub], pageKeyFile: pageKey });
    const b = await gateway('B', pb, { peers: [`${ua}/`], pageKeyFile: pageKey });
    expect(a.cluster!.leading).toBe(true);

    // the page served by A: its credential, the cluster's gateways (A first), and B allowed in its connect-src
    const { csp, config } = await pageConfig(a.url);
    expect(config.gateways).toEqual([ua, ub]);
    expect(config.feedToken).toMatch(/^pg1\./);
    expect(csp).toMatch(new RegExp(`connect-src [^;]*${ub.replace(/\./g, '\\.')} ws://127\\.0\\.0\\.1:${pb}`));
    // B takes A's page credential (shared key) and A's page origin; a foreign origin is still refused
    expect(await attempt(ub, { auth: { token: config.feedToken! }, extraHeaders: { origin: ua } })).toBe('hello');
    expect(await attempt(ub, { auth: { token: config.feedToken! }, extraHeaders: { origin: 'http://127.0.0.1:1' } })).not.toBe('hello');
    // a gateway without the shared key (its own key in its journal folder) refuses it: the key is what makes it work
    const lone = await gateway('L', 0, { cluster: undefined, sim: null });
    expect(await attempt(lone.url, { auth: { token: config.feedToken! } })).not.toBe('hello');
    expect(await attempt(lone.url, { auth: { token: TOKEN } })).toBe('hello');

    // The screen's list: A, then B's address as the screen reaches it. That address refuses connections until B has
    // written what the screen must get by replay (a loopback TCP relay to B, opened then): the screen meanwhile
    // tries A, then B's address, then A again (each unreachable), and the events it missed are certainly missed.
    const relayPort = await freePort();
    const ur = `http://127.0.0.1:${relayPort}`;
    const store = new RootStore();
    const client = new FeedClient(store, { url: config.gateways![0]!, token: config.feedToken!, gateways: [config.gateways![0]!, ur] });
    clients.push(client);
    client.start();
    await until(() => store.feed.synced && store.feed.status === 'live');
    expect(store.feed.gateway).toBe(`127.0.0.1:${pa}`);
    expect(store.feed.snapshots).toBe(1);
    await until(() => store.realLive.seqs().parking > 0 && store.feed.received > 20);

    // A dies: its NATS connection drops (lease not released) and its sockets go
    await a.cluster!.log.nc.close();
    await a.close();
    await until(() => store.feed.status !== 'live');
    const held = store.realLive.seqs();
    const receivedAtLoss = store.feed.received;
    await until(() => b.cluster!.leading);
    // while the screen is away: the new writer raises an alarm, its simulator goes on
    const raised = b.publish([
      { stream: 'manhole', kind: 'manhole.reading', ts: Date.now(), wellId: 'MH-00421', sensor: 'gas', value: 31, unit: '%LEL', level: 'alarm' },
    ]);
    const alarm = raised.find((e) => e.kind === 'alarm.update');
    if (alarm?.kind !== 'alarm.update') throw new Error('no alarm raised');
    await until(() => b.core.world.seqs.parking > held.parking + 5);
    await until(() => store.feed.failovers >= 2); // it has been at B's (unreachable) address and back at A already
    expect(store.realLive.alarm(alarm.alarm.alarmId)).toBeNull();
    const target = { ...b.core.world.seqs };
    // what the screen holds when its replay is applied
    let atReplay: { seqs: Record<string, number>; received: number; hasAlarm: boolean } | null = null;
    const stopWatch = reaction(
      () => store.feed.replays,
      () => {
        atReplay ??= { seqs: { ...store.realLive.seqs() }, received: store.feed.received, hasAlarm: store.realLive.alarm(alarm.alarm.alarmId) !== null };
      },
    );
    const relay = createServer((down) => {
      const up = netConnect(pb, '127.0.0.1');
      down.pipe(up).pipe(down);
      down.on('error', () => up.destroy());
      up.on('error', () => down.destroy());
    });
    await new Promise<void>((r) => relay.listen(relayPort, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => relay.close(() => r())));

    await until(() => client.gateway === ur && store.feed.status === 'live' && atReplay !== null);
    stopWatch();
    expect(store.feed.gateway).toBe(`127.0.0.1:${relayPort}`);
    // it resumed from its offsets: a replay holding exactly what it missed (every stream up to at least what B had
    // before it could connect, the alarm included, each event applied once in order), never a second snapshot
    const r = atReplay!;
    expect(r.hasAlarm).toBe(true);
    for (const s of STREAMS) expect(r.seqs[s], s).toBeGreaterThanOrEqual(target[s]);
    const missed = STREAMS.reduce((n, s) => n + r.seqs[s]! - held[s], 0);
    expect(missed).toBeGreaterThan(5);
    expect(r.received - receivedAtLoss).toBe(missed);
    expect(store.feed.snapshots).toBe(1);
    expect(store.feed.gaps).toBe(0);
    expect(store.feed.rejected).toBe(0);
    // the duty credential from A still acts at B: an operator acknowledges the alarm on this screen
    const ack = await client.sendAlarmCommand({ commandId: 'cmd-failover-0001', alarmId: alarm.alarm.alarmId, action: 'acknowledge', by: 'op-a' });
    expect(ack).toMatchObject({ ok: true });
    await until(() => store.realLive.alarm(alarm.alarm.alarmId)?.state === 'acknowledged');
  }, 120_000);

  it('the CLI refuses a bad --peers list or an unusable --page-key with the reason (exit 2)', async () => {
    const run = (...args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', 'data-pipelines/feed/main.ts', '--no-sim', '--port', '0', ...args], {
          cwd: join(import.meta.dirname, '../..'),
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, REDWALL_JOURNAL: mkdtempSync(join(tmpdir(), 'redwall-cli-')) },
        });
        cleanup.push(async () => void (p.exitCode === null && p.kill('SIGKILL')));
        let out = '';
        p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        p.once('exit', (code) => resolve({ code, out }));
      });
    const peers = await run('--peers', '127.0.0.1:5181');
    expect(peers.code).toBe(2);
    expect(peers.out).toMatch(/--peers: 127\.0\.0\.1:5181 is not an http\(s\):\/\/HOST:PORT gateway URL/);
    const short = join(mkdtempSync(join(tmpdir(), 'redwall-key-')), 'short.key');
    writeFileSync(short, randomBytes(8));
    const key = await run('--page-key', short);
    expect(key.code).toBe(2);
    expect(key.out).toMatch(/--page-key: .*short\.key holds 8 bytes, at least 32/);
  }, 60_000);
});
