/**
 * Citizen requests on the map (接诉即办): every request not yet closed, coloured by its SLA state (red overdue, amber
 * due soon, blue in time, green/brown handled on time/late); overdue and selected ones drawn larger. A click selects
 * the request in the desk panel. Colours and order from work/format.ts, shared with the lists.
 */
import { t } from '../../i18n.ts';
import type { RootStore } from '../../stores/root.ts';
import { requestsOf, requestView, SLA_COLORS } from '../../work/format.ts';
import { pointLayer, swatchLegend, type LivePoint, type PointLayerSpec } from '../points.ts';
import type { LiveLayerDefinition } from '../types.ts';

const SHOWN = ['overdue', 'due-soon', 'running', 'met', 'missed'] as const;

/** Pure: the points of the open requests at `now`. */
export function requestPoints(store: RootStore, now: number): LivePoint[] {
  const sel = store.ui.selectedRequestId;
  const out: LivePoint[] = [];
  for (const r of requestsOf(store.live.world)) {
    if (r.state === 'closed') continue;
    const v = requestView(r, now);
    const big = v.overdue || sel === r.requestId;
    out.push({
      id: r.requestId,
      lon: r.lon,
      lat: r.lat,
      height: 4,
      color: SLA_COLORS[v.status],
      size: big ? 8 : 5,
      outline: sel === r.requestId ? [255, 255, 255, 255] : [20, 20, 20, 200],
      onTop: v.overdue,
    });
  }
  return out;
}

const spec: PointLayerSpec = {
  id: 'requests',
  // SLA states move with time: repaint on the 15 s clock as well as on request updates
  revision: (s) => `${s.live.versions.request}|${s.feed.now15s}|${s.ui.selectedRequestId}`,
  points: (s) => requestPoints(s, s.feed.now15s),
  // 2D only, as before this hook existed: a request point clicked in 3D falls through to "deselect the building"
  onPick: (_s, id) => ({ type: 'selectRequest', requestId: id }),
  throttleMs: 200,
};

export const requestLayer: LiveLayerDefinition<'requests'> = pointLayer({ id: 'requests', labelKey: 'work.layer', defaultVisible: true }, spec, (loc) =>
  swatchLegend(SHOWN.map((k) => ({ color: SLA_COLORS[k], label: t(`work.sla.${k}`, undefined, loc) }))),
);
