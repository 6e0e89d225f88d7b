/** Evacuation layer: peeled floors + routes in 3D, routes in 2D. The panel lives in ui/incident-panel.ts. */
import { swatchLegend } from '../points.ts';
import type { LiveLayerDefinition } from '../registry.ts';
import { EVAC_COLORS } from './format.ts';
import { createEvacuation2D } from './layer2d.ts';
import { createEvacuation3D } from './layer3d.ts';

export const evacuationLayer: LiveLayerDefinition = {
  id: 'evacuation',
  labelKey: 'evacuation',
  create3d: (ctx) => createEvacuation3D(ctx),
  create2d: (ctx) => createEvacuation2D(ctx),
  legend: (loc) =>
    swatchLegend(
      [
        { color: EVAC_COLORS.indoor, label: loc === 'zh-CN' ? '楼内疏散路线' : 'Indoor evacuation route' },
        { color: EVAC_COLORS.outdoor, label: loc === 'zh-CN' ? '室外至集合点' : 'Outdoor to assembly point' },
        { color: EVAC_COLORS.responder, label: loc === 'zh-CN' ? '消防救援路线' : 'Responder route' },
        { color: EVAC_COLORS.floorAlarm, label: loc === 'zh-CN' ? '报警楼层' : 'Alarm floor' },
        { color: EVAC_COLORS.stairBlocked, label: loc === 'zh-CN' ? '烟气封堵楼梯' : 'Smoke-logged stair' },
      ],
      loc === 'zh-CN' ? '选中火警告警：楼宇分层剖开并规划疏散' : 'select a fire alarm: the building peels into floors and routes are planned',
    ),
};
