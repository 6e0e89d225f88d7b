/**
 * The socket API's op table (contracts/socket-ops.ts) and the feed client's one `call(op, request)` (issue 17.5):
 * every op in the table is served by the real feed server (socket-api.ts) and answered in the op's shape, every
 * client-to-server request event of WIRE is in the table (or is one of the two with their own handling), and a call
 * that cannot succeed fails with a clear error: an unknown op, no connection, a server refusal, a malformed answer.
 * Invalid events in a journal window are left out and counted, never applied. The server runs for real on loopback
 * over the shipped district package; the misbehaving servers are real socket.io servers.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'socket.io';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { STREAMS, WIRE } from '../../data-pipelines/contracts/events.ts';
import { isSocketOp, SOCKET_OPS, type SocketOpName, type SocketRequest } from '../../data-pipelines/contracts/socket-ops.ts';
import { startFeedServer } from '../../data-pipelines/feed/server.ts';
import { FeedClient } from '../../renderer/src/feed/client.ts';
import { LocalizedError } from '../../renderer/src/i18n.ts';
import { RootStore } from '../../renderer/src/stores/root.ts';

const ROOT = join(import.meta.dirname, '../..');
const TOKEN = 'socket-ops-token-0123456789';
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

beforeAll(() => {
  // the client applies events once per animation frame; Node has no frames (its 250 ms fallback timer still runs)
  globalThis.requestAnimationFrame ??= (cb: FrameRequestCallback) => setTimeout(() => cb(performance.now()), 16) as unknown as number;
});

async function connected(url: string, token?: string): Promise<{ store: RootStore; client: FeedClient }> {
  const store = new RootStore();
  const client = new FeedClient(store, { url, ...(token ? { token } : {}) });
  cleanup.push(() => client.destroy());
  client.start();
  await vi.waitFor(() => expect(store.feed.status).toBe('live'), { timeout: 10_000, interval: 20 });
  return { store, client };
}

/** A real socket.io server answering each event with `answer(event, payload)`. */
async function fakeServer(answer: (event: string, payload: unknown) => unknown): Promise<{ url: string; received: Array<[string, unknown]> }> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  cleanup.push(() => new Promise<void>((r) => void io.close(() => r())));
  const received: Array<[string, unknown]> = [];
  io.on('connection', (sock) =>
    sock.onAny((event: string, payload: unknown, ack?: unknown) => {
      received.push([event, payload]);
      if (typeof ack === 'function') (ack as (r: unknown) => void)(answer(event, payload));
    }),
  );
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, received };
}

/** What a call rejected with: its message key and variables. */
async function failure(p: Promise<unknown>): Promise<{ key: string; vars: object }> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LocalizedError);
  return { key: (e as LocalizedError).key, vars: (e as LocalizedError).vars };
}

describe('the socket op table', () => {
  it('holds every client-to-server request event of WIRE (commands and subscribe have their own handling)', () => {
    const serverToClient: string[] = [WIRE.hello, WIRE.snapshot, WIRE.replay, WIRE.events, WIRE.heartbeat, WIRE.resync, WIRE.sources];
    const ownHandling: string[] = [WIRE.subscribe, WIRE.command];
    const requests = Object.values(WIRE).filter((e) => !serverToClient.includes(e) && !ownHandling.includes(e));
    expect(
      Object.values(SOCKET_OPS)
        .map((o) => o.event)
        .sort(),
    ).toEqual([...requests].sort());
    expect(isSocketOp('journal')).toBe(true);
    expect(isSocketOp('toString')).toBe(false);
  });

  it('every op is served by the real feed server and answered in its shape', async () => {
    const server = await startFeedServer({
      assetsDir: join(ROOT, 'assets/district'),
      journalDir: mkdtempSync(join(tmpdir(), 'redwall-socket-ops-')),
      sim: null,
      token: TOKEN,
      scenariosDir: join(ROOT, 'assets/scenarios'),
      log: () => undefined,
    });
    cleanup.push(() => server.close());
    const { client } = await connected(server.url, TOKEN);
    const now = Date.now();
    // one request per op: each resolves with an answer its check accepted (a table event the server did not serve
    // would time out, one it answered in another shape would reject as a bad answer)
    const requests: { [K in SocketOpName]: SocketRequest<K> } = {
      login: { login: 'nobody', password: 'not-a-password' },
      drill: { op: 'list' },
      journal: { from: now - 60_000, to: now },
      parkingHistory: { from: now - 3_600_000, to: now, step: 300_000 },
      people: { op: 'me' },
      // a step on a request that does not exist: refused in an ack
      request: { commandId: 'socket-ops-0001', action: 'close', requestId: 'REQ-00000000-000' },
      task: { op: 'done', commandId: 'socket-ops-0002', taskId: 'no-such-task', note: '' }, // refused: no such task
      video: { op: 'list' }, // no registry: an empty list
      sop: {}, // the SOP files next to the district package (assets/sop)
      // last: it ends the socket's session (a shared-token socket has none: ended false)
      logout: {},
    };
    const answers: Record<string, unknown> = {};
    for (const op of Object.keys(SOCKET_OPS) as SocketOpName[]) answers[op] = await client.call(op, requests[op] as never);
    expect(answers.login).toMatchObject({ ok: false });
    expect(answers.drill).toMatchObject({ ok: true, scenarios: expect.arrayContaining([expect.objectContaining({ file: 'plant-stair-smoke.json' })]) });
    expect(answers.journal).toMatchObject({ from: now - 60_000, to: now, events: [], skipped: 0 });
    expect(answers.parkingHistory).toMatchObject({ csv: expect.any(String), truncated: false });
    expect(answers.people).toMatchObject({ ok: true, op: 'me' });
    expect(answers.request).toMatchObject({ ok: false, error: expect.any(String) });
    expect(answers.task).toMatchObject({ ok: false, error: expect.any(String) });
    expect(answers.video).toEqual({ ok: true, cameras: [] });
    expect(answers.sop).toMatchObject({ ok: true });
    expect((answers.sop as { sops: Array<{ id: string }> }).sops.map((x) => x.id).sort()).toEqual([
      'building-fire',
      'care-call',
      'manhole-flood',
      'manhole-gas',
      'sos',
    ]);
    expect(answers.logout).toEqual({ ok: true, ended: false });
  });
});

