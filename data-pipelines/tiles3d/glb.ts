/**
 * Building footprints extruded to solids, written as one binary glTF 2.0 (GLB) tile content for 3D Tiles 1.1:
 * walls and a flat roof per building, per-vertex feature ids (EXT_mesh_features) into a property table
 * (EXT_structural_metadata) with each building's id, name, floors, height and footprint area — what picking, styling
 * and the fire view read. Vertices are in a local east-north-up frame at the tile's centre; the root node's matrix
 * places that frame in ECEF (y-up, as glTF is: 3D Tiles turns it z-up). Positions are 16-bit integers and normals
 * bytes (KHR_mesh_quantization, core in Cesium and the Khronos validator; the node matrix scales them back) when that
 * keeps every vertex within 5 cm, else float32 (exact to millimetres over a tile). Pure: bytes in memory, no I/O.
 */
import earcut from 'earcut';
import { enuFrame, enuToEcefMatrix, mul4, toEnu, type EnuFrame, type Vec3 } from '../geo/ecef.ts';
import type { XY } from '../geo/coords.ts';

export interface BuildingSolid {
  id: number;
  name: string;
  floors: number;
  heightM: number;
  areaM2: number;
  /** footprint, WGS84 [lon, lat] (open or closed, either orientation) */
  ring: XY[];
}

/** The metadata class every RedWall building tile carries (EXT_structural_metadata). */
export const BUILDING_CLASS = 'building';
export const BUILDING_PROPERTIES = ['id', 'name', 'floors', 'height_m', 'area_m2'] as const;

export interface GlbOptions {
  /** base colour (linear RGBA 0..1) */
  color?: [number, number, number, number];
  generator?: string;
  /**
   * Store positions as 16-bit integers and normals as 8-bit (KHR_mesh_quantization) where that keeps every vertex
   * within QUANTIZE_MAX_ERROR_M of its float position (default true); float32 positions and normals otherwise.
   * (Indices are 16-bit wherever they fit either way: that loses nothing.)
   */
  quantize?: boolean;
}

/**
 * How far a quantized vertex may lie from its float32 position (in 3D: half a 16-bit step on each axis, √3/2 steps
 * together). The step is the same on every axis, so a tile up to 65535 × 5 cm × 2/√3 ≈ 3.8 km across is quantized:
 * a district's tiles but its largest, a city's but its top levels; those stay float.
 */
export const QUANTIZE_MAX_ERROR_M = 0.05;

const FLOAT = 5126;
const UINT = 5125;
const USHORT = 5123;
const BYTE = 5120;
const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;

/** glTF is y-up: local (east, north, up) becomes (east, up, -north). */
const yUp = ([e, n, u]: Vec3): Vec3 => [e, u, -n];

const Y_UP_TO_Z_UP = [1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1];
const Z_UP_TO_Y_UP = [1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 1];

/** The root node matrix for a y-up mesh in `frame`: 3D Tiles applies y-up -> z-up after it, so undo that around ENU -> ECEF. */
export function nodeMatrix(frame: EnuFrame): number[] {
  return mul4(Z_UP_TO_Y_UP, mul4(enuToEcefMatrix(frame), Y_UP_TO_Z_UP)).map((v) => (Math.abs(v) < 1e-15 ? 0 : v));
}

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** A footprint without its closing vertex and without repeated points; null if it has no area left. */
export function cleanRing(ring: XY[]): XY[] | null {
  const out: XY[] = [];
  for (const p of ring) {
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) return null;
    const q = out[out.length - 1];
    if (!q || q[0] !== p[0] || q[1] !== p[1]) out.push([p[0], p[1]]);
  }
  while (out.length > 1 && out[0]![0] === out[out.length - 1]![0] && out[0]![1] === out[out.length - 1]![1]) out.pop();
  return out.length >= 3 ? out : null;
}

class MeshBuilder {
  readonly pos: number[] = [];
  readonly nrm: number[] = [];
  readonly fid: number[] = [];
  readonly idx: number[] = [];
  /** a triangle wound so that its face normal agrees with `want` (glTF front faces are counter-clockwise) */
  tri(a: number, b: number, c: number, want: Vec3): void {
    const p = (i: number): Vec3 => [this.pos[i * 3]!, this.pos[i * 3 + 1]!, this.pos[i * 3 + 2]!];
    const n = cross(sub(p(b), p(a)), sub(p(c), p(a)));
    if (dot(n, want) < 0) this.idx.push(a, c, b);
    else this.idx.push(a, b, c);
  }
  vertex(p: Vec3, n: Vec3, feature: number): number {
    this.pos.push(Math.fround(p[0]), Math.fround(p[1]), Math.fround(p[2]));
    this.nrm.push(n[0], n[1], n[2]);
    this.fid.push(feature);
    return this.pos.length / 3 - 1;
  }
}

