/**
 * Grid situation (网格态势): each grid cell coloured by its late work — unacknowledged alarms of the last 24 h, overdue
 * citizen requests and overdue visits — so the one map shows where the district is behind. Pure (unit-tested); the
 * counts are the grid panel's (grid/performance.ts, work/format.ts).
 */
import type { GridPerformance } from '../../grid/performance.ts';
import { cellRing } from '../../../../data-pipelines/geo/grid-cell.ts';
import type { GridRect } from '../../stores/people-store.ts';
import type { GridWork } from '../../work/format.ts';
import type { RGBA } from '../../palette.ts';

export const GRIDWORK_STEPS: ReadonlyArray<{ key: 'open' | 'late' | 'behind'; color: RGBA }> = [
  { key: 'open', color: [46, 196, 182, 70] },
  { key: 'late', color: [255, 183, 3, 130] },
  { key: 'behind', color: [239, 35, 60, 160] },
];

export interface GridworkCell {
  id: string;
  ring: Array<[number, number]>;
  late: number;
  open: number;
  color: RGBA;
}

/** Cells with open work; 1–2 late items amber, 3 or more red, none late teal. Cells with nothing open are left out. */
export function gridworkCells(grids: readonly GridRect[], perf: readonly GridPerformance[], work: ReadonlyMap<string, GridWork>): GridworkCell[] {
  const p = new Map(perf.map((g) => [g.gridId, g]));
  const out: GridworkCell[] = [];
  for (const g of grids) {
    const a = p.get(g.id);
    const w = work.get(g.id);
    const late = (a?.waiting ?? 0) + (w?.overdueRequests ?? 0) + (w?.overdueTasks ?? 0);
    const open = (a?.open ?? 0) + (w?.openRequests ?? 0) + (w?.openTasks ?? 0);
    if (!open && !late) continue;
    const step = late >= 3 ? GRIDWORK_STEPS[2]! : late > 0 ? GRIDWORK_STEPS[1]! : GRIDWORK_STEPS[0]!;
    out.push({
      id: g.id,
      ring: cellRing(g),
      late,
      open,
      color: step.color,
    });
  }
  return out;
}
