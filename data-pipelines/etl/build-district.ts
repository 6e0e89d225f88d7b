/**
 * Builds the district data package under assets/district/ from the real inputs in data-pipelines/inputs/:
 * Arrow IPC tables (all WGS84) + district.json (extent, boundary, camera presets, credits) + manifest.json
 * (row counts, byte sizes and SHA-256 checksums). Deterministic: same inputs and seed give the same bytes.
 *
 *   npm run build:data            (or: tsx data-pipelines/etl/build-district.ts [outDir])
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifest, ManifestTable } from '../contracts/manifest.ts';
import { buildTable, sha256, toIpc, type ColumnSpec } from './arrow-io.ts';
import {
  buildStreetGraph,
  decodeBusRoutes,
  diurnalProfile,
  gridCellOf,
  inBBox,
  makeGrid,
  padBBox,
  parseBuildings,
  parseCompoundsCsv,
  parseCrowdCsv,
  placeManholes,
  type BBox,
} from './district.ts';
import { demandProfile, demandSources, findVacantLots, parkingHours } from './parking-demand.ts';
import { buildTileset } from '../tiles3d/tileset.ts';
import { placeCameras, sosDomeCameras, placeCareDevices, placeDetectors, placeEnvStations, placeFacilities, placeParking, placeSosPosts } from './entities.ts';

export const SEED = 20261123;
export const PACKAGE_VERSION = 1;
const here = dirname(fileURLToPath(import.meta.url));
const inputs = resolve(here, '../inputs');

export type { Manifest, ManifestTable };

export function buildDistrict(outDir: string, log: (s: string) => void = console.log): Manifest {
  mkdirSync(outDir, { recursive: true });
  const tables: ManifestTable[] = [];
  const rejected: Record<string, number> = {};
  const write = (name: string, description: string, cols: Record<string, ColumnSpec>) => {
    const bytes = toIpc(buildTable(cols));
    const file = `${name}.arrow`;
    writeFileSync(join(outDir, file), bytes);
    const rows = Object.values(cols)[0]!.values.length;
    tables.push({ name, file, rows, bytes: bytes.byteLength, sha256: sha256(bytes), description });
    log(`  ${name.padEnd(16)} ${String(rows).padStart(7)} rows  ${(bytes.byteLength / 1024).toFixed(0).padStart(6)} KiB`);
  };
  const report = (what: string, errors: string[]) => {
    rejected[what] = errors.length;
    if (errors.length) log(`  ! ${what}: ${errors.length} input records rejected, e.g. ${errors.slice(0, 3).join('; ')}`);
  };

  // Buildings (WGS84, height = floor count) define the demo district.
  const { buildings, errors: bErr } = parseBuildings(JSON.parse(readFileSync(join(inputs, 'beijing-buildings/buildings.json'), 'utf8')));
  report('buildings', bErr);
  const ext: BBox = { west: Infinity, south: Infinity, east: -Infinity, north: -Infinity };
  for (const b of buildings)
    for (const [x, y] of b.ring) {
      ext.west = Math.min(ext.west, x);
      ext.east = Math.max(ext.east, x);
      ext.south = Math.min(ext.south, y);
      ext.north = Math.max(ext.north, y);
    }
  const district = padBBox(ext, 60);
  const grid = makeGrid(district, 500);

  write('buildings', 'Real building footprints; floors from source, height = floors x 3.0 m', {
    id: { type: 'i32', values: buildings.map((b) => b.id) },
    name: { type: 'str', values: buildings.map((b) => b.name) },
    floors: { type: 'i32', values: buildings.map((b) => b.floors) },
    height_m: { type: 'f64', values: buildings.map((b) => b.heightM) },
    lon: { type: 'f64', values: buildings.map((b) => b.lon) },
    lat: { type: 'f64', values: buildings.map((b) => b.lat) },
    area_m2: { type: 'f64', values: buildings.map((b) => Math.round(b.areaM2 * 10) / 10) },
    grid_id: { type: 'str', values: buildings.map((b) => gridCellOf(grid, b.lon, b.lat) ?? '') },
    ring: { type: 'f64list', values: buildings.map((b) => b.ring.flat()) },
  });

  // The same buildings as a 3D Tiles 1.1 tileset (tiles/tileset.json + glTF contents with per-building metadata).
  // white material: loaded as a model (import panel, --model) it is a white-box model; the app's own 3D view shades
  // and colours it itself (renderer/src/views/district-buildings.ts)
  const tiles = buildTileset(buildings, { generator: `RedWall ETL (package ${PACKAGE_VERSION}, seed ${SEED})`, color: [1, 1, 1, 1] });
  if (tiles.stats.skipped.length)
    log(`  ! tileset: ${tiles.stats.skipped.length} buildings without a usable footprint, e.g. ids ${tiles.stats.skipped.slice(0, 5).join(', ')}`);
  rmSync(join(outDir, 'tiles'), { recursive: true, force: true });
  mkdirSync(join(outDir, 'tiles/content'), { recursive: true });
  const tilesetText = JSON.stringify(tiles.tileset);
  writeFileSync(join(outDir, 'tiles/tileset.json'), tilesetText);
  const tileFiles = [{ file: 'tiles/tileset.json', bytes: Buffer.byteLength(tilesetText), sha256: sha256(tilesetText) }];
  for (const [path, bytes] of tiles.files) {
    writeFileSync(join(outDir, 'tiles', path), bytes);
    tileFiles.push({ file: `tiles/${path}`, bytes: bytes.byteLength, sha256: sha256(bytes) });
  }
  log(
    `  tileset          ${String(tiles.stats.buildings).padStart(7)} bldgs  ${(tiles.stats.bytes / 1024).toFixed(0).padStart(6)} KiB  (${tiles.stats.tiles} tiles, ${tiles.stats.quantized} quantized, depth ${tiles.stats.depth})`,
  );

  // Streets: real bus corridors (GCJ-02 -> WGS84), noded into a graph.
  const routes = decodeBusRoutes(JSON.parse(readFileSync(join(inputs, 'beijing-bus-lines/lines-bus.json'), 'utf8')));
  const { nodes, edges } = buildStreetGraph(routes, padBBox(district, 300));
  write('street_nodes', 'Street graph vertices from real bus corridors (converted GCJ-02 -> WGS84)', {
    node_id: { type: 'i32', values: nodes.map((n) => n.id) },
    lon: { type: 'f64', values: nodes.map((n) => n.lon) },
    lat: { type: 'f64', values: nodes.map((n) => n.lat) },
  });
  write('street_edges', 'Street graph edges, deduplicated; routes = bus routes sharing the edge (road class proxy)', {
    edge_id: { type: 'i32', values: edges.map((e) => e.id) },
    from_node: { type: 'i32', values: edges.map((e) => e.from) },
    to_node: { type: 'i32', values: edges.map((e) => e.to) },
    length_m: { type: 'f64', values: edges.map((e) => Math.round(e.lengthM * 10) / 10) },
    routes: { type: 'i32', values: edges.map((e) => e.routes) },
    coords: { type: 'f64list', values: edges.map((e) => [nodes[e.from]!.lon, nodes[e.from]!.lat, nodes[e.to]!.lon, nodes[e.to]!.lat]) },
  });

  // Residential compounds (BD-09 -> WGS84), those whose centroid is in the district.
  const { compounds: allCompounds, errors: cErr } = parseCompoundsCsv(readFileSync(join(inputs, 'beijing-residential-compounds/beijing-village.csv'), 'utf8'));
  report('compounds', cErr);
  const compounds = allCompounds.filter((c) => inBBox(district, c.lon, c.lat));
  write('compounds', 'Residential compounds (小区) in the district, converted BD-09 -> WGS84', {
    compound_id: { type: 'i32', values: compounds.map((c) => c.id) },
    source_count: { type: 'i32', values: compounds.map((c) => c.count) },
    lon: { type: 'f64', values: compounds.map((c) => c.lon) },
    lat: { type: 'f64', values: compounds.map((c) => c.lat) },
    area_m2: { type: 'f64', values: compounds.map((c) => Math.round(c.areaM2)) },
    grid_id: { type: 'str', values: compounds.map((c) => gridCellOf(grid, c.lon, c.lat) ?? '') },
    ring: { type: 'f64list', values: compounds.map((c) => c.ring.flat()) },
  });

  write('grid_cells', 'Management grid (网格), ~500 m cells over the district', {
    grid_id: { type: 'str', values: grid.map((g) => g.id) },
    row: { type: 'i32', values: grid.map((g) => g.row) },
    col: { type: 'i32', values: grid.map((g) => g.col) },
    west: { type: 'f64', values: grid.map((g) => g.west) },
    south: { type: 'f64', values: grid.map((g) => g.south) },
    east: { type: 'f64', values: grid.map((g) => g.east) },
    north: { type: 'f64', values: grid.map((g) => g.north) },
  });

  const wells = placeManholes(nodes, edges, district, grid, 35, SEED);
  write('manholes', 'Synthesized manholes (窨井) along real streets, seeded', {
    well_id: { type: 'str', values: wells.map((w) => w.id) },
    kind: { type: 'str', values: wells.map((w) => w.kind) },
    lon: { type: 'f64', values: wells.map((w) => w.lon) },
    lat: { type: 'f64', values: wells.map((w) => w.lat) },
    depth_m: { type: 'f64', values: wells.map((w) => w.depthM) },
    edge_id: { type: 'i32', values: wells.map((w) => w.edgeId) },
    grid_id: { type: 'str', values: wells.map((w) => w.grid) },
  });

  const sos = placeSosPosts(allCompounds, district, 60);
  const cameras = placeCameras(nodes, edges, allCompounds, district, 2000, SEED + 1);
  cameras.push(...sosDomeCameras(sos, cameras));
  write('cameras', 'Synthesized surveillance cameras: street cameras look along the road; compound cameras inside', {
    camera_id: { type: 'str', values: cameras.map((c) => c.id) },
    kind: { type: 'str', values: cameras.map((c) => c.kind) },
    lon: { type: 'f64', values: cameras.map((c) => c.lon) },
    lat: { type: 'f64', values: cameras.map((c) => c.lat) },
    heading: { type: 'f64', values: cameras.map((c) => Math.round(c.heading * 10) / 10) },
    fov: { type: 'f64', values: cameras.map((c) => c.fov) },
    range_m: { type: 'f64', values: cameras.map((c) => c.rangeM) },
    // PTZ (云台/球机): compound cameras, every third street camera and the SOS posts' domes (synthetic)
    ptz: { type: 'i32', values: cameras.map((c) => (c.ptz ? 1 : 0)) },
  });
  write('sos_posts', 'SOS call posts in public spaces (pocket parks, squares)', {
    sos_id: { type: 'str', values: sos.map((p) => p.id) },
    lon: { type: 'f64', values: sos.map((p) => p.lon) },
    lat: { type: 'f64', values: sos.map((p) => p.lat) },
  });
  const parking = placeParking(nodes, edges, buildings, allCompounds, district, 5000, SEED + 2);
  write('parking_places', 'Public parking lots and numbered roadside spots (一位一编号)', {
    place_id: { type: 'str', values: parking.map((p) => p.id) },
    kind: { type: 'str', values: parking.map((p) => p.kind) },
    name: { type: 'str', values: parking.map((p) => p.name) },
    lon: { type: 'f64', values: parking.map((p) => p.lon) },
    lat: { type: 'f64', values: parking.map((p) => p.lat) },
    capacity: { type: 'i32', values: parking.map((p) => p.capacity) },
    ref: { type: 'str', values: parking.map((p) => p.ref) },
    grid_id: { type: 'str', values: parking.map((p) => gridCellOf(grid, p.lon, p.lat) ?? '') },
    open_min: { type: 'i32', values: parking.map((p) => parkingHours(p.kind, p.ref).openMin) },
    close_min: { type: 'i32', values: parking.map((p) => parkingHours(p.kind, p.ref).closeMin) },
  });
  const demand = demandSources(buildings, allCompounds, district, SEED + 6);
  write(
    'demand_sources',
    'Parking demand per building: resident vehicles (以房管人, buildings in compounds) and peak visitor vehicles (0.3 per 100 m² non-residential GFA)',
    {
      source_id: { type: 'str', values: demand.map((d) => d.id) },
      kind: { type: 'str', values: demand.map((d) => d.kind) },
      building_id: { type: 'i32', values: demand.map((d) => d.buildingId) },
      compound_id: { type: 'i32', values: demand.map((d) => d.compoundId) },
      households: { type: 'i32', values: demand.map((d) => d.households) },
      vehicles: { type: 'i32', values: demand.map((d) => d.vehicles) },
      lon: { type: 'f64', values: demand.map((d) => d.lon) },
      lat: { type: 'f64', values: demand.map((d) => d.lat) },
    },
  );
  const lots = findVacantLots(buildings, nodes, edges, district, 40, SEED + 7);
  write('vacant_lots', 'Candidate vacant lots for new car parks (open ground near a street, clear of footprints; synthesized)', {
    lot_id: { type: 'str', values: lots.map((l) => l.id) },
    name: { type: 'str', values: lots.map((l) => l.name) },
    lon: { type: 'f64', values: lots.map((l) => l.lon) },
    lat: { type: 'f64', values: lots.map((l) => l.lat) },
    area_m2: { type: 'f64', values: lots.map((l) => l.areaM2) },
    max_spaces: { type: 'i32', values: lots.map((l) => l.maxSpaces) },
    ring: { type: 'f64list', values: lots.map((l) => l.ring.flat()) },
  });
  const detectors = placeDetectors(buildings);
  write('detectors', 'Smoke detectors on every floor of every building, at the synthesized indoor layout (stair landings, corridor)', {
    detector_id: { type: 'str', values: detectors.map((d) => d.id) },
    building_id: { type: 'i32', values: detectors.map((d) => d.buildingId) },
    floor: { type: 'i32', values: detectors.map((d) => d.floor) },
    lon: { type: 'f64', values: detectors.map((d) => d.lon) },
    lat: { type: 'f64', values: detectors.map((d) => d.lat) },
    location: { type: 'str', values: detectors.map((d) => d.where) },
  });
  const facilities = placeFacilities(nodes, edges, allCompounds, district);
  write('facilities', 'Fire stations and emergency assembly points (synthesized; see entities.ts)', {
    facility_id: { type: 'str', values: facilities.map((f) => f.id) },
    kind: { type: 'str', values: facilities.map((f) => f.kind) },
    name: { type: 'str', values: facilities.map((f) => f.name) },
    lon: { type: 'f64', values: facilities.map((f) => f.lon) },
    lat: { type: 'f64', values: facilities.map((f) => f.lat) },
  });
  const care = placeCareDevices(buildings, allCompounds, district, 3000, SEED + 4);
  write('care_devices', 'Elderly-care wearables and home emergency buttons in residential buildings', {
    device_id: { type: 'str', values: care.map((d) => d.id) },
    device: { type: 'str', values: care.map((d) => d.device) },
    building_id: { type: 'i32', values: care.map((d) => d.buildingId) },
    lon: { type: 'f64', values: care.map((d) => d.lon) },
    lat: { type: 'f64', values: care.map((d) => d.lat) },
  });
  const env = placeEnvStations(district, 40, SEED + 5);
  write('env_stations', 'Environment monitoring stations (air, noise, water)', {
    station_id: { type: 'str', values: env.map((e) => e.id) },
    kind: { type: 'str', values: env.map((e) => e.kind) },
    lon: { type: 'f64', values: env.map((e) => e.lon) },
    lat: { type: 'f64', values: env.map((e) => e.lat) },
  });

  // Real diurnal crowd curve (Wangfujing, BD-09MC -> WGS84), for demand simulation.
  const { cells, errors: crErr } = parseCrowdCsv(readFileSync(join(inputs, 'wangfujing-crowd-grid/wangfujin.csv'), 'utf8'));
  report('crowd', crErr);
  const profile = diurnalProfile(cells);
  write('crowd_diurnal', 'Real half-hourly crowd curve (Wangfujing, Dec 2015), peak = 1', {
    slot: { type: 'i32', values: profile.map((_, i) => i) },
    hhmm: { type: 'str', values: profile.map((_, i) => `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`) },
    relative: { type: 'f64', values: profile.map((v) => Math.round(v * 1e6) / 1e6) },
  });
  const presence = demandProfile(profile);
  write('demand_profile', 'Half-hourly presence: resident vehicles at home (0.95 - 0.5 x crowd) and visitors (= crowd), from the real curve', {
    slot: { type: 'i32', values: presence.map((p) => p.slot) },
    hhmm: { type: 'str', values: presence.map((p) => p.hhmm) },
    resident_home: { type: 'f64', values: presence.map((p) => p.residentHome) },
    visitor: { type: 'f64', values: presence.map((p) => p.visitor) },
  });

  const center = { lon: (district.west + district.east) / 2, lat: (district.south + district.north) / 2 };
  const districtMeta = {
    name: { 'zh-CN': '东直门—朝阳门—团结湖—麦子店 演示片区', en: 'Dongzhimen–Chaoyangmen–Tuanjiehu–Maizidian demo district' },
    bbox: district,
    center,
    boundary: [
      [district.west, district.south],
      [district.east, district.south],
      [district.east, district.north],
      [district.west, district.north],
      [district.west, district.south],
    ],
    presets: [
      { id: 'overview', label: { 'zh-CN': '全域鸟瞰', en: 'Overview' }, lon: center.lon, lat: district.south - 0.028, height: 5200, heading: 0, pitch: -42 },
      { id: 'north', label: { 'zh-CN': '东直门', en: 'Dongzhimen' }, lon: 116.4345, lat: 39.9335, height: 1100, heading: 20, pitch: -35 },
      { id: 'cbd', label: { 'zh-CN': '朝阳门', en: 'Chaoyangmen' }, lon: 116.4355, lat: 39.9085, height: 900, heading: 30, pitch: -30 },
      { id: 'tuanjiehu', label: { 'zh-CN': '团结湖', en: 'Tuanjiehu' }, lon: 116.4615, lat: 39.918, height: 1000, heading: 0, pitch: -35 },
    ],
    metresPerFloor: 3.0,
    credits: [
      { data: 'Beijing building footprints with floor counts', licence: 'Apache-2.0', file: 'data-pipelines/inputs/beijing-buildings/LICENSE' },
      { data: 'Beijing bus routes (echarts example data)', licence: 'BSD-3-Clause', file: 'data-pipelines/inputs/beijing-bus-lines/LICENSE' },
      { data: 'Beijing residential compounds', licence: 'BSD-3-Clause', file: 'data-pipelines/inputs/beijing-residential-compounds/LICENSE' },
      { data: 'Wangfujing crowd grid, Dec 2015', licence: 'BSD-3-Clause', file: 'data-pipelines/inputs/wangfujing-crowd-grid/LICENSE' },
    ],
  };
  const metaText = JSON.stringify(districtMeta, null, 2) + '\n';
  writeFileSync(join(outDir, 'district.json'), metaText);

  const manifest: Manifest = {
    packageVersion: PACKAGE_VERSION,
    seed: SEED,
    crs: 'WGS84',
    bbox: district,
    tables,
    files: [{ file: 'district.json', bytes: Buffer.byteLength(metaText), sha256: sha256(metaText) }, ...tileFiles],
    rejected,
  };
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? resolve(here, '../../assets/district'));
  console.log(`Building district package -> ${out}`);
  const t0 = performance.now();
  const m = buildDistrict(out);
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${m.tables.length} tables`);
}
