/**
 * The walking skeleton end to end, in Debian Chromium on a software GPU: the app boots on the demo district, both
 * views draw real pixels, an injected manhole alarm reaches the list and the map in 3D and 2D, a building can be
 * picked, and not one request leaves loopback. Any console error fails the run.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { toEcef } from '../../data-pipelines/geo/ecef.ts';
import { DRAWN, globeLoaded, openApp, ROOT, waitReady, type Session } from './harness.ts';
import { compareGolden, countNear, decode, diffImages, settledShot, stats } from './pixels.ts';

/** priority-2 alarm marker (manhole gas) drawn on top of the well */
const ALARM_RGB: [number, number, number] = [255, 120, 40];
const OUT = resolve(ROOT, 'test-results');
mkdirSync(OUT, { recursive: true });

let s: Session;

async function wellPosition(wellId: string): Promise<{ lon: number; lat: number }> {
  return s.page.evaluate((id) => {
    return window.__redwall!.store.entities.wellPoint(id)!;
  }, wellId);
}

/**
 * The live-layer goldens' fixed state, the same on every run: these incidents (explicit ids and sensors, held for an
 * hour, so nothing ramps, decays or picks a random sensor) are the only open alarms and abnormal wells inside both
 * shots. The harness runs the simulator without spontaneous incidents or requests; parking, cameras and env (random
 * and time-driven) are off by default. Nothing on the maps animates: markers are static, Cesium renders on demand.
 */
const GOLDEN_INCIDENTS = [
  { category: 'manhole', id: 'MH-00627', sensor: 'cover', holdMs: 3_600_000 },
  { category: 'manhole', id: 'MH-00629', sensor: 'gas', holdMs: 3_600_000 },
  { category: 'fire', id: 'SD-4107-1-1', state: 'smoke', holdMs: 3_600_000 },
  { category: 'care', id: 'CR-01847', reason: 'fall', holdMs: 3_600_000 },
];
const GOLDEN_IDS = GOLDEN_INCIDENTS.map((x) => x.id);
const GOLDEN_CENTRE: [number, number] = [116.4675, 39.9305];

/** Open alarms and abnormal wells other than the goldens' (earlier tests' incidents decay on their own clock). */
function otherIncidents(): Promise<Array<{ id: string; lon: number; lat: number }>> {
  return s.page.evaluate((src) => {
    const live = window.__redwall!.store.live;
    return [
      ...live.openAlarms.filter((a) => !src.includes(a.sourceId) && a.state !== 'shelved').map((a) => ({ id: a.sourceId, lon: a.lon, lat: a.lat })),
      ...[...live.wellLevels]
        .filter(([id, l]) => l !== 'normal' && !src.includes(id))
        .map(([id]) => ({ id, ...window.__redwall!.store.entities.wellPoint(id)! })),
    ];
  }, GOLDEN_IDS);
}

/**
 * Golden tolerances (fraction of pixels beyond pixelmatch's 0.1 colour threshold). Three runs on Chromium + llvmpipe
 * gave byte-identical shots; the alarm markers alone cover 0.11% (2D) / 0.16% (3D), which expectLayerMatters checks
 * stays above the tolerance (tests/e2e/golden/README.md).
 */
const TOL_2D_LIVE = 0.0005;
const TOL_3D_LIVE = 0.0005;

/** Hides the alarms layer, checks the shot now differs from the golden by more than `tol`, and shows it again. */
async function expectLayerMatters(el: Locator, golden: string, tol: number, between?: () => Promise<unknown>): Promise<void> {
  const expected = readFileSync(resolve(ROOT, 'tests/e2e/golden', golden));
  await s.page.evaluate(() => window.__redwall!.store.command({ type: 'toggleLayer', layer: 'alarms', visible: false }));
  await expect.poll(async () => (await between?.(), diffImages(await el.screenshot(), expected).diffPixels), { timeout: 120_000 }).toBeGreaterThan(0);
  const without = diffImages(
    await settledShot(() => el.screenshot({ path: resolve(OUT, golden.replace('.png', '-no-alarms.png')) }), between),
    expected,
  ).diffFraction;
  expect(without, `${golden} without the alarms layer`).toBeGreaterThan(tol);
  await s.page.evaluate(() => window.__redwall!.store.command({ type: 'toggleLayer', layer: 'alarms', visible: true }));
}

