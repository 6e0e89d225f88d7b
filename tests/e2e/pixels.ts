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

/**
 * Compares `actual` with the golden PNG at `goldenPath`. Set UPDATE_GOLDEN=1 to (re)write goldens. Per-pixel colour
 * threshold 0.1 (pixelmatch YIQ distance) with anti-aliasing detection; the caller states the allowed fraction.
 */
export function compareGolden(actual: Buffer, goldenPath: string): GoldenResult {
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(goldenPath)) {
    if (process.env['CI'] && process.env['UPDATE_GOLDEN'] !== '1') throw new Error(`golden image ${goldenPath} missing in CI`);
    mkdirSync(dirname(goldenPath), { recursive: true });
    writeFileSync(goldenPath, actual);
    return { diffPixels: 0, diffFraction: 0, updated: true, diffPath: null };
  }
  const a = decode(actual);
  const g = decode(readFileSync(goldenPath));
  if (a.width !== g.width || a.height !== g.height) throw new Error(`golden ${goldenPath} is ${g.width}x${g.height}, actual ${a.width}x${a.height}`);
  const diff = new PNG({ width: a.width, height: a.height });
  const diffPixels = pixelmatch(a.data, g.data, diff.data, a.width, a.height, { threshold: 0.1, includeAA: false });
  let diffPath: string | null = null;
  if (diffPixels > 0) {
    const outDir = resolve(import.meta.dirname, '../../test-results');
    mkdirSync(outDir, { recursive: true });
    diffPath = resolve(outDir, basename(goldenPath).replace(/\.png$/, '.diff.png'));
    writeFileSync(diffPath, PNG.sync.write(diff));
    writeFileSync(diffPath.replace('.diff.png', '.actual.png'), actual);
  }
  return { diffPixels, diffFraction: diffPixels / (a.width * a.height), updated: false, diffPath };
}

/** Pixels of the whole image within `tol` (per channel) of a colour. */
export function countColour(png: PNG, rgb: [number, number, number], tol = 40): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4)
    if (Math.abs(png.data[i]! - rgb[0]) <= tol && Math.abs(png.data[i + 1]! - rgb[1]) <= tol && Math.abs(png.data[i + 2]! - rgb[2]) <= tol) n++;
  return n;
}
