/**
 * Names on the maps (issue 21, part 1): landmark labels in 2D (maplibre draws the glyphs itself: no glyph server, no
 * request off loopback) and in 3D (Cesium labels on the roofs); alarms and requests give a place an operator can say
 * over the radio; the search box finds a building, a device or an id and flies there.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, ROOT, waitReady, type Session } from './harness.ts';
import { decode, diffImages, stats } from './pixels.ts';

const OUT = resolve(ROOT, 'test-results');
const SHOTS = resolve(ROOT, 'docs/screenshots');
mkdirSync(OUT, { recursive: true });
let s: Session;

const LABEL_LAYERS = ['labels-landmarks-tall', 'labels-landmarks-mid', 'labels-landmarks-low'];

describe('place names: labels, addresses, search', () => {
  beforeAll(async () => {
    s = await openApp();
    await waitReady(s.page);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('2D opens on the whole district and labels the tallest landmarks; closer in, lower buildings too; the toggle hides them', async () => {
    await s.page.evaluate(() => void window.__redwall!.store.command({ type: 'setView', view: '2d' }));
    await s.page.evaluate(() => window.__redwall!.ready2d());
    // the whole district is in view
    const fits = await s.page.evaluate(() => {
      const m = window.__redwall!.view2d()!.map;
      const b = m.getBounds();
      const d = window.__redwall!.store.entities.placeIndex!.landmarks();
      const inView = d.filter((l) => b.contains([l.lon, l.lat])).length;
      return { inView, all: d.length };
    });
    expect(fits.inView).toBe(fits.all);
    const rendered = (layers: string[]) =>
      s.page.evaluate((ls) => {
        const m = window.__redwall!.view2d()!.map;
        return [...new Set(m.queryRenderedFeatures({ layers: ls }).map((f) => String(f.properties['name'])))];
      }, layers);
    await expect.poll(async () => (await rendered(LABEL_LAYERS)).length).toBeGreaterThan(3);
    const c = await s.page.evaluate(() => window.__redwall!.store.entities.placeIndex!.search('东方银座')[0]!);
    // from afar only the tall tier; close in, the low buildings are named too
    expect(await rendered(['labels-landmarks-low', 'labels-landmarks-mid'])).toEqual([]);
    await s.page.evaluate(({ lon, lat }) => window.__redwall!.view2d()!.map.jumpTo({ center: [lon, lat], zoom: 16.3 }), c);
    await expect.poll(async () => (await rendered(['labels-landmarks-low'])).length).toBeGreaterThan(0);
    expect(await rendered(LABEL_LAYERS)).toContain('东方银座');
    const shot = decode(await s.page.locator('#view2d').screenshot({ path: resolve(OUT, 'labels-2d.png') }));
    // white label text on the dark map: bright, near-grey pixels
    const bright = countBright(shot);
    expect(bright).toBeGreaterThan(300);
    await s.page.screenshot({ path: resolve(SHOTS, 'labels-2d.png') });

    await s.page.evaluate(() => void window.__redwall!.store.command({ type: 'toggleLayer', layer: 'labels', visible: false }));
    await expect.poll(async () => (await rendered(LABEL_LAYERS)).length).toBe(0);
    await s.page.evaluate(() => void window.__redwall!.store.command({ type: 'toggleLayer', layer: 'labels', visible: true }));
    await expect.poll(async () => (await rendered(LABEL_LAYERS)).length).toBeGreaterThan(0);
  });

  it('the search box finds a building by name and flies there, selecting it; a device id and a building number too', async () => {
    const box = s.page.locator('[data-testid=place-search]');
    await box.fill('银座');
    const first = s.page.locator('[data-testid=place-search-results] li[data-kind=building]').first();
    await first.waitFor();
    expect(await first.textContent()).toContain('东方银座');
    await box.press('Enter');
    const target = await s.page.evaluate(() => window.__redwall!.store.entities.placeIndex!.search('东方银座')[0]!);
    await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.ui.selectedBuildingId)).toBe(target.id);
    await expect
      .poll(() =>
        s.page.evaluate(() => {
          const c = window.__redwall!.view2d()!.map.getCenter();
          return [c.lng, c.lat];
        }),
      )
      .toSatisfy(([lon, lat]: [number, number]) => Math.abs(lon - target.lon) < 0.002 && Math.abs(lat - target.lat) < 0.002);

    // a manhole by the start of its id; a building by its number
    const well = await s.page.evaluate(() => window.__redwall!.store.entities.wells.ids[123]!);
    await box.fill(well.toLowerCase());
    await s.page.locator(`[data-testid=place-search-results] li[data-kind=well][data-id="${well}"]`).waitFor();
    await box.fill('#2091');
    await s.page.locator('[data-testid=place-search-results] li[data-kind=building][data-id="2091"]').waitFor();
    await box.fill('没有这个地方xyz');
    await expect.poll(() => s.page.textContent('[data-testid=place-search-results]')).toContain('没有找到');
    await box.press('Escape');
    expect(await s.page.locator('[data-testid=place-search-results]').isHidden()).toBe(true);
  });

  it('an alarm names its place (landmark, direction, distance, grid) before its coordinates', async () => {
    const well = await s.page.evaluate(() => {
      const e = window.__redwall!.store.entities;
      const c = e.placeIndex!.search('东方银座')[0]!;
      // the manhole nearest to the landmark
      let best = 0;
      let bd = Infinity;
      for (let i = 0; i < e.wells.ids.length; i++) {
        const d = Math.hypot(e.wells.lon[i]! - c.lon, e.wells.lat[i]! - c.lat);
        if (d < bd) {
          bd = d;
          best = i;
        }
      }
      return e.wells.ids[best]!;
    });
    const r = await s.api('/api/sim/incident', { category: 'manhole', id: well, sensor: 'gas', holdMs: 600_000 });
    expect(r.status).toBe(200);
    await expect.poll(() => s.page.evaluate((w) => window.__redwall!.store.live.openAlarms.find((a) => a.sourceId === w)?.alarmId ?? '', well)).not.toBe('');
    const id = await s.page.evaluate((w) => window.__redwall!.store.live.openAlarms.find((a) => a.sourceId === w)!.alarmId, well);
    await s.page.evaluate((a) => void window.__redwall!.store.command({ type: 'selectAlarm', alarmId: a }), id);
    const row = s.page.locator('#right table tr', { has: s.page.locator('th', { hasText: '位置' }) }).first();
    await expect.poll(() => row.textContent()).toMatch(/东方银座.*(北|南|东|西|旁).*WG-\d{4}.*\(116\.\d{5}, 39\.\d{5}\)/);
    await s.page.screenshot({ path: resolve(OUT, 'labels-alarm.png') });
  });

  it('3D labels the landmarks on their roofs, and they draw', async () => {
    await s.page.evaluate(() => void window.__redwall!.store.command({ type: 'setView', view: '3d' }));
    const c = await s.page.evaluate(() => window.__redwall!.store.entities.placeIndex!.search('东方银座')[0]!);
    await s.page.evaluate(({ lon, lat }) => void window.__redwall!.store.command({ type: 'focus', lon, lat, what: 'test', rangeM: 700 }), c);
    // the largest label collection in the scene (live layers have small ones of their own): a landmark's label is made
    // when it first shows (issue 24: not all 800 rasterised in the first frame), so this counts the ones shown so far
    const count = await s.page.evaluate(() => {
      const prims = window.__redwall!.view3d.widget.scene.primitives;
      let most = 0;
      for (let i = 0; i < prims.length; i++) {
        const p = prims.get(i) as { length?: number; get?: (k: number) => { text?: unknown } };
        if (p && typeof p.length === 'number' && p.get && p.length > 0 && typeof p.get(0).text === 'string') most = Math.max(most, p.length);
      }
      return most;
    });
    expect(count).toBeGreaterThan(5);
    // each of them on screen now or earlier, none of the 800 made up front
    expect(count).toBeLessThan(800);
    // labels on vs off, each once the view has settled (two equal frames): the picture differs where the names are
    const grab = async () => s.page.locator('#view3d').screenshot();
    const settled = async (): Promise<Buffer> => {
      let prev = await grab();
      for (;;) {
        await new Promise((r) => setTimeout(r, 500));
        const cur = await grab();
        if (diffImages(cur, prev).diffPixels === 0) return cur;
        prev = cur;
      }
    };
    const on = await settled();
    expect(stats(decode(on)).litFraction).toBeGreaterThan(0.3);
    await s.page.screenshot({ path: resolve(SHOTS, 'labels-3d.png') });
    await s.page.evaluate(() => void window.__redwall!.store.command({ type: 'toggleLayer', layer: 'labels', visible: false }));
    await expect.poll(async () => diffImages(await grab(), on).diffPixels).toBeGreaterThan(500);
    await s.page.evaluate(() => void window.__redwall!.store.command({ type: 'toggleLayer', layer: 'labels', visible: true }));
  });

  it('made no request outside loopback and logged no console error', () => {
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });
});

/** Near-white pixels (label text; the dark theme has no other white in 2D). */
function countBright(png: { data: Uint8Array | Buffer; width: number; height: number }): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! > 225 && png.data[i + 1]! > 225 && png.data[i + 2]! > 225) n++;
  return n;
}

