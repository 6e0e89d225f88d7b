/**
 * The wall's type scale on its charts (#21 part 3): every text an option sets is at least WALL_MIN_EM of the wall's
 * base size, the legend stays on one row, and what sits next to text grows with it.
 */
import { describe, expect, it } from 'vitest';
import {
  alarmMatrixOption,
  countLegendRows,
  fontSizes,
  parkingGaugeOption,
  raisedOption,
  responseOption,
  sizeWallText,
  trendOption,
  WALL_MIN_EM,
} from '../../renderer/src/ui/wall/options.ts';

const T0 = Date.UTC(2026, 11, 6, 8);
const options = () => [
  alarmMatrixOption(
    {
      categories: ['manhole', 'fire'],
      states: ['new', 'acknowledged'],
      counts: [
        [1, 0],
        [0, 2],
      ],
      total: 3,
    } as never,
    'zh-CN',
  ),
  responseOption([], 'en'),
  raisedOption([{ hourStart: T0, count: 2, critical: 1 }], 'zh-CN'),
  parkingGaugeOption({ occupied: 3, capacity: 4, ratio: 0.75, reporting: 1, places: 1, fullLots: 0, lots: 1, fullest: [] }, 'en'),
  trendOption(
    [
      { name: 'a', color: '#fff', points: [[T0, 1]] },
      { name: 'b', color: '#0ff', points: [[T0, 2]] },
    ],
    { loc: 'en' },
  ),
];

describe('wall chart text', () => {
  it('holds every font size it sets to the minimum at each base size, and sets the sizes ECharts would default', () => {
    for (const base of [18.9, 25.2, 37.8]) {
      const min = Math.ceil(base * WALL_MIN_EM);
      for (const o of options()) {
        const sized = sizeWallText(o, base) as Record<string, unknown>;
        const sizes = fontSizes(sized);
        expect(sizes.length).toBeGreaterThan(0);
        for (const f of sizes) expect(f.px, `${f.path} at base ${base}`).toBeGreaterThanOrEqual(min);
        // the parts ECharts draws at 12 px unless told: axis labels, legend text
        for (const axis of ['xAxis', 'yAxis']) {
          const a = sized[axis] as { axisLabel?: { fontSize?: number } } | undefined;
          if (a) expect(a.axisLabel?.fontSize, axis).toBe(min);
        }
        const legend = sized['legend'] as { show?: boolean; type?: string; textStyle?: { fontSize?: number } } | undefined;
        if (legend && legend.show !== false) {
          expect(legend.type).toBe('scroll');
          expect(legend.textStyle?.fontSize).toBe(min);
        }
      }
    }
  });

  it('grows the gauge ring and reading and the bars with the base size; leaves the option it was given alone', () => {
    const gauge = parkingGaugeOption({ occupied: 3, capacity: 4, ratio: 0.75, reporting: 1, places: 1, fullLots: 0, lots: 1, fullest: [] }, 'en');
    const before = JSON.stringify(gauge);
    const at = (base: number) =>
      (sizeWallText(gauge, base) as { series: Array<{ axisLine: { lineStyle: { width: number } }; detail: { fontSize: number } }> }).series[0]!;
    expect(at(37.8).axisLine.lineStyle.width).toBeGreaterThan(at(18.9).axisLine.lineStyle.width);
    expect(at(37.8).detail.fontSize).toBe(Math.round(37.8 * 1.3));
    expect(JSON.stringify(gauge)).toBe(before);
    const bars = (base: number) =>
      (sizeWallText(raisedOption([{ hourStart: T0, count: 2, critical: 1 }], 'en'), base) as { series: Array<{ barMaxWidth: number }> }).series[0]!.barMaxWidth;
    expect(bars(28)).toBe(2 * bars(14));
  });

  it('the hours on the chart axes read 00:xx after midnight in English too (not "24:xx")', () => {
    const midnight = new Date(2026, 11, 7, 0, 0).getTime();
    const raised = raisedOption([{ hourStart: midnight, count: 2, critical: 1 }], 'en') as { xAxis: { data: string[] } };
    expect(raised.xAxis.data).toEqual(['00:00']);
    const trend = trendOption([{ name: 'a', color: '#fff', points: [[midnight, 1]] }], { loc: 'en' }) as {
      xAxis: { axisLabel: { formatter: (v: number) => string } };
    };
    expect(trend.xAxis.axisLabel.formatter(midnight + 5 * 60_000)).toBe('00:05');
  });

  it('counts the rows a legend wraps to and starts the plot below them; one paging row when the width is unknown', () => {
    expect(countLegendRows(['新告警', '已确认'], 16, 14, 10, 1000)).toBe(1);
    // six 3-glyph CJK names at 16 px: 14 + 5 + 48 = 67 px each, 10 px apart: four fit in 300 px, six do not
    expect(countLegendRows(Array(6).fill('新告警') as string[], 16, 14, 10, 300)).toBe(2);
    expect(countLegendRows(Array(6).fill('新告警') as string[], 16, 14, 10, 60)).toBe(6);
    expect(countLegendRows([], 16, 14, 10, 300)).toBe(0);
    const m = alarmMatrixOption(
      {
        categories: ['manhole'],
        states: ['new', 'acknowledged', 'dispatched', 'onsite', 'resolved', 'shelved'],
        counts: [[1], [0], [0], [0], [0], [0]],
        total: 1,
      } as never,
      'zh-CN',
    );
    type Sized = { legend: { type?: string }; grid: { top: number } };
    const wide = sizeWallText(m, 19, 2000) as Sized;
    const narrow = sizeWallText(m, 19, 420) as Sized;
    expect(wide.legend.type).toBe('plain');
    expect(narrow.legend.type).toBe('plain');
    expect(narrow.grid.top).toBeGreaterThan(wide.grid.top);
    expect((sizeWallText(m, 19) as Sized).legend.type).toBe('scroll');
  });

  it('reads the sizes of a merged option but not of what is hidden', () => {
    expect(
      fontSizes({
        legend: [{ selectorLabel: { fontSize: 12 }, textStyle: { fontSize: 20 } }],
        series: [{ title: { show: false, fontSize: 16 }, detail: { fontSize: 30 } }],
      }),
    ).toEqual([
      { path: 'legend[0].textStyle', px: 20 },
      { path: 'series[0].detail', px: 30 },
    ]);
  });
});
