import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraRecordSchema, videoOrigins, type CameraRecord } from '../../data-pipelines/contracts/cameras.ts';
import { toWgs84 } from '../../data-pipelines/geo/coords.ts';
import { haversineMeters } from '../../data-pipelines/geo/measure.ts';
import { loadCameraRegistry, parseCameraRegistry, parseCrs, type RegistryIssue } from '../../data-pipelines/sources/camera-registry.ts';

const FIX = join(import.meta.dirname, '../fixtures/cameras');
/** The WGS84 truth the GCJ-02 / BD-09 / BD-09MC fixture values were made from (coords.ts fromWgs84). */
const TRUTH = { north: [116.4105, 39.9142], east: [116.412, 39.9155], south: [116.4098, 39.9131] } as const;
/** Tolerance of a converted fixture point: the fixture rounds to 1e-8° (1 mm) or 1 mm in BD09MC; conversion is exact to far less. */
const TOL_M = 0.5;

const byId = (cams: CameraRecord[]) => new Map(cams.map((c) => [c.id, c]));
const metres = (c: CameraRecord, t: readonly [number, number]) => haversineMeters([c.lon, c.lat], [t[0], t[1]]);

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'redwall-cameras-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const base = { id: 'CAM-0001', name: 'North gate', lon: 116.4105, lat: 39.9142, heading: 0, fov: 60, rangeM: 100, ptz: false, streams: {} };