/** Walls and roof of one building (feature `fi`) into the mesh, in the tile's frame. Returns false if it has no area. */
function addSolid(m: MeshBuilder, frame: EnuFrame, b: BuildingSolid, fi: number): boolean {
  const ring = cleanRing(b.ring);
  const h = Number.isFinite(b.heightM) && b.heightM > 0 ? b.heightM : 3;
  if (!ring) return false;
  const local = ring.map(([lon, lat]) => toEnu(frame, lon, lat, 0));
  // signed area in the east/north plane: > 0 is counter-clockwise seen from above
  let area2 = 0;
  for (let i = 0; i < local.length; i++) {
    const a = local[i]!;
    const c = local[(i + 1) % local.length]!;
    area2 += a[0] * c[1] - c[0] * a[1];
  }
  if (!(Math.abs(area2) > 1e-6)) return false;
  const ccw = area2 > 0;
  for (let i = 0; i < local.length; i++) {
    const a = local[i]!;
    const c = local[(i + 1) % local.length]!;
    const de = c[0] - a[0];
    const dn = c[1] - a[1];
    const len = Math.hypot(de, dn);
    if (len < 1e-6) continue;
    // outward: to the right of the edge for a counter-clockwise ring
    const out: Vec3 = ccw ? [dn / len, -de / len, 0] : [-dn / len, de / len, 0];
    const n = yUp(out);
    const v0 = m.vertex(yUp([a[0], a[1], a[2]]), n, fi);
    const v1 = m.vertex(yUp([c[0], c[1], c[2]]), n, fi);
    const v2 = m.vertex(yUp([c[0], c[1], c[2] + h]), n, fi);
    const v3 = m.vertex(yUp([a[0], a[1], a[2] + h]), n, fi);
    m.tri(v0, v1, v2, n);
    m.tri(v0, v2, v3, n);
  }
  const up: Vec3 = yUp([0, 0, 1]);
  const flat = local.flatMap((p) => [p[0], p[1]]);
  const tris = earcut(flat);
  const base = local.map((p) => m.vertex(yUp([p[0], p[1], p[2] + h]), up, fi));
  for (let i = 0; i + 2 < tris.length; i += 3) m.tri(base[tris[i]!]!, base[tris[i + 1]!]!, base[tris[i + 2]!]!, up);
  return true;
}

const pad4 = (n: number) => (n + 3) & ~3;
const pad8 = (n: number) => (n + 7) & ~7;

/**
 * One GLB of the given buildings, its local frame at (lon0, lat0). Buildings without a usable footprint are skipped
 * and reported by id (never silently). The property table lists exactly the drawn buildings, in feature-id order.
 */
