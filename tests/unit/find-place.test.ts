import { describe, expect, it } from 'vitest';
import { findPlaces, type FindTables } from '../../renderer/src/command/find-place.ts';
import { PlaceIndex } from '../../data-pipelines/geo/place.ts';

const sq = (lon: number, lat: number) => [lon, lat, lon + 0.0002, lat, lon + 0.0002, lat + 0.0002, lon, lat + 0.0002];
const tables = (over: Partial<FindTables> = {}): FindTables => ({
  places: new PlaceIndex([
    { id: 12, name: '东方银座', floors: 26, ring: sq(116.43, 39.938) },
    { id: 2091, floors: 6, ring: sq(116.44, 39.93) },
  ]),
  wells: { ids: ['MH-00100', 'MH-00101', 'MH-01000'], lon: [116.45, 116.451, 116.452], lat: [39.92, 39.921, 39.922] },
  cameras: [{ id: 'CAM-0001', lon: 116.46, lat: 39.93 }],
  sos: [{ id: 'SOS-002', lon: 116.47, lat: 39.94 }],
  parking: [{ id: 'PL-001', name: '团结湖公园停车场', lon: 116.47, lat: 39.925 }],
  detectors: [{ id: 'SD-1-12-1', buildingId: 12, floor: 12, lon: 116.4301, lat: 39.9381 }],
  care: [{ id: 'CARE-0009', buildingId: 2091, lon: 116.4401, lat: 39.9301 }],
  grids: [{ id: 'WG-0801', west: 116.42, south: 39.93, east: 116.43, north: 39.94 }],
  alarms: [{ alarmId: 'AL-7', sourceId: 'MH-00101', lon: 116.451, lat: 39.921, title: '窨井 · 可燃气体' }],
  requests: [{ requestId: 'RQ-20261205-0003', summary: '井盖松动', lon: 116.45, lat: 39.92 }],
  ...over,
});

describe('map search (findPlaces)', () => {
  it('a building by name, by the package number ("2091", "#2091"); a detector selects its building', () => {
    expect(findPlaces('银座', tables())[0]).toMatchObject({ kind: 'building', id: '12', label: '东方银座', buildingId: 12 });
    expect(findPlaces('2091', tables())[0]).toMatchObject({ kind: 'building', id: '2091', label: '#2091', buildingId: 2091 });
    // "2091号楼" is an address-like name, not the package's number: no match by number
    expect(findPlaces('2091号楼', tables()).some((f) => f.id === '2091')).toBe(false);
    expect(findPlaces('#2091', tables())[0]).toMatchObject({ kind: 'building', id: '2091' });
    expect(findPlaces('sd-1-12', tables())[0]).toMatchObject({ kind: 'detector', id: 'SD-1-12-1', buildingId: 12 });
  });

  it('ids from their start, any case and width; the alarm and the request by their exact id first', () => {
    expect(findPlaces('mh-001', tables()).map((f) => f.id)).toEqual(['MH-00100', 'MH-00101', 'AL-7']);
    expect(findPlaces('ｍｈ－０１', tables()).map((f) => f.id)).toEqual(['MH-01000']);
    expect(findPlaces('AL-7', tables())[0]).toMatchObject({ kind: 'alarm', id: 'AL-7', label: '窨井 · 可燃气体' });
    expect(findPlaces('rq-20261205-0003', tables())[0]).toMatchObject({ kind: 'request', id: 'RQ-20261205-0003' });
    expect(findPlaces('wg-08', tables())[0]).toMatchObject({ kind: 'grid', id: 'WG-0801', lon: expect.closeTo(116.425, 9), lat: expect.closeTo(39.935, 9) });
    expect(findPlaces('公园停车', tables())[0]).toMatchObject({ kind: 'parking', id: 'PL-001' });
    expect(findPlaces('cam', tables())[0]).toMatchObject({ kind: 'camera', id: 'CAM-0001' });
  });

  it('nothing for blank text; a limit; no place index is fine; a hit without coordinates is left out', () => {
    expect(findPlaces('  ', tables())).toEqual([]);
    expect(findPlaces('mh', tables(), 2)).toHaveLength(2);
    expect(findPlaces('银座', tables({ places: null }))).toEqual([]);
    expect(findPlaces('cam', tables({ cameras: [{ id: 'CAM-9', lon: Number.NaN, lat: 39.9 }] }))).toEqual([]);
  });
});
