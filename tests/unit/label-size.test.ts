/**
 * Issue 21: map labels readable on the wall. The console keeps its designed sizes; a wall screen grows them with its
 * type scale and never below its stated minimum, 1/72 of the screen height (docs/wall.md).
 */
import { describe, expect, it } from 'vitest';
import { labelPx } from '../../renderer/src/views/label-font.ts';

describe('map label sizes per screen', () => {
  it('the console draws labels as designed, whatever its size', () => {
    expect(labelPx(14, false, 16, 1080)).toBe(14);
    expect(labelPx(12, false, 30, 2160)).toBe(12);
  });

  it('a wall grows them with its em and keeps them at or above 1/72 of its height', () => {
    // 1920x1080 wall: em 18.9 px, minimum 15 px
    expect(labelPx(16, true, 18.9, 1080)).toBe(19);
    expect(labelPx(11, true, 18.9, 1080)).toBe(15);
    // 3840x2160: em 37.8 px, minimum 30 px
    expect(labelPx(16, true, 37.8, 2160)).toBe(38);
    expect(labelPx(12, true, 37.8, 2160)).toBe(30);
    for (const [px, base, h] of [
      [11, 12, 600],
      [14, 18.9, 1080],
      [12, 25.2, 1440],
      [13, 37.8, 2160],
    ] as const) {
      const got = labelPx(px, true, base, h);
      expect(got).toBeGreaterThanOrEqual(Math.ceil(h / 72));
      expect(got).toBeGreaterThanOrEqual(px);
    }
  });

  it('an unreadable em (no style yet) falls back to the designed size, still held to the minimum', () => {
    expect(labelPx(14, true, Number.NaN, 1080)).toBe(15);
    expect(labelPx(16, true, 0, 720)).toBe(16);
  });
});
