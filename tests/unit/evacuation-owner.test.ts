/**
 * The evacuation plan (and its panel) is owned by its incident (#21 part 4): it follows the selected fire alarm while
 * the alarm is open, and goes once the alarm is resolved or closed, although the alarm stays selected for its record.
 */
import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../data-pipelines/contracts/alarm.ts';
import { incidentTarget } from '../../renderer/src/layers/evacuation/format.ts';
import { RootStore } from '../../renderer/src/stores/root.ts';

const T0 = Date.UTC(2026, 11, 6, 8, 0, 0);
const fire: Alarm = {
  alarmId: 'A-fire',
  category: 'fire',
  sourceId: 'SD-0042-03-01',
  cause: 'fire',
  priority: 1,
  state: 'new',
  active: true,
  raisedAt: T0,
  updatedAt: T0,
  lon: 116.41,
  lat: 39.91,
  buildingId: 42,
  floor: 3,
  drill: false,
  history: [{ action: 'raise', by: 'system', at: T0 }],
};
let seq = 0;
const update = (action: Alarm['history'][number]['action'], alarm: Alarm) =>
  ({ stream: 'alarm', kind: 'alarm.update', seq: ++seq, epoch: 'e', ts: T0 + seq, id: `alarm:${seq}`, action, alarm }) as never;

describe('evacuation panel owner', () => {
  it('follows the selected fire alarm while it is open and lets go when it is resolved or closed', async () => {
    for (const end of ['resolved', 'closed'] as const) {
      const store = new RootStore();
      store.realLive.applyBatch([update('raise', fire)]);
      await store.command({ type: 'selectAlarm', alarmId: 'A-fire' });
      expect(incidentTarget(store)).toMatchObject({ buildingId: 42, floor: 3, alarmId: 'A-fire' });
      store.realLive.applyBatch([update('acknowledge', { ...fire, state: 'acknowledged' })]);
      expect(incidentTarget(store)?.alarmId).toBe('A-fire');
      store.realLive.applyBatch([update(end === 'resolved' ? 'resolve' : 'close', { ...fire, state: end, active: false })]);
      expect(store.ui.selectedAlarmId, end).toBe('A-fire');
      expect(incidentTarget(store), end).toBeNull();
    }
  });

  it('a manhole alarm never owns an evacuation plan', async () => {
    const store = new RootStore();
    const gas: Alarm = { ...fire, alarmId: 'A-gas', category: 'manhole', cause: 'gas', sourceId: 'MH-00001' };
    store.realLive.applyBatch([update('raise', gas)]);
    await store.command({ type: 'selectAlarm', alarmId: 'A-gas' });
    expect(incidentTarget(store)).toBeNull();
  });
});
