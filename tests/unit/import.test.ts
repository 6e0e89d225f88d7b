/**
 * Importing the user's own data: real-world-shaped fixtures (ArcGIS GeoJSON export with a CGCS2000 Gauss-Krüger crs and
 * Chinese field names, a GBK CSV as Chinese Excel saves it, KML with ExtendedData and holes), CRS detection and the
 * errors a user sees; the result loads into DuckDB (same engine as the app) with its Chinese column names.
 */
import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import { gcj02ToWgs84 } from '../../data-pipelines/geo/coords.ts';
import { crsFromPrj, epsgDef, guessFromRange, parseCrs } from '../../renderer/src/import/crs.ts';
import { decodeText, parseCsv, readKml } from '../../renderer/src/import/formats.ts';
import { importFiles, layerCsv, tableName } from '../../renderer/src/import/index.ts';
import { setLocale, t } from '../../renderer/src/i18n.ts';
import { openNodeDuckDb } from './duckdb-node.ts';

// the readers speak the UI language; their messages are asserted in English here (one test checks the Chinese)
setLocale('en');

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
// GBK bytes, checked against the decoder below
const GBK = { 名称: hex('c3fbb3c6'), 经度: hex('beadb6c8'), 纬度: hex('ceb3b6c8'), 朝阳: hex('b3afd1f4'), 小区: hex('d0a1c7f8') };

describe('coordinate systems', () => {
  it('knows the CGCS2000 Gauss-Krüger families and Web Mercator offline', async () => {
    expect(epsgDef(4548)).toContain('+lon_0=117 ');
    expect(epsgDef(4548)).toContain('+x_0=500000 ');
    expect(epsgDef(4527)).toContain('+lon_0=117 ');
    expect(epsgDef(4527)).toContain('+x_0=39500000 ');
    expect(epsgDef(4509)).toContain('+lon_0=117 ');
    expect(epsgDef(4498)).toContain('+x_0=20500000 ');
    // on the central meridian the easting is exactly the false easting
    const [x] = proj4(epsgDef(4548)!, [117, 40]) as [number, number];
    expect(x).toBeCloseTo(500_000, 6);
    expect(parseCrs('EPSG:4490')).toEqual({ kind: 'china', crs: 'CGCS2000' });
    expect(parseCrs('urn:ogc:def:crs:OGC:1.3:CRS84')).toEqual({ kind: 'china', crs: 'WGS84' });
    expect(() => parseCrs('EPSG:2436')).toThrow(/not known offline/);
    expect(() => parseCrs('Beijing')).toThrow(/unknown coordinate system/);
  });

  it('reads ESRI .prj files and refuses datums it cannot convert', async () => {
    expect(
      crsFromPrj(
        'GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]',
      ),
    ).toEqual({ kind: 'china', crs: 'CGCS2000' });
    const gk = crsFromPrj(
      'PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]',
    );
    expect(gk).toMatchObject({ kind: 'proj4', name: 'CGCS2000_3_Degree_GK_CM_117E' });
    expect(() => crsFromPrj('PROJCS["Beijing_1954_3_Degree_GK_CM_117E",GEOGCS["GCS_Beijing_1954"]]')).toThrow(/Beijing 1954/);
  });

  it('guesses from coordinate ranges only where the numbers are unambiguous', async () => {
    expect(guessFromRange([116.4, 39.9, 116.5, 40]).crs).toEqual({ kind: 'china', crs: 'WGS84' });
    expect(guessFromRange([39_440_000, 4_410_000, 39_460_000, 4_430_000]).crs).toMatchObject({ kind: 'proj4', name: 'EPSG:4527' });
    expect(guessFromRange([440_000, 4_410_000, 460_000, 4_430_000]).crs).toBeNull();
    expect(guessFromRange([12_950_000, 4_840_000, 12_970_000, 4_860_000]).note).toMatch(/Web Mercator or Baidu/);
  });
});

