import './cesium-base.ts';
import { reaction } from 'mobx';
import { getBridge } from './bridge/web.ts';
import { DistrictRepo, type DistrictMeta } from './data/district.ts';
import { LocalDb } from './data/duckdb.ts';
import { FeedClient } from './feed/client.ts';
import { t } from './i18n.ts';
import { RootStore } from './stores/root.ts';
import { mountPanels } from './ui/panels.ts';
import { drawBasemap } from './views/basemap-canvas.ts';
import { View2D, type View2DInput } from './views/view2d.ts';
import { View3D } from './views/view3d.ts';
import './debug.ts';

async function boot(): Promise<void> {
  const bootEl = document.getElementById('boot')!;
  const bridge = getBridge();
  const cfg = await bridge.getConfig();
  const store = new RootStore();

  const db = await LocalDb.open();
  const base = new URL(cfg.assetsBase, location.href).href;
  await db.loadPackage(base);
  const metaRes = await fetch(new URL('district.json', base));
  if (!metaRes.ok) throw new Error(`district.json: HTTP ${metaRes.status}`);
  const meta = (await metaRes.json()) as DistrictMeta;
  const repo = new DistrictRepo(db);
  const [buildings, streets, compounds, grid] = await Promise.all([repo.buildings(), repo.streets(), repo.compounds(), repo.grid()]);
  await repo.loadEntities(store.entities, buildings);

  mountPanels(store, meta, bridge);
  const basemap = drawBasemap({ meta, streets, compounds, grid, rings: buildings.rings });
  const el3d = document.getElementById('view3d')!;
  const el2d = document.getElementById('view2d')!;
  const view3d = new View3D(el3d, store, { meta, buildings, basemap });
  const input2d: View2DInput = { meta, buildings, streets, compounds, grid };
  let view2d: View2D | null = null;

  // Only the visible view renders; the 2D map is created on first use.
  reaction(
    () => store.ui.view,
    (v) => {
      el3d.hidden = v !== '3d';
      el2d.hidden = v !== '2d';
      if (v === '2d' && !view2d) view2d = new View2D(el2d, store, input2d);
      if (v === '2d') view2d?.resize();
      else view3d.resize();
    },
    { fireImmediately: true },
  );

  reaction(
    () => store.ui.selectedBuildingId,
    (id) => {
      if (id === null) return;
      void repo.building(id).then((info) => store.ui.setSelectedBuilding(info));
    },
  );

  const feed = new FeedClient(store, { url: cfg.feedUrl, ...(cfg.feedToken ? { token: cfg.feedToken } : {}) });
  store.sink = feed;
  feed.start();

  window.__redwall = {
    store,
    view3d,
    view2d: () => view2d,
    ready3d: view3d.ready,
    ready2d: () => (view2d ? view2d.ready : Promise.reject(new Error('2D view not created'))),
  };
  window.addEventListener('beforeunload', () => {
    feed.destroy();
    view2d?.destroy();
    view3d.destroy();
    void db.destroy();
  });
  await view3d.ready;
  bootEl.hidden = true;
  document.body.dataset['ready'] = 'true';
}

boot().catch((e: unknown) => {
  const el = document.getElementById('boot');
  if (el) {
    el.dataset['state'] = 'error';
    el.textContent = `${t('loadFailed')}: ${(e as Error).message}`;
  }
  console.error('RedWall failed to start:', e);
});
