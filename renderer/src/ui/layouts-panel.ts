/** Left-panel section: saved layouts per user — save, restore, delete, export to a file, import a file. */
import { autorun, observable, runInAction } from 'mobx';
import { locale } from '../i18n.ts';
import { captureLayout, LayoutShelf, parseLayout, type LayoutFile } from '../stores/layouts.ts';
import type { RootStore } from '../stores/root.ts';
import { button, download, h } from './dom.ts';

export interface LayoutsPanelDeps {
  cameras(): { camera3d: LayoutFile['camera3d']; camera2d: LayoutFile['camera2d'] };
  storage: Storage;
}

export function mountLayoutsPanel(store: RootStore, box: HTMLElement, deps: LayoutsPanelDeps): () => void {
  const shelf = () => new LayoutShelf(deps.storage, store.ui.actor);
  const state = observable({ items: shelf().list(), error: '' }, {}, { deep: false });
  const refresh = (error = '') => runInAction(() => Object.assign(state, { items: shelf().list(), error }));
  const name = h('input', { type: 'text', placeholder: '布局名称 name', 'data-testid': 'layout-name', maxlength: 80 });
  const file = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'layout-file' });
  file.onchange = () => {
    const f = file.files?.[0];
    file.value = '';
    if (!f) return;
    void f.text().then((text) => {
      const r = parseLayout(text, f.name);
      if (!r.ok) return refresh(r.error);
      shelf().save(r.layout);
      void store.command({ type: 'saveLayout', name: r.layout.name });
      refresh();
    });
  };
  const dispose = autorun(() => {
    const zh = locale() === 'zh-CN';
    box.replaceChildren(
      h('h2', {}, zh ? '工作布局' : 'Saved layouts'),
      h(
        'div',
        { class: 'row' },
        name,
        button(zh ? '保存' : 'Save', { 'data-testid': 'layout-save' }, () => {
          const a = store.analysis;
          const layout = captureLayout(store.ui, { metric: a.metric, display: a.display, params: a.params }, name.value || (zh ? '布局' : 'layout'), deps.cameras());
          shelf().save(layout);
          void store.command({ type: 'saveLayout', name: layout.name });
          name.value = '';
          refresh();
        }),
      ),
      h('label', { class: 'muted' }, zh ? '导入布局文件' : 'Import a layout file', file),
      state.error ? h('div', { class: 'error', 'data-testid': 'layout-error' }, state.error) : '',
      h(
        'ul',
        { class: 'import-list', 'data-testid': 'layout-list' },
        ...state.items.map((l) =>
          h(
            'li',
            { 'data-layout': l.name },
            h('div', {}, h('b', {}, l.name), h('span', { class: 'muted' }, ` · ${l.view.toUpperCase()} · ${new Date(l.savedAt + 8 * 3600_000).toISOString().slice(5, 16).replace('T', ' ')}`)),
            h(
              'div',
              { class: 'row' },
              button(zh ? '恢复' : 'Restore', { 'data-testid': `layout-apply-${l.name}` }, () => void store.command({ type: 'applyLayout', layout: l })),
              button(zh ? '导出' : 'Export', { 'data-testid': `layout-export-${l.name}` }, () => download(`redwall-layout-${l.name}.json`, 'application/json', JSON.stringify(l, null, 2))),
              button(zh ? '删除' : 'Delete', { 'data-testid': `layout-delete-${l.name}` }, () => {
                shelf().remove(l.name);
                void store.command({ type: 'deleteLayout', name: l.name });
                refresh();
              }),
            ),
          ),
        ),
      ),
    );
  });
  return dispose;
}
