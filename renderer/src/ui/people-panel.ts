/**
 * Left-panel section: elderly services. Who turns 60 (or any age) within N days — masked, from the feed server —
 * their benefits, visit tasks per grid, one person's record (masked; audited), and the whole record when the signed-in
 * role may see it and a reason is given (the server decides and audits; the panel only asks).
 */
import { autorun, when } from 'mobx';
import type { FullResident, MaskedResident } from '../../../data-pipelines/contracts/people.ts';
import { t, type StringKey } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import { button, h } from './dom.ts';
import { placeThenCode } from './place-text.ts';

const SHOWN = 40;

function benefitChips(ids: readonly string[]): HTMLElement {
  return h('span', { class: 'chips' }, ...ids.map((b) => h('span', { class: 'chip' }, t(`people.benefit.${b}` as StringKey))));
}

function flags(r: { livingAlone: boolean; lowIncome: boolean } & ({ disabled: boolean } | { disability: number })): string {
  const disabled = 'disabled' in r ? r.disabled : r.disability > 0;
  return (
    [r.livingAlone ? t('people.flag.alone') : '', disabled ? t('people.flag.disabled') : '', r.lowIncome ? t('people.flag.lowIncome') : '']
      .filter(Boolean)
      .join('、') || '—'
  );
}

export function mountPeoplePanel(store: RootStore, box: HTMLElement): () => void {
  const p = store.people;
  const reason = h('input', { type: 'text', maxlength: 200, 'data-testid': 'people-reason' });
  const dispose = autorun(() => {
    void store.ui.locale;
    void p.version;
    const age = h('input', { type: 'number', min: 0, max: 120, value: p.age, 'data-testid': 'people-age', class: 'num' });
    const days = h('input', { type: 'number', min: 1, max: 366, value: p.days, 'data-testid': 'people-days', class: 'num' });
    reason.placeholder = t('people.reasonPlaceholder');
    const err = p.error;
    const errText = err
      ? err.status === 403
        ? t('people.error.403')
        : err.status === 400
          ? t('people.error.400', { error: err.error })
          : t('people.error.other', { error: err.error })
      : '';
    const rows = p.rows.slice(0, SHOWN).map((r) => {
      const li = h(
        'li',
        { 'data-resident': r.residentId, 'data-grid': r.gridId, class: p.selected?.residentId === r.residentId ? 'selected' : '' },
        h('span', { class: 'who', 'data-i18n-data': '' }, `${r.name} · ${t(`people.gender.${r.gender}`)}`),
        h('span', { class: 'when' }, `${r.turnsOn.slice(5)} · ${r.inDays === 0 ? t('people.todayBirthday') : t('people.inDays', { n: r.inDays })}`),
        h(
          'div',
          { class: 'muted', 'data-testid': 'resident-place' },
          h('span', { 'data-i18n-data': '' }, placeThenCode(store.entities, r.lon, r.lat, `#${r.buildingId}`, { buildingId: r.buildingId })),
          ` · ${t('people.field.grid')} ${r.gridId} · ${flags(r)}`,
        ),
      );
      li.onclick = () => {
        void store.command({ type: 'people', op: 'view', residentId: r.residentId });
        void store.command({ type: 'focus', lon: r.lon, lat: r.lat, what: `building:${r.buildingId}`, rangeM: 300 });
      };
      return li;
    });
    const rec = p.unmasked ?? p.selected;
    const planned = store.lastWorkAck.get()?.command === 'task' ? store.lastWorkAck.get() : null;
    box.replaceChildren(
      h('h2', {}, t('people.title')),
      // the user's name is data (as journaled), the role is UI text
      p.user
        ? h(
            'div',
            { class: 'muted', 'data-testid': 'people-user', 'data-role': p.user.role },
            t('people.signedInAs'),
            h('span', { 'data-i18n-data': '' }, p.user.name),
            ` · ${t(`people.role.${p.user.role}`)}`,
          )
        : '',
      h(
        'div',
        { class: 'people-query' },
        h('label', {}, `${t('people.age')} `, age),
        h('label', {}, ` ${t('people.days')} `, days),
        ' ',
        button(
          t('people.query'),
          { 'data-testid': 'people-query' },
          () => void store.command({ type: 'people', op: 'query', age: Number(age.value), days: Number(days.value) }),
        ),
      ),
      errText ? h('div', { class: 'error', 'data-testid': 'people-error', 'data-status': String(err?.status ?? 0) }, errText) : '',
      p.loaded
        ? h(
            'div',
            { class: 'muted', 'data-testid': 'people-count', 'data-count': String(p.rows.length) },
            `${t('people.turning', { age: p.age, days: p.days })}: ${t('people.count', { n: p.rows.length, today: p.today })}`,
          )
        : '',
      h('ul', { class: 'people-list', 'data-testid': 'people-list' }, ...rows),
      p.rows.length > SHOWN ? h('div', { class: 'muted' }, t('people.more', { n: p.rows.length - SHOWN })) : '',
      // visit tasks are planned on the feed server (journaled, pushed to the grid staff): see the visit-task section
      p.rows.length
        ? button(
            t('work.task.plan'),
            { 'data-testid': 'people-tasks' },
            () => void store.command({ type: 'task', req: { op: 'create-turning', commandId: store.newCommandId(), age: p.age, days: p.days } }),
          )
        : '',
      planned && planned.ok && planned.created !== undefined
        ? h(
            'div',
            { class: 'muted', 'data-testid': 'people-tasks-made', 'data-created': String(planned.created), 'data-existing': String(planned.existing ?? 0) },
            t('work.task.planned', { created: planned.created, existing: planned.existing ?? 0 }),
          )
        : '',
      rec ? record(store, rec, reason) : '',
      h('div', { class: 'legend-note' }, t('people.demoRules')),
    );
  });
  // who am I (role): once the feed is connected
  const stopUser = when(
    () => store.feed.status === 'live',
    () => void p.loadUser(),
  );
  return () => {
    dispose();
    stopUser();
  };
}

