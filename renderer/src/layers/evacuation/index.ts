/** Evacuation layer: peeled floors + routes in 3D, routes in 2D. The panel lives in ui/incident-panel.ts. */
import { t } from '../../i18n.ts';
import { swatchLegend } from '../points.ts';
import type { LiveLayerDefinition } from '../types.ts';
import { EVAC_COLORS } from './format.ts';
import { createEvacuation3D } from './layer3d.ts';

export const evacuationLayer: LiveLayerDefinition<'evacuation'> = {
  id: 'evacuation',
  labelKey: 'evacuation',
  defaultVisible: true,
  // its detectors on peeled floors are the fire layer's to pick (they carry detector ids); routes are not clickable
  pick: () => null,
  create3d: (ctx) => createEvacuation3D(ctx),
  load2d: () => import('./layer2d.ts').then((m) => m.createEvacuation2D),
  legend: (loc) =>
    swatchLegend(
      [
        { color: EVAC_COLORS.indoor, label: t('evacuation.legend.indoor', undefined, loc) },
        { color: EVAC_COLORS.outdoor, label: t('evacuation.legend.outdoor', undefined, loc) },
        { color: EVAC_COLORS.responder, label: t('evacuation.legend.responder', undefined, loc) },
        { color: EVAC_COLORS.floorAlarm, label: t('evacuation.legend.floorAlarm', undefined, loc) },
        { color: EVAC_COLORS.stairBlocked, label: t('evacuation.legend.stairBlocked', undefined, loc) },
      ],
      t('evacuation.legend.note', undefined, loc),
    ),
};