describe('CameraRecordSchema', () => {
  it.each<[string, Record<string, unknown>, Partial<CameraRecord>]>([
    ['the demo id and defaults', {}, { id: 'CAM-0001', heightM: 6 }],
    ['a 20-digit GB id as id and gbId', { id: '34020000001320000001', gbId: '34020000001320000001' }, { gbId: '34020000001320000001' }],
    ['heading 370 → 10', { heading: 370 }, { heading: 10 }],
    ['heading -90 → 270', { heading: -90 }, { heading: 270 }],
    ['heading 360 → 0', { heading: 360 }, { heading: 0 }],
    ['fov 360, range 5000, height 0 and 500', { fov: 360, rangeM: 5000, heightM: 500 }, { fov: 360, rangeM: 5000, heightM: 500 }],
    ['height 0', { heightM: 0 }, { heightM: 0 }],
    [
      'all four stream kinds with gateway tokens in the query',
      {
        streams: {
          hls: 'http://10.0.0.5:8080/rtp/1.live.m3u8?token=abc&expires=1',
          flv: 'https://gw.example.cn/rtp/1.live.flv',
          wsflv: 'wss://gw.example.cn:9443/rtp/1.live.flv?sign=x',
          webrtc: 'http://10.0.0.5/index/api/whep?app=rtp&stream=1',
        },
      },
      { streams: { hls: 'http://10.0.0.5:8080/rtp/1.live.m3u8?token=abc&expires=1' } as CameraRecord['streams'] },
    ],
    ['an id with . : _ -', { id: 'a1_b.c:d-e' }, { id: 'a1_b.c:d-e' }],
  ])('accepts %s', (_what, over, want) => {
    const r = CameraRecordSchema.safeParse({ ...base, ...over });
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    expect(r.data).toMatchObject(want);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an id with a space', { id: 'CAM 1' }, /id must be/],
    ['an empty id', { id: '' }, /id must be/],
    ['an id starting with -', { id: '-CAM' }, /id must be/],
    ['a 65-character id', { id: 'A'.repeat(65) }, /id must be/],
    ['a name with a control character', { name: 'bell\u0007' }, /control/],
    ['a name with a bidi override', { name: 'gate\u202Eevil' }, /bidi/],
    ['a 101-character name', { name: 'n'.repeat(101) }, /at most 100/],
    ['lon 181', { lon: 181 }, /lon must be in/],
    ['lat NaN', { lat: Number.NaN }, /lat must be a finite number/],
    ['lon Infinity', { lon: Infinity }, /lon must be a finite number/],
    ['height 501', { heightM: 501 }, /heightM/],
    ['height -1', { heightM: -1 }, /heightM/],
    ['fov 0', { fov: 0 }, /fov/],
    ['fov 361', { fov: 361 }, /fov/],
    ['range 0', { rangeM: 0 }, /rangeM/],
    ['range 5001', { rangeM: 5001 }, /rangeM/],
    ['ptz as a string', { ptz: 'yes' }, /ptz/],
    ['an unknown key', { owner: 'x' }, /owner|Unrecognized/i],
    ['user:pass@ in a URL', { streams: { hls: 'http://admin:12345@10.0.0.5/1.m3u8' } }, /credentials/],
    ['a user name alone in a URL', { streams: { flv: 'http://admin@10.0.0.5/1.flv' } }, /credentials/],
    ['a javascript: URL', { streams: { hls: 'javascript:alert(1)' } }, /must use http or https, not javascript:/],
    ['a file: URL', { streams: { webrtc: 'file:///etc/passwd' } }, /not file:/],
    ['a ws: URL for HTTP-FLV', { streams: { flv: 'ws://10.0.0.5/1.flv' } }, /flv URL must use http or https/],
    ['an http: URL for WebSocket-FLV', { streams: { wsflv: 'http://10.0.0.5/1.flv' } }, /wsflv URL must use ws or wss/],
    ['a relative URL', { streams: { hls: '/live/1.m3u8' } }, /not an absolute URL/],
    ['a URL with a space', { streams: { hls: 'http://10.0.0.5/a b.m3u8' } }, /spaces, control/],
    ['a URL with a tab (which URL parsing would silently drop)', { streams: { hls: 'java\tscript:alert(1)' } }, /spaces, control/],
    ['a URL with a bidi override', { streams: { hls: 'http://10.0.0.5/\u202Egpj.m3u8' } }, /bidi/],
    ['a URL over 2048 characters', { streams: { hls: `http://10.0.0.5/${'a'.repeat(2040)}` } }, /at most 2048/],
    ['an unknown stream kind', { streams: { rtsp: 'rtsp://10.0.0.5/1' } }, /rtsp|Unrecognized/i],
    ['a 19-digit gbId', { gbId: '3402000000132000000' }, /gbId must be exactly 20 digits/],
    ['a gbId with letters', { gbId: '3402000000132000000A' }, /gbId/],
  ])('rejects %s', (_what, over, message) => {
    const r = CameraRecordSchema.safeParse({ ...base, ...over });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toMatch(message);
  });

  it('keeps the parsed href, so the checked URL is the one players get', () => {
    const r = CameraRecordSchema.parse({ ...base, streams: { hls: 'HTTP://GW.Example.CN:80/a.m3u8?token=A%20B' } });
    expect(r.streams.hls).toBe('http://gw.example.cn/a.m3u8?token=A%20B');
  });
});

describe('videoOrigins', () => {
  it('gives the sorted unique origins, ws(s) keeping its scheme and ports kept', () => {
    const cams = [
      CameraRecordSchema.parse({ ...base, streams: { hls: 'https://b.example.cn/1.m3u8?t=1', wsflv: 'ws://10.0.0.5:8080/1.flv' } }),
      CameraRecordSchema.parse({ ...base, id: 'X', streams: { flv: 'https://b.example.cn/2.flv', webrtc: 'http://10.0.0.5:8080/whep' } }),
      CameraRecordSchema.parse({ ...base, id: 'Y', streams: { wsflv: 'wss://b.example.cn:443/3.flv' } }),
    ];
    expect(videoOrigins(cams)).toEqual(['http://10.0.0.5:8080', 'https://b.example.cn', 'ws://10.0.0.5:8080', 'wss://b.example.cn']);
    expect(videoOrigins([])).toEqual([]);
  });
});

