/**
 * Fire drill end to end in Chromium: an operator loads a scenario file, the drill is marked DRILL everywhere and its
 * alarm sits apart from real ones; selecting the fire alarm peels the building into floors, shows the evacuation plan
 * (stair A smoke-logged, leave by stair B) in 3D and 2D, and records a broadcast; afterwards the drill run replays
 * with a timeline and its after-action report exports as CSV and HTML, checked by reading the downloaded files.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DRAWN, openApp, ROOT, waitReady, type Session } from './harness.ts';
import { countColour, decode, stats } from './pixels.ts';

const OUT = resolve(ROOT, 'test-results');
mkdirSync(OUT, { recursive: true });
let s: Session;

/** A short drill (seconds, not minutes) with scripted responders at known offsets. */
const SCENARIO = {
  format: 'redwall-drill/1',
  name: 'e2e plant stair smoke',
  steps: [
    { at: 0.5, do: 'smoke', detectorId: 'SD-3792-3-1', note: '3F stair A landing' },
    { at: 2, do: 'operator', action: 'acknowledge', source: 'SD-3792-3-1' },
    { at: 3.5, do: 'operator', action: 'dispatch', source: 'SD-3792-3-1', team: '东南消防救援站' },
    { at: 5, do: 'operator', action: 'onsite', source: 'SD-3792-3-1' },
    { at: 6, do: 'clear', detectorId: 'SD-3792-3-1' },
  ],
};

