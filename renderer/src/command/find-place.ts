/**
 * One search over everything an operator may name on the radio or the phone: a building by name or number, a device
 * (manhole, camera, SOS post, car park, smoke detector, care device), a grid cell, an alarm or a citizen request by
 * id. Pure: the caller hands in the tables (the entity store, the live alarms and requests) and flies to the hit.
 */
import { normalise, type PlaceIndex } from '../../../data-pipelines/geo/place.ts';

export type FoundKind = 'building' | 'well' | 'camera' | 'sos' | 'parking' | 'detector' | 'care' | 'grid' | 'alarm' | 'request';

export interface Found {
  kind: FoundKind;
  /** the thing's id (a building's number as text) */
  id: string;
  /** what the list shows first: a name, else the id */
  label: string;
  lon: number;
  lat: number;
  /** a building to select (buildings, detectors) */
  buildingId?: number;
}

interface Point {
  id: string;
  lon: number;
  lat: number;
}

export interface FindTables {
  places: PlaceIndex | null;
  wells: { ids: readonly string[]; lon: ArrayLike<number>; lat: ArrayLike<number> };
  cameras: Iterable<Point>;
  sos: Iterable<Point>;
  parking: Iterable<Point & { name: string }>;
  detectors: Iterable<Point & { buildingId: number; floor: number }>;
  care: Iterable<Point & { buildingId: number }>;
  grids: Iterable<{ id: string; west: number; south: number; east: number; north: number }>;
  alarms: Iterable<{ alarmId: string; sourceId: string; lon: number; lat: number; title?: string }>;
  requests: Iterable<{ requestId: string; summary: string; lon: number; lat: number }>;
}

/** Ids match from their start (MH-001 finds MH-00100…), case- and width-insensitive; up to `limit` hits in all. */
export function findPlaces(text: string, t: FindTables, limit = 12): Found[] {
  const q = normalise(text);
  if (!q) return [];
  const out: Found[] = [];
  const seen = new Set<string>();
  const add = (f: Found) => {
    const k = `${f.kind}:${f.id}`;
    if (out.length >= limit || seen.has(k) || !Number.isFinite(f.lon) || !Number.isFinite(f.lat)) return;
    seen.add(k);
    out.push(f);
  };
  const idMatch = (id: string) => normalise(id).startsWith(q);

  // exact ids first: an operator reading an id off a screen or a ticket wants that one thing
  for (const a of t.alarms) if (normalise(a.alarmId) === q) add({ kind: 'alarm', id: a.alarmId, label: a.title ?? a.alarmId, lon: a.lon, lat: a.lat });
  for (const r of t.requests) if (normalise(r.requestId) === q) add({ kind: 'request', id: r.requestId, label: r.summary, lon: r.lon, lat: r.lat });

  // a building by the package's number: "2091" or "#2091" (not "2091号楼": that is a name, e.g. 东中街30号楼)
  const num = /^#?(\d{1,7})$/.exec(q);
  if (num && t.places) {
    const b = t.places.building(Number(num[1]));
    if (b) add({ kind: 'building', id: String(b.id), label: b.name || `#${b.id}`, lon: b.lon, lat: b.lat, buildingId: b.id });
  }
  // buildings by name
  for (const b of t.places?.search(text, limit) ?? []) add({ kind: 'building', id: String(b.id), label: b.name, lon: b.lon, lat: b.lat, buildingId: b.id });

  // devices and cells by id (prefix); car parks also by name
  for (const g of t.grids) if (idMatch(g.id)) add({ kind: 'grid', id: g.id, label: g.id, lon: (g.west + g.east) / 2, lat: (g.south + g.north) / 2 });
  for (const p of t.parking)
    if (idMatch(p.id) || (p.name && normalise(p.name).includes(q))) add({ kind: 'parking', id: p.id, label: p.name || p.id, lon: p.lon, lat: p.lat });
  for (const c of t.cameras) if (idMatch(c.id)) add({ kind: 'camera', id: c.id, label: c.id, lon: c.lon, lat: c.lat });
  for (const s of t.sos) if (idMatch(s.id)) add({ kind: 'sos', id: s.id, label: s.id, lon: s.lon, lat: s.lat });
  for (const d of t.detectors) if (idMatch(d.id)) add({ kind: 'detector', id: d.id, label: d.id, lon: d.lon, lat: d.lat, buildingId: d.buildingId });
  for (const d of t.care) if (idMatch(d.id)) add({ kind: 'care', id: d.id, label: d.id, lon: d.lon, lat: d.lat });
  for (let i = 0; i < t.wells.ids.length && out.length < limit; i++) {
    const id = t.wells.ids[i]!;
    if (idMatch(id)) add({ kind: 'well', id, label: id, lon: t.wells.lon[i]!, lat: t.wells.lat[i]! });
  }
  for (const a of t.alarms)
    if (idMatch(a.alarmId) || idMatch(a.sourceId)) add({ kind: 'alarm', id: a.alarmId, label: a.title ?? a.alarmId, lon: a.lon, lat: a.lat });
  for (const r of t.requests) if (idMatch(r.requestId)) add({ kind: 'request', id: r.requestId, label: r.summary, lon: r.lon, lat: r.lat });
  return out;
}
