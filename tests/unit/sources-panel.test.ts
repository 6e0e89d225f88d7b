/**
 * The renderer's side of connected sources (issue 18): the sources panel's formatting, the sources status arriving
 * over a real socket.io connection into the store (validated: an invalid message is counted, never applied), and
 * feed-health alarms (category `feed`), which are about a data source, not a place: labelled as such, never a pin.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Alarm } from '../../data-pipelines/contracts/alarm.ts';
import { WIRE } from '../../data-pipelines/contracts/events.ts';
import { SOURCE_STATES, SourcesStatus, type SourceStatus } from '../../data-pipelines/contracts/sources.ts';
import { QUARANTINE_REASONS } from '../../data-pipelines/sources/mapping.ts';
import { FeedClient } from '../../renderer/src/feed/client.ts';
import { fmtAgo, fmtRate, isTrouble, messageAgeMs, reasonLabel, reasonRows, stateBadge } from '../../renderer/src/feed/sources-format.ts';
import { gridPerformance } from '../../renderer/src/grid/performance.ts';
import { t } from '../../renderer/src/i18n.ts';
import { alarmPoints } from '../../renderer/src/layers/alarms/index.ts';
import { alarmHasPlace, alarmTitle, categoryLabel, causeLabel } from '../../renderer/src/layers/alarms/format.ts';
import { RootStore } from '../../renderer/src/stores/root.ts';
import { SourcesStore } from '../../renderer/src/stores/sources-store.ts';

const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);

function source(p: Partial<SourceStatus> = {}): SourceStatus {
  return {
    id: 'fire-panels',
    kind: 'mqtt',
    state: 'connected',
    since: T0 - 60_000,
    endpoint: 'mqtt://127.0.0.1:1883',
    file: '/srv/redwall/district-sources.json',
    quietAfterMin: 15,
    ratePerS: 2.5,
    lastMessageAt: T0 - 12_000,
    messages: 100,
    journaled: 98,
    duplicates: 1,
    quarantined: 1,
    byReason: { 'unknown-device': 1 },
    recent: [
      {
        at: T0 - 5_000,
        reason: 'unknown-device',
        detail: 'device FP-9 is not in the registry',
        path: '$.device',
        sample: '<img src=x onerror=alert(1)>',
        topic: 'fire/panel/9',
      },
    ],
    ...p,
  };
}

let n = 0;
function alarm(p: Partial<Alarm>): Alarm {
  n++;
  return {
    alarmId: `AL-${n}`,
    category: 'manhole',
    sourceId: `MH-${n}`,
    cause: 'gas',
    priority: 2,
    state: 'new',
    active: true,
    raisedAt: T0,
    updatedAt: T0,
    lon: 116.305,
    lat: 39.905,
    drill: false,
    history: [{ action: 'raise', by: 'system', at: T0 }],
    ...p,
  };
}

describe('sources panel formatting', () => {
  it('badges: connected/listening green, connecting/reconnecting amber, quiet/failing red, each with a label in both languages', () => {
    const tones = Object.fromEntries(SOURCE_STATES.map((s) => [s, stateBadge(s).tone]));
    expect(tones).toEqual({ connecting: 'warn', connected: 'ok', listening: 'ok', reconnecting: 'warn', quiet: 'bad', failing: 'bad' });
    for (const s of SOURCE_STATES) {
      const b = stateBadge(s);
      expect(b.cls).toBe(`src-state ${b.tone}`);
      for (const l of ['zh-CN', 'en'] as const) expect(t(b.key, undefined, l)).not.toBe(b.key);
    }
    expect(t(stateBadge('quiet').key, undefined, 'en')).toBe('no data');
    expect(SOURCE_STATES.filter((s) => isTrouble({ state: s }))).toEqual(['reconnecting', 'quiet', 'failing']);
  });

  it('relative times and rates read naturally in both languages', () => {
    expect(fmtAgo(null, 'en')).toBe('never');
    expect(fmtAgo(null, 'zh-CN')).toBe('从未收到');
    expect(fmtAgo(400, 'en')).toBe('just now');
    expect(fmtAgo(12_400, 'en')).toBe('12 s ago');
    expect(fmtAgo(12_400, 'zh-CN')).toBe('12 秒前');
    expect(fmtAgo(125_000, 'en')).toBe('2 min ago');
    expect(fmtAgo(3 * 3600_000 + 5, 'en')).toBe('3 h ago');
    expect(fmtAgo(3 * 86_400_000, 'en')).toBe('3 days ago');
    expect(fmtAgo(-5_000, 'en')).toBe('just now'); // a clock step never shows a negative age
    expect(fmtRate(0, 'en')).toBe('0 msg/s');
    expect(fmtRate(Number.NaN, 'en')).toBe('0 msg/s');
    expect(fmtRate(0.04, 'en')).toBe('<0.1 msg/s');
    expect(fmtRate(2.46, 'en')).toBe('2.5 msg/s');
    expect(fmtRate(2.46, 'zh-CN')).toBe('2.5 条/秒');
    expect(fmtRate(1204.4, 'en')).toBe('1,204 msg/s');
  });

  it("a message's age uses the server's clock for the server's part: a page clock an hour off changes nothing", () => {
    const serverTs = T0;
    const pageSkew = 3600_000;
    // the server saw the last message 10 s before it sent the status; the page got the status 3 s ago by its own clock
    expect(messageAgeMs(serverTs - 10_000, serverTs, T0 + pageSkew, T0 + pageSkew + 3_000)).toBe(13_000);
    expect(messageAgeMs(null, serverTs, T0, T0 + 1)).toBeNull();
  });

  it('quarantine reasons: largest first, every reason the gateway gives has a label, unknown ones are shown as sent', () => {
    expect(reasonRows({ 'bad-json': 2, 'unknown-device': 7, 'out-of-range': 2 })).toEqual([
      { reason: 'unknown-device', count: 7 },
      { reason: 'bad-json', count: 2 },
      { reason: 'out-of-range', count: 2 },
    ]);
    for (const r of QUARANTINE_REASONS) for (const l of ['zh-CN', 'en'] as const) expect(reasonLabel(r, l), `${l} ${r}`).not.toBe(r);
    expect(reasonLabel('unknown-device', 'en')).toBe('unknown device');
    expect(reasonLabel('something-new', 'en')).toBe('something-new');
    expect(reasonLabel('constructor', 'en')).toBe('constructor');
  });
});

describe('feed-health alarms (category feed) are about a source, not a place', () => {
  const quiet = alarm({ category: 'feed', sourceId: 'fire-panels', cause: 'quiet' });
  const down = alarm({ category: 'feed', sourceId: 'parking-http', cause: 'down' });

  it('read "Source X: no data" / "connection down" in both languages', () => {
    expect(categoryLabel('feed', 'zh-CN')).toBe('数据源');
    expect(categoryLabel('feed', 'en')).toBe('Data source');
    expect(causeLabel(quiet, 'en')).toBe('no data');
    expect(alarmTitle(quiet, 'en')).toBe('Source fire-panels: no data');
    expect(alarmTitle(quiet, 'zh-CN')).toBe('数据源 fire-panels 无数据');
    expect(alarmTitle(down, 'en')).toBe('Source parking-http: connection down');
    expect(alarmTitle(down, 'zh-CN')).toBe('数据源 parking-http 连接中断');
    // the causes are the feed's own: a manhole alarm with an unknown cause 'quiet' is not relabelled
    expect(causeLabel(alarm({ cause: 'quiet' }), 'en')).toBe('quiet');
  });

  it('are never a pin on the 2D/3D maps, nor an event of the grid cell at the district centre', () => {
    const store = new RootStore();
    const well = alarm({});
    store.realLive.applyBatch(
      [quiet, down, well].map(
        (a, i) => ({ stream: 'alarm', kind: 'alarm.update', seq: i + 1, epoch: 'e', ts: T0, id: `alarm:${i + 1}`, action: 'raise', alarm: a }) as never,
      ),
    );
    expect(store.live.openAlarms.map((a) => a.alarmId).sort()).toEqual([quiet.alarmId, down.alarmId, well.alarmId].sort());
    expect(alarmPoints(store).map((p) => p.id)).toEqual([well.alarmId]);
    expect(alarmHasPlace(quiet)).toBe(false);
    expect(alarmHasPlace(well)).toBe(true);
    const grids = [{ id: 'G1', west: 116.3, south: 39.9, east: 116.31, north: 39.91 }];
    expect(gridPerformance([quiet, down, well], grids, T0 + 1000, 86_400_000).map((g) => [g.gridId, g.events])).toEqual([['G1', 1]]);
  });

  it('opening the sources panel for a source expands and focuses it; closing clears the focus', () => {
    const store = new RootStore();
    void store.command({ type: 'sourcesPanel', open: true, sourceId: 'fire-panels' });
    expect([store.ui.sourcesOpen, store.ui.sourcesFocus, store.ui.expandedSources]).toEqual([true, 'fire-panels', ['fire-panels']]);
    void store.command({ type: 'toggleSource', sourceId: 'fire-panels' });
    expect(store.ui.expandedSources).toEqual([]);
    void store.command({ type: 'sourcesPanel', open: false });
    expect([store.ui.sourcesOpen, store.ui.sourcesFocus]).toEqual([false, null]);
  });
});

describe('sources status: store and feed client', () => {
  it('the store applies a valid status and rejects an invalid one with its reason, keeping the last valid one', () => {
    const s = new SourcesStore();
    const ok = { ts: T0, sources: [source(), source({ id: 'parking-http', kind: 'http', state: 'quiet', endpoint: '/api/ingest/parking-http' })] };
    expect(SourcesStatus.safeParse(ok).success).toBe(true);
    expect(s.receive(ok, T0 + 5)).toBeNull();
    expect(s.status?.sources.map((x) => x.id)).toEqual(['fire-panels', 'parking-http']);
    expect(s.receivedAt).toBe(T0 + 5);
    expect(s.troubleIds).toEqual(['parking-http']);
    // a state the contract does not know, an extra field (strict), not an object at all
    const bad = [{ ts: T0, sources: [{ ...source(), state: 'exploded' }] }, { ts: T0, sources: [{ ...source(), password: 'x' }] }, 'sources', null];
    for (const b of bad) expect(s.receive(b, T0 + 10)).toMatch(/^sources: /);
    expect(s.rejected).toBe(4);
    expect(s.lastInvalid).toBe(true);
    expect(s.status?.sources).toHaveLength(2);
    expect(s.receivedAt).toBe(T0 + 5);
    expect(s.receive({ ts: T0 + 2000, sources: [] }, T0 + 20)).toBeNull();
    expect([s.lastInvalid, s.sources.length, s.troubleIds]).toEqual([false, 0, []]);
  });

  describe('over a real socket.io connection', () => {
    const cleanup: Array<() => void | Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanup.splice(0).reverse()) await c();
    });

    it('the feed client stores a valid status and counts an invalid one as a rejected message, never throwing', async () => {
      const http = createServer();
      const io = new Server(http, { transports: ['websocket'] });
      cleanup.push(() => new Promise<void>((r) => void io.close(() => r())));
      const valid = { ts: T0, sources: [source({ state: 'reconnecting', detail: 'ECONNREFUSED 127.0.0.1:1883' })] };
      io.on('connection', (sock) => {
        sock.emit(WIRE.sources, valid);
        // an invalid one after it (a newer state, a broken server): counted, the valid one stays
        sock.emit(WIRE.sources, { ts: T0 + 1, sources: [{ ...valid.sources[0], ratePerS: -1 }] });
        sock.emit(WIRE.sources, { ts: 'soon' });
      });
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      const { port } = http.address() as AddressInfo;
      const store = new RootStore();
      const client = new FeedClient(store, { url: `http://127.0.0.1:${port}` });
      cleanup.push(() => client.destroy());
      client.start();
      await vi.waitFor(() => expect(store.sources.rejected).toBe(2), { timeout: 10_000, interval: 20 });
      expect(store.sources.status).toEqual(valid);
      expect(store.sources.troubleIds).toEqual(['fire-panels']);
      expect(store.feed.rejected).toBe(2);
      expect(store.feed.lastRejectReason).toMatch(/^sources: ts: /);
      // the next valid status replaces it
      io.emit(WIRE.sources, { ts: T0 + 2000, sources: [source()] });
      await vi.waitFor(() => expect(store.sources.status?.ts).toBe(T0 + 2000), { timeout: 10_000, interval: 20 });
      expect(store.sources.troubleIds).toEqual([]);
      expect(store.sources.lastInvalid).toBe(false);
    });
  });
});
