/**
 * Issue 18 end to end with real components: the simulator off, the example sources (assets/sources) pointed at a real
 * Debian mosquitto on a loopback port, and the operator's console in Chromium. A gas reading published with QoS 1 on
 * the cover platform's topic becomes an alarm in the alarm list and a red well in 3D and in 2D; a fire-panel event
 * over MQTT lights floor 3 of building 12 (the detector SD-12-3-1 the registry maps it to); a car park's free-space
 * count pushed over HTTP recolours PL-001 on the parking layer. Every wait is on a condition (pixels or state),
 * capped only so a hang fails.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENSOR_SPECS } from '../../data-pipelines/contracts/manhole.ts';
import { loadEntities } from '../../data-pipelines/feed/entities.ts';
import { loadSourcesFile } from '../../data-pipelines/sources/load.ts';
import { floorBase, SLAB_M } from '../../renderer/src/layers/evacuation/format.ts';
import { FIRE_COLORS } from '../../renderer/src/layers/fire/index.ts';
import { LEVEL_COLORS } from '../../renderer/src/palette.ts';
import { occupancyColor } from '../../renderer/src/layers/parking/index.ts';
import { startBroker, until, type Broker } from '../unit/mosquitto.ts';
import { EXAMPLES, writeExampleSources } from '../unit/sources-fixture.ts';
import { openApp, ROOT, waitReady, type Session } from './harness.ts';
import { countNear, decode, stats } from './pixels.ts';

const CAP_MS = 120_000;
const examples = EXAMPLES;
const TOKENS = {
  REDWALL_INGEST_NBIOT_TOKEN: 'e2e-nbiot-token-0123456789abcdef',
  REDWALL_INGEST_CARPARK_TOKEN: 'e2e-carpark-token-0123456789abcdef',
  REDWALL_INGEST_SOS_TOKEN: 'e2e-sos-token-0123456789abcdefgh',
};
const COVER_IMEI = '868120045123456';
const WELL = 'MH-00420';
const RED_WELL = LEVEL_COLORS.alarm.slice(0, 3) as [number, number, number];
const rgb = (c: readonly number[]) => c.slice(0, 3) as [number, number, number];

let broker: Broker;
let pub: MqttClient;
let s: Session;

const sample = (name: string) => readFileSync(join(examples, 'samples', name));

async function shot(page: Page, sel: string, path?: string) {
  return decode(await page.locator(sel).screenshot(path ? { path } : {}));
}

/** Pixels of a colour around a lon/lat (at `height` m in 3D) in the current view, after a fresh frame; -1 off screen. */
async function colourAt(
  page: Page,
  view: '3d' | '2d',
  lon: number,
  lat: number,
  colour: [number, number, number],
  radius: number,
  height = 1.5,
  tol = 40,
): Promise<number> {
  if (view === '3d') await page.evaluate(() => window.__redwall!.view3d.nextFrame());
  const p = await page.evaluate(
    ([v, x, y, h]) =>
      v === '3d' ? window.__redwall!.view3d.project(x as number, y as number, h as number) : window.__redwall!.view2d()!.project(x as number, y as number),
    [view, lon, lat, height] as const,
  );
  if (!p) return -1;
  return countNear(await shot(page, view === '3d' ? '#view3d' : '#view2d'), p.x, p.y, radius, colour, tol);
}

/**
 * The alarm floor's slab as drawn (layers/evacuation: EVAC_COLORS.floorAlarm, translucent): over the dark ground and
 * through the other slabs it reads as a dull red (e.g. 180,42,48 or 150,85,67), unlike the smoke floors' orange
 * (green above 0.65 of red, or no blue over the dark ground) and the plain floors' blue-grey.
 */
const alarmSlab = (r: number, g: number, b: number) => r > 110 && g < 0.65 * r && r - b > 30 && b > 20;

/** Pixels within `radius` of (x, y) that satisfy `pred`. */
function countWhere(png: ReturnType<typeof decode>, x: number, y: number, radius: number, pred: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  for (let dy = -radius; dy <= radius; dy++)
    for (let dx = -radius; dx <= radius; dx++) {
      const px = Math.round(x + dx);
      const py = Math.round(y + dy);
      if (px < 0 || py < 0 || px >= png.width || py >= png.height) continue;
      const i = (py * png.width + px) * 4;
      if (pred(png.data[i]!, png.data[i + 1]!, png.data[i + 2]!)) n++;
    }
  return n;
}

/** Centres the 2D map on a point and resolves once maplibre is idle (deck.gl draws on its own frames: callers poll pixels). */
async function jump2d(page: Page, lon: number, lat: number, zoom: number): Promise<void> {
  await page.evaluate(
    ([x, y, z]) =>
      new Promise<void>((r) => {
        const m = window.__redwall!.view2d()!.map;
        m.once('idle', () => r());
        m.jumpTo({ center: [x!, y!], zoom: z! });
      }),
    [lon, lat, zoom],
  );
}

