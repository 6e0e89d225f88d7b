/**
 * Left-panel section: the citizen-request desk (接诉即办). The desk's list (overdue first, with the SLA clock that
 * matters now), the three rates, one request's details and history, the steps the state machine allows now (the
 * server re-checks and journals them under the signed-in user), and registering a request taken by phone or reported
 * by a grid member. The list re-renders on the 15 s clock; inputs live outside the re-rendered parts so typing is never
 * interrupted.
 */
import { placeText, placeWithCoords } from './place-text.ts';
import { snapshotLinks } from './video/panel.ts';
import { autorun, computed } from 'mobx';
import {
  allowedRequestActions,
  mayRequest,
  requestSla,
  DEFAULT_DEPARTMENT,
  DEPARTMENTS,
  TOPICS,
  URGENCIES,
  CHANNELS,
  type CitizenRequest,
  type CommandName,
  type Topic,
} from '../../../data-pipelines/contracts/citizen-request.ts';
import { fmtDateTime, fmtDuration, fmtNumber, fmtPercent, t, type StringKey } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import { deskSummary, listRequests, REQUEST_FILTERS, requestsOf, requestView, SLA_COLORS, type RequestView } from '../work/format.ts';
import { cssColor } from '../palette.ts';
import { button, h } from './dom.ts';

const SHOWN = 30;

export const topicLabel = (topic: string): string => ((TOPICS as readonly string[]).includes(topic) ? t(`work.req.topic.${topic as Topic}`) : topic);
export const deptLabel = (d: string): string => ((DEPARTMENTS as readonly string[]).includes(d) ? t(`work.req.dept.${d as (typeof DEPARTMENTS)[number]}`) : d);

/** "响应剩 1小时20分" / "办结超时 3小时" / "响应按时" for the clock that matters now. */
export function slaText(v: Pick<RequestView, 'which' | 'clock'>): string {
  const clock = t(`work.req.clock.${v.which}`);
  const s = v.clock.status;
  if (s === 'met') return t('work.req.metIn', { clock });
  if (s === 'missed') return t('work.req.missedBy', { clock });
  return v.clock.leftMs >= 0
    ? t('work.req.left', { clock, t: fmtDuration(v.clock.leftMs / 1000) })
    : t('work.req.late', { clock, t: fmtDuration(-v.clock.leftMs / 1000) });
}

const rate = (x: number) => (Number.isFinite(x) ? fmtPercent(x, 0) : '—');

