/**
 * GeoPackage and SQLite files through the import (issue 16 item 13): fixtures written by GDAL's ogr2ogr and Python's
 * sqlite3 (tests/fixtures/import/make-fixtures.sh), read with the project's own SQLite reader; before, both were
 * refused as unsupported.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importFiles } from '../../renderer/src/import/index.ts';
import { setLocale } from '../../renderer/src/i18n.ts';

setLocale('en');
const fixture = (n: string) => new Uint8Array(readFileSync(new URL(`../fixtures/import/${n}`, import.meta.url)));

describe('GeoPackage (ogr2ogr)', () => {
  it('every feature table is a layer with its own CRS from gpkg_spatial_ref_sys; Z dropped; Chinese names kept', async () => {
    const { layers, errors } = await importFiles([{ name: 'district.gpkg', bytes: fixture('district.gpkg') }]);
    expect(errors).toEqual([]);
    expect(layers.map((l) => [l.name, l.format, l.crs, l.crsSource])).toEqual([
      ['district.巡查点', 'gpkg', 'WGS84', 'file'],
      ['district.streets', 'gpkg', 'EPSG:4548', 'file'],
      ['district.blocks', 'gpkg', 'WGS84', 'file'],
    ]);
    const [pts, streets, blocks] = layers as [(typeof layers)[0], (typeof layers)[0], (typeof layers)[0]];
    // EPSG:4979 (3D) points: XY kept, the null geometry row kept without geometry
    expect(pts.features.map((f) => f.geometry)).toEqual([
      { type: 'Point', coordinates: [116.4355, 39.9239] },
      { type: 'Point', coordinates: [116.4621, 39.9184] },
      null,
    ]);
    expect(pts.features[0]!.properties).toEqual({ fid: 1, 名称: '朝阳门巡查点', 编号: 1, 启用: 1 });
    expect(pts.warnings).toEqual(['district.gpkg: 巡查点: Z/M values dropped, XY kept']);
    // Gauss-Krüger (GDAL projected them) back to the source degrees
    const s0 = streets.features[0]!.geometry as GeoJSON.MultiLineString;
    expect(s0.type).toBe('MultiLineString');
    expect(s0.coordinates[0]![0]![0]).toBeCloseTo(116.4612, 7);
    expect(s0.coordinates[0]![0]![1]).toBeCloseTo(39.9201, 7);
    expect(streets.features[1]!.properties['name']).toBe('工体北路');
    const b = blocks.features[0]!.geometry as GeoJSON.MultiPolygon;
    expect(b.type).toBe('MultiPolygon');
    expect(b.coordinates[0]).toHaveLength(2); // outer ring and the hole
  });

  it('damaged or foreign files: a clear error with hex, never raw bytes; the other files still import', async () => {
    const gpkg = fixture('district.gpkg');
    const { layers, errors } = await importFiles([
      { name: 'cut.gpkg', bytes: gpkg.subarray(0, 20_000) },
      { name: 'photo.gpkg', bytes: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) },
      { name: 'ok.gpkg', bytes: gpkg },
    ]);
    expect(layers.map((l) => l.name)).toEqual(['ok.巡查点', 'ok.streets', 'ok.blocks']);
    expect(errors[0]).toMatch(/^cut\.gpkg: the SQLite file cannot be read \(.*\)$/);
    expect(errors[1]).toBe('photo.gpkg: not a SQLite/GeoPackage file (starts with bytes 89 50 4e 47 0d 0a 1a 0a 00 00 00 0d)');
    for (const e of errors) expect(e).not.toMatch(/[\u0000-\u001f\u007f-\u009f\ufffd]/);
  });
});

describe('plain SQLite (Python sqlite3)', () => {
  it('tables with a WKT column or lon/lat columns become layers; others are skipped; a bad row is named by rowid', async () => {
    const { layers, errors } = await importFiles([{ name: 'xicheng.sqlite', bytes: fixture('xicheng.sqlite') }]);
    expect(errors).toEqual([]);
    expect(layers.map((l) => [l.name, l.format, l.features.filter((f) => f.geometry).length])).toEqual([
      ['xicheng.井盖', 'sqlite', 2],
      ['xicheng.摄像头', 'sqlite', 2],
    ]);
    const wells = layers[0]!;
    expect(wells.features[1]).toEqual({ geometry: { type: 'Point', coordinates: [116.3712, 39.9142] }, properties: { id: 2, 名称: '二号井' } });
    expect(wells.warnings).toContain('xicheng.sqlite: 井盖: 1 row with unreadable geometry (rowid 3: WKT ends early) kept without geometry');
    // a blob that is no geometry stays an attribute (described, not dumped)
    expect(layers[1]!.features[0]!.properties).toEqual({ 编号: 'C1', 备注: '[BLOB 2 B]' });
  });
});
