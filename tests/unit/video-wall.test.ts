/**
 * Live video, pure parts (issue 20): the tile's life (connecting → playing → stalled → offline → retry; H.265 is
 * "unsupported", not an outage), the wall's tiles (grid sizes, one camera one tile, alarms never take pinned tiles),
 * the wall as audited commands on the root store, saved with a layout, and the CSP carrying exactly the video origins.
 */
import { configure } from 'mobx';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../data-pipelines/contracts/csp.ts';
import { parseLayout } from '../../renderer/src/stores/layouts.ts';
import { RootStore } from '../../renderer/src/stores/root.ts';
import { HTTP_FLV_PER_ORIGIN, pickStream, releaseFlvSlot, takeFlvSlot } from '../../renderer/src/video/engines.ts';
import {
  backoffMs,
  initialTile,
  isHevc,
  OFFLINE_AFTER_MS,
  STALL_AFTER_MS,
  tileHealth,
  tileStep,
  type TileEvent,
  type TileModel,
} from '../../renderer/src/video/tile-model.ts';
import { assignTile, autoAssign, pinTile, resizeWall, type WallTile } from '../../renderer/src/video/wall-logic.ts';

configure({ enforceActions: 'always' });

const run = (events: Array<[number, TileEvent]>, m: TileModel = initialTile(0)): TileModel => events.reduce((acc, [at, ev]) => tileStep(acc, ev, at), m);

describe('tile model', () => {
  it('plays once the picture moves (the first sample is the live edge it seeked to), stalls, then goes offline and retries', () => {
    let m = run([
      [0, { t: 'start' }],
      [500, { t: 'tick', currentTime: 12.3 }],
    ]);
    expect(m.state).toBe('connecting'); // a seek to the live edge is not a picture yet
    m = run([[1000, { t: 'tick', currentTime: 12.8 }]], m);
    expect(m.state).toBe('playing');
    m = run([[1000 + STALL_AFTER_MS, { t: 'tick', currentTime: 12.8 }]], m);
    expect(m.state).toBe('stalled');
    expect(tileHealth(m)).toBe('pending');
    // frames again: back to playing
    const back = run([[1000 + STALL_AFTER_MS + 500, { t: 'tick', currentTime: 13 }]], m);
    expect(back.state).toBe('playing');
    m = run([[1000 + OFFLINE_AFTER_MS, { t: 'tick', currentTime: 12.8 }]], m);
    expect(m).toMatchObject({ state: 'offline', detail: 'no signal', failures: 1, reconnectAt: 1000 + OFFLINE_AFTER_MS + backoffMs(1) });
    expect(tileHealth(m)).toBe('down');
  });

  it('a network error is offline at once, with a growing backoff; frames reset it', () => {
    let m = initialTile(0);
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      m = tileStep(tileStep(m, { t: 'start' }, i * 100_000), { t: 'error', kind: 'network', detail: 'manifestLoadError' }, i * 100_000);
      delays.push(m.reconnectAt! - i * 100_000);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    m = run(
      [
        [800_000, { t: 'start' }],
        [800_500, { t: 'tick', currentTime: 0 }],
        [801_000, { t: 'tick', currentTime: 0.4 }],
      ],
      m,
    );
    expect(m).toMatchObject({ state: 'playing', failures: 0 });
  });

  it('an undecodable codec is "unsupported" (not an outage), retried only after a minute', () => {
    const m = run([
      [0, { t: 'codec', codec: 'hvc1.1.6.L93.B0' }],
      [10, { t: 'error', kind: 'unsupported', detail: 'hvc1.1.6.L93.B0' }],
      [20, { t: 'error', kind: 'network', detail: 'later noise' }],
    ]);
    expect(m).toMatchObject({ state: 'unsupported', codec: 'hvc1.1.6.L93.B0', reconnectAt: 60_010 });
    expect(tileHealth(m)).toBe('unsupported');
    expect(isHevc(m.codec)).toBe(true);
    expect(isHevc('avc1.42c01e')).toBe(false);
  });

  it('keeps HTTP-FLV players per gateway under the browser limit of 6 connections per server; WebSocket-FLV needs no slot', () => {
    const a = 'http://10.0.0.1:8080/live/a.flv';
    for (let i = 0; i < HTTP_FLV_PER_ORIGIN; i++) expect(takeFlvSlot(a)).toBe(true);
    expect(takeFlvSlot('http://10.0.0.1:8080/live/b.flv')).toBe(false); // same origin, another stream
    expect(takeFlvSlot('http://10.0.0.2:8080/live/b.flv')).toBe(true); // another gateway
    expect(takeFlvSlot('ws://10.0.0.1:8080/live/b.flv')).toBe(true);
    releaseFlvSlot(a);
    expect(takeFlvSlot(a)).toBe(true);
    for (let i = 0; i < HTTP_FLV_PER_ORIGIN; i++) releaseFlvSlot(a);
    releaseFlvSlot('http://10.0.0.2:8080/live/b.flv');
    expect(takeFlvSlot(a)).toBe(true);
    releaseFlvSlot(a);
  });

  it('picks the lowest-latency protocol a camera offers, or the one asked for', () => {
    const s = { hls: 'http://gw/a.m3u8', flv: 'http://gw/a.flv' };
    expect(pickStream(s)).toEqual({ protocol: 'flv', url: s.flv });
    expect(pickStream(s, 'hls')).toEqual({ protocol: 'hls', url: s.hls });
    expect(pickStream({})).toBeNull();
  });
});

