/**
 * The sources panel (issue 18): every connected sensor platform (MQTT broker, HTTP push) with its state, rate, last
 * message, counts and the sources file it runs; expanded, its quarantine by reason and the latest quarantined
 * messages. Opened from the top bar (whose button carries a badge while a source is quiet, failing or reconnecting)
 * or by clicking a feed alarm. Samples are untrusted platform text: always set as textContent (dom.ts h()).
 */
import { autorun, reaction } from 'mobx';
import type { QuarantineSample, SourceStatus } from '../../../data-pipelines/contracts/sources.ts';
import { fmtNumber, fmtTime, t } from '../i18n.ts';
import { fmtAgo, fmtRate, messageAgeMs, reasonLabel, reasonRows, stateBadge } from '../feed/sources-format.ts';
import type { RootStore } from '../stores/root.ts';
import { button, h } from './dom.ts';

/** The command line that connects a sources file (docs/sources.md). */
const CONNECT_COMMAND = 'npx tsx data-pipelines/feed/main.ts --sources FILE';

function sampleItem(q: QuarantineSample): HTMLElement {
  const field = (key: Parameters<typeof t>[0], value: string | undefined, cls = '') =>
    value ? h('div', { class: `q-field ${cls}` }, h('span', { class: 'q-key' }, t(key)), ' ', h('span', { class: 'q-val', 'data-i18n-data': '' }, value)) : '';
  return h(
    'li',
    { class: 'q-sample', 'data-testid': 'source-sample', 'data-reason': q.reason },
    h('div', { class: 'q-head' }, h('span', { class: 'q-reason', title: q.reason }, reasonLabel(q.reason)), ' ', h('span', { class: 'muted' }, fmtTime(q.at))),
    field('sources.sample.detail', q.detail),
    field('sources.sample.topic', q.topic),
    field('sources.sample.path', q.path),
    field('sources.sample.device', q.device),
    // untrusted text: a text node inside <pre>, never markup
    h('pre', { class: 'q-raw', 'data-testid': 'source-sample-raw', title: t('sources.sample.sample') }, q.sample),
  );
}

