/**
 * Issue 18, faults with real components: a gateway process killed with SIGKILL while a publisher sends 10,000 QoS 1
 * messages (after restart every message is in the journal exactly once), a broker stopped for 60 s (reconnecting, a
 * feed-health alarm, recovery without a restart), and --sim-via (the demo simulator through a real broker).
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourcesStatus } from '../../data-pipelines/contracts/sources.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { loadEntities } from '../../data-pipelines/feed/entities.ts';
import { startFeedServer } from '../../data-pipelines/feed/server.ts';
import { loadSourcesFile } from '../../data-pipelines/sources/load.ts';
import { freePort, startBroker, until, type Broker } from './mosquitto.ts';

const root = resolve(import.meta.dirname, '../..');
let broker: Broker;
let assetsDir: string;

/** A sources file with one MQTT cover source (no platform message id: redeliveries are recognised by the DUP flag and the bytes). */
function coversFile(url: string, extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'redwall-faults-'));
  writeFileSync(join(dir, 'registry.csv'), 'device,entity\n868120045123456,MH-00420\n868120045123457,MH-00015\n');
  writeFileSync(
    join(dir, 'sources.json'),
    JSON.stringify({
      format: 'redwall-sources/1',
      sources: [
        {
          id: 'covers',
          kind: 'mqtt',
          quietAfterMin: 5,
          registry: 'registry.csv',
          ...extra,
          mqtt: { url, clientId: `redwall-covers-${Date.now()}`, topics: [{ filter: 'covers/+/up', qos: 1 }] },
          routes: [{ match: 'covers/{imei}/up', event: 'manhole.reading', device: { capture: 'imei' }, values: { level: { path: '$.level', unit: '%' } } }],
        },
      ],
    }),
  );
  return join(dir, 'sources.json');
}

/** Source events in a journal folder, read from the files (a torn last line after SIGKILL is skipped). */
function journaledOrigins(journalDir: string): string[] {
  const out: string[] = [];
  const dir = join(journalDir, 'manhole');
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.includes('"origin"')) continue;
      try {
        const ev = JSON.parse(line) as { origin?: string };
        if (ev.origin?.startsWith('covers/')) out.push(ev.origin);
      } catch {
        /* torn */
      }
    }
  }
  return out;
}

beforeAll(async () => {
  broker = await startBroker();
  assetsDir = mkdtempSync(join(tmpdir(), 'redwall-faults-assets-'));
  buildDistrict(assetsDir, () => undefined);
}, 120_000);
afterAll(async () => {
  await broker?.stop();
});

