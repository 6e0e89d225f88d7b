import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIRE } from '../../data-pipelines/contracts/events.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { isAllowedRequest, parseIncident, startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';
import type { PeopleAnswer } from '../../data-pipelines/contracts/people.ts';
import type { ShellConfig } from '../../electron/bridge/api.ts';

const TOKEN = 'unit-secret-token-1234';
const AUDITOR_TOKEN = 'unit-auditor-token-1234';
let assetsDir: string;
let staticDir: string;
let server: FeedServer;

beforeAll(async () => {
  assetsDir = mkdtempSync(join(tmpdir(), 'redwall-sec-'));
  buildDistrict(assetsDir, () => undefined);
  staticDir = mkdtempSync(join(tmpdir(), 'redwall-web-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><html><head><title>RedWall</title></head><body></body></html>');
  server = await startFeedServer({
    assetsDir,
    staticDir,
    journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')),
    token: TOKEN,
    users: [{ name: '审计员甲', role: 'auditor', token: AUDITOR_TOKEN }],
    sim: { incidentEveryMs: 0 },
    log: () => undefined,
  });
});
afterAll(async () => {
  await server?.close();
});

function attempt(url: string, opts: Parameters<typeof connect>[1]): Promise<'hello' | string> {
  return new Promise((resolve) => {
    const s = connect(url, { transports: ['websocket'], reconnection: false, timeout: 5000, ...opts });
    s.on(WIRE.hello, () => {
      s.disconnect();
      resolve('hello');
    });
    s.on('connect_error', (e) => {
      s.disconnect();
      resolve(e.message);
    });
  });
}

function rawGet(path: string, headers: Record<string, string>): Promise<number> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('feed authentication and origin checks', () => {
  it('refuses socket clients without the right token', async () => {
    expect(await attempt(server.url, {})).toBe('unauthorized');
    expect(await attempt(server.url, { auth: { token: 'wrong' } })).toBe('unauthorized');
    expect(await attempt(server.url, { auth: { token: TOKEN } })).toBe('hello');
  });

  it('refuses websocket upgrades from foreign browser origins (CORS does not cover WebSockets)', async () => {
    const r = await attempt(server.url, { auth: { token: TOKEN }, extraHeaders: { origin: 'https://evil.example' } });
    expect(r).not.toBe('hello');
    expect(await attempt(server.url, { auth: { token: TOKEN }, extraHeaders: { origin: 'app://redwall' } })).toBe('hello');
  });

  it('requires the bearer token on the API', async () => {
    expect((await fetch(`${server.url}/api/health`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/sim/incident`, { method: 'POST', body: '{}' })).status).toBe(401);
  });
});

/** What a browser sends when a person opens the page (top-level navigation), and for the page's own POST. */
const NAVIGATE = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'sec-fetch-site': 'none' };
const nonceIn = (html: string) => /<meta name="redwall-handoff" content="([0-9a-f]{64})"/.exec(html)?.[1];
/** A plain HTTP request with exactly these headers (Node's fetch sets its own sec-fetch-mode). */
function http(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; text: string; json(): unknown }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const exchange = (url: string, nonce: string | undefined, headers: Record<string, string> = {}) =>
  http(
    url,
    'POST',
    '/api/config',
    { 'content-type': 'application/json', origin: url, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty', ...headers },
    JSON.stringify({ nonce }),
  );

describe('the web shell’s Content-Security-Policy per response', () => {
  it("only Cesium's KTX2 transcoder worker script may evaluate strings; the page, other workers and the data package may not", async () => {
    mkdirSync(join(staticDir, 'cesium/Workers'), { recursive: true });
    writeFileSync(join(staticDir, 'cesium/Workers/transcodeKTX2.js'), '// worker');
    writeFileSync(join(staticDir, 'cesium/Workers/decodeDraco.js'), '// worker');
    writeFileSync(join(staticDir, 'cesium/Workers/transcodeKTX2.js.map'), '{}');
    const csp = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      return res.headers.get('content-security-policy') ?? '';
    };
    expect(await csp('/cesium/Workers/transcodeKTX2.js')).toContain("script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval';");
    for (const path of ['/', '/index.html', '/cesium/Workers/decodeDraco.js', '/cesium/Workers/transcodeKTX2.js.map', '/assets/district/manifest.json']) {
      const got = await fetch(`${server.url}${path}`).then((r) => r.headers.get('content-security-policy') ?? '');
      expect(got, path).toContain("script-src 'self' 'wasm-unsafe-eval';");
      expect(got, path).not.toContain("'unsafe-eval'");
    }
  });
});

describe('the web shell page’s credential (issue 16: no token for any local process that asks)', () => {
  it('a curl-like request gets no token: GET /api/config is refused, the page without browser navigation metadata has no nonce', async () => {
    const get = await fetch(`${server.url}/api/config`);
    expect(get.status).toBe(405);
    const body = await get.text();
    expect(body).not.toContain(TOKEN);
    expect(body).not.toMatch(/[0-9a-f]{64}/);
    // the page itself, fetched the way a script does: no nonce in it
    const page = await (await fetch(`${server.url}/`)).text();
    expect(page).toContain('<title>RedWall</title>');
    expect(nonceIn(page)).toBeUndefined();
    // POST without the page's origin and fetch metadata, or without a nonce: refused, no token
    for (const r of [
      await http(server.url, 'POST', '/api/config', { 'content-type': 'application/json' }, JSON.stringify({ nonce: 'a'.repeat(64) })),
      await exchange(server.url, undefined),
      await exchange(server.url, 'a'.repeat(64)),
      await exchange(server.url, 'a'.repeat(64), { 'sec-fetch-site': 'cross-site' }),
    ]) {
      expect(r.status).toBe(403);
      expect(r.text).not.toContain(TOKEN);
    }
  });

  it('a browser navigation gets a one-time nonce; the page exchanges it once for its own duty-operator credential (masked only)', async () => {
    const res = await http(server.url, 'GET', '/index.html', NAVIGATE);
    expect(res.headers['cache-control']).toBe('no-store');
    const nonce = nonceIn(res.text);
    expect(nonce).toMatch(/^[0-9a-f]{64}$/);
    // the nonce alone is not enough: the exchange must come from the page's origin with fetch metadata
    expect((await fetch(`${server.url}/api/config`, { method: 'POST', body: JSON.stringify({ nonce }) })).status).toBe(403);
    const ok = await exchange(server.url, nonce);
    expect(ok.status).toBe(200);
    const cfg = ok.json() as ShellConfig;
    expect(cfg).toMatchObject({ shell: 'web', simulated: true, demoAccounts: false });
    expect(cfg.feedToken).toMatch(/^pg1\.[0-9a-f]{32}\.[0-9a-f]{64}$/);
    expect(cfg.feedToken).not.toBe(TOKEN); // never the shared token
    // once only
    expect((await exchange(server.url, nonce)).status).toBe(403);
    // the page's credential is the duty operator: it connects, and whole records stay refused
    const s = connect(server.url, { auth: { token: cfg.feedToken }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((r, j) => (s.once(WIRE.hello, () => r()), s.once('connect_error', j)));
      expect(await s.timeout(10_000).emitWithAck(WIRE.people, { op: 'me' })).toEqual({ ok: true, op: 'me', user: { name: '值班员', role: 'operator' } });
      const list = (await s.timeout(60_000).emitWithAck(WIRE.people, { op: 'turning', age: 60, days: 366 })) as PeopleAnswer;
      if (!list.ok || list.op !== 'turning' || !list.rows[0]) throw new Error(`no residents: ${JSON.stringify(list).slice(0, 200)}`);
      const unmask = (await s
        .timeout(10_000)
        .emitWithAck(WIRE.people, { op: 'unmask', residentId: list.rows[0].residentId, reason: '核对身份信息' })) as PeopleAnswer;
      expect(unmask).toMatchObject({ ok: false, status: 403 });
    } finally {
      s.disconnect();
    }
    expect((await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${cfg.feedToken}` } })).status).toBe(200);
    // a forged page credential (right shape, wrong signature) is nobody
    const forged = cfg.feedToken!.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect((await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
  }, 90_000);

  it('a page credential survives a feed-server restart on the same journal (the page reconnects after kill -9), not on another', async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'redwall-j-'));
    const start = (dir: string) => startFeedServer({ assetsDir, staticDir, journalDir: dir, token: TOKEN, sim: null, log: () => undefined });
    let first = await start(journalDir);
    let token: string;
    try {
      const cfg = (await exchange(first.url, nonceIn((await http(first.url, 'GET', '/', NAVIGATE)).text)!)).json() as ShellConfig;
      token = cfg.feedToken!;
    } finally {
      await first.close();
    }
    first = await start(journalDir);
    const other = await start(mkdtempSync(join(tmpdir(), 'redwall-j-')));
    try {
      expect((await fetch(`${first.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${other.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    } finally {
      await first.close();
      await other.close();
    }
  }, 90_000);

  it('a page served through a declared origin (reverse proxy in allowedOrigins) may exchange its nonce; an undeclared one may not', async () => {
    const proxied = await startFeedServer({
      assetsDir,
      staticDir,
      journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')),
      token: TOKEN,
      sim: null,
      allowedOrigins: ['app://redwall', 'http://127.0.0.1:1'],
      log: () => undefined,
    });
    try {
      const post = (origin: string, nonce: string) =>
        http(proxied.url, 'POST', '/api/config', { origin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, JSON.stringify({ nonce }));
      const nonce = async () => nonceIn((await http(proxied.url, 'GET', '/', NAVIGATE)).text)!;
      expect((await post('http://127.0.0.1:2', await nonce())).status).toBe(403);
      const ok = await post('http://127.0.0.1:1', await nonce());
      expect(ok.status).toBe(200);
      expect((ok.json() as ShellConfig).feedToken).toMatch(/^pg1\./);
    } finally {
      await proxied.close();
    }
  }, 90_000);

  it('Electron’s embedded feed (configRoute: false) serves no /api/config at all, and no page gets a nonce', async () => {
    const embedded = await startFeedServer({
      assetsDir,
      staticDir,
      journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')),
      token: TOKEN,
      configRoute: false,
      sim: null,
      log: () => undefined,
    });
    try {
      expect((await fetch(`${embedded.url}/api/config`)).status).toBe(404);
      expect(nonceIn((await http(embedded.url, 'GET', '/', NAVIGATE)).text)).toBeUndefined();
      const r = await exchange(embedded.url, 'a'.repeat(64));
      expect(r.status).toBe(404);
      expect(r.text).not.toContain(TOKEN);
    } finally {
      await embedded.close();
    }
  });
});

describe('POST /api/sim/incident (issue 16): role-checked, strictly validated, only where a simulator runs', () => {
  const post = (url: string, token: string, body: string) =>
    fetch(`${url}/api/sim/incident`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

  it('an auditor may not raise one (403), and nothing is raised', async () => {
    const before = server.core.engine.alarms.size;
    const r = await post(server.url, AUDITOR_TOKEN, JSON.stringify({ category: 'care', reason: 'fall' }));
    expect(r.status).toBe(403);
    expect(await r.json()).toEqual({ error: 'auditor may not raise simulated incidents' });
    expect(server.core.engine.alarms.size).toBe(before);
  });

  it('wrong types are a 400 naming the field (no random target), and nothing is raised', async () => {
    const before = server.core.engine.alarms.size;
    for (const [body, field] of [
      [{ id: 420 }, 'id'],
      [{ wellId: {} }, 'wellId'],
      [{ category: 'fire', state: 'lava' }, 'state'],
      [{ sensor: 'gas', holdMs: '5000' }, 'holdMs'],
      [{ category: 'care', reason: 'fall', extra: true }, '(body)'],
      [{ category: 'volcano' }, 'category'],
      [{ id: 'MH-00001', wellId: 'MH-00002' }, 'id and wellId'],
    ] as const) {
      const r = await post(server.url, TOKEN, JSON.stringify(body));
      expect(r.status, JSON.stringify(body)).toBe(400);
      const { error } = (await r.json()) as { error: string };
      expect(error, JSON.stringify(body)).toMatch(/^bad incident request: /);
      expect(error, JSON.stringify(body)).toContain(field);
    }
    expect((await post(server.url, TOKEN, '[1]')).status).toBe(400);
    expect(server.core.engine.alarms.size).toBe(before);
    expect(parseIncident({ wellId: 'MH-00420', sensor: 'gas' })).toEqual({ ok: true, value: { category: 'manhole', wellId: 'MH-00420', sensor: 'gas' } });
    // the duty operator's well-formed request still works, on the well it names
    const ok = await post(server.url, TOKEN, JSON.stringify({ wellId: 'MH-00420', sensor: 'gas' }));
    expect(ok.status).toBe(200);
    expect(
      ((await ok.json()) as { events: Array<{ kind: string; alarm?: { sourceId: string } }> }).events.find((e) => e.kind === 'alarm.update')?.alarm?.sourceId,
    ).toBe('MH-00420');
  });

  it('a deployment without the simulator refuses it (404), whoever asks', async () => {
    const real = await startFeedServer({ assetsDir, journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')), token: TOKEN, sim: null, log: () => undefined });
    try {
      const r = await post(real.url, TOKEN, JSON.stringify({ wellId: 'MH-00420', sensor: 'gas' }));
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: string }).error).toMatch(/no simulator/);
      expect(real.core.engine.alarms.size).toBe(0);
    } finally {
      await real.close();
    }
  });

  it('while the journal cannot write, nothing is raised (503 with the reason); once it writes again, it is', async () => {
    let full = false;
    const write = (fd: number, buf: Buffer, offset: number) => {
      if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return writeSync(fd, buf, offset);
    };
    const sim = await startFeedServer({
      assetsDir,
      journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')),
      token: TOKEN,
      sim: { incidentEveryMs: 0 },
      journalWrite: write,
      held: { retryMs: 10 },
      log: () => undefined,
    });
    try {
      full = true;
      sim.publish([{ stream: 'manhole', kind: 'manhole.reading', ts: Date.now(), wellId: 'MH-00421', sensor: 'gas', value: 1, unit: '%LEL', level: 'normal' }]);
      expect(sim.core.health().writable).toBe(false);
      const before = sim.core.engine.alarms.size;
      const r = await post(sim.url, TOKEN, JSON.stringify({ wellId: 'MH-00420', sensor: 'gas' }));
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: string }).error).toMatch(/journal cannot write \(ENOSPC\)/);
      expect(sim.core.engine.alarms.size).toBe(before);
      full = false;
      const ok = await post(sim.url, TOKEN, JSON.stringify({ wellId: 'MH-00420', sensor: 'gas' }));
      expect(ok.status).toBe(200);
      expect(sim.core.health().writable).toBe(true);
    } finally {
      await sim.close();
    }
  });
});

describe('origin checks (continued)', () => {
  it('defeats DNS rebinding: a non-loopback Host header is refused', async () => {
    expect(await rawGet('/api/config', { host: 'attacker.example:80' })).toBe(403);
    expect(await rawGet('/', { host: `127.0.0.1:${server.port}` })).not.toBe(403);
    expect(isAllowedRequest({ host: 'localhost:5180', origin: 'http://localhost:5180' }, 'http://127.0.0.1:5180', []).ok).toBe(true);
    expect(isAllowedRequest({ host: '127.0.0.1:5180', origin: 'http://127.0.0.1:9999' }, 'http://127.0.0.1:5180', []).ok).toBe(false);
  });

  it('serves HTTPS/WSS with a TLS certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redwall-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const tlsServer = await startFeedServer({
      assetsDir,
      journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')),
      token: TOKEN,
      tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert },
      sim: null,
      log: () => undefined,
    });
    try {
      expect(tlsServer.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
      expect(await attempt(tlsServer.url, { auth: { token: TOKEN }, ca: cert } as Parameters<typeof connect>[1])).toBe('hello');
      // an untrusted certificate is refused by default
      expect(await attempt(tlsServer.url, { auth: { token: TOKEN } })).not.toBe('hello');
    } finally {
      await tlsServer.close();
    }
  });
});
