/**
 * Synthesized sensor entities placed on the real district (fixed seed): cameras, park SOS posts, parking lots and
 * numbered roadside spots (一位一编号), smoke detectors on every floor of every building, elderly-care devices in
 * residential compounds, environment stations. Pure: build-district.ts writes them as Arrow tables.
 */
import type { XY } from '../geo/coords.ts';
import type { CoverageCamera } from '../geo/coverage.ts';
import { bearingDeg, haversineMeters, M_PER_DEG_LAT, mPerDegLon, offsetAlong, pointInRing } from '../geo/measure.ts';
import { buildIndoorLayout } from '../indoor/layout.ts';
import { StreetNetwork } from '../routing/streets.ts';
import type { Facility } from '../routing/evacuation.ts';

export type { Facility };
import { inBBox, rng, type BBox, type Building, type Compound, type StreetEdge, type StreetNode } from './district.ts';

const alongEdge = (a: StreetNode, b: StreetNode, t: number, sideM: number): XY => offsetAlong([a.lon, a.lat], [b.lon, b.lat], t, sideM);

/** A synthesized camera: where it stands and looks, whether it is a dome (PTZ: turns to an SOS or an alarm). */
export interface Camera extends CoverageCamera {
  kind: 'road' | 'compound' | 'sos';
}

/** ~`count` cameras: 70 % on streets every ~90 m looking along the road, 30 % at compound gates/interiors. */
export function placeCameras(nodes: StreetNode[], edges: StreetEdge[], compounds: Compound[], district: BBox, count: number, seed: number): Camera[] {
  const rand = rng(seed);
  const out: Camera[] = [];
  const roadTarget = Math.round(count * 0.7);
  const totalLen = edges.reduce((s, e) => s + e.lengthM, 0);
  const spacing = totalLen / roadTarget;
  let carry = rand() * spacing;
  for (const e of edges) {
    const a = nodes[e.from]!;
    const b = nodes[e.to]!;
    let d = carry;
    while (d < e.lengthM && out.length < roadTarget) {
      const [lon, lat] = alongEdge(a, b, d / e.lengthM, 9);
      if (inBBox(district, lon, lat)) {
        const forward = rand() < 0.5;
        out.push({
          id: '',
          lon,
          lat,
          heading: (bearingDeg([a.lon, a.lat], [b.lon, b.lat]) + (forward ? 0 : 180)) % 360,
          fov: 60 + Math.round(rand() * 30),
          rangeM: 80 + Math.round(rand() * 70),
          kind: 'road',
          // every third street camera is a dome (synthetic; a real registry says per camera)
          ptz: out.length % 3 === 0,
        });
      }
      d += spacing;
    }
    carry = d - e.lengthM;
  }
  const inDistrict = compounds.filter((c) => inBBox(district, c.lon, c.lat));
  for (let i = 0; out.length < count && inDistrict.length; i++) {
    const c = inDistrict[i % inDistrict.length]!;
    const v = c.ring[Math.floor(rand() * c.ring.length)]!;
    const t = 0.15 + rand() * 0.5; // between a boundary vertex and the centroid
    out.push({
      id: '',
      lon: v[0] + (c.lon - v[0]) * t,
      lat: v[1] + (c.lat - v[1]) * t,
      heading: Math.round(rand() * 359),
      fov: 90,
      rangeM: 50 + Math.round(rand() * 40),
      kind: 'compound',
      ptz: true,
    });
  }
  out.forEach((c, i) => (c.id = `CAM-${String(i + 1).padStart(4, '0')}`));
  return out;
}

/**
 * An SOS post comes with a dome camera that sees it (配套球机): a post that no PTZ camera can turn to gets one, 25 m
 * away, looking at it, numbered after the others. Returns the cameras added.
 */
export function sosDomeCameras(posts: ReadonlyArray<{ lon: number; lat: number }>, cameras: readonly Camera[]): Camera[] {
  const added: Camera[] = [];
  const all = [...cameras];
  posts.forEach((p, i) => {
    const seen = all.some((c) => c.ptz && haversineMeters([c.lon, c.lat], [p.lon, p.lat]) <= c.rangeM);
    if (seen) return;
    const b = (i * 137.5) % 360;
    const r = (b * Math.PI) / 180;
    const lat = p.lat + (25 * Math.cos(r)) / M_PER_DEG_LAT;
    const lon = p.lon + (25 * Math.sin(r)) / mPerDegLon(p.lat);
    const cam: Camera = {
      id: `CAM-${String(cameras.length + added.length + 1).padStart(4, '0')}`,
      lon,
      lat,
      heading: (b + 180) % 360,
      fov: 60,
      rangeM: 100,
      kind: 'sos',
      ptz: true,
    };
    added.push(cam);
    all.push(cam);
  });
  return added;
}

