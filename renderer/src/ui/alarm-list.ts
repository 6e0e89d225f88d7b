/**
 * The live alarm list (issue 24): filter tabs, category chips, real alarms then drill alarms below their own divider,
 * floods folded into group rows. Updated in place, keyed: a row is rebuilt only when what it shows changed, rows are
 * moved rather than recreated, and the tabs and chips stay the same elements — under an alarm flood the list costs
 * what changed, not the whole list, and a click is never lost to its button being replaced mid-click.
 */
import { autorun } from 'mobx';
import { ALARM_CATEGORIES, type Alarm, type AlarmCategory } from '../../../data-pipelines/contracts/alarm.ts';
import { fmtTime, t, type StringKey } from '../i18n.ts';
import { alarmHasPlace, categoryLabel, causeLabel, groupAlarms, PRIORITY_COLORS, stateLabel } from '../layers/alarms/format.ts';
import { unitText } from '../layers/manholes/format.ts';
import { cssColor } from '../palette.ts';
import type { RootStore } from '../stores/root.ts';
import type { AlarmFilter } from '../stores/ui-store.ts';
import { button, h } from './dom.ts';

/** At most this many rows are in the DOM (the rest are counted below the list). */
export const MAX_ROWS = 150;

export const drillMark = (a: Alarm): string => (a.drill ? `${t('alarms.drillMark')} · ` : '');
export const valueText = (a: Alarm): string => `${a.value}${unitText(a.unit) ? ` ${unitText(a.unit)}` : ''}`;

/** Selects an alarm and shows where it is: the place (fire: main.ts flies in close), or its data source. */
export function goToAlarm(store: RootStore, a: Alarm, fly: boolean): void {
  void store.command({ type: 'selectAlarm', alarmId: a.alarmId });
  // an alarm about a data source has no place: show the source instead of flying to the district centre
  if (!alarmHasPlace(a)) void store.command({ type: 'sourcesPanel', open: true, sourceId: a.sourceId });
  else if (fly) void store.command({ type: 'focus', lon: a.lon, lat: a.lat, what: a.alarmId });
}

/** What one row shows (its key, and a signature: the row is rebuilt only when this changes). */
interface RowSpec {
  key: string;
  sig: string;
  make: () => HTMLElement;
}

function alarmSpec(store: RootStore, a: Alarm): RowSpec {
  const cls = `alarm-item p${a.priority} ${a.state}${a.active ? '' : ' rtn'}${store.ui.selectedAlarmId === a.alarmId ? ' focused' : ''}${a.drill ? ' drill' : ''}`;
  const reading = `${causeLabel(a)}${a.value !== undefined ? ` ${valueText(a)}` : ''}${a.floor !== undefined ? ` · ${t('alarms.floorShort', { floor: String(a.floor) })}` : ''}${a.active ? '' : ` · ${t('activeNo')}`}`;
  const well = `${drillMark(a)}${categoryLabel(a.category)} ${a.sourceId}`;
  const kind = stateLabel(a.state);
  const time = fmtTime(a.raisedAt);
  const id = a.alarmId;
  return {
    key: `a|${id}`,
    sig: [cls, reading, well, kind, time, a.category].join('\u0000'),
    make: () => {
      const li = h(
        'li',
        {
          class: cls,
          'data-testid': 'alarm-item',
          'data-alarm': id,
          'data-source': a.sourceId,
          'data-state': a.state,
          'data-category': a.category,
          'data-level': a.active ? 'alarm' : 'rtn',
        },
        h('span', { class: 'dot', style: `background:${cssColor(PRIORITY_COLORS[a.priority])}` }),
        h('span', { class: 'well' }, well),
        h('span', { class: 'kind' }, kind),
        h('span', { class: 'reading' }, reading),
        h('span', { class: 'time' }, time),
      );
      // the alarm as it is when clicked (a kept row may be older than the alarm); fire alarms: selection peels the
      // building and flies in close (main.ts)
      li.onclick = () => {
        const now = store.live.alarm(id);
        if (now) goToAlarm(store, now, now.category !== 'fire');
      };
      return li;
    },
  };
}

