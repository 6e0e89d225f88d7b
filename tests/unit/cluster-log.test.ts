/**
 * The cluster log (NATS JetStream, data-pipelines/feed/cluster) against a real Debian nats-server: the feed core's
 * journal/replay/alarm behaviour on both logs (one suite, two backends), two gateways (one writes, one follows and
 * takes over), fencing of a writer that lost its lease, migration both ways, and a 3-node R3 cluster losing a node.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS, type FeedEvent } from '../../data-pipelines/contracts/events.ts';
import { applyEvent, compact, emptyWorld, loadSnapshot } from '../../data-pipelines/contracts/world.ts';
import { FeedCore, FOLLOWER_REFUSAL } from '../../data-pipelines/feed/core.ts';
import type { SimulatorOptions } from '../../data-pipelines/feed/simulator.ts';
import { bearingDeg } from '../../data-pipelines/geo/measure.ts';
import type { Entities } from '../../data-pipelines/feed/entities.ts';
import { buildTestDistrict, gasReading, tmpJournalDir } from './district-fixture.ts';
import { Journal } from '../../data-pipelines/feed/journal.ts';
import { parseLogUrl, type ClusterOptions } from '../../data-pipelines/feed/cluster/jetstream-log.ts';
import { joinCluster, type ClusterMember } from '../../data-pipelines/feed/cluster/member.ts';
import { clusterToJournal, journalToCluster } from '../../data-pipelines/feed/cluster/migrate.ts';
import { until } from './mosquitto.ts';
import { startNats, startNatsCluster, type NatsNode } from './nats.ts';

let entities: Entities;
let nats: NatsNode;
let districts = 0;
beforeAll(async () => {
  ({ entities } = buildTestDistrict());
  nats = await startNats();
}, 120_000);
afterAll(async () => {
  await nats?.stop();
});

const tmp = tmpJournalDir;
const reading = gasReading;
const cluster = (district: string, extra: Partial<ClusterOptions> = {}): ClusterOptions => ({ servers: [nats.url], district, leaseTtlMs: 1_500, ...extra });

/** A gateway's core on the cluster log: joins as a follower, and (first up) takes the lease and writes. */
async function gateway(
  district: string,
  opts: {
    servers?: string[];
    name?: string;
    dir?: string;
    sim?: SimulatorOptions;
    fatal?: (e: Error) => void;
    remote?: (e: readonly FeedEvent[]) => void;
  } = {},
): Promise<ClusterMember> {
  const dir = opts.dir ?? tmp();
  return joinCluster({
    cluster: cluster(district, {
      ...(opts.servers ? { servers: opts.servers } : {}),
      gateway: opts.name ?? `gw-${district}-${Math.random().toString(36).slice(2, 6)}`,
    }),
    journalDir: dir,
    makeCore: (epoch) => new FeedCore({ journal: { dir, fsyncEveryMs: 0, epoch }, entities, sim: opts.sim ?? null, follower: true }),
    onRemote: opts.remote ?? (() => undefined),
    onLead: () => undefined,
    onFatal: opts.fatal ?? ((e) => console.log(`fatal: ${e.message}`)),
    log: () => undefined,
  });
}

/** The two logs the feed core runs on: each `open` is a process start on the district's history. */
interface Backend {
  name: string;
  district(): { open(sim?: SimulatorOptions): Promise<FeedCore>; close(core: FeedCore): Promise<void> };
}
const embedded: Backend = {
  name: 'embedded journal',
  district() {
    const dir = tmp();
    return { open: async (sim) => new FeedCore({ journal: { dir, fsyncEveryMs: 0 }, entities, sim: sim ?? null }), close: async (c) => c.close() };
  },
};
const jetstream: Backend = {
  name: 'NATS JetStream',
  district() {
    const name = `suite${++districts}`;
    const members = new Map<FeedCore, ClusterMember>();
    return {
      // every start is a gateway with a fresh local folder: all it knows comes from the cluster
      open: async (sim) => {
        const m = await gateway(name, sim ? { sim } : {});
        expect(m.leading).toBe(true);
        members.set(m.core, m);
        return m.core;
      },
      close: async (c) => {
        await members.get(c)!.close();
        c.close();
      },
    };
  },
};

