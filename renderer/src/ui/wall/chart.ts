/**
 * One ECharts instance in a box: tree-shaken (bar, line, gauge; canvas renderer), resized with its box, disposed by
 * destroy(). ECharts fetches nothing (no map registration, no remote fonts): offline by construction. Its text follows
 * the wall's type scale (sizeWallText): the box's CSS font size is the base and its width sets the legend's rows,
 * both re-read when the box resizes; the smallest font size the chart really draws (its merged option, ECharts'
 * defaults included) is written to `data-min-font` (and where, `data-min-font-at`) for the screen-size test.
 */
import { BarChart, GaugeChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';
import { fontSizes, sizeWallText } from './options.ts';

echarts.use([BarChart, LineChart, GaugeChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export class ChartWidget {
  private chart: echarts.ECharts | null;
  private readonly resize: ResizeObserver;
  private last = '';
  private option: EChartsOption | null = null;
  private basePx = 0;
  private widthPx = 0;

  constructor(readonly el: HTMLElement) {
    this.chart = echarts.init(el, undefined, { renderer: 'canvas' });
    this.resize = new ResizeObserver(() => {
      this.chart?.resize();
      // the wall's type scale follows the screen: a new base size re-draws the text
      if (this.option && (this.fontPx() !== this.basePx || this.el.clientWidth !== this.widthPx)) this.set(this.option);
    });
    this.resize.observe(el);
  }

  private fontPx(): number {
    return parseFloat(getComputedStyle(this.el).fontSize) || 14;
  }

  /** Replaces the option (series replaced, not merged: a category that disappears must disappear). */
  set(option: EChartsOption): void {
    if (!this.chart) return;
    this.option = option;
    this.basePx = this.fontPx();
    this.widthPx = this.el.clientWidth;
    const sized = sizeWallText(option, this.basePx, this.widthPx);
    // charts repaint on every sample; identical options are skipped (no redraw of an idle wall)
    const key = JSON.stringify(sized, (_k, v: unknown) => (typeof v === 'function' ? String(v) : v));
    if (key === this.last) return;
    this.last = key;
    this.chart.setOption(sized, { replaceMerge: ['series', 'xAxis', 'yAxis', 'title'] });
    const smallest = fontSizes(this.chart.getOption()).reduce<{ path: string; px: number } | null>((m, f) => (m && m.px <= f.px ? m : f), null);
    this.el.dataset['minFont'] = smallest ? String(smallest.px) : '';
    this.el.dataset['minFontAt'] = smallest?.path ?? '';
  }

  destroy(): void {
    this.resize.disconnect();
    this.chart?.dispose();
    this.chart = null;
  }
}
