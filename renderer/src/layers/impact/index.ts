/** Impact layer (issue 22): the selected alarm's hazard zone, the buildings inside, roads to close. Panel: ui/response-panel.ts. */
import { t } from '../../i18n.ts';
import { swatchLegend } from '../points.ts';
import type { LiveLayerDefinition } from '../types.ts';
import { IMPACT_COLORS } from './format.ts';
import { createImpact3D } from './layer3d.ts';

export const impactLayer: LiveLayerDefinition<'impact'> = {
  id: 'impact',
  labelKey: 'response.layer',
  defaultVisible: true,
  // the zone is not clickable: the alarm's marker (alarms layer, drawn on top) is
  pick: () => null,
  create3d: (ctx) => createImpact3D(ctx),
  load2d: () => import('./layer2d.ts').then((m) => m.createImpact2D),
  legend: (loc) =>
    swatchLegend(
      [
        { color: IMPACT_COLORS.zoneLine, label: t('response.legend.zone', undefined, loc) },
        { color: IMPACT_COLORS.drillLine, label: t('response.legend.drillZone', undefined, loc) },
        { color: IMPACT_COLORS.building, label: t('response.legend.building', undefined, loc) },
        { color: IMPACT_COLORS.road, label: t('response.legend.road', undefined, loc) },
        { color: [230, 30, 30, 255], label: t('response.legend.closure', undefined, loc) },
      ],
      t('response.legend.note', undefined, loc),
    ),
};
