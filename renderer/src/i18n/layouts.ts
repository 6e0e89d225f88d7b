/** Strings of the layouts area (keys prefixed `layouts.`-style by area; see catalog.ts for the message syntax). */
import { defineCatalog } from './catalog.ts';

export default defineCatalog(
  {
    'layouts.title': '工作布局',
    'layouts.namePlaceholder': '布局名称',
    'layouts.defaultName': '布局',
    'layouts.save': '保存',
    'layouts.importFile': '导入布局文件',
    'layouts.restore': '恢复',
    'layouts.export': '导出',
    'layouts.delete': '删除',
    'layouts.view3d': '三维',
    'layouts.view2d': '二维',
    'layouts.savedAt': '保存于 {time}',
    'layouts.notJson': '{file}：不是 JSON 文件（{detail}）',
    'layouts.notLayout': '{file}：不是 RedWall 布局文件：{issues}',
    'layouts.wholeFile': '（整个文件）',
  },
  {
    'layouts.title': 'Saved layouts',
    'layouts.namePlaceholder': 'Layout name',
    'layouts.defaultName': 'layout',
    'layouts.save': 'Save',
    'layouts.importFile': 'Import a layout file',
    'layouts.restore': 'Restore',
    'layouts.export': 'Export',
    'layouts.delete': 'Delete',
    'layouts.view3d': '3D',
    'layouts.view2d': '2D',
    'layouts.savedAt': 'saved {time}',
    'layouts.notJson': '{file}: not JSON ({detail})',
    'layouts.notLayout': '{file}: not a RedWall layout: {issues}',
    'layouts.wholeFile': '(file)',
  },
);
