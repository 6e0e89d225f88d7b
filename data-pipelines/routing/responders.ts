/**
 * Responders' travel times to a place (issue 22): every fire station's driving route and time to the place, nearest
 * first. One shortest-path tree from the place (the street graph is undirected), so N stations cost one search.
 * Time = turnout (alarm to wheels rolling) + the drive at urban engine speed + the access legs off the street graph,
 * the same model as the evacuation plan's responder (routing/evacuation.ts).
 */
import { shortestPathTree } from './graph.ts';
import type { StreetNetwork } from './streets.ts';

export interface Facility {
  id: string;
  kind: 'fire_station' | 'assembly';
  name: string;
  lon: number;
  lat: number;
}

/** Urban fire-engine speed (km/h) and turnout time (s): the evacuation plan's defaults. */
export const RESPONSE = { engineKmh: 30, turnoutS: 60 } as const;

export interface StationEta {
  station: Facility;
  distanceM: number;
  etaS: number;
  /** from the station to the place */
  coords: Array<[number, number]>;
}

export function stationEtas(
  streets: StreetNetwork,
  facilities: readonly Facility[],
  to: { lon: number; lat: number },
  opt: { engineKmh?: number; turnoutS?: number } = {},
): StationEta[] {
  const stations = facilities.filter((f) => f.kind === 'fire_station');
  if (!stations.length || streets.size === 0) return [];
  const mps = ((opt.engineKmh ?? RESPONSE.engineKmh) * 1000) / 3600;
  const turnout = opt.turnoutS ?? RESPONSE.turnoutS;
  const start = streets.nearestNode(to.lon, to.lat);
  const tree = shortestPathTree(streets.graph, [start.node]);
  const out: StationEta[] = [];
  for (const st of stations) {
    const sn = streets.nearestNode(st.lon, st.lat);
    if (!Number.isFinite(tree.lengthM[sn.node]!)) continue;
    const coords: Array<[number, number]> = [[st.lon, st.lat]];
    for (let n = sn.node; n !== -1; n = tree.prev[n]!) coords.push([streets.lon[n]!, streets.lat[n]!]);
    coords.push([to.lon, to.lat]);
    const distanceM = Math.round(sn.distanceM + tree.lengthM[sn.node]! + start.distanceM);
    out.push({ station: st, distanceM, etaS: Math.round(turnout + distanceM / mps), coords });
  }
  return out.sort((a, b) => a.etaS - b.etaS || a.station.id.localeCompare(b.station.id));
}
