/**
 * Fire incident panel: where the fire is (building, floor, detector position), the evacuation plan (indoor route
 * around the fire zone, assembly point, responder route, per-floor egress), and the operator's actions: broadcast
 * the evacuation, peel/restore the building, open the nearest camera.
 */
import { autorun, reaction, type IReactionDisposer } from 'mobx';
import { nearest } from '../../../data-pipelines/geo/measure.ts';
import { errorText, fmtDuration, fmtList, fmtTime, t } from '../i18n.ts';
import { currentIncident, isIncident } from '../layers/evacuation/format.ts';
import type { RootStore } from '../stores/root.ts';
import { button, h } from './dom.ts';

function nearestCamera(store: RootStore, lon: number, lat: number): string | null {
  const offline = new Set<string>();
  for (const ev of store.realLive.world.byStream.camera.values()) if (ev.kind === 'camera.status' && !ev.online) offline.add(ev.cameraId);
  return nearest([...store.entities.cameras.values()], [lon, lat], (c) => !offline.has(c.id), 300)?.item.id ?? null;
}

/** "3:c2" -> "3F 走廊" / "3F corridor"; "3:sA" -> "3F A 楼梯间" / "3F stair A" */
function nodeLabel(id: string): string {
  const [f, n] = id.split(':');
  if (!n || f === 'exit') return id;
  if (n.startsWith('s')) return t('evacuation.node.stair', { floor: f!, stair: n.slice(1) });
  return t('evacuation.node.corridor', { floor: f! });
}

const WHERE = { 'stair A landing': 'evacuation.where.stairA', 'stair B landing': 'evacuation.where.stairB', corridor: 'evacuation.where.corridor' } as const;

export function mountIncidentPanel(store: RootStore, box: HTMLElement): () => void {
  const disposers: IReactionDisposer[] = [];
  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const inc = currentIncident(store);
      if (!inc) {
        box.hidden = true;
        box.replaceChildren();
        return;
      }
      box.hidden = false;
      if (!isIncident(inc)) {
        box.replaceChildren(h('h2', {}, t('evacuation')), h('p', { class: 'warn', 'data-testid': 'evacuation-error' }, errorText(inc.error)));
        return;
      }
      const { plan, layout, target } = inc;
      const det = layout.detectors.find((d) => d.id === plan.detectorId)!;
      const b = store.ui.selectedBuilding?.id === plan.buildingId ? store.ui.selectedBuilding : null;
      const buildingName = b?.name || `#${plan.buildingId}`;
      const where = t(WHERE[det.where]);
      // `data`: the value names places from the district data (assembly point, fire station), not translated
      const row = (k: string, v: string, testid?: string, data = false) =>
        h('tr', {}, h('th', {}, k), h('td', { 'data-testid': testid, 'data-i18n-data': data }, v));
      const peeled = store.ui.explodedBuildingId === plan.buildingId;
      const lastBroadcast = store.ui.broadcasts.find((x) => x.buildingId === plan.buildingId);
      const message = t('evacuation.msg.body', {
        building: buildingName,
        floor: String(plan.floor),
        what: t(target.state === 'fire' ? 'evacuation.msg.fire' : 'evacuation.msg.smoke'),
        avoid: plan.blockedStairs.length ? t('evacuation.msg.avoid', { stairs: fmtList(plan.blockedStairs) }) : '',
        stair: plan.indoor.viaStair ?? '-',
        exit: plan.indoor.exit,
        assemble: plan.outdoor ? t('evacuation.msg.assemble', { assembly: plan.outdoor.assembly.name }) : '',
      });
      const btn = (label: string, testid: string, on: () => void) => button(label, { 'data-testid': testid }, on);
      const trapped = plan.floors.filter((f) => f.trapped).map((f) => f.floor);
      const cam = nearestCamera(store, layout.nodes[layout.exits[0]!]!.lon, layout.nodes[layout.exits[0]!]!.lat);
      const indoor = t('evacuation.indoorRoute', {
        from: nodeLabel(plan.indoor.from),
        stair: plan.indoor.viaStair ?? '-',
        exit: plan.indoor.exit,
        m: String(plan.indoor.distanceM),
        time: fmtDuration(plan.indoor.timeS),
      });
      box.replaceChildren(
        h('h2', {}, `${t('evacuation')}${target.drill ? ` · ${t('alarms.drillMark')}` : ''}`),
        h('p', { class: 'alarm-title', 'data-i18n-data': '' }, `${buildingName} · ${plan.floor}F · ${where} · ${plan.detectorId}`),
        h(
          'table',
          { 'data-testid': 'evacuation-plan' },
          row(
            t('evacuation.blockedStairs'),
            plan.blockedStairs.length
              ? t('evacuation.blockedValue', { stairs: plan.blockedStairs.join(', '), floor: String(plan.floor) })
              : t('evacuation.none'),
            'evac-blocked',
          ),
          row(t('evacuation.indoor'), plan.indoor.throughZone ? `${indoor} · ${t('evacuation.throughZone')}` : indoor, 'evac-indoor'),
          plan.outdoor
            ? row(
                t('evacuation.toAssembly'),
                `${plan.outdoor.assembly.name} · ${plan.outdoor.distanceM} m · ${fmtDuration(plan.outdoor.timeS)}`,
                'evac-outdoor',
                true,
              )
            : row(t('evacuation.toAssembly'), t('evacuation.noAssembly')),
          plan.responder
            ? row(
                t('evacuation.responders'),
                t('evacuation.responderValue', {
                  station: plan.responder.station.name,
                  km: (plan.responder.distanceM / 1000).toFixed(1),
                  time: fmtDuration(plan.responder.timeS),
                }),
                'evac-responder',
                true,
              )
            : '',
          row(t('evacuation.total'), fmtDuration(plan.totalEvacuationS), 'evac-total'),
          trapped.length ? row(t('evacuation.trapped'), t('evacuation.trappedValue', { floors: trapped.join(', ') }), 'evac-trapped') : '',
        ),
        h(
          'div',
          { class: 'actions' },
          btn(
            t('evacuation.broadcast'),
            'evac-broadcast',
            () => void store.command({ type: 'broadcast', buildingId: plan.buildingId, floor: plan.floor, message, drill: target.drill }),
          ),
          btn(
            peeled ? t('evacuation.restore') : t('evacuation.peel'),
            'evac-peel',
            () => void store.command({ type: 'explodeBuilding', buildingId: peeled ? null : plan.buildingId }),
          ),
          cam ? btn(t('evacuation.nearestCamera', { camera: cam }), 'evac-camera', () => void store.command({ type: 'openVideo', cameraId: cam })) : '',
        ),
        lastBroadcast
          ? h(
              'p',
              { class: 'muted', 'data-testid': 'evac-broadcast-done', 'data-i18n-data': '' },
              t('evacuation.broadcastDone', { time: fmtTime(lastBroadcast.ts), drill: lastBroadcast.drill ? ' (DRILL)' : '', message: lastBroadcast.message }),
            )
          : '',
      );
    }),
    // A new fire (not a fault) pops the nearest camera, as an SOS does.
    reaction(
      () => store.realLive.notices[0],
      (n) => {
        if (!n || n.kind !== 'raise' || n.alarm.category !== 'fire' || n.alarm.cause !== 'fire' || Date.now() - n.receivedAt > 5_000 || store.ui.videoCameraId)
          return;
        const cam = nearestCamera(store, n.alarm.lon, n.alarm.lat);
        if (cam) void store.command({ type: 'openVideo', cameraId: cam });
      },
    ),
  );
  return () => disposers.forEach((d) => d());
}
