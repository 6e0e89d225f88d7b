/**
 * Care calls linked to residents: when the operator selects a (real) care-call alarm, the panel asks the feed server
 * who holds that wearable or home button (masked; the lookup is audited there as a view of that person) and shows
 * them with the follow-up visit the server planned for their grid staff. "View record" opens the masked record in the
 * elderly-services section, where a permitted role can ask for the whole record with a reason.
 */
import { autorun, reaction } from 'mobx';
import { t } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import { button, h } from './dom.ts';

export function mountCareHolder(store: RootStore, box: HTMLElement): () => void {
  const selectedCare = () => {
    const id = store.ui.selectedAlarmId;
    const a = id ? store.live.alarm(id) : null;
    return a && a.category === 'care' && !a.drill ? a : null;
  };
  const disposers = [
    // ask once per selected care alarm (each lookup is an audited view on the server)
    // (and again when the feed comes back: a selection made while reconnecting is not left without its holder)
    reaction(
      () => ({ deviceId: selectedCare()?.sourceId ?? null, live: store.feed.status === 'live' }),
      ({ deviceId, live }) => {
        if (deviceId && live) void store.people.loadHolder(deviceId);
      },
      { fireImmediately: true, equals: (a, b) => a.deviceId === b.deviceId && a.live === b.live },
    ),
    autorun(() => {
      void store.ui.locale;
      const a = selectedCare();
      const holder = store.people.holder;
      if (!a || !holder || holder.deviceId !== a.sourceId) {
        box.hidden = true;
        return void box.replaceChildren();
      }
      box.hidden = false;
      const r = holder.resident;
      void store.realLive.versions.task;
      const ev = store.realLive.world.byStream.task.get(`C-${a.alarmId}`);
      const task = ev?.kind === 'task.update' ? ev.task : null;
      box.replaceChildren(
        h('h3', {}, `${t('work.care.holder')} · ${a.sourceId}`),
        r
          ? h(
              'div',
              { 'data-testid': 'care-holder', 'data-resident': r.residentId, 'data-grid': r.gridId },
              h('div', { 'data-i18n-data': '' }, `${r.name} · ${r.age} · ${r.phone}`),
              h(
                'div',
                { class: 'muted' },
                `${t('people.field.grid')} ${r.gridId} · ${t('people.field.building')} #${r.buildingId}${r.livingAlone ? ` · ${t('people.flag.alone')}` : ''}`,
              ),
              task
                ? h(
                    'div',
                    { class: 'muted', 'data-testid': 'care-task', 'data-task': task.taskId, 'data-state': task.state },
                    `${t('work.care.task')}: `,
                    h('span', { 'data-i18n-data': '' }, task.staff),
                    ` · ${t('work.task.due', { due: task.due })} · ${t(`work.task.state.${task.state}`)}`,
                  )
                : '',
              button(
                t('work.care.view'),
                { 'data-testid': 'care-holder-view' },
                () => void store.command({ type: 'people', op: 'view', residentId: r.residentId }),
              ),
            )
          : h('div', { class: 'muted', 'data-testid': 'care-holder-none' }, t('work.care.none')),
      );
    }),
  ];
  return () => disposers.forEach((d) => d());
}
