/**
 * The import store with a real DuckDB (issue 16 items 11 and 14): the batch CRS choice is used once and reset, a
 * layer can be re-read with its own CRS (its table replaced in place), Chinese layer names give Chinese tables.
 */
import { describe, expect, it } from 'vitest';
import { toWgs84 } from '../../data-pipelines/geo/coords.ts';
import { ImportStore } from '../../renderer/src/stores/import-store.ts';
import { setLocale } from '../../renderer/src/i18n.ts';
import { openNodeDuckDb } from './duckdb-node.ts';

setLocale('en');
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('ImportStore', () => {
  it('uses the CRS choice for one import only, re-reads one layer with its own CRS, keeps Chinese table names', async () => {
    const db = await openNodeDuckDb();
    const store = new ImportStore();
    store.attach(db.runner);
    const csv = { name: '巡查 点位.csv', bytes: utf8('名称,bd_lng,bd_lat\n甲,116.4410,39.9250\n') };
    const declared = {
      name: 'gps.geojson',
      bytes: utf8(
        JSON.stringify({
          type: 'Feature',
          crs: { type: 'name', properties: { name: 'EPSG:4326' } },
          properties: {},
          geometry: { type: 'Point', coordinates: [116.45, 39.93] },
        }),
      ),
    };

    store.setCrsChoice('GCJ02');
    const first = await store.addFiles([csv, declared]);
    expect(store.crsChoice).toBe('auto');
    expect(first.map((l) => [l.table, l.layer.crs, l.layer.crsSource])).toEqual([
      ['user_巡查_点位_1', 'GCJ02', 'user'],
      ['user_gps_2', 'WGS84', 'file'],
    ]);
    // the next import starts from auto again: the column names raise the BD-09 question instead of a silent GCJ-02
    const [second] = await store.addFiles([csv]);
    expect([second!.layer.crs, second!.layer.crsSource, second!.layer.crsQuestion?.suggest]).toEqual(['WGS84', 'range', 'BD09']);
    const rows = await db.runner.rows<{ lon: number; 名称: string }>(`SELECT lon, 名称 FROM "${second!.table}"`);
    expect(rows).toEqual([{ lon: 116.441, 名称: '甲' }]);

    // the answer: re-read as BD-09, same table, new coordinates, question gone
    expect(await store.reimport(second!.id, 'BD09')).toBeNull();
    const now = store.layers.find((l) => l.id === second!.id)!;
    expect([now.layer.crs, now.layer.crsSource, now.layer.crsQuestion]).toEqual(['BD09', 'user', null]);
    const [again] = await db.runner.rows<{ lon: number; lat: number }>(`SELECT lon, lat FROM "${second!.table}"`);
    const want = toWgs84('BD09', 116.441, 39.925);
    expect(again!.lon).toBeCloseTo(want[0], 9);
    expect(again!.lat).toBeCloseTo(want[1], 9);

    // "keep": the question goes away, nothing else changes
    const [third] = await store.addFiles([csv]);
    store.dismissQuestion(third!.id);
    expect(store.layers.find((l) => l.id === third!.id)!.layer).toMatchObject({ crs: 'WGS84', crsQuestion: null });
    expect(store.layers).toHaveLength(4);
  });
});
