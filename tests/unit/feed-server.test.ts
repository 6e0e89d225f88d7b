import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandAck, WIRE, type FeedEvent, type Subscribe } from '../../data-pipelines/contracts/events.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';
import { screen } from './feed-screen.ts';

let server: FeedServer;
let assetsDir: string;

beforeAll(async () => {
  assetsDir = mkdtempSync(join(tmpdir(), 'redwall-feed-'));
  buildDistrict(assetsDir, () => undefined);
  server = await startFeedServer({
    assetsDir,
    journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')),
    tickMs: 50,
    heartbeatMs: 200,
    sim: { incidentEveryMs: 0 },
    log: () => undefined,
  });
});
afterAll(async () => {
  await server?.close();
});

const client = (sub?: Subscribe) => screen(server.url, sub);

describe('feed server', () => {
  it('refuses to bind anything but loopback', async () => {
    await expect(startFeedServer({ assetsDir, journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')), host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
  });

  it('warmPeople generates the population at start, not at the first people request (issue 24); off by default', async () => {
    expect(server.peopleWarm).toBeNull();
    const logged: string[] = [];
    const warm = await startFeedServer({
      assetsDir,
      journalDir: mkdtempSync(join(tmpdir(), 'redwall-j-')),
      sim: null,
      warmPeople: true,
      log: (m) => logged.push(m),
    });
    try {
      expect(warm.peopleWarm).not.toBeNull();
      await warm.peopleWarm;
      expect(logged.filter((m) => m.includes('population'))).toEqual([]);
    } finally {
      await warm.close();
    }
  });

  it('greets with hello + snapshot, then streams contract-valid events with consecutive seq', async () => {
    const c = await client();
    expect(c.hello.epoch).toBe(c.snapshot!.epoch);
    await new Promise((r) => setTimeout(r, 600));
    expect(c.events.length).toBeGreaterThan(0);
    const last: Record<string, number> = { ...c.snapshot!.seqs };
    for (const e of c.events) {
      expect(e.seq, e.stream).toBe(last[e.stream]! + 1);
      last[e.stream] = e.seq;
    }
    c.socket.disconnect();
    // Reconnecting with our offsets gets exactly the missed events as a replay.
    await new Promise((r) => setTimeout(r, 300));
    const again = await client({ epoch: c.hello.epoch, since: last });
    expect(again.replay).not.toBeNull();
    const streams = new Map<string, number>(Object.entries(last));
    for (const e of again.replay!.events as FeedEvent[]) {
      expect(e.seq).toBe(streams.get(e.stream)! + 1);
      streams.set(e.stream, e.seq);
    }
    again.socket.disconnect();
  });

  it('an injected incident reaches a connected client and the next snapshot', async () => {
    const c = await client();
    const res = await fetch(`${server.url}/api/sim/incident`, { method: 'POST', body: JSON.stringify({ wellId: 'MH-00100', sensor: 'cover' }) });
    expect(res.status).toBe(200);
    await expect.poll(() => c.events.find((e) => e.kind === 'alarm.update' && e.alarm.sourceId === 'MH-00100')).toBeDefined();
    const c2 = await client();
    const snapAlarm = (c2.snapshot!.events as FeedEvent[]).find((e) => e.kind === 'alarm.update' && e.alarm.sourceId === 'MH-00100');
    expect(snapAlarm).toBeDefined();
    // Acknowledge over the socket: acked with the journal seq, and the same commandId again is a no-op.
    if (snapAlarm?.kind !== 'alarm.update') return;
    const cmd = { commandId: 'test-cmd-0001', alarmId: snapAlarm.alarm.alarmId, action: 'acknowledge', by: 'tester' };
    const ack1 = CommandAck.parse(await c2.socket.emitWithAck(WIRE.command, cmd));
    const ack2 = CommandAck.parse(await c2.socket.emitWithAck(WIRE.command, cmd));
    expect(ack1).toMatchObject({ ok: true, duplicate: false, alarm: { state: 'acknowledged' } });
    expect(ack2).toMatchObject({ ok: true, duplicate: true });
    if (ack1.ok && ack2.ok) expect(ack2.seq).toBe(ack1.seq);
    expect(CommandAck.parse(await c2.socket.emitWithAck(WIRE.command, { ...cmd, commandId: 'test-cmd-0002', action: 'onsite' }))).toMatchObject({ ok: false });
    c.socket.disconnect();
    c2.socket.disconnect();
  });

  it('answers bad incident requests with a clear 4xx', async () => {
    const post = (body: string) => fetch(`${server.url}/api/sim/incident`, { method: 'POST', body });
    expect((await post('{"wellId":"MH-99999"}')).status).toBe(400);
    expect((await post('{"sensor":"laser"}')).status).toBe(400);
    expect((await post('{"category":"volcano"}')).status).toBe(400);
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
