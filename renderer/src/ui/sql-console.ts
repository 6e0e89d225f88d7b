/**
 * SQL console drawer over the map: schema browser (tables and columns of the local DuckDB), a read-only query box
 * (Ctrl+Enter runs), errors shown as DuckDB reports them, results as a table and — with lon/lat columns — on the map.
 */
import { autorun } from 'mobx';
import { errorText, t } from '../i18n.ts';
import type { RootStore } from '../stores/root.ts';
import { button, h } from './dom.ts';

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'object') {
    const arr = (v as { toArray?: () => ArrayLike<unknown> }).toArray?.();
    if (arr) return `[${Array.from(arr).slice(0, 6).join(', ')}${arr.length > 6 ? ', …' : ''}]`;
    return JSON.stringify(v).slice(0, 80);
  }
  return String(v);
};

export function mountSqlConsole(store: RootStore, stage: HTMLElement): () => void {
  const a = store.analysis;
  const drawer = h('section', { class: 'sql-console', 'data-testid': 'sql-console' });
  stage.append(drawer);
  const input = h('textarea', { 'data-testid': 'sql-input', spellcheck: 'false', rows: 6 });
  const runIt = () => void store.command({ type: 'analysis', cmd: { op: 'sql', sql: input.value } });
  const run = button('', { 'data-testid': 'sql-run' }, runIt);
  // cancels the running query in DuckDB (not queued behind it); also cancelled after CONSOLE_TIMEOUT_MS
  const stop = button('', { 'data-testid': 'sql-stop' }, () => void store.command({ type: 'analysis', cmd: { op: 'stopSql' } }));
  const clear = button('', { 'data-testid': 'sql-clear' }, () => void store.command({ type: 'analysis', cmd: { op: 'clearConsole' } }));
  const close = button('▾', { 'data-testid': 'sql-close' }, () => stage.classList.remove('console-open'));
  input.value = a.consoleSql;
  input.onkeydown = (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      runIt();
    }
  };
  const schemaBox = h('div', { class: 'schema', 'data-testid': 'sql-schema' });
  const resultBox = h('div', { class: 'sql-result' });
  const insert = (text: string) => {
    const s = input.selectionStart ?? input.value.length;
    input.value = input.value.slice(0, s) + text + input.value.slice(input.selectionEnd ?? s);
    input.focus();
  };
  const dispose = [
    autorun(() => {
      void store.ui.locale;
      input.setAttribute('aria-label', t('console.input'));
      run.textContent = t('console.run');
      stop.textContent = t('console.stop');
      stop.disabled = !(a.consoleRunning || a.consoleWaiting);
      run.disabled = a.consoleRunning || a.consoleWaiting;
      clear.textContent = t('console.clear');
      close.title = t('console.close');
      close.setAttribute('aria-label', t('console.close'));
    }),
    autorun(() => {
      void store.ui.locale;
      schemaBox.replaceChildren(
        h('div', { class: 'legend-title' }, t('console.tables')),
        ...a.schema.map((tb) => {
          const d = h(
            'details',
            { 'data-table': tb.table },
            h('summary', { title: t('console.insertTable') }, tb.table),
            h(
              'ul',
              {},
              ...tb.columns.map((c) => {
                const li = h('li', { title: t('console.insertColumn') }, `${c.name} `, h('span', { class: 'muted' }, c.type));
                li.onclick = () => insert(c.name);
                return li;
              }),
            ),
          );
          d.querySelector('summary')!.ondblclick = () => insert(tb.table);
          return d;
        }),
      );
    }),
    autorun(() => {
      void store.ui.locale;
      const r = a.console;
      if (a.consoleWaiting) {
        resultBox.replaceChildren(h('div', { class: 'muted', 'data-testid': 'sql-db-waiting' }, t('console.dbWaiting')));
        return;
      }
      if (a.consoleRunning) {
        resultBox.replaceChildren(h('div', { class: 'muted', 'data-testid': 'sql-running' }, t('console.running')));
        return;
      }
      if (!r) {
        // the database comes up a few seconds after the map: a query run before waits for it (stores/analysis-store.ts)
        if (a.dbStarting) resultBox.replaceChildren(h('div', { class: 'muted', 'data-testid': 'sql-db-starting' }, t('console.dbStarting')));
        else resultBox.replaceChildren(h('div', { class: 'muted' }, t('console.intro')));
        return;
      }
      if (r.error) {
        // the console's own refusal is said again in the current language; DuckDB's errors are DuckDB's words
        resultBox.replaceChildren(h('div', { class: 'error sql-error', 'data-testid': 'sql-error' }, r.failure ? errorText(r.failure) : r.error));
        return;
      }
      resultBox.replaceChildren(
        h(
          'div',
          { class: 'muted', 'data-testid': 'sql-status', 'data-rows': String(r.total), 'data-points': String(r.points.length) },
          `${t(r.truncated ? 'console.rowsTruncated' : 'console.rows', { n: r.total })} · ${r.ms.toFixed(0)} ms${r.total > r.rows.length ? ` · ${t('console.firstRows', { n: r.rows.length })}` : ''}${r.points.length ? ` · ${t('console.points', { n: r.points.length })}` : ''}`,
        ),
        h(
          'table',
          { 'data-testid': 'sql-result' },
          h('tr', {}, ...r.columns.map((c) => h('th', {}, c))),
          ...r.rows.slice(0, 200).map((row) => h('tr', {}, ...r.columns.map((c) => h('td', {}, cell(row[c]))))),
        ),
      );
    }),
  ];
  drawer.replaceChildren(
    h('div', { class: 'sql-side' }, schemaBox),
    h('div', { class: 'sql-main' }, input, h('div', { class: 'row' }, run, stop, clear, close), resultBox),
  );
  return () => {
    dispose.forEach((d) => d());
    drawer.remove();
  };
}
