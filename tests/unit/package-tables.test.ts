// The district package read without DuckDB (renderer/src/data/package-tables.ts, district.ts): the map is drawn from
// these readers while DuckDB-Wasm compiles (issue 24), so they must give what the SQL they replace gave (ORDER BY ids,
// names filtered, numbers as numbers) and refuse a damaged package with an error naming the table and the column.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Field, Float32, Float64, Int64, List, Table, Utf8, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { buildTable, toIpc, type ColumnSpec } from '../../data-pipelines/etl/arrow-io.ts';
import type { Manifest } from '../../data-pipelines/contracts/manifest.ts';
import { PackageTable, PackageTables, type FetchedPackage } from '../../renderer/src/data/package-tables.ts';
import { openNodeDuckDb } from './duckdb-node.ts';
import { DistrictRepo, type EntityTables } from '../../renderer/src/data/district.ts';

const DIR = resolve(import.meta.dirname, '../../assets/district');

function realPackage(): FetchedPackage {
  const manifest = JSON.parse(readFileSync(resolve(DIR, 'manifest.json'), 'utf8')) as Manifest;
  return { manifest, tables: manifest.tables.map((t) => ({ name: t.name, bytes: new Uint8Array(readFileSync(resolve(DIR, t.file))) })) };
}

/** A package of these tables (the manifest written to match, as the ETL does). */
function pkgOf(tables: Record<string, Uint8Array>, rows?: Record<string, number>): FetchedPackage {
  const manifest = {
    tables: Object.entries(tables).map(([name, bytes]) => ({
      name,
      file: `${name}.arrow`,
      rows: rows?.[name] ?? tableFromIPC(bytes).numRows,
      bytes: bytes.byteLength,
      sha256: '',
      description: '',
    })),
  } as unknown as Manifest;
  return { manifest, tables: Object.entries(tables).map(([name, bytes]) => ({ name, bytes })) };
}

const ipc = (cols: Record<string, ColumnSpec>) => toIpc(buildTable(cols));

function emptyEntities(): EntityTables {
  return {
    wells: { ids: [], kinds: [], lon: new Float64Array(0), lat: new Float64Array(0), index: new Map() },
    cameras: new Map(),
    places: new Map(),
    detectors: new Map(),
    care: new Map(),
    stations: new Map(),
    sos: new Map(),
    buildingHeights: new Map(),
    buildingGeom: null,
    buildingIndex: new Map(),
    streets: null,
    facilities: [],
    placeIndex: null,
  };
}