describe('parseCrs', () => {
  it('reads the names files use and refuses others', () => {
    expect(parseCrs('wgs-84')).toBe('WGS84');
    expect(parseCrs('EPSG:4326')).toBe('WGS84');
    expect(parseCrs('EPSG:4490')).toBe('CGCS2000');
    expect(parseCrs(' gcj_02 ')).toBe('GCJ02');
    expect(parseCrs('bd09ll')).toBe('BD09');
    expect(parseCrs('BD-09MC')).toBe('BD09MC');
    expect(parseCrs('Beijing54')).toBeNull();
    expect(parseCrs('__proto__')).toBeNull();
  });
});

describe('CSV camera registry', () => {
  it('reads a BOM + CRLF file with quotes, doubled quotes, embedded commas and line breaks', async () => {
    const bytes = await readFile(join(FIX, 'registry-crlf-bom.csv'));
    // the fixture must really be what this test claims (a BOM and CRLF line ends)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('\r\n');

    const r = await loadCameraRegistry(join(FIX, 'registry-crlf-bom.csv'));
    expect(r.issues).toEqual([]);
    expect(r.ignoredColumns).toEqual(['Remark']);
    const cams = byId(r.cameras);
    expect([...cams.keys()]).toEqual(['CAM-0001', '34020000001320000002', 'CAM-0003', 'CAM-0004']);

    const c1 = cams.get('CAM-0001')!;
    expect(c1).toEqual({
      id: 'CAM-0001',
      name: 'Wangfujing St, north gate',
      lon: 116.4105,
      lat: 39.9142,
      heightM: 8,
      heading: 350,
      fov: 60,
      rangeM: 150,
      ptz: false,
      gbId: '34020000001320000001',
      streams: {
        hls: 'http://10.20.0.5:8080/rtp/34020000001320000001.live.m3u8?token=abc123&expires=1767225600',
        flv: 'http://10.20.0.5:8080/rtp/34020000001320000001.live.flv',
        wsflv: 'ws://10.20.0.5:8080/rtp/34020000001320000001.live.flv',
        webrtc: 'https://10.20.0.5/index/api/whep?app=rtp&stream=34020000001320000001',
      },
    });
    const c2 = cams.get('34020000001320000002')!;
    expect(c2.name).toBe('Dong\'anmen "east" corner');
    expect(c2).toMatchObject({ heightM: 6, heading: 90, fov: 60, rangeM: 100, ptz: true });
    expect(c2.streams).toEqual({ hls: 'https://video.example.cn/hls/2.m3u8', wsflv: 'wss://video.example.cn:9443/flv/2.flv' });
    // a line break inside a quoted name becomes a space; heading -30 → 330; ptz "1"
    expect(cams.get('CAM-0003')).toMatchObject({ name: 'Two-line name', heading: 330, fov: 90, rangeM: 80, ptz: true, streams: {} });
    expect(cams.get('CAM-0003')).not.toHaveProperty('gbId');
    expect(cams.get('CAM-0004')).toMatchObject({ name: 'Plain', heightM: 0, heading: 5, fov: 360, rangeM: 5000, ptz: false });
  });

  it('reads Chinese headers and converts GCJ-02, BD-09 and BD-09MC rows to WGS84 (within 0.5 m of the truth)', async () => {
    const r = await loadCameraRegistry(join(FIX, 'registry-zh.csv'));
    expect(r.issues).toEqual([]);
    expect(r.ignoredColumns).toEqual([]);
    const cams = byId(r.cameras);
    expect(cams.get('ZH-WGS')).toMatchObject({ name: '王府井北口', lon: 116.4105, lat: 39.9142, heightM: 8, ptz: false, gbId: '34020000001320000101' });
    expect(cams.get('ZH-GCJ')).toMatchObject({ name: '王府井北口(高德)', ptz: true, gbId: '34020000001320000102' });
    expect(metres(cams.get('ZH-GCJ')!, TRUTH.north)).toBeLessThan(TOL_M);
    expect(metres(cams.get('ZH-BD')!, TRUTH.east)).toBeLessThan(TOL_M);
    expect(metres(cams.get('ZH-BDMC')!, TRUTH.south)).toBeLessThan(TOL_M);
    // the same as coords.ts gives, and far from the unconverted input (GCJ-02 is ~500 m off in Beijing)
    const [gLon, gLat] = toWgs84('GCJ02', 116.41674217, 39.9156029);
    expect(cams.get('ZH-GCJ')).toMatchObject({ lon: gLon, lat: gLat });
    expect(haversineMeters([116.41674217, 39.9156029], [TRUTH.north[0], TRUTH.north[1]])).toBeGreaterThan(100);
    // CGCS2000 is WGS84 for a map; blank optional cells take the defaults
    expect(cams.get('ZH-CGCS')).toMatchObject({ lon: 116.4098, lat: 39.9131, heightM: 6, heading: 0, fov: 60, rangeM: 100, ptz: false, name: '东华门' });
  });

  it('reports each bad row with its line and field and loads every good row', async () => {
    const r = await loadCameraRegistry(join(FIX, 'registry-bad-rows.csv'));
    expect(r.cameras.map((c) => c.id)).toEqual(['OK-1', 'OK-2', 'OK-3']);
    const at = (line: number): RegistryIssue[] => r.issues.filter((i) => i.line === line);
    const one = (line: number, field: string | undefined, message: RegExp) => {
      const got = at(line);
      expect(got, `line ${line}: ${JSON.stringify(got)}`).toHaveLength(1);
      expect(got[0]!.field).toBe(field);
      expect(got[0]!.message).toMatch(message);
    };
    one(3, 'lat', /^lat 116\.4105 out of range: lon and lat swapped\?$/);
    one(4, 'hls', /credentials/);
    one(5, 'hls', /must use http or https, not javascript:/);
    one(6, 'flv', /not file:/);
    one(7, 'flv', /must use http or https, not ws:/);
    one(8, 'heading', /heading must be a number, got "north"/);
    one(9, 'crs', /unknown CRS "ED50"/);
    one(10, 'id', /duplicate id OK-1 \(first at line 2\)/);
    one(11, undefined, /row has 15 fields but the header has 14/);
    expect(
      at(12)
        .map((i) => i.field)
        .sort(),
    ).toEqual(['fov', 'range_m']);
    one(13, undefined, /text after the closing quote/);
    one(14, 'id', /id must be/);
    one(15, 'ptz', /ptz must be true\/false/);
    one(16, 'gb_id', /rounded by a spreadsheet/);
    one(17, 'lon', /outside China/);
    one(19, 'lat', /lat is required/);
    one(21, undefined, /opened on line 21 is never closed/);
    expect(new Set(r.issues.map((i) => i.line))).toEqual(new Set([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 21]));

    const ok2 = byId(r.cameras).get('OK-2')!;
    expect(ok2).toMatchObject({ name: 'good "two"', ptz: true, streams: { wsflv: 'wss://10.0.0.1/2.flv', webrtc: 'https://10.0.0.1/whep/2' } });
    const [lon, lat] = toWgs84('GCJ02', 116.412, 39.9155);
    expect(ok2).toMatchObject({ lon, lat });
  });

  it('an unclosed quote in the middle costs only its own row', () => {
    const filler = Array.from({ length: 200 }, (_, i) => `F-${i},filler ${i},116.41,39.91`).join('\n'); // > 4096 characters without a quote
    const text = `id,name,lon,lat\nA,"unclosed,116.41,39.91\nB,"quoted, fine",116.41,39.91\nC,c,116.41,39.91\nD,"again unclosed,116.41,39.91\n${filler}\nE,"e",116.41,39.91\n`;
    const r = parseCameraRegistry(text, 'csv');
    expect(r.issues.map((i) => i.line)).toEqual([2, 5]);
    expect(r.cameras.map((c) => c.id)).toEqual(['B', 'C', ...Array.from({ length: 200 }, (_, i) => `F-${i}`), 'E']);
    expect(byId(r.cameras).get('B')!.name).toBe('quoted, fine');
  });

  it('missing required columns: one issue at line 1 and no cameras', async () => {
    const r = await loadCameraRegistry(join(FIX, 'registry-missing-columns.csv'));
    expect(r.cameras).toEqual([]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ line: 1, message: expect.stringMatching(/missing required column lat/) });
  });

  it('a column given twice (lon and 经度) is refused rather than guessed', () => {
    const r = parseCameraRegistry('id,lon,lat,经度\nA,116.41,39.91,116.42\n', 'csv');
    expect(r.cameras).toEqual([]);
    expect(r.issues).toEqual([{ line: 1, field: '经度', message: expect.stringMatching(/"lon" and "经度" both give lon/) }]);
  });

  it('takes the default CRS for rows without one', () => {
    const r = parseCameraRegistry('id,lon,lat\nA,116.41674217,39.9156029\n', 'csv', { crs: 'GCJ02' });
    expect(r.issues).toEqual([]);
    expect(metres(r.cameras[0]!, TRUTH.north)).toBeLessThan(TOL_M);
    expect(() => parseCameraRegistry('id,lon,lat\n', 'csv', { crs: 'ED50' as never })).toThrow(/unknown default CRS "ED50"/);
  });

  it('degree values in a BD09MC row and lon/lat swapped inside China get clear issues', () => {
    const r = parseCameraRegistry('id,lon,lat,crs\nA,116.41,39.91,BD09MC\nB,80.5,41.2,\nC,41.2,80.5,\nD,116.41,39.91,\n', 'csv');
    expect(r.cameras.map((c) => c.id)).toEqual(['B', 'D']);
    expect(r.issues).toEqual([
      { line: 2, field: 'lon', message: expect.stringMatching(/BD09MC expects Baidu Mercator metres/) },
      { line: 4, field: 'lon', message: expect.stringMatching(/\(41\.2, 80\.5\) is outside China but \(80\.5, 41\.2\) is inside: lon and lat swapped\?/) },
    ]);
  });

  it('a row with more or fewer fields than the header is refused, even if the extra cell is empty', () => {
    // "a, b" unquoted shifts the URLs one column right, the last (empty) cell falling off the end
    const r = parseCameraRegistry('id,name,lon,lat,hls,flv\nA,a, b,116.41,39.91,http://h/1.flv,\nB,b,116.41,39.91,http://h/1.m3u8\n', 'csv');
    expect(r.cameras).toEqual([]);
    expect(r.issues.map((i) => [i.line, i.message])).toEqual([
      [2, 'row has 7 fields but the header has 6 (an unquoted comma in a value?)'],
      [3, 'row has 5 fields but the header has 6 (an unquoted comma in a value?)'],
    ]);
  });

  it('an empty file and a header-only file', () => {
    expect(parseCameraRegistry('', 'csv').issues).toEqual([{ line: 1, message: expect.stringMatching(/empty/) }]);
    expect(parseCameraRegistry('\uFEFFid,lon,lat\r\n', 'csv')).toEqual({ cameras: [], issues: [], ignoredColumns: [] });
  });

  it('parses a 20 000-row registry file', async () => {
    const lines = ['id,name,lon,lat,heading,fov,range_m,ptz,flv,gb_id'];
    for (let i = 0; i < 20_000; i++) {
      const gb = `3402000000132${String(i).padStart(7, '0')}`;
      lines.push(
        `CAM-${i},"Cam ${i}, row ${i}",${(116.38 + (i % 200) * 0.0003).toFixed(6)},${(39.89 + Math.floor(i / 200) * 0.0003).toFixed(6)},${i % 360},60,120,${i % 5 === 0},http://10.20.0.5:8080/rtp/${gb}.live.flv,${gb}`,
      );
    }
    lines.push('CAM-5,duplicate,116.4,39.9,0,60,120,false,,');
    const file = join(tmp, 'big.csv');
    await writeFile(file, lines.join('\n'));
    const r = await loadCameraRegistry(file);
    expect(r.cameras).toHaveLength(20_000);
    expect(r.issues).toEqual([{ line: 20_002, field: 'id', message: expect.stringMatching(/duplicate id CAM-5 \(first at line 7\)/) }]);
    expect(r.cameras[19_999]).toMatchObject({ id: 'CAM-19999', name: 'Cam 19999, row 19999', heading: 19_999 % 360, gbId: '34020000001320019999' });
  });
});

