/** Human place names in the operator's language ("东方银座东北 40 米 · WG-0801"), from the district's place index. */
import type { Place } from '../../../data-pipelines/geo/place.ts';
import { locale, t, type Locale } from '../i18n.ts';
import type { EntityStore } from '../stores/entity-store.ts';

/**
 * A place as one line: "东方银座东北 40 米 · 3 层 · WG-0801" / "40 m NE of 东方银座, floor 3 · WG-0801". Null when
 * nothing names it (no building, no landmark within reach, no grid cell): then show coordinates.
 */
export function formatPlace(p: Place, l: Locale = locale()): string | null {
  const near = p.landmark
    ? p.landmark.distanceM === 0
      ? t('place.nextTo', { landmark: p.landmark.name }, l)
      : t('place.near', { landmark: p.landmark.name, dir: t(`place.dir.${p.landmark.direction}`, undefined, l), m: String(p.landmark.distanceM) }, l)
    : null;
  let text: string | null;
  if (p.building?.name) text = p.building.name;
  else if (p.building) {
    // the package's own building number, said as a number (not "N 号楼": that would read as a street address)
    const b = t('place.building', { id: String(p.building.id) }, l);
    text = near ? t('place.buildingNear', { building: b, near }, l) : b;
  } else text = near;
  if (text && p.floor !== null) text = t('place.floor', { place: text, floor: String(p.floor) }, l);
  if (!text) return p.gridId ? t('place.grid', { grid: p.gridId }, l) : null;
  return p.gridId ? t('place.withGrid', { place: text, grid: p.gridId }, l) : text;
}

/** The place of a point (with its building and floor when known), or null when nothing names it (then show coordinates). */
export function placeText(
  entities: EntityStore,
  lon: number,
  lat: number,
  opts: { buildingId?: number; floor?: number } = {},
  l: Locale = locale(),
): string | null {
  const p = describeAt(entities, lon, lat, opts);
  return p && formatPlace(p, l);
}

/** The place index's description of a point, or null without an index or a finite position. */
function describeAt(entities: EntityStore, lon: number, lat: number, opts: { buildingId?: number; floor?: number }): Place | null {
  const idx = entities.placeIndex;
  return idx && Number.isFinite(lon) && Number.isFinite(lat) ? idx.describe(lon, lat, opts) : null;
}

/**
 * The place without its grid cell, for lists that show the grid themselves or have their own codes (a parking cell,
 * a candidate site): "东方银座北 40 米" / "40 m N of 东方银座". Null when nothing names it.
 */
export function placeShort(entities: EntityStore, lon: number, lat: number, opts: { buildingId?: number } = {}, l: Locale = locale()): string | null {
  const p = describeAt(entities, lon, lat, opts);
  return p && formatPlace({ ...p, gridId: null }, l);
}

/**
 * The place with a code after it ("东方银座北 40 米 (hex:2:-8)"), or the code alone when nothing names the place. With
 * `buildingId`: an unnamed building is said by its number already ("楼宇编号 N …"), so the code is not repeated.
 */
export function placeThenCode(entities: EntityStore, lon: number, lat: number, code: string, opts: { buildingId?: number } = {}): string {
  const place = describeAt(entities, lon, lat, opts);
  const p = place && formatPlace({ ...place, gridId: null });
  if (!p) return code;
  return opts.buildingId !== undefined && place.building?.id === opts.buildingId && !place.building.name ? p : `${p} (${code})`;
}

/** The place, then the coordinates (for the radio and for a GPS): "东方银座北 40 米 · WG-0801 (116.42900, 39.93877)". */
export function placeWithCoords(entities: EntityStore, lon: number, lat: number, opts: { buildingId?: number; floor?: number } = {}): string {
  const coords = `${lon.toFixed(5)}, ${lat.toFixed(5)}`;
  const p = placeText(entities, lon, lat, opts);
  return p ? `${p} (${coords})` : coords;
}
