/**
 * GCJ-02 / BD-09 data read as WGS84 (issue 16 item 10): the offsets quoted to the user are the measured ones, and the
 * import asks — with the evidence — when column names or the fit against the district's real street graph point to a
 * Chinese web-map system. Nothing is converted without the user's answer.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { fromWgs84, gcj02ToBd09, wgs84ToGcj02 } from '../../data-pipelines/geo/coords.ts';
import { haversineMeters } from '../../data-pipelines/geo/measure.ts';
import { StreetNetwork } from '../../data-pipelines/routing/streets.ts';
import { guessFromRange } from '../../renderer/src/import/crs.ts';
import { importFiles } from '../../renderer/src/import/index.ts';
import { BD09_OFFSET_M, GCJ02_OFFSET_M, streetDistance, streetRefOf } from '../../renderer/src/import/platform.ts';
import { setLocale } from '../../renderer/src/i18n.ts';

setLocale('en');
const utf8 = (s: string) => new TextEncoder().encode(s);
const asset = (n: string) => tableFromIPC(readFileSync(new URL(`../../assets/district/${n}`, import.meta.url)));
const district = JSON.parse(readFileSync(new URL('../../assets/district/district.json', import.meta.url), 'utf8')) as {
  bbox: { west: number; south: number; east: number; north: number };
};

function network(): StreetNetwork {
  const nodes = asset('street_nodes.arrow');
  const edges = asset('street_edges.arrow');
  const col = (t: ReturnType<typeof asset>, c: string) => Array.from({ length: t.numRows }, (_, i) => Number(t.getChild(c)!.get(i)));
  return new StreetNetwork({
    lon: col(nodes, 'lon'),
    lat: col(nodes, 'lat'),
    from: col(edges, 'from_node'),
    to: col(edges, 'to_node'),
    lengthM: col(edges, 'length_m'),
  });
}

describe('the offsets quoted to the user', () => {
  it('are what coords.ts gives over the demo district (not "~500 m")', () => {
    const b = district.bbox;
    const gcj: number[] = [];
    const bd: number[] = [];
    for (let i = 0; i <= 20; i++)
      for (let j = 0; j <= 20; j++) {
        const p: [number, number] = [b.west + ((b.east - b.west) * i) / 20, b.south + ((b.north - b.south) * j) / 20];
        const g = wgs84ToGcj02(...p);
        gcj.push(haversineMeters(p, g));
        bd.push(haversineMeters(p, gcj02ToBd09(...g)));
      }
    expect(Math.floor(Math.min(...gcj))).toBe(GCJ02_OFFSET_M[0]);
    expect(Math.ceil(Math.max(...gcj))).toBe(GCJ02_OFFSET_M[1]);
    expect(Math.floor(Math.min(...bd))).toBe(BD09_OFFSET_M[0]);
    expect(Math.ceil(Math.max(...bd))).toBe(BD09_OFFSET_M[1]);
    const note = guessFromRange([116.43, 39.91, 116.48, 39.96]).note;
    expect(note).toContain(`${GCJ02_OFFSET_M[0]}–${GCJ02_OFFSET_M[1]} m`);
    expect(note).toContain('1.34–1.36 km');
    expect(note).not.toMatch(/500 m/);
  });
});

describe('detecting GCJ-02 / BD-09 data', () => {
  const net = network();
  const ref = streetRefOf(net)!;
  // points along real district streets (edge midpoints), in WGS84
  const onStreets: Array<[number, number]> = [];
  for (let a = 0; a < net.lon.length && onStreets.length < 60; a += 7)
    for (const e of net.graph.adj[a]!) {
      if (e.to > a) {
        onStreets.push([(net.lon[a]! + net.lon[e.to]!) / 2, (net.lat[a]! + net.lat[e.to]!) / 2]);
        break;
      }
    }
  const csv = (rows: Array<[number, number]>, lon = 'lon', lat = 'lat') =>
    utf8(`name,${lon},${lat}\n${rows.map((p, i) => `p${i},${p[0].toFixed(7)},${p[1].toFixed(7)}`).join('\n')}\n`);

  it('the street reference measures distances in metres', () => {
    expect(onStreets.length).toBeGreaterThan(30);
    for (const p of onStreets.slice(0, 10)) expect(streetDistance(ref, ...p)).toBeLessThan(1);
    const [x, y] = onStreets[0]!;
    expect(streetDistance(ref, x + 0.01, y + 0.01)).toBeGreaterThan(0);
  });

  it('BD-09 points on the streets: read as WGS84, and the user is asked with the street-fit evidence', async () => {
    const bd = onStreets.map((p) => fromWgs84('BD09', ...p));
    const { layers, errors } = await importFiles([{ name: 'patrol.csv', bytes: csv(bd) }], { streets: ref });
    expect(errors).toEqual([]);
    const l = layers[0]!;
    // not silently converted
    expect(l.crs).toBe('WGS84');
    expect((l.features[0]!.geometry as GeoJSON.Point).coordinates[0]).toBeCloseTo(bd[0]![0], 6);
    expect(l.crsQuestion).toMatchObject({ suggest: 'BD09', current: 'WGS84' });
    expect(l.crsQuestion!.evidence[0]).toMatch(
      /read as BD-09 \(Baidu\), the median distance of \d+ vertices to the district streets is \d+ m; read as WGS84, \d+ m/,
    );
    // the answer: the user's choice for this layer re-reads it onto the streets
    const again = (await importFiles([{ name: 'patrol.csv', bytes: csv(bd) }], { overrides: { patrol: 'BD09' }, streets: ref })).layers[0]!;
    expect(again.crsSource).toBe('user');
    expect(again.crsQuestion).toBeNull();
    const p = (again.features[0]!.geometry as GeoJSON.Point).coordinates as [number, number];
    expect(haversineMeters(p, onStreets[0]!)).toBeLessThan(1);
  });

  it('GCJ-02 is told apart from BD-09, and WGS84 data on the streets raises no question', async () => {
    const gcj = onStreets.map((p) => fromWgs84('GCJ02', ...p));
    expect((await importFiles([{ name: 'a.csv', bytes: csv(gcj) }], { streets: ref })).layers[0]!.crsQuestion?.suggest).toBe('GCJ02');
    expect((await importFiles([{ name: 'b.csv', bytes: csv(onStreets) }], { streets: ref })).layers[0]!.crsQuestion).toBeNull();
  });

  it('column and file names alone are evidence too (no street graph needed)', async () => {
    const pts = onStreets.slice(0, 3);
    const bd = (await importFiles([{ name: 'pois.csv', bytes: csv(pts, 'bd_lng', 'bd_lat') }])).layers[0]!;
    expect(bd.crsQuestion).toMatchObject({ suggest: 'BD09' });
    expect(bd.crsQuestion!.evidence[0]).toMatch(/names hinting at BD-09 \(Baidu\): bd_lng, bd_lat/);
    expect(bd.crsQuestion!.evidence.join(' ')).toContain('1.34–1.36 km');
    expect((await importFiles([{ name: '高德导出.csv', bytes: csv(pts) }])).layers[0]!.crsQuestion?.suggest).toBe('GCJ02');
    expect((await importFiles([{ name: 'pois.csv', bytes: csv(pts, 'gcj02_lon', 'gcj02_lat') }])).layers[0]!.crsQuestion?.suggest).toBe('GCJ02');
    // a CRS the user chose is not questioned
    expect((await importFiles([{ name: 'pois.csv', bytes: csv(pts, 'bd_lng', 'bd_lat') }], { crs: 'BD09' })).layers[0]!.crsQuestion).toBeNull();
  });
});