export interface SosPost {
  id: string;
  lon: number;
  lat: number;
}

/** SOS call posts in public spaces: one near the centroid of the largest compounds (pocket parks, squares). */
export function placeSosPosts(compounds: Compound[], district: BBox, count: number): SosPost[] {
  return compounds
    .filter((c) => inBBox(district, c.lon, c.lat))
    .sort((a, b) => b.areaM2 - a.areaM2 || a.id - b.id)
    .slice(0, count)
    .map((c, i) => ({ id: `SOS-${String(i + 1).padStart(3, '0')}`, lon: c.lon, lat: c.lat }));
}

export interface ParkingPlace {
  id: string;
  kind: 'lot' | 'spot';
  lon: number;
  lat: number;
  capacity: number;
  /** street edge for roadside spots, compound/building for lots */
  ref: string;
  name: string;
}

/** Public lots at large buildings and compounds; numbered roadside spots along side streets. */
export function placeParking(
  nodes: StreetNode[],
  edges: StreetEdge[],
  buildings: Building[],
  compounds: Compound[],
  district: BBox,
  spots: number,
  seed: number,
): ParkingPlace[] {
  const rand = rng(seed);
  const out: ParkingPlace[] = [];
  const big = buildings
    .filter((b) => b.floors >= 12 && b.areaM2 > 1500)
    .sort((a, b) => b.areaM2 - a.areaM2 || a.id - b.id)
    .slice(0, 70);
  for (const b of big)
    out.push({
      id: '',
      kind: 'lot',
      lon: b.lon,
      lat: b.lat,
      capacity: Math.min(800, Math.round(b.areaM2 / 30 / 10) * 10 + 40),
      ref: `B${b.id}`,
      name: b.name || `楼宇${b.id}`,
    });
  const cs = compounds.filter((c) => inBBox(district, c.lon, c.lat) && c.areaM2 > 20_000).slice(0, 60);
  for (const c of cs)
    out.push({
      id: '',
      kind: 'lot',
      lon: c.lon,
      lat: c.lat,
      capacity: Math.min(600, Math.round(c.areaM2 / 400 / 10) * 10 + 20),
      ref: `C${c.id}`,
      name: `小区${c.id}停车场`,
    });
  out.forEach((p, i) => (p.id = `PL-${String(i + 1).padStart(3, '0')}`));
  // Roadside spots: 6 m bays on both kerbs of side streets (few bus routes), skipping 30 m near junctions.
  const side = edges.filter((e) => e.routes <= 4 && e.lengthM > 80);
  let n = 0;
  outer: for (let pass = 0; pass < 3; pass++) {
    for (const e of side) {
      const a = nodes[e.from]!;
      const b = nodes[e.to]!;
      const kerb = pass % 2 === 0 ? 7 : -7;
      for (let d = 30 + pass * 3; d < e.lengthM - 30; d += 6 * (1 + Math.floor(rand() * 3))) {
        const [lon, lat] = alongEdge(a, b, d / e.lengthM, kerb);
        if (!inBBox(district, lon, lat)) continue;
        n++;
        out.push({ id: `RS-${String(n).padStart(5, '0')}`, kind: 'spot', lon, lat, capacity: 1, ref: `E${e.id}`, name: `路侧泊位 ${n}` });
        if (n >= spots) break outer;
      }
    }
  }
  return out;
}

export interface Detector {
  id: string;
  buildingId: number;
  floor: number;
  lon: number;
  lat: number;
  where: string;
}

/**
 * Smoke detectors on every floor, at the synthesized indoor layout's positions (stair landings, then along the
 * corridor; 1–4 per floor by footprint area): the same positions the 3D floor view and evacuation routing use.
 */