describe('readers', () => {
  it('decodes GBK text (Chinese Excel CSV) and UTF-8 with a BOM', async () => {
    expect(new TextDecoder('gbk').decode(concat(GBK.名称, GBK.经度, GBK.纬度, GBK.朝阳, GBK.小区))).toBe('名称经度纬度朝阳小区');
    expect(decodeText(concat(GBK.朝阳)).encoding).toBe('gbk');
    expect(decodeText(utf8('\uFEFF朝阳'))).toEqual({ text: '朝阳', encoding: 'utf-8' });
    expect(parseCsv('a,b\n"x, ""y""",2\r\n\n3,4')).toEqual([
      ['a', 'b'],
      ['x, "y"', '2'],
      ['3', '4'],
    ]);
  });

  it('KML placemarks with ExtendedData, a polygon hole and a MultiGeometry', async () => {
    const kml = `<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder>
      <Placemark><name>团结湖公园 &amp; 广场</name><ExtendedData><Data name="类型"><value>公园</value></Data></ExtendedData>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>116.46,39.92,0 116.47,39.92,0 116.47,39.93,0 116.46,39.92,0</coordinates></LinearRing></outerBoundaryIs>
        <innerBoundaryIs><LinearRing><coordinates>116.465,39.922 116.466,39.922 116.466,39.923 116.465,39.922</coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark>
      <Placemark><name><![CDATA[巡查点 <1>]]></name><MultiGeometry><Point><coordinates>116.45,39.93</coordinates></Point><LineString><coordinates>116.45,39.93 116.46,39.94</coordinates></LineString></MultiGeometry></Placemark>
    </Folder></Document></kml>`;
    const r = readKml('patrol.kml', utf8(kml));
    expect(r.crsHint).toBe('WGS84');
    expect(r.features).toHaveLength(2);
    expect(r.features[0]!.properties).toEqual({ name: '团结湖公园 & 广场', 类型: '公园' });
    const poly = r.features[0]!.geometry as GeoJSON.Polygon;
    expect(poly.coordinates).toHaveLength(2);
    expect(poly.coordinates[1]![0]).toEqual([116.465, 39.922]);
    expect(r.features[1]!.properties['name']).toBe('巡查点 <1>');
    expect((r.features[1]!.geometry as GeoJSON.GeometryCollection).geometries.map((g) => g.type)).toEqual(['Point', 'LineString']);
    expect(() => readKml('bad.kml', utf8('<kml><Placemark><name>x</Placemark></kml>'))).toThrow(/bad\.kml: malformed XML/);
  });
});

