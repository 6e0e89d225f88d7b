/**
 * Feed reliability end to end: kill -9 the feed server mid-stream and restart it on the same journal — the UI ends
 * with exactly the server's alarms (none lost, none duplicated), recovered by replay. Fuzzed malformed events are all
 * rejected and counted without a crash, and the UI keeps working.
 *
 * These tests measure what they claim (nothing lost, nothing duplicated, bounded heap), not how fast this machine is:
 * every step waits on a condition (an alarm in the UI, a count reached, a status shown), never on a fixed sleep, and
 * each wait is capped by CAP_MS only so that a real hang fails instead of running forever. Speed (frame gaps, click
 * latency, alarm latency) is measured by `npm run bench`, not asserted here. Each test states its own cap: on an idle
 * 2-core machine the file takes about 6 minutes; under heavy CPU contention (load 15-20 on 2 cores) it may take up
 * to about 45 minutes before a cap ends it. The network-cut test holds a real outage of 125 s by design.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ACTION_CAP_MS,
  apiCall,
  CHROMIUM,
  CHROMIUM_ARGS,
  isLoopback,
  maxFrameGap,
  openApp,
  ROOT,
  startFrameMonitor,
  TEST_TOKEN,
  waitReady,
  type Session,
} from './harness.ts';
import { decode, stats } from './pixels.ts';
import { startProxy } from './proxy.ts';

const PORT = 5300 + Math.floor(Math.random() * 500);
const URL_ = `http://127.0.0.1:${PORT}`;
/** cap of any single wait on a condition (a hang fails; a slow machine only waits longer) */
const CAP_MS = 300_000;
/** cap of one whole test (several capped waits in a row) */
const TEST_CAP_MS = 900_000;

const alarmSources = (page: Page) => page.evaluate(() => window.__redwall!.store.live.alarms.map((a) => a.sourceId));
const alarmIds = (page: Page) => page.evaluate(() => window.__redwall!.store.live.alarms.map((a) => a.alarmId));
async function serverAlarmIds(): Promise<string[]> {
  return ((await (await apiCall(URL_, TEST_TOKEN, '/api/alarms')).json()) as { alarms: Array<{ alarmId: string }> }).alarms.map((a) => a.alarmId);
}

function startServer(journal: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      resolve(ROOT, 'data-pipelines/feed/main.ts'),
      '--port',
      String(PORT),
      '--journal',
      journal,
      '--tick',
      '100',
      '--incident-every',
      '1500',
      '--token',
      TEST_TOKEN,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((res, rej) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('RedWall feed + web shell')) res(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => rej(new Error(`feed server exited ${code}: ${out}`)));
    setTimeout(() => rej(new Error(`feed server did not start within ${CAP_MS / 1000} s: ${out}`)), CAP_MS).unref();
  });
}

async function inject(body: object): Promise<void> {
  const r = await apiCall(URL_, TEST_TOKEN, '/api/sim/incident', body);
  if (r.status !== 200) throw new Error(`inject: ${r.status} ${await r.text()}`);
}

let browser: Browser | null = null;
let server: ChildProcess | null = null;
afterAll(async () => {
  await browser?.close();
  server?.kill('SIGKILL');
});