export function buildingsGlb(
  buildings: BuildingSolid[],
  centre: { lon: number; lat: number },
  opts: GlbOptions = {},
): { glb: Uint8Array; drawn: number[]; skipped: number[]; quantized: boolean } {
  const frame = enuFrame(centre.lon, centre.lat, 0);
  const m = new MeshBuilder();
  const drawn: BuildingSolid[] = [];
  const skipped: number[] = [];
  for (const b of buildings) {
    if (addSolid(m, frame, b, drawn.length)) drawn.push(b);
    else skipped.push(b.id);
  }
  if (!drawn.length) throw new Error(`no building with a usable footprint in this tile (${skipped.length} skipped)`);

  // one binary buffer: geometry views (4-aligned), then the property table's views (8-aligned, as the extension asks)
  const chunks: Uint8Array[] = [];
  let length = 0;
  const views: Array<{ buffer: 0; byteOffset: number; byteLength: number; byteStride?: number; target?: number }> = [];
  const addView = (bytes: Uint8Array, align: (n: number) => number, target?: number): number => {
    const off = align(length);
    if (off > length) chunks.push(new Uint8Array(off - length));
    chunks.push(bytes);
    length = off + bytes.byteLength;
    views.push({ buffer: 0, byteOffset: off, byteLength: bytes.byteLength, ...(target ? { target } : {}) });
    return views.length - 1;
  };
  const f32 = (a: number[]) => new Uint8Array(new Float32Array(a).buffer);
  const u32 = (a: number[]) => new Uint8Array(new Uint32Array(a).buffer);
  const i32 = (a: number[]) => new Uint8Array(new Int32Array(a).buffer);

  const count = m.pos.length / 3;
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < count; i++)
    for (let k = 0; k < 3; k++) {
      const v = m.pos[i * 3 + k]!;
      if (v < min[k]!) min[k] = v;
      if (v > max[k]!) max[k] = v;
    }
  const q = opts.quantize !== false ? quantizedVertices(m, min, max) : null;
  let positionAccessor: object;
  let normalAccessor: object;
  if (q) {
    const posView = addView(q.pos, pad4, ARRAY_BUFFER);
    views[posView]!.byteStride = 8;
    const nrmView = addView(q.nrm, pad4, ARRAY_BUFFER);
    views[nrmView]!.byteStride = 4;
    positionAccessor = { bufferView: posView, componentType: USHORT, count, type: 'VEC3', min: q.min, max: q.max };
    normalAccessor = { bufferView: nrmView, componentType: BYTE, normalized: true, count, type: 'VEC3' };
  } else {
    positionAccessor = { bufferView: addView(f32(m.pos), pad4, ARRAY_BUFFER), componentType: FLOAT, count, type: 'VEC3', min, max };
    normalAccessor = { bufferView: addView(f32(m.nrm), pad4, ARRAY_BUFFER), componentType: FLOAT, count, type: 'VEC3' };
  }
  const fidView = addView(f32(m.fid), pad4, ARRAY_BUFFER);
  // 16-bit indices when every index fits below 65535 (the largest value is WebGL 2's primitive restart: glTF forbids it)
  const shortIdx = count <= 0xffff;
  const idxView = addView(shortIdx ? new Uint8Array(new Uint16Array(m.idx).buffer) : u32(m.idx), pad4, ELEMENT_ARRAY_BUFFER);

  const enc = new TextEncoder();
  const names = drawn.map((b) => enc.encode(b.name ?? ''));
  const offsets = [0];
  for (const n of names) offsets.push(offsets[offsets.length - 1]! + n.byteLength);
  // a bufferView is at least one byte long: a tile of unnamed buildings gets one unused byte (its offsets are all 0)
  const nameBytes = new Uint8Array(Math.max(1, offsets[offsets.length - 1]!));
  names.forEach((n, i) => nameBytes.set(n, offsets[i]!));
  const table = {
    id: { values: addView(i32(drawn.map((b) => b.id)), pad8) },
    name: { values: addView(nameBytes, pad8), stringOffsets: addView(u32(offsets), pad8), stringOffsetType: 'UINT32' },
    floors: { values: addView(i32(drawn.map((b) => Math.round(b.floors))), pad8) },
    height_m: { values: addView(f32(drawn.map((b) => b.heightM)), pad8) },
    area_m2: { values: addView(f32(drawn.map((b) => b.areaM2)), pad8) },
  };
  const binLength = pad4(length);
  const bin = new Uint8Array(binLength);
  let at = 0;
  for (const c of chunks) {
    bin.set(c, at);
    at += c.byteLength;
  }

  const json = {
    asset: { version: '2.0', generator: opts.generator ?? 'RedWall ETL' },
    extensionsUsed: ['EXT_mesh_features', 'EXT_structural_metadata', ...(q ? ['KHR_mesh_quantization'] : [])],
    ...(q ? { extensionsRequired: ['KHR_mesh_quantization'] } : {}),
    extensions: {
      EXT_structural_metadata: {
        schema: {
          id: 'redwall',
          classes: {
            [BUILDING_CLASS]: {
              name: 'Building',
              properties: {
                id: { type: 'SCALAR', componentType: 'INT32', description: 'the data package building id' },
                name: { type: 'STRING', description: 'name (empty if unnamed)' },
                floors: { type: 'SCALAR', componentType: 'INT32', description: 'floors above ground' },
                height_m: { type: 'SCALAR', componentType: 'FLOAT32', description: 'height in metres' },
                area_m2: { type: 'SCALAR', componentType: 'FLOAT32', description: 'footprint area in square metres' },
              },
            },
          },
        },
        propertyTables: [{ class: BUILDING_CLASS, count: drawn.length, properties: table }],
      },
    },
    scene: 0,
    scenes: [{ nodes: [0] }],
    // quantized: the node matrix also takes the integer positions back to metres (scale by the step, add the minimum).
    // One step for all three axes: Cesium turns normals by the inverse transpose of this matrix, and a scale that
    // differed by axis would tilt every wall not facing an axis (by up to 16° in the district's tiles).
    nodes: [{ name: 'buildings', mesh: 0, matrix: q ? mul4(nodeMatrix(frame), q.dequantize) : nodeMatrix(frame) }],
    meshes: [
      {
        primitives: [
          {
            attributes: { POSITION: 0, NORMAL: 1, _FEATURE_ID_0: 2 },
            indices: 3,
            material: 0,
            mode: 4,
            extensions: { EXT_mesh_features: { featureIds: [{ featureCount: drawn.length, attribute: 0, propertyTable: 0 }] } },
          },
        ],
      },
    ],
    materials: [
      {
        pbrMetallicRoughness: { baseColorFactor: opts.color ?? [0.62, 0.66, 0.72, 1], metallicFactor: 0, roughnessFactor: 0.9 },
      },
    ],
    accessors: [
      positionAccessor,
      normalAccessor,
      { bufferView: fidView, componentType: FLOAT, count, type: 'SCALAR' },
      { bufferView: idxView, componentType: shortIdx ? USHORT : UINT, count: m.idx.length, type: 'SCALAR' },
    ],
    bufferViews: views,
    buffers: [{ byteLength: binLength }],
  };
  return { glb: packGlb(json, bin), drawn: drawn.map((b) => b.id), skipped, quantized: q !== null };
}

