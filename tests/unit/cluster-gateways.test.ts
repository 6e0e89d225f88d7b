/**
 * Two feed gateways (the real server, sockets and all) on one real NATS JetStream log: screens on either see the same
 * stream, a command at the follower is forwarded and applied once, and when the writing gateway dies its screen
 * resumes at the other one with exactly the events it missed (a replay, not a snapshot).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandAck, WIRE, type FeedEvent } from '../../data-pipelines/contracts/events.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';
import { until } from './mosquitto.ts';
import { startNats, type NatsNode } from './nats.ts';
import { screen, type Screen } from './feed-screen.ts';

let nats: NatsNode;
let assetsDir: string;
const servers: FeedServer[] = [];
beforeAll(async () => {
  assetsDir = mkdtempSync(join(tmpdir(), 'redwall-feed-'));
  buildDistrict(assetsDir, () => undefined);
  nats = await startNats();
}, 120_000);
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  await nats?.stop();
});

const gateway = async (name: string) => {
  const s = await startFeedServer({
    assetsDir,
    journalDir: mkdtempSync(join(tmpdir(), `redwall-gw${name}-`)),
    tickMs: 50,
    heartbeatMs: 200,
    sim: { incidentEveryMs: 0 },
    log: () => undefined,
    cluster: { servers: [nats.url], district: 'gws', leaseTtlMs: 1_500, gateway: name },
    onFatal: () => undefined,
  });
  servers.push(s);
  return s;
};

/** The seqs a screen holds: its snapshot's or replay's, then every live event. */
function held(sc: Screen): Record<string, number> {
  const seqs: Record<string, number> = { ...(sc.snapshot?.seqs ?? sc.replay?.seqs ?? {}) };
  for (const e of sc.events) seqs[e.stream] = Math.max(seqs[e.stream] ?? 0, e.seq);
  return seqs;
}

describe('two gateways on one JetStream log', () => {
  it('same stream at both; a command at the follower applies once; a screen of a dead writer resumes at the other by replay', async () => {
    const a = await gateway('A');
    const b = await gateway('B');
    expect(a.cluster!.leading).toBe(true);
    expect(b.cluster!.leading).toBe(false);
    const onA = await screen(a.url);
    const onB = await screen(b.url);
    expect(onB.hello.epoch).toBe(onA.hello.epoch);
    // the simulator runs at the writer only; its events reach the follower's screen, consecutive per stream
    await until(() => onB.events.filter((e) => e.stream === 'parking' || e.stream === 'manhole').length > 20);
    const last: Record<string, number> = { ...onB.snapshot!.seqs };
    for (const e of onB.events) {
      expect(e.seq, e.stream).toBe(last[e.stream]! + 1);
      last[e.stream] = e.seq;
    }
    // an alarm raised at the writer; acknowledged by an operator on the follower
    const raised = a.publish([
      { stream: 'manhole', kind: 'manhole.reading', ts: Date.now(), wellId: 'MH-00421', sensor: 'gas', value: 30, unit: '%LEL', level: 'alarm' },
    ]);
    const alarm = raised.find((e) => e.kind === 'alarm.update');
    if (alarm?.kind !== 'alarm.update') throw new Error('no alarm raised');
    await until(() => onB.events.some((e) => e.kind === 'alarm.update' && e.alarm.alarmId === alarm.alarm.alarmId));
    const cmd = { commandId: 'cmd-gw-000001', alarmId: alarm.alarm.alarmId, action: 'acknowledge', by: 'op-b' };
    const ask = (s: Socket) => new Promise<CommandAck>((r) => s.emit(WIRE.command, cmd, (x: unknown) => r(CommandAck.parse(x))));
    const ack = await ask(onB.socket);
    expect(ack).toMatchObject({ ok: true, duplicate: false });
    expect(a.core.engine.alarms.get(alarm.alarm.alarmId)!.state).toBe('acknowledged');
    expect(await ask(onB.socket)).toMatchObject({ ok: true, duplicate: true });
    await until(() => onB.events.some((e) => e.kind === 'alarm.update' && e.alarm.state === 'acknowledged'));

    // a drill started and stopped from the follower's screen runs at the writer
    const drillText = readFileSync(join(import.meta.dirname, '../../assets/scenarios/plant-stair-smoke.json'), 'utf8');
    const drill = (req: unknown) => new Promise<{ ok: boolean; error?: string; drillId?: string }>((r) => onB.socket.emit(WIRE.drill, req, r));
    const started = await drill({ op: 'start', scenario: drillText, by: 'op-b' });
    expect(started).toMatchObject({ ok: true });
    expect(a.core.drill?.drillId).toBe(started.drillId);
    await until(() => onB.events.some((e) => e.stream === 'drill' && e.drillId === started.drillId));
    expect(await drill({ op: 'stop', by: 'op-b' })).toMatchObject({ ok: true });
    expect(a.core.drill).toBeNull();

    // the writer dies (its NATS connection drops, its lease is not released, its screen loses it)
    const before = held(onA);
    onA.socket.disconnect();
    await a.cluster!.log.nc.close();
    await a.close();
    await until(() => b.cluster!.leading);
    // the new writer's simulator goes on; the old screen resumes at B from what it held
    await until(() => b.core.world.seqs.parking > (before['parking'] ?? 0) + 5);
    const resumed = await screen(b.url, { epoch: onA.hello.epoch, since: before });
    expect(resumed.replay).not.toBeNull();
    const missed = resumed.replay!.events as FeedEvent[];
    for (const s of Object.keys(before)) {
      const seqs = missed.filter((e) => e.stream === s).map((e) => e.seq);
      expect(seqs, s).toEqual(Array.from({ length: seqs.length }, (_, i) => before[s]! + 1 + i));
    }
    expect(missed.filter((e) => e.stream === 'parking').length).toBeGreaterThan(5);
    // the same command once more, now at the new writer: still recognised, never applied twice
    expect(await ask(resumed.socket)).toMatchObject({ ok: true, duplicate: true });
    const acks = [...b.core.engine.alarms.get(alarm.alarm.alarmId)!.history].filter((h) => h.action === 'acknowledge');
    expect(acks).toHaveLength(1);
    onB.socket.disconnect();
    resumed.socket.disconnect();
  }, 120_000);
});