describe('sources under faults (real mosquitto, real processes)', () => {
  it('SIGKILL the gateway while 10,000 QoS 1 messages arrive: after restart every message is journaled exactly once', async () => {
    const file = coversFile(broker.url);
    const journal = mkdtempSync(join(tmpdir(), 'redwall-faults-j-'));
    const port = await freePort();
    const token = 'faults-operator-token-0123456789';
    let out = '';
    const gateway = (): ChildProcess => {
      const p = spawn(
        process.execPath,
        ['--import', 'tsx', 'data-pipelines/feed/main.ts', '--no-sim', '--sources', file, '--journal', journal, '--port', String(port), '--token', token],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      return p;
    };
    const connected = async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/sources`, { headers: { authorization: `Bearer ${token}` } });
        return SourcesStatus.parse(await r.json()).sources[0]?.state === 'connected';
      } catch {
        return false;
      }
    };
    let gw = gateway();
    try {
      await until(connected, 100);
      const pub = await mqtt.connectAsync(broker.url, { clientId: `faults-pub-${Date.now()}`, clean: true });
      let killed = false;
      const publishing = (async () => {
        for (let i = 0; i < 10_000; i += 100) {
          await Promise.all(
            Array.from({ length: 100 }, (_, k) =>
              pub.publishAsync(`covers/86812004512345${(i + k) % 2 ? 6 : 7}/up`, JSON.stringify({ i: i + k, level: ((i + k) % 90) + 0.5 }), { qos: 1 }),
            ),
          );
        }
      })();
      // kill -9 in the middle of the stream
      await until(() => journaledOrigins(journal).length >= 2_500, 20);
      gw.kill('SIGKILL');
      await new Promise((r) => gw.once('exit', r));
      killed = true;
      const atKill = journaledOrigins(journal).length;
      expect(atKill).toBeLessThan(10_000);
      await publishing; // the broker holds the rest for the gateway's session
      await pub.endAsync();
      gw = gateway();
      await until(() => journaledOrigins(journal).length >= 10_000, 100);
      await until(connected, 100);
      // settle: redeliveries still in flight would show up as extra lines (they must not)
      await new Promise((r) => setTimeout(r, 1_000));
      const origins = journaledOrigins(journal);
      expect(killed).toBe(true);
      expect(new Set(origins).size).toBe(10_000);
      expect(origins.length).toBe(10_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- gateway output ---\n${out.slice(-3000)}\n--- broker ---\n${broker.log().slice(-2000)}`);
    } finally {
      gw.kill('SIGTERM');
      await new Promise((r) => (gw.exitCode !== null ? r(null) : gw.once('exit', r)));
    }
  }, 600_000);

  it('the broker stopped for 60 s: the source shows reconnecting, a feed-health alarm is raised, and it recovers by itself', async () => {
    const file = coversFile(broker.url);
    const server = await startFeedServer({
      assetsDir,
      journalDir: mkdtempSync(join(tmpdir(), 'redwall-faults-j-')),
      sim: null,
      sources: loadSourcesFile(file, loadEntities(assetsDir)),
      tickMs: 100,
      heartbeatMs: 500,
      log: () => undefined,
    });
    const st = () => server.sources.status().sources[0]!;
    const downAlarm = () => [...server.core.engine.alarms.values()].find((a) => a.category === 'feed' && a.sourceId === 'covers' && a.cause === 'down');
    try {
      await until(() => st().state === 'connected');
      await broker.stop();
      const stoppedAt = Date.now();
      await until(() => st().state === 'reconnecting');
      expect(st().detail).toBeDefined();
      await until(() => downAlarm()?.active === true, 200);
      expect(downAlarm()!.history[0]!.note).toMatch(/source covers is reconnecting for more than 30 s/);
      // the 60 s outage
      await new Promise((r) => setTimeout(r, Math.max(0, 60_000 - (Date.now() - stoppedAt))));
      await broker.start();
      await until(() => st().state === 'connected', 200);
      await until(() => downAlarm()?.active === false);
      const pub = await mqtt.connectAsync(broker.url, { clientId: `faults-pub2-${Date.now()}`, clean: true });
      await pub.publishAsync('covers/868120045123456/up', JSON.stringify({ level: 42 }), { qos: 1 });
      await pub.endAsync();
      await until(() => st().journaled === 1);
    } finally {
      await server.close();
    }
  }, 300_000);

  it('--sim-via: the demo simulator publishes through the broker and its readings come back through the simulator source', async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'redwall-simvia-'));
    const server = await startFeedServer({
      assetsDir,
      journalDir,
      sim: { incidentEveryMs: 0 },
      simVia: broker.url,
      tickMs: 100,
      heartbeatMs: 500,
      log: () => undefined,
    });
    try {
      await until(() => (server.sources.status().sources.find((s) => s.id === 'simulator')?.journaled ?? 0) > 50);
      const st = server.sources.status().sources.find((s) => s.id === 'simulator')!;
      expect(st).toMatchObject({ kind: 'mqtt', state: 'connected', quarantined: 0 });
      // every live sensor event came through the broker (origin set); none was journaled in-process beside it
      const live = (['manhole', 'parking', 'env', 'care', 'fire'] as const).flatMap((s) => server.core.journal.since(s, 0) ?? []);
      expect(live.length).toBeGreaterThan(50);
      expect(live.filter((e) => !e.origin?.startsWith('simulator/'))).toEqual([]);
    } finally {
      await server.close();
    }
    await expect(
      startFeedServer({ assetsDir, journalDir: mkdtempSync(join(tmpdir(), 'redwall-simvia-')), sim: null, simVia: broker.url, log: () => undefined }),
    ).rejects.toThrow(/--sim-via needs the simulator/);
    await expect(
      startFeedServer({ assetsDir, journalDir: mkdtempSync(join(tmpdir(), 'redwall-simvia-')), simVia: 'http://example.com', log: () => undefined }),
    ).rejects.toThrow(/--sim-via takes mqtt:\/\/HOST:PORT/);
  }, 120_000);
});