/**
 * The mesh's positions as unsigned 16-bit integers from min, one step for every axis (each padded to 8 bytes: glTF aligns vertex
 * attributes to 4) and its normals as normalized signed bytes (padded to 4), with the column-major matrix that takes
 * the integers back to the float positions; null when the tile is too large for QUANTIZE_MAX_ERROR_M.
 */
export function quantizedVertices(
  m: { pos: number[]; nrm: number[] },
  min: Vec3,
  max: Vec3,
): { pos: Uint8Array; nrm: Uint8Array; min: Vec3; max: Vec3; dequantize: number[] } | null {
  const count = m.pos.length / 3;
  const extent = Math.max(max[0] - min[0], max[1] - min[1], max[2] - min[2], 1e-6);
  const step = extent / 0xffff;
  if (!count || (Math.sqrt(3) * step) / 2 > QUANTIZE_MAX_ERROR_M) return null;
  const pos = new Uint16Array(count * 4);
  const qmin: Vec3 = [0xffff, 0xffff, 0xffff];
  const qmax: Vec3 = [0, 0, 0];
  for (let i = 0; i < count; i++)
    for (let k = 0; k < 3; k++) {
      const v = Math.min(0xffff, Math.max(0, Math.round((m.pos[i * 3 + k]! - min[k]!) / step)));
      pos[i * 4 + k] = v;
      if (v < qmin[k]!) qmin[k] = v;
      if (v > qmax[k]!) qmax[k] = v;
    }
  const nrm = new Int8Array(count * 4);
  for (let i = 0; i < count * 3; i++) nrm[Math.floor(i / 3) * 4 + (i % 3)] = Math.round(Math.max(-1, Math.min(1, m.nrm[i]!)) * 127);
  const dequantize = [step, 0, 0, 0, 0, step, 0, 0, 0, 0, step, 0, min[0], min[1], min[2], 1];
  return { pos: new Uint8Array(pos.buffer), nrm: new Uint8Array(nrm.buffer), min: qmin, max: qmax, dequantize };
}

/** The GLB container: 12-byte header, a JSON chunk padded with spaces, a BIN chunk padded with zeros. */
export function packGlb(json: unknown, bin: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const jsonLen = pad4(text.byteLength);
  const binLen = pad4(bin.byteLength);
  const total = 12 + 8 + jsonLen + (binLen ? 8 + binLen : 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x46546c67, true); // 'glTF'
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, jsonLen, true);
  dv.setUint32(16, 0x4e4f534a, true); // 'JSON'
  out.set(text, 20);
  out.fill(0x20, 20 + text.byteLength, 20 + jsonLen);
  if (binLen) {
    dv.setUint32(20 + jsonLen, binLen, true);
    dv.setUint32(24 + jsonLen, 0x004e4942, true); // 'BIN\0'
    out.set(bin, 28 + jsonLen);
  }
  return out;
}
