/**
 * The golden-image helper of the render tests (tests/e2e/pixels.ts): a missing golden fails with how to create it,
 * locally and in CI; only UPDATE_GOLDEN=1 writes one, and never in CI; a changed picture is counted, not excused.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compareGolden, settledShot } from '../e2e/pixels.ts';

function png(w: number, h: number, paint: (x: number, y: number) => [number, number, number]): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = paint(x, y);
      p.data.set([r, g, b, 255], (y * w + x) * 4);
    }
  return PNG.sync.write(p);
}

const grey = png(20, 10, () => [90, 90, 90]);
// the same picture with a 5x4 red "layer" on it: 20 of 200 pixels differ
const withLayer = png(20, 10, (x, y) => (x < 5 && y < 4 ? [255, 0, 0] : [90, 90, 90]));

describe('compareGolden', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('fails on a missing golden without writing it, locally and in CI, and says how to create one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redwall-golden-'));
    const golden = join(dir, 'missing.png');
    for (const ci of ['', '1']) {
      vi.stubEnv('UPDATE_GOLDEN', '');
      vi.stubEnv('CI', ci);
      expect(() => compareGolden(grey, golden)).toThrow(/missing.*UPDATE_GOLDEN=1/s);
      expect(existsSync(golden)).toBe(false);
    }
  });

  it('writes a golden only with UPDATE_GOLDEN=1, and refuses that in CI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redwall-golden-'));
    const golden = join(dir, 'made.png');
    vi.stubEnv('UPDATE_GOLDEN', '1');
    vi.stubEnv('CI', 'true');
    expect(() => compareGolden(grey, golden)).toThrow(/refused in CI/);
    expect(existsSync(golden)).toBe(false);
    vi.stubEnv('CI', '');
    expect(compareGolden(grey, golden).updated).toBe(true);
    expect(readFileSync(golden).equals(grey)).toBe(true);
  });

  it('counts the pixels a toggled layer changes; an identical picture has none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redwall-golden-'));
    const golden = join(dir, 'layer.png');
    writeFileSync(golden, withLayer);
    vi.stubEnv('UPDATE_GOLDEN', '');
    expect(compareGolden(withLayer, golden)).toMatchObject({ diffPixels: 0, updated: false });
    const r = compareGolden(grey, golden);
    expect(r.diffPixels).toBe(20);
    expect(r.diffFraction).toBeCloseTo(0.1, 5);
    expect(r.diffPath).not.toBeNull();
  });
});

describe('settledShot', () => {
  it('returns the first picture shown twice in a row, and gives up on one that keeps changing', async () => {
    const frames = [withLayer, grey, withLayer, withLayer];
    let i = 0;
    const shot = await settledShot(async () => frames[i++]!);
    expect(shot.equals(withLayer)).toBe(true);
    expect(i).toBe(4);
    let n = 0;
    await expect(settledShot(async () => png(2, 2, () => [n++ % 255, 0, 0]), undefined, 5)).rejects.toThrow(/did not settle/);
  });
});
