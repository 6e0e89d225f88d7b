/**
 * Trends for the video-wall dashboards: sampled from the live stores every few seconds (events per second, district
 * parking occupancy), seeded with 24 h of occupancy from the feed journal. Created only by the wall
 * and dashboard screens: the operator console does not pay for it.
 */
import { makeAutoObservable, runInAction } from 'mobx';
import { STREAMS, type StreamName } from '../../../data-pipelines/contracts/events.ts';
import type { RootStore } from '../stores/root.ts';
import { occupancySeriesFromCsv, parkingPressure, ratePerSecond, Trend, type ParkingPressure } from './kpi.ts';

export const SAMPLE_MS = 5_000;
/** 10 minutes of live samples for the feed-rate chart */
const RATE_POINTS = 120;

export class WallStore {
  /** bumped after every sample: charts repaint on it */
  version = 0;
  historyError = '';
  private readonly rates = new Map<StreamName | 'all', Trend>(([...STREAMS, 'all'] as const).map((s) => [s, new Trend(RATE_POINTS)]));
  private parking = new Trend(24 * 12 + RATE_POINTS);
  private prev = new Map<StreamName | 'all', { at: number; count: number }>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly store: RootStore) {
    makeAutoObservable<this, 'rates' | 'parking' | 'prev' | 'timer' | 'store'>(
      this,
      { rates: false, parking: false, prev: false, timer: false, store: false },
      { autoBind: true },
    );
  }

  start(): void {
    if (this.timer) return;
    this.sample(Date.now());
    this.timer = setInterval(() => this.sample(Date.now()), SAMPLE_MS);
  }

  /** Takes one sample of every trend (public for tests). */
  sample(now: number): void {
    const live = this.store.realLive;
    let all = 0;
    for (const s of STREAMS) {
      const count = live.health[s].events;
      all += count;
      const cur = { at: now, count };
      this.rates.get(s)!.push(now, ratePerSecond(this.prev.get(s) ?? null, cur));
      this.prev.set(s, cur);
    }
    const curAll = { at: now, count: all };
    this.rates.get('all')!.push(now, ratePerSecond(this.prev.get('all') ?? null, curAll));
    this.prev.set('all', curAll);
    const p = this.pressure;
    if (Number.isFinite(p.ratio)) this.parking.push(now, p.ratio);
    this.version++;
  }

  /** Current parking pressure (from the live world, not the samples); computed once per parking change for all charts. */
  get pressure(): ParkingPressure {
    void this.store.realLive.versions.parking;
    const occ = this.store.realLive.world.byStream.parking;
    return parkingPressure(this.store.entities.places.values(), (id) => {
      const ev = occ.get(id);
      return ev?.kind === 'parking.occupancy' ? ev : null;
    });
  }

  rateSeries(stream: StreamName | 'all'): Array<[number, number]> {
    void this.version;
    return this.rates.get(stream)!.points();
  }

  parkingSeries(): Array<[number, number]> {
    void this.version;
    return this.parking.points();
  }

  /** Seeds the parking trend with the journal's last `hours` (5-min samples); an error is shown, the live trend goes on. */
  async loadParkingHistory(hours = 24): Promise<void> {
    const sink = this.store.sink;
    if (!sink) return;
    const to = Date.now();
    try {
      const { csv } = await sink.call('parkingHistory', { from: to - hours * 3600_000, to, step: 300_000 });
      const series = occupancySeriesFromCsv(csv);
      runInAction(() => {
        const live = this.parking.points();
        const first = live[0]?.[0] ?? Infinity;
        const merged = new Trend(this.parking.max);
        for (const s of series) if (s.ts < first && Number.isFinite(s.ratio)) merged.push(s.ts, s.ratio);
        for (const [t, v] of live) merged.push(t, v);
        this.parking = merged;
        this.historyError = '';
        this.version++;
      });
    } catch (e) {
      runInAction(() => (this.historyError = (e as Error).message));
    }
  }

  destroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
