/**
 * Left-panel section: visit tasks (走访任务), as the feed server journaled them and pushed them to every console. Grid
 * staff see their own grids' open tasks first (a fresh one is marked new) and mark a visit done with a note; civil
 * affairs and the duty operator plan and cancel. Which buttons show follows the same rule the server enforces
 * (contracts/tasks.ts mayTask); the server has the last word.
 */
import { autorun, computed } from 'mobx';
import { mayTask, staffWorkload, taskOverdue, type VisitTask } from '../../../data-pipelines/contracts/tasks.ts';
import { fmtNumber, t } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import { beijingToday, listTasks, tasksOf } from '../work/format.ts';
import { button, h } from './dom.ts';

const SHOWN = 25;
const NEW_MS = 10 * 60_000;

export function mountTasksPanel(store: RootStore, box: HTMLElement): () => void {
  const note = h('input', { type: 'text', maxlength: 500, 'data-testid': 'task-note' });
  const head = h('div', {});
  const noteRow = h('label', {}, note);
  const body = h('div', {});
  const error = h('div', { class: 'error', 'data-testid': 'task-error' });
  // the note input is never re-rendered (typing is not interrupted by the list's refresh)
  box.replaceChildren(head, noteRow, error, body);
  const tasks = computed(() => {
    void store.realLive.versions.task;
    return tasksOf(store.realLive.world);
  });
  const disposers = [
    autorun(() => {
      void store.ui.locale;
      const user = store.people.user;
      const now = store.feed.now15s;
      const today = beijingToday(now);
      const all = tasks.get();
      const mine = user?.role === 'grid-staff' ? (user.grids ?? []) : null;
      const rows = listTasks(all, mine);
      const open = all.filter((x) => x.state === 'open');
      note.placeholder = t('work.task.notePlaceholder');
      const act = (task: VisitTask, op: 'done' | 'cancel') =>
        void store
          .command({ type: 'task', req: { op, commandId: store.newCommandId(), taskId: task.taskId, note: note.value } })
          .then((err) => !err && (note.value = ''));
      const mayDone = user ? rows.some((x) => x.state === 'open' && mayTask(user, 'done', x)) : false;
      const item = (x: VisitTask) => {
        const late = taskOverdue(x, today);
        const fresh = x.state === 'open' && now - x.createdAt < NEW_MS && (!mine || mine.includes(x.gridId));
        return h(
          'li',
          {
            'data-task': x.taskId,
            'data-grid': x.gridId,
            'data-state': x.state,
            'data-mine': String(!!mine?.includes(x.gridId)),
            class: `task ${x.state}${late ? ' overdue' : ''}${fresh ? ' new' : ''}`,
          },
          h(
            'div',
            {},
            h('b', {}, t(`work.task.kind.${x.kind}`)),
            ' · ',
            h('span', { 'data-i18n-data': '' }, `${x.name} ${x.age}`),
            ` · ${x.gridId} · `,
            h('span', { 'data-i18n-data': '' }, x.staff),
          ),
          h(
            'div',
            { class: 'muted' },
            x.state === 'open' ? (late ? t('work.task.overdue') : t('work.task.due', { due: x.due })) : t(`work.task.state.${x.state}`),
            x.note ? h('span', { 'data-i18n-data': '' }, ` · ${x.note}`) : '',
          ),
          x.state === 'open' && user
            ? h(
                'div',
                { class: 'chips' },
                mayTask(user, 'done', x) ? button(t('work.task.done'), { 'data-testid': 'task-done' }, () => act(x, 'done')) : '',
                mayTask(user, 'cancel', x) ? button(t('work.task.cancel'), { 'data-testid': 'task-cancel' }, () => act(x, 'cancel')) : '',
              )
            : '',
        );
      };
      const load = staffWorkload(all, today);
      noteRow.hidden = !(mayDone || (user && mayTask(user, 'cancel')));
      head.replaceChildren(
        h('h2', {}, t('work.task.title')),
        h(
          'div',
          {
            class: 'muted',
            'data-testid': 'task-counts',
            'data-open': String(open.length),
            'data-overdue': String(open.filter((x) => taskOverdue(x, today)).length),
          },
          t('work.task.counts', {
            open: fmtNumber(open.length),
            overdue: fmtNumber(open.filter((x) => taskOverdue(x, today)).length),
            done: fmtNumber(all.filter((x) => x.state === 'done').length),
          }),
        ),
        mine ? h('div', { class: 'muted', 'data-testid': 'task-mine' }, t('work.task.mine', { grids: mine.join(', ') || '—' })) : '',
      );
      body.replaceChildren(
        h('ul', { class: 'task-list', 'data-testid': 'task-list' }, ...rows.slice(0, SHOWN).map(item)),
        rows.length ? '' : h('div', { class: 'empty' }, t('work.task.none')),
        rows.length > SHOWN ? h('div', { class: 'more' }, `+${fmtNumber(rows.length - SHOWN)}`) : '',
        load.length
          ? h(
              'div',
              { class: 'muted', 'data-testid': 'task-workload' },
              ...load
                .slice(0, 5)
                .map((w) =>
                  h(
                    'div',
                    { 'data-staff': w.staff },
                    h('span', { 'data-i18n-data': '' }, w.staff),
                    ` (${w.grids.join(', ')}) · ${t('work.task.counts', { open: w.open, overdue: w.overdue, done: w.done })}`,
                  ),
                ),
            )
          : '',
      );
    }),
    autorun(() => {
      const ack = store.lastWorkAck.get();
      void store.ui.locale;
      error.textContent = ack && ack.command === 'task' && !ack.ok ? t('work.error', { error: ack.error ?? '' }) : '';
    }),
  ];
  return () => disposers.forEach((d) => d());
}
