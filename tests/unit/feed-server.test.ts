import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hello, parseFeedEvent, Snapshot, WIRE, type FeedEvent } from '../../data-pipelines/contracts/events.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';

let server: FeedServer;
let assetsDir: string;

beforeAll(async () => {
  assetsDir = mkdtempSync(join(tmpdir(), 'redwall-feed-'));
  buildDistrict(assetsDir, () => undefined);
  server = await startFeedServer({ assetsDir, tickMs: 50, heartbeatMs: 200, incidentEveryMs: 0, log: () => undefined });
});
afterAll(async () => {
  await server?.close();
});

function client(): Promise<{ socket: Socket; hello: Hello; snapshot: Snapshot; events: FeedEvent[] }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.url, { transports: ['websocket'], reconnection: false });
    const events: FeedEvent[] = [];
    let hello: Hello | null = null;
    socket.on(WIRE.hello, (h: unknown) => (hello = Hello.parse(h)));
    socket.on(WIRE.events, (evs: unknown[]) => {
      for (const e of evs) {
        const r = parseFeedEvent(e);
        if (!r.ok) reject(new Error(r.error));
        else events.push(r.value);
      }
    });
    socket.once(WIRE.snapshot, (s: unknown) => resolve({ socket, hello: hello!, snapshot: Snapshot.parse(s), events }));
    socket.on('connect_error', reject);
  });
}

describe('feed server', () => {
  it('refuses to bind anything but loopback', async () => {
    await expect(startFeedServer({ assetsDir, host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
  });

  it('greets with hello + snapshot, then streams contract-valid events with consecutive seq', async () => {
    const c = await client();
    expect(c.hello.epoch).toBe(c.snapshot.epoch);
    await new Promise((r) => setTimeout(r, 600));
    expect(c.events.length).toBeGreaterThan(0);
    c.events.forEach((e, i) => {
      expect(e.seq).toBeGreaterThan(c.snapshot.seq);
      if (i > 0) expect(e.seq).toBe(c.events[i - 1]!.seq + 1);
    });
    c.socket.disconnect();
  });

  it('an injected incident reaches a connected client and the next snapshot', async () => {
    const c = await client();
    const res = await fetch(`${server.url}/api/sim/incident`, { method: 'POST', body: JSON.stringify({ wellId: 'MH-00100', sensor: 'cover' }) });
    expect(res.status).toBe(200);
    await expect.poll(() => c.events.find((e) => e.wellId === 'MH-00100' && e.level === 'alarm')).toBeDefined();
    const c2 = await client();
    expect(c2.snapshot.wells.find((w) => w.wellId === 'MH-00100')?.level).toBe('alarm');
    c.socket.disconnect();
    c2.socket.disconnect();
  });

  it('answers bad incident requests with a clear 4xx', async () => {
    const post = (body: string) => fetch(`${server.url}/api/sim/incident`, { method: 'POST', body });
    expect((await post('{"wellId":"MH-99999"}')).status).toBe(400);
    expect((await post('{"sensor":"laser"}')).status).toBe(400);
    const bad = await post('{oops');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/bad JSON/);
    expect((await fetch(`${server.url}/api/sim/incident`)).status).toBe(405);
  });

  it('serves the data package and refuses path traversal', async () => {
    const m = await fetch(`${server.url}/assets/district/manifest.json`);
    expect(m.status).toBe(200);
    expect((await fetch(`${server.url}/assets/district/..%2f..%2fpackage.json`)).status).not.toBe(200);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});