describe('importFiles', () => {
  // An ArcGIS Pro "Features To JSON" export: CGCS2000 3-degree GK CM 117E, Chinese field names
  const wgs: Array<[number, number]> = [
    [116.4355, 39.9239],
    [116.4621, 39.9184],
  ];
  const gk = wgs.map((p) => proj4(epsgDef(4548)!, p) as [number, number]);
  const arcgis = {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'EPSG:4548' } },
    features: [
      { type: 'Feature', properties: { 名称: '朝阳门社区', 人口: 8120, 是否老旧: true }, geometry: { type: 'Point', coordinates: gk[0] } },
      { type: 'Feature', properties: { 名称: '团结湖社区', 人口: null, 是否老旧: false }, geometry: { type: 'Point', coordinates: gk[1] } },
    ],
  };

  it('converts an ArcGIS GeoJSON in CGCS2000 Gauss-Krüger to WGS84 from its crs member', async () => {
    const { layers, errors } = await importFiles([{ name: '社区.geojson', bytes: utf8(JSON.stringify(arcgis)) }]);
    expect(errors).toEqual([]);
    const l = layers[0]!;
    expect(l).toMatchObject({ name: '社区', format: 'geojson', crs: 'EPSG:4548', crsSource: 'file' });
    const p = l.features[0]!.geometry as GeoJSON.Point;
    expect(p.coordinates[0]).toBeCloseTo(116.4355, 8);
    expect(p.coordinates[1]).toBeCloseTo(39.9239, 8);
    expect(l.fields).toEqual([
      { name: '名称', type: 'text' },
      { name: '人口', type: 'number' },
      { name: '是否老旧', type: 'boolean' },
    ]);
  });

  it('a GBK CSV from Excel with Chinese headers, a row without coordinates kept and reported; GCJ-02 when chosen', async () => {
    const csv = concat(
      GBK.名称,
      utf8(','),
      GBK.经度,
      utf8(','),
      GBK.纬度,
      utf8('\r\n'),
      GBK.朝阳,
      GBK.小区,
      utf8(',116.4410,39.9250\r\n'),
      GBK.小区,
      utf8(',,\r\n'),
    );
    const auto = await importFiles([{ name: 'points.csv', bytes: csv }]);
    expect(auto.errors).toEqual([]);
    const l = auto.layers[0]!;
    expect(l.encoding).toBe('gbk');
    expect(l.crsSource).toBe('range');
    expect(l.notes[0]).toMatch(/GCJ-02/);
    expect(l.features[0]!.properties).toEqual({ 名称: '朝阳小区' });
    expect(l.features[1]!.geometry).toBeNull();
    expect(l.warnings[0]).toMatch(/1 row without usable coordinates \(lines 3\)/);
    const gcj = (await importFiles([{ name: 'points.csv', bytes: csv }], { crs: 'GCJ02' })).layers[0]!;
    expect((gcj.features[0]!.geometry as GeoJSON.Point).coordinates).toEqual(gcj02ToWgs84(116.441, 39.925));
    expect(gcj.crsSource).toBe('user');
  });

  it('broken files get a clear error and the others still import', async () => {
    const { layers, errors } = await importFiles([
      { name: 'ok.geojson', bytes: utf8(JSON.stringify(arcgis)) },
      { name: 'broken.geojson', bytes: utf8('{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":["a"]}}]') },
      { name: 'nocoords.csv', bytes: utf8('name,address\nx,y\n') },
      { name: 'roads.dbf', bytes: new Uint8Array(40) },
      { name: 'photo.png', bytes: new Uint8Array(8) },
      { name: 'gk.json', bytes: utf8(JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [452_000, 4_420_000] } })) },
    ]);
    expect(layers.map((l) => l.name)).toEqual(['ok']);
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatch(/broken\.geojson: not valid JSON/);
    expect(errors[1]).toMatch(/nocoords\.csv: no coordinate columns/);
    expect(errors[2]).toMatch(/roads: the \.shp file is missing/);
    expect(errors[3]).toMatch(/photo\.png: unsupported file type/);
    expect(errors[4]).toMatch(/gk: the file does not say its coordinate system.*EPSG:4548/);
    // a wrong choice that throws the data off the globe is caught
    expect(
      (
        await importFiles(
          [
            {
              name: 'gk.json',
              bytes: utf8(JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [452_000, 4_420_000] } })),
            },
          ],
          { crs: 'WGS84' },
        )
      ).errors[0],
    ).toMatch(/outside the globe/);
  });

  it('reports in the UI language: Chinese by default', async () => {
    setLocale('zh-CN');
    try {
      const { errors } = await importFiles([
        { name: 'photo.png', bytes: new Uint8Array(8) },
        { name: 'broken.geojson', bytes: utf8('{') },
      ]);
      expect(errors[0]).toMatch(/^photo\.png：不支持的文件类型 "\.png"/);
      expect(errors[1]).toMatch(/^broken\.geojson：不是有效的 JSON/);
      expect(guessFromRange([12_950_000, 4_840_000, 12_970_000, 4_860_000]).note).toMatch(/百度墨卡托/);
    } finally {
      setLocale('en');
    }
  });

  it('loads into DuckDB with Chinese column names, reserved names renamed, and the geometry as GeoJSON', async () => {
    const withClash = { ...arcgis, features: arcgis.features.map((f) => ({ ...f, properties: { ...f.properties, lon: 'x', Name: '甲', name: '乙' } })) };
    const l = (await importFiles([{ name: 'community.geojson', bytes: utf8(JSON.stringify(withClash)) }])).layers[0]!;
    const { csv, columns } = layerCsv(l);
    expect(Object.keys(columns)).toEqual(['fid', '名称', '人口', '是否老旧', 'lon_2', 'Name', 'name_2', 'geom_type', 'lon', 'lat', 'geojson']);
    const db = await openNodeDuckDb();
    const table = tableName(l.name, 1);
    expect(table).toBe('user_community_1');
    await db.runner.registerText(`${table}.csv`, csv);
    const cols = Object.entries(columns)
      .map(([k, v]) => `'${k}': '${v}'`)
      .join(', ');
    await db.runner.rows(`CREATE TABLE "${table}" AS SELECT * FROM read_csv('${table}.csv', header = true, quote = '"', escape = '"', columns = {${cols}})`);
    const rows = await db.runner.rows<Record<string, unknown>>(`SELECT fid, 名称, 人口, 是否老旧, lon, lat, geom_type FROM "${table}" ORDER BY fid`);
    expect(rows[0]).toMatchObject({ fid: 1, 名称: '朝阳门社区', 人口: 8120, 是否老旧: true, geom_type: 'Point' });
    expect(rows[1]!['人口']).toBeNull();
    expect(rows[0]!['lon'] as number).toBeCloseTo(116.4355, 8);
    // issue 16 item 14: Chinese layer names stay readable (they were all "user_layer_N"), unique by the counter
    expect(tableName('朝阳 社区', 3)).toBe('user_朝阳_社区_3');
    expect(tableName('朝阳 社区', 4)).toBe('user_朝阳_社区_4');
    expect(tableName('"; DROP TABLE x; --', 5)).toBe('user_drop_table_x_5');
    expect(tableName('…', 6)).toBe('user_layer_6');
    const zh = tableName('朝阳 社区', 3);
    await db.runner.rows(`CREATE TABLE "${zh}" AS SELECT * FROM "${table}"`);
    expect(await db.runner.rows<Record<string, unknown>>(`SELECT count(*)::INTEGER AS n FROM "${zh}"`)).toEqual([{ n: 2 }]);
  });
});

