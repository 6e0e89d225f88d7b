/**
 * Fire incident → evacuation plan, and the pure geometry the 3D/2D renderers and the panel draw from it.
 * The plan is for the selected fire alarm, else for an alarming detector in the building peeled into floors.
 */
import { computed, type IComputedValue } from 'mobx';
import { FLOOR_HEIGHT_M, type IndoorLayout } from '../../../../data-pipelines/indoor/layout.ts';
import { planEvacuation, type EvacuationPlan } from '../../../../data-pipelines/routing/evacuation.ts';
import { deviceKey } from '../../../../data-pipelines/contracts/world.ts';
import { LocalizedError } from '../../i18n.ts';
import type { RootStore } from '../../stores/root.ts';
import type { RGBA } from '../../palette.ts';
import { floorBase, SLAB_M } from '../shared/floors.ts';

/** Floor heights moved to layers/shared/floors.ts (alarms and fire use them too); re-exported (layer3d.ts, e2e tests). */
export { EXPLODE, floorBase, SLAB_M } from '../shared/floors.ts';

/**
 * Evacuation colours (docs/colours.md): ways out green/cyan, the fire brigade's way in white, smoke grey; red stays
 * the alarm's (the floor that alarmed), not a route's or a stair's.
 */
export const EVAC_COLORS = {
  indoor: [60, 255, 140, 255] as RGBA,
  outdoor: [40, 220, 255, 255] as RGBA,
  responder: [245, 245, 255, 255] as RGBA,
  assembly: [40, 220, 255, 255] as RGBA,
  station: [245, 245, 255, 255] as RGBA,
  floor: [120, 150, 190, 90] as RGBA,
  floorAlarm: [255, 40, 40, 170] as RGBA,
  floorSmoke: [255, 170, 0, 110] as RGBA,
  corridor: [220, 230, 255, 200] as RGBA,
  stair: [80, 255, 120, 255] as RGBA,
  stairBlocked: [150, 150, 165, 255] as RGBA,
  detector: [200, 210, 230, 255] as RGBA,
};

export interface IncidentTarget {
  buildingId: number;
  detectorId: string;
  floor: number;
  state: 'smoke' | 'fire' | 'fault' | 'normal';
  drill: boolean;
  alarmId: string | null;
}

/**
 * The fire to plan for: the selected fire alarm while it is open, else the first alarming detector of the
 * peeled building. The evacuation panel is owned by its incident: once the alarm is resolved or closed the plan (and
 * its panel) goes, even though the alarm stays selected for its record.
 */
export function incidentTarget(store: RootStore): IncidentTarget | null {
  const a = store.ui.selectedAlarmId ? store.live.alarm(store.ui.selectedAlarmId) : null;
  void store.live.versions.fire;
  const stateOf = (detectorId: string, drill: boolean) => {
    const ev = store.live.world.byStream.fire.get(deviceKey(detectorId, drill));
    return ev?.kind === 'fire.detector' ? ev.state : 'normal';
  };
  const handled = a?.state === 'resolved' || a?.state === 'closed';
  if (a && !handled && a.category === 'fire' && a.cause === 'fire' && a.buildingId !== undefined && a.floor !== undefined)
    return { buildingId: a.buildingId, detectorId: a.sourceId, floor: a.floor, state: stateOf(a.sourceId, a.drill), drill: a.drill, alarmId: a.alarmId };
  const b = store.ui.explodedBuildingId;
  if (b === null) return null;
  for (const ev of store.live.world.byStream.fire.values())
    if (ev.kind === 'fire.detector' && ev.buildingId === b && (ev.state === 'smoke' || ev.state === 'fire'))
      return { buildingId: b, detectorId: ev.detectorId, floor: ev.floor, state: ev.state, drill: ev.drill === true, alarmId: null };
  return null;
}

export interface Incident {
  target: IncidentTarget;
  layout: IndoorLayout;
  plan: EvacuationPlan;
}

/** Why there is no plan (shown with errorText()). */
export interface IncidentProblem {
  error: LocalizedError;
}

const memo = new WeakMap<RootStore, IComputedValue<Incident | IncidentProblem | null>>();

/** The current incident's plan (memoized: recomputed only when the target changes). */
export function currentIncident(store: RootStore): Incident | IncidentProblem | null {
  let c = memo.get(store);
  if (!c) {
    const target = computed(() => incidentTarget(store), { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) });
    c = computed(() => {
      const t = target.get();
      if (!t) return null;
      const layout = store.entities.layout(t.buildingId);
      if (!layout) return { error: new LocalizedError('evacuation.noLayout', { id: String(t.buildingId) }) };
      try {
        return { target: t, layout, plan: planEvacuation(layout, t.detectorId, store.entities.streets, store.entities.facilities) };
      } catch (e) {
        return { error: new LocalizedError('evacuation.planFailed', { detail: (e as Error).message }) };
      }
    });
    memo.set(store, c);
  }
  return c.get();
}

export function isIncident(x: Incident | IncidentProblem | null): x is Incident {
  return !!x && 'plan' in x;
}

/** The indoor route with heights following the (possibly peeled) floors. */
export function indoorRoute3d(plan: EvacuationPlan, exploded: boolean): Array<[number, number, number]> {
  return plan.indoor.coords.map(([lon, lat, h]) => {
    const floor = Math.round((h - 1) / FLOOR_HEIGHT_M) + 1;
    return [lon, lat, floorBase(floor, exploded) + (exploded ? SLAB_M + 0.3 : 1)];
  });
}
