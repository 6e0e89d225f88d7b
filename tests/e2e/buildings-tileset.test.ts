/**
 * The district's buildings streamed from its 3D Tiles tileset (`--buildings tileset` for the shell, `?buildings=tileset`
 * for a page; issue 25) instead of extruded at start-up: the tiles are fetched from the app's own assets (nothing else), the buildings draw in the same floor
 * colours, a click on one selects it by the id in the tile's metadata (its panel shows name and floors), it is
 * highlighted, peeling it for the fire view hides its block and puts it back, the layer toggle hides them; a tileset
 * that cannot load falls back to the extruded buildings with a warning, and the app keeps working; tiles whose requests
 * were cut off (a gateway restarting) are asked for again and drawn without a reload.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { camera3dSettled, DRAWN, openApp, recordErrors, ROOT, waitReady, type Session } from './harness.ts';
import { decode, diffImages, stats } from './pixels.ts';

const OUT = resolve(ROOT, 'test-results');
mkdirSync(OUT, { recursive: true });
let s: Session;
const tileRequests: string[] = [];

const shot3d = (p: Page = s.page, path?: string) => p.locator('#view3d').screenshot(path ? { path } : {});
const source = (p: Page = s.page) => p.evaluate(() => (window.__redwall!.view3d as unknown as { buildingsSource: string }).buildingsSource);

/** Amber pixels (red and green well above blue): the selection colour, lit or shaded; the buildings are blue. */
function warm(png: ReturnType<typeof decode>): number {
  let k = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    if (r > 100 && r > b + 50 && g > b + 25) k++;
  }
  return k;
}

/** Two screenshots in a row that agree (tiles streamed in, nothing moving). */
async function steadyShot(p: Page = s.page): Promise<Buffer> {
  let prev = await shot3d(p);
  for (let i = 0; i < 30; i++) {
    await p.evaluate(() => window.__redwall!.view3d.nextFrame());
    const now = await shot3d(p);
    if (diffImages(now, prev).diffFraction < 0.0005) return now;
    prev = now;
  }
  return prev;
}

beforeAll(async () => {
  // the web shell started with --buildings tileset (told to the page in its shell config)
  s = await openApp({ buildings3d: 'tileset' }, '', undefined, (page) =>
    // from the first request: the overview's tiles are fetched while the page starts
    page.on('request', (r) => {
      if (r.url().includes('/tiles/')) tileRequests.push(r.url());
    }),
  );
  await waitReady(s.page);
  await s.page.click('[data-testid=view-3d]');
}, 180_000);
afterAll(async () => {
  await s?.close();
});

