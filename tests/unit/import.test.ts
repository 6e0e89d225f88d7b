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
import { setLocale } from '../../renderer/src/i18n.ts';
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
  it('knows the CGCS2000 Gauss-Krüger families and Web Mercator offline', () => {
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

  it('reads ESRI .prj files and refuses datums it cannot convert', () => {
    expect(crsFromPrj('GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')).toEqual({ kind: 'china', crs: 'CGCS2000' });
    const gk = crsFromPrj('PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]');
    expect(gk).toMatchObject({ kind: 'proj4', name: 'CGCS2000_3_Degree_GK_CM_117E' });
    expect(() => crsFromPrj('PROJCS["Beijing_1954_3_Degree_GK_CM_117E",GEOGCS["GCS_Beijing_1954"]]')).toThrow(/Beijing 1954/);
  });

  it('guesses from coordinate ranges only where the numbers are unambiguous', () => {
    expect(guessFromRange([116.4, 39.9, 116.5, 40]).crs).toEqual({ kind: 'china', crs: 'WGS84' });
    expect(guessFromRange([39_440_000, 4_410_000, 39_460_000, 4_430_000]).crs).toMatchObject({ kind: 'proj4', name: 'EPSG:4527' });
    expect(guessFromRange([440_000, 4_410_000, 460_000, 4_430_000]).crs).toBeNull();
    expect(guessFromRange([12_950_000, 4_840_000, 12_970_000, 4_860_000]).note).toMatch(/Web Mercator or Baidu/);
  });
});

describe('readers', () => {
  it('decodes GBK text (Chinese Excel CSV) and UTF-8 with a BOM', () => {
    expect(new TextDecoder('gbk').decode(concat(GBK.名称, GBK.经度, GBK.纬度, GBK.朝阳, GBK.小区))).toBe('名称经度纬度朝阳小区');
    expect(decodeText(concat(GBK.朝阳)).encoding).toBe('gbk');
    expect(decodeText(utf8('\uFEFF朝阳'))).toEqual({ text: '朝阳', encoding: 'utf-8' });
    expect(parseCsv('a,b\n"x, ""y""",2\r\n\n3,4')).toEqual([
      ['a', 'b'],
      ['x, "y"', '2'],
      ['3', '4'],
    ]);
  });

  it('KML placemarks with ExtendedData, a polygon hole and a MultiGeometry', () => {
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

  it('converts an ArcGIS GeoJSON in CGCS2000 Gauss-Krüger to WGS84 from its crs member', () => {
    const { layers, errors } = importFiles([{ name: '社区.geojson', bytes: utf8(JSON.stringify(arcgis)) }]);
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

  it('a GBK CSV from Excel with Chinese headers, a row without coordinates kept and reported; GCJ-02 when chosen', () => {
    const csv = concat(GBK.名称, utf8(','), GBK.经度, utf8(','), GBK.纬度, utf8('\r\n'), GBK.朝阳, GBK.小区, utf8(',116.4410,39.9250\r\n'), GBK.小区, utf8(',,\r\n'));
    const auto = importFiles([{ name: 'points.csv', bytes: csv }]);
    expect(auto.errors).toEqual([]);
    const l = auto.layers[0]!;
    expect(l.encoding).toBe('gbk');
    expect(l.crsSource).toBe('range');
    expect(l.notes[0]).toMatch(/GCJ-02/);
    expect(l.features[0]!.properties).toEqual({ 名称: '朝阳小区' });
    expect(l.features[1]!.geometry).toBeNull();
    expect(l.warnings[0]).toMatch(/1 row without usable coordinates \(lines 3\)/);
    const gcj = importFiles([{ name: 'points.csv', bytes: csv }], 'GCJ02').layers[0]!;
    expect((gcj.features[0]!.geometry as GeoJSON.Point).coordinates).toEqual(gcj02ToWgs84(116.441, 39.925));
    expect(gcj.crsSource).toBe('user');
  });

  it('broken files get a clear error and the others still import', () => {
    const { layers, errors } = importFiles([
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
    expect(importFiles([{ name: 'gk.json', bytes: utf8(JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [452_000, 4_420_000] } })) }], 'WGS84').errors[0]).toMatch(/outside the globe/);
  });

  it('reports in the UI language: Chinese by default', () => {
    setLocale('zh-CN');
    try {
      const { errors } = importFiles([
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
    const l = importFiles([{ name: 'community.geojson', bytes: utf8(JSON.stringify(withClash)) }]).layers[0]!;
    const { csv, columns } = layerCsv(l);
    expect(Object.keys(columns)).toEqual(['fid', '名称', '人口', '是否老旧', 'lon_2', 'Name', 'name_2', 'geom_type', 'lon', 'lat', 'geojson']);
    const db = await openNodeDuckDb();
    const table = tableName(l.name, 1);
    expect(table).toBe('user_community_1');
    await db.runner.registerText(`${table}.csv`, csv);
    const cols = Object.entries(columns).map(([k, v]) => `'${k}': '${v}'`).join(', ');
    await db.runner.rows(`CREATE TABLE "${table}" AS SELECT * FROM read_csv('${table}.csv', header = true, quote = '"', escape = '"', columns = {${cols}})`);
    const rows = await db.runner.rows<Record<string, unknown>>(`SELECT fid, 名称, 人口, 是否老旧, lon, lat, geom_type FROM "${table}" ORDER BY fid`);
    expect(rows[0]).toMatchObject({ fid: 1, 名称: '朝阳门社区', 人口: 8120, 是否老旧: true, geom_type: 'Point' });
    expect(rows[1]!['人口']).toBeNull();
    expect(rows[0]!['lon'] as number).toBeCloseTo(116.4355, 8);
    expect(tableName('朝阳 社区', 3)).toBe('user_layer_3');
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
  const PRJ = 'PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';

  it('reads the attributes as GBK without a .cpg and converts the Gauss-Krüger points with the .prj', () => {
    const pts = ([[116.4355, 39.9239], [116.4621, 39.9184]] as Array<[number, number]>).map((p) => proj4(epsgDef(4548)!, p) as [number, number]);
    const { layers, errors } = importFiles([
      { name: '社区.shp', bytes: pointShp(pts) },
      { name: '社区.dbf', bytes: gbkDbf(GBK.名称, [concat(GBK.朝阳, GBK.小区), GBK.小区]) },
      { name: '社区.prj', bytes: utf8(PRJ) },
    ]);
    expect(errors).toEqual([]);
    const l = layers[0]!;
    expect(l).toMatchObject({ name: '社区', format: 'shapefile', crs: 'CGCS2000_3_Degree_GK_CM_117E', crsSource: 'file', encoding: 'gbk (detected)' });
    expect(l.features.map((f) => f.properties)).toEqual([{ 名称: '朝阳小区' }, { 名称: '小区' }]);
    const p = l.features[0]!.geometry as GeoJSON.Point;
    expect(p.coordinates[0]).toBeCloseTo(116.4355, 7);
    expect(p.coordinates[1]).toBeCloseTo(39.9239, 7);
    // the same files without the .prj: Gauss-Krüger without zone prefix cannot be placed without a choice…
    expect(importFiles([{ name: 'a.shp', bytes: pointShp(pts) }]).errors[0]).toMatch(/choose the zone/);
    // …and with the user's choice they can
    const chosen = importFiles([{ name: 'a.shp', bytes: pointShp(pts) }], 'EPSG:4548').layers[0]!;
    expect((chosen.features[1]!.geometry as GeoJSON.Point).coordinates[0]).toBeCloseTo(116.4621, 7);
    expect(chosen.warnings.join(' ')).toMatch(/no \.dbf/);
  });
});
