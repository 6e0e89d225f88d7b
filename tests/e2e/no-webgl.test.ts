/**
 * A machine with no WebGL at all (a broken GPU driver, a locked-down remote desktop): the 3D view cannot be made, and
 * start-up says so on the stage. The panels still come up around it, with the alarm list live: alarms are never
 * silently out of sight (the panels are otherwise mounted after the maps, main.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type Session } from './harness.ts';

describe('no WebGL on this machine', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openApp({}, '', { width: 1600, height: 900 }, (page) => {
      // every WebGL context refused, as Chromium does where the GPU is blocklisted and software GL is off
      void page.addInitScript(() => {
        const get = HTMLCanvasElement.prototype.getContext as (this: HTMLCanvasElement, id: string, o?: unknown) => unknown;
        HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, id: string, o?: unknown) {
          return /webgl/i.test(id) ? null : get.call(this, id, o);
        } as typeof HTMLCanvasElement.prototype.getContext;
      });
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('says why on the stage, and the alarm list still shows an injected alarm', async () => {
    await s.page.waitForFunction(() => document.getElementById('boot')?.dataset['state'] === 'error', undefined, { timeout: 120_000 });
    expect(await s.page.locator('#boot').isVisible()).toBe(true);
    expect(await s.page.locator('#boot').textContent()).toMatch(/WebGL/i);
    const res = await s.api('/api/sim/incident', { wellId: 'MH-00420', sensor: 'gas' });
    expect(res.status).toBe(200);
    await s.page.locator('[data-testid=alarm-item][data-source=MH-00420]').waitFor({ timeout: 120_000 });
    // the failure is the one console error, and nothing left the machine
    expect(s.consoleErrors.filter((e) => !/RedWall failed to start/.test(e))).toEqual([]);
    expect(s.external).toEqual([]);
  });
});
