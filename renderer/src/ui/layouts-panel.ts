/** Left-panel section: saved layouts per user — save, restore, delete, export to a file, import a file. */
import { autorun, observable, runInAction } from 'mobx';
import { fmtDateTime, t } from '../i18n.ts';
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
  const name = h('input', { type: 'text', 'data-testid': 'layout-name', maxlength: 80 });
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
    void store.ui.locale;
    name.placeholder = t('layouts.namePlaceholder');
    box.replaceChildren(
      h('h2', {}, t('layouts.title')),
      h(
        'div',
        { class: 'row' },
        name,
        button(t('layouts.save'), { 'data-testid': 'layout-save' }, () => {
          const a = store.analysis;
          const layout = captureLayout(
            store.ui,
            { metric: a.metric, display: a.display, params: a.params },
            name.value || t('layouts.defaultName'),
            deps.cameras(),
            Date.now(),
            store.video.saved,
          );
          shelf().save(layout);
          void store.command({ type: 'saveLayout', name: layout.name });
          name.value = '';
          refresh();
        }),
      ),
      h('label', { class: 'muted' }, t('layouts.importFile'), file),
      state.error ? h('div', { class: 'error', 'data-testid': 'layout-error' }, state.error) : '',
      h(
        'ul',
        { class: 'import-list', 'data-testid': 'layout-list' },
        ...state.items.map((l) =>
          h(
            'li',
            { 'data-layout': l.name },
            h(
              'div',
              {},
              h('b', { 'data-i18n-data': '' }, l.name),
              h(
                'span',
                { class: 'muted' },
                ` · ${t(l.view === '3d' ? 'layouts.view3d' : 'layouts.view2d')} · ${t('layouts.savedAt', { time: fmtDateTime(l.savedAt) })}`,
              ),
            ),
            h(
              'div',
              { class: 'row' },
              button(t('layouts.restore'), { 'data-testid': `layout-apply-${l.name}` }, () => void store.command({ type: 'applyLayout', layout: l })),
              button(t('layouts.export'), { 'data-testid': `layout-export-${l.name}` }, () =>
                download(`redwall-layout-${l.name}.json`, 'application/json', JSON.stringify(l, null, 2)),
              ),
              button(t('layouts.delete'), { 'data-testid': `layout-delete-${l.name}` }, () => {
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