export function placeDetectors(buildings: Building[]): Detector[] {
  const out: Detector[] = [];
  for (const b of buildings) {
    const layout = buildIndoorLayout({ id: b.id, floors: b.floors, areaM2: b.areaM2, ring: b.ring });
    for (const d of layout.detectors) out.push({ id: d.id, buildingId: b.id, floor: d.floor, lon: d.lon, lat: d.lat, where: d.where });
  }
  return out;
}

export interface CareDevice {
  id: string;
  buildingId: number;
  lon: number;
  lat: number;
  device: 'wearable' | 'button';
}

/** Elderly-care devices (wearables, home emergency buttons) in residential buildings inside compounds. */
export function placeCareDevices(buildings: Building[], compounds: Compound[], district: BBox, count: number, seed: number): CareDevice[] {
  const rand = rng(seed);
  const cs = compounds.filter((c) => inBBox(district, c.lon, c.lat));
  const residential = buildings.filter((b) => b.floors >= 2 && b.floors <= 30 && cs.some((c) => pointInRing([b.lon, b.lat], c.ring)));
  const out: CareDevice[] = [];
  for (let i = 0; i < count && residential.length; i++) {
    const b = residential[Math.floor(rand() * residential.length)]!;
    out.push({
      id: `CR-${String(i + 1).padStart(5, '0')}`,
      buildingId: b.id,
      lon: b.lon + (rand() - 0.5) * 0.0002,
      lat: b.lat + (rand() - 0.5) * 0.00015,
      device: rand() < 0.7 ? 'wearable' : 'button',
    });
  }
  return out;
}

export interface EnvStation {
  id: string;
  lon: number;
  lat: number;
  kind: 'air' | 'noise' | 'water';
}

/** Environment stations on a jittered lattice: air quality, noise at arterials, water quality at a few points. */
export function placeEnvStations(district: BBox, count: number, seed: number): EnvStation[] {
  const rand = rng(seed);
  const cols = Math.ceil(Math.sqrt(count * ((district.east - district.west) / (district.north - district.south))));
  const rows = Math.ceil(count / cols);
  const out: EnvStation[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols && out.length < count; c++) {
      const i = out.length;
      out.push({
        id: `ENV-${String(i + 1).padStart(2, '0')}`,
        lon: district.west + ((c + 0.2 + rand() * 0.6) / cols) * (district.east - district.west),
        lat: district.south + ((r + 0.2 + rand() * 0.6) / rows) * (district.north - district.south),
        kind: i % 5 === 4 ? 'water' : i % 3 === 2 ? 'noise' : 'air',
      });
    }
  return out;
}

/**
 * Emergency facilities for evacuation and response (synthesized: the real station and shelter registers are not in
 * the inputs). Fire stations: three, on the connected street network at fixed fractions of the district extent, as
 * a station covers ~7 km² in Beijing's urban core. Assembly points (应急避难场所): courtyards of the residential
 * compounds of at least 20,000 m², where the subdistricts actually gather residents.
 */
export function placeFacilities(nodes: StreetNode[], edges: StreetEdge[], compounds: Compound[], district: BBox): Facility[] {
  const net = new StreetNetwork({
    lon: nodes.map((n) => n.lon),
    lat: nodes.map((n) => n.lat),
    from: edges.map((e) => e.from),
    to: edges.map((e) => e.to),
    lengthM: edges.map((e) => e.lengthM),
  });
  const out: Facility[] = [];
  const fractions: Array<[number, number, string]> = [
    [0.22, 0.3, '西南'],
    [0.78, 0.28, '东南'],
    [0.5, 0.8, '北'],
  ];
  fractions.forEach(([fx, fy, label], i) => {
    const lon = district.west + (district.east - district.west) * fx;
    const lat = district.south + (district.north - district.south) * fy;
    const n = net.nearestNode(lon, lat).node;
    out.push({ id: `FS-${i + 1}`, kind: 'fire_station', name: `${label}消防救援站`, lon: net.lon[n]!, lat: net.lat[n]! });
  });
  const big = compounds.filter((c) => inBBox(district, c.lon, c.lat) && c.areaM2 >= 20_000).sort((a, b) => a.id - b.id);
  big.forEach((c, i) => out.push({ id: `AP-${String(i + 1).padStart(3, '0')}`, kind: 'assembly', name: `应急避难场所 ${i + 1}`, lon: c.lon, lat: c.lat }));
  return out;
}