function record(store: RootStore, r: MaskedResident | FullResident, reason: HTMLInputElement): HTMLElement {
  const full = r.masked === false;
  const row = (k: StringKey, v: string) => h('tr', {}, h('th', {}, t(k)), h('td', { 'data-i18n-data': '' }, v));
  return h(
    'section',
    { class: 'building people-record', 'data-testid': 'people-record', 'data-masked': String(!full) },
    h(
      'h2',
      {},
      t('people.record'),
      button(t('people.close'), { class: 'close', 'data-testid': 'people-record-close' }, () => void store.command({ type: 'people', op: 'close' })),
    ),
    h(
      'table',
      {},
      row('people.field.name', r.name),
      row('people.field.id', r.idNumber),
      row('people.field.phone', r.phone),
      row('people.field.gender', t(`people.gender.${r.gender}`)),
      row('people.field.age', String(r.age)),
      row('people.field.birthday', full ? r.birth : r.birthday),
      row('people.field.grid', r.gridId),
      row('people.field.building', placeThenCode(store.entities, r.lon, r.lat, `#${r.buildingId}`, { buildingId: r.buildingId })),
      row('people.field.flags', flags(r)),
    ),
    benefitChips(r.benefits),
    h('p', { class: 'muted' }, full ? t('people.unmaskedNote', { user: store.people.user?.name ?? '' }) : t('people.maskedNote')),
    full
      ? ''
      : h(
          'div',
          { class: 'people-unmask' },
          h('label', {}, `${t('people.reason')} `, reason),
          button(
            t('people.unmask'),
            { 'data-testid': 'people-unmask' },
            () => void store.command({ type: 'people', op: 'unmask', residentId: r.residentId, reason: reason.value }),
          ),
        ),
  );
}
