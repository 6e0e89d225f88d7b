/** Pure presentation of buildings: height colour ramp and attribute rows. */
import type { RGBA } from '../../palette.ts';
import type { Buildings3d } from '../../../../data-pipelines/contracts/shell-config.ts';

/** Colour ramp by floor count, tuned for a dark command-center theme. */
const RAMP: Array<[number, RGBA]> = [
  [1, [74, 98, 130, 255]],
  [4, [86, 128, 170, 255]],
  [8, [104, 160, 205, 255]],
  [16, [150, 196, 230, 255]],
  [30, [214, 232, 245, 255]],
];

export function floorsColor(floors: number): RGBA {
  if (!(floors > RAMP[0]![0])) return RAMP[0]![1];
  for (let i = 1; i < RAMP.length; i++) {
    const [f1, c1] = RAMP[i]!;
    const [f0, c0] = RAMP[i - 1]!;
    if (floors <= f1) {
      const t = (floors - f0) / (f1 - f0);
      return c0.map((v, k) => Math.round(v + (c1[k]! - v) * t)) as RGBA;
    }
  }
  return RAMP[RAMP.length - 1]![1];
}

export const BUILDING_LEGEND = RAMP.map(([f, c]) => ({ floors: f, color: `rgb(${c[0]},${c[1]},${c[2]})` }));

export const SELECTED_COLOR: RGBA = [255, 209, 102, 255];

/** Where the 3D view's district buildings come from: extruded from the footprints at start-up, or the 3D Tiles tileset. */
export type BuildingsSource = Buildings3d;

/**
 * The source a page uses: its `?buildings=geometry|tileset` when it names one, else the one its shell was started with
 * (`--buildings`, in the shell config), else the tileset (the default since issue 25: streamed, it is drawn sooner than
 * the footprints extruded at start-up, and a tileset that cannot load falls back to them).
 */
export function buildingsSourceOf(search: string, configured?: BuildingsSource): BuildingsSource {
  const asked = new URLSearchParams(search).get('buildings');
  return asked === 'tileset' || asked === 'geometry' ? asked : (configured ?? 'tileset');
}

/**
 * A building id read from a tile's metadata: an integer (INT32/UINT32 properties) or a bigint (64-bit ones) within the
 * safe range; anything else (absent, a fraction, text) is no building of ours.
 */
export function buildingIdValue(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : null;
  return null;
}