describe.each([embedded, jetstream])('feed core on the $name', (backend) => {
  it('raises one alarm per source, reactivates instead of duplicating, returns to normal', async () => {
    const d = backend.district();
    const core = await d.open();
    const raised = core.ingest([reading('MH-00010', 25)]);
    expect(raised.map((e) => e.kind)).toEqual(['manhole.reading', 'alarm.update']);
    core.ingest([reading('MH-00010', 30, 2000)]);
    core.ingest([reading('MH-00010', 1, 3000)]);
    await core.durable();
    const alarms = [...core.engine.alarms.values()];
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ state: 'new', active: false, priority: 2 });
    expect(alarms[0]!.history.map((h) => h.action)).toEqual(['raise', 'reactivate', 'rtn']);
    await d.close(core);
  });

  it('operator commands are journaled once, idempotent by commandId, and survive a restart', async () => {
    const d = backend.district();
    const core = await d.open();
    core.ingest([reading('MH-00011', 25)]);
    const alarmId = [...core.engine.alarms.keys()][0]!;
    const c = { commandId: 'cmd-000001', alarmId, action: 'acknowledge', by: 'op1' };
    expect(core.command(c, 5000).ack).toMatchObject({ ok: true, duplicate: false });
    const again = core.command(c, 6000);
    expect(again.ack).toMatchObject({ ok: true, duplicate: true });
    expect(again.events).toHaveLength(0);
    expect(core.command({ ...c, commandId: 'cmd-000002', action: 'close' }, 7000).ack).toMatchObject({ ok: false });
    await core.durable();
    await d.close(core);
    const core2 = await d.open();
    expect(core2.engine.alarms.get(alarmId)!.state).toBe('acknowledged');
    expect(core2.command(c, 8000).ack).toMatchObject({ ok: true, duplicate: true });
    await d.close(core2);
  });

  it('a snapshot rebuilds the same world as the full log; replay gives exactly the missing events, after a restart too', async () => {
    const d = backend.district();
    const core = await d.open();
    const all: FeedEvent[] = [];
    for (let i = 0; i < 400; i++) all.push(...core.ingest([reading(`MH-${String(i % 40).padStart(5, '0')}`, (i * 7) % 31, 1_700_000_000_000 + i * 250)]));
    await core.durable();
    const full = emptyWorld();
    for (const e of all) expect(applyEvent(full, e)).toBe('applied');
    const now = 1_700_000_200_000;
    const snap = core.snapshot(now);
    const rebuilt = emptyWorld();
    loadSnapshot(rebuilt, snap.events as FeedEvent[], snap.seqs);
    expect(compact(rebuilt, undefined, now)).toEqual(compact(full, undefined, now));
    const mid = { ...full.seqs, manhole: full.seqs.manhole - 50, alarm: Math.max(0, full.seqs.alarm - 5) };
    // replay hands out stream by stream (STREAMS order), each in seq order
    const expected = STREAMS.flatMap((s) => all.filter((e) => e.stream === s && e.seq > mid[s]));
    expect(expected.length).toBeGreaterThan(50);
    expect(core.replay({ epoch: core.epoch, since: mid })!.events).toEqual(expected);
    expect(core.replay({ epoch: 'other', since: mid })).toBeNull();
    const epoch = core.epoch;
    await d.close(core);
    const core2 = await d.open();
    expect(core2.epoch).toBe(epoch);
    expect(core2.replay({ epoch, since: mid })!.events).toEqual(expected);
    await d.close(core2);
  });
  it('an SOS press raises a critical alarm and turns the nearest online camera toward the post', async () => {
    const d = backend.district();
    const core = await d.open();
    const post = entities.sos[0]!;
    const evs = core.ingest([{ stream: 'camera', kind: 'camera.sos', ts: 1, buttonId: post.id, lon: post.lon, lat: post.lat }]);
    const ptz = evs.find((e) => e.kind === 'camera.ptz');
    const alarm = evs.find((e) => e.kind === 'alarm.update');
    expect(alarm).toMatchObject({ alarm: { priority: 1, category: 'camera', cause: 'sos' } });
    expect(ptz).toBeDefined();
    if (ptz?.kind !== 'camera.ptz') throw new Error('no ptz');
    const cam = entities.cameras.find((c) => c.id === ptz.cameraId)!;
    const dists = entities.cameras.map((c) => Math.hypot(c.lon - post.lon, (c.lat - post.lat) * 1.3));
    expect(Math.hypot(cam.lon - post.lon, (cam.lat - post.lat) * 1.3)).toBeLessThanOrEqual(Math.min(...dists) * 1.05);
    expect(ptz.heading).toBeCloseTo(bearingDeg([cam.lon, cam.lat], [post.lon, post.lat]), 0);
    await core.durable();
    await d.close(core);
  });

  it('the simulator for 10 minutes: a snapshot rebuilds the same world as the full log; replay gives exactly the missing events', async () => {
    const d = backend.district();
    const core = await d.open({ seed: 3, incidentEveryMs: 5_000 });
    const all: FeedEvent[] = [];
    for (let t = 0; t < 600_000; t += 250) all.push(...core.tick(1_700_000_000_000 + t));
    await core.durable();
    const full = emptyWorld();
    for (const e of all) expect(applyEvent(full, e)).toBe('applied');
    const snap = core.snapshot(1_700_000_600_000);
    const rebuilt = emptyWorld();
    loadSnapshot(rebuilt, snap.events as typeof all, snap.seqs);
    expect(compact(rebuilt, undefined, 1_700_000_600_000)).toEqual(compact(full, undefined, 1_700_000_600_000));
    const mid = { ...full.seqs, manhole: full.seqs.manhole - 50, alarm: Math.max(0, full.seqs.alarm - 5) };
    const r = core.replay({ epoch: core.epoch, since: mid })!;
    expect((r.events as typeof all).filter((e) => e.stream === 'manhole').map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => mid.manhole + i + 1));
    expect(core.replay({ epoch: 'other', since: mid })).toBeNull();
    await d.close(core);
  }, 120_000);
});

