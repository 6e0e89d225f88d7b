/**
 * SQL console drawer over the map: schema browser (tables and columns of the local DuckDB), a read-only query box
 * (Ctrl+Enter runs), errors shown as DuckDB reports them, results as a table and — with lon/lat columns — on the map.
 */
import { autorun } from 'mobx';
import { locale } from '../i18n.ts';
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
  input.value = a.consoleSql;
  const runIt = () => void store.command({ type: 'analysis', cmd: { op: 'sql', sql: input.value } });
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
      const zh = locale() === 'zh-CN';
      schemaBox.replaceChildren(
        h('div', { class: 'legend-title' }, zh ? '本地数据表' : 'Local tables'),
        ...a.schema.map((t) => {
          const d = h('details', { 'data-table': t.table }, h('summary', {}, t.table), h('ul', {}, ...t.columns.map((c) => {
            const li = h('li', { title: zh ? '点击插入列名' : 'click to insert' }, `${c.name} `, h('span', { class: 'muted' }, c.type));
            li.onclick = () => insert(c.name);
            return li;
          })));
          d.querySelector('summary')!.ondblclick = () => insert(t.table);
          return d;
        }),
      );
    }),
    autorun(() => {
      const zh = locale() === 'zh-CN';
      const r = a.console;
      if (!r) {
        resultBox.replaceChildren(h('div', { class: 'muted' }, zh ? '只读查询；Ctrl+Enter 执行。含 lon/lat 列的结果会显示在地图上。' : 'Read-only queries; Ctrl+Enter runs. Results with lon/lat columns are drawn on the map.'));
        return;
      }
      if (r.error) {
        resultBox.replaceChildren(h('div', { class: 'error sql-error', 'data-testid': 'sql-error' }, r.error));
        return;
      }
      resultBox.replaceChildren(
        h('div', { class: 'muted', 'data-testid': 'sql-status', 'data-rows': String(r.total), 'data-points': String(r.points.length) }, `${r.total}${r.truncated ? '+' : ''} ${zh ? '行' : 'rows'}${r.truncated ? (zh ? '（已截断）' : ' (truncated)') : ''} · ${r.ms.toFixed(0)} ms${r.total > r.rows.length ? ` · ${zh ? '显示前' : 'first'} ${r.rows.length}` : ''}${r.points.length ? ` · ${r.points.length} ${zh ? '个点已显示在地图上' : 'points on the map'}` : ''}`),
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
    h(
      'div',
      { class: 'sql-main' },
      input,
      h(
        'div',
        { class: 'row' },
        button('▶ Run (Ctrl+Enter)', { 'data-testid': 'sql-run' }, runIt),
        button('✕ Clear', { 'data-testid': 'sql-clear' }, () => void store.command({ type: 'analysis', cmd: { op: 'clearConsole' } })),
        button('▾', { title: 'close', 'data-testid': 'sql-close' }, () => stage.classList.remove('console-open')),
      ),
      resultBox,
    ),
  );
  return () => {
    dispose.forEach((d) => d());
    drawer.remove();
  };
}
