/** Human place names in the operator's language ("东方银座东北 40 米 · WG-0801"), from the district's place index. */
import { formatPlace } from '../../../data-pipelines/geo/place.ts';
import { locale } from '../i18n.ts';
import type { EntityStore } from '../stores/entity-store.ts';

/** The place of a point (with its building and floor when known), or null when nothing names it (then show coordinates). */
export function placeText(
  entities: EntityStore,
  lon: number,
  lat: number,
  opts: { buildingId?: number; floor?: number } = {},
  lang: 'zh' | 'en' = locale() === 'en' ? 'en' : 'zh',
): string | null {
  const idx = entities.placeIndex;
  if (!idx || !Number.isFinite(lon) || !Number.isFinite(lat)) return null;
  return formatPlace(idx.describe(lon, lat, opts), lang);
}

/** The place, then the coordinates (for the radio and for a GPS): "东方银座北 40 米 · WG-0801 (116.42900, 39.93877)". */
export function placeWithCoords(entities: EntityStore, lon: number, lat: number, opts: { buildingId?: number; floor?: number } = {}): string {
  const coords = `${lon.toFixed(5)}, ${lat.toFixed(5)}`;
  const p = placeText(entities, lon, lat, opts);
  return p ? `${p} (${coords})` : coords;
}
