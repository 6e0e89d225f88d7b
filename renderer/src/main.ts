import './cesium-base.ts';
import { reaction, when } from 'mobx';
import { getBridge } from './bridge/web.ts';
import { DistrictRepo, type DistrictMeta } from './data/district.ts';
import { LocalDb } from './data/duckdb.ts';
import { PackageTables } from './data/package-tables.ts';
import { FeedClient } from './feed/client.ts';
import { syncWorkTables } from './data/work-tables.ts';
import { t } from './i18n.ts';
import { RootStore } from './stores/root.ts';
import { mountAnalysisPanel } from './ui/analysis-panel.ts';
import { mountPanels } from './ui/panels.ts';
import { openScreensDialog } from './ui/wall/screens-dialog.ts';
import { mountVideoWall, startAutoWall } from './ui/video/wall.ts';
import { isMapless, isScreenMode } from './stores/ui-store.ts';
import { startScreenSync } from './wall/screen-sync.ts';
import { WallStore } from './wall/wall-store.ts';
import { drawBasemap, drawSurroundings } from './views/basemap-canvas.ts';
import type { View2D, View2DInput } from './views/view2d.ts';
import { load2dLayers, type Loaded2D } from './layers/registry.ts';
import { buildingsSourceOf } from './layers/buildings/format.ts';
import { View3D } from './views/view3d.ts';
import { prefetchNaturalEarth } from './views/natural-earth.ts';
import type { CameraState } from './types/camera.ts';
import './debug.ts';
import { nextTask, phase, whenPhase } from './perf/startup.ts';

/** DuckDB-Wasm starts this long after boot at the latest, map or no map (a view that never settles, say). */
const DB_START_AT_LATEST_MS = 10_000;

/** A name is labelled once within this distance (a complex's wings share one name). */
const LABEL_ONCE_WITHIN_M = 200;

