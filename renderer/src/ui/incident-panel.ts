/**
 * Fire incident panel: where the fire is (building, floor, detector position), the evacuation plan (indoor route
 * around the fire zone, assembly point, responder route, per-floor egress), and the operator's actions: broadcast
 * the evacuation, peel/restore the building, open the nearest camera.
 */
import { autorun, reaction, type IReactionDisposer } from 'mobx';
import { nearest } from '../../../data-pipelines/geo/nearest.ts';
import { locale } from '../i18n.ts';
import { currentIncident, fmtDuration, isIncident } from '../layers/evacuation/format.ts';
import type { RootStore } from '../stores/root.ts';
import { button, h } from './dom.ts';

function nearestCamera(store: RootStore, lon: number, lat: number): string | null {
  const offline = new Set<string>();
  for (const ev of store.realLive.world.byStream.camera.values()) if (ev.kind === 'camera.status' && !ev.online) offline.add(ev.cameraId);
  return nearest([...store.entities.cameras.values()], [lon, lat], (c) => !offline.has(c.id), 300)?.item.id ?? null;
}

/** "3:c2" -> "3F 走廊" / "3F corridor"; "3:sA" -> "3F A 楼梯间" */
function nodeLabel(id: string, zh: boolean): string {
  const [f, n] = id.split(':');
  if (!n || f === 'exit') return id;
  if (n.startsWith('s')) return zh ? `${f}F ${n.slice(1)} 楼梯间` : `${f}F stair ${n.slice(1)}`;
  return zh ? `${f}F 走廊` : `${f}F corridor`;
}