describe('a GBK shapefile with a .prj, through importFiles', () => {
  /** minimal point .shp (header big-endian code/length, little-endian rest) */
  function pointShp(pts: Array<[number, number]>): Uint8Array {
    const rec = 8 + 20;
    const total = 100 + pts.length * rec;
    const b = new Uint8Array(total);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, 9994, false);
    dv.setInt32(24, total / 2, false);
    dv.setInt32(28, 1000, true);
    dv.setInt32(32, 1, true);
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) => dv.setFloat64(36 + 8 * i, v, true));
    pts.forEach((p, i) => {
      const o = 100 + i * rec;
      dv.setInt32(o, i + 1, false);
      dv.setInt32(o + 4, 10, false);
      dv.setInt32(o + 8, 1, true);
      dv.setFloat64(o + 12, p[0], true);
      dv.setFloat64(o + 20, p[1], true);
    });
    return b;
  }
  /** dBase III with one C(20) field whose name and values are raw (GBK) bytes, no language driver */
  function gbkDbf(name: Uint8Array, values: Uint8Array[]): Uint8Array {
    const headerLength = 32 + 32 + 1;
    const recordLength = 1 + 20;
    const b = new Uint8Array(headerLength + values.length * recordLength + 1);
    const dv = new DataView(b.buffer);
    b[0] = 0x03;
    dv.setUint32(4, values.length, true);
    dv.setUint16(8, headerLength, true);
    dv.setUint16(10, recordLength, true);
    b.set(name, 32);
    b[32 + 11] = 'C'.charCodeAt(0);
    b[32 + 16] = 20;
    b[headerLength - 1] = 0x0d;
    values.forEach((v, r) => {
      const at = headerLength + r * recordLength;
      b[at] = 0x20;
      b.fill(0x20, at + 1, at + 21);
      b.set(v, at + 1);
    });
    b[b.length - 1] = 0x1a;
    return b;
  }
  const PRJ =
    'PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';

  it('reads the attributes as GBK without a .cpg and converts the Gauss-Krüger points with the .prj', async () => {
    const pts = (
      [
        [116.4355, 39.9239],
        [116.4621, 39.9184],
      ] as Array<[number, number]>
    ).map((p) => proj4(epsgDef(4548)!, p) as [number, number]);
    const { layers, errors } = await importFiles([
      { name: '社区.shp', bytes: pointShp(pts) },
      { name: '社区.dbf', bytes: gbkDbf(GBK.名称, [concat(GBK.朝阳, GBK.小区), GBK.小区]) },
      { name: '社区.prj', bytes: utf8(PRJ) },
    ]);
    expect(errors).toEqual([]);
    const l = layers[0]!;
    expect(l).toMatchObject({
      name: '社区',
      format: 'shapefile',
      crs: 'CGCS2000_3_Degree_GK_CM_117E',
      crsSource: 'file',
      encoding: 'gbk',
      encodingSource: 'detected',
    });
    // issue 16 item 14: how the encoding was found is shown in the UI language ("gbk (detected)" was English in zh-CN)
    expect(t('import.encodingFrom.detected', { enc: l.encoding }, 'zh-CN')).toBe('gbk（自动识别）');
    expect(l.features.map((f) => f.properties)).toEqual([{ 名称: '朝阳小区' }, { 名称: '小区' }]);
    const p = l.features[0]!.geometry as GeoJSON.Point;
    expect(p.coordinates[0]).toBeCloseTo(116.4355, 7);
    expect(p.coordinates[1]).toBeCloseTo(39.9239, 7);
    // the same files without the .prj: Gauss-Krüger without zone prefix cannot be placed without a choice…
    expect((await importFiles([{ name: 'a.shp', bytes: pointShp(pts) }])).errors[0]).toMatch(/choose the zone/);
    // …and with the user's choice they can
    const chosen = (await importFiles([{ name: 'a.shp', bytes: pointShp(pts) }], { crs: 'EPSG:4548' })).layers[0]!;
    expect((chosen.features[1]!.geometry as GeoJSON.Point).coordinates[0]).toBeCloseTo(116.4621, 7);
    expect(chosen.warnings.join(' ')).toMatch(/no \.dbf/);
  });
});