describe('the 2D map while it loads', () => {
  let t: Session;
  beforeAll(async () => {
    t = await openApp();
    await waitReady(t.page);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a focus asked after the 2D map is made but before its style has loaded is carried out', async () => {
    const target = await t.page.evaluate(() => window.__redwall!.store.entities.placeIndex!.search('东方银座')[0]!);
    // the map's canvas is put into #view2d by its constructor; a MutationObserver runs at the end of that task, before
    // maplibre's load (a later frame): the focus is asked in that window
    const asked = await t.page.evaluate(
      ({ lon, lat }) =>
        new Promise<{ loadedWhenAsked: boolean }>((resolve) => {
          const host = document.getElementById('view2d')!;
          const obs = new MutationObserver(() => {
            const v = window.__redwall!.view2d();
            if (!v) return;
            obs.disconnect();
            const loadedWhenAsked = v.map.loaded();
            void window.__redwall!.store.command({ type: 'focus', lon, lat, what: 'test', rangeM: 300 });
            resolve({ loadedWhenAsked });
          });
          obs.observe(host, { childList: true, subtree: true });
          void window.__redwall!.store.command({ type: 'setView', view: '2d' });
        }),
      target,
    );
    expect(asked.loadedWhenAsked).toBe(false);
    await t.page.evaluate(() => window.__redwall!.ready2d());
    // the map ends centred on the building (before, the request was dropped and the map stayed on the whole district)
    await expect
      .poll(() =>
        t.page.evaluate(({ lon, lat }) => {
          const c = window.__redwall!.view2d()!.map.getCenter();
          return Math.hypot((c.lng - lon) * Math.cos((lat * Math.PI) / 180), c.lat - lat) * 111_320;
        }, target),
      )
      .toBeLessThan(50);
  });

  it('made no request outside loopback and logged no console error', () => {
    expect(t.external).toEqual([]);
    expect(t.consoleErrors).toEqual([]);
  });
});
