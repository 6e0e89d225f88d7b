/** Strings of the grid-management panel. */
import { defineCatalog } from './catalog.ts';

export default defineCatalog(
  {
    'grid.title': '网格管理',
    'grid.summary': '{n} 个网格有事件或待办（超时优先）',
    'grid.col.grid': '网格 / 网格员',
    'grid.col.open': '未关闭/事件',
    'grid.col.ack': '确认中位',
    'grid.col.ontime': '按时率',
    'grid.elders': '老年人 {elderly}，独居 {alone}',
    'grid.none': '近 24 小时无事件',
    'grid.col.work': '诉求/走访',
    'grid.work': '{requests}（超时 {late}）/{tasks}',
    'grid.work.title': '未办结诉求（其中超时）/ 待办走访任务',
  },
  {
    'grid.title': 'Grid management',
    'grid.summary': '{n, plural, one {# grid cell} other {# grid cells}} with events or open work (late first)',
    'grid.col.grid': 'Grid / staff',
    'grid.col.open': 'Open/events',
    'grid.col.ack': 'Ack median',
    'grid.col.ontime': 'On time',
    'grid.elders': '{elderly} elders, {alone} living alone',
    'grid.none': 'No events in the last 24 h',
    'grid.col.work': 'Requests/visits',
    'grid.work': '{requests} ({late} late)/{tasks}',
    'grid.work.title': 'Open citizen requests (overdue) / open visit tasks',
  },
);
