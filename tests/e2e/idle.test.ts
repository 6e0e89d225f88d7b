/**
 * The 3D view draws on demand: with nothing changing (no simulator, no camera move), it draws no frame at all. A frame
 * on a software renderer is a core's worth of work for a quarter of a second; before this was checked, Cesium's
 * camera-change listener (an entity clustering the app never uses) made the camera drift by rounding errors, and the
 * view drew 3-4 frames a second for ever (issue 24: those frames took the cores that DuckDB's start needed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globeLoaded, openApp, waitReady, type Session } from './harness.ts';

describe('the 3D view idles', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openApp({ sim: null });
    await waitReady(s.page);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('draws no frame while nothing changes', async () => {
    await globeLoaded(s.page);
    expect(await s.page.evaluate(() => window.__redwall!.view3d.widget.camera.changed.numberOfListeners)).toBe(0);
    // Until a 3 s stretch passes without a frame (what start-up loads after the map — the ancestors' ground tiles, the
    // elderly layer's counts — draws its frames first). With the drift, no such stretch ever came: a frame every 0.3 s.
    const quiet = await s.page.evaluate(async () => {
      const scene = window.__redwall!.view3d.scene;
      let last = performance.now();
      const off = scene.postRender.addEventListener(() => (last = performance.now()));
      const giveUpAt = performance.now() + 90_000;
      try {
        while (performance.now() < giveUpAt) {
          if (performance.now() - last >= 3000) return true;
          await new Promise((r) => setTimeout(r, 250));
        }
        return false;
      } finally {
        off();
      }
    });
    expect(quiet).toBe(true);
    // and it stays quiet: over the next 10 s at most the requests layer's 15-s clock draws (the drift drew ~30)
    const frames = await s.page.evaluate(async () => {
      const scene = window.__redwall!.view3d.scene;
      let n = 0;
      const off = scene.postRender.addEventListener(() => n++);
      await new Promise((r) => setTimeout(r, 10_000));
      off();
      return n;
    });
    expect(frames).toBeLessThanOrEqual(2);
    // and a change is still drawn: the next frame comes when asked for
    await s.page.evaluate(() => window.__redwall!.view3d.nextFrame());
    expect(s.consoleErrors).toEqual([]);
    expect(s.external).toEqual([]);
  });
});