describe('per-file coordinate systems (issue 16 item 11)', () => {
  const gkPts = (
    [
      [116.4355, 39.9239],
      [116.4621, 39.9184],
    ] as Array<[number, number]>
  ).map((p) => proj4(epsgDef(4548)!, p) as [number, number]);
  const declared = {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'EPSG:4548' } },
    features: gkPts.map((c) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: c } })),
  };
  const plain = utf8('name,lon,lat\nx,116.441,39.925\n');

  it("one choice for a batch applies only to the files that declare no CRS; a file's own CRS wins", async () => {
    const { layers, errors } = await importFiles(
      [
        { name: 'declared.geojson', bytes: utf8(JSON.stringify(declared)) },
        { name: 'gcj.csv', bytes: plain },
      ],
      { crs: 'GCJ02' },
    );
    expect(errors).toEqual([]);
    const [d, c] = layers as [(typeof layers)[0], (typeof layers)[0]];
    expect([d.crs, d.crsSource]).toEqual(['EPSG:4548', 'file']);
    expect((d.features[0]!.geometry as GeoJSON.Point).coordinates[0]).toBeCloseTo(116.4355, 7);
    expect(d.notes).toEqual([
      'the file declares EPSG:4548, which was used; your choice GCJ02 applies only to files that declare none (override it on this layer if needed)',
    ]);
    expect([c.crs, c.crsSource]).toEqual(['GCJ02', 'user']);
    expect((c.features[0]!.geometry as GeoJSON.Point).coordinates).toEqual(gcj02ToWgs84(116.441, 39.925));
  });

  it('the user overrides one file: that file only', async () => {
    const { layers } = await importFiles(
      [
        { name: 'declared.geojson', bytes: utf8(JSON.stringify(declared)) },
        { name: 'other.geojson', bytes: utf8(JSON.stringify(declared)) },
      ],
      { overrides: { declared: 'EPSG:4509' } },
    );
    expect(layers.map((l) => [l.name, l.crs, l.crsSource])).toEqual([
      ['declared', 'EPSG:4509', 'user'],
      ['other', 'EPSG:4548', 'file'],
    ]);
    expect(layers[0]!.notes[0]).toBe('the file says EPSG:4548; using your choice EPSG:4509');
  });
});

