/** UI strings. zh-CN is the default; every key must exist in both locales (checked by a unit test). */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const STRINGS = {
  'zh-CN': {
    appTitle: '数字红墙',
    appSubtitle: '城市运行指挥中心',
    view3d: '三维',
    view2d: '二维分析',
    layers: '图层',
    legend: '图例',
    buildings: '建筑',
    manholes: '窨井监测',
    streets: '道路',
    compounds: '小区',
    grid: '网格',
    alarms: '实时告警',
    noAlarms: '当前无告警',
    feed: '数据接入',
    feedLive: '实时',
    feedConnecting: '连接中',
    feedReconnecting: '重连中',
    feedStale: '数据停滞',
    feedOffline: '离线',
    simulated: '模拟数据',
    events: '事件',
    rejected: '拒收',
    gaps: '断档',
    building: '建筑信息',
    name: '名称',
    unnamed: '（无名称）',
    floors: '层数',
    height: '高度',
    area: '占地面积',
    gridCell: '所属网格',
    presets: '视角',
    level_alarm: '告警',
    level_warning: '预警',
    level_normal: '正常',
    wells: '口井',
    newAlarm: '新告警',
    credits: '数据来源',
    audit: '操作记录',
    close: '关闭',
    loading: '正在加载片区数据…',
    loadFailed: '加载失败',
  },
  en: {
    appTitle: 'RedWall',
    appSubtitle: 'City Operations Command Center',
    view3d: '3D',
    view2d: '2D analysis',
    layers: 'Layers',
    legend: 'Legend',
    buildings: 'Buildings',
    manholes: 'Manhole sensors',
    streets: 'Streets',
    compounds: 'Compounds',
    grid: 'Grid cells',
    alarms: 'Live alarms',
    noAlarms: 'No active alarms',
    feed: 'Feed',
    feedLive: 'Live',
    feedConnecting: 'Connecting',
    feedReconnecting: 'Reconnecting',
    feedStale: 'Stale',
    feedOffline: 'Offline',
    simulated: 'Simulated',
    events: 'events',
    rejected: 'rejected',
    gaps: 'gaps',
    building: 'Building',
    name: 'Name',
    unnamed: '(unnamed)',
    floors: 'Floors',
    height: 'Height',
    area: 'Footprint',
    gridCell: 'Grid cell',
    presets: 'Views',
    level_alarm: 'Alarm',
    level_warning: 'Warning',
    level_normal: 'Normal',
    wells: 'wells',
    newAlarm: 'New alarm',
    credits: 'Data credits',
    audit: 'Audit log',
    close: 'Close',
    loading: 'Loading district…',
    loadFailed: 'Failed to load',
  },
} as const satisfies Record<Locale, Record<string, string>>;

export type StringKey = keyof (typeof STRINGS)['zh-CN'];

let current: Locale = 'zh-CN';
export function setLocale(l: Locale): void {
  current = l;
}
export function locale(): Locale {
  return current;
}
export function t(key: StringKey): string {
  return STRINGS[current][key];
}
export function fmtNumber(n: number, digits = 0): string {
  return n.toLocaleString(current, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
export function fmtTime(ts: number): string {
  return new Date(ts).toLocaleTimeString(current, { hour12: false });
}
