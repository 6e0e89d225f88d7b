/** PNG pixel checks for render tests: "not a black canvas", colour near a point, golden-image comparison. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export function decode(buf: Buffer): PNG {
  return PNG.sync.read(buf);
}

export interface PixelStats {
  /** fraction of pixels brighter than a near-black threshold */
  litFraction: number;
  /** number of distinct colours after 4-bit quantisation */
  distinctColours: number;
}

export function stats(png: PNG): PixelStats {
  const seen = new Set<number>();
  let lit = 0;
  const n = png.width * png.height;
  for (let i = 0; i < n; i++) {
    const r = png.data[i * 4]!;
    const g = png.data[i * 4 + 1]!;
    const b = png.data[i * 4 + 2]!;
    if (0.2126 * r + 0.7152 * g + 0.0722 * b > 48) lit++;
    seen.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
  }
  return { litFraction: lit / n, distinctColours: seen.size };
}

/** Counts pixels within `radius` of (x, y) whose colour is within `tol` (per channel) of `rgb`. */
export function countNear(png: PNG, x: number, y: number, radius: number, rgb: [number, number, number], tol = 40): number {
  let count = 0;
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const px = Math.round(x + dx);
      const py = Math.round(y + dy);
      if (px < 0 || py < 0 || px >= png.width || py >= png.height) continue;
      const i = (py * png.width + px) * 4;
      if (Math.abs(png.data[i]! - rgb[0]) <= tol && Math.abs(png.data[i + 1]! - rgb[1]) <= tol && Math.abs(png.data[i + 2]! - rgb[2]) <= tol) count++;
    }
  }
  return count;
}

export interface GoldenResult {
  diffPixels: number;
  diffFraction: number;
  updated: boolean;
  diffPath: string | null;
}

/** Colour Playwright paints over masked (time-dependent) elements in golden shots: the same on every run. */
export const MASK_COLOR = '#ff00ff';

/**
 * Compares `actual` with the golden PNG at `goldenPath`. Per-pixel colour threshold 0.1 (pixelmatch YIQ distance) with
 * anti-aliasing detection; the caller states the allowed fraction. A missing golden FAILS: goldens are written only
 * when asked for (UPDATE_GOLDEN=1) on a developer's machine, never in CI (CI set), so a golden lost from the tree can
 * never be recreated silently from whatever the run happens to draw.
 */
export function compareGolden(actual: Buffer, goldenPath: string): GoldenResult {
  const update = process.env['UPDATE_GOLDEN'] === '1';
  if (update && process.env['CI'])
    throw new Error(`UPDATE_GOLDEN=1 is refused in CI: goldens (${goldenPath}) are made on a developer's machine, checked by eye and committed`);
  if (update) {
    mkdirSync(dirname(goldenPath), { recursive: true });
    writeFileSync(goldenPath, actual);
    return { diffPixels: 0, diffFraction: 0, updated: true, diffPath: null };
  }
  if (!existsSync(goldenPath)) {
    const outDir = resolve(import.meta.dirname, '../../test-results');
    mkdirSync(outDir, { recursive: true });
    const actualPath = resolve(outDir, basename(goldenPath).replace(/\.png$/, '.actual.png'));
    writeFileSync(actualPath, actual);
    throw new Error(
      `golden image ${goldenPath} is missing (this run's shot: ${actualPath}). Create it on a developer machine with ` +
        `UPDATE_GOLDEN=1 npx vitest run --config tests/vitest.e2e.config.ts <the test file>, look at the PNG, and commit it (tests/e2e/golden/README.md)`,
    );
  }
  const { diffPixels, diffFraction, diff } = diffImages(actual, readFileSync(goldenPath), goldenPath);
  let diffPath: string | null = null;
  if (diffPixels > 0) {
    const outDir = resolve(import.meta.dirname, '../../test-results');
    mkdirSync(outDir, { recursive: true });
    diffPath = resolve(outDir, basename(goldenPath).replace(/\.png$/, '.diff.png'));
    writeFileSync(diffPath, PNG.sync.write(diff));
    writeFileSync(diffPath.replace('.diff.png', '.actual.png'), actual);
  }
  return { diffPixels, diffFraction, updated: false, diffPath };
}

/** pixelmatch of two PNGs of one size (threshold 0.1, anti-aliasing ignored); writes nothing. */
export function diffImages(actual: Buffer, expected: Buffer, name = 'expected'): { diffPixels: number; diffFraction: number; diff: PNG } {
  const a = decode(actual);
  const g = decode(expected);
  if (a.width !== g.width || a.height !== g.height) throw new Error(`golden ${name} is ${g.width}x${g.height}, actual ${a.width}x${a.height}`);
  const diff = new PNG({ width: a.width, height: a.height });
  const diffPixels = pixelmatch(a.data, g.data, diff.data, a.width, a.height, { threshold: 0.1, includeAA: false });
  return { diffPixels, diffFraction: diffPixels / (a.width * a.height), diff };
}

/**
 * Screenshots until two in a row are byte-identical (animations finished, tiles loaded, the overlay drawn): a golden
 * is taken of a settled frame, by condition rather than by a fixed wait. `between` runs before each retake (e.g. a
 * render request for an on-demand renderer). Throws when the picture keeps changing.
 */
export async function settledShot(take: () => Promise<Buffer>, between: () => Promise<unknown> = async () => undefined, maxShots = 40): Promise<Buffer> {
  let prev = await take();
  for (let i = 1; i < maxShots; i++) {
    await between();
    const next = await take();
    if (next.equals(prev)) return next;
    prev = next;
  }
  throw new Error(`the picture did not settle within ${maxShots} screenshots`);
}

/** Pixels of the whole image within `tol` (per channel) of a colour. */
export function countColour(png: PNG, rgb: [number, number, number], tol = 40): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4)
    if (Math.abs(png.data[i]! - rgb[0]) <= tol && Math.abs(png.data[i + 1]! - rgb[1]) <= tol && Math.abs(png.data[i + 2]! - rgb[2]) <= tol) n++;
  return n;
}
