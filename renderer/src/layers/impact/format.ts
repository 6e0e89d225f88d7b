/**
 * Impact zone of the selected alarm (issue 22): pure geometry for the 2D and 3D renderers — the zone's rings, the
 * road segments to close, the roadblocks, the buildings inside. The zone itself is computed by the response store
 * (stores/response-store.ts, routing/impact.ts).
 */
import type { Impact } from '../../../../data-pipelines/routing/impact.ts';
import type { RootStore } from '../../stores/root.ts';
import type { RGBA } from '../../palette.ts';

export const IMPACT_COLORS = {
  zoneFill: [255, 60, 60, 60] as RGBA,
  zoneLine: [255, 80, 80, 255] as RGBA,
  drillLine: [80, 200, 255, 255] as RGBA,
  drillFill: [80, 200, 255, 50] as RGBA,
  building: [255, 150, 40, 170] as RGBA,
  road: [255, 220, 0, 255] as RGBA,
  closure: [255, 255, 255, 255] as RGBA,
};

/** The zone's polygons, each as its outer ring then its holes (a street buffer round a block leaves the block out). */
export function zonePolygons(impact: Impact): Array<Array<Array<[number, number]>>> {
  const g = impact.zone.polygon.geometry;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return polys.map((p) => p.map((ring) => ring.map(([x, y]) => [x!, y!] as [number, number])));
}

/** Every ring of the zone (outer rings and holes), for outlines. */
export function zoneRings(impact: Impact): Array<Array<[number, number]>> {
  return zonePolygons(impact).flat();
}

/** The footprints of the buildings inside, as rings. */
export function buildingRings(store: Pick<RootStore, 'entities'>, impact: Impact, max = 2000): Array<{ id: number; ring: Array<[number, number]> }> {
  const g = store.entities.buildingGeom;
  if (!g) return [];
  const out: Array<{ id: number; ring: Array<[number, number]> }> = [];
  for (const b of impact.buildings.slice(0, max)) {
    const i = store.entities.buildingIndex.get(b.id);
    if (i === undefined) continue;
    const flat = g.rings[i]!;
    const ring: Array<[number, number]> = [];
    for (let k = 0; k + 1 < flat.length; k += 2) ring.push([flat[k]!, flat[k + 1]!]);
    out.push({ id: b.id, ring });
  }
  return out;
}

/** What is drawn: the selected alarm's impact, once ready (and only while that alarm is still selected). */
export function shownImpact(store: Pick<RootStore, 'response' | 'ui' | 'live'>): { impact: Impact; drill: boolean; key: string } | null {
  const cur = store.response.current;
  if (!cur || cur.status !== 'ready' || !cur.impact || cur.alarmId !== store.ui.selectedAlarmId) return null;
  return { impact: cur.impact, drill: store.live.alarm(cur.alarmId)?.drill === true, key: cur.key };
}
