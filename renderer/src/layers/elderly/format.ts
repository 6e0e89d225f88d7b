/** Elderly density per grid cell: pure colour ramp and features (unit-tested). */
import type { GridDensity } from '../../../../data-pipelines/contracts/people.ts';
import { cellRing } from '../../../../data-pipelines/geo/grid-cell.ts';
import type { GridRect } from '../../stores/people-store.ts';
import type { RGBA } from '../../palette.ts';

/** Share of residents aged 60+ -> colour: pale (young) to deep purple (old), the usual ageing-map palette. */
export const ELDERLY_STEPS: ReadonlyArray<{ from: number; color: RGBA }> = [
  { from: 0, color: [237, 231, 246, 150] },
  { from: 0.15, color: [196, 170, 224, 170] },
  { from: 0.2, color: [156, 110, 200, 185] },
  { from: 0.25, color: [118, 60, 170, 200] },
  { from: 0.3, color: [84, 20, 130, 215] },
];

export function elderlyColor(share: number): RGBA {
  let c = ELDERLY_STEPS[0]!.color;
  for (const s of ELDERLY_STEPS) if (share >= s.from) c = s.color;
  return c;
}

export interface ElderlyCell {
  id: string;
  ring: Array<[number, number]>;
  share: number;
  elderly: number;
  residents: number;
  aloneElderly: number;
  color: RGBA;
}

/** Grid cells with residents, coloured by the share aged 60+ (cells nobody lives in are left out). */
export function elderlyCells(grids: readonly GridRect[], density: readonly GridDensity[]): ElderlyCell[] {
  const by = new Map(density.map((d) => [d.gridId, d]));
  const out: ElderlyCell[] = [];
  for (const g of grids) {
    const d = by.get(g.id);
    if (!d || d.residents === 0) continue;
    const share = d.elderly / d.residents;
    out.push({
      id: g.id,
      ring: cellRing(g),
      share,
      elderly: d.elderly,
      residents: d.residents,
      aloneElderly: d.aloneElderly,
      color: elderlyColor(share),
    });
  }
  return out;
}
