/** Issue 24: the virtualised alarm list draws the rows in sight and a few either side, whatever the scroll position. */
import { describe, expect, it } from 'vitest';
import { visibleRange } from '../../renderer/src/ui/alarm-list.ts';

const topsOf = (heights: number[]): number[] => heights.reduce((acc, h) => [...acc, acc.at(-1)! + h], [0]);

describe('alarm list window', () => {
  const tops = topsOf(Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 31 : 47)));

  it('at the top: the first rows in sight plus the overscan below', () => {
    const { start, end } = visibleRange(tops, 0, 400, 8);
    expect(start).toBe(0);
    // 400 px hold 9 rows (one 31 + eight 47 = 407 > 400): rows 0..8 in sight, 8 more below
    expect(end).toBe(9 + 8);
  });

  it('in the middle: exactly the rows overlapping the view, plus the overscan either side', () => {
    const viewTop = 20_000;
    const viewHeight = 500;
    const { start, end } = visibleRange(tops, viewTop, viewHeight, 5);
    const inSight = [];
    for (let i = 0; i < 1000; i++) if (tops[i + 1]! > viewTop && tops[i]! < viewTop + viewHeight) inSight.push(i);
    expect(start).toBe(inSight[0]! - 5);
    expect(end).toBe(inSight.at(-1)! + 1 + 5);
  });

  it('at the end: clamped to the list, never past it', () => {
    const total = tops.at(-1)!;
    const { start, end } = visibleRange(tops, total - 300, 300, 8);
    expect(end).toBe(1000);
    expect(start).toBeGreaterThan(980);
    expect(visibleRange(tops, total + 5000, 300, 8)).toEqual({ start: 1000 - 8 - 1, end: 1000 });
  });

  it('scrolled above the list (the header is in sight) and empty lists', () => {
    expect(visibleRange(tops, -200, 300, 2)).toEqual({ start: 0, end: 3 + 2 });
    expect(visibleRange([0], 0, 300, 8)).toEqual({ start: 0, end: 0 });
  });
});