/**
 * Transient overlays (toasts) are not part of a map golden, but a screenshot of a map's box includes what lies over
 * it, and a toast lives for a time on the clock, which a slow machine outlasts. Hidden by a constructed style sheet (the
 * page's CSP refuses an inline <style>, as it should) until the test ends, passed or failed.
 */
async function hideToastsForThisTest(): Promise<void> {
  await s.page.evaluate(() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('[data-testid=alarm-toast] { display: none !important }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    (window as unknown as { __goldenNoToasts?: CSSStyleSheet }).__goldenNoToasts = sheet;
  });
  onTestFinished(async () => {
    await s.page.evaluate(() => {
      const sheet = (window as unknown as { __goldenNoToasts?: CSSStyleSheet }).__goldenNoToasts;
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((x) => x !== sheet);
    });
  });
}

async function stageBox() {
  const box = await s.page.locator('#stage').boundingBox();
  if (!box) throw new Error('no stage');
  return box;
}

describe('RedWall web shell on the demo district', () => {
  beforeAll(async () => {
    s = await openApp();
    await waitReady(s.page);
  });

  afterAll(async () => {
    await s?.close();
  });

  it('loads the whole district package into DuckDB-Wasm', async () => {
    const n = await s.page.evaluate(() => {
      const e = window.__redwall!.store.entities;
      return { wells: e.wells.ids.length, cameras: e.cameras.size, detectors: e.detectors.size, places: e.places.size };
    });
    expect(n.wells).toBeGreaterThan(17_000);
    expect(n.cameras).toBeGreaterThanOrEqual(2000); // + the SOS posts' domes
    expect(n.detectors).toBeGreaterThan(40_000);
    expect(n.places).toBeGreaterThan(5000);
    await expect.poll(() => s.page.getAttribute('[data-testid=feed-status]', 'data-status'), { timeout: 120_000 }).toBe('live');
  });

  it('3D view draws the district, not a black canvas', async () => {
    await s.page.evaluate(() => window.__redwall!.view3d.nextFrame());
    const png = decode(await s.page.locator('#view3d').screenshot({ path: resolve(OUT, 'view3d.png') }));
    const st = stats(png);
    expect(st.litFraction).toBeGreaterThan(0.08);
    expect(st.distinctColours).toBeGreaterThan(40);
    // the globe loaded only the first view's tiles at start-up (views/view3d.ts addImagery); with the ground and the
    // buildings drawn, Cesium's defaults are back (ancestors preloaded for zooming out, at most 20 tiles waited on)
    await expect
      .poll(() =>
        s.page.evaluate(() => {
          const g = window.__redwall!.view3d.widget.scene.globe;
          return [g.preloadAncestors, g.loadingDescendantLimit];
        }),
      )
      .toEqual([true, 20]);
  });

  it('an injected manhole alarm reaches the alarm list and the 3D map', async () => {
    const wellId = 'MH-00420';
    const res = await s.api('/api/sim/incident', { wellId, sensor: 'gas' });
    expect(res.status).toBe(200);
    const item = s.page.locator(`[data-testid=alarm-item][data-source=${wellId}]`);
    await item.waitFor({ timeout: 120_000 });
    expect(await item.getAttribute('data-level')).toBe('alarm');
    await expect.poll(() => s.page.locator('[data-testid=alarm-toast]').isVisible()).toBe(true);

    const { lon, lat } = await wellPosition(wellId);
    await s.page.evaluate(() => window.__redwall!.view3d.nextFrame());
    const p = await s.page.evaluate(([x, y]) => window.__redwall!.view3d.project(x!, y!), [lon, lat]);
    expect(p).not.toBeNull();
    const png = decode(await s.page.locator('#view3d').screenshot({ path: resolve(OUT, 'view3d-alarm.png') }));
    expect(countNear(png, p!.x, p!.y, 8, ALARM_RGB)).toBeGreaterThan(12);
  });

  it('clicking an alarm flies to the well and the click is audited', async () => {
    await s.page.locator('[data-testid=alarm-item][data-source=MH-00420]').click();
    const audit = await s.page.evaluate(() => window.__redwall!.store.ui.audit.map((a) => a.command.type));
    expect(audit).toContain('selectAlarm');
    expect(audit).toContain('focus');
    await expect.poll(() => s.page.locator('[data-testid=alarm-detail]').textContent()).toContain('MH-00420');
  });

  it('2D view draws the district and shows the alarm at the well', async () => {
    await s.page.click('[data-testid=preset-overview]');
    await s.page.click('[data-testid=view-2d]');
    await s.page.waitForFunction(() => window.__redwall?.view2d() !== null);
    await s.page.evaluate(() => window.__redwall!.ready2d());
    const { lon, lat } = await wellPosition('MH-00420');
    await s.page.evaluate(
      ([x, y]) =>
        new Promise<void>((r) => {
          const m = window.__redwall!.view2d()!.map;
          m.jumpTo({ center: [x!, y!], zoom: 15 });
          m.once('idle', () => r());
        }),
      [lon, lat],
    );
    const p = await s.page.evaluate(([x, y]) => window.__redwall!.view2d()!.project(x!, y!), [lon, lat]);
    // deck.gl draws on its own animation frame after maplibre's idle: polled
    await vi.waitFor(async () => {
      const png = decode(await s.page.locator('#view2d').screenshot({ path: resolve(OUT, 'view2d-alarm.png') }));
      const st = stats(png);
      expect(st.litFraction).toBeGreaterThan(0.05);
      expect(st.distinctColours).toBeGreaterThan(30);
      expect(countNear(png, p.x, p.y, 6, ALARM_RGB)).toBeGreaterThan(20);
    }, DRAWN);
  });

  it('picking a building in 2D shows its attributes from the district package', async () => {
    // Building 1 is 东方银座 (26 floors) in the source data.
    const c = await s.page.evaluate(() => {
      const m = window.__redwall!.view2d()!.map;
      return new Promise<{ x: number; y: number }>((r) => {
        m.jumpTo({ center: [116.42931, 39.93868], zoom: 17.5 });
        m.once('idle', () => r(window.__redwall!.view2d()!.project(116.42931, 39.93868)));
      });
    });
    const under = await s.page.evaluate(
      ([x, y]) => {
        const f = window.__redwall!.view2d()!.map.queryRenderedFeatures([x!, y!], { layers: ['buildings-fill'] })[0];
        return f ? { id: Number(f.properties['id']), floors: Number(f.properties['floors']) } : null;
      },
      [c.x, c.y],
    );
    expect(under).not.toBeNull();
    const box = await s.page.locator('#view2d').boundingBox();
    await s.page.mouse.click(box!.x + c.x, box!.y + c.y);
    const panel = s.page.locator('[data-testid=building-panel]');
    await expect.poll(() => panel.textContent(), { timeout: 120_000 }).toContain(`#${under!.id}`);
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('东方银座');
    expect(text).toContain(`${under!.floors}`);
    expect(text).toContain(`${(under!.floors * 3).toFixed(1)} m`);
  });

  it('an operator takes an alarm through acknowledge -> dispatch -> on site -> resolve -> close, journaled on the server', async () => {
    const detail = s.page.locator('[data-testid=alarm-detail]');
    await s.page.locator('[data-testid=alarm-item][data-source=MH-00420]').click();
    await detail.waitFor();
    const alarmId = await s.page.locator('[data-testid=alarm-item][data-source=MH-00420]').getAttribute('data-alarm');
    const step = async (action: string, state: string) => {
      await s.page.click(`[data-testid=alarm-action-${action}]`);
      await expect.poll(() => s.page.evaluate((id) => window.__redwall!.store.live.alarm(id!)?.state, alarmId), { timeout: 120_000 }).toBe(state);
    };
    await step('acknowledge', 'acknowledged');
    await s.page.selectOption('[data-testid=alarm-team]', '燃气抢险队');
    await step('dispatch', 'dispatched');
    await step('onsite', 'onsite');
    await s.page.fill('[data-testid=alarm-note]', '已关阀通风');
    await step('resolve', 'resolved');
    // the gas SOP's mandatory steps are open: closing without a reason is refused by the server (issue 22)
    await s.page.click('[data-testid=alarm-action-close]');
    await expect.poll(() => s.page.textContent('[data-testid=alarm-command-result]'), { timeout: 120_000 }).toContain('mandatory SOP steps');
    expect(await s.page.evaluate((id) => window.__redwall!.store.live.alarm(id!)?.state, alarmId)).toBe('resolved');
    await s.page.fill('[data-testid=alarm-note]', '演示告警，现场确认无燃气泄漏');
    await step('close', 'closed');
    const server = (await (await s.api('/api/alarms')).json()) as {
      alarms: Array<{ alarmId: string; state: string; team?: string; history: Array<{ action: string; by: string; note?: string }> }>;
    };
    const a = server.alarms.find((x) => x.alarmId === alarmId)!;
    expect(a.state).toBe('closed');
    expect(a.team).toBe('燃气抢险队');
    expect(a.history.filter((h) => h.by === '值班员').map((h) => h.action)).toEqual(['acknowledge', 'dispatch', 'onsite', 'resolve', 'close']);
    expect(a.history.find((h) => h.action === 'resolve')?.note).toBe('已关阀通风');
    expect(a.history.find((h) => h.action === 'close')?.note).toBe('演示告警，现场确认无燃气泄漏');
    const results = await s.page.evaluate(() => window.__redwall!.store.ui.audit.filter((r) => r.command.type === 'alarm').map((r) => r.result));
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok', expect.stringContaining('error: mandatory SOP steps are open'), 'ok']);
    // closed alarms leave the open list
    await expect.poll(() => s.page.locator(`[data-testid=alarm-item][data-alarm="${alarmId}"]`).count()).toBe(0);
  });

  it('an SOS press turns the nearest camera and pops its video', async () => {
    await s.api('/api/sim/incident', { category: 'sos', id: 'SOS-002' });
    const panel = s.page.locator('[data-testid=video-panel]');
    await panel.waitFor({ timeout: 120_000 });
    const cam = await panel.getAttribute('data-camera');
    expect(cam).toMatch(/^CAM-\d{4}$/);
    await expect.poll(() => s.page.locator('[data-testid=alarm-item][data-source=SOS-002]').count()).toBe(1);
    await s.page.click('[data-testid=video-close]');
    await expect.poll(() => panel.count()).toBe(0);
    // category filter: only camera/SOS alarms remain listed
    await s.page.click('[data-testid=alarm-category-camera]');
    const cats = await s.page.locator('[data-testid=alarm-item]').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-category')))]);
    expect(cats).toEqual(['camera']);
    await s.page.click('[data-testid=alarm-category-all]');
  });

  it('2D overview matches the golden image (tolerance: 1% of pixels beyond pixelmatch threshold 0.1)', async () => {
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'selectBuilding', buildingId: null }));
    // Live layers off: the golden covers the deterministic district rendering only.
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'toggleLayer', layer: 'manholes', visible: false }));
    const meta = await s.page.evaluate(
      () =>
        new Promise<void>((r) => {
          const m = window.__redwall!.view2d()!.map;
          m.jumpTo({ center: [116.4555, 39.9375], zoom: 13.2, bearing: 0, pitch: 0 });
          m.once('idle', () => r());
        }),
    );
    void meta;
    // transient overlays (toasts) are not part of the map
    await hideToastsForThisTest();
    const canvas = s.page.locator('#view2d canvas.maplibregl-canvas');
    const shot = await settledShot(() => canvas.screenshot());
    const r = compareGolden(shot, resolve(ROOT, 'tests/e2e/golden/map2d-overview.png'));
    expect(r.diffFraction, `diff image: ${r.diffPath}`).toBeLessThan(0.01);
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'toggleLayer', layer: 'manholes', visible: true }));
  });

  it('2D map with live layers (deck.gl overlay) matches its golden (tolerance 0.05% of pixels: 0 differ run to run, hiding the alarm markers changes 0.11%)', async () => {
    for (const inc of GOLDEN_INCIDENTS) expect((await s.api('/api/sim/incident', inc)).status).toBe(200);
    await expect
      .poll(() => s.page.evaluate((src) => window.__redwall!.store.live.openAlarms.filter((a) => src.includes(a.sourceId)).length, GOLDEN_IDS), {
        timeout: 120_000,
      })
      .toBe(GOLDEN_IDS.length);
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'selectAlarm', alarmId: null }));
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'selectBuilding', buildingId: null }));
    await hideToastsForThisTest();

    // 2D: basemap + deck.gl live layers (manholes, alarms, fire, care markers)
    await s.page.waitForFunction(() => window.__redwall?.view2d() !== null);
    await s.page.evaluate(
      (c) =>
        new Promise<void>((r) => {
          const m = window.__redwall!.view2d()!.map;
          m.jumpTo({ center: c, zoom: 16, bearing: 0, pitch: 0 });
          m.once('idle', () => r());
        }),
      GOLDEN_CENTRE,
    );
    const bounds = await s.page.evaluate(() => window.__redwall!.view2d()!.map.getBounds().toArray());
    const inside = (p: { lon: number; lat: number }) =>
      p.lon > bounds[0][0] - 0.002 && p.lon < bounds[1][0] + 0.002 && p.lat > bounds[0][1] - 0.002 && p.lat < bounds[1][1] + 0.002;
    expect((await otherIncidents()).filter(inside), 'another live incident inside the 2D golden area').toEqual([]);
    const map2d = s.page.locator('#view2d canvas.maplibregl-canvas');
    const shot2d = await settledShot(() => map2d.screenshot({ path: resolve(OUT, 'map2d-live.png') }));
    const r2 = compareGolden(shot2d, resolve(ROOT, 'tests/e2e/golden/map2d-live.png'));
    expect(r2.diffFraction, `diff image: ${r2.diffPath}`).toBeLessThan(TOL_2D_LIVE);
    // The tolerance sees a live layer go missing: the same view without the alarm markers fails the golden.
    await expectLayerMatters(map2d, 'map2d-live.png', TOL_2D_LIVE);
  });

  it('3D district with the same live layers matches its golden (tolerance 0.05% of pixels: up to 0.02% differ between two machines on llvmpipe, hiding the alarm markers changes 0.16%)', async () => {
    // 3D: the same incidents from 600 m, looking north-down (the district's buildings, streets and live markers)
    await hideToastsForThisTest();
    await s.page.click('[data-testid=view-3d]');
    await s.page.evaluate(([lon, lat]) => window.__redwall!.store.command({ type: 'focus', lon: lon!, lat: lat!, what: 'golden', rangeM: 600 }), GOLDEN_CENTRE);
    await globeLoaded(s.page);
    const view3d = s.page.locator('#view3d');
    const shot3d = await settledShot(
      () => view3d.screenshot({ path: resolve(OUT, 'view3d-live.png') }),
      () => globeLoaded(s.page), // a new frame, every tile in view loaded
    );
    // (checked on the settled view: the camera has finished its flight)
    const box3d = await s.page.locator('#view3d').boundingBox();
    const projected = await s.page.evaluate((ps) => ps.map((p) => ({ ...p, q: window.__redwall!.view3d.project(p.lon, p.lat) })), await otherIncidents());
    const in3d = projected.filter(({ q }) => q !== null && q.x > -20 && q.y > -20 && q.x < box3d!.width + 20 && q.y < box3d!.height + 20);
    expect(in3d, 'another live incident inside the 3D golden view').toEqual([]);
    const r3 = compareGolden(shot3d, resolve(ROOT, 'tests/e2e/golden/view3d-live.png'));
    expect(r3.diffFraction, `diff image: ${r3.diffPath}`).toBeLessThan(TOL_3D_LIVE);
    await expectLayerMatters(view3d, 'view3d-live.png', TOL_3D_LIVE, () => s.page.evaluate(() => window.__redwall!.view3d.nextFrame()));
    await s.page.click('[data-testid=view-2d]');
  });

  it('far out, the globe shows Natural Earth the right way up: land where land is, sea where sea is', async () => {
    // (views/natural-earth.ts hands Cesium its own images; Cesium flips each tile's image on upload, or not)
    await s.page.click('[data-testid=view-3d]');
    // Drawn from the pyramid's finest level (2: tiles 45 degrees tall, checked below), a tile turned upside down shows
    // each point as its mirror within the tile: Mongolia (46 N, tile 90-45 N) as the Arctic Ocean (89 N), the North
    // China Plain (35 N, tile 45-0 N) as the South China Sea (10 N), and the South China Sea (12 N) as Hubei (33 N)
    const points = [
      { name: 'Mongolia', land: true, at: toEcef(103, 46) },
      { name: 'the North China Plain', land: true, at: toEcef(112, 35) },
      { name: 'the South China Sea', land: false, at: toEcef(112, 12) },
    ];
    const before = await s.page.evaluate(() => window.__redwall!.view3d.cameraState());
    onTestFinished(async () => {
      await s.page.evaluate((c) => {
        const layer = window.__redwall!.view3d.scene.imageryLayers.get(0);
        [layer.brightness, layer.saturation] = [0.18, 0.15];
        window.__redwall!.view3d.setCamera(c);
      }, before);
      await s.page.click('[data-testid=view-2d]');
    });
    await s.page.evaluate(
      (position) => {
        // the far ground at full colour (the app draws it dark and grey: views/view3d.ts)
        const layer = window.__redwall!.view3d.scene.imageryLayers.get(0);
        [layer.brightness, layer.saturation] = [1, 1];
        window.__redwall!.view3d.setCamera({ position, heading: 0, pitch: -Math.PI / 2 });
      },
      toEcef(125, 38, 9_000_000),
    );
    await globeLoaded(s.page);
    // the two level-2 tiles the points lie in are loaded (Cesium's imagery cache, private: READY is state 4)
    const ready = await s.page.evaluate(() => {
      const cache = (
        window.__redwall!.view3d.scene.imageryLayers.get(0) as unknown as {
          _imageryCache: Record<string, { level: number; x: number; y: number; state: number }>;
        }
      )._imageryCache;
      return Object.values(cache)
        .filter((im) => im.level === 2 && im.state === 4)
        .map((im) => `${im.x}/${im.y}`)
        .sort();
    });
    expect(ready).toEqual(expect.arrayContaining(['6/0', '6/1']));
    const at = await s.page.evaluate(
      (pts) => pts.map(([x, y, z]) => window.__redwall!.view3d.scene.cartesianToCanvasCoordinates({ x, y, z } as never)),
      points.map((p) => p.at),
    );
    const png = decode(await s.page.locator('#view3d').screenshot({ path: resolve(OUT, 'view3d-natural-earth.png') }));
    const mean = (p: { x: number; y: number } | undefined): [number, number, number] => {
      expect(p, 'the point is on screen').toBeDefined();
      const sum = [0, 0, 0];
      for (let dy = -3; dy <= 3; dy++) {
        for (let dx = -3; dx <= 3; dx++) {
          const i = (Math.round(p!.y + dy) * png.width + Math.round(p!.x + dx)) * 4;
          for (let c = 0; c < 3; c++) sum[c]! += png.data[i + c]!;
        }
      }
      return sum.map((v) => v / 49) as [number, number, number];
    };
    points.forEach((p, i) => {
      const [r, g, b] = mean(at[i]);
      const rgb = [r, g, b].map(Math.round).join(',');
      // land: red above blue (steppe, plain, desert); sea: blue well above red
      if (p.land) expect(r, `${p.name} ${rgb}`).toBeGreaterThan(b);
      else expect(b, `${p.name} ${rgb}`).toBeGreaterThan(r + 20);
    });
  });

  it('serves the renderer with a strict CSP (no unsafe-eval, no remote origins)', async () => {
    const res = await fetch(`${s.server.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("'unsafe-eval'"); // 'wasm-unsafe-eval' (DuckDB) is allowed, eval is not
    expect(csp.match(/https?:\/\/[^\s;]+/g)?.every((o) => o.startsWith('http://127.0.0.1:'))).toBe(true);
  });

  it('English UI has no Chinese chrome; the Chinese UI has Chinese headings and buttons', async () => {
    // Visible text and tooltips of the UI chrome (top bar, side panels, status bar, toasts), maps excluded. Data the
    // district or the operators wrote (building and site names, notes, scenario names) is marked data-i18n-data; an
    // element with its own lang attribute (the language switch, the logo) is in that language on purpose.
    const chrome = () =>
      s.page.evaluate(() => {
        const skip = (el: Element | null) => !el || !!el.closest('[data-i18n-data], body [lang], #view3d, #view2d, script, style');
        const visible = (el: Element) => (el as HTMLElement).getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
        const texts: string[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          const text = n.textContent?.trim();
          if (text && !skip(el) && visible(el!)) texts.push(text);
        }
        for (const el of document.body.querySelectorAll('[title], [placeholder], [aria-label]'))
          if (!skip(el) && visible(el))
            for (const a of ['title', 'placeholder', 'aria-label']) if (el.getAttribute(a)) texts.push(`@${a}: ${el.getAttribute(a)}`);
        // a heading's own words (its close button and tabs are buttons of their own)
        const own = (el: Element) =>
          (el.tagName === 'BUTTON'
            ? el.textContent!
            : [...el.childNodes]
                .filter((c) => c.nodeType === Node.TEXT_NODE)
                .map((c) => c.textContent)
                .join('')
          ).trim();
        const headings = [...document.querySelectorAll('#topbar, #left, #right, #statusbar')].flatMap((box) =>
          [...box.querySelectorAll('h2, h3, button')].filter((el) => !skip(el) && visible(el)).map(own),
        );
        return { texts, headings };
      });
    const cjk = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/;
    const lang = () => s.page.evaluate(() => window.__redwall!.store.ui.locale);
    // an alarm to open, so that the list and the detail are part of the check
    await s.api('/api/sim/incident', { wellId: 'MH-00777', sensor: 'level' });
    const item = s.page.locator('[data-testid=alarm-item][data-source=MH-00777]');
    await item.waitFor({ timeout: 120_000 });
    await item.click();
    await s.page.locator('[data-testid=alarm-detail]').waitFor();
    expect(await lang()).toBe('zh-CN');

    // zh-CN: headings and buttons with words in them are Chinese
    const zh = await chrome();
    const latinOnly = zh.headings.filter((x) => /[A-Za-z]{2}/.test(x) && !cjk.test(x));
    expect(latinOnly, 'zh-CN headings/buttons without Chinese').toEqual([]);
    expect(zh.headings.filter((x) => cjk.test(x)).length).toBeGreaterThan(20);

    // English: not one Chinese character in the chrome, in the operations and the planner workspace
    await s.page.click('[data-testid=lang]');
    await expect.poll(lang).toBe('en');
    expect(await s.page.evaluate(() => document.documentElement.lang)).toBe('en');
    await expect.poll(async () => (await chrome()).texts.filter((x) => cjk.test(x)), { timeout: 120_000 }).toEqual([]);
    const en = await chrome();
    expect(en.texts.length, 'the scan sees the panels').toBeGreaterThan(100);
    expect(en.headings).toEqual(expect.arrayContaining(['Live layers', 'Alarm detail', 'Acknowledge']));
    await s.page.click('[data-testid=workspace-analysis]');
    await s.page.waitForSelector('[data-testid=analysis-totals]', { timeout: 120_000 });
    await expect.poll(() => s.page.getAttribute('[data-testid=analysis-status]', 'data-running'), { timeout: 120_000 }).toBe('false');
    await s.page.click('[data-testid=sql-toggle]');
    await expect.poll(async () => (await chrome()).texts.filter((x) => cjk.test(x)), { timeout: 120_000 }).toEqual([]);
    expect((await chrome()).headings).toEqual(expect.arrayContaining(['Parking supply & demand', 'Site selection & what-if']));
    await s.page.click('[data-testid=sql-close]');

    // and back: the same chrome is Chinese again
    await s.page.click('[data-testid=lang]');
    await expect.poll(lang).toBe('zh-CN');
    expect((await chrome()).headings).toEqual(expect.arrayContaining(['停车供需分析', '选址与方案比较']));
    await s.page.click('[data-testid=workspace-ops]');
    expect((await chrome()).headings.filter((x) => /[A-Za-z]{2}/.test(x) && !cjk.test(x))).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });

  it('made no request outside loopback and logged no console error', async () => {
    const box = await stageBox();
    expect(box.width).toBeGreaterThan(0);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });
});
