/**
 * One click, every screen: selecting an alarm on any RedWall window (console, wall, dashboard; Electron windows or
 * browser tabs of the same origin) selects it on the others, whose maps fly to it. BroadcastChannel stays inside the
 * origin and the machine: nothing goes over the network.
 */
import { reaction } from 'mobx';
import type { RootStore } from '../stores/root.ts';
import { alarmHasPlace } from '../layers/alarms/format.ts';

export const SYNC_CHANNEL = 'redwall-screens';

export interface SyncMessage {
  type: 'selectAlarm';
  alarmId: string;
  /** the sending window (messages are not echoed back, but a window must never act on its own) */
  from: string;
}

export function isSyncMessage(v: unknown): v is SyncMessage {
  const m = v as SyncMessage;
  return (
    !!m &&
    typeof m === 'object' &&
    m.type === 'selectAlarm' &&
    typeof m.alarmId === 'string' &&
    m.alarmId.length > 0 &&
    m.alarmId.length <= 128 &&
    typeof m.from === 'string'
  );
}

export function startScreenSync(
  store: RootStore,
  channel: Pick<BroadcastChannel, 'postMessage' | 'close'> & { onmessage: ((ev: MessageEvent) => void) | null } = new BroadcastChannel(SYNC_CHANNEL),
): () => void {
  const me = Math.random().toString(36).slice(2);
  // the selection that came from another window: not sent back (reactions may run after onmessage returned)
  let received: string | null = null;
  channel.onmessage = (ev: MessageEvent) => {
    if (!isSyncMessage(ev.data) || ev.data.from === me) return;
    const a = store.live.alarm(ev.data.alarmId);
    if (!a || store.ui.selectedAlarmId === a.alarmId) return;
    received = a.alarmId;
    void store.command({ type: 'selectAlarm', alarmId: a.alarmId });
    if (alarmHasPlace(a)) void store.command({ type: 'focus', lon: a.lon, lat: a.lat, what: a.alarmId });
  };
  const dispose = reaction(
    () => store.ui.selectedAlarmId,
    (id) => {
      if (id && id === received) return;
      received = null;
      if (id) channel.postMessage({ type: 'selectAlarm', alarmId: id, from: me } satisfies SyncMessage);
    },
  );
  return () => {
    dispose();
    channel.onmessage = null;
    channel.close();
  };
}
