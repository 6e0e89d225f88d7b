/** Strings of the map search (issue 21): places, buildings, devices, grid cells, alarms and requests by name or id. */
import { defineCatalog } from './catalog.ts';

export default defineCatalog(
  {
    'search.placeholder': '搜索地点、楼宇、设备、网格、告警或诉求编号',
    'search.label': '地图搜索',
    'search.none': '没有找到“{q}”',
    'search.kind.building': '楼宇',
    'search.kind.well': '窨井',
    'search.kind.camera': '摄像头',
    'search.kind.sos': '求助点',
    'search.kind.parking': '停车场',
    'search.kind.detector': '烟感',
    'search.kind.care': '养老设备',
    'search.kind.grid': '网格',
    'search.kind.alarm': '告警',
    'search.kind.request': '诉求',
  },
  {
    'search.placeholder': 'Search a place, building, device, grid cell, alarm or request id',
    'search.label': 'Map search',
    'search.none': 'Nothing found for “{q}”',
    'search.kind.building': 'Building',
    'search.kind.well': 'Manhole',
    'search.kind.camera': 'Camera',
    'search.kind.sos': 'SOS post',
    'search.kind.parking': 'Car park',
    'search.kind.detector': 'Smoke detector',
    'search.kind.care': 'Care device',
    'search.kind.grid': 'Grid cell',
    'search.kind.alarm': 'Alarm',
    'search.kind.request': 'Request',
  },
);
