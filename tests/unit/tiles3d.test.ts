/**
 * The district as a 3D Tiles 1.1 tileset (data-pipelines/tiles3d): every glTF content passes the Khronos glTF
 * validator (which does not know EXT_mesh_features / EXT_structural_metadata: those are read back here), tileset.json passes the 3D Tiles 1.1 JSON
 * schema (tests/fixtures/3d-tiles-schema, CC BY 4.0), the hierarchy is sound (children inside parents, each building
 * in exactly one tile, geometric error falling to 0), the metadata reads back, the geometry lands where the building
 * is on the Earth, and a .3tz archive round-trips through the lazy reader.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBuildings, type Building } from '../../data-pipelines/etl/district.ts';
import { enuFrame, fromEcef, toEcef, toEnu } from '../../data-pipelines/geo/ecef.ts';
import { haversineMeters } from '../../data-pipelines/geo/measure.ts';
import { openArchive, ArchiveError } from '../../renderer/src/models/archive.ts';
import { buildingsGlb, nodeMatrix, type BuildingSolid } from '../../data-pipelines/tiles3d/glb.ts';
import { syntheticCity } from '../../data-pipelines/tiles3d/synthetic-city.ts';
import { buildTileset, type TileJson, type TilesetBuild } from '../../data-pipelines/tiles3d/tileset.ts';
import { INDEX_NAME, write3tz } from '../../data-pipelines/tiles3d/write-3tz.ts';

const require = createRequire(import.meta.url);
const validator = require('gltf-validator') as {
  validateBytes(
    b: Uint8Array,
    o?: object,
  ): Promise<{ issues: { numErrors: number; numWarnings: number; messages: Array<{ code: string; message: string; severity: number; pointer?: string }> } }>;
};
const SCHEMA_DIR = resolve(import.meta.dirname, '../fixtures/3d-tiles-schema');
const INPUT = resolve(import.meta.dirname, '../../data-pipelines/inputs/beijing-buildings/buildings.json');

/** The GLB's JSON chunk (loosely typed: the test reads what the writer put there) and BIN chunk. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function unpack(glb: Uint8Array): { json: any; bin: Uint8Array } {
  const dv = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  expect(dv.getUint32(0, true)).toBe(0x46546c67);
  const jl = dv.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jl)));
  const bl = dv.getUint32(20 + jl, true);
  return { json, bin: glb.subarray(28 + jl, 28 + jl + bl) };
}

/** An accessor's elements as numbers (float, or integer with `normalized` mapped to -1..1 / 0..1), stride-aware. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function readAccessor(json: any, bin: Uint8Array, index: number): Float64Array {
  const acc = json.accessors[index];
  const view = json.bufferViews[acc.bufferView];
  const comps = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 }[acc.type as string]!;
  const [size, get, norm] = (
    {
      5126: [4, 'getFloat32', 1],
      5123: [2, 'getUint16', 65535],
      5121: [1, 'getUint8', 255],
      5122: [2, 'getInt16', 32767],
      5120: [1, 'getInt8', 127],
      5125: [4, 'getUint32', 1],
    } as const
  )[acc.componentType as 5126]!;
  const stride = view.byteStride ?? size * comps;
  const dv = new DataView(bin.buffer, bin.byteOffset + view.byteOffset + (acc.byteOffset ?? 0));
  const out = new Float64Array(acc.count * comps);
  for (let i = 0; i < acc.count; i++)
    for (let k = 0; k < comps; k++) {
      const v = (dv[get] as (o: number, le: boolean) => number).call(dv, i * stride + k * size, true);
      out[i * comps + k] = acc.normalized ? Math.max(v / norm, -1) : v;
    }
  return out;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const positions = (json: any, bin: Uint8Array) => readAccessor(json, bin, json.meshes[0].primitives[0].attributes.POSITION);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const normals = (json: any, bin: Uint8Array) => readAccessor(json, bin, json.meshes[0].primitives[0].attributes.NORMAL);

/**
 * How far two encodings of one mesh (same vertices, same order) differ once drawn: the largest distance between a
 * vertex's two positions through each one's node matrix, and the largest angle between its two normals turned as Cesium
 * turns them (the inverse transpose of the node matrix: a scale that differs by axis tilts them).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function meshDifference(a: { json: any; bin: Uint8Array }, b: { json: any; bin: Uint8Array }): { worstM: number; worstDeg: number } {
  const drawn = (g: typeof a) => {
    const m = g.json.nodes[0].matrix as number[];
    const p = positions(g.json, g.bin);
    const n = normals(g.json, g.bin);
    // the 3x3's inverse transpose = its cofactor matrix over the determinant (the sign is all that matters here)
    const c = (r: number, k: number) => m[k * 4 + r]!;
    const cof = [0, 1, 2].map((r) =>
      [0, 1, 2].map((k) => {
        const [r1, r2] = [(r + 1) % 3, (r + 2) % 3];
        const [k1, k2] = [(k + 1) % 3, (k + 2) % 3];
        return c(r1, k1) * c(r2, k2) - c(r1, k2) * c(r2, k1);
      }),
    );
    const det = c(0, 0) * cof[0]![0]! + c(0, 1) * cof[0]![1]! + c(0, 2) * cof[0]![2]!;
    return {
      count: p.length / 3,
      pos: (i: number) => [0, 1, 2].map((r) => c(r, 0) * p[i * 3]! + c(r, 1) * p[i * 3 + 1]! + c(r, 2) * p[i * 3 + 2]! + m[12 + r]!),
      nrm: (i: number) => {
        const v = [0, 1, 2].map((r) => Math.sign(det) * (cof[r]![0]! * n[i * 3]! + cof[r]![1]! * n[i * 3 + 1]! + cof[r]![2]! * n[i * 3 + 2]!));
        const len = Math.hypot(v[0]!, v[1]!, v[2]!);
        return v.map((x) => x / len);
      },
    };
  };
  const [x, y] = [drawn(a), drawn(b)];
  expect(x.count).toBe(y.count);
  let worstM = 0;
  let worstCos = 1;
  for (let i = 0; i < x.count; i++) {
    const [p, q] = [x.pos(i), y.pos(i)];
    worstM = Math.max(worstM, Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!));
    const [u, v] = [x.nrm(i), y.nrm(i)];
    worstCos = Math.min(worstCos, u[0]! * v[0]! + u[1]! * v[1]! + u[2]! * v[2]!);
  }
  return { worstM, worstDeg: (Math.acos(Math.min(1, worstCos)) * 180) / Math.PI };
}

function walk(t: TileJson, f: (t: TileJson, parent: TileJson | null) => void, parent: TileJson | null = null): void {
  f(t, parent);
  for (const c of t.children ?? []) walk(c, f, t);
}

const square = (lon: number, lat: number, m: number): [number, number][] => {
  const dLat = m / 111_000;
  const dLon = m / (111_000 * Math.cos((lat * Math.PI) / 180));
  return [
    [lon, lat],
    [lon + dLon, lat],
    [lon + dLon, lat + dLat],
    [lon, lat + dLat],
    [lon, lat],
  ];
};

describe('ECEF and local frames', () => {
  it('round-trips geodetic <-> ECEF and measures ENU like the great circle', () => {
    for (const [lon, lat, h] of [
      [116.4, 39.9, 0],
      [116.4, 39.9, 320],
      [-70, -33, 1000],
      [0, 0, 0],
    ] as const) {
      const back = fromEcef(toEcef(lon, lat, h));
      expect(back.lon).toBeCloseTo(lon, 9);
      expect(back.lat).toBeCloseTo(lat, 9);
      expect(back.h).toBeCloseTo(h, 3);
    }
    // a published value: Beijing (116.39°E, 39.91°N, h 0) — X −2 178 000, Y 4 387 000, Z 4 070 000 m (to the km)
    const b = toEcef(116.39, 39.91, 0);
    expect(b[0] / 1000).toBeCloseTo(-2178, -1);
    expect(b[1] / 1000).toBeCloseTo(4387, -1);
    expect(b[2] / 1000).toBeCloseTo(4070, -1);
    const f = enuFrame(116.4, 39.9);
    const p = toEnu(f, 116.41, 39.9);
    expect(p[0]).toBeCloseTo(haversineMeters([116.4, 39.9], [116.41, 39.9]), -1);
    expect(Math.abs(p[1])).toBeLessThan(1);
    // the Earth curves away: 850 m east of the origin the ground is 5-6 cm below the origin's horizon plane
    expect(p[2]).toBeLessThan(-0.03);
    expect(p[2]).toBeGreaterThan(-0.1);
  });
});

describe('building GLB', () => {
  it('passes the Khronos validator with its feature ids and property table, and its metadata reads back', async () => {
    const bs: BuildingSolid[] = [
      { id: 7, name: '东方银座', floors: 12, heightM: 36, areaM2: 900, ring: square(116.4, 39.9, 30) },
      { id: 9, name: '', floors: 3, heightM: 9, areaM2: 400, ring: [...square(116.401, 39.9, 20)].reverse() },
      {
        id: 11,
        name: 'degenerate',
        floors: 2,
        heightM: 6,
        areaM2: 0,
        ring: [
          [116.402, 39.9],
          [116.402, 39.9],
          [116.402, 39.9],
        ],
      },
    ];
    const { glb, drawn, skipped } = buildingsGlb(bs, { lon: 116.4, lat: 39.9 });
    expect(drawn).toEqual([7, 9]);
    expect(skipped).toEqual([11]);
    const report = await validator.validateBytes(glb);
    expect(report.issues.messages.filter((m) => m.severity <= 1)).toEqual([]);
    expect(report.issues.numErrors).toBe(0);
    // what the validator (2.0.0-dev.3.10) does not check: the two metadata extensions, hence "unused" property-table
    // views. This test reads them back below, and the e2e test has Cesium load and pick them.
    const infos = report.issues.messages.map((m) => `${m.code} ${m.code === 'UNSUPPORTED_EXTENSION' ? m.message.replace(/^.*: /, '') : ''}`.trim());
    expect(new Set(infos)).toEqual(
      new Set(["UNSUPPORTED_EXTENSION 'EXT_mesh_features'.", "UNSUPPORTED_EXTENSION 'EXT_structural_metadata'.", 'UNUSED_OBJECT']),
    );
    const { json, bin } = unpack(glb);
    const pt = json.extensions.EXT_structural_metadata.propertyTables[0];
    expect(pt.count).toBe(2);
    const view = (i: number) => {
      const v = json.bufferViews[i];
      return bin.subarray(v.byteOffset, v.byteOffset + v.byteLength);
    };
    const offs = new Uint32Array(view(pt.properties.name.stringOffsets).slice().buffer);
    const names = view(pt.properties.name.values);
    const dec = new TextDecoder();
    expect([dec.decode(names.subarray(offs[0], offs[1])), dec.decode(names.subarray(offs[1], offs[2]))]).toEqual(['东方银座', '']);
    expect([...new Int32Array(view(pt.properties.floors.values).slice().buffer)]).toEqual([12, 3]);
    expect([...new Int32Array(view(pt.properties.id.values).slice().buffer)]).toEqual([7, 9]);
  });

  it('places the roof over the footprint, at the building height, through the node matrix and 3D Tiles y-up -> z-up', () => {
    const ring = square(116.45, 39.92, 40);
    for (const quantize of [true, false]) {
      const { glb } = buildingsGlb([{ id: 1, name: 'a', floors: 10, heightM: 30, areaM2: 1600, ring }], { lon: 116.4505, lat: 39.9205 }, { quantize });
      const { json, bin } = unpack(glb);
      const pos = positions(json, bin);
      const m = json.nodes[0].matrix as number[];
      if (!quantize) expect(m).toEqual(nodeMatrix(enuFrame(116.4505, 39.9205)));
      expect(json.extensionsRequired ?? []).toEqual(quantize ? ['KHR_mesh_quantization'] : []);
      let top = 0;
      for (let i = 0; i < pos.length; i += 3) {
        // node matrix (column-major), then y-up -> z-up: (x, y, z) -> (x, -z, y)
        const x = pos[i]!;
        const y = pos[i + 1]!;
        const z = pos[i + 2]!;
        const q = [0, 1, 2].map((r) => m[r]! * x + m[4 + r]! * y + m[8 + r]! * z + m[12 + r]!);
        const g = fromEcef([q[0]!, -q[2]!, q[1]!]);
        expect(g.lon).toBeGreaterThan(116.45 - 1e-7);
        expect(g.lon).toBeLessThan(ring[1]![0] + 1e-7);
        expect(g.lat).toBeGreaterThan(39.92 - 1e-7);
        expect(g.lat).toBeLessThan(ring[2]![1] + 1e-7);
        expect(g.h).toBeGreaterThan(-0.01);
        expect(g.h).toBeLessThan(30.01);
        top = Math.max(top, g.h);
      }
      expect(top).toBeCloseTo(30, 2);
    }
  });

  it('quantizes (KHR_mesh_quantization) within 5 cm of the float mesh, a third fewer bytes, and keeps a too-large tile float', async () => {
    const bs: BuildingSolid[] = [];
    for (let i = 0; i < 60; i++)
      bs.push({
        id: i,
        name: `b${i}`,
        floors: 3 + (i % 30),
        heightM: 9 + 3 * (i % 30),
        areaM2: 900,
        ring: square(116.4 + (i % 8) * 0.004, 39.9 + Math.floor(i / 8) * 0.003, 30),
      });
    const centre = { lon: 116.414, lat: 39.91 };
    const a = buildingsGlb(bs, centre, { quantize: true });
    const f = buildingsGlb(bs, centre, { quantize: false });
    expect(a.glb.byteLength).toBeLessThan(f.glb.byteLength * 0.7);
    const report = await validator.validateBytes(a.glb);
    expect(report.issues.messages.filter((msg) => msg.severity <= 1)).toEqual([]);
    const qa = unpack(a.glb);
    const fa = unpack(f.glb);
    const prim = qa.json.meshes[0].primitives[0];
    expect(qa.json.accessors[prim.attributes.POSITION].componentType).toBe(5123);
    expect(qa.json.accessors[prim.attributes.NORMAL]).toMatchObject({ componentType: 5120, normalized: true });
    expect(qa.json.accessors[prim.indices].componentType).toBe(5123);
    // every vertex, both through its node matrix: the same point within 5 cm; the same normal, as drawn, within 1°
    const d = meshDifference(qa, fa);
    expect(d.worstM).toBeLessThanOrEqual(0.05);
    expect(d.worstM).toBeGreaterThan(0); // it is quantized
    expect(d.worstDeg).toBeLessThan(1);
    // 8 km across: a 16-bit step would be 12 cm, an error of up to 11 cm: float, no extension
    const far = buildingsGlb([bs[0]!, { ...bs[1]!, ring: square(116.5, 39.9, 30) }], centre);
    const fj = unpack(far.glb).json;
    expect(fj.accessors[fj.meshes[0].primitives[0].attributes.POSITION].componentType).toBe(5126);
    expect(fj.extensionsUsed).not.toContain('KHR_mesh_quantization');
  });

  it('a tile of unnamed buildings is valid glTF too (its names view is never empty)', async () => {
    const { glb } = buildingsGlb([{ id: 1, name: '', floors: 2, heightM: 6, areaM2: 400, ring: square(116.4, 39.9, 20) }], { lon: 116.4, lat: 39.9 });
    const report = await validator.validateBytes(glb);
    expect(report.issues.messages.filter((m) => m.severity <= 1)).toEqual([]);
  });

  it('a tileset whose buildings are partly degenerate skips those (reported), and never aborts', () => {
    const line = (lon: number): [number, number][] => [
      [lon, 39.9],
      [lon + 0.0001, 39.9],
      [lon + 0.0002, 39.9],
    ];
    const bs: BuildingSolid[] = [
      { id: 1, name: 'ok', floors: 3, heightM: 9, areaM2: 400, ring: square(116.4, 39.9, 20) },
      ...[2, 3, 4].map((id) => ({ id, name: 'flat', floors: 3, heightM: 9, areaM2: 0, ring: line(116.41 + id * 0.001) })),
    ];
    const t = buildTileset(bs, { maxPerLeaf: 1 });
    expect(t.stats.buildings).toBe(1);
    expect(t.stats.skipped.sort()).toEqual([2, 3, 4]);
  });

  it('refuses a tile with no usable footprint, naming how many were skipped', () => {
    expect(() =>
      buildingsGlb(
        [
          {
            id: 1,
            name: 'x',
            floors: 1,
            heightM: 3,
            areaM2: 0,
            ring: [
              [1, 1],
              [Number.NaN, 1],
              [2, 2],
            ],
          },
        ],
        { lon: 1, lat: 1 },
      ),
    ).toThrow(/no building with a usable footprint.*1 skipped/);
  });
});

describe('the district tileset (real buildings)', () => {
  let buildings: Building[];
  let built: TilesetBuild;
  beforeAll(() => {
    buildings = parseBuildings(JSON.parse(readFileSync(INPUT, 'utf8'))).buildings;
    built = buildTileset(buildings);
  });

  it('passes the 3D Tiles 1.1 JSON schema', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    const files: string[] = [];
    const list = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) list(join(d, e.name));
        else if (e.name.endsWith('.schema.json')) files.push(join(d, e.name));
      }
    };
    list(SCHEMA_DIR);
    expect(files.length).toBeGreaterThan(25);
    // each schema's $id is its bare file name; its $refs are relative to its folder: id it by its path instead
    for (const f of files) ajv.addSchema({ ...JSON.parse(readFileSync(f, 'utf8')), $id: relative(SCHEMA_DIR, f).replace(/\\/g, '/') });
    const validate = ajv.getSchema('tileset.schema.json')!;
    const ok = validate(JSON.parse(JSON.stringify(built.tileset)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // and the schema is not a rubber stamp: a tileset without its asset or with a negative error is refused
    expect(validate({ ...built.tileset, asset: undefined })).toBe(false);
    expect(validate({ ...built.tileset, geometricError: -1 })).toBe(false);
  });

  it('holds each building exactly once, children inside parents, errors falling to 0 at the leaves', () => {
    const seen = new Map<number, number>();
    let leaves = 0;
    walk(built.tileset.root, (t, parent) => {
      const r = t.boundingVolume.region;
      expect(r[0]).toBeLessThan(r[2]);
      expect(r[1]).toBeLessThan(r[3]);
      if (parent) {
        const p = parent.boundingVolume.region;
        expect(r[0]).toBeGreaterThanOrEqual(p[0]);
        expect(r[1]).toBeGreaterThanOrEqual(p[1]);
        expect(r[2]).toBeLessThanOrEqual(p[2]);
        expect(r[3]).toBeLessThanOrEqual(p[3]);
        expect(r[5]).toBeLessThanOrEqual(p[5]);
        expect(t.geometricError).toBeLessThanOrEqual(parent.geometricError);
      }
      if (!t.children) {
        leaves++;
        expect(t.geometricError).toBe(0);
      }
      if (t.content) {
        const { json, bin } = unpack(built.files.get(t.content.uri)!);
        const pt = json.extensions.EXT_structural_metadata.propertyTables[0];
        const v = json.bufferViews[pt.properties.id.values];
        for (const id of new Int32Array(bin.slice(v.byteOffset, v.byteOffset + v.byteLength).buffer)) seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    });
    expect(leaves).toBeGreaterThan(4);
    expect(built.stats.buildings + built.stats.skipped.length).toBe(buildings.length);
    expect(seen.size).toBe(built.stats.buildings);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(built.tileset.root.geometricError).toBeGreaterThan(0);
    expect(built.tileset.geometricError).toBeGreaterThan(built.tileset.root.geometricError);
  });

  it('every content passes the Khronos glTF validator', async () => {
    expect(built.files.size).toBe(built.stats.tiles);
    // the district's tiles are quantized (KHR_mesh_quantization, which the validator checks too) but the largest
    expect(built.stats.quantized).toBeGreaterThanOrEqual(built.stats.tiles - 2);
    for (const [path, glb] of built.files) {
      const report = await validator.validateBytes(glb, { uri: path });
      const bad = report.issues.messages.filter((m) => m.severity <= 1);
      expect(bad, path).toEqual([]);
    }
  }, 120_000);

  it('quantized, every tile draws within 5 cm and 1° of the float tileset, vertex by vertex', () => {
    const float = buildTileset(buildings, { quantize: false });
    expect([...float.files.keys()]).toEqual([...built.files.keys()]);
    expect(float.stats.quantized).toBe(0);
    let quantized = 0;
    for (const [path, glb] of built.files) {
      const d = meshDifference(unpack(glb), unpack(float.files.get(path)!));
      expect(d.worstM, path).toBeLessThanOrEqual(0.05);
      expect(d.worstDeg, path).toBeLessThan(1);
      if (d.worstM > 0) quantized++;
    }
    expect(quantized).toBe(built.stats.quantized);
    expect(built.stats.bytes).toBeLessThan(float.stats.bytes * 0.7);
  });

  it('a synthetic city: the district repeated and jittered around itself, deterministic, ids unique, tiled deeper', () => {
    const city = syntheticCity(buildings, 30_000);
    expect(city).toHaveLength(30_000);
    expect(new Set(city.map((b) => b.id)).size).toBe(30_000);
    // copy 0 is the district itself, unchanged
    expect(city.slice(0, buildings.length).map((b) => [b.id, b.heightM, b.ring[0]])).toEqual(buildings.map((b) => [b.id, b.heightM, b.ring[0]]));
    expect(syntheticCity(buildings, 30_000)[20_000]).toEqual(city[20_000]);
    // the copies lie beside the district, not on it
    for (let c = 1; c < 6; c++) {
      const [x0, y0] = buildings[0]!.ring[0]!;
      const [x1, y1] = city[c * buildings.length]!.ring[0]!;
      expect(Math.hypot(x1 - x0, y1 - y0)).toBeGreaterThan(0.02);
    }
    const t = buildTileset(city);
    expect(t.stats.buildings + t.stats.skipped.length).toBe(30_000);
    expect(t.stats.depth).toBeGreaterThan(built.stats.depth);
  }, 120_000);

  it('a .3tz of it reads back entry for entry, stored or deflated, with its index last', async () => {
    const files = new Map<string, Uint8Array>([['tileset.json', new TextEncoder().encode(JSON.stringify(built.tileset))], ...built.files]);
    for (const deflate of [false, true]) {
      const bytes = Buffer.from(write3tz(files, { deflate }));
      const a = await openArchive(new Blob([bytes as BlobPart]), 'district.3tz');
      expect(a.paths[a.paths.length - 1]).toBe(INDEX_NAME);
      expect(new Set(a.paths)).toEqual(new Set([...files.keys(), INDEX_NAME]));
      for (const [p, b] of files) expect(Buffer.from((await a.read(p))!).equals(Buffer.from(b)), p).toBe(true);
      expect(await a.read('nope.glb')).toBeNull();
      const index = Buffer.from((await a.read(INDEX_NAME))!);
      expect(index.byteLength).toBe(files.size * 24);
      // the index as 3d-tiles-tools and loaders.gl read it: sorted by the hash's first uint64 (LE), then its second;
      // a binary search finds every path, at an offset where that path's local header is
      const rec = (i: number) => ({
        lo: index.readBigUInt64LE(i * 24),
        hi: index.readBigUInt64LE(i * 24 + 8),
        off: Number(index.readBigUInt64LE(i * 24 + 16)),
      });
      const n = files.size;
      for (let i = 1; i < n; i++) {
        const [x, y] = [rec(i - 1), rec(i)];
        expect(x.lo < y.lo || (x.lo === y.lo && x.hi <= y.hi)).toBe(true);
      }
      for (const p of files.keys()) {
        const h = createHash('md5').update(p).digest();
        const [lo, hi] = [h.readBigUInt64LE(0), h.readBigUInt64LE(8)];
        let [a0, b0] = [0, n - 1];
        let found = -1;
        while (a0 <= b0) {
          const mid = (a0 + b0) >> 1;
          const r = rec(mid);
          if (r.lo === lo && r.hi === hi) {
            found = mid;
            break;
          }
          if (r.lo < lo || (r.lo === lo && r.hi < hi)) a0 = mid + 1;
          else b0 = mid - 1;
        }
        expect(found, p).toBeGreaterThanOrEqual(0);
        const off = rec(found).off;
        expect(bytes.readUInt32LE(off)).toBe(0x04034b50);
        expect(bytes.subarray(off + 30, off + 30 + bytes.readUInt16LE(off + 26)).toString()).toBe(p);
      }
    }
  });
});

describe('broken archives say what is wrong', () => {
  const one = new Map([['tileset.json', new TextEncoder().encode('{"asset":{"version":"1.1"}}')]]);
  it('not a ZIP, too small, cut short, unknown compression', async () => {
    await expect(openArchive(new Blob([new Uint8Array(10)]), 'x.3tz')).rejects.toThrow(/too small/);
    await expect(openArchive(new Blob([new Uint8Array(4000).fill(7)]), 'x.3tz')).rejects.toThrow(/not a ZIP/);
    const good = write3tz(one);
    // cut off the front: the directory points at bytes that are not there any more
    const cut = good.slice(40);
    await expect(openArchive(new Blob([cut as BlobPart]), 'cut.3tz').then((a) => a.read('tileset.json'))).rejects.toBeInstanceOf(ArchiveError);
    // method 12 (bzip2) in both the local and the central header
    const odd = good.slice();
    const dv = new DataView(odd.buffer);
    dv.setUint16(8, 12, true);
    for (let i = 0; i < odd.length - 4; i++) if (dv.getUint32(i, true) === 0x02014b50) dv.setUint16(i + 10, 12, true);
    const a = await openArchive(new Blob([odd as BlobPart]), 'odd.3tz');
    await expect(a.read('tileset.json')).rejects.toThrow(/compression method 12/);
  });
});
