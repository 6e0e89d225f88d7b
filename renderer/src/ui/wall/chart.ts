/**
 * One ECharts instance in a box: tree-shaken (bar, line, gauge; canvas renderer), resized with its box, disposed by
 * destroy(). ECharts fetches nothing (no map registration, no remote fonts): offline by construction.
 */
import { BarChart, GaugeChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';

echarts.use([BarChart, LineChart, GaugeChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export class ChartWidget {
  private chart: echarts.ECharts | null;
  private readonly resize: ResizeObserver;
  private last = '';

  constructor(readonly el: HTMLElement) {
    this.chart = echarts.init(el, undefined, { renderer: 'canvas' });
    this.resize = new ResizeObserver(() => this.chart?.resize());
    this.resize.observe(el);
  }

  /** Replaces the option (series replaced, not merged: a category that disappears must disappear). */
  set(option: EChartsOption): void {
    if (!this.chart) return;
    // charts repaint on every sample; identical options are skipped (no redraw of an idle wall)
    const key = JSON.stringify(option, (_k, v: unknown) => (typeof v === 'function' ? String(v) : v));
    if (key === this.last) return;
    this.last = key;
    this.chart.setOption(option, { replaceMerge: ['series', 'xAxis', 'yAxis', 'title'] });
  }

  destroy(): void {
    this.resize.disconnect();
    this.chart?.dispose();
    this.chart = null;
  }
}
