/**
 * Issue 18: real feeds through the gateway, end to end under Node with a real Debian mosquitto broker and real HTTP:
 * every example platform message reaches the world through its own door (MQTT QoS 1 or HTTP push), redeliveries are
 * no-ops, nothing is acknowledged that the journal does not hold, hostile payloads are quarantined and counted while
 * good messages keep flowing, quiet sources raise the feed-health alarm, and --sim-via runs the demo through a broker.
 */
import { mkdtempSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { FeedCore } from '../../data-pipelines/feed/core.ts';
import { loadEntities } from '../../data-pipelines/feed/entities.ts';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';
import { SourceHub, declarativeSource } from '../../data-pipelines/sources/hub.ts';
import { loadSourcesFile, SourcesFileError } from '../../data-pipelines/sources/load.ts';
import { startBroker, until, type Broker } from './mosquitto.ts';
import { EXAMPLES, writeExampleSources } from './sources-fixture.ts';

const examples = EXAMPLES;
const TOKENS = {
  REDWALL_INGEST_NBIOT_TOKEN: 'nbiot-token-0123456789abcdef',
  REDWALL_INGEST_CARPARK_TOKEN: 'carpark-token-0123456789abcdef',
  REDWALL_INGEST_SOS_TOKEN: 'sos-token-0123456789abcdefgh',
  REDWALL_FIRE_MQTT_PASSWORD: 'x',
  REDWALL_ROADSIDE_MQTT_PASSWORD: 'y',
};

let broker: Broker;
let assetsDir: string;
let server: FeedServer;
let pub: MqttClient;
let diskFull = false;
let sourcesFile: string;

const sample = (name: string) => readFileSync(join(examples, 'samples', name));
const status = (id: string) => server.sources.status().sources.find((s) => s.id === id)!;
const push = (
  source: string,
  path: string,
  body: Buffer | string,
  token: string | undefined = TOKENS[`REDWALL_INGEST_${source === 'nbiot-manholes' ? 'NBIOT' : source === 'carparks' ? 'CARPARK' : 'SOS'}_TOKEN`],
) =>
  fetch(`${server.url}/api/ingest/${source}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : body.toString('utf8'),
  });

beforeAll(async () => {
  broker = await startBroker();
  assetsDir = mkdtempSync(join(tmpdir(), 'redwall-src-assets-'));
  buildDistrict(assetsDir, () => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'redwall-src-'));
  sourcesFile = writeExampleSources(dir, broker.url, { '868120045123456': 'MH-00420', '868120045123457': 'MH-00015' }, 'unit');
  const sources = loadSourcesFile(sourcesFile, loadEntities(assetsDir), TOKENS);
  server = await startFeedServer({
    assetsDir,
    journalDir: join(dir, 'journal'),
    sim: null,
    sources,
    tickMs: 50,
    heartbeatMs: 200,
    log: () => undefined,
    token: 'operator-token-0123456789',
    journalWrite: (fd, buf, off) => {
      if (diskFull) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return writeSync(fd, buf, off);
    },
    held: { retryMs: 50 },
  });
  pub = await mqtt.connectAsync(broker.url, { clientId: 'test-publisher', clean: true });
  await until(() => ['fire-panels', 'care-buttons', 'roadside', 'covers'].every((id) => status(id).state === 'connected'));
}, 120_000);

afterAll(async () => {
  await pub?.endAsync();
  await server?.close();
  await broker?.stop();
});

describe('sources gateway (real mosquitto, real HTTP)', () => {
  it('refuses a sources file whose token variables are missing, naming each', () => {
    expect(() => loadSourcesFile(sourcesFile, loadEntities(assetsDir), {})).toThrow(SourcesFileError);
    try {
      loadSourcesFile(sourcesFile, loadEntities(assetsDir), { ...TOKENS, REDWALL_INGEST_SOS_TOKEN: 'short' });
    } catch (e) {
      expect((e as SourcesFileError).problems).toEqual([
        'sources.json: sources[5] (sos-posts).http.tokenEnv: the token in REDWALL_INGEST_SOS_TOKEN is 5 characters; at least 24 are needed',
      ]);
    }
  });

  it('an NB-IoT cover push (CTWing, base64 payload) becomes five readings and a gas alarm; the platform gets its 200', async () => {
    const r = await push('nbiot-manholes', '/ctwing', sample('ctwing-manhole.json'));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ journaled: 5, duplicates: 0, quarantined: 0, reasons: [] });
    const gas = server.core.world.byStream.manhole.get('MH-00420|gas');
    expect(gas).toMatchObject({ value: 23.4, level: 'alarm' });
    expect(gas!.origin).toMatch(/^nbiot-manholes\/[0-9a-f]{32}$/);
    const alarm = [...server.core.engine.alarms.values()].find((a) => a.sourceId === 'MH-00420' && a.cause === 'gas');
    expect(alarm).toMatchObject({ category: 'manhole', active: true, state: 'new' });
  });

  it('the same push again (the platform retried) is a no-op, answered as duplicates', async () => {
    const before = server.core.world.seqs.manhole;
    const r = await push('nbiot-manholes', '/ctwing', sample('ctwing-manhole.json'));
    expect(await r.json()).toEqual({ journaled: 0, duplicates: 5, quarantined: 0, reasons: [] });
    expect(server.core.world.seqs.manhole).toBe(before);
    expect(status('nbiot-manholes')).toMatchObject({ messages: 2, journaled: 5, duplicates: 5 });
  });

  it('push credentials: only the source’s own token; never the operator token; unknown sources and GET refused', async () => {
    expect((await push('nbiot-manholes', '/ctwing', sample('ctwing-manhole.json'), 'operator-token-0123456789')).status).toBe(401);
    expect((await push('nbiot-manholes', '/ctwing', sample('ctwing-manhole.json'), TOKENS.REDWALL_INGEST_CARPARK_TOKEN)).status).toBe(401);
    expect((await push('nbiot-manholes', '/ctwing', sample('ctwing-manhole.json'), '')).status).toBe(401);
    expect((await fetch(`${server.url}/api/ingest/nope/x`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${server.url}/api/ingest/fire-panels/x`, { method: 'POST', body: '{}' })).status).toBe(404); // an MQTT source has no push door
    expect(
      (await fetch(`${server.url}/api/ingest/carparks/free-spaces`, { headers: { authorization: `Bearer ${TOKENS.REDWALL_INGEST_CARPARK_TOKEN}` } })).status,
    ).toBe(405);
    expect(status('nbiot-manholes').messages).toBe(2);
  });

  it('a fire-panel event over MQTT (QoS 1) lights the detector on its floor and raises a fire alarm', async () => {
    await pub.publishAsync('fire/P12/event', sample('fire-panel-event.json'), { qos: 1 });
    await until(() => [...server.core.engine.alarms.values()].some((a) => a.sourceId === 'SD-12-3-1' && a.cause === 'fire'));
    const det = [...server.core.world.byStream.fire.values()].find((e) => e.kind === 'fire.detector' && e.detectorId === 'SD-12-3-1');
    expect(det).toMatchObject({ state: 'fire', floor: 3 });
    expect(status('fire-panels')).toMatchObject({ state: 'connected', messages: 1, journaled: 1, quarantined: 0 });
  });

  it('a car park count (HTTP), a roadside spot (MQTT), care buttons (MQTT batch) and an SOS post (HTTP) land on their entities', async () => {
    expect((await push('carparks', '/free-spaces', sample('carpark-free-spaces.json'))).status).toBe(202);
    expect((await push('sos-posts', '/press', sample('sos-post.json'))).status).toBe(202);
    await pub.publishAsync('/sys/a1RoadSpot/PS0A1F3C/thing/event/property/post', sample('roadside-spot.json'), { qos: 1 });
    await pub.publishAsync('care/GW-2819/alarm', sample('care-button.json'), { qos: 1 });
    await until(() => status('roadside').journaled === 1 && status('care-buttons').journaled === 2);
    const parking = [...server.core.world.byStream.parking.values()];
    expect(parking.find((e) => e.kind === 'parking.occupancy' && e.placeId === 'PL-001')).toMatchObject({ occupied: 430 - 123, capacity: 430 });
    expect(parking.find((e) => e.kind === 'parking.occupancy' && e.placeId === 'RS-00001')).toBeDefined();
    const alarms = [...server.core.engine.alarms.values()];
    expect(alarms.some((a) => a.category === 'care' && a.sourceId === 'CR-00001')).toBe(true);
    expect(alarms.some((a) => a.category === 'camera' && a.sourceId === 'SOS-001' && a.cause === 'sos')).toBe(true);
  });

  it('hostile pushes are quarantined with the reason and a safe sample, answered, and cost nothing else', async () => {
    const bad = await push('carparks', '/free-spaces', '{"parkCode":"B708","free":"lots"}');
    expect(bad.status).toBe(202);
    expect((await bad.json()) as unknown).toMatchObject({ journaled: 0, quarantined: 1, reasons: [{ reason: 'wrong-type', path: '$.free' }] });
    const unknown = await push('carparks', '/free-spaces', '{"parkCode":"NOPE\\u0000<script>","free":3}');
    expect((await unknown.json()) as unknown).toMatchObject({ quarantined: 1, reasons: [{ reason: 'unknown-device' }] });
    const huge = await push('carparks', '/free-spaces', `{"parkCode":"B708","free":1,"pad":"${'x'.repeat(200_000)}"}`);
    expect(huge.status).toBe(413);
    const st = status('carparks');
    expect(st.byReason).toMatchObject({ 'wrong-type': 1, 'unknown-device': 1, 'too-large': 1 });
    expect(st.recent[0]!.reason).toBe('too-large');
    expect(st.recent[0]!.sample.length).toBeLessThanOrEqual(201);
    expect(st.recent.find((q) => q.reason === 'unknown-device')!.sample).not.toMatch(/\u0000/);
    const over = await push('carparks', '/free-spaces', '{"parkCode":"B708","free":-5}');
    expect((await over.json()) as unknown).toMatchObject({ journaled: 0, quarantined: 1, reasons: [{ reason: 'out-of-range' }] });
    // good messages still flow
    expect((await push('carparks', '/free-spaces', '{"parkCode":"B708","free":100,"time":"x"}')).status).toBe(202);
    expect([...server.core.world.byStream.parking.values()].find((e) => e.kind === 'parking.occupancy' && e.placeId === 'PL-001')).toMatchObject({
      occupied: 330,
    });
  });

  it('while the journal cannot write nothing is acknowledged: HTTP 503, MQTT held unacknowledged; once it can, each message is journaled once, in order', async () => {
    diskFull = true;
    try {
      const r = await push('carparks', '/free-spaces', '{"parkCode":"B708","free":7}');
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      const before = status('covers').journaled;
      const seq = server.core.world.seqs.manhole;
      // the publisher's PUBACK is the broker's; the gateway's PUBACK to the broker is what waits for the journal
      await pub.publishAsync('covers/868120045123456/up', JSON.stringify({ n: 'disk-1', gas: 2 }), { qos: 1 });
      await pub.publishAsync('covers/868120045123456/up', JSON.stringify({ n: 'disk-2', gas: 3 }), { qos: 1 });
      await until(() => server.core.health().writable === false);
      await new Promise((r2) => setTimeout(r2, 1500)); // retried (1 s) at least once while the disk is full
      expect(server.core.world.seqs.manhole).toBe(seq);
      expect(status('covers').journaled).toBe(before);
      diskFull = false;
      await until(() => status('covers').journaled === before + 2);
      expect(server.core.world.seqs.manhole).toBe(seq + 2);
    } finally {
      diskFull = false;
    }
    expect((await push('carparks', '/free-spaces', '{"parkCode":"B708","free":7}')).status).toBe(202);
  });

  it('10,000 fuzzed MQTT payloads: every one counted in quarantine, the gateway up, good messages still flowing', async () => {
    const before = status('covers');
    let rnd = 42;
    const next = () => ((rnd = Math.imul(rnd, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let k = 0;
    const kinds = [
      () => Buffer.from([...Array(1 + Math.floor(next() * 300))].map(() => Math.floor(next() * 256))), // binary junk
      () => '{"gas":', // cut JSON
      () => JSON.stringify({ n: `f${++k}`, gas: 'high' }), // wrong type
      () => JSON.stringify({ n: `f${++k}`, gas: 1e9 }), // out of range
      () => JSON.stringify({ n: `f${++k}` }), // missing value
      () => JSON.stringify({ n: `f${++k}`, gas: 5, pad: 'x'.repeat(70_000) }), // larger than maxMessageBytes
      () => JSON.stringify([1, 2, 3]),
    ];
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < 10_000; i++) {
      const body = kinds[i % kinds.length]!();
      // a device the registry does not know, every 7th message
      sends.push(pub.publishAsync(i % 11 === 0 ? `covers/UNKNOWN${i}/up` : 'covers/868120045123456/up', body, { qos: 1 }));
      if (i % 500 === 0) sends.push(pub.publishAsync('covers/868120045123457/up', JSON.stringify({ n: `good-${i}`, gas: 1 }), { qos: 1 }));
    }
    await Promise.all(sends);
    await until(() => status('covers').messages >= before.messages + 10_020);
    const after = status('covers');
    expect(after.messages - before.messages).toBe(10_020);
    expect(after.quarantined - before.quarantined).toBe(10_000);
    expect(after.journaled - before.journaled).toBe(20);
    expect(after.state).toBe('connected');
    expect(Object.keys(after.byReason).sort()).toEqual(
      expect.arrayContaining(['bad-json', 'wrong-type', 'out-of-range', 'missing-value', 'too-large', 'unknown-device']),
    );
  }, 300_000);
});