async function boot(): Promise<void> {
  const bootEl = document.getElementById('boot')!;
  const bridge = getBridge();
  const drawsMap = !isMapless(new URLSearchParams(location.search).get('screen'));
  // DuckDB-Wasm (the planner's analyses, the SQL console, imports) starts once the first map is on screen, not beside
  // it: on a 2-core software-GL machine its compile and table loads took the cores the first map needed (issue 24:
  // the map at 6.5 s with it beside, 5.0 s with it after; docs/benchmarks.md). It starts at once where a planner needs
  // it first (the analysis workspace restored) or no map is drawn, and DB_START_AT_LATEST_MS after boot in any case.
  let startDb: () => void = () => undefined;
  let dbCancelled = false;
  const dbGate = new Promise<void>((resolve) => (startDb = () => void (dbCancelled || resolve())));
  const dbOpen = dbGate.then(() => LocalDb.open());
  if (!drawsMap) startDb();
  void whenPhase('map').then(startDb);
  const dbLatest = setTimeout(startDb, DB_START_AT_LATEST_MS);
  dbOpen.catch(() => undefined); // a config failure first: this one's own failure is not an unhandled rejection
  const cfg = await bridge.getConfig();
  phase('config');
  const store = new RootStore();
  // a planner's workspace (a layout restored, or opened before the map is drawn) wants the database now; so does a
  // window that will not draw the 3D map (the 2D view chosen, or a map-less screen given by another window)
  void when(() => store.ui.workspace === 'analysis' || store.ui.view === '2d' || isMapless(store.ui.screen)).then(startDb);
  store.session.setDemoAccounts(cfg.demoAccounts === true);

  const base = new URL(cfg.assetsBase, location.href).href;
  const metaLoad = fetch(new URL('district.json', base)).then(async (res) => {
    if (!res.ok) throw new Error(`district.json: HTTP ${res.status}`);
    return (await res.json()) as DistrictMeta;
  });
  const pkg = LocalDb.fetchPackage(base);
  // a failure of one is reported, not left as an unhandled rejection of the other
  const [fetched, meta] = await Promise.all([pkg, metaLoad]);
  // The map, the entity tables and the place index are read from the package's own Arrow bytes, not from DuckDB: the
  // console's start-up does not wait for DuckDB-Wasm (started after the map, above). DuckDB gets the same tables once
  // it is up; the analyses, the SQL console and imports wait for that, and so does 'ready'.
  const tables = PackageTables.read(fetched);
  phase('package');
  const dbReady = dbOpen.then(async (d) => {
    await d.insertPackage(fetched);
    phase('duckdb');
    return d;
  });
  dbReady.catch(() => undefined); // reported where boot waits for it (before 'ready'), not as an unhandled rejection
  // no database at all: what the planner asked for meanwhile (a query, the workspace's first run) fails with the reason
  dbReady.catch((e: unknown) => store.analysis.unavailable(e));
  // the far-away ground's imagery (views/natural-earth.ts), now that the config and the package have come: loaded
  // at boot, its 42 requests held the config's up (a browser opens 6 connections to a server), by 0.3-0.6 s
  if (drawsMap) prefetchNaturalEarth();
  await nextTask();
  const repo = new DistrictRepo(tables);
  const [buildings, streets, compounds, grid] = [repo.buildings(), repo.streets(), repo.compounds(), repo.grid()];
  repo.loadEntities(store.entities, buildings, grid);
  phase('district');
  await nextTask();

  // ?bench=per-event: the naive baseline for `npm run bench` (every event applied and rendered on its own)
  const perEvent = new URLSearchParams(location.search).get('bench') === 'per-event';
  const feed = new FeedClient(store, {
    url: cfg.feedUrl,
    ...(cfg.feedToken ? { token: cfg.feedToken } : {}),
    perEvent,
    onSessionLost: () => store.session.sessionLost(),
    // a cluster's gateways (--peers): an unreachable one is left for the next, with this screen's offsets
    ...(cfg.gateways && cfg.gateways.length > 1 ? { gateways: cfg.gateways } : {}),
  });
  store.sink = feed;
  // sign-in / sign-out: the session token lives in the feed client's memory only
  store.session.attach(feed);
  // elderly services: personal data only through the feed server (masked, role-checked, audited there)
  store.people.attach((req) => feed.call('people', req), grid);
  // incident command: zones computed here (district tables + turf, building names from DuckDB), people counts from the
  // feed server (masked and audited there), SOP files from the gateway
  store.response.attach({
    world: () => ({
      buildings: store.entities.buildingGeom,
      buildingIndex: store.entities.buildingIndex,
      wells: store.entities.wells,
      cameras: [...store.entities.cameras.values()].map((c) => ({ ...c, ptz: store.video.registry.get(c.id)?.ptz ?? false })),
      places: [...store.entities.places.values()],
      care: [...store.entities.care.values()],
      streets: store.entities.streets,
      facilities: store.entities.facilities,
    }),
    buildingNames: async (ids) => repo.buildingNames(ids),
    people: (req) => feed.call('people', req),
    loadSops: () => feed.call('sop', {}).then((a) => (a.ok ? a.sops : Promise.reject(new Error(a.error)))),
  });
  // the feed starts before the maps are built: the alarm list is live while Cesium compiles its first frame (its
  // events only fill the stores until the panels are mounted)
  feed.start();
  phase('feed');
  void when(() => store.feed.status === 'live').then(() => phase('feed-live'));
  await nextTask();
  const basemap = drawBasemap({ meta, streets, compounds, grid, rings: buildings.rings });
  const surroundings = drawSurroundings({ meta, streets });
  phase('basemap');
  await nextTask();
  // the names both maps label (computed once; a rebuilt view after a lost context reuses them)
  const landmarks = store.entities.placeIndex?.landmarks(LABEL_ONCE_WITHIN_M) ?? [];
  const el3d = document.getElementById('view3d')!;
  const el2d = document.getElementById('view2d')!;
  // --buildings tileset (shell config) or ?buildings=tileset: the 3D buildings stream from the district's 3D Tiles
  // tileset (issue 25) instead of being extruded from the footprints at start-up
  const buildingsTileset = buildingsSourceOf(location.search, cfg.buildings3d) === 'tileset' ? new URL('tiles/tileset.json', base).href : undefined;
  const mount3d = (camera?: CameraState): View3D =>
    new View3D(el3d, store, {
      meta,
      buildings,
      ...(buildingsTileset ? { buildingsTileset } : {}),
      basemap,
      surroundings,
      landmarks,
      ...(camera ? { camera } : {}),
      onContextRestored: () => {
        // Cesium cannot restore GPU resources in place: rebuild the view where the operator left the camera.
        const cam = view3d.cameraState();
        view3d.destroy();
        view3d = mount3d(cam);
        view3d.setActive(store.ui.view === '3d' && !isMapless(store.ui.screen));
        restores3d++;
      },
    });
  let restores3d = 0;
  let view3d: View3D;
  try {
    view3d = mount3d();
  } catch (e) {
    // No 3D view at all (no WebGL on this machine): the panels still come up, the alarm list live, and the reason is
    // said on the stage (boot's failure)
    mountPanels(store, meta, bridge, { storage: localStorage, cameras: () => ({ camera3d: null, camera2d: null }) });
    // the analyses are never attached on this path: what a planner asks for (a layout restored, say) fails at once
    store.analysis.unavailable(e);
    // and the database is not started for nothing (34 MB to compile for a start that has failed)
    dbCancelled = true;
    clearTimeout(dbLatest);
    throw e;
  }
  phase('view3d');
  let restores2d = 0;
  // The 2D map (maplibre, deck.gl and every layer's 2D renderer) is a chunk of its own, fetched the first time the
  // operator opens it: the 3D console's start-up never parses it (issue 24).
  type Kit2D = { View2D: typeof View2D; layers: Loaded2D[] };
  let kit2d: Promise<Kit2D> | null = null;
  const loadKit2d = (): Promise<Kit2D> =>
    (kit2d ??= Promise.all([import('./views/view2d.ts'), load2dLayers()]).then(([m, layers]) => ({ View2D: m.View2D, layers })));
  const mount2d = (kit: Kit2D, camera?: View2DInput['camera']): View2D =>
    new kit.View2D(el2d, store, {
      layers: kit.layers,
      meta,
      buildings,
      streets,
      compounds,
      grid,
      landmarks,
      ...(camera ? { camera } : {}),
      onContextRestored: () => {
        const cam = view2d?.cameraState();
        view2d?.destroy();
        view2d = mount2d(kit, cam);
        mounting2d = Promise.resolve(view2d);
        restores2d++;
      },
    });
  let view2d: View2D | null = null;
  // The panels (the operator's input) once the maps and the reactions below exist: from here to the end of start-up
  // nothing yields, so no click can reach a reaction not yet made (the start-up steps above yield between them)
  mountPanels(store, meta, bridge, {
    storage: localStorage,
    cameras: () => ({ camera3d: view3d.cameraState(), camera2d: view2d ? view2d.cameraState() : null }),
  });
  phase('panels');
  /** the 2D view being made (its code loading), then made; null until first asked for, or after a failed load */
  let mounting2d: Promise<View2D> | null = null;
  const shows2d = () => store.ui.view === '2d' && !isMapless(store.ui.screen);
  const open2d = (): Promise<View2D> => {
    if (mounting2d) return mounting2d;
    // where a restored layout put the 2D camera, if one did (as when the view was made at once)
    const asked = store.ui.cameraRequest;
    const m = (mounting2d = loadKit2d()
      // made while shown: a map made in a hidden (0 x 0) container cannot fit the district (the operator may have
      // gone back to 3D or to a map-less screen while the code loaded)
      .then((kit) => when(shows2d).then(() => kit))
      .then((kit) => {
        const v = mount2d(kit, asked?.kind === 'exact' ? (asked.camera2d ?? undefined) : undefined);
        view2d = v;
        // a camera request made while the code loaded (a search result, an alarm's focus) is not lost
        const now = store.ui.cameraRequest;
        if (now && now !== asked) v.applyCameraRequest(now);
        v.resize();
        return v;
      }));
    m.catch((e: unknown) => {
      // a chunk that cannot load (a damaged install): said; opening the 2D map again asks for it again (the browser
      // may answer from its record of the failure until the page is reloaded)
      console.error('the 2D map could not be loaded:', e);
      [mounting2d, kit2d] = [null, null];
    });
    return m;
  };

  // Which screen this window is: ?screen=wall (video-wall overview) or ?screen=dashboard (KPIs only, no map); the
  // console by default. Electron opens one window per display with these URLs (multi-display layout).
  const screenParam = new URLSearchParams(location.search).get('screen');
  if (isScreenMode(screenParam) && screenParam !== 'console') void store.command({ type: 'setScreen', screen: screenParam });
  const app = document.getElementById('app')!;
  let wallStore: WallStore | null = null;
  let unmountWall: (() => void) | null = null;
  const toggleFullScreen = () => void bridge.setFullScreen(!document.fullscreenElement).catch(() => undefined);
  // the wall and dashboard screens (and their charts, echarts) are a chunk of their own, fetched when a window shows
  // one: the console's start-up never parses them (issue 24); a window opened as a wall is ready once its wall is up
  let screenSerial = 0;
  let wallShown: Promise<void> = Promise.resolve();
  const resizeMaps = () =>
    requestAnimationFrame(() => {
      view2d?.resize();
      view3d.resize();
    });
  reaction(
    () => store.ui.screen,
    (screen) => {
      unmountWall?.();
      unmountWall = null;
      const serial = ++screenSerial;
      document.body.classList.toggle('screen-video', screen === 'video');
      if (screen === 'video') {
        // the video wall screen: the tiles fill the window (no map, no KPI columns)
        const vw = mountVideoWall(store, { full: true });
        app.append(vw.el);
        unmountWall = () => vw.destroy();
      } else if (screen !== 'console') {
        if (!wallStore) {
          const ws = (wallStore = new WallStore(store));
          ws.start();
          // 24 h of occupancy from the feed journal, once the feed is up
          void when(() => store.feed.status === 'live').then(() => ws.loadParkingHistory());
        }
        const wall = wallStore;
        wallShown = import('./ui/wall/wall-screen.ts').then(
          ({ mountWall }) => {
            if (serial !== screenSerial) return; // another screen was asked for meanwhile
            unmountWall = mountWall(store, app, {
              screen,
              meta,
              wall,
              openScreens: () => void openScreensDialog(store, bridge, cfg.shell),
              toggleFullScreen,
            });
            resizeMaps();
            // both views size their labels for the wall from its body class, set by mountWall just now
            window.dispatchEvent(new Event('resize'));
          },
          (e: unknown) => console.error('the wall screen could not be loaded:', e),
        );
      }
      // the stage changed size: let the maps fit it
      resizeMaps();
    },
    { fireImmediately: true },
  );
  window.addEventListener('keydown', (e) => {
    if (e.key === 'F11') {
      e.preventDefault();
      toggleFullScreen();
    }
  });
  startScreenSync(store);
  startAutoWall(store);

  // Only the visible view renders (none on the dashboard screen); the 2D map is created on first use.
  reaction(
    () => [store.ui.view, store.ui.screen] as const,
    ([v, screen]) => {
      const mapless = isMapless(screen);
      el3d.hidden = v !== '3d' || mapless;
      el2d.hidden = v !== '2d' || mapless;
      // created on first use (open2d)
      if (v === '2d' && !mapless && !mounting2d) void open2d();
      if (v === '2d' && !mapless) view2d?.resize();
      view3d.setActive(v === '3d' && !mapless);
    },
    { fireImmediately: true },
  );

  // Selecting a fire alarm peels its building into floors (the alarming floor and detector highlighted) and
  // plans the evacuation; selecting another kind of alarm puts the building back together.
  reaction(
    () => store.ui.selectedAlarmId,
    (id) => {
      const a = id ? store.live.alarm(id) : null;
      if (a?.category === 'fire' && a.buildingId !== undefined) {
        if (store.ui.explodedBuildingId !== a.buildingId) void store.command({ type: 'explodeBuilding', buildingId: a.buildingId });
        if (store.ui.selectedBuildingId !== a.buildingId) void store.command({ type: 'selectBuilding', buildingId: a.buildingId });
        // close enough to see the peeled floors and the detector on its landing
        void store.command({ type: 'focus', lon: a.lon, lat: a.lat, what: a.alarmId, rangeM: 160 });
      } else if (a && store.ui.explodedBuildingId !== null) void store.command({ type: 'explodeBuilding', buildingId: null });
    },
  );

  reaction(
    () => store.ui.selectedBuildingId,
    (id) => {
      if (id === null) return;
      store.ui.setSelectedBuilding(repo.building(id));
    },
  );

  // the district's camera registry (stream URLs), each time the feed is (re)connected: a gateway may have changed it
  reaction(
    () => store.feed.status === 'live',
    (live) => {
      if (!live) return;
      void store.loadCameraRegistry();
      void store.response.loadSops();
    },
    { fireImmediately: true },
  );

  // Planner workspace: analyses run on the same local DuckDB; occupancy history comes from the feed journal. Imports
  // and the analyses wait for DuckDB (up a few seconds after the map: dbReady above).
  store.imports.attach(dbReady);
  store.imports.onTablesChanged = () => void store.analysis.refreshSchema();
  // citizen requests and visit tasks as DuckDB tables (citizen_requests, request_steps, visit_tasks) for analysis,
  // rebuilt on a connection of their own (in a transaction: the console never sees a half-built or aborted set)
  void dbReady
    .then((db) => db.connectSink())
    .then(
      (sink) => syncWorkTables(store, sink, () => void store.analysis.refreshSchema()),
      (e: unknown) => console.error('citizen-request tables unavailable:', e),
    );
  // The first analysis runs when a planner first opens the workspace (operators never pay for it at boot).
  const analysisReady = dbReady.then((db) =>
    store.analysis.attach({
      db,
      origin: meta.center,
      fetchHistory: (from, to, step) => feed.call('parkingHistory', { from, to, step }),
      now: () => Date.now(),
    }),
  );
  analysisReady.catch((e: unknown) => console.error('analysis workspace failed to start:', e));
  reaction(
    () => store.ui.workspace,
    (ws) => {
      if (ws === 'analysis' && !store.analysis.result && !store.analysis.running)
        void analysisReady.then(
          () => store.command({ type: 'analysis', cmd: { op: 'setParams', params: {} } }),
          () => undefined, // said once, where analysisReady fails
        );
    },
  );
  mountAnalysisPanel(store, document.getElementById('analysis-panel')!, {
    stage: document.getElementById('stage')!,
    districtName: () => meta.name[store.ui.locale === 'zh-CN' ? 'zh-CN' : 'en'],
    captureMap: async (title, legend, legendTitle) => {
      // (the 2D view still loading: waited for, not the hidden 3D view captured instead)
      // (and its district drawn: an export clicked in the second before the map's load would be its background only)
      if (store.ui.view === '2d') {
        // once more on the rebuilt view if this one was closed before it loaded (a lost GPU context)
        for (let attempt = 0; ; attempt++) {
          const v = await open2d();
          try {
            await v.ready;
          } catch (e) {
            if (attempt > 0) throw e;
            continue;
          }
          return v.capturePng(title, legend, legendTitle);
        }
      }
      return view3d.capturePng();
    },
  });

  window.__redwall = {
    store,
    wall: () => wallStore,
    get view3d() {
      return view3d;
    },
    restores3d: () => restores3d,
    restores2d: () => restores2d,
    view2d: () => view2d,
    get ready3d() {
      return view3d.ready;
    },
    ready2d: () => (mounting2d ? mounting2d.then((v) => v.ready) : Promise.reject(new Error('2D view not created'))),
    async sql(query: string) {
      const t0 = performance.now();
      const t = await (await dbReady).query(query);
      return { rows: t.numRows, ms: performance.now() - t0, first: t.numRows ? (t.get(0)?.toJSON() as Record<string, unknown>) : null };
    },
  };
  window.addEventListener('beforeunload', () => {
    feed.destroy();
    view2d?.destroy();
    view3d.destroy();
    void dbReady.then((db) => db.destroy()).catch(() => undefined);
  });
  // the map shows once its ground is drawn (the buildings stream in over it), not once everything is ready
  if (!isMapless(store.ui.screen)) void whenPhase('map').then(() => (bootEl.hidden = true));
  // Ready: the buildings drawn (the dashboard screen draws no map: its 3D view is paused), the wall up, and the
  // analyses' database; a DuckDB that cannot start fails the start-up at once, said on the boot screen, as before
  await Promise.all([isMapless(store.ui.screen) ? null : view3d.ready, wallShown, dbReady]);
  // 3D Tiles models named on the command line (`--model`): after the district, streamed in while the app runs
  for (const m of cfg.models ?? []) void store.loadConfiguredModel(m, location.href);
  bootEl.hidden = true;
  phase('ready');
  document.body.dataset['ready'] = 'true';
}

boot().catch((e: unknown) => {
  const el = document.getElementById('boot');
  if (el) {
    el.hidden = false; // (hidden once the map was drawn: a later failure is said all the same)
    el.dataset['state'] = 'error';
    el.textContent = `${t('loadFailed')}: ${(e as Error).message}`;
  }
  console.error('RedWall failed to start:', e);
});