/** The rows the list shows now, in order (pure apart from reading the store; at most MAX_ROWS + dividers). */
function listSpecs(store: RootStore): { specs: RowSpec[]; count: number; more: number } {
  const filter = store.ui.alarmFilter;
  const cat = store.ui.alarmCategory;
  const all = cat === 'all' ? store.live.alarms : store.live.alarms.filter((a) => a.category === cat);
  const list = filter === 'all' ? all : filter === 'unacked' ? all.filter((a) => a.state === 'new') : all.filter((a) => a.state !== 'closed');
  // Drill alarms are never mixed in with real ones: real first, drill alarms below their own divider.
  const real = groupAlarms(list.filter((a) => !a.drill));
  const drill = groupAlarms(list.filter((a) => a.drill));
  const rows = [...real, ...drill];
  const specs: RowSpec[] = [];
  for (const [i, r] of rows.slice(0, MAX_ROWS).entries()) {
    // a real and a drill flood of the same kind are two rows (groupAlarms keys by category and cause only)
    const section = i >= real.length ? 'drill' : 'real';
    if (drill.length && r === drill[0]) {
      const text = t('alarms.drillDivider', { n: drill.length });
      specs.push({ key: 'drill-divider', sig: text, make: () => h('li', { class: 'drill-divider', 'data-testid': 'drill-divider' }, text) });
    }
    if (r.type === 'single') {
      specs.push(alarmSpec(store, r.alarm));
      continue;
    }
    // opened per section too: a drill flood does not open with the real one
    const key = `${section}|${r.key}`;
    const open = store.ui.expandedGroups.includes(key);
    const text = t('alarms.groupRow', { category: categoryLabel(r.category), cause: causeLabel(r.alarms[0]!), n: r.alarms.length });
    const tail = open ? '▾' : `▸ ${t('expand')}`;
    specs.push({
      key: `g|${key}`,
      sig: [text, tail, r.alarms.length].join('\u0000'),
      make: () => {
        const head = h(
          'li',
          { class: 'alarm-group', 'data-testid': 'alarm-group', 'data-count': String(r.alarms.length) },
          text,
          h('span', { class: 'spacer' }),
          tail,
        );
        head.onclick = () => void store.command({ type: 'toggleAlarmGroup', key });
        return head;
      },
    });
    if (open) for (const a of r.alarms.slice(0, 100)) specs.push(alarmSpec(store, a));
  }
  return { specs, count: list.length, more: Math.max(0, rows.length - MAX_ROWS) };
}

/** Puts `want` as the children of `parent` in order, moving only what is out of place. */
export function reconcileChildren(parent: HTMLElement, want: readonly HTMLElement[]): void {
  for (let i = 0; i < want.length; i++) {
    const el = want[i]!;
    if (parent.children[i] !== el) parent.insertBefore(el, parent.children[i] ?? null);
  }
  while (parent.children.length > want.length) parent.lastElementChild!.remove();
}

export function mountAlarmList(store: RootStore, box: HTMLElement): () => void {
  const title = h('span', {});
  const tabs = (['open', 'unacked', 'all'] as const).map((f) => {
    const key: StringKey = f === 'open' ? 'filterOpen' : f === 'unacked' ? 'filterUnacked' : 'filterAll';
    const b = button(t(key), { 'data-testid': `alarm-filter-${f}` }, () => void store.command({ type: 'setAlarmFilter', filter: f as AlarmFilter }));
    return { f, key, b };
  });
  const chips = (['all', ...ALARM_CATEGORIES.filter((c) => c !== 'parking')] as const).map((c: AlarmCategory | 'all') => ({
    c,
    b: button(
      c === 'all' ? t('filterAll') : categoryLabel(c),
      { 'data-testid': `alarm-category-${c}` },
      () => void store.command({ type: 'setAlarmCategory', category: c }),
    ),
  }));
  const chipNav = h('nav', { class: 'chips' }, ...chips.map((x) => x.b));
  const ul = h('ul', {});
  const empty = h('p', { class: 'empty' });
  const more = h('p', { class: 'more' });
  box.replaceChildren(h('h2', {}, title, h('nav', {}, ...tabs.map((x) => x.b))), chipNav, ul, empty, more);
  const rows = new Map<string, { sig: string; el: HTMLElement }>();
  const setText = (el: HTMLElement, text: string) => {
    if (el.textContent !== text) el.textContent = text;
  };
  const dispose = autorun(() => {
    void store.ui.locale;
    const filter = store.ui.alarmFilter;
    const cat = store.ui.alarmCategory;
    for (const { f, key, b } of tabs) {
      setText(b, t(key));
      b.classList.toggle('active', filter === f);
    }
    for (const { c, b } of chips) {
      setText(b, c === 'all' ? t('filterAll') : categoryLabel(c));
      b.classList.toggle('active', cat === c);
    }
    chipNav.setAttribute('aria-label', t('alarms.categoryFilter'));
    const { specs, count, more: hidden } = listSpecs(store);
    setText(title, `${t('alarms')} (${count})`);
    const want: HTMLElement[] = [];
    const keep = new Set<string>();
    for (const s of specs) {
      if (keep.has(s.key)) continue; // one element per key (a key twice would move the row, not show it twice)
      keep.add(s.key);
      let row = rows.get(s.key);
      if (!row || row.sig !== s.sig) {
        const el = s.make();
        if (row) row.el.replaceWith(el);
        rows.set(s.key, (row = { sig: s.sig, el }));
      }
      want.push(row.el);
    }
    for (const k of [...rows.keys()]) if (!keep.has(k)) rows.delete(k);
    reconcileChildren(ul, want);
    ul.hidden = !want.length;
    empty.hidden = want.length > 0;
    setText(empty, t('noAlarms'));
    more.hidden = hidden === 0;
    setText(more, hidden ? `+${hidden}` : '');
  });
  return dispose;
}