describe('district buildings from the 3D Tiles tileset', () => {
  it('streams the tileset from the app assets and draws the district', async () => {
    expect(await source()).toBe('tileset');
    const top = await s.page.evaluate(() =>
      window.__redwall!.sql("SELECT id, name, floors, height_m, lon, lat FROM buildings WHERE name <> '' ORDER BY height_m DESC, id LIMIT 1"),
    );
    const b = top.first as { id: number; name: string; floors: number; height_m: number; lon: number; lat: number };
    await s.page.evaluate(({ lon, lat }) => window.__redwall!.store.command({ type: 'focus', lon, lat, what: 'test', rangeM: 500 }), b);
    await camera3dSettled(s.page);
    const shown = await steadyShot();
    await s.page.locator('#view3d').screenshot({ path: resolve(OUT, 'buildings-tileset-3d.png') });
    expect(stats(decode(shown)).litFraction).toBeGreaterThan(0.05);
    await expect.poll(() => tileRequests.filter((u) => u.endsWith('.glb')).length, DRAWN).toBeGreaterThan(0);
    for (const u of tileRequests) expect(u).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/assets\/district\/tiles\//);

    // the buildings layer toggle hides them: the view loses a good share of what it drew
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'toggleLayer', layer: 'buildings', visible: false }));
    await expect.poll(async () => diffImages(await steadyShot(), shown).diffFraction, DRAWN).toBeGreaterThan(0.05);
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'toggleLayer', layer: 'buildings', visible: true }));
    await expect.poll(async () => diffImages(await steadyShot(), shown).diffFraction, DRAWN).toBeLessThan(0.005);

    // a click on the tallest named building's wall, half-way up: selected by the id in the tile's metadata
    await expect
      .poll(async () => {
        const at = await s.page.evaluate(({ lon, lat, height_m }) => window.__redwall!.view3d.project(lon, lat, height_m / 2), b);
        if (!at) return null;
        await s.page
          .locator('#view3d canvas')
          .first()
          .click({ position: { x: at.x, y: at.y } });
        return s.page.evaluate(() => window.__redwall!.store.ui.selectedBuildingId);
      }, DRAWN)
      .toBe(b.id);
    await expect.poll(() => s.page.textContent('[data-testid=building-panel]'), DRAWN).toContain(b.name);
    expect(await s.page.textContent('[data-testid=building-panel]')).toContain(String(b.floors));
    // highlighted in the selection colour (SELECTED_COLOR, amber; lit, so darker on its shaded sides): the buildings
    // are blue, so the amber pixels are the selected building's
    await expect.poll(async () => warm(decode(await steadyShot())) - warm(decode(shown)), DRAWN).toBeGreaterThan(500);
    await s.page.locator('#view3d').screenshot({ path: resolve(OUT, 'buildings-tileset-selected.png') });

    // the fire view peels the building: its block is hidden (the evacuation layer draws its floors: off for this check,
    // so what changes is the block alone), then back
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'selectBuilding', buildingId: null }));
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'toggleLayer', layer: 'evacuation', visible: false }));
    await expect.poll(async () => diffImages(await steadyShot(), shown).diffFraction, DRAWN).toBeLessThan(0.005);
    /** The tileset building id picked half-way up the building's wall (null: none there). */
    const pickedAtWall = () =>
      s.page.evaluate(({ lon, lat, height_m }) => {
        const v = window.__redwall!.view3d;
        const at = v.project(lon, lat, height_m / 2);
        const picked = at ? (v.widget.scene.pick({ x: at.x, y: at.y } as never) as { getProperty?: (n: string) => unknown } | undefined) : undefined;
        return typeof picked?.getProperty === 'function' ? (picked.getProperty('id') as number) : null;
      }, b);
    expect(await pickedAtWall()).toBe(b.id);
    await s.page.evaluate((id) => window.__redwall!.store.command({ type: 'explodeBuilding', buildingId: id }), b.id);
    await expect.poll(pickedAtWall, DRAWN).not.toBe(b.id);
    await expect.poll(async () => diffImages(await steadyShot(), shown).diffFraction, DRAWN).toBeGreaterThan(0.005);
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'toggleLayer', layer: 'evacuation', visible: true }));
    await s.page.locator('#view3d').screenshot({ path: resolve(OUT, 'buildings-tileset-peeled.png') });
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'explodeBuilding', buildingId: null }));
    await expect.poll(pickedAtWall, DRAWN).toBe(b.id);
    await expect.poll(async () => diffImages(await steadyShot(), shown).diffFraction, DRAWN).toBeLessThan(0.005);
  });

  it('a tileset that cannot load: the buildings are extruded from the footprints instead, with a warning', async () => {
    const p = await s.context.newPage();
    const errors: string[] = [];
    recordErrors(p, errors);
    const warnings: string[] = [];
    p.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
    await p.route('**/assets/district/tiles/tileset.json', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: '{"asset":' }));
    // (the page's own ?buildings= is honoured as the shell's --buildings is)
    await p.goto(`${s.server.url}/?buildings=tileset`);
    await waitReady(p);
    expect(await source(p)).toBe('geometry');
    expect(warnings.join('\n')).toMatch(/3D Tiles tileset did not load .*extruded from the footprints/);
    await p.evaluate(() => window.__redwall!.store.command({ type: 'flyToPreset', preset: 'overview' }));
    await camera3dSettled(p);
    expect(stats(decode(await steadyShot(p))).litFraction).toBeGreaterThan(0.05);
    expect(errors).toEqual([]);
    await p.close();
  });

  it('tiles cut off mid-stream (a gateway restarting) are asked for again: the buildings come back without a reload', async () => {
    const p = await s.context.newPage();
    const errors: string[] = [];
    recordErrors(p, errors);
    const warnings: string[] = [];
    p.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
    // every building tile's request cut off, as a gateway crash cuts the requests in flight
    let cut = true;
    let cutOff = 0;
    await p.route('**/assets/district/tiles/**', (r) => {
      if (cut && r.request().url().endsWith('.glb')) {
        cutOff++;
        return r.abort('connectionreset');
      }
      return r.continue();
    });
    await p.goto(`${s.server.url}/?buildings=tileset`);
    await waitReady(p);
    expect(await source(p)).toBe('tileset');
    await expect.poll(() => cutOff, DRAWN).toBeGreaterThan(0);
    await expect.poll(() => warnings.some((w) => /a tile of the district's tileset did not load/.test(w)), DRAWN).toBe(true);
    const loaded = () => p.evaluate(() => (window.__redwall!.view3d as unknown as { buildingsLoaded: number }).buildingsLoaded);
    expect(await loaded()).toBe(0);
    // the gateway back: the feed connection drops and comes back (as the socket reports a gateway restart), the failed
    // tiles are asked for at once (Cesium alone never would ask again) and the district is drawn. (The timed retries,
    // 5/15/45/120 s after a failure, may come first on a fast machine; either way no reload.)
    cut = false;
    await p.evaluate(() => {
      const feed = window.__redwall!.store.feed;
      feed.setStatus('reconnecting');
      feed.setStatus('live');
    });
    await expect.poll(loaded, DRAWN).toBeGreaterThan(100);
    expect(stats(decode(await steadyShot(p))).litFraction).toBeGreaterThan(0.05);
    // the cut requests' own console lines are the test's doing; nothing else went wrong
    expect(errors.filter((e) => !/net::ERR_CONNECTION_RESET|net::ERR_FAILED/.test(e))).toEqual([]);
    await p.close();
  });

  it('made no request off loopback and logged no console errors', () => {
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });
});