export function mountIncidentPanel(store: RootStore, box: HTMLElement): () => void {
  const disposers: IReactionDisposer[] = [];
  disposers.push(
    autorun(() => {
      void store.ui.locale;
      const zh = locale() === 'zh-CN';
      const inc = currentIncident(store);
      if (!inc) {
        box.hidden = true;
        box.replaceChildren();
        return;
      }
      box.hidden = false;
      if (!isIncident(inc)) {
        box.replaceChildren(h('h2', {}, zh ? '应急疏散' : 'Evacuation'), h('p', { class: 'warn', 'data-testid': 'evacuation-error' }, inc.error));
        return;
      }
      const { plan, layout, target } = inc;
      const det = layout.detectors.find((d) => d.id === plan.detectorId)!;
      const b = store.ui.selectedBuilding?.id === plan.buildingId ? store.ui.selectedBuilding : null;
      const where = { 'stair A landing': zh ? 'A 楼梯间平台' : 'stair A landing', 'stair B landing': zh ? 'B 楼梯间平台' : 'stair B landing', corridor: zh ? '走廊' : 'corridor' }[det.where];
      const row = (k: string, v: string, testid?: string) => h('tr', {}, h('th', {}, k), h('td', testid ? { 'data-testid': testid } : {}, v));
      const peeled = store.ui.explodedBuildingId === plan.buildingId;
      const lastBroadcast = store.ui.broadcasts.find((x) => x.buildingId === plan.buildingId);
      const message = zh
        ? `${b?.name || `#${plan.buildingId}`} ${plan.floor} 层发生${target.state === 'fire' ? '火情' : '烟雾报警'}，请${plan.blockedStairs.length ? `避开 ${plan.blockedStairs.join('、')} 楼梯，` : ''}经 ${plan.indoor.viaStair ?? ''} 楼梯从 ${plan.indoor.exit} 出口疏散${plan.outdoor ? `，前往${plan.outdoor.assembly.name}` : ''}。`
        : `${target.state === 'fire' ? 'Fire' : 'Smoke alarm'} on floor ${plan.floor}. ${plan.blockedStairs.length ? `Avoid stair ${plan.blockedStairs.join(', ')}. ` : ''}Leave by stair ${plan.indoor.viaStair ?? '-'} and exit ${plan.indoor.exit}${plan.outdoor ? `, assemble at ${plan.outdoor.assembly.name}` : ''}.`;
      const btn = (label: string, testid: string, on: () => void) => button(label, { 'data-testid': testid }, on);
      const trapped = plan.floors.filter((f) => f.trapped).map((f) => f.floor);
      const cam = nearestCamera(store, layout.nodes[layout.exits[0]!]!.lon, layout.nodes[layout.exits[0]!]!.lat);
      box.replaceChildren(
        h('h2', {}, `${zh ? '应急疏散' : 'Evacuation'}${target.drill ? ' · DRILL 演练' : ''}`),
        h('p', { class: 'alarm-title' }, `${b?.name || `#${plan.buildingId}`} · ${plan.floor}F · ${where} · ${plan.detectorId}`),
        h(
          'table',
          { 'data-testid': 'evacuation-plan' },
          row(zh ? '封堵楼梯' : 'Smoke-logged stairs', plan.blockedStairs.length ? plan.blockedStairs.join(', ') + (zh ? `（${plan.floor} 层及以上）` : ` (floor ${plan.floor} and up)`) : zh ? '无' : 'none', 'evac-blocked'),
          row(
            zh ? '楼内（最远点）' : 'Indoor (worst case)',
            `${nodeLabel(plan.indoor.from, zh)} → ${zh ? '楼梯' : 'stair'} ${plan.indoor.viaStair ?? '-'} → ${zh ? '出口' : 'exit'} ${plan.indoor.exit} · ${plan.indoor.distanceM} m · ${fmtDuration(plan.indoor.timeS, zh)}${plan.indoor.throughZone ? (zh ? ' · ⚠ 须穿越烟区' : ' · ⚠ passes the smoke zone') : ''}`,
            'evac-indoor',
          ),
          plan.outdoor ? row(zh ? '室外集合' : 'To assembly', `${plan.outdoor.assembly.name} · ${plan.outdoor.distanceM} m · ${fmtDuration(plan.outdoor.timeS, zh)}`, 'evac-outdoor') : row(zh ? '室外集合' : 'To assembly', zh ? '无可达集合点' : 'no reachable assembly point'),
          plan.responder ? row(zh ? '救援力量' : 'Responders', `${plan.responder.station.name} · ${(plan.responder.distanceM / 1000).toFixed(1)} km · ${zh ? '预计' : 'ETA'} ${fmtDuration(plan.responder.timeS, zh)}`, 'evac-responder') : '',
          row(zh ? '疏散总时长' : 'Total evacuation', fmtDuration(plan.totalEvacuationS, zh), 'evac-total'),
          trapped.length ? row(zh ? '⚠ 受困楼层' : '⚠ Trapped floors', trapped.join(', ') + (zh ? '（须就地避难等待救援）' : ' (shelter in place, await rescue)'), 'evac-trapped') : '',
        ),
        h(
          'div',
          { class: 'actions' },
          btn(zh ? '广播疏散' : 'Broadcast evacuation', 'evac-broadcast', () => void store.command({ type: 'broadcast', buildingId: plan.buildingId, floor: plan.floor, message, drill: target.drill })),
          btn(peeled ? (zh ? '合拢楼宇' : 'Restore building') : zh ? '分层剖开' : 'Peel floors', 'evac-peel', () => void store.command({ type: 'explodeBuilding', buildingId: peeled ? null : plan.buildingId })),
          cam ? btn(`${zh ? '最近摄像机' : 'Nearest camera'} ${cam}`, 'evac-camera', () => void store.command({ type: 'openVideo', cameraId: cam })) : '',
        ),
        lastBroadcast
          ? h('p', { class: 'muted', 'data-testid': 'evac-broadcast-done' }, `${zh ? '已广播' : 'Broadcast'} ${new Date(lastBroadcast.ts).toLocaleTimeString()}${lastBroadcast.drill ? ' (DRILL)' : ''}: ${lastBroadcast.message} ${zh ? '（已记录；未接入广播系统时请人工播报）' : '(recorded; read it out where no PA system is connected)'}`)
          : '',
      );
    }),
    // A new fire (not a fault) pops the nearest camera, as an SOS does.
    reaction(
      () => store.realLive.notices[0],
      (n) => {
        if (!n || n.alarm.category !== 'fire' || n.alarm.cause !== 'fire' || Date.now() - n.receivedAt > 5_000 || store.ui.videoCameraId) return;
        const cam = nearestCamera(store, n.alarm.lon, n.alarm.lat);
        if (cam) void store.command({ type: 'openVideo', cameraId: cam });
      },
    ),
  );
  return () => disposers.forEach((d) => d());
}