describe('two gateways on one cluster log', () => {
  it('the follower gets exactly the writer’s events, refuses commands, takes over when the writer dies, and a command sent again is not applied twice', async () => {
    const district = `two${++districts}`;
    const a = await gateway(district, { name: 'gw-a' });
    expect(a.leading).toBe(true);
    const seen: FeedEvent[] = [];
    const b = await gateway(district, { name: 'gw-b', remote: (evs) => seen.push(...evs) });
    expect(b.leading).toBe(false);
    const written = a.core.ingest([reading('MH-00020', 25), reading('MH-00021', 3)]);
    const alarmId = [...a.core.engine.alarms.keys()][0]!;
    const cmd = { commandId: 'cmd-two-1', alarmId, action: 'acknowledge', by: 'op1' };
    const acked = a.core.command(cmd, 5000);
    expect(acked.ack).toMatchObject({ ok: true, duplicate: false });
    written.push(...acked.events);
    await until(() => seen.length >= written.length);
    // each stream in seq order (streams are followed side by side: their interleaving is free)
    const byStream = (evs: FeedEvent[]) => STREAMS.map((s) => evs.filter((e) => e.stream === s));
    expect(byStream(seen)).toEqual(byStream(written));
    expect(b.core.world.seqs).toEqual(a.core.world.seqs);
    expect(b.core.command({ ...cmd, commandId: 'cmd-two-2' }, 6000).ack).toEqual({ ok: false, error: FOLLOWER_REFUSAL });

    // the writer dies without letting go of its lease (kill -9): the follower takes over once the lease expires
    await a.log.nc.close();
    await until(() => b.leading);
    expect(b.core.follower).toBe(false);
    // the command resent to the new writer (the operator's screen reconnected there) is recognised
    expect(b.core.command(cmd, 7000).ack).toMatchObject({ ok: true, duplicate: true });
    const next = b.core.ingest([reading('MH-00022', 26)]);
    expect(next.find((e) => e.stream === 'manhole')!.seq).toBe(a.core.world.seqs.manhole + 1);
    await b.core.durable();
    const last = await b.log.lastSeqs();
    expect(last).toEqual(b.core.world.seqs);
    await b.close();
    b.core.close();
    a.core.close();
  });

  it('a writer that dies between storing a reading and storing the alarm it raised: the next writer raises it, once', async () => {
    const district = `gap${++districts}`;
    const a = await gateway(district, { name: 'gw-a' });
    const b = await gateway(district, { name: 'gw-b' });
    a.core.ingest([reading('MH-00040', 25, 5_000)]);
    const publish = a.log.publish.bind(a.log);
    // from here gw-a's alarm events never reach the cluster (it dies right after storing the reading)
    a.log.publish = (evs) => publish(evs.filter((e) => e.stream !== 'alarm'));
    const evs = a.core.ingest([reading('MH-00041', 26, 6_000), reading('MH-00042', 1, 6_500)]);
    const cause = evs.find((e) => e.stream === 'manhole' && e.kind === 'manhole.reading' && e.wellId === 'MH-00041')!;
    await a.core.durable();
    await a.log.nc.close();
    await until(() => b.leading);
    expect(b.core.engine.alarms.has(`AL-${cause.id}`)).toBe(true);
    const last = await b.log.lastSeqs();
    expect(last.alarm).toBe(2); // MH-00040's (stored before) and MH-00041's (made again), nothing twice
    expect([...b.core.engine.alarms.values()].map((x) => x.sourceId).sort()).toEqual(['MH-00040', 'MH-00041']);
    await b.close();
    a.core.close();
    b.core.close();
  });

  it('a writer that lost its lease is fenced off: JetStream refuses its events and the history does not fork', async () => {
    const district = `fence${++districts}`;
    let fatal: Error | null = null;
    const a = await gateway(district, { name: 'gw-a', fatal: (e) => (fatal = e) });
    a.core.ingest([reading('MH-00030', 1)]);
    await a.core.durable();
    // gw-a stalls (its renewals stop, as in a long pause); gw-b takes the lease and writes
    clearInterval((a.log as unknown as { leaseTimer: ReturnType<typeof setInterval> }).leaseTimer);
    const b = await gateway(district, { name: 'gw-b' });
    await until(() => b.leading);
    const bEvents = b.core.ingest([reading('MH-00031', 2)]);
    await b.core.durable();
    // gw-a wakes up and writes: refused, fatal
    a.core.ingest([reading('MH-00032', 3)]);
    await until(() => fatal !== null);
    expect(String(fatal)).toMatch(/another writer|taken/);
    const stored = await b.log.eventAt('manhole', bEvents[0]!.seq);
    expect(stored).toEqual(bEvents[0]);
    expect((await b.log.lastSeqs()).manhole).toBe(2);
    await b.close();
    b.core.close();
    a.core.close();
    await a.log.nc.close();
  });
});

