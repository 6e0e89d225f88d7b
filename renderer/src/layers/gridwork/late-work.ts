/** The grid cells with their late work, as one computed value both views draw (recomputed on the 15 s clock). */
import { computed } from 'mobx';
import { gridPerformance } from '../../grid/performance.ts';
import type { RootStore } from '../../stores/root.ts';
import { beijingToday, gridWork, requestsOf, tasksOf } from '../../work/format.ts';
import { gridworkCells } from './format.ts';

const DAY_MS = 24 * 3600_000;

export function cellsOf(store: RootStore) {
  return computed(() => {
    void store.realLive.versions.request;
    void store.realLive.versions.task;
    const now = store.feed.now15s;
    const perf = gridPerformance(store.realLive.alarms, store.people.grids, now, DAY_MS);
    return gridworkCells(store.people.grids, perf, gridWork(requestsOf(store.realLive.world), tasksOf(store.realLive.world), now, beijingToday(now)));
  });
}