describe('real feeds end to end: mosquitto and HTTP push into the console (simulator off)', () => {
  beforeAll(async () => {
    broker = await startBroker();
    const dir = mkdtempSync(join(tmpdir(), 'redwall-e2e-live-'));
    const sources = loadSourcesFile(
      writeExampleSources(dir, broker.url, { [COVER_IMEI]: WELL }, 'e2e'),
      loadEntities(resolve(ROOT, 'assets/district')),
      TOKENS,
    );
    s = await openApp({ sim: null, sources });
    await waitReady(s.page);
    const status = (id: string) => s.server.sources.status().sources.find((x) => x.id === id)?.state;
    await until(() => ['covers', 'fire-panels'].every((id) => status(id) === 'connected'));
    // the operator's sources panel agrees
    await s.page.click('[data-testid=sources-toggle]');
    await s.page.locator('[data-testid=sources-panel] [data-testid=source-row][data-source=covers][data-state=connected]').waitFor({ timeout: CAP_MS });
    await s.page.click('[data-testid=sources-toggle]');
    pub = await mqtt.connectAsync(broker.url, { clientId: 'redwall-e2e-publisher', clean: true });
  }, 600_000);

  afterAll(async () => {
    await pub?.endAsync();
    await s?.close();
    await broker?.stop();
  });

  it('a gas reading published with QoS 1 becomes an alarm in the list and a red well in 3D and 2D', { timeout: 600_000 }, async () => {
    const page = s.page;
    const well = await page.evaluate((id) => window.__redwall!.store.entities.wellPoint(id)!, WELL);
    // alarm markers off, so the well itself is seen (the marker sits on top of it)
    await page.uncheck('[data-testid=layer-alarms]');
    // before: nothing red at the well (no simulator, no reading yet) in either view
    expect(await colourAt(page, '3d', well.lon, well.lat, RED_WELL, 8)).toBe(0);
    await page.click('[data-testid=view-2d]');
    await page.waitForFunction(() => window.__redwall?.view2d() !== null);
    await page.evaluate(() => window.__redwall!.ready2d());
    await jump2d(page, well.lon, well.lat, 15);
    await expect.poll(() => colourAt(page, '2d', well.lon, well.lat, rgb(LEVEL_COLORS.normal), 6, 1.5, 60), { timeout: CAP_MS }).toBeGreaterThan(0);
    expect(await colourAt(page, '2d', well.lon, well.lat, RED_WELL, 6)).toBe(0);

    const gas = SENSOR_SPECS.gas.alarm + 25; // %LEL, above the alarm threshold
    await pub.publishAsync(`covers/${COVER_IMEI}/up`, JSON.stringify({ n: 'e2e-gas-1', gas }), { qos: 1 });
    const item = page.locator(`[data-testid=alarm-item][data-source=${WELL}]`);
    await item.waitFor({ timeout: CAP_MS });
    expect(await item.getAttribute('data-category')).toBe('manhole');
    expect(await item.getAttribute('data-level')).toBe('alarm');
    expect(await item.textContent()).toContain(String(gas));
    const alarm = [...s.server.core.engine.alarms.values()].find((a) => a.sourceId === WELL && a.cause === 'gas');
    expect(alarm).toMatchObject({ category: 'manhole', active: true, state: 'new' });
    expect(s.server.core.world.byStream.manhole.get(`${WELL}|gas`)?.origin).toMatch(/^covers\//);

    // 2D: the well is drawn red
    await expect.poll(() => colourAt(page, '2d', well.lon, well.lat, RED_WELL, 6), { timeout: CAP_MS }).toBeGreaterThan(20);
    await shot(page, '#view2d', '/tmp/redwall-sources-live-2d.png');
    // 3D: the well is drawn red
    await page.click('[data-testid=view-3d]');
    await expect.poll(() => colourAt(page, '3d', well.lon, well.lat, RED_WELL, 8), { timeout: CAP_MS }).toBeGreaterThan(20);
    await shot(page, '#view3d', '/tmp/redwall-sources-live-3d.png');
    await page.check('[data-testid=layer-alarms]');
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });

  it('a fire-panel event over MQTT lights floor 3 of building 12', { timeout: 600_000 }, async () => {
    const page = s.page;
    const det = await page.evaluate(() => window.__redwall!.store.entities.detectors.get('SD-12-3-1')!);
    expect(det).toMatchObject({ buildingId: 12, floor: 3 });
    await pub.publishAsync('fire/P12/event', sample('fire-panel-event.json'), { qos: 1 });
    const item = page.locator('[data-testid=alarm-item][data-source=SD-12-3-1]');
    await item.waitFor({ timeout: CAP_MS });
    expect(await item.getAttribute('data-category')).toBe('fire');
    expect(await item.textContent()).toContain('3层');
    // the operator opens it: the building is peeled into floors and the incident is on floor 3
    await item.click();
    await page.locator('[data-testid=evacuation-plan]').waitFor({ timeout: CAP_MS });
    expect(await page.evaluate(() => window.__redwall!.store.ui.explodedBuildingId)).toBe(12);
    expect(await page.locator('[data-testid=evacuation-plan]').locator('xpath=preceding-sibling::p[contains(@class, "alarm-title")]').textContent()).toMatch(
      /· 3F · .*SD-12-3-1$/,
    );
    // 3D: the detector is drawn in fire red on the peeled floor 3 (the camera flies there: wait for the pixels)
    const h3 = floorBase(3, true) + SLAB_M / 2;
    await expect.poll(() => colourAt(page, '3d', det.lon, det.lat, rgb(FIRE_COLORS.fire), 6, h3), { timeout: CAP_MS }).toBeGreaterThan(20);
    // and of the peeled floors, floor 3's slab is the one drawn in the alarm floor's colour, probed per floor at the
    // footprint's centre, mid-slab (the basemap has red lines of its own: no count over the whole picture)
    const fire3d = await shot(page, '#view3d', '/tmp/redwall-sources-live-fire-3d.png');
    const floors = await page.evaluate(() => {
      const e = window.__redwall!.store.entities;
      const ring = Array.from(e.buildingGeom!.rings[e.buildingIndex.get(12)!]!);
      let lon = 0;
      let lat = 0;
      for (let k = 0; k < ring.length; k += 2) {
        lon += ring[k]!;
        lat += ring[k + 1]!;
      }
      return { lon: (lon * 2) / ring.length, lat: (lat * 2) / ring.length, n: e.layout(12)!.floors };
    });
    const lit: Record<number, number> = {};
    const at: Record<number, string> = {};
    for (let f = 1; f <= floors.n; f++) {
      const p = await page.evaluate(([x, y, h]) => window.__redwall!.view3d.project(x!, y!, h!), [
        floors.lon,
        floors.lat,
        floorBase(f, true) + SLAB_M / 2,
      ] as const);
      lit[f] = p ? countWhere(fire3d, p.x, p.y, 3, alarmSlab) : -1;
      at[f] = p ? `${Math.round(p.x)},${Math.round(p.y)}` : 'off';
    }
    // Seen from above at 45°, the lit slab is in front of the footprint centre of the slab just below it, so the red
    // probes are floor 3's and floor 2's (translucent slabs are drawn back to front: the view has no order-independent
    // translucency, issue 24). The run must end at floor 3: a slab lit on floor 4 would turn floor 4's probe red, one
    // lit on floor 2 would leave floor 3's probe without red.
    const red = Object.entries(lit)
      .filter(([, n]) => n > 20)
      .map(([f]) => Number(f));
    const why = JSON.stringify({ lit, at });
    expect(red, why).toContain(3);
    expect(red.every((f) => Math.abs(f - 3) <= 1) && Math.max(...red) === 3, why).toBe(true);
    // the whole console, after the gas and the fire: not a black canvas
    await page.screenshot({ path: '/tmp/redwall-sources-live.png' });
    const st = stats(await shot(page, '#view3d'));
    expect(st.litFraction).toBeGreaterThan(0.05);
    expect(st.distinctColours).toBeGreaterThan(40);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });

  it('a car park count pushed over HTTP recolours PL-001 on the parking layer', { timeout: 600_000 }, async () => {
    const page = s.page;
    const place = await page.evaluate(() => {
      const p = window.__redwall!.store.entities.places.get('PL-001')!;
      return { lon: p.lon, lat: p.lat, capacity: p.capacity };
    });
    const body = JSON.parse(sample('carpark-free-spaces.json').toString('utf8')) as { total: number; free: number };
    expect(place.capacity).toBe(body.total);
    const busy = rgb(occupancyColor((body.total - body.free) / body.total));
    const unknown: [number, number, number] = [120, 120, 140];
    await page.check('[data-testid=layer-parking]');
    await page.click('[data-testid=view-2d]');
    await page.evaluate(() => window.__redwall!.ready2d());
    await jump2d(page, place.lon, place.lat, 16);
    // before: PL-001 has no count yet (grey), nothing of the occupancy colour there
    await expect.poll(() => colourAt(page, '2d', place.lon, place.lat, unknown, 5, 1.5, 45), { timeout: CAP_MS }).toBeGreaterThan(10);
    expect(await colourAt(page, '2d', place.lon, place.lat, busy, 5, 1.5, 30)).toBe(0);

    const r = await fetch(`${s.server.url}/api/ingest/carparks/free-spaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.REDWALL_INGEST_CARPARK_TOKEN}`, 'content-type': 'application/json' },
      body: sample('carpark-free-spaces.json').toString('utf8'),
    });
    expect(r.status).toBe(202);
    expect(await r.json()).toMatchObject({ journaled: 1, quarantined: 0 });
    // the page's live world holds the new occupancy, and the layer draws it
    await page.waitForFunction(
      ([occ]) => {
        const ev = window.__redwall!.store.live.world.byStream.parking.get('PL-001');
        return ev?.kind === 'parking.occupancy' && ev.occupied === occ;
      },
      [body.total - body.free],
      { timeout: CAP_MS, polling: 250 },
    );
    await expect.poll(() => colourAt(page, '2d', place.lon, place.lat, busy, 5, 1.5, 30), { timeout: CAP_MS }).toBeGreaterThan(20);
    expect(await colourAt(page, '2d', place.lon, place.lat, unknown, 5, 1.5, 20)).toBe(0);
    await shot(page, '#view2d', '/tmp/redwall-sources-live-parking-2d.png');
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });
});