describe('feed reliability', () => {
  it('kill -9 mid-stream and restart: zero lost, zero duplicated alarms in the UI (condition waits, cap 15 min)', { timeout: TEST_CAP_MS }, async () => {
    const journal = mkdtempSync(join(tmpdir(), 'redwall-kill-'));
    server = await startServer(journal);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    page.setDefaultTimeout(ACTION_CAP_MS);
    const errors: string[] = [];
    const external: string[] = [];
    page.on('console', (m) => {
      // a refused websocket while the server is down is expected noise, and so is a request the kill -9 cut off
      // mid-flight (the browser's own "net::ERR_CONNECTION_RESET"; since the buildings stream from the tileset, a
      // tile may be on its way at that moment); anything else is a failure
      if (m.type() === 'error' && !/WebSocket connection .* failed|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET/.test(m.text())) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!isLoopback(r.url())) external.push(r.url());
    });
    await page.goto(`${URL_}/`, { timeout: CAP_MS });
    await waitReady(page, CAP_MS);

    const before = [0, 1, 2, 3, 4].map((i) => `MH-0${String(1000 + i * 37).padStart(4, '0')}`);
    for (const wellId of before) await inject({ category: 'manhole', wellId, sensor: 'cover' });
    await inject({ category: 'fire', state: 'fire' });
    // the stream is flowing into the page (our alarms arrived; spontaneous incidents keep coming every 1.5 s)
    const first = await serverAlarmIds();
    await expect
      .poll(
        async () => {
          const ui = new Set(await alarmIds(page));
          return first.filter((id) => !ui.has(id));
        },
        { timeout: CAP_MS },
      )
      .toEqual([]);
    expect((await alarmSources(page)).filter((s) => before.includes(s)).length).toBe(5);

    server.kill('SIGKILL'); // mid-stream: the ticker is writing every 100 ms
    await new Promise((r) => server!.once('exit', r));
    await expect.poll(() => page.getAttribute('[data-testid=feed-status]', 'data-status'), { timeout: CAP_MS }).not.toBe('live');

    server = await startServer(journal);
    const after = [0, 1, 2, 3, 4].map((i) => `MH-0${String(2000 + i * 41).padStart(4, '0')}`);
    for (const wellId of after) await inject({ category: 'manhole', wellId, sensor: 'gas' });
    await inject({ category: 'care' });

    // Every alarm the server's journal holds must reach the UI, exactly once.
    const server1 = (await (await apiCall(URL_, TEST_TOKEN, '/api/alarms')).json()) as { epoch: string; alarms: Array<{ alarmId: string }> };
    const serverIds = server1.alarms.map((a) => a.alarmId);
    expect(serverIds.length).toBeGreaterThanOrEqual(12);
    await expect
      .poll(
        async () => {
          const uiIds = new Set(await alarmIds(page));
          return serverIds.filter((id) => !uiIds.has(id));
        },
        { timeout: CAP_MS },
      )
      .toEqual([]);
    expect((await alarmSources(page)).filter((s) => after.includes(s)).length).toBe(5);
    const ui = await page.evaluate(() => ({
      epoch: window.__redwall!.store.live.epoch,
      ids: window.__redwall!.store.live.alarms.map((a) => a.alarmId),
      replays: window.__redwall!.store.feed.replays,
      snapshots: window.__redwall!.store.feed.snapshots,
    }));
    const server2 = new Set(
      ((await (await apiCall(URL_, TEST_TOKEN, '/api/alarms')).json()) as { alarms: Array<{ alarmId: string }> }).alarms.map((a) => a.alarmId),
    );
    expect(ui.epoch).toBe(server1.epoch); // the journal kept its identity across the crash
    expect(ui.replays).toBeGreaterThanOrEqual(1); // recovered by exact replay, not a snapshot
    expect(ui.snapshots).toBe(1); // only the first load
    expect(new Set(ui.ids).size).toBe(ui.ids.length); // no duplicates
    expect(ui.ids.filter((id) => !server2.has(id))).toEqual([]); // nothing the server does not have
    // the DOM list shows each alarm once
    await page.click('[data-testid=alarm-filter-all]');
    const domIds = await page.locator('[data-testid=alarm-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-alarm')));
    expect(new Set(domIds).size).toBe(domIds.length);
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  });

  it(
    '100,000 fuzzed malformed events: all rejected and counted, no crash, alarms still arrive (condition waits, cap 15 min)',
    { timeout: TEST_CAP_MS },
    async () => {
      const s = await openApp({ testHooks: true });
      try {
        await waitReady(s.page, CAP_MS);
        await expect.poll(() => s.page.getAttribute('[data-testid=feed-status]', 'data-status'), { timeout: CAP_MS }).toBe('live');
        const before = await s.page.evaluate(() => window.__redwall!.store.feed.rejected);
        let seed = 1;
        const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const base = {
          stream: 'manhole',
          seq: 1,
          epoch: 'x',
          ts: 1,
          id: 'x',
          kind: 'manhole.reading',
          wellId: 'MH-00001',
          sensor: 'gas',
          value: 1,
          unit: '%LEL',
          level: 'normal',
        };
        const junk: unknown[] = [null, 'NaN', -1, 1e309, {}, [], 'x'.repeat(200), { $gt: 1 }, true, 'MH-1', '<script>'];
        const make = (i: number): unknown => {
          switch (i % 6) {
            case 0: {
              const e: Record<string, unknown> = { ...base };
              const keys = Object.keys(base);
              e[keys[Math.floor(rand() * keys.length)]!] = junk[Math.floor(rand() * junk.length)];
              e['seq'] = 0; // never a valid seq either
              return e;
            }
            case 1:
              return { ...base, kind: `unknown.${i}` };
            case 2:
              return { ...base, seq: 0, value: null };
            case 3:
              // oversize payloads: 1 in 500
              return i % 500 === 3 ? { ...base, seq: 0, extra: 'y'.repeat(30_000) } : { ...base, seq: -i };
            case 4:
              return junk[i % junk.length];
            default:
              return { ...base, seq: 0, lon: 'NaN', kind: 'care.call' };
          }
        };
        // batch after batch, each once the page has counted the previous one: the server bounds what it queues for a
        // slow client (it pauses and resyncs it), so sending faster than the page reads would test the bound, not this
        const rejected = () => s.page.evaluate(() => window.__redwall!.store.feed.rejected);
        let sent = 0;
        for (let b = 0; b < 50; b++) {
          const batch = Array.from({ length: 2000 }, (_, i) => make(b * 2000 + i));
          sent += batch.length;
          const r = await s.api('/api/test/raw', JSON.stringify(batch));
          expect(r.status).toBe(200);
          await expect.poll(rejected, { timeout: CAP_MS, message: `batch ${b + 1} of 50 counted` }).toBe(before + sent);
        }
        // and a few payloads that are not even arrays
        for (const p of [42, 'hello', { events: [] }]) await s.api('/api/test/raw', JSON.stringify(p));
        await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.feed.rejected), { timeout: CAP_MS }).toBe(before + sent + 3);
        const wellId = 'MH-00777';
        await s.api('/api/sim/incident', { wellId, sensor: 'gas' });
        await s.page.locator(`[data-testid=alarm-item][data-source=${wellId}]`).waitFor({ timeout: CAP_MS });
        expect(await s.page.getAttribute('[data-testid=feed-rejected]', 'data-count')).toBe(String(before + sent + 3));
        expect(s.consoleErrors).toEqual([]);
        expect(s.external).toEqual([]);
      } finally {
        await s.close();
      }
    },
  );

  it('WebGL context loss forced three times on each view: the views come back and draw (condition waits, cap 15 min)', { timeout: TEST_CAP_MS }, async () => {
    const s = await openApp();
    try {
      await waitReady(s.page, CAP_MS);
      // lose the context, wait for the page to see the loss (the event), then restore: no timed gap in between
      const lose = (selector: string) =>
        s.page.evaluate(async (sel) => {
          const canvas = document.querySelector<HTMLCanvasElement>(sel)!;
          const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGL2RenderingContext;
          const ext = gl.getExtension('WEBGL_lose_context')!;
          const lost = new Promise((r) => canvas.addEventListener('webglcontextlost', r, { once: true }));
          ext.loseContext();
          await lost;
          // restore only once the loss event's dispatch has finished (the browser allows a restore after it): next task
          await new Promise((r) => setTimeout(r, 0));
          ext.restoreContext();
        }, selector);
      const lit = async (sel: string) => stats(decode(await s.page.locator(sel).screenshot())).litFraction;
      for (let i = 1; i <= 3; i++) {
        await lose('#view3d canvas');
        await expect.poll(() => s.page.evaluate(() => window.__redwall!.restores3d()), { timeout: CAP_MS }).toBe(i);
        await s.page.evaluate(() => window.__redwall!.ready3d);
        await s.page.evaluate(() => window.__redwall!.view3d.nextFrame());
        await expect.poll(() => lit('#view3d'), { timeout: CAP_MS, message: `3D after restore ${i}` }).toBeGreaterThan(0.08);
      }
      await s.page.click('[data-testid=view-2d]');
      await s.page.waitForFunction(() => window.__redwall?.view2d() !== null);
      await s.page.evaluate(() => window.__redwall!.ready2d());
      let expected = 0;
      for (let i = 1; i <= 3; i++) {
        // the map's own canvas and deck.gl's overlay canvas, one after the other
        for (const sel of ['#view2d canvas.maplibregl-canvas', '#view2d canvas:not(.maplibregl-canvas)']) {
          await lose(sel);
          expected++;
          await expect.poll(() => s.page.evaluate(() => window.__redwall!.restores2d()), { timeout: CAP_MS }).toBe(expected);
          await s.page.evaluate(() => window.__redwall!.ready2d());
        }
        await expect.poll(() => lit('#view2d'), { timeout: CAP_MS, message: `2D after restore ${i}` }).toBeGreaterThan(0.05);
      }
      // live alarms still reach the restored views
      await s.api('/api/sim/incident', { wellId: 'MH-00321', sensor: 'gas' });
      await s.page.locator('[data-testid=alarm-item][data-source=MH-00321]').waitFor({ timeout: CAP_MS });
      // Chromium itself logs the deliberate context loss; nothing else may be logged as an error
      expect(s.consoleErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it(
    'alarm flood (up to 50/s for 10 s, then a 500 burst): the UI keeps handling clicks and counts match the journal (condition waits, cap 15 min)',
    { timeout: TEST_CAP_MS },
    async () => {
      const s: Session = await openApp();
      try {
        await waitReady(s.page, CAP_MS);
        // frame monitor: the longest gap between animation frames during the flood
        await startFrameMonitor(s.page);
        // the list is updated in place (issue 24): the filter tabs stay the same buttons through the flood
        await s.page.evaluate(() => Object.assign(document.querySelector('[data-testid=alarm-filter-unacked]')!, { __kept: true }));
        let n = 0;
        const well = () => `MH-${String(1000 + n++).padStart(5, '0')}`;
        // paced at most 50 per second (a slower machine only sends them more slowly; all 1,000 are sent)
        for (let sec = 0; sec < 10; sec++) {
          const t0 = Date.now();
          await Promise.all(Array.from({ length: 50 }, () => s.api('/api/sim/incident', { id: well(), sensor: 'cover', holdMs: 600_000 })));
          await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - t0))));
        }
        await Promise.all(Array.from({ length: 500 }, () => s.api('/api/sim/incident', { id: well(), sensor: 'cover', holdMs: 600_000 })));
        // an operator click during the aftermath is handled (how fast is the benchmark's business, not this test's)
        const t0 = Date.now();
        await s.page.click('[data-testid=alarm-filter-unacked]', { timeout: CAP_MS });
        await expect.poll(() => s.page.getAttribute('[data-testid=alarm-filter-unacked]', 'class'), { timeout: CAP_MS }).toContain('active');
        const clickMs = Date.now() - t0;
        const server = (await (await s.api('/api/alarms')).json()) as { alarms: Array<{ alarmId: string }> };
        expect(server.alarms.length).toBe(1000);
        await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.live.alarms.length), { timeout: CAP_MS }).toBe(server.alarms.length);
        // exactly the journal's alarms, none twice
        const ids = await alarmIds(s.page);
        expect(new Set(ids).size).toBe(ids.length);
        expect(new Set(ids)).toEqual(new Set(server.alarms.map((a) => a.alarmId)));
        // the flood is folded into a group row, not 1,000 rows
        await expect.poll(() => s.page.locator('[data-testid=alarm-group]').count(), { timeout: CAP_MS }).toBeGreaterThanOrEqual(1);
        // the group opens into all its alarms and closes again; the list is virtualised: the DOM holds the rows in
        // sight (and a few either side), every alarm is reachable by scrolling
        const wellRows = s.page.locator('[data-testid=alarm-item][data-category=manhole]');
        expect(await wellRows.count()).toBe(0);
        await s.page.click('[data-testid=alarm-group]');
        await expect.poll(() => wellRows.count(), { timeout: CAP_MS }).toBeGreaterThan(0);
        expect(await wellRows.count()).toBeLessThan(100);
        // an alarm from the middle of the flood, far from what is drawn: selected (as from the map) it is scrolled to
        const middle = await s.page.evaluate(() => {
          const flood = window.__redwall!.store.live.alarms.filter((a) => /^MH-01\d{3}$/.test(a.sourceId) && a.state === 'new');
          return flood[Math.floor(flood.length / 2)]!.alarmId;
        });
        const middleRow = s.page.locator(`[data-testid=alarm-item][data-alarm="${middle}"]`);
        expect(await middleRow.count()).toBe(0);
        await s.page.evaluate((alarmId) => void window.__redwall!.store.command({ type: 'selectAlarm', alarmId }), middle);
        await middleRow.waitFor({ timeout: CAP_MS });
        expect(await middleRow.getAttribute('class')).toContain('focused');
        // in sight inside the list's scroll box, once the alarm's detail has opened above the list (it shortens it)
        const inSight = () =>
          s.page.evaluate((id) => {
            const row = document.querySelector(`[data-testid=alarm-item][data-alarm="${id}"]`)?.getBoundingClientRect();
            const list = document.querySelector('[data-testid=alarm-list]')!.getBoundingClientRect();
            return !!row && row.top >= list.top - 0.5 && row.bottom <= list.bottom + 0.5;
          }, middle);
        await expect.poll(inSight, { timeout: CAP_MS }).toBe(true);
        expect(await wellRows.count()).toBeLessThan(100);
        // the operator scrolls back up by hand (the wheel): the list follows the hand, not the selection
        await middleRow.hover();
        await s.page.mouse.wheel(0, -1_000_000);
        await expect.poll(() => s.page.evaluate(() => document.querySelector('[data-testid=alarm-list]')!.scrollTop), { timeout: CAP_MS }).toBe(0);
        expect(await inSight()).toBe(false);
        await s.page.click('[data-testid=alarm-group]');
        await expect.poll(() => wellRows.count(), { timeout: CAP_MS }).toBe(0);
        expect(await s.page.evaluate(() => (document.querySelector('[data-testid=alarm-filter-unacked]') as unknown as { __kept?: boolean }).__kept)).toBe(
          true,
        );
        // a row is kept, not rebuilt, when another alarm arrives (keyed rows: the list costs what changed)
        const fireRows = '[data-testid=alarm-item][data-category=fire]';
        const [d1, d2] = s.server.core.entities.detectors;
        expect((await s.api('/api/sim/incident', { category: 'fire', id: d1!.id, state: 'smoke' })).status).toBe(200);
        await s.page.locator(fireRows).first().waitFor({ timeout: CAP_MS });
        await s.page.evaluate((sel) => Object.assign(document.querySelector(sel)!, { __kept: true }), fireRows);
        const tagged = await s.page.getAttribute(fireRows, 'data-alarm');
        expect((await s.api('/api/sim/incident', { category: 'fire', id: d2!.id, state: 'smoke' })).status).toBe(200);
        await expect.poll(() => s.page.locator(fireRows).count(), { timeout: CAP_MS }).toBeGreaterThanOrEqual(2);
        expect(
          await s.page.evaluate(
            (id) => (document.querySelector(`[data-testid=alarm-item][data-alarm="${id}"]`) as unknown as { __kept?: boolean } | null)?.__kept,
            tagged,
          ),
        ).toBe(true);
        const maxGap = await maxFrameGap(s.page);
        console.log(`flood (informative, not asserted): click handled in ${clickMs} ms, longest frame gap ${maxGap.toFixed(0)} ms`);
        expect(s.consoleErrors).toEqual([]);
      } finally {
        await s.close();
      }
    },
  );

  it(
    'network cut for more than 2 minutes: alarms raised meanwhile all arrive after the link returns (a real 125 s outage; condition waits, cap 15 min)',
    { timeout: TEST_CAP_MS },
    async () => {
      let target = 0;
      const proxy = await startProxy(() => target);
      // the page is served through the proxy, so its origin is the proxy's: declare it, as a deployment would
      const s = await openApp({ allowedOrigins: ['app://redwall', `http://127.0.0.1:${proxy.port}`] });
      target = s.server.port;
      // only the page behind the proxy is watched: the harness's own page would boot a second app beside it and eat
      // CPU for nothing on a 2-core machine
      await s.page.close();
      const page = await s.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(`http://127.0.0.1:${proxy.port}/`, { timeout: CAP_MS });
        await waitReady(page, CAP_MS);
        await expect.poll(() => page.getAttribute('[data-testid=feed-status]', 'data-status'), { timeout: CAP_MS }).toBe('live');
        proxy.cut();
        await expect.poll(() => page.getAttribute('[data-testid=feed-status]', 'data-status'), { timeout: CAP_MS }).not.toBe('live');
        const raised: string[] = [];
        const t0 = Date.now();
        // during the outage (> 2 minutes, longer than socket.io's own recovery window) alarms keep coming
        while (Date.now() - t0 < 125_000) {
          const id = `MH-${String(3000 + raised.length).padStart(5, '0')}`;
          await s.api('/api/sim/incident', { id, sensor: 'level', holdMs: 900_000 });
          raised.push(id);
          await new Promise((r) => setTimeout(r, 5_000));
        }
        proxy.restore();
        await expect.poll(() => page.getAttribute('[data-testid=feed-status]', 'data-status'), { timeout: CAP_MS }).toBe('live');
        await expect
          .poll(
            () =>
              page.evaluate((ids) => {
                const have = new Set(window.__redwall!.store.live.alarms.map((a) => a.sourceId));
                return ids.filter((i) => !have.has(i));
              }, raised),
            { timeout: CAP_MS },
          )
          .toEqual([]);
        const ui = await page.evaluate(() => ({
          ids: window.__redwall!.store.live.alarms.map((a) => a.alarmId),
          replays: window.__redwall!.store.feed.replays,
        }));
        expect(new Set(ui.ids).size).toBe(ui.ids.length);
        expect(ui.replays).toBeGreaterThanOrEqual(1);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
        await proxy.close();
        await s.close();
      }
    },
  );

  it(
    'accelerated soak: 100,000 live events (an hour of district traffic) keep the page heap bounded (condition waits, cap 15 min)',
    { timeout: TEST_CAP_MS },
    async () => {
      // 18k covers reporting every 10 s (~1,800 events/s offered), incidents every 2 s. The heap is measured after a
      // number of applied events, not after a number of seconds: a slow machine takes longer, the claim is the same.
      const s = await openApp({ sim: { wellReportMs: 10_000, incidentEveryMs: 2_000, parkingRate: 200 } });
      try {
        await waitReady(s.page, CAP_MS);
        const cdp = await s.context.newCDPSession(s.page);
        const heap = async () => {
          await cdp.send('HeapProfiler.collectGarbage');
          const m = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
          return m.usedSize / 1024 / 1024;
        };
        const received = () => s.page.evaluate(() => window.__redwall!.store.feed.received);
        const WARM = 20_000;
        const SOAK = 100_000;
        await expect.poll(received, { timeout: CAP_MS, interval: 1_000 }).toBeGreaterThanOrEqual(WARM);
        const early = await heap();
        const at = await received();
        const t0 = Date.now();
        await expect.poll(received, { timeout: 2 * CAP_MS, interval: 1_000 }).toBeGreaterThanOrEqual(at + SOAK);
        const late = await heap();
        const total = await received();
        console.log(
          `soak: ${total - at} events applied in ${((Date.now() - t0) / 1000).toFixed(0)} s after ${at}; heap ${early.toFixed(1)} MB -> ${late.toFixed(1)} MB`,
        );
        expect(total - at).toBeGreaterThanOrEqual(SOAK);
        expect(late - early).toBeLessThan(40);
        // A dropped socket under this load is recovered by design (reconnect + replay, checked by the counts above);
        // Chromium logs it as an error ("WebSocket connection … failed: Data frame received after close", seen once on
        // CI). It is counted and printed, not hidden; any other console error fails the test.
        const dropped = s.consoleErrors.filter((e) => /^WebSocket connection .* failed/.test(e));
        if (dropped.length) console.log(`soak: ${dropped.length} socket drop(s) recovered: ${dropped.join(' | ')}`);
        expect(s.consoleErrors.filter((e) => !dropped.includes(e))).toEqual([]);
      } finally {
        await s.close();
      }
    },
  );
});
