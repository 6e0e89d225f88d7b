/** Strings of place names (issue 21): "东方银座东北 40 米 · WG-0801". */
import { defineCatalog } from './catalog.ts';

export default defineCatalog(
  {
    'place.dir.N': '北',
    'place.dir.NE': '东北',
    'place.dir.E': '东',
    'place.dir.SE': '东南',
    'place.dir.S': '南',
    'place.dir.SW': '西南',
    'place.dir.W': '西',
    'place.dir.NW': '西北',
    'place.near': '{landmark}{dir} {m} 米',
    'place.nextTo': '{landmark}旁',
    'place.building': '楼宇编号 {id}',
    'place.buildingNear': '{building}（{near}）',
    'place.floor': '{place} {floor} 层',
    'place.grid': '网格 {grid}',
    'place.withGrid': '{place} · {grid}',
  },
  {
    'place.dir.N': 'N',
    'place.dir.NE': 'NE',
    'place.dir.E': 'E',
    'place.dir.SE': 'SE',
    'place.dir.S': 'S',
    'place.dir.SW': 'SW',
    'place.dir.W': 'W',
    'place.dir.NW': 'NW',
    'place.near': '{m} m {dir} of {landmark}',
    'place.nextTo': 'next to {landmark}',
    'place.building': 'building #{id}',
    'place.buildingNear': '{building} ({near})',
    'place.floor': '{place}, floor {floor}',
    'place.grid': 'grid {grid}',
    'place.withGrid': '{place} · {grid}',
  },
);
