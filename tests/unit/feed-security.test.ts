import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIRE } from '../../data-pipelines/contracts/events.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { isAllowedRequest, startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';

const TOKEN = 'unit-secret-token-1234';
let assetsDir: string;
let server: FeedServer;

beforeAll(async () => {
  assetsDir = mkdtempSync(join(tmpdir(), 'redwall-sec-'));
  buildDistrict(assetsDir, () => undefined);
  server = await startFeedServer({ assetsDir, journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')), token: TOKEN, sim: { incidentEveryMs: 0 }, log: () => undefined });
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

  it('requires the bearer token on the API, except the same-origin config', async () => {
    expect((await fetch(`${server.url}/api/health`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/sim/incident`, { method: 'POST', body: '{}' })).status).toBe(401);
    const cfg = await fetch(`${server.url}/api/config`);
    expect(((await cfg.json()) as { feedToken?: string }).feedToken).toBe(TOKEN);
    expect((await fetch(`${server.url}/api/config`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
  });

  it('defeats DNS rebinding: a non-loopback Host header is refused', async () => {
    expect(await rawGet('/api/config', { host: 'attacker.example:80' })).toBe(403);
    expect(await rawGet('/', { host: `127.0.0.1:${server.port}` })).not.toBe(403);
    expect(isAllowedRequest({ host: 'localhost:5180', origin: 'http://localhost:5180' }, 'http://127.0.0.1:5180', []).ok).toBe(true);
    expect(isAllowedRequest({ host: '127.0.0.1:5180', origin: 'http://127.0.0.1:9999' }, 'http://127.0.0.1:5180', []).ok).toBe(false);
  });

  it('serves HTTPS/WSS with a TLS certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redwall-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const tlsServer = await startFeedServer({ assetsDir, journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')), token: TOKEN, tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert }, sim: null, log: () => undefined });
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
