/**
 * How the feed server sends events (data-pipelines/feed/emitter.ts), over a real socket: events from the sources are
 * coalesced per turn (one packet for the messages read together), and a direct emit sends those waiting first, so a
 * screen sees every stream in seq order. Real feed server, real HTTP push source, real socket.io client.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIRE, type FeedEvent } from '../../data-pipelines/contracts/events.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { loadEntities } from '../../data-pipelines/feed/entities.ts';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';
import { loadSourcesFile } from '../../data-pipelines/sources/load.ts';

const examples = join(import.meta.dirname, '../../assets/sources');
const TOKENS = { REDWALL_INGEST_CARPARK_TOKEN: 'carpark-token-0123456789abcdef' };
let server: FeedServer;
let socket: Socket;
/** every `events` packet the screen got, in order */
const packets: FeedEvent[][] = [];

beforeAll(async () => {
  const assetsDir = mkdtempSync(join(tmpdir(), 'redwall-emit-assets-'));
  buildDistrict(assetsDir, () => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'redwall-emit-'));
  // the example car park source only (HTTP push: no broker needed)
  const f = JSON.parse(readFileSync(join(examples, 'district-sources.json'), 'utf8')) as { sources: Array<{ id: string }> };
  writeFileSync(join(dir, 'sources.json'), JSON.stringify({ ...f, sources: f.sources.filter((s) => s.id === 'carparks') }));
  const registry = readFileSync(join(examples, 'registry.csv'), 'utf8').split('\n');
  writeFileSync(join(dir, 'registry.csv'), [registry[0], ...registry.filter((l) => l.split(',')[2] === 'carparks')].join('\n') + '\n');
  const sources = loadSourcesFile(join(dir, 'sources.json'), loadEntities(assetsDir), TOKENS);
  // no simulator and no tick during the test: the only events are the ones it makes
  server = await startFeedServer({ assetsDir, journalDir: join(dir, 'journal'), sim: null, sources, tickMs: 3_600_000, log: () => undefined });
  socket = connect(server.url, { transports: ['websocket'], reconnection: false });
  socket.on(WIRE.events, (evs: FeedEvent[]) => packets.push(evs));
  await new Promise<void>((resolve, reject) => {
    socket.on(WIRE.hello, () => socket.emit(WIRE.subscribe, { epoch: null, since: {} }));
    socket.once(WIRE.snapshot, () => resolve());
    socket.on('connect_error', reject);
  });
}, 120_000);

afterAll(async () => {
  socket?.disconnect();
  await server?.close();
});

const push = (free: number) => server.sources.accept('carparks', '/free-spaces', Buffer.from(JSON.stringify({ parkCode: 'B708', free })));
const parking = (evs: FeedEvent[]) => evs.filter((e) => e.kind === 'parking.occupancy');

describe('feed emitter', () => {
  it('source messages read in one turn reach the screen as one packet, in seq order', async () => {
    const from = packets.length;
    const seq0 = server.core.world.seqs.parking;
    for (const free of [11, 12, 13]) expect(push(free)).toMatchObject({ ok: true, journaled: 1 });
    await expect.poll(() => packets.slice(from).flatMap(parking).length).toBe(3);
    const withParking = packets.slice(from).filter((p) => parking(p).length > 0);
    expect(withParking).toHaveLength(1);
    expect(parking(withParking[0]!).map((e) => e.seq)).toEqual([seq0 + 1, seq0 + 2, seq0 + 3]);
  });

  it('a direct emit in the same turn sends the waiting source events first, then its own', async () => {
    const from = packets.length;
    expect(push(21)).toMatchObject({ ok: true, journaled: 1 });
    server.publish([
      { stream: 'manhole', kind: 'manhole.reading', ts: Date.now(), wellId: 'MH-00421', sensor: 'gas', value: 1, unit: '%LEL', level: 'normal' },
    ]);
    await expect
      .poll(
        () =>
          packets
            .slice(from)
            .flat()
            .filter((e) => e.kind === 'manhole.reading').length,
      )
      .toBe(1);
    const got = packets.slice(from).filter((p) => p.some((e) => e.kind === 'parking.occupancy' || e.kind === 'manhole.reading'));
    expect(got.map((p) => p.map((e) => e.kind))).toEqual([['parking.occupancy'], ['manhole.reading']]);
  });
});