describe('no raw bytes in messages (issue 16 item 14)', () => {
  it('a binary file under a text name is refused with its first bytes in hex', async () => {
    const sqliteHeader = utf8('SQLite format 3\0\x10\0\x01\x01');
    const { errors } = await importFiles([
      { name: 'export.csv', bytes: concat(hex('504b0304140000000800'), new Uint8Array(30)) },
      { name: 'bad.geojson', bytes: utf8('{"type":"Feature","geometry":\u0001\u0002}') },
      { name: 'bad.kml', bytes: concat(utf8('<kml>'), hex('fffe0041')) },
      { name: 'db.csv', bytes: sqliteHeader },
    ]);
    expect(errors[0]).toBe('export.csv: not a text file (it starts with bytes 50 4b 03 04 14 00 00 00 08 00 00 00 00 00 00 00 …)');
    // V8 quotes the bad JSON in its message: the control characters come out escaped
    expect(errors[1]).toMatch(/^bad\.geojson: not valid JSON \(.*\\x01.*\)$/);
    expect(errors[2]).toMatch(/^bad\.kml: not a text file \(it starts with bytes 3c 6b 6d 6c 3e ff fe 00 41\)$/);
    for (const e of errors) expect(e).not.toMatch(/[\u0000-\u001f\u007f-\u009f\ufffd]/);
    expect(errors).toHaveLength(4);
  });

  it('Excel\'s UTF-16 "Unicode text" is text, not binary', async () => {
    const u16 = new Uint8Array([
      0xff,
      0xfe,
      ...Array.from('名称\tlon\tlat\r\n朝阳\t116.44\t39.92\r\n').flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]),
    ]);
    const { layers, errors } = await importFiles([{ name: 'excel.txt', bytes: u16 }]);
    expect(errors).toEqual([]);
    expect(layers[0]!.features[0]).toEqual({ geometry: { type: 'Point', coordinates: [116.44, 39.92] }, properties: { 名称: '朝阳' } });
    expect(layers[0]!.encoding).toBe('utf-16le');
  });

  it('a .prj or .dbf field name of binary junk is escaped', async () => {
    const shp = new Uint8Array(100);
    const dv = new DataView(shp.buffer);
    dv.setInt32(0, 9994, false);
    dv.setInt32(24, 50, false);
    dv.setInt32(28, 1000, true);
    dv.setInt32(32, 1, true);
    const { errors } = await importFiles([
      { name: 'j.shp', bytes: shp },
      { name: 'j.prj', bytes: hex('47454f4743535b01ff1b5b33316d') },
    ]);
    expect(errors[0]).toBe('geographic CRS in .prj not recognized: GEOGCS[\\x01\\u{fffd}\\x1b[31m');
  });
});
