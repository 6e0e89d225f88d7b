/**
 * A user's 3D Tiles model: where it is read to be and where it is put (georeferenced, GCJ-02 / BD-09 shifted, local or
 * projected centred on the district, height offset), how its files are found (paths, root tileset, model URLs), what
 * it may not refer to (anything outside its own files), and how a package's entries are read (normalised names,
 * sizes and checksums checked).
 */
import { describe, expect, it } from 'vitest';
import { gcj02ToWgs84, wgs84ToGcj02 } from '../../data-pipelines/geo/coords.ts';
import { fromEcef, toEcef, type Vec3 } from '../../data-pipelines/geo/ecef.ts';
import { haversineMeters } from '../../data-pipelines/geo/measure.ts';
import { write3tz } from '../../data-pipelines/tiles3d/write-3tz.ts';
import { crc32, openArchive } from '../../renderer/src/models/archive.ts';
import { modelMatrixFor, readPlacement } from '../../renderer/src/models/placement.ts';
import { absoluteUris, modelRootUrl, parseModelUrl } from '../../renderer/src/models/resolver.ts';
import { archiveSource, findRoot, folderSource, normalisePath } from '../../renderer/src/models/source.ts';

const DISTRICT = { lon: 116.456, lat: 39.9375 };
const apply = (m: number[], p: Vec3): Vec3 => [0, 1, 2].map((r) => m[r]! * p[0] + m[4 + r]! * p[1] + m[8 + r]! * p[2] + m[12 + r]!) as Vec3;

describe('placement', () => {
  it('a georeferenced model stays where it is, lifted by the offset', () => {
    const c = toEcef(116.45, 39.93, 20);
    const p = readPlacement(c, 150, 'WGS84', DISTRICT);
    expect(p.georeferenced).toBe(true);
    expect(p.lon).toBeCloseTo(116.45, 9);
    expect(p.h).toBeCloseTo(20, 3);
    expect(p.distanceKm).toBeCloseTo(haversineMeters([DISTRICT.lon, DISTRICT.lat], [116.45, 39.93]) / 1000, 6);
    expect(p.far).toBe(false);
    const g = fromEcef(apply(modelMatrixFor(p, 12), c));
    expect(g.lon).toBeCloseTo(116.45, 9);
    expect(g.lat).toBeCloseTo(39.93, 9);
    expect(g.h).toBeCloseTo(32, 3);
  });

  it('GCJ-02 / BD-09: carried to the true WGS84 place, upright', () => {
    // a model placed on an Amap basemap: its centre is the GCJ-02 reading of the true place
    const truth: [number, number] = [116.45, 39.93];
    const [gx, gy] = wgs84ToGcj02(...truth);
    const c = toEcef(gx, gy, 0);
    const p = readPlacement(c, 100, 'GCJ02', DISTRICT);
    expect(haversineMeters([p.placedLon, p.placedLat], truth)).toBeLessThan(0.01);
    expect(haversineMeters([p.lon, p.lat], truth)).toBeGreaterThan(100); // the shift in Beijing is hundreds of metres
    const m = modelMatrixFor(p, 0);
    const g = fromEcef(apply(m, c));
    expect(haversineMeters([g.lon, g.lat], truth)).toBeLessThan(0.01);
    expect(Math.abs(g.h)).toBeLessThan(0.01);
    // a point 50 m above the model's centre stays 50 m above its new place (rotated with the vertical)
    const up = fromEcef(apply(m, toEcef(gx, gy, 50)));
    expect(up.h).toBeCloseTo(50, 2);
    expect(haversineMeters([up.lon, up.lat], truth)).toBeLessThan(0.01);
    expect(readPlacement(c, 100, 'CGCS2000', DISTRICT).placedLon).toBe(p.lon);
    expect(gcj02ToWgs84(gx, gy)[0]).toBeCloseTo(truth[0], 8);
  });

  it('far from the district: said to be far', () => {
    expect(readPlacement(toEcef(121.47, 31.23, 0), 100, 'WGS84', DISTRICT).far).toBe(true);
  });

  it('local metres: centred on the district (its own x/y centre there), its own heights kept; projected metres said so', () => {
    const p = readPlacement([300, -120, 15], 200, 'WGS84', DISTRICT);
    expect(p.georeferenced).toBe(false);
    expect(p.projected).toBe(false);
    const m = modelMatrixFor(p, 5);
    const centre = fromEcef(apply(m, [300, -120, 15]));
    expect(haversineMeters([centre.lon, centre.lat], [DISTRICT.lon, DISTRICT.lat])).toBeLessThan(0.01);
    expect(centre.h).toBeCloseTo(20, 2);
    // 100 m east in the model is 100 m east on the ground
    const east = fromEcef(apply(m, [400, -120, 0]));
    expect(haversineMeters([east.lon, east.lat], [DISTRICT.lon, DISTRICT.lat])).toBeCloseTo(100, 0);
    expect(east.lon).toBeGreaterThan(DISTRICT.lon);
    // Gauss-Krüger easting/northing (CGCS2000 zone 39): not on the Earth, not at an origin either
    const gk = readPlacement([500_000, 4_420_000, 40], 300, 'WGS84', DISTRICT);
    expect(gk.georeferenced).toBe(false);
    expect(gk.projected).toBe(true);
    const at = fromEcef(apply(modelMatrixFor(gk, 0), [500_000, 4_420_000, 40]));
    expect(haversineMeters([at.lon, at.lat], [DISTRICT.lon, DISTRICT.lat])).toBeLessThan(0.01);
  });
});