describe('redeliveries (hub)', () => {
  it('the same bytes flagged as a possible redelivery (MQTT DUP) are a no-op; unflagged they are a second reading; a platform id always dedups', () => {
    const entities = loadEntities(assetsDir);
    const dir = mkdtempSync(join(tmpdir(), 'redwall-dup-'));
    const core = new FeedCore({ journal: { dir: join(dir, 'journal') }, entities, sim: null });
    const hub = new SourceHub(loadSourcesFile(sourcesFile, entities, TOKENS).map(declarativeSource), {
      core,
      emit: () => undefined,
      quarantineDir: join(dir, 'q'),
    });
    const body = Buffer.from(JSON.stringify({ gas: 4 }));
    expect(hub.accept('covers', 'covers/868120045123456/up', body)).toMatchObject({ ok: true, journaled: 1, duplicates: 0 });
    expect(hub.accept('covers', 'covers/868120045123456/up', body, { redelivery: true })).toMatchObject({ ok: true, journaled: 0, duplicates: 1 });
    expect(hub.accept('covers', 'covers/868120045123456/up', body)).toMatchObject({ ok: true, journaled: 1, duplicates: 0 });
    const withId = Buffer.from(JSON.stringify({ n: 'abc', gas: 4 }));
    expect(hub.accept('covers', 'covers/868120045123456/up', withId)).toMatchObject({ journaled: 1 });
    expect(hub.accept('covers', 'covers/868120045123456/up', withId)).toMatchObject({ journaled: 0, duplicates: 1 });
    // a bad message redelivered is not counted twice in quarantine; sent again (no DUP) it is
    const bad = Buffer.from('{"gas":"x"}');
    hub.accept('covers', 'covers/868120045123456/up', bad);
    hub.accept('covers', 'covers/868120045123456/up', bad, { redelivery: true });
    expect(hub.status().sources.find((s) => s.id === 'covers')!.quarantined).toBe(1);
    hub.accept('covers', 'covers/868120045123456/up', bad);
    expect(hub.status().sources.find((s) => s.id === 'covers')!.quarantined).toBe(2);
    // after a restart the journal remembers: a redelivery of a message journaled before the crash is still a no-op
    hub.close();
    core.close();
    const core2 = new FeedCore({ journal: { dir: join(dir, 'journal') }, entities, sim: null });
    const hub2 = new SourceHub(loadSourcesFile(sourcesFile, entities, TOKENS).map(declarativeSource), {
      core: core2,
      emit: () => undefined,
      quarantineDir: join(dir, 'q'),
    });
    expect(hub2.accept('covers', 'covers/868120045123456/up', body, { redelivery: true })).toMatchObject({ journaled: 0, duplicates: 1 });
    expect(hub2.accept('covers', 'covers/868120045123456/up', withId)).toMatchObject({ journaled: 0, duplicates: 1 });
    expect(hub2.status().sources.find((s) => s.id === 'covers')!.byReason).toEqual({ 'wrong-type': 2 });
    hub2.close();
    core2.close();
  });

  it('a draft the event contract refuses at the journal is quarantined with its message (invalid-event), not lost in a log', () => {
    const entities = loadEntities(assetsDir);
    const dir = mkdtempSync(join(tmpdir(), 'redwall-invalid-'));
    const core = new FeedCore({ journal: { dir: join(dir, 'journal') }, entities, sim: null });
    const bad = {
      stream: 'fire',
      kind: 'fire.detector',
      ts: Date.now(),
      detectorId: 'SD-12-3-1',
      buildingId: 12,
      floor: 3,
      state: 'fire',
      obscuration: 250,
    } as const;
    const good = { ...bad, obscuration: 12 };
    const hub = new SourceHub(
      [
        {
          id: 'odd',
          kind: 'http',
          file: 'x',
          endpoint: 'x',
          quietAfterMin: 5,
          downAlarmAfterS: 30,
          decode: () => ({ drafts: [bad, good], dedupIds: ['odd:h:1#0', 'odd:h:1#1'], messageId: 'odd:h:1', quarantined: [], flags: [] }),
        },
      ],
      { core, emit: () => undefined, quarantineDir: join(dir, 'q') },
    );
    expect(hub.accept('odd', '/x', Buffer.from('{"obscuration":250}'))).toMatchObject({ ok: true, journaled: 1, quarantined: [{ reason: 'invalid-event' }] });
    const st = hub.status().sources[0]!;
    expect(st).toMatchObject({ journaled: 1, quarantined: 1, byReason: { 'invalid-event': 1 } });
    expect(st.recent[0]!.detail).toMatch(/obscuration/);
    hub.close();
    core.close();
  });
});