describe('the demo district package, read without a database', () => {
  const pkg = realPackage();
  const repo = new DistrictRepo(PackageTables.read(pkg));
  const rows = (name: string) => pkg.manifest.tables.find((t) => t.name === name)!.rows;

  it('gives every building, ordered by id, with its ring, floors and height', () => {
    const b = repo.buildings();
    expect(b.ids.length).toBe(rows('buildings'));
    expect(b.ids.length).toBeGreaterThan(5000);
    for (let i = 1; i < b.ids.length; i++) expect(b.ids[i]!).toBeGreaterThan(b.ids[i - 1]!);
    for (let i = 0; i < b.ids.length; i++) {
      expect(b.rings[i]!.length % 2).toBe(0);
      expect(b.rings[i]!.length).toBeGreaterThanOrEqual(8);
      expect(b.floors[i]!).toBeGreaterThanOrEqual(1);
      expect(b.heights[i]!).toBeGreaterThan(0);
    }
  });

  it('fills the entity store: as many of each as the manifest says, streets as a network, names for the place index', () => {
    const b = repo.buildings();
    const into = emptyEntities();
    repo.loadEntities(into, b, repo.grid());
    expect(into.wells.ids.length).toBe(rows('manholes'));
    expect([...into.wells.ids]).toEqual([...into.wells.ids].sort());
    expect(into.wells.index.get(into.wells.ids[7]!)).toBe(7);
    expect(into.cameras.size).toBe(rows('cameras'));
    expect(into.places.size).toBe(rows('parking_places'));
    expect(into.detectors.size).toBe(rows('detectors'));
    expect(into.care.size).toBe(rows('care_devices'));
    expect(into.stations.size).toBe(rows('env_stations'));
    expect(into.sos.size).toBe(rows('sos_posts'));
    expect(into.facilities.length).toBe(rows('facilities'));
    expect(into.buildingIndex.size).toBe(b.ids.length);
    for (const c of into.cameras.values()) {
      expect(Number.isFinite(c.lon) && Number.isFinite(c.lat) && Number.isFinite(c.heading)).toBe(true);
    }
    expect(repo.streets().length).toBe(rows('street_edges'));
    // a named building is found by its name
    const named = b.ids.find((id) => (repo.building(id)?.name ?? '') !== '')!;
    const info = repo.building(named)!;
    expect(into.placeIndex!.search(info.name).length).toBeGreaterThan(0);
  });

  it('answers a building by id (the info panel) and names for a list of ids (an impact zone), as the SQL did', () => {
    const raw = tableFromIPC(pkg.tables.find((t) => t.name === 'buildings')!.bytes);
    const k = 42;
    const id = Number(raw.getChild('id')!.get(k));
    const info = repo.building(id)!;
    expect(info).toEqual({
      id,
      name: raw.getChild('name')!.get(k) ?? '',
      floors: Number(raw.getChild('floors')!.get(k)),
      heightM: Number(raw.getChild('height_m')!.get(k)),
      areaM2: Number(raw.getChild('area_m2')!.get(k)),
      gridId: raw.getChild('grid_id')!.get(k) ?? '',
      lon: Number(raw.getChild('lon')!.get(k)),
      lat: Number(raw.getChild('lat')!.get(k)),
    });
    expect(repo.building(-12345)).toBeNull();
    expect(repo.building(1.5)).toBeNull();
    const names = repo.buildingNames([id, id, -1, Number.NaN]);
    expect([...names.keys()]).toEqual([id]);
    expect(names.get(id)).toEqual({ name: info.name, gridId: info.gridId });
  });
});

