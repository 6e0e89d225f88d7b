/**
 * The live alarm list (issue 24): filter tabs, category chips, real alarms then drill alarms below their own divider,
 * floods folded into group rows. Virtualised: every alarm is in the list (scroll to it), but only the rows in sight
 * (and a few either side) are in the DOM, between two spacers that keep the scroll height; rows have fixed heights per
 * kind (styles.css), measured once from the DOM. Updated in place, keyed: a row is rebuilt only when what it shows
 * changed, rows are moved rather than recreated, and the tabs and chips stay the same elements — under an alarm flood
 * the list costs what is in sight, not the whole list, and a click is never lost to its button being replaced mid-click.
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

/** Rows drawn beyond each edge of what is in sight (so a fast scroll or a wheel step finds them there). */
export const OVERSCAN_ROWS = 8;
/** Rows drawn when the list has no height yet (hidden, or not laid out): the top of the list. */
export const UNSIZED_ROWS = 40;

export type RowKind = 'alarm' | 'group' | 'divider';
/** Row heights (px) until measured in the DOM; styles.css fixes each kind's height. */
export const DEFAULT_ROW_HEIGHTS: Readonly<Record<RowKind, number>> = { alarm: 47, group: 31, divider: 23 };

/**
 * The rows to draw for a scroll position: `tops` holds each row's top and, last, the total height (length n + 1).
 * Rows that overlap [viewTop, viewTop + viewHeight], plus `overscan` either side; [start, end) indices.
 */
export function visibleRange(tops: ArrayLike<number>, viewTop: number, viewHeight: number, overscan: number): { start: number; end: number } {
  const n = tops.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  // first row whose bottom is below viewTop
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tops[mid + 1]! <= viewTop) lo = mid + 1;
    else hi = mid;
  }
  const first = Math.min(lo, n - 1);
  let last = first;
  while (last < n && tops[last]! < viewTop + viewHeight) last++;
  return { start: Math.max(0, first - overscan), end: Math.min(n, Math.max(last, first + 1) + overscan) };
}

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

/** A row of the list: its key and kind at once, what it shows only when drawn. */
interface RowEntry {
  key: string;
  kind: RowKind;
  spec: () => RowSpec;
  /** a group row: whether one of its folded alarms is this one */
  holds?: (alarmId: string) => boolean;
}