describe("a model's files", () => {
  it('paths resolve like a web server, and never climb out', () => {
    expect(normalisePath('./a/../b//c.glb')).toBe('b/c.glb');
    expect(normalisePath('a\\b.glb')).toBe('a/b.glb');
    expect(normalisePath('../etc/passwd')).toBeNull();
    expect(normalisePath('a/../../x')).toBeNull();
  });

  it('the root tileset: tileset.json at the top, else the only top-level JSON, else one level down; ambiguity refused', () => {
    expect(findRoot(['tileset.json', 'Data/t/tileset.json'])).toBe('tileset.json');
    expect(findRoot(['Production_1.json', 'Data/Tile_1/tileset.json'])).toBe('Production_1.json');
    expect(findRoot(['model/tileset.json', 'model/data/tileset.json'])).toBe('model/tileset.json');
    expect(findRoot(['a.json', 'b.json'])).toBeNull();
    expect(findRoot(['x/tileset.json', 'y/tileset.json'])).toBeNull();
    expect(findRoot(['readme.txt'])).toBeNull();
  });

  it('a picked folder: its own name dropped from the paths, lookups case-insensitive as a fallback, no way out', async () => {
    const f = (p: string, text: string) => ({ path: p, blob: new Blob([text]) });
    const src = folderSource('城区', [f('城区/tileset.json', '{}'), f('城区/Data/Tile_0.b3dm', 'b3dm'), f('城区/Data/金融街.glb', 'glb')]);
    expect(src.root).toBe('tileset.json');
    expect(new TextDecoder().decode((await src.read('data/tile_0.B3DM'))!)).toBe('b3dm');
    expect(new TextDecoder().decode((await src.read('./Data/金融街.glb'))!)).toBe('glb');
    expect(await src.read('../secret')).toBeNull();
    expect(await src.read('Data/none.glb')).toBeNull();
    expect(() => folderSource('空', [f('空/readme.txt', 'x')])).toThrow(/no tileset\.json/);
  });

  it('model URLs round-trip, with Chinese names and spaces', () => {
    const src = folderSource('m', [{ path: 'm/城 区/tileset.json', blob: new Blob(['{}']) }]);
    const url = modelRootUrl('model-7', src);
    expect(url.startsWith('https://redwall-model.invalid/')).toBe(true);
    expect(parseModelUrl(url)).toEqual({ id: 'model-7', path: '城 区/tileset.json' });
    expect(parseModelUrl(`${url}?v=3#x`)).toEqual({ id: 'model-7', path: '城 区/tileset.json' });
    expect(parseModelUrl('https://redwall-model.invalid/model-7/../../x')).toBeNull();
    expect(parseModelUrl('https://example.com/model-7/tileset.json')).toBeNull();
  });

  it('URIs that leave the model are found (they are refused when served), data: URIs are not', () => {
    const tileset = { root: { content: { uri: 'https://tiles.example.com/0.b3dm' }, children: [{ content: { uri: 'a/b.glb' } }] } };
    expect(absoluteUris(tileset)).toEqual(['https://tiles.example.com/0.b3dm']);
    const gltf = { buffers: [{ uri: 'data:application/octet-stream;base64,AAAA' }], images: [{ uri: '//cdn.example/t.png' }, { uri: 'file:///c:/x.png' }] };
    expect(absoluteUris(gltf)).toEqual(['//cdn.example/t.png', 'file:///c:/x.png']);
    expect(absoluteUris({ uri: 'textures/a.jpg' })).toEqual([]);
    expect(absoluteUris({ uri: '../../../../x.glb' })).toEqual([]); // climbs, but stays on the model origin: a missing file
    // however it is spelled, as the browser and Cesium's URI library would read it
    expect(
      absoluteUris({
        a: { uri: '\\\\evil.example/x.glb' },
        b: { uri: '/\\evil.example/x' },
        c: { uri: 'ht\ttps://evil/x' },
        d: { uri: '\u0001https://evil/x' },
      }),
    ).toHaveLength(4);
    expect(absoluteUris({ schemaUri: 'https://evil.example/schema.json' })).toHaveLength(1);
    // a vendor's link in extras or in metadata is data, not something Cesium fetches
    expect(absoluteUris({ extras: { url: 'https://vendor.example' }, properties: { uri: 'https://x' } })).toEqual([]);
  });
});

describe('package entries', () => {
  it('names normalised (./, leading /, backslashes), sizes and checksums checked', async () => {
    const files = new Map<string, Uint8Array>([
      ['./tileset.json', new TextEncoder().encode('{"asset":{"version":"1.1"}}')],
      ['content\\0.glb', new Uint8Array([1, 2, 3, 4, 5])],
    ]);
    const bytes = write3tz(files);
    const src = await archiveSource('odd.3tz', new Blob([bytes as BlobPart]));
    expect(src.root).toBe('tileset.json');
    expect([...(await src.read('content/0.glb'))!]).toEqual([1, 2, 3, 4, 5]);
    // one byte of the stored glb flipped: the checksum says so
    const bad = bytes.slice();
    const at = Buffer.from(bad).indexOf(Buffer.from([1, 2, 3, 4, 5]));
    bad[at + 2] = 99;
    const a = await openArchive(new Blob([bad as BlobPart]), 'bad.3tz');
    await expect(a.read('content/0.glb')).rejects.toThrow(/checksum mismatch/);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('picked property values', () => {
  it('doubles keep every digit, float32 metadata shows its 7 digits, integers and text as they are', async () => {
    const { propertyText } = await import('../../renderer/src/views/model-tilesets.ts');
    expect(propertyText(116.397128)).toBe('116.397128');
    expect(propertyText(Math.fround(3417))).toBe('3417');
    expect(propertyText(Math.fround(3416.997))).toBe('3416.997');
    expect(propertyText(74)).toBe('74');
    expect(propertyText('国贸')).toBe('国贸');
    expect(propertyText(null)).toBe('');
    expect(propertyText([1, 2])).toBe('[1,2]');
  });
});