export function mountRequestsPanel(store: RootStore, box: HTMLElement, center: { lon: number; lat: number }): () => void {
  const head = h('div', {});
  const list = h('ul', { class: 'req-list', 'data-testid': 'request-list' });
  const detail = h('div', { 'data-testid': 'request-detail' });
  const actions = h('div', { class: 'req-actions', 'data-testid': 'request-actions' });
  const error = h('div', { class: 'error', 'data-testid': 'request-error' });
  const register = h('details', { class: 'req-register', 'data-testid': 'request-register' });
  box.replaceChildren(head, list, detail, actions, error, register);

  // inputs that survive re-renders
  const note = h('input', { type: 'text', maxlength: 500, 'data-testid': 'request-note' });
  const dept = h('select', { 'data-testid': 'request-dept' });
  const summary = h('input', { type: 'text', maxlength: 500, 'data-testid': 'request-summary' });
  const topic = h('select', { 'data-testid': 'request-topic' });
  const urgency = h('select', { 'data-testid': 'request-urgency' });
  const channel = h('select', { 'data-testid': 'request-channel' });
  let registerId: string | null = null;
  // an edited form is another request
  for (const el of [summary, topic, urgency, channel]) el.addEventListener('input', () => (registerId = null));

  const requests = computed(() => {
    void store.realLive.versions.request;
    return requestsOf(store.realLive.world);
  });
  const selected = computed(() => {
    const id = store.ui.selectedRequestId;
    return id ? (requests.get().find((r) => r.requestId === id) ?? null) : null;
  });

  const send = (r: CitizenRequest, action: CommandName, extra: { department?: string; note?: string; satisfied?: boolean } = {}) =>
    void store.command({ type: 'request', cmd: { commandId: store.newCommandId(), requestId: r.requestId, action, ...extra } }).then((err) => {
      if (!err) note.value = '';
    });

  const disposers = [
    autorun(() => {
      void store.ui.locale;
      const now = store.feed.now15s;
      const all = requests.get();
      const { rates, recent, open, overdue } = deskSummary(all, now);
      const rows = listRequests(all, now, store.ui.requestFilter);
      head.replaceChildren(
        h('h2', {}, t('work.req.title')),
        h(
          'div',
          { class: 'muted', 'data-testid': 'request-rates', 'data-overdue': String(overdue), 'data-open': String(open), 'data-total': String(recent) },
          t('work.req.rates', { response: rate(rates.responseRate), resolution: rate(rates.resolutionRate), satisfaction: rate(rates.satisfactionRate) }),
          h('br', {}),
          t('work.req.counts', { open: fmtNumber(open), overdue: fmtNumber(overdue), total: fmtNumber(recent) }),
        ),
        h(
          'div',
          { class: 'chips' },
          ...REQUEST_FILTERS.map((f) =>
            button(
              t(`work.req.filter.${f}`),
              { class: store.ui.requestFilter === f ? 'active' : '', 'data-testid': `request-filter-${f}` },
              () => void store.command({ type: 'setRequestFilter', filter: f }),
            ),
          ),
        ),
      );
      const sel = store.ui.selectedRequestId;
      list.replaceChildren(
        ...rows.slice(0, SHOWN).map((v) => {
          const r = v.request;
          const li = h(
            'li',
            {
              'data-request': r.requestId,
              'data-status': v.status,
              'data-state': r.state,
              class: `req ${v.status}${sel === r.requestId ? ' selected' : ''}`,
              style: `border-left-color:${cssColor(SLA_COLORS[v.status])}`,
            },
            h(
              'div',
              {},
              h('b', {}, r.requestId),
              ` · ${topicLabel(r.topic)} · ${t(`work.req.state.${r.state}`)}`,
              r.urgency === 'urgent' ? h('span', { class: 'urgent' }, ` ${t('work.req.urgency.urgent')}`) : '',
            ),
            h('div', { class: 'muted' }, h('span', { 'data-i18n-data': '' }, r.summary), r.department ? ` · ${deptLabel(r.department)}` : ''),
            h('div', { class: 'muted place', 'data-i18n-data': '', 'data-testid': 'request-place' }, placeText(store.entities, r.lon, r.lat) ?? ''),
            h('div', { class: `sla ${v.status}` }, slaText(v)),
          );
          li.onclick = () => {
            void store.command({ type: 'selectRequest', requestId: sel === r.requestId ? null : r.requestId });
            if (sel !== r.requestId) void store.command({ type: 'focus', lon: r.lon, lat: r.lat, what: `request:${r.requestId}`, rangeM: 400 });
          };
          return li;
        }),
        rows.length ? '' : h('li', { class: 'empty' }, t('work.req.none')),
        rows.length > SHOWN ? h('li', { class: 'more' }, `+${fmtNumber(rows.length - SHOWN)}`) : '',
      );
    }),
    autorun(() => {
      void store.ui.locale;
      const r = selected.get();
      if (!r) return void detail.replaceChildren();
      const now = store.feed.now15s;
      const v = requestView(r, now);
      const row = (k: StringKey, val: string | HTMLElement, data = false) => h('tr', {}, h('th', {}, t(k)), h('td', data ? { 'data-i18n-data': '' } : {}, val));
      const sla = requestSla(r, now);
      const clockRow = (which: 'response' | 'resolution') =>
        row(
          which === 'response' ? 'work.req.field.response' : 'work.req.field.resolution',
          `${fmtDateTime(sla[which].dueAt)} · ${slaText({ which, clock: sla[which] })}`,
        );
      detail.replaceChildren(
        h(
          'section',
          { class: 'building req-detail', 'data-request': r.requestId, 'data-state': r.state, 'data-status': v.status },
          h(
            'h2',
            {},
            `${r.requestId} · ${topicLabel(r.topic)}`,
            button(t('work.req.close'), { class: 'close' }, () => void store.command({ type: 'selectRequest', requestId: null })),
          ),
          h(
            'table',
            {},
            row('work.req.field.summary', r.summary, true),
            row('work.req.field.channel', t(`work.req.channel.${r.channel}`)),
            row('work.req.field.urgency', t(`work.req.urgency.${r.urgency}`)),
            row('location', placeWithCoords(store.entities, r.lon, r.lat), true),
            row('work.req.field.grid', r.gridId ?? '—'),
            row('work.req.field.registered', fmtDateTime(r.registeredAt)),
            row('work.req.field.department', r.department ? deptLabel(r.department) : '—'),
            clockRow('response'),
            clockRow('resolution'),
            row('work.req.field.returns', `${r.returns}/${r.reopens}`),
          ),
          ...snapshotLinks(store, { requestId: r.requestId }),
          h('h3', {}, t('work.req.history')),
          h(
            'ol',
            { class: 'req-history', 'data-testid': 'request-history' },
            ...r.history.map((s) =>
              h(
                'li',
                { 'data-action': s.action },
                `${fmtDateTime(s.at)} · ${t(`work.req.action.${s.action}`)}`,
                ' · ',
                h('span', { 'data-i18n-data': '' }, deptLabel(s.by)),
                s.department ? ` → ${deptLabel(s.department)}` : '',
                s.satisfied !== undefined ? ` · ${t(s.satisfied ? 'work.req.satisfied' : 'work.req.unsatisfied')}` : '',
                s.note ? h('div', { class: 'muted', 'data-i18n-data': '' }, s.note) : '',
              ),
            ),
          ),
        ),
      );
    }),
    // the legal steps: rebuilt only when the selection's state changes (inputs persist)
    autorun(() => {
      void store.ui.locale;
      const r = selected.get();
      if (!r) return void actions.replaceChildren();
      // legal now (state machine) and this user's to take (role; the server re-checks both)
      const user = store.people.user;
      const allowed = user ? allowedRequestActions(r).filter((a) => mayRequest(user, a, r)) : [];
      note.placeholder = t('work.req.notePlaceholder');
      dept.replaceChildren(
        ...DEPARTMENTS.map((d) =>
          h('option', { value: d, selected: d === (r.department ?? DEFAULT_DEPARTMENT[r.topic as Topic] ?? 'community') }, deptLabel(d)),
        ),
      );
      const btn = (a: CommandName, extra: () => { department?: string; note?: string; satisfied?: boolean }, label?: string, testid?: string) =>
        button(label ?? t(`work.req.action.${a}`), { 'data-testid': testid ?? `request-${a}`, 'data-action': a }, () => send(r, a, extra()));
      const withNote = () => (note.value.trim() ? { note: note.value.trim() } : {});
      actions.replaceChildren(
        ...(allowed.length ? [h('label', {}, `${t('work.req.note')} `, note)] : []),
        ...(allowed.includes('dispatch')
          ? [
              h(
                'div',
                {},
                dept,
                ' ',
                btn('dispatch', () => ({ department: dept.value, ...withNote() })),
              ),
            ]
          : []),
        h(
          'div',
          { class: 'chips' },
          ...allowed.filter((a) => a !== 'dispatch' && a !== 'feedback').map((a) => btn(a, withNote)),
          ...(allowed.includes('feedback')
            ? [
                btn(
                  'feedback',
                  () => ({ satisfied: true, ...withNote() }),
                  `${t('work.req.action.feedback')}：${t('work.req.satisfied')}`,
                  'request-feedback-yes',
                ),
                btn(
                  'feedback',
                  () => ({ satisfied: false, ...withNote() }),
                  `${t('work.req.action.feedback')}：${t('work.req.unsatisfied')}`,
                  'request-feedback-no',
                ),
              ]
            : []),
        ),
      );
    }),
    autorun(() => {
      const ack = store.lastWorkAck.get();
      void store.ui.locale;
      error.textContent = ack && ack.command === 'request' && !ack.ok ? t('work.error', { error: ack.error ?? '' }) : '';
    }),
    autorun(() => {
      void store.ui.locale;
      const user = store.people.user;
      // the channels this user may register (grid staff and civil affairs: their own field reports only)
      const channels = user ? CHANNELS.filter((c) => mayRequest(user, 'register', { channel: c })) : [];
      register.hidden = !channels.length;
      summary.placeholder = t('work.req.field.summary');
      topic.replaceChildren(...TOPICS.map((x) => h('option', { value: x }, t(`work.req.topic.${x}`))));
      urgency.replaceChildren(...URGENCIES.map((x) => h('option', { value: x }, t(`work.req.urgency.${x}`))));
      channel.replaceChildren(...channels.map((x) => h('option', { value: x }, t(`work.req.channel.${x}`))));
      register.replaceChildren(
        h('summary', {}, t('work.req.new')),
        h('div', {}, topic, ' ', urgency, ' ', channel),
        h('div', {}, summary),
        h('div', { class: 'muted' }, t('work.req.newHint')),
        button(t('work.req.action.register'), { 'data-testid': 'request-register-submit' }, () => {
          // where: what the operator is looking at (a selected alarm or building), else the district's centre
          const a = store.ui.selectedAlarmId ? store.realLive.alarm(store.ui.selectedAlarmId) : null;
          const b = store.ui.selectedBuilding;
          const at = a ? { lon: a.lon, lat: a.lat } : b ? { lon: b.lon, lat: b.lat } : center;
          // one id per request being registered: a retry after a lost answer is the same command (the server answers
          // it once), a new id only once the last one was taken
          registerId ??= store.newCommandId();
          void store
            .command({
              type: 'request',
              cmd: {
                commandId: registerId,
                action: 'register',
                channel: channel.value as (typeof CHANNELS)[number],
                topic: topic.value as Topic,
                urgency: urgency.value as (typeof URGENCIES)[number],
                summary: summary.value.trim(),
                lon: at.lon,
                lat: at.lat,
              },
            })
            .then((err) => {
              if (!err) {
                summary.value = '';
                registerId = null;
              }
            });
        }),
        h('div', { class: 'legend-note' }, t('work.req.slaNote')),
      );
    }),
  ];
  return () => disposers.forEach((d) => d());
}