describe('fire drill, evacuation and after-action review', () => {
  beforeAll(async () => {
    s = await openApp({ scenariosDir: resolve(ROOT, 'assets/scenarios') });
    await waitReady(s.page);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists the shipped scenarios and refuses a broken scenario file with a clear error', async () => {
    await expect.poll(() => s.page.getAttribute('[data-testid=feed-status]', 'data-status'), { timeout: 120_000 }).toBe('live');
    await expect.poll(() => s.page.locator('[data-testid=drill-scenario] option').count(), { timeout: 120_000 }).toBe(2);
    // a listed scenario: the start button is enabled and no "why is the list empty" note is shown
    expect(await s.page.isEnabled('[data-testid=drill-start]')).toBe(true);
    expect(await s.page.locator('[data-testid=drill-list-note]').count()).toBe(0);
    await s.page.setInputFiles('[data-testid=drill-file]', {
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ ...SCENARIO, steps: [{ at: 1, do: 'smoke', detectorId: 'SD-x' }] })),
    });
    await expect.poll(() => s.page.textContent('[data-testid=drill-error]')).toMatch(/broken\.json.*steps\.0\.detectorId/);
  });

  it('runs a drill marked DRILL everywhere, its alarm apart from real ones', async () => {
    // a real alarm at the same time, to show they do not mix
    expect((await s.api('/api/sim/incident', { category: 'manhole', id: 'MH-00010', sensor: 'gas' })).status).toBe(200);
    await s.page.setInputFiles('[data-testid=drill-file]', { name: 'e2e.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(SCENARIO)) });
    await s.page.waitForSelector('[data-testid=drill-running]', { timeout: 120_000 });
    expect(await s.page.textContent('[data-testid=mode-banner]')).toContain('DRILL');
    await s.page.waitForSelector('[data-testid=alarm-item][data-source="SD-3792-3-1"]', { timeout: 120_000 });
    const order = await s.page.$$eval('[data-testid=alarm-list] li', (els) =>
      els.map((e) => e.getAttribute('data-source') ?? (e.getAttribute('data-testid') === 'drill-divider' ? 'DIVIDER' : '')),
    );
    expect(order.indexOf('MH-00010')).toBeLessThan(order.indexOf('DIVIDER'));
    expect(order.indexOf('DIVIDER')).toBeLessThan(order.indexOf('SD-3792-3-1'));
    expect(await s.page.textContent('[data-testid=alarm-item][data-source="SD-3792-3-1"]')).toContain('DRILL');
    // the status bar's real-alarm count does not include the drill alarm
    const counts = await s.page.evaluate(() => window.__redwall!.store.live.counts.open);
    expect(counts).toBe(1);
  });

  it('a real SOS during the drill opens its video but does not move the map: it is offered; the video closes once the SOS is resolved', async () => {
    const nonce = () => s.page.evaluate(() => window.__redwall!.store.ui.cameraRequest?.nonce ?? 0);
    const before = await nonce();
    expect((await s.api('/api/sim/incident', { category: 'sos', id: 'SOS-002' })).status).toBe(200);
    const offer = s.page.locator('[data-testid=sos-offer]');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('SOS-002');
    // the video is open, and no camera move was asked for (the offer is shown by the same reaction that would fly)
    await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.ui.videoCameraId)).not.toBeNull();
    expect(await nonce()).toBe(before);
    await s.page.click('[data-testid=sos-offer-fly]');
    await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.ui.cameraRequest?.kind ?? null)).toBe('point');
    expect(await nonce()).toBeGreaterThan(before);
    expect(await offer.count()).toBe(0);
    // handled: acknowledge, then resolve; the pop-up goes with it
    const item = s.page.locator('[data-testid=alarm-item][data-source=SOS-002]');
    await item.click();
    const alarmId = await item.getAttribute('data-alarm');
    for (const [action, state] of [
      ['acknowledge', 'acknowledged'],
      ['resolve', 'resolved'],
    ] as const) {
      await s.page.click(`[data-testid=alarm-action-${action}]`);
      await expect.poll(() => s.page.evaluate((id) => window.__redwall!.store.live.alarm(id!)?.state, alarmId)).toBe(state);
    }
    await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.ui.videoCameraId)).toBeNull();
    await s.page.evaluate(() => void window.__redwall!.store.command({ type: 'selectAlarm', alarmId: null }));
  });

  it('selecting the fire alarm peels the building, plans the evacuation around the smoke-logged stair and draws it', async () => {
    await s.page.click('[data-testid=alarm-item][data-source="SD-3792-3-1"]');
    await s.page.waitForSelector('[data-testid=evacuation-plan]');
    expect(await s.page.evaluate(() => window.__redwall!.store.ui.explodedBuildingId)).toBe(3792);
    expect(await s.page.textContent('[data-testid=evac-blocked]')).toMatch(/^A/);
    expect(await s.page.textContent('[data-testid=evac-indoor]')).toMatch(/楼梯 B → 出口 B/);
    expect(await s.page.textContent('[data-testid=evac-outdoor]')).toMatch(/应急避难场所 \d+ · \d+ m/);
    expect(await s.page.textContent('[data-testid=evac-responder]')).toMatch(/消防救援站 · [\d.]+ km/);
    await s.page.click('[data-testid=evac-broadcast]');
    expect(await s.page.textContent('[data-testid=evac-broadcast-done]')).toContain('(DRILL)');
    // 3D: camera at the building; the alarming detector (red, fire colours) and the green route are drawn
    // polled through the camera flight
    await vi.waitFor(async () => {
      await s.page.evaluate(() => window.__redwall!.view3d.nextFrame());
      const png3 = decode(await s.page.locator('#view3d').screenshot({ path: resolve(OUT, 'drill-3d.png') }));
      expect(stats(png3).litFraction).toBeGreaterThan(0.05);
      expect(countColour(png3, [60, 255, 140], 50)).toBeGreaterThan(20); // indoor route
    }, DRAWN);
    await s.page.screenshot({ path: resolve(ROOT, 'docs/screenshots/drill-evacuation-3d.png') });
    // 2D: routes on the analysis map
    await s.page.click('[data-testid=view-2d]');
    await s.page.evaluate(() => window.__redwall!.ready2d());
    // frame the building and its routes
    await s.page.evaluate(() => {
      const m = window.__redwall!.view2d()!.map;
      const a = window.__redwall!.store.live.alarms.find((x) => x.sourceId === 'SD-3792-3-1')!;
      m.jumpTo({ center: [a.lon, a.lat], zoom: 15.2 });
    });
    await vi.waitFor(async () => {
      const png2 = decode(await s.page.locator('#view2d').screenshot({ path: resolve(OUT, 'drill-2d.png') }));
      expect(countColour(png2, [40, 220, 255], 40) + countColour(png2, [245, 245, 255], 20)).toBeGreaterThan(30);
    }, DRAWN);
    await s.page.screenshot({ path: resolve(ROOT, 'docs/screenshots/drill-evacuation-2d.png') });
    await s.page.click('[data-testid=view-3d]');
  });

  it('the finished drill replays with a timeline; its after-action report exports as CSV and HTML', async () => {
    await s.page.waitForSelector('[data-testid=drill-run][data-state=ended]', { timeout: 120_000 });
    expect(await s.page.isHidden('[data-testid=mode-banner]')).toBe(true);
    await s.page.click('[data-testid=drill-run][data-state=ended]');
    await s.page.waitForSelector('[data-testid=replay-slider]', { timeout: 120_000 });
    expect(await s.page.textContent('[data-testid=mode-banner]')).toContain('REPLAY');
    // seek to the end of the window: the replayed world has the drill alarm resolved... and real alarms untouched
    const max = Number(await s.page.getAttribute('[data-testid=replay-slider]', 'max'));
    await s.page.evaluate((t) => {
      const r = window.__redwall!.store.replay as unknown as { seek(t: number): void };
      r.seek(t);
    }, max);
    const st = await s.page.evaluate(() => window.__redwall!.store.live.alarms.filter((a) => a.sourceId === 'SD-3792-3-1').map((a) => [a.state, a.active]));
    expect(st).toEqual([['onsite', false]]);
    // play from the start at x60 moves the clock
    await s.page.evaluate(() =>
      (window.__redwall!.store.replay as unknown as { seek(t: number): void; from: number }).seek(
        (window.__redwall!.store.replay as unknown as { from: number }).from,
      ),
    );
    await s.page.selectOption('[data-testid=replay-speed]', '60');
    await s.page.click('[data-testid=replay-play]');
    const t0 = Number(await s.page.getAttribute('[data-testid=replay-clock]', 'data-t'));
    await expect.poll(async () => Number(await s.page.getAttribute('[data-testid=replay-clock]', 'data-t')), { timeout: 120_000 }).toBeGreaterThan(t0);

    await s.page.click('[data-testid=replay-report]');
    expect(await s.page.textContent('[data-testid=report-ack-median]')).toBe('1.5 秒');
    const [csvDl] = await Promise.all([s.page.waitForEvent('download'), s.page.click('[data-testid=report-csv]')]);
    const csv = readFileSync(await csvDl.path(), 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const head = csv[0]!.split(',');
    const row = csv.map((l) => l.split(',')).find((c) => c[head.indexOf('source_id')] === 'SD-3792-3-1')!;
    expect(row[head.indexOf('drill')]).toBe('drill');
    expect(Number(row[head.indexOf('to_ack_s')])).toBe(1.5);
    expect(Number(row[head.indexOf('to_dispatch_s')])).toBe(3);
    expect(Number(row[head.indexOf('to_onsite_s')])).toBe(4.5);
    const [htmlDl] = await Promise.all([s.page.waitForEvent('download'), s.page.click('[data-testid=report-html]')]);
    const html = readFileSync(await htmlDl.path(), 'utf8');
    expect(html).toContain('e2e plant stair smoke');
    expect(html).toContain('东南消防救援站');
    // the exported report opens on its own (no external resources) and shows the table
    const p2 = await s.context.newPage();
    await p2.setContent(html);
    expect(await p2.locator('table').count()).toBeGreaterThanOrEqual(2);
    await p2.close();
    await s.page.click('[data-testid=replay-exit]');
    expect(await s.page.evaluate(() => window.__redwall!.store.replay)).toBeNull();
  });

  it('made no request off loopback and logged no console errors', () => {
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });
});