const cams = (tiles: WallTile[]) => tiles.map((t) => t.cameraId);

describe('video wall tiles', () => {
  it('resizes, moves a camera rather than showing it twice, refuses tiles off the grid', () => {
    let w = resizeWall([], 4);
    w = assignTile(w, 0, 'A', 1)!;
    w = assignTile(w, 2, 'A', 2)!;
    expect(cams(w)).toEqual([null, null, 'A', null]);
    expect(assignTile(w, 4, 'B', 3)).toBeNull();
    expect(assignTile(w, -1, 'B', 3)).toBeNull();
    expect(cams(resizeWall(w, 1))).toEqual([null]);
    expect(cams(resizeWall(w, 9))).toHaveLength(9);
  });

  it("an alarm's cameras take empty tiles, then the oldest alarm tiles, then the operator's; never pinned ones", () => {
    let w = resizeWall([], 4);
    w = assignTile(w, 0, 'OP1', 10)!;
    w = pinTile(assignTile(w, 1, 'PINNED', 11)!, 1, true)!;
    let r = autoAssign(w, ['X1', 'X2'], 'AL-1', 20);
    expect(cams(r.tiles)).toEqual(['OP1', 'PINNED', 'X1', 'X2']);
    r = autoAssign(r.tiles, ['Y1', 'X2'], 'AL-2', 30);
    // X2 already shows: it stays; Y1 takes the oldest alarm tile (X1's)
    expect(cams(r.tiles)).toEqual(['OP1', 'PINNED', 'Y1', 'X2']);
    expect(r.placed).toEqual([2, 3]);
    r = autoAssign(r.tiles, ['Z1', 'Z2', 'Z3', 'Z4'], 'AL-3', 40);
    expect(cams(r.tiles)[1]).toBe('PINNED');
    expect(r.placed).toEqual([3, 2, 0, -1]); // the oldest alarm tile first (X2's, then Y1's), then the operator's
  });

  it('wall commands are audited on the root store, and the wall is saved with a layout', async () => {
    const store = new RootStore();
    expect(await store.command({ type: 'videoWall', cmd: { op: 'grid', n: 9 } })).toBeNull();
    expect(await store.command({ type: 'videoWall', cmd: { op: 'assign', tile: 3, cameraId: 'CAM-0001' } })).toBeNull();
    expect(await store.command({ type: 'videoWall', cmd: { op: 'pin', tile: 3, pinned: true } })).toBeNull();
    expect(await store.command({ type: 'videoWall', cmd: { op: 'assign', tile: 12, cameraId: 'CAM-0002' } })).toMatchObject({ ok: false });
    const auto = await store.command({ type: 'videoWall', cmd: { op: 'auto', alarmId: 'AL-1', cameraIds: ['CAM-0009'] } });
    expect(auto).toBeNull();
    expect(store.ui.audit.filter((r) => r.command.type === 'videoWall').map((r) => r.result)).toEqual([
      'ok',
      'ok',
      'ok',
      expect.stringMatching(/^error: tile 12/),
      'ok',
    ]);
    const saved = store.video.saved;
    expect(saved.grid).toBe(9);
    expect(saved.tiles[3]).toEqual({ cameraId: 'CAM-0001', pinned: true });
    // through a layout file and back onto another screen
    const text = JSON.stringify({
      format: 'redwall-layout/1',
      name: 'wall',
      savedAt: 1,
      savedBy: 'x',
      locale: 'zh-CN',
      view: '3d',
      workspace: 'ops',
      layers: {},
      camera3d: null,
      camera2d: null,
      alarmFilter: 'open',
      alarmCategory: 'all',
      analysis: null,
      videoWall: saved,
    });
    const parsed = parseLayout(text);
    expect(parsed.ok).toBe(true);
    const other = new RootStore();
    if (parsed.ok) await other.command({ type: 'applyLayout', layout: parsed.layout });
    expect(other.video.grid).toBe(9);
    expect(other.video.tiles.map((t) => t.cameraId)).toEqual(saved.tiles.map((t) => t.cameraId));
    expect(other.video.tiles[3]!.pinned).toBe(true);
    // a hostile camera id in a layout file is refused with the reason
    const bad = parseLayout(text.replace('CAM-0001', '../../etc'));
    expect(bad.ok).toBe(false);
  });
});

describe('content security policy', () => {
  it('allows exactly the video origins given (connect-src and media-src), nothing that is not a bare origin', () => {
    const csp = contentSecurityPolicy(['http://127.0.0.1:5180'], ['http://10.1.2.3:8080', 'ws://10.1.2.3:8080', 'http://evil; script-src *', 'http://x/path']);
    const directive = (name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `))!;
    expect(directive('connect-src')).toContain('http://10.1.2.3:8080');
    expect(directive('connect-src')).toContain('ws://10.1.2.3:8080');
    expect(directive('media-src')).toContain('http://10.1.2.3:8080');
    expect(csp).not.toContain('evil');
    expect(csp).not.toContain('http://x/path');
    expect(directive('script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'");
    // no registry: as before
    expect(contentSecurityPolicy(['http://127.0.0.1:5180'])).not.toMatch(/10\.1\.2\.3/);
  });
});