describe('MQTT over TLS with username and password (real mosquitto, certificates made by openssl)', () => {
  let secure: Awaited<ReturnType<typeof startBroker>>;
  beforeAll(async () => {
    secure = await startBroker({
      secure: (dir) => {
        const sh = (cmd: string) => execSync(cmd, { cwd: dir, stdio: 'pipe' });
        sh('openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=RedWall test CA" -keyout ca.key -out ca.pem');
        sh('openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr');
        writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
        sh('openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.pem');
        sh('mosquitto_passwd -b -c passwd gateway s3cret-gateway-pass');
        return [
          `cafile ${join(dir, 'ca.pem')}`,
          `certfile ${join(dir, 'server.pem')}`,
          `keyfile ${join(dir, 'server.key')}`,
          `password_file ${join(dir, 'passwd')}`,
          'allow_anonymous false',
        ];
      },
    });
  }, 120_000);
  afterAll(async () => {
    await secure?.stop();
  });

  const tlsSource = (mqttExtra: Record<string, unknown>) => {
    const file = coversFile(secure.url);
    const f = JSON.parse(readFileSync(file, 'utf8')) as { sources: Array<{ mqtt: Record<string, unknown> }> };
    Object.assign(f.sources[0]!.mqtt, mqttExtra);
    writeFileSync(file, JSON.stringify(f));
    copyFileSync(join(secure.dir, 'ca.pem'), join(dirname(file), 'ca.pem'));
    return file;
  };

  it('connects with the district CA and its password from the environment; a wrong password is failing with the broker’s reason; an unknown CA is refused', async () => {
    const good = loadSourcesFile(tlsSource({ username: 'gateway', passwordEnv: 'COVERS_MQTT_PASSWORD', tls: { ca: 'ca.pem' } }), loadEntities(assetsDir), {
      COVERS_MQTT_PASSWORD: 's3cret-gateway-pass',
    });
    const wrongPass = loadSourcesFile(tlsSource({ username: 'gateway', passwordEnv: 'COVERS_MQTT_PASSWORD', tls: { ca: 'ca.pem' } }), loadEntities(assetsDir), {
      COVERS_MQTT_PASSWORD: 'guess',
    });
    const noCa = loadSourcesFile(tlsSource({ username: 'gateway', passwordEnv: 'COVERS_MQTT_PASSWORD' }), loadEntities(assetsDir), {
      COVERS_MQTT_PASSWORD: 's3cret-gateway-pass',
    });
    const servers = await Promise.all(
      [good, wrongPass, noCa].map((sources) =>
        startFeedServer({ assetsDir, journalDir: mkdtempSync(join(tmpdir(), 'redwall-tls-j-')), sim: null, sources, tickMs: 100, log: () => undefined }),
      ),
    );
    const st = (i: number) => servers[i]!.sources.status().sources[0]!;
    try {
      await until(() => st(0).state === 'connected');
      const pub = await mqtt.connectAsync(secure.url, {
        clientId: `tls-pub-${Date.now()}`,
        username: 'gateway',
        password: 's3cret-gateway-pass',
        ca: readFileSync(join(secure.dir, 'ca.pem')),
      });
      await pub.publishAsync('covers/868120045123456/up', JSON.stringify({ level: 12 }), { qos: 1 });
      await pub.endAsync();
      await until(() => st(0).journaled === 1);
      await until(() => st(1).state === 'failing');
      expect(st(1).detail).toMatch(/not authori[sz]ed|bad user ?name or password/i);
      await until(() => st(2).detail !== undefined && st(2).state !== 'connected');
      expect(st(2).detail).toMatch(/certificate/i);
      // never the password in what the operator sees
      for (const i of [0, 1, 2]) expect(JSON.stringify(st(i))).not.toContain('s3cret');
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  }, 120_000);
});