describe('reading a package table', () => {
  it('orders by the id column whatever order the rows come in (ORDER BY id), rings following their building', () => {
    const bytes = ipc({
      id: { type: 'i32', values: [30, 10, 20] },
      floors: { type: 'i32', values: [3, 1, 2] },
      height_m: { type: 'f64', values: [9, 3, 6] },
      area_m2: { type: 'f64', values: [300, 100, 200] },
      ring: {
        type: 'f64list',
        values: [
          [3, 3],
          [1, 1],
          [2, 2],
        ],
      },
    });
    const b = new DistrictRepo(PackageTables.read(pkgOf({ buildings: bytes }))).buildings();
    expect([...b.ids]).toEqual([10, 20, 30]);
    expect([...b.floors]).toEqual([1, 2, 3]);
    expect(b.rings.map((r) => [...r])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it('orders text ids as text, nulls last', () => {
    const bytes = ipc({
      grid_id: { type: 'str', values: ['G10', 'G02', 'G1'] },
      west: { type: 'f64', values: [0, 1, 2] },
      south: { type: 'f64', values: [0, 1, 2] },
      east: { type: 'f64', values: [1, 2, 3] },
      north: { type: 'f64', values: [1, 2, 3] },
    });
    expect(new DistrictRepo(PackageTables.read(pkgOf({ grid_cells: bytes }))).grid().map((g) => g.id)).toEqual(['G02', 'G1', 'G10']);
    const t = PackageTables.read(pkgOf({ t: toIpc(new Table({ k: vectorFromArray([3, null, 1], new Float64()) })) })).table('t');
    expect([...t.orderBy('k')]).toEqual([2, 0, 1]);
  });

  it('reads 64-bit integers (a package written by another tool) as numbers', () => {
    const t = new Table({ n: vectorFromArray([1n, 2n, 9007199254740991n], new Int64()) });
    const pt = PackageTables.read(pkgOf({ t: tableToIPC(t, 'stream') })).table('t');
    const n = pt.numbers('n');
    expect([n(0), n(1), n(2)]).toEqual([1, 2, 9007199254740991]);
  });

  it('refuses a damaged package with an error naming the table or the column', () => {
    const good = ipc({ id: { type: 'i32', values: [1, 2] }, name: { type: 'str', values: ['a', 'b'] } });
    // a table the manifest lists is not there
    const missing = pkgOf({ buildings: good });
    missing.tables = [];
    expect(() => PackageTables.read(missing)).toThrow(/table buildings \(buildings\.arrow\) is missing/);
    // fewer rows than the manifest says
    expect(() => PackageTables.read(pkgOf({ buildings: good }, { buildings: 3 }))).toThrow(/buildings has 2 rows, manifest says 3/);
    // bytes that are no Arrow stream
    const junk = new TextEncoder().encode('<html>502 Bad Gateway</html>');
    expect(() => PackageTables.read(pkgOf({ buildings: junk }, { buildings: 2 }))).toThrow(/buildings\.arrow is not an Arrow IPC stream|buildings has 0 rows/);
    // a column missing, or text where numbers belong
    const tables = PackageTables.read(pkgOf({ buildings: good }));
    expect(() => tables.table('buildings').numbers('floors')).toThrow(/table buildings has no column floors/);
    expect(() => tables.table('buildings').numbers('name')).toThrow(/buildings\.name is .*expected a number/);
    expect(() => tables.table('buildings').coordLists('id')).toThrow(/buildings\.id is .*expected a list of numbers/);
    expect(() => tables.table('manholes')).toThrow(/no table manholes/);
    // and the district reader says so too (the building table has no ring column)
    expect(() => new DistrictRepo(tables).buildings()).toThrow(/no column/);
  });

  it('reads a list of 32-bit floats as coordinates too', () => {
    const ring = vectorFromArray([[1.5, 2.5, 3.5, 4.5]], new List(new Field('item', new Float32(), true)));
    const pt = PackageTables.read(pkgOf({ t: tableToIPC(new Table({ ring, s: vectorFromArray(['x'], new Utf8()) }), 'stream') })).table('t');
    expect([...pt.coordLists('ring')(0)]).toEqual([1.5, 2.5, 3.5, 4.5]);
  });

  it('reads text: nulls, Chinese names beside ASCII ids, and a sliced chunk (offsets sliced, values not)', () => {
    const t = new Table({
      id: vectorFromArray(['W-1', null, 'W-3', 'W-4'], new Utf8()),
      name: vectorFromArray(['国贸', 'a', null, '建外SOHO'], new Utf8()),
    });
    const pt = new PackageTable('t', t);
    const [id, name] = [pt.strings('id'), pt.strings('name')];
    expect([0, 1, 2, 3].map(id)).toEqual(['W-1', null, 'W-3', 'W-4']);
    expect([0, 1, 2, 3].map(name)).toEqual(['国贸', 'a', null, '建外SOHO']);
    const sliced = new PackageTable('t', t.slice(1));
    expect([0, 1, 2].map(sliced.strings('id'))).toEqual([null, 'W-3', 'W-4']);
    expect([0, 1, 2].map(sliced.strings('name'))).toEqual(['a', null, '建外SOHO']);
    expect([...sliced.orderBy('id')]).toEqual([1, 2, 0]);
  });
});

describe('the same answers as the SQL they replace (DuckDB-Wasm, the engine the app had them from)', () => {
  it('buildings, grid, wells, street nodes, facilities and names: same rows, same order', async () => {
    const pkg = realPackage();
    const repo = new DistrictRepo(PackageTables.read(pkg));
    const duck = await openNodeDuckDb();
    for (const t of pkg.manifest.tables) duck.loadArrow(t.name, resolve(DIR, t.file));
    const rows = (sql: string) => duck.runner.rows<Record<string, unknown>>(sql);

    const b = repo.buildings();
    const sqlB = await rows('SELECT id, floors, height_m, area_m2, ring FROM buildings ORDER BY id');
    expect([...b.ids]).toEqual(sqlB.map((r) => Number(r['id'])));
    expect([...b.floors]).toEqual(sqlB.map((r) => Number(r['floors'])));
    expect([...b.heights]).toEqual(sqlB.map((r) => Number(r['height_m'])));
    expect([...b.areas]).toEqual(sqlB.map((r) => Number(r['area_m2'])));
    for (const k of [0, 1, 100, sqlB.length - 1]) {
      expect([...b.rings[k]!]).toEqual(Array.from((sqlB[k]!['ring'] as { toArray(): ArrayLike<number> }).toArray()));
    }

    const grid = repo.grid();
    const sqlG = await rows('SELECT grid_id, west, south, east, north FROM grid_cells ORDER BY grid_id');
    expect(grid).toEqual(sqlG.map((r) => ({ id: String(r['grid_id']), west: r['west'], south: r['south'], east: r['east'], north: r['north'] })));

    const into = emptyEntities();
    repo.loadEntities(into, b, grid);
    const sqlW = await rows('SELECT well_id, kind, lon, lat FROM manholes ORDER BY well_id');
    expect(into.wells.ids).toEqual(sqlW.map((r) => r['well_id']));
    expect(into.wells.kinds).toEqual(sqlW.map((r) => r['kind']));
    expect([...into.wells.lon]).toEqual(sqlW.map((r) => r['lon']));
    const sqlF = await rows('SELECT facility_id, kind, name, lon, lat FROM facilities ORDER BY facility_id');
    expect(into.facilities.map((f) => f.id)).toEqual(sqlF.map((r) => r['facility_id']));
    expect(into.facilities.map((f) => f.name)).toEqual(sqlF.map((r) => r['name']));
    const sqlN = await rows('SELECT node_id, lon, lat FROM street_nodes ORDER BY node_id');
    expect(Array.from(into.streets!.lon)).toEqual(sqlN.map((r) => r['lon']));
    expect(Array.from(into.streets!.lat)).toEqual(sqlN.map((r) => r['lat']));
    const sqlC = await rows('SELECT camera_id, lon, lat, heading, fov, range_m FROM cameras');
    for (const r of sqlC) {
      expect(into.cameras.get(String(r['camera_id']))).toEqual({
        id: r['camera_id'],
        lon: r['lon'],
        lat: r['lat'],
        heading: Number(r['heading']),
        fov: Number(r['fov']),
        rangeM: Number(r['range_m']),
      });
    }

    // a building's info and an impact zone's names, as the SQL gave them
    const sqlNamed = await rows(`SELECT id, name, grid_id FROM buildings WHERE name IS NOT NULL AND trim(name) <> '' ORDER BY id LIMIT 50`);
    const names = repo.buildingNames(sqlNamed.map((r) => Number(r['id'])));
    for (const r of sqlNamed) expect(names.get(Number(r['id']))).toEqual({ name: r['name'], gridId: r['grid_id'] });
    const one = (await rows(`SELECT id, name, floors, height_m, area_m2, grid_id, lon, lat FROM buildings WHERE id = ${Number(sqlNamed[3]!['id'])}`))[0]!;
    expect(repo.building(Number(one['id']))).toEqual({
      id: Number(one['id']),
      name: one['name'],
      floors: Number(one['floors']),
      heightM: Number(one['height_m']),
      areaM2: Number(one['area_m2']),
      gridId: one['grid_id'],
      lon: one['lon'],
      lat: one['lat'],
    });
    duck.conn.close();
  });
});

describe('DuckDB-Wasm runs a connection’s statements in the order they were sent (LocalDb.insertPackage counts on it)', () => {
  // The lockdown, the inserts and the count are sent without waiting for each other's answers (each answer waits for
  // the page's main thread). That holds only while the worker handles these two messages without awaiting anything:
  // an upgrade that made them asynchronous would let the count run before the inserts.
  it('the bundled worker handles RUN_QUERY and INSERT_ARROW_FROM_IPC_STREAM synchronously', () => {
    const src = readFileSync(resolve(import.meta.dirname, '../../node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js'), 'utf8');
    for (const type of ['RUN_QUERY', 'INSERT_ARROW_FROM_IPC_STREAM']) {
      const at = src.indexOf(`case"${type}":{`);
      expect(at, type).toBeGreaterThan(0);
      const body = src.slice(at, src.indexOf('break}', at));
      expect(body, type).not.toMatch(/\bawait\b|\.then\(/);
      expect(body, type).toMatch(/this\._bindings\.(runQuery|insertArrowFromIPCStream)\(/);
    }
  });
});
