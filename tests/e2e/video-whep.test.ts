/**
 * The test-video server's WHEP endpoint (tests/unit/video-streams.ts, issue 20) with a real WebRTC client in Debian
 * Chromium: the sender page (a canvas camera) and a player page on another loopback origin open in one browser; the
 * player POSTs its offer (a CORS preflight), gets 201 + answer + Location, and plays the camera sent to 127.0.0.1
 * (only loopback ICE candidates are exchanged). DELETE ends the session at the sender; stop() cuts the media and refuses new sessions until start().
 * No request leaves loopback.
 */
import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../unit/mosquitto.ts';
import { startVideoServer, WEBRTC_LOOPBACK_ARGS, type TestStream, type VideoServer } from '../unit/video-streams.ts';
import { ACTION_CAP_MS, CHROMIUM, CHROMIUM_ARGS, isLoopback, ROOT, TEST_TOKEN, waitReady } from './harness.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFeedServer } from '../../data-pipelines/feed/server.ts';

let video: VideoServer;
let cam: TestStream;
let browser: Browser;
let playerSite: Server;
let playerOrigin: string;
const external: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  video = await startVideoServer();
  cam = await video.add('cam-w', { label: '西门 WHEP' });
  // the player page lives on another loopback origin, like the wall and a real gateway
  playerSite = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><meta charset="utf-8"><title>player</title><body></body>');
  });
  await new Promise<void>((r) => playerSite.listen(0, '127.0.0.1', () => r()));
  playerOrigin = `http://127.0.0.1:${(playerSite.address() as { port: number }).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...WEBRTC_LOOPBACK_ARGS], headless: true });
});

afterAll(async () => {
  await browser?.close();
  await video?.close();
  await new Promise((r) => playerSite?.close(r));
});

async function newPage(url: string): Promise<Page> {
  const ctx = await browser.newContext();
  ctx.setDefaultTimeout(ACTION_CAP_MS);
  // Chromium offers 127.0.0.1 ICE candidates only to pages with media permission (nothing is captured)
  await ctx.grantPermissions(['camera', 'microphone'], { origin: new URL(url).origin });
  ctx.on('request', (r) => {
    if (!isLoopback(r.url())) external.push(r.url());
  });
  await ctx.route(
    (u) => !isLoopback(u.href),
    (route) => route.abort('blockedbyclient'),
  );
  const page = await ctx.newPage();
  page.on('console', (m) => {
    // the refused POST while the camera is stopped is expected; nothing else may fail
    if (m.type() === 'error' && !/status of 404/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return page;
}

interface WhepResult {
  status: number;
  body: string;
  location: string | null;
  contentType: string | null;
}

/** A minimal WHEP client in the page: recvonly video, non-trickle offer, answer applied; pc and video kept on window. */
function whepPlay(page: Page, url: string): Promise<WhepResult> {
  return page.evaluate(async (whepUrl) => {
    const w = window as unknown as { pc: RTCPeerConnection; video: HTMLVideoElement };
    const pc = new RTCPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const v = document.createElement('video');
    v.muted = true;
    v.autoplay = true;
    document.body.append(v);
    pc.ontrack = (ev) => {
      v.srcObject = new MediaStream([ev.track]);
    };
    w.pc = pc;
    w.video = v;
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    });
    const res = await fetch(whepUrl, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription!.sdp });
    const body = await res.text();
    if (res.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: body });
    return { status: res.status, body, location: res.headers.get('location'), contentType: res.headers.get('content-type') };
  }, url);
}

describe('WHEP from a sender page (Chromium, loopback only)', () => {
  it('plays the canvas camera over 127.0.0.1, DELETE ends it, stop()/start() cut and restore it', { timeout: 600_000 }, async () => {
    const sender = await newPage(cam.whepSenderUrl);
    await until(() => cam.whep().senders === 1);
    const player = await newPage(`${playerOrigin}/`);

    const r = await whepPlay(player, cam.whepUrl);
    expect(r.status, r.body).toBe(201);
    expect(r.contentType).toBe('application/sdp');
    expect(r.location).toMatch(/^\/whep\/cam-w\/[\w-]+$/);
    // only loopback candidates were passed on
    const cands = r.body.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
    expect(cands.length).toBeGreaterThan(0);
    expect(cands.every((l) => l.split(' ')[4] === '127.0.0.1')).toBe(true);

    // the picture moves: 320x180 frames keep coming
    await player.waitForFunction(
      () => {
        const v = (window as unknown as { video: HTMLVideoElement }).video;
        return v.videoWidth === 320 && v.videoHeight === 180 && v.currentTime > 1;
      },
      undefined,
      { timeout: 120_000, polling: 200 },
    );
    // the media flows to 127.0.0.1: only loopback candidates were exchanged. Chromium may send from a socket on one of
    // this machine's own addresses (it ranks its loopback candidate below real interfaces); never another host's.
    const pair = await player.evaluate(async () => {
      const stats = await (window as unknown as { pc: RTCPeerConnection }).pc.getStats();
      const all = [...stats.values()] as Array<Record<string, unknown>>;
      const transport = all.find((s) => s['type'] === 'transport');
      const p = all.find((s) => s['id'] === transport?.['selectedCandidatePairId']);
      const addr = (id: unknown) => all.find((s) => s['id'] === id)?.['address'];
      return { local: addr(p?.['localCandidateId']), remote: addr(p?.['remoteCandidateId']), bytes: p?.['bytesReceived'] };
    });
    const own = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((i) => i.address));
    expect(pair.remote).toBe('127.0.0.1');
    expect(own).toContain(pair.local);
    expect(pair.bytes).toBeGreaterThan(0);
    expect(cam.whep().sessions).toBe(1);
    await until(async () => (await sender.evaluate(() => (window as unknown as { whepSessions: () => number }).whepSessions())) === 1);

    // DELETE the session: the sender closes its peer connection
    const del = await player.evaluate(async (u) => (await fetch(u, { method: 'DELETE' })).status, new URL(r.location!, cam.whepUrl).href);
    expect(del).toBe(200);
    expect(cam.whep().sessions).toBe(0);
    await until(async () => (await sender.evaluate(() => (window as unknown as { whepSessions: () => number }).whepSessions())) === 0);

    // a new session, then the camera goes away: the media stops and new sessions are refused until it is back
    const again = await whepPlay(player, cam.whepUrl);
    expect(again.status, again.body).toBe(201);
    await player.waitForFunction(() => (window as unknown as { pc: RTCPeerConnection }).pc.connectionState === 'connected', undefined, { timeout: 120_000 });
    await cam.stop();
    await player.waitForFunction(() => (window as unknown as { pc: RTCPeerConnection }).pc.connectionState !== 'connected', undefined, {
      timeout: 120_000,
      polling: 200,
    });
    expect((await whepPlay(player, cam.whepUrl)).status).toBe(404);
    await cam.start();
    const back = await whepPlay(player, cam.whepUrl);
    expect(back.status, back.body).toBe(201);
    await player.waitForFunction(() => (window as unknown as { pc: RTCPeerConnection }).pc.connectionState === 'connected', undefined, { timeout: 120_000 });

    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("RedWall's own WHEP player: a registry camera with only a WebRTC URL plays on the video wall", { timeout: 600_000 }, async () => {
    await expect.poll(() => cam.running && cam.whep().senders >= 1, { timeout: 120_000 }).toBe(true);
    const server = await startFeedServer({
      staticDir: join(ROOT, 'dist/renderer'),
      assetsDir: join(ROOT, 'assets/district'),
      journalDir: mkdtempSync(join(tmpdir(), 'redwall-whep-')),
      sim: null,
      token: TEST_TOKEN,
      log: () => undefined,
      cameras: [
        {
          id: 'WHEP-1',
          name: 'WHEP 西门',
          lon: 116.45,
          lat: 39.93,
          heightM: 6,
          heading: 0,
          fov: 60,
          rangeM: 100,
          ptz: false,
          streams: { webrtc: cam.whepUrl },
        },
      ],
    });
    try {
      const page = await newPage(`${server.url}/?screen=video`);
      await waitReady(page);
      await page.waitForFunction(() => window.__redwall!.store.video.registry.size === 1, undefined, { timeout: 120_000 });
      const before = cam.whep().sessions; // the first test's last session may still be open
      await page.evaluate(() => window.__redwall!.store.command({ type: 'videoWall', cmd: { op: 'assign', tile: 0, cameraId: 'WHEP-1' } }));
      const tile = page.locator('[data-testid=live-tile][data-camera=WHEP-1]');
      const state = async () =>
        `${await tile.getAttribute('data-state')} ${await tile.getAttribute('data-protocol')} ${await tile.locator('[data-testid=tile-overlay]').getAttribute('title')}`;
      await expect.poll(state, { timeout: 120_000 }).toMatch(/^playing webrtc/);
      expect(await tile.getAttribute('data-protocol')).toBe('webrtc');
      const v = await tile.locator('video').evaluate((el) => ({ w: (el as HTMLVideoElement).videoWidth, t: (el as HTMLVideoElement).currentTime }));
      expect(v.w).toBe(320);
      await expect.poll(() => tile.locator('video').evaluate((el) => (el as HTMLVideoElement).currentTime), { timeout: 120_000 }).toBeGreaterThan(v.t + 1);
      expect(cam.whep().sessions).toBe(before + 1);
      // taking it off the wall ends the WHEP session (DELETE)
      await page.evaluate(() => window.__redwall!.store.command({ type: 'videoWall', cmd: { op: 'assign', tile: 0, cameraId: null } }));
      await expect.poll(() => cam.whep().sessions, { timeout: 120_000 }).toBe(before);
      expect(external).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