describe('feed-health alarms (hub with a clock)', () => {
  it('a source silent for quietAfterMin raises "no data from source X"; the next message returns it to normal', () => {
    const entities = loadEntities(assetsDir);
    const dir = mkdtempSync(join(tmpdir(), 'redwall-quiet-'));
    const core = new FeedCore({ journal: { dir: join(dir, 'journal') }, entities, sim: null });
    let now = Date.parse('2026-12-05T08:00:00Z');
    const sources = loadSourcesFile(sourcesFile, entities, TOKENS);
    const emitted: string[] = [];
    const hub = new SourceHub(sources.map(declarativeSource), {
      core,
      emit: (evs) =>
        evs.forEach((e) => e.kind === 'alarm.update' && e.alarm.sourceId === 'fire-panels' && emitted.push(`${e.alarm.sourceId}:${e.alarm.cause}:${e.action}`)),
      quarantineDir: join(dir, 'q'),
      now: () => now,
    });
    hub.setConnection('fire-panels', 'connected');
    hub.tick(now + 14 * 60_000);
    expect(emitted).toEqual([]);
    now += 15 * 60_000 + 1; // fire-panels: quietAfterMin 15
    hub.tick(now);
    expect(emitted).toContain('fire-panels:quiet:raise');
    expect(hub.status(now).sources.find((s) => s.id === 'carparks')!.state).toBe('listening'); // 20 min: not yet quiet
    const alarm = [...core.engine.alarms.values()].find((a) => a.category === 'feed' && a.sourceId === 'fire-panels')!;
    expect(alarm.history[0]!.note).toMatch(/no data from source fire-panels for 15 min/);
    expect(hub.status(now).sources.find((s) => s.id === 'fire-panels')!.state).toBe('quiet');
    hub.tick(now + 1000);
    expect(emitted.filter((e) => e === 'fire-panels:quiet:raise')).toHaveLength(1); // one alarm, not one per tick
    const r = hub.accept('fire-panels', 'fire/P12/event', sample('fire-panel-event.json'), { receivedAt: now + 2000 });
    expect(r.ok).toBe(true);
    expect(emitted).toContain('fire-panels:quiet:rtn');
    // the panel's clock said 08:02:11Z, received at 08:15:00Z: kept with the received time, noted (not quarantined)
    const fp = hub.status(now).sources.find((s) => s.id === 'fire-panels')!;
    expect(fp).toMatchObject({ journaled: 1, quarantined: 0, byReason: { 'clock-skew': 1 } });
    expect(fp.recent[0]!.detail).toMatch(/received time used/);
    // rate: messages per second over the last 10 whole seconds
    for (let i = 0; i < 29; i++) hub.accept('fire-panels', 'fire/P12/event', sample('fire-panel-event.json'), { receivedAt: now + 2000 + i * 100 });
    expect(hub.status(now + 6000).sources.find((s) => s.id === 'fire-panels')!.ratePerS).toBe(3);
    expect(hub.status(now + 30_000).sources.find((s) => s.id === 'fire-panels')!.ratePerS).toBe(0);
    expect([...core.world.byStream.fire.values()].find((e) => e.kind === 'fire.detector' && e.detectorId === 'SD-12-3-1')!.ts).toBe(now + 2000);
    // down: disconnected longer than downAlarmAfterS (30 s)
    hub.setConnection('fire-panels', 'reconnecting', 'connect ECONNREFUSED');
    now += 29_000;
    hub.tick(now);
    expect(emitted).not.toContain('fire-panels:down:raise');
    now += 2_000;
    hub.tick(now);
    expect(emitted).toContain('fire-panels:down:raise');
    hub.setConnection('fire-panels', 'connected');
    expect(emitted).toContain('fire-panels:down:rtn');
    hub.close();
    core.close();
  });
});