describe('migration', () => {
  it('copies an embedded journal into the cluster and back, keeping the epoch and every seq; refuses a second copy over other history', async () => {
    const src = tmp();
    const core = new FeedCore({ journal: { dir: src, fsyncEveryMs: 0 }, entities, sim: null });
    for (let i = 0; i < 300; i++) core.ingest([reading(`MH-${String(i % 30).padStart(5, '0')}`, (i * 11) % 33, 1_700_000_000_000 + i * 1000)]);
    const alarmId = [...core.engine.alarms.keys()][0]!;
    core.command({ commandId: 'cmd-mig-1', alarmId, action: 'acknowledge', by: 'op1' }, 1_700_000_400_000);
    const seqs = { ...core.world.seqs };
    const epoch = core.epoch;
    core.close();
    const district = `mig${++districts}`;
    const r = await journalToCluster(src, cluster(district));
    expect(r).toMatchObject({ epoch, seqs });
    // a gateway on the cluster now has the same history: a screen of the old server resumes by replay
    const g = await gateway(district);
    expect(g.core.epoch).toBe(epoch);
    expect(g.core.world.seqs).toEqual(seqs);
    expect(g.core.engine.alarms.get(alarmId)!.state).toBe('acknowledged');
    await g.close();
    g.core.close();
    // and back into a journal folder
    const back = join(tmp(), 'copy');
    const r2 = await clusterToJournal(cluster(district), back);
    expect(r2).toMatchObject({ epoch, seqs });
    const lines: string[] = [];
    const original: string[] = [];
    Journal.open({ dir: back, fsyncEveryMs: 0 }, (e) => lines.push(JSON.stringify(e))).journal.close();
    Journal.open({ dir: src, fsyncEveryMs: 0 }, (e) => original.push(JSON.stringify(e))).journal.close();
    expect(lines).toEqual(original);
    // another journal into the same district: refused, nothing copied
    const other = tmp();
    const c2 = new FeedCore({ journal: { dir: other, fsyncEveryMs: 0 }, entities, sim: null });
    c2.ingest([reading('MH-00001', 1)]);
    c2.close();
    await expect(journalToCluster(other, cluster(district))).rejects.toThrow(/already has history/);
  });

  it('parses --log server lists and refuses credentials in the URL', () => {
    expect(parseLogUrl('nats://127.0.0.1:4222,127.0.0.2:4223')).toEqual(['127.0.0.1:4222', '127.0.0.2:4223']);
    expect(() => parseLogUrl('http://x:1')).toThrow(/nats:\/\//);
    expect(() => parseLogUrl('nats://u:p@x:1')).toThrow(/environment/);
    expect(() => parseLogUrl('')).toThrow(/no server/);
  });
});

describe('3-node JetStream cluster (R3)', () => {
  let nodes: NatsNode[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('kill -9 of one NATS node, then of the writing gateway, while alarms are raised and acknowledged: nothing lost or duplicated, the gateways converge', async () => {
    nodes = await startNatsCluster();
    const servers = nodes.map((n) => n.url.replace('nats://', ''));
    const district = 'r3';
    const mk = (name: string, remote?: (e: readonly FeedEvent[]) => void) =>
      joinCluster({
        cluster: { servers, district, replicas: 3, leaseTtlMs: 10_000, gateway: name },
        journalDir: tmp(),
        makeCore: (epoch) => new FeedCore({ journal: { dir: tmp(), fsyncEveryMs: 0, epoch }, entities, sim: null, follower: true }),
        onRemote: remote ?? (() => undefined),
        onLead: () => undefined,
        onFatal: (e) => console.log(`fatal: ${e.message}`),
        log: () => undefined,
      });
    const a = await mk('gw-a');
    expect(a.leading).toBe(true);
    const seenB: FeedEvent[] = [];
    const b = await mk('gw-b', (evs) => seenB.push(...evs));
    expect(b.leading).toBe(false);
    const acked = new Set<string>();
    let raised = 0;
    /** a reading raises an alarm; an operator acknowledges it; both durable before the next */
    const round = async (core: FeedCore, i: number) => {
      const evs = core.ingest([reading(`MH-${String(100 + i).padStart(5, '0')}`, 25, 1_700_000_000_000 + i * 10)]);
      const alarm = evs.find((e) => e.kind === 'alarm.update');
      if (alarm?.kind !== 'alarm.update') throw new Error(`round ${i}: no alarm raised`);
      raised++;
      const r = core.command({ commandId: `cmd-r3-${i}`, alarmId: alarm.alarm.alarmId, action: 'acknowledge', by: 'op1' }, 1_700_000_000_000 + i * 10 + 1);
      if (!r.ack.ok) throw new Error(`round ${i}: ${r.ack.error}`);
      await core.durable();
      acked.add(alarm.alarm.alarmId);
    };
    for (let i = 0; i < 20; i++) await round(a.core, i);
    await nodes[0]!.kill();
    let t0 = performance.now();
    for (let i = 20; i < 40; i++) await round(a.core, i);
    const nodeLossMs = performance.now() - t0;
    // the writing gateway dies (kill -9: its connection drops, its lease is not released)
    await a.log.nc.close();
    t0 = performance.now();
    await until(() => b.leading);
    const takeoverMs = performance.now() - t0;
    for (let i = 40; i < 60; i++) await round(b.core, i);
    console.log(
      `R3 failover: 20 alarms raised+acknowledged across a NATS node kill -9 in ${Math.round(nodeLossMs)} ms (${a.log.retries} publishes retried); writer gateway killed -> follower writing after ${Math.round(takeoverMs)} ms (lease ttl 10 s)`,
    );
    expect(raised).toBe(60);
    expect(acked.size).toBe(60);
    const last = await b.log.lastSeqs();
    expect(last).toEqual(b.core.world.seqs);
    expect(last.alarm).toBe(120); // 60 raises + 60 acknowledgements, none twice
    expect(last.manhole).toBe(60);
    expect(
      [...b.core.engine.alarms.values()]
        .filter((x) => x.state === 'acknowledged')
        .map((x) => x.alarmId)
        .sort(),
    ).toEqual([...acked].sort());
    const alarmSeqs = seenB.filter((e) => e.stream === 'alarm').map((e) => e.seq);
    expect(new Set(alarmSeqs).size).toBe(alarmSeqs.length);
    // a third gateway joining now reads the same history from the surviving nodes
    const c = await mk('gw-c');
    expect(c.core.world.seqs).toEqual(b.core.world.seqs);
    expect(c.leading).toBe(false);
    await c.close();
    await b.close();
    for (const g of [a, b, c]) g.core.close();
  }, 240_000);
});
