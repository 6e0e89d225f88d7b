/**
 * The video wall in Chromium: the overview screen (?screen=wall: KPI columns around the live 3D map) and the
 * dashboard screen (?screen=dashboard: KPIs only, no map) side by side in one browser, as two displays of a wall PC.
 * The KPIs equal the live store's numbers, every chart draws real pixels, an injected alarm reaches both screens,
 * a click on one screen selects the alarm on the other (and flies its map there), and the multi-display dialog of the
 * web shell saves a layout and lists one URL per screen.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globeLoaded, openApp, recordErrors, ROOT, waitReady, type Session } from './harness.ts';
import { compareGolden, decode, MASK_COLOR, settledShot, stats } from './pixels.ts';
import { maskOf, setGoldenStyle, WALL_MASKED } from './wall-golden.ts';

const OUT = resolve(ROOT, 'test-results');
const SHOTS = resolve(ROOT, 'docs/screenshots');
mkdirSync(OUT, { recursive: true });
let s: Session;
let dash: Page;

async function chartDrawn(page: Page, id: string): Promise<{ lit: number; colours: number }> {
  const el = page.locator(`[data-testid=wall-chart-${id}]`);
  await el.locator('canvas').first().waitFor({ timeout: 120_000 });
  const st = stats(decode(await el.screenshot()));
  return { lit: st.litFraction, colours: st.distinctColours };
}

describe('video wall screens', () => {
  beforeAll(async () => {
    s = await openApp({}, '?screen=wall', { width: 1920, height: 1080 });
    await waitReady(s.page);
    dash = await s.context.newPage();
    recordErrors(dash, s.consoleErrors, 'dashboard');
    for (const p of [s.page, dash]) p.on('response', (r) => void (r.status() >= 400 && s.consoleErrors.push(`HTTP ${r.status()} ${r.url()}`)));
    await dash.setViewportSize({ width: 1920, height: 1080 });
    // from the first paint, record what the dashboard shows: feed state (data-status), shown phase, streams tile
    await dash.addInitScript(() => {
      const seen: Array<{ status: string | null; phase: string | null; streams: string | null; tilePhase: string | null }> = [];
      (window as unknown as { __wallSeen: typeof seen }).__wallSeen = seen;
      const look = () => {
        const pill = document.querySelector('[data-testid=wall-feed]');
        const tile = document.querySelector('[data-testid=wall-kpi-streams]');
        if (!pill || !tile) return;
        const rec = {
          status: pill.getAttribute('data-status'),
          phase: pill.getAttribute('data-phase'),
          streams: tile.getAttribute('data-value'),
          tilePhase: tile.getAttribute('data-phase'),
        };
        const last = seen[seen.length - 1];
        if (!last || JSON.stringify(last) !== JSON.stringify(rec)) seen.push(rec);
      };
      new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await dash.goto(`${s.server.url}/?screen=dashboard`);
    await waitReady(dash);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the wall overview replaces the console chrome with KPI columns around the map', async () => {
    expect(await s.page.locator('#left').isVisible()).toBe(false);
    expect(await s.page.locator('#topbar').isVisible()).toBe(false);
    for (const id of ['wall-top', 'wall-left', 'wall-right', 'view3d']) expect(await s.page.locator(`[data-testid=${id}]`).isVisible(), id).toBe(true);
    const box = await s.page.locator('#stage').boundingBox();
    expect(box!.width).toBeGreaterThan(900); // the map keeps the centre of the wall
    // the dashboard screen has no map at all
    expect(await dash.locator('#stage').isVisible()).toBe(false);
    expect(await dash.locator('[data-testid=wall-grid]').isVisible()).toBe(true);
  });

  it('start-up reads as starting, not as an outage: no 数据停滞, no 0/10 streams before the first state', async () => {
    await expect.poll(() => dash.getAttribute('[data-testid=wall-feed]', 'data-phase'), { timeout: 120_000 }).toBe('live');
    const seen = await dash.evaluate(
      () =>
        (window as unknown as { __wallSeen: Array<{ status: string | null; phase: string | null; streams: string | null; tilePhase: string | null }> })
          .__wallSeen,
    );
    // the start-up window: from the first paint to the first time the feed is shown live
    const upTo = seen.findIndex((r) => r.phase === 'live');
    expect(upTo, JSON.stringify(seen)).toBeGreaterThan(0);
    const startup = seen.slice(0, upTo + 1);
    expect(startup[0]!.tilePhase, JSON.stringify(seen)).toBe('starting');
    // shown as starting (or connecting/offline states as they are), never as stalled
    expect(
      startup.filter((r) => r.phase === 'stale' || r.status === 'stale'),
      JSON.stringify(seen),
    ).toEqual([]);
    // the streams tile shows either "starting" or every stream healthy: never a false 0/10
    expect(
      startup.filter((r) => r.tilePhase !== 'starting' && r.streams !== '10'),
      JSON.stringify(seen),
    ).toEqual([]);
    expect(await dash.locator('[data-testid=wall-wait]:visible').count()).toBe(0);
  });

  it('KPI tiles show the live store’s numbers; an injected alarm reaches both screens', async () => {
    // held for an hour: the golden below must not see it decay
    const res = await s.api('/api/sim/incident', { wellId: 'MH-00420', sensor: 'gas', holdMs: 3_600_000 });
    expect(res.status).toBe(200);
    for (const p of [s.page, dash]) {
      await p.locator('[data-testid=wall-latest] [data-alarm]').first().waitFor({ timeout: 120_000 });
      await expect
        .poll(async () => {
          const counts = await p.evaluate(() => window.__redwall!.store.realLive.counts);
          const tile = await p.getAttribute('[data-testid=wall-kpi-open]', 'data-value');
          return Number(tile) === counts.open && counts.open > 0;
        })
        .toBe(true);
      const unacked = await p.evaluate(() => window.__redwall!.store.realLive.counts.unacked);
      expect(Number(await p.getAttribute('[data-testid=wall-kpi-unacked]', 'data-value'))).toBe(unacked);
      // 窨井告警 = the open manhole alarms the list shows (one source)
      const manholeOpen = await p.evaluate(() => window.__redwall!.store.realLive.openAlarms.filter((a) => a.category === 'manhole' && !a.drill).length);
      expect(manholeOpen).toBeGreaterThan(0);
      await expect.poll(() => p.getAttribute('[data-testid=wall-kpi-wells]', 'data-value')).toBe(String(manholeOpen));
    }
    // parking occupancy tile = occupied / capacity over the live world
    await expect.poll(() => s.page.getAttribute('[data-testid=wall-kpi-parking]', 'data-value'), { timeout: 120_000 }).not.toBe('-1');
    const expected = await s.page.evaluate(() => {
      let o = 0;
      let c = 0;
      for (const ev of window.__redwall!.store.realLive.world.byStream.parking.values()) {
        if (ev.kind !== 'parking.occupancy') continue;
        o += ev.occupied;
        c += ev.capacity;
      }
      return o / c;
    });
    expect(Number(await s.page.getAttribute('[data-testid=wall-kpi-parking]', 'data-value'))).toBeCloseTo(expected, 2);
  });

  it('every chart draws real pixels on both screens (not a blank box)', async () => {
    // the feed-rate and parking trends need a couple of samples
    await s.page.evaluate(() => window.__redwall!.wall()!.sample(Date.now() + 5000));
    await dash.evaluate(() => window.__redwall!.wall()!.sample(Date.now() + 5000));
    for (const p of [s.page, dash]) {
      for (const id of ['alarms', 'response', 'raised', 'gauge', 'parkingTrend', 'feed']) {
        const d = await chartDrawn(p, id);
        expect(d.colours, `${id} colours`).toBeGreaterThan(6);
        expect(d.lit, `${id} lit`).toBeGreaterThan(0.01);
      }
    }
    await s.page.screenshot({ path: resolve(SHOTS, 'wall-overview.png') });
    await dash.screenshot({ path: resolve(SHOTS, 'wall-dashboard.png') });
    const whole = stats(decode(await s.page.screenshot({ path: resolve(OUT, 'wall-overview.png') })));
    expect(whole.distinctColours).toBeGreaterThan(60);
  });

  it('the wall overview matches its golden image (tolerance 0.1% of pixels beyond pixelmatch threshold 0.1: no run-to-run difference measured)', async () => {
    // What is on the wall now is fixed by the test: one gas alarm (held an hour), no spontaneous incidents or
    // requests (harness), the overview camera. What moves with the clock or the parking simulation is masked or hidden
    // (wall-golden.ts).
    // The map's globe has loaded what the overview shows before the shots start, waited on as a condition however long
    // that takes, so the settle loop's 40 shots are not spent on tiles still arriving. (Its one failure, "did not settle
    // within 40 screenshots", came with the planner change of 67677d1, before this wait; with it, that change passes.)
    await globeLoaded(s.page, 300_000);
    const mask = await maskOf(s.page, WALL_MASKED);
    await setGoldenStyle(s.page, true);
    let shot: Buffer;
    try {
      shot = await settledShot(
        () => s.page.screenshot({ mask, maskColor: MASK_COLOR, animations: 'disabled', path: resolve(OUT, 'wall-golden.png') }),
        () => s.page.evaluate(() => window.__redwall!.view3d.nextFrame()),
      );
    } finally {
      await setGoldenStyle(s.page, false);
    }
    const r = compareGolden(shot, resolve(ROOT, 'tests/e2e/golden/wall-overview.png'));
    expect(r.diffFraction, `diff image: ${r.diffPath}`).toBeLessThan(0.001);
  });

  it('a click on the dashboard selects the alarm on the wall, whose map flies there', async () => {
    const id = await dash.locator('[data-testid=wall-latest] [data-alarm]').first().getAttribute('data-alarm');
    const before = await s.page.evaluate(() => window.__redwall!.store.ui.cameraRequest?.nonce ?? 0);
    await dash.locator(`[data-testid=wall-latest] [data-alarm="${id}"]`).click();
    await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.ui.selectedAlarmId), { timeout: 120_000 }).toBe(id);
    const req = await s.page.evaluate(() => window.__redwall!.store.ui.cameraRequest);
    expect(req!.nonce).toBeGreaterThan(before);
    expect(req!.kind).toBe('point');
    // both screens audited their part
    expect(await dash.evaluate(() => window.__redwall!.store.ui.audit.some((a) => a.command.type === 'selectAlarm'))).toBe(true);
    expect(await s.page.locator(`[data-testid=wall-latest] [data-alarm="${id}"].selected`).count()).toBe(1);
  });

  it('more open alarms than the latest list can show: it says how many are not shown, and the footer fits', async () => {
    for (let i = 0; i < 12; i++)
      expect((await s.api('/api/sim/incident', { wellId: `MH-${String(1200 + i * 7).padStart(5, '0')}`, sensor: 'gas', holdMs: 3_600_000 })).status).toBe(200);
    for (const p of [s.page, dash]) {
      await expect.poll(() => p.evaluate(() => window.__redwall!.store.realLive.openAlarms.filter((a) => !a.drill).length)).toBeGreaterThanOrEqual(13);
      // every open alarm is either a row on the list or counted in its footer (never silently gone)
      await expect
        .poll(async () => {
          const open = await p.evaluate(() => window.__redwall!.store.realLive.openAlarms.filter((a) => !a.drill).length);
          const shown = await p.locator('[data-testid=wall-latest] [data-alarm]:visible').count();
          const footer = Number((await p.getAttribute('[data-testid=wall-more]', 'data-count').catch(() => null)) ?? -1);
          return shown >= 1 && shown < open && footer === open - shown;
        })
        .toBe(true);
      // the footer fits inside the list (read in one poll: a live alarm can re-render the list between two reads)
      await expect
        .poll(async () => {
          const list = await p.locator('[data-testid=wall-latest]').boundingBox();
          const foot = await p.locator('[data-testid=wall-more]').boundingBox();
          return list && foot ? foot.y + foot.height - (list.y + list.height) : Number.POSITIVE_INFINITY; // not shown
        })
        .toBeLessThanOrEqual(0.5);
      expect(await p.textContent('[data-testid=wall-more]')).toMatch(/^另有 \d+ 条未显示/);
    }
    await s.page.screenshot({ path: resolve(OUT, 'wall-more-alarms.png') });
  });

  it('switching language re-labels the wall; the multi-display dialog saves a layout and lists each screen’s URL', async () => {
    const zh = await s.page.textContent('[data-testid=wall-kpis]');
    expect(zh).toMatch(/未关闭告警/);
    await s.page.click('[data-testid=wall-lang]');
    await expect.poll(() => s.page.textContent('[data-testid=wall-kpis]')).toMatch(/Open alarms/);
    // card titles and tiles are UI chrome: no Chinese left (lot names in the fullest list are data and stay)
    const titles = await s.page.$$eval('.wall-card-title, .wall-tile-label, [data-testid=wall-screens], [data-testid=wall-exit]', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    expect(titles.filter((x) => x.trim()).length).toBeGreaterThan(10);
    for (const x of titles) expect(x).not.toMatch(/[\u4e00-\u9fff]/);

    await s.page.click('[data-testid=wall-screens]');
    await s.page.locator('[data-testid=screens-dialog]').waitFor();
    await s.page.selectOption('[data-testid=screens-select-0]', 'wall');
    expect(await s.page.textContent('[data-testid=screens-url-0]')).toBe(`${s.server.url}/?screen=wall`);
    await s.page.click('[data-testid=screens-apply]');
    await expect.poll(() => s.page.getAttribute('[data-testid=screens-message]', 'data-applied')).toBe('1');
    const saved = await s.page.evaluate(
      () => JSON.parse(localStorage.getItem('redwall.wall-layout') ?? 'null') as { format: string; screens: Array<{ screen: string }> },
    );
    expect(saved).toMatchObject({ format: 'redwall-wall/1', screens: [{ screen: 'wall' }] });
    expect(await s.page.evaluate(() => window.__redwall!.store.ui.audit.filter((a) => a.command.type === 'wallLayout').length)).toBe(1);
    await s.page.click('[data-testid=screens-close]');

    // leaving the wall brings the console back
    await s.page.click('[data-testid=wall-exit]');
    await expect.poll(() => s.page.locator('#left').isVisible()).toBe(true);
    expect(await s.page.locator('[data-testid=wall-top]').count()).toBe(0);
    expect(s.consoleErrors).toEqual([]);
    expect(s.external).toEqual([]);
  });
});