describe('JSON camera registry', () => {
  it('reads an array with per-camera CRS, streams objects, flat stream keys and numeric strings', async () => {
    const r = await loadCameraRegistry(join(FIX, 'registry.json'));
    expect(r.cameras.map((c) => c.id)).toEqual(['J-1', 'J-2']);
    const j1 = r.cameras[0]!;
    expect(metres(j1, TRUTH.north)).toBeLessThan(TOL_M);
    expect(j1).toMatchObject({ heightM: 9, heading: 180, fov: 70, rangeM: 150, ptz: true, gbId: '34020000001320000201' });
    expect(j1.streams).toEqual({
      hls: 'http://10.20.0.5:8080/rtp/34020000001320000201.live.m3u8?token=t1',
      webrtc: 'http://10.20.0.5:8080/index/api/whep?app=rtp&stream=34020000001320000201',
    });
    expect(r.cameras[1]).toMatchObject({
      id: 'J-2',
      name: 'J-2',
      lon: 116.4098,
      lat: 39.9131,
      ptz: false,
      streams: { flv: 'http://10.20.0.5:8080/rtp/2.live.flv' },
    });
    expect(r.ignoredColumns.sort()).toEqual(['streams.rtsp', 'vendor']);
    expect(r.issues).toEqual([
      { line: 3, message: 'camera 3 is not an object' },
      { line: 4, field: 'gbId', message: expect.stringMatching(/must be written as text/) },
      { line: 5, field: 'streams.hls', message: expect.stringMatching(/not javascript:/) },
      { line: 6, field: 'id', message: expect.stringMatching(/duplicate id J-1 \(first at camera 1\)/) },
    ]);
  });

  it('reads { crs, cameras } with a per-camera override, and reports an unknown per-camera CRS', async () => {
    const r = await loadCameraRegistry(join(FIX, 'registry-wrapped.json'));
    const cams = byId(r.cameras);
    expect([...cams.keys()]).toEqual(['W-1', 'W-2']);
    expect(metres(cams.get('W-1')!, TRUTH.east)).toBeLessThan(TOL_M);
    expect(cams.get('W-1')).toMatchObject({ name: '东安门', heading: 270 });
    expect(cams.get('W-2')).toMatchObject({ lon: 116.4105, lat: 39.9142 });
    expect(r.issues).toEqual([{ line: 3, field: 'crs', message: expect.stringMatching(/unknown CRS "Beijing54"/) }]);
  });

  it('an unknown file-level CRS fails only the cameras that rely on it', () => {
    const r = parseCameraRegistry(
      JSON.stringify({
        crs: 'Xian80',
        cameras: [
          { id: 'A', lon: 116.41, lat: 39.91 },
          { id: 'B', lon: 116.41, lat: 39.91, crs: 'wgs84' },
        ],
      }),
      'json',
    );
    expect(r.cameras.map((c) => c.id)).toEqual(['B']);
    expect(r.issues).toEqual([
      { line: 0, field: 'crs', message: expect.stringMatching(/unknown CRS "Xian80"/) },
      { line: 1, field: 'crs', message: expect.stringMatching(/file's crs "Xian80" is unknown/) },
    ]);
  });

  it('invalid JSON and a wrong shape are one clear issue each', () => {
    const bad = parseCameraRegistry('[{"id": "A",', 'json');
    expect(bad.cameras).toEqual([]);
    expect(bad.issues).toEqual([{ line: 0, message: expect.stringMatching(/^not valid JSON: /) }]);
    expect(parseCameraRegistry('{"devices": []}', 'json').issues).toEqual([{ line: 0, message: expect.stringMatching(/expected an array of cameras/) }]);
  });

  it('hostile keys neither pollute prototypes nor load', () => {
    const r = parseCameraRegistry(
      '[{"id":"A","lon":116.41,"lat":39.91,"__proto__":{"ptz":true},"constructor":1,"streams":{"__proto__":{"hls":"javascript:x"}}}]',
      'json',
    );
    expect(r.issues).toEqual([]);
    expect(r.cameras[0]).toMatchObject({ id: 'A', ptz: false, streams: {} });
    expect(({} as Record<string, unknown>).ptz).toBeUndefined();
    expect(r.ignoredColumns.sort()).toEqual(['__proto__', 'constructor', 'streams.__proto__']);
  });

  it('quotes hostile values in messages without control characters, and names non-finite numbers', () => {
    const r = parseCameraRegistry('[{"id":"A","lon":116.41,"lat":39.91,"heading":"\\u001b[31mred\\u202e"},{"id":"B","lon":1e400,"lat":39.91}]', 'json');
    expect(r.cameras).toEqual([]);
    expect(r.issues).toEqual([
      { line: 1, field: 'heading', message: 'heading must be a number, got "\uFFFD[31mred\uFFFD"' },
      { line: 2, field: 'lon', message: 'lon must be a number, got "Infinity"' },
    ]);
  });

  it('a flat stream key and streams.* that disagree are an issue', () => {
    const r = parseCameraRegistry('[{"id":"A","lon":116.41,"lat":39.91,"hls":"http://a/1.m3u8","streams":{"hls":"http://b/1.m3u8"}}]', 'json');
    expect(r.cameras).toEqual([]);
    expect(r.issues).toEqual([{ line: 1, field: 'streams.hls', message: expect.stringMatching(/given twice/) }]);
  });
});

describe('loadCameraRegistry file checks', () => {
  it('refuses other extensions, naming the supported ones', async () => {
    await expect(loadCameraRegistry(join(tmp, 'cams.xlsx'))).rejects.toThrow(/unsupported file type "\.xlsx"; supported are \.csv and \.json/);
  });

  it('refuses a file over 50 MB before reading it', async () => {
    const file = join(tmp, 'huge.csv');
    const fh = await open(file, 'w');
    await fh.truncate(50 * 1024 * 1024 + 1); // sparse: no 50 MB written
    await fh.close();
    await expect(loadCameraRegistry(file)).rejects.toThrow(/is 50\.0 MB; the limit is 50 MB/);
  });

  it('refuses GBK and UTF-16 text with a hint instead of loading mojibake', async () => {
    const gbk = join(tmp, 'gbk.csv');
    // "编号,经度,纬度" in GBK
    await writeFile(gbk, Buffer.concat([Buffer.from([0xb1, 0xe0, 0xba, 0xc5]), Buffer.from(',lon,lat\nA,116.41,39.91\n')]));
    await expect(loadCameraRegistry(gbk)).rejects.toThrow(/not valid UTF-8 \(a GBK\/GB18030 export\?\)/);
    const u16 = join(tmp, 'u16.csv');
    await writeFile(u16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,lon,lat\n', 'utf16le')]));
    await expect(loadCameraRegistry(u16)).rejects.toThrow(/UTF-16: save it as UTF-8/);
  });
});