function details(s: SourceStatus): HTMLElement {
  const reasons = reasonRows(s.byReason);
  return h(
    'div',
    { class: 'src-details', 'data-testid': 'source-details' },
    h('h3', {}, t('sources.byReason')),
    reasons.length
      ? h(
          'table',
          { class: 'src-reasons', 'data-testid': 'source-reasons' },
          h(
            'tbody',
            {},
            ...reasons.map((r) =>
              h('tr', { 'data-reason': r.reason, title: r.reason }, h('td', {}, reasonLabel(r.reason)), h('td', { class: 'num' }, fmtNumber(r.count))),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('sources.noQuarantine')),
    s.recent.length ? h('h3', {}, t('sources.recent')) : '',
    s.recent.length ? h('ul', { class: 'q-list' }, ...s.recent.map(sampleItem)) : '',
  );
}

/** The wall's title-bar pill while sources are in trouble (the console has the badge on its top-bar button). */
export function sourcesTroublePill(ids: readonly string[]): HTMLElement | '' {
  return ids.length
    ? h(
        'span',
        { class: 'sources-trouble', role: 'status', 'data-testid': 'wall-sources-trouble', title: t('sources.troubleTitle', { names: ids.join(', ') }) },
        t('sources.wallPill', { n: ids.length }),
      )
    : '';
}

/**
 * Mounts the panel over the map stage and returns the top-bar button (kept across the top bar's re-renders) and the
 * unmount function.
 */
export function mountSourcesPanel(store: RootStore, stage: HTMLElement): { toggle: HTMLElement; unmount: () => void } {
  const panel = h('section', { class: 'sources-panel', 'data-testid': 'sources-panel', hidden: true });
  stage.append(panel);
  const toggle = h('button', { class: 'sources-toggle', 'data-testid': 'sources-toggle' });
  toggle.onclick = () => void store.command({ type: 'sourcesPanel', open: !store.ui.sourcesOpen });
  // an expanded source's details, kept while its content is unchanged: a sample being selected/copied survives the
  // status updates (every ~2 s, the rates change)
  const detailCache = new Map<string, { key: string; el: HTMLElement }>();

  const disposers = [
    // the top-bar button and its trouble badge
    autorun(() => {
      void store.ui.locale;
      const ids = store.sources.troubleIds;
      toggle.classList.toggle('active', store.ui.sourcesOpen);
      toggle.classList.toggle('trouble', ids.length > 0);
      toggle.dataset['trouble'] = String(ids.length);
      toggle.title = ids.length ? t('sources.troubleTitle', { names: ids.join(', ') }) : t('sources.openTitle');
      toggle.replaceChildren(
        t('sources.open'),
        ids.length ? h('span', { class: 'src-badge', 'data-testid': 'sources-badge', role: 'status' }, t('sources.troubleBadge', { n: ids.length })) : '',
      );
    }),
    autorun(() => {
      void store.ui.locale;
      const open = store.ui.sourcesOpen;
      panel.hidden = !open;
      if (!open) return;
      const st = store.sources.status;
      const expanded = store.ui.expandedSources;
      const focus = store.ui.sourcesFocus;
      const close = button(
        '×',
        { class: 'close', title: t('close'), 'aria-label': t('sources.close'), 'data-testid': 'sources-close' },
        () => void store.command({ type: 'sourcesPanel', open: false }),
      );
      const how = [
        h('p', { class: 'muted' }, t('sources.noneHow')),
        h('pre', { class: 'src-cmd' }, CONNECT_COMMAND),
        h('p', { class: 'muted' }, t('sources.noneDoc')),
      ];
      const notes = [
        store.feed.status !== 'live' && st ? h('p', { class: 'warn', 'data-testid': 'sources-stale' }, t('sources.stale')) : '',
        store.sources.lastInvalid
          ? h('p', { class: 'warn', 'data-testid': 'sources-invalid' }, t('sources.invalid', { reason: store.sources.lastRejectReason ?? '' }))
          : '',
      ];
      if (!st || !st.sources.length) {
        detailCache.clear();
        panel.replaceChildren(
          h('h2', {}, t('sources.title'), close),
          ...notes,
          h('p', { 'data-testid': 'sources-empty' }, t(st ? 'sources.none' : 'sources.waiting')),
          ...how,
        );
        return;
      }
      const trouble = store.sources.troubleIds.length;
      const sinceStatus = Math.max(0, Date.now() - store.sources.receivedAt);
      const seen = new Set<string>();
      const rows = st.sources.map((s) => {
        seen.add(s.id);
        const badge = stateBadge(s.state);
        const open = expanded.includes(s.id);
        let det: HTMLElement | '' = '';
        if (open) {
          const key = JSON.stringify([store.ui.locale, s.byReason, s.recent]);
          const hit = detailCache.get(s.id);
          det = hit?.key === key ? hit.el : details(s);
          detailCache.set(s.id, { key, el: det });
        }
        // the age when the status arrived; the clock autorun below adds the time since (untracked here: no rebuild per tick)
        const age = messageAgeMs(s.lastMessageAt, st.ts, store.sources.receivedAt, store.sources.receivedAt);
        const expander = button(
          open ? `▾ ${t('sources.collapse')}` : `▸ ${t('sources.expand')}`,
          { class: 'src-expand', 'data-testid': 'source-expand', 'aria-expanded': String(open) },
          () => void store.command({ type: 'toggleSource', sourceId: s.id }),
        );
        return h(
          'li',
          {
            class: `src-row ${badge.tone}${focus === s.id ? ' focused' : ''}`,
            'data-testid': 'source-row',
            'data-source': s.id,
            'data-state': s.state,
            'data-quarantined': String(s.quarantined),
            'data-messages': String(s.messages),
          },
          h(
            'div',
            { class: 'src-head' },
            h('span', { class: badge.cls, 'data-testid': 'source-state' }, t(badge.key)),
            h('b', { class: 'src-id' }, s.id),
            s.name ? h('span', { class: 'src-name', 'data-i18n-data': '' }, s.name) : '',
            h('span', { class: 'spacer' }),
            h('span', { class: 'src-rate', 'data-testid': 'source-rate' }, fmtRate(s.ratePerS)),
            h(
              'span',
              {
                class: 'src-ago',
                'data-testid': 'source-last',
                'data-ago-base': age === null ? '' : String(age),
                title: s.lastMessageAt ? fmtTime(s.lastMessageAt) : '',
              },
              fmtAgo(age === null ? null : age + sinceStatus),
            ),
          ),
          h(
            'div',
            { class: 'muted' },
            `${t(`sources.kind.${s.kind}`)} · `,
            h('span', { class: 'src-endpoint', 'data-i18n-data': '' }, s.endpoint),
            ` · ${t('sources.since', { time: fmtTime(s.since) })}`,
          ),
          s.detail ? h('div', { class: `src-detail ${badge.tone}`, 'data-i18n-data': '' }, s.detail) : '',
          h(
            'div',
            { class: 'src-counts', 'data-testid': 'source-counts' },
            t('sources.counts', { messages: s.messages, journaled: s.journaled, duplicates: s.duplicates, quarantined: s.quarantined }),
          ),
          h(
            'div',
            { class: 'muted' },
            `${t('sources.file')}: `,
            h('code', { class: 'src-file', 'data-i18n-data': '' }, s.file),
            ` · ${t('sources.quietAfter', { n: s.quietAfterMin })}`,
          ),
          expander,
          det,
        );
      });
      for (const id of [...detailCache.keys()]) if (!seen.has(id) || !expanded.includes(id)) detailCache.delete(id);
      panel.replaceChildren(
        h('h2', {}, t('sources.title'), close),
        h(
          'p',
          { class: 'muted', 'data-testid': 'sources-summary' },
          t('sources.summary', { n: st.sources.length, trouble }),
          ' · ',
          h('span', { class: 'src-updated' }, t('sources.updated', { ago: fmtAgo(sinceStatus) })),
        ),
        ...notes,
        h('ul', { class: 'src-list' }, ...rows),
      );
    }),
    // relative times tick with the feed clock without rebuilding the panel (a selection in it survives)
    autorun(() => {
      void store.ui.locale;
      const now = store.feed.now;
      if (!store.ui.sourcesOpen) return;
      const since = Math.max(0, now - store.sources.receivedAt);
      for (const el of panel.querySelectorAll<HTMLElement>('.src-ago[data-ago-base]')) {
        const base = el.dataset['agoBase'];
        el.textContent = fmtAgo(base ? Number(base) + since : null);
      }
      const upd = panel.querySelector<HTMLElement>('.src-updated');
      if (upd) upd.textContent = t('sources.updated', { ago: fmtAgo(since) });
    }),
    // opened for a source (a feed alarm clicked): bring its row into view
    reaction(
      () => [store.ui.sourcesOpen, store.ui.sourcesFocus] as const,
      ([open, id]) => {
        if (!open || !id) return;
        requestAnimationFrame(() => panel.querySelector(`[data-source="${CSS.escape(id)}"]`)?.scrollIntoView({ block: 'nearest' }));
      },
    ),
  ];
  return {
    toggle,
    unmount: () => {
      disposers.forEach((d) => d());
      panel.remove();
    },
  };
}