/** Every row the list holds now, in order (pure apart from reading the store; O(alarms)). */
function listRows(store: RootStore): { rows: RowEntry[]; count: number } {
  const filter = store.ui.alarmFilter;
  const cat = store.ui.alarmCategory;
  const all = cat === 'all' ? store.live.alarms : store.live.alarms.filter((a) => a.category === cat);
  const list = filter === 'all' ? all : filter === 'unacked' ? all.filter((a) => a.state === 'new') : all.filter((a) => a.state !== 'closed');
  // Drill alarms are never mixed in with real ones: real first, drill alarms below their own divider.
  const real = groupAlarms(list.filter((a) => !a.drill));
  const drill = groupAlarms(list.filter((a) => a.drill));
  const out: RowEntry[] = [];
  const single = (a: Alarm): RowEntry => ({ key: `a|${a.alarmId}`, kind: 'alarm', spec: () => alarmSpec(store, a) });
  for (const [section, rows] of [
    ['real', real],
    ['drill', drill],
  ] as const) {
    if (section === 'drill' && drill.length) {
      const text = t('alarms.drillDivider', { n: drill.length });
      out.push({
        key: 'drill-divider',
        kind: 'divider',
        spec: () => ({ key: 'drill-divider', sig: text, make: () => h('li', { class: 'drill-divider', 'data-testid': 'drill-divider' }, text) }),
      });
    }
    for (const r of rows) {
      if (r.type === 'single') {
        out.push(single(r.alarm));
        continue;
      }
      // opened per section too: a drill flood does not open with the real one (groupAlarms keys by category and cause)
      const key = `${section}|${r.key}`;
      const open = store.ui.expandedGroups.includes(key);
      out.push({
        key: `g|${key}`,
        kind: 'group',
        holds: (id) => r.alarms.some((a) => a.alarmId === id),
        spec: () => {
          const text = t('alarms.groupRow', { category: categoryLabel(r.category), cause: causeLabel(r.alarms[0]!), n: r.alarms.length });
          const tail = open ? '▾' : `▸ ${t('expand')}`;
          return {
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
          };
        },
      });
      if (open) for (const a of r.alarms) out.push(single(a));
    }
  }
  return { rows: out, count: list.length };
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
  // the rows above and below what is drawn: they keep the scroll height, so the scrollbar is the whole list's
  const padTop = h('li', { class: 'alarm-pad', 'aria-hidden': 'true' });
  const padBottom = h('li', { class: 'alarm-pad', 'aria-hidden': 'true' });
  const empty = h('p', { class: 'empty' });
  box.replaceChildren(h('h2', {}, title, h('nav', {}, ...tabs.map((x) => x.b))), chipNav, ul, empty);
  const drawn = new Map<string, { sig: string; el: HTMLElement }>();
  const heights: Record<RowKind, number> = { ...DEFAULT_ROW_HEIGHTS };
  const measured = new Set<RowKind>();
  let rows: RowEntry[] = [];
  let tops = new Float64Array(1);
  let lastSelected: string | null | undefined;
  /** the selected alarm, brought into sight (its row, or its flood's group row) once the layout has settled */
  let revealing: string | null = null;
  const setText = (el: HTMLElement, text: string) => {
    if (el.textContent !== text) el.textContent = text;
  };
  const layout = () => {
    tops = new Float64Array(rows.length + 1);
    for (let i = 0; i < rows.length; i++) tops[i + 1] = tops[i]! + heights[rows[i]!.kind];
  };
  /** Scrolls the row of the alarm being revealed (or the group row it is folded into) fully into sight. */
  const reveal = (): 'moved' | 'inSight' | 'none' => {
    if (!revealing || !box.clientHeight) return 'none';
    const id = revealing;
    let i = rows.findIndex((r) => r.key === `a|${id}`);
    if (i < 0) i = rows.findIndex((r) => r.holds?.(id));
    if (i < 0) return 'none'; // not in the list (filtered out, or not arrived yet): revealed when it is
    const top = tops[i]! + ul.offsetTop;
    const bottom = tops[i + 1]! + ul.offsetTop;
    if (top >= box.scrollTop && bottom <= box.scrollTop + box.clientHeight) return 'inSight';
    box.scrollTop = top < box.scrollTop ? top : Math.min(top, bottom - box.clientHeight);
    return 'moved';
  };
  /**
   * Draws the rows in sight (and OVERSCAN_ROWS either side) between the two spacers. The selected alarm is revealed
   * first, on every draw until a draw after the selection's own finds it in sight: the list's height moves as the
   * panels above it open (selecting an alarm opens its detail, after this list has drawn), and a scroll or resize
   * draw sees the settled layout.
   */
  const draw = (selectionDraw = false) => {
    if (reveal() === 'inSight' && !selectionDraw) revealing = null;
    const viewHeight = box.clientHeight;
    const { start, end } = viewHeight
      ? visibleRange(tops, box.scrollTop - ul.offsetTop, viewHeight, OVERSCAN_ROWS)
      : { start: 0, end: Math.min(rows.length, UNSIZED_ROWS) };
    const want: HTMLElement[] = [padTop];
    const keep = new Set<string>();
    for (let i = start; i < end; i++) {
      const entry = rows[i]!;
      if (keep.has(entry.key)) continue; // one element per key (a key twice would move the row, not show it twice)
      keep.add(entry.key);
      const s = entry.spec();
      let row = drawn.get(s.key);
      if (!row || row.sig !== s.sig) {
        const el = s.make();
        el.dataset['kind'] = entry.kind;
        if (row) row.el.replaceWith(el);
        drawn.set(s.key, (row = { sig: s.sig, el }));
      }
      want.push(row.el);
    }
    for (const k of [...drawn.keys()]) if (!keep.has(k)) drawn.delete(k);
    want.push(padBottom);
    padTop.style.height = `${tops[start] ?? 0}px`;
    padBottom.style.height = `${(tops[rows.length] ?? 0) - (tops[end] ?? 0)}px`;
    reconcileChildren(ul, want);
    ul.hidden = !rows.length;
    empty.hidden = rows.length > 0;
    // each kind's height, once, from a drawn row (the defaults are styles.css's; a different font or zoom moves them)
    let changed = false;
    for (const el of want) {
      const kind = el.dataset['kind'] as RowKind | undefined;
      if (!kind || measured.has(kind) || !el.offsetHeight) continue;
      measured.add(kind);
      if (el.offsetHeight !== heights[kind]) {
        heights[kind] = el.offsetHeight;
        changed = true;
      }
    }
    if (changed) {
      layout();
      draw(selectionDraw);
    }
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
    // scrolled into the list: the row at the top of the view stays where it is when alarms arrive above it (the
    // browser's own scroll anchoring cannot follow rows that a virtualised list takes out of the DOM)
    const viewTop = box.scrollTop - ul.offsetTop;
    let anchor: { key: string; offset: number } | null = null;
    if (viewTop > 0 && rows.length && box.clientHeight) {
      const { start } = visibleRange(tops, viewTop, 1, 0);
      anchor = { key: rows[start]!.key, offset: viewTop - tops[start]! };
    }
    const list = listRows(store);
    rows = list.rows;
    setText(title, `${t('alarms')} (${list.count})`);
    setText(empty, t('noAlarms'));
    layout();
    // an alarm selected elsewhere (the map, the wall, a search) is scrolled into sight
    const selected = store.ui.selectedAlarmId;
    if (selected !== lastSelected) {
      lastSelected = selected;
      revealing = selected;
    }
    if (anchor && !revealing) {
      const i = rows.findIndex((r) => r.key === anchor.key);
      if (i >= 0 && Math.abs(tops[i]! + anchor.offset - viewTop) >= 1) box.scrollTop = tops[i]! + anchor.offset + ul.offsetTop;
    }
    // the rows' text reads the store (selection, locale): drawn inside the reaction, so a change there redraws them
    draw(true);
  });
  const onScroll = () => draw();
  box.addEventListener('scroll', onScroll, { passive: true });
  // the operator scrolls by hand: stop keeping the selected alarm in sight
  const byHand = () => (revealing = null);
  const handEvents = ['wheel', 'pointerdown', 'keydown', 'touchstart'] as const;
  for (const e of handEvents) box.addEventListener(e, byHand, { passive: true });
  const resize = new ResizeObserver(() => {
    measured.clear();
    draw();
  });
  resize.observe(box);
  return () => {
    dispose();
    box.removeEventListener('scroll', onScroll);
    for (const e of handEvents) box.removeEventListener(e, byHand);
    resize.disconnect();
  };
}