describe('FeedClient.call', () => {
  it('an unknown op or no connection is a clear error, nothing is sent', async () => {
    const { url, received } = await fakeServer(() => ({ ok: true }));
    const store = new RootStore();
    const idle = new FeedClient(store, { url });
    expect(await failure(idle.call('people', { op: 'me' }))).toEqual({ key: 'core.feed.notConnected', vars: {} });
    const { client } = await connected(url);
    expect(await failure(client.call('bogus' as SocketOpName, {} as never))).toEqual({ key: 'core.feed.unknownOp', vars: { op: 'bogus' } });
    expect(await failure(client.call('__proto__' as SocketOpName, {} as never))).toMatchObject({ key: 'core.feed.unknownOp' });
    expect(received).toEqual([]);
  });

  it('a malformed answer or a server refusal rejects with what was wrong; a good answer resolves', async () => {
    const { url, received } = await fakeServer((event) => {
      if (event === WIRE.drill) return { ok: 'yes' };
      if (event === WIRE.people) return 'fine';
      if (event === WIRE.journal) return { error: 'journal folder unreadable' };
      if (event === WIRE.login) return { ok: true, token: 'x' }; // no login, user, expiresAt
      if (event === WIRE.parkingHistory) return { csv: 'ts,place,occupied\n', truncated: true, rows: 0 };
      return null;
    });
    const { client } = await connected(url);
    expect(await failure(client.call('drill', { op: 'list' }))).toMatchObject({
      key: 'core.feed.badAnswer',
      vars: { detail: expect.stringMatching(/^drill: /) },
    });
    expect(await failure(client.call('people', { op: 'me' }))).toEqual({
      key: 'core.feed.badAnswer',
      vars: { detail: 'people: an object with a boolean ok expected' },
    });
    expect(await failure(client.call('login', { login: 'li', password: 'pw-1234567' }))).toMatchObject({
      key: 'core.feed.badAnswer',
      vars: { detail: expect.stringMatching(/^login: /) },
    });
    expect(await failure(client.call('journal', { from: 0, to: 1 }))).toEqual({ key: 'core.feed.serverError', vars: { detail: 'journal folder unreadable' } });
    expect(await failure(client.call('task', { op: 'cancel', commandId: 'c-1', taskId: 't-1', note: '' }))).toMatchObject({ key: 'core.feed.badAnswer' });
    // a good answer; the request goes out in whole milliseconds (the server takes integers only)
    expect(await client.call('parkingHistory', { from: 1000.7, to: 7200000.2, step: 300000.9 })).toEqual({ csv: 'ts,place,occupied\n', truncated: true });
    expect(received.find(([e]) => e === WIRE.parkingHistory)?.[1]).toEqual({ from: 1000, to: 7200000, step: 300000 });
  });

  it('a journal window keeps its valid events and counts the invalid ones as rejected', async () => {
    const { url } = await fakeServer((event) => {
      if (event !== WIRE.journal) return null;
      const ev = {
        kind: 'env.reading',
        stream: 'env',
        seq: 1,
        epoch: 'e1',
        ts: 1000,
        id: 'e1:env:1',
        stationId: 'ENV-01',
        metric: 'aqi',
        value: 42,
        unit: 'index',
        level: 'normal',
      };
      const seqs = Object.fromEntries(STREAMS.map((st) => [st, st === 'env' ? 1 : 0]));
      return {
        epoch: 'e1',
        from: 0,
        to: 2000,
        seqs,
        initial: [{ kind: 'env.reading', stream: 'env', seq: 'x' }],
        events: [ev, { kind: 'nonsense' }],
        truncated: false,
      };
    });
    const { store, client } = await connected(url);
    const w = await client.call('journal', { from: 0, to: 2000 });
    expect([w.initial.length, w.events.length, w.skipped]).toEqual([0, 1, 2]);
    expect(w.events[0]).toMatchObject({ kind: 'env.reading', id: 'e1:env:1' });
    expect(store.feed.rejected).toBe(2);
    expect(store.feed.lastRejectReason).toBe('journal window: 2 invalid events skipped');
  });

  it('a drill command whose call fails settles its audit record with the error (RootStore handler)', async () => {
    const { url } = await fakeServer((event) => (event === WIRE.drill ? { ok: 'maybe' } : null));
    const { store, client } = await connected(url);
    store.sink = client;
    const res = await store.command({ type: 'drill', op: 'stop' });
    expect(res).toMatchObject({ ok: false, error: expect.stringContaining('drill: ') });
    const rec = store.ui.audit.at(-1)!;
    expect(rec.command).toEqual({ type: 'drill', op: 'stop' });
    expect(rec.result).toBe(`error: ${res!.ok === false ? res!.error : ''}`);
  });
});
