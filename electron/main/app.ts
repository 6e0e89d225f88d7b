/**
 * Main-process logic behind a thin adapter: `runMain` receives the parts of Electron it uses (typed structurally
 * below), so tests drive it under plain Node with fakes, and main.ts passes the real module.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { resolve as resolvePath } from 'node:path';
import { IPC, type ShellConfig } from '../bridge/api.ts';
import type { Buildings3d } from '../../data-pipelines/contracts/shell-config.ts';
import { planWallWindows, screenQuery, WallLayout, type DisplayInfo, type PlannedWindow } from '../bridge/wall-layout.ts';
import { contentSecurityPolicy, isEvalWorkerScript } from '../bridge/csp.ts';
import { mimeOf } from '../../data-pipelines/feed/static-files.ts';
import { MODEL_HEADERS, modelFile, PACKAGE_HEADERS, parseByteRange } from '../../data-pipelines/feed/hosting.ts';
import type { ModelMount } from '../../data-pipelines/feed/model-mounts.ts';
import {
  APP_ENTRY,
  APP_SCHEME,
  defaultRoots,
  isAllowedNavigation,
  isAllowedPermission,
  isAllowedPermissionCheck,
  isAppUrl,
  isTrustedSender,
  resolveAppRequest,
  secureWebPreferences,
  type AppRoots,
} from './security.ts';

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', fn: (e: { preventDefault(): void }, url: string) => void): void;
  /** every frame's navigation, sub-frames included (will-navigate sees the main frame only) */
  on(event: 'will-frame-navigate', fn: (details: { url: string; isMainFrame: boolean; preventDefault(): void }) => void): void;
  on(event: 'will-attach-webview', fn: (e: { preventDefault(): void }) => void): void;
  on(event: 'select-bluetooth-device', fn: (e: { preventDefault(): void }, devices: unknown[], cb: (deviceId: string) => void) => void): void;
  setWindowOpenHandler(fn: (d: { url: string }) => { action: 'deny' | 'allow' }): void;
}

export interface WindowLike {
  webContents: WebContentsLike & { id: number };
  loadURL(url: string): Promise<void>;
  setFullScreen(on: boolean): void;
  isFullScreen(): boolean;
  once(event: 'ready-to-show', fn: () => void): void;
  show(): void;
  close(): void;
  isDestroyed(): boolean;
}

export interface DisplayLike {
  id: number;
  label?: string;
  bounds: { x: number; y: number; width: number; height: number };
  scaleFactor: number;
}

export interface IpcEventLike {
  senderFrame: { url: string; parent?: unknown } | null;
  sender?: { id: number };
}

export interface ElectronLike {
  app: {
    whenReady(): Promise<unknown>;
    on(event: 'window-all-closed' | 'before-quit', fn: () => void): void;
    on(event: 'web-contents-created', fn: (e: unknown, contents: WebContentsLike) => void): void;
    quit(): void;
    getVersion(): string;
    getAppPath(): string;
    enableSandbox(): void;
  };
  protocol: {
    registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>): void;
    handle(scheme: string, handler: (req: AppRequest) => Promise<Response>): void;
  };
  ipcMain: { handle(channel: string, fn: (e: IpcEventLike, ...args: unknown[]) => unknown): void };
  session: { defaultSession: SessionLike };
  screen: { getAllDisplays(): DisplayLike[]; getPrimaryDisplay(): DisplayLike };
  createWindow(options: Record<string, unknown>): WindowLike;
}

/** The parts of Electron's Session that lock permissions and devices down. */
export interface SessionLike {
  setPermissionRequestHandler(fn: (wc: unknown, permission: string, cb: (ok: boolean) => void, details: { requestingUrl: string }) => void): void;
  /** synchronous checks (navigator.permissions.query, device APIs asking before they request) */
  setPermissionCheckHandler(
    fn: (
      wc: unknown,
      permission: string,
      requestingOrigin: string,
      details: { requestingUrl?: string; embeddingOrigin?: string; isMainFrame?: boolean },
    ) => boolean,
  ): void;
  /** WebHID / Web Serial / WebUSB device grants */
  setDevicePermissionHandler(fn: (details: { deviceType: string; origin: string }) => boolean): void;
  on(
    event: 'select-hid-device' | 'select-usb-device',
    fn: (e: { preventDefault(): void }, details: unknown, cb: (deviceId?: string | null) => void) => void,
  ): void;
  on(event: 'select-serial-port', fn: (e: { preventDefault(): void }, ports: unknown[], wc: unknown, cb: (portId: string) => void) => void): void;
}

/** Where the multi-display layout is kept between runs (main.ts: userData/wall-layout.json). */
export interface LayoutStore {
  load(): Promise<unknown>;
  save(layout: WallLayout): Promise<void>;
}

export interface FeedHandle {
  url: string;
  /** feed auth token (the duty operator), handed to our renderer only (over validated IPC; the feed serves no /api/config) */
  token?: string;
  /** the published demo accounts may sign in (--demo): the sign-in screen says so */
  demoAccounts?: boolean;
  /** the camera registry's video gateways (REDWALL_CAMERAS): exactly these origins are in the window's CSP */
  videoOrigins?: string[];
  close(): Promise<void>;
}

export interface MainOptions {
  preloadPath: string;
  roots?: AppRoots;
  /** starts the embedded feed (simulator) and returns its loopback URL */
  startFeed(roots: AppRoots): Promise<FeedHandle>;
  log?: (msg: string) => void;
  /** saved multi-display layout; without one the app opens one console window */
  layoutStore?: LayoutStore;
  /** where the 3D buildings come from (`--buildings`): told to every window in its config; omitted, geometry */
  buildings3d?: Buildings3d;
  /** 3D Tiles models named on the command line (`--model`): served under app://redwall/models/N/, listed in the config */
  models?: ModelMount[];
}

/** Must run before app 'ready': app:// behaves like a secure standard origin (fetch, workers, wasm). */
export function registerScheme(e: Pick<ElectronLike, 'protocol'>): void {
  e.protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true, codeCache: true } },
  ]);
}

/** A request as Electron's protocol.handle passes it (the parts used here). */
export interface AppRequest {
  url: string;
  method: string;
  headers?: { get(name: string): string | null };
}

/**
 * Serves app:// from the renderer build and the data package, with our CSP on every response; and the 3D Tiles models
 * named on the command line (`--model`) under app://redwall/models/N/ exactly as the web shell's gateway serves them:
 * a folder's files inside it only (3D Tiles file types, no hidden files, symbolic links checked), a .3tz/.zip as one
 * file read by byte ranges (a multi-gigabyte package is never read whole).
 */
export function makeProtocolHandler(roots: AppRoots, feedUrl: () => string, videoOrigins: () => string[] = () => [], models: ModelMount[] = []) {
  return async (req: AppRequest): Promise<Response> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const model = isAppUrl(req.url) ? /^\/models\/(\d+)(\/.*)$/.exec(new URL(req.url).pathname) : null;
    if (model) return serveModel(req, models[Number(model[1])], model[2]!);
    const file = resolveAppRequest(req.url, roots);
    if (!file) return new Response('bad path', { status: 400 });
    try {
      const body = await readFile(file);
      return new Response(new Uint8Array(body), {
        status: 200,
        headers: {
          'content-type': mimeOf(file),
          // (Cesium's KTX2 transcoder worker alone may evaluate strings: contracts/csp.ts)
          'content-security-policy': contentSecurityPolicy([feedUrl()], videoOrigins(), {
            evalWorker: isEvalWorkerScript(resolvePath(roots.renderer), resolvePath(file)),
          }),
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}

/** A file of a `--model` mount (the path after /models/N), or a byte range of a package. */
async function serveModel(req: AppRequest, m: ModelMount | undefined, rest: string): Promise<Response> {
  const notFound = () => new Response('not found', { status: 404 });
  if (!m) return notFound();
  const head = req.method === 'HEAD';
  if (m.config.kind === 'folder') {
    const file = modelFile(m.path, rest);
    if (!file) return notFound();
    try {
      const body = head ? null : new Uint8Array(await readFile(file));
      return new Response(body, {
        status: 200,
        headers: { ...MODEL_HEADERS, 'content-type': mimeOf(file) },
      });
    } catch {
      return notFound();
    }
  }
  if (rest !== `/${encodeURIComponent(m.config.name)}`) return notFound();
  try {
    const size = (await stat(m.path)).size;
    const r = parseByteRange(req.headers?.get('range'), size);
    if (r.kind === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...PACKAGE_HEADERS, 'content-range': `bytes */${size}` } });
    const [start, end] = r.kind === 'part' ? [r.start, r.end] : [0, size - 1];
    const length = Math.max(0, end - start + 1);
    const headers = {
      ...PACKAGE_HEADERS,
      'content-length': String(length),
      ...(r.kind === 'part' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    };
    const status = r.kind === 'part' ? 206 : 200;
    if (head || length === 0) return new Response(null, { status, headers });
    // streamed from the file, never held whole: a range may be a large entry of a multi-gigabyte package
    return new Response(Readable.toWeb(createReadStream(m.path, { start, end })) as ReadableStream<Uint8Array>, { status, headers });
  } catch {
    return new Response('the model package is gone', { status: 404 });
  }
}

export async function runMain(e: ElectronLike, opts: MainOptions): Promise<{ window: WindowLike; windows: () => WindowLike[]; feed: FeedHandle }> {
  const log = opts.log ?? ((m: string) => console.log(`[main] ${m}`));
  e.app.enableSandbox();
  await e.app.whenReady();
  const roots = opts.roots ?? defaultRoots(e.app.getAppPath());

  const ses = e.session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, cb, details) => cb(isAllowedPermission(permission, details.requestingUrl)));
  // checks answer like requests: our origin, the two permissions it needs; everything else (hid, serial, usb, …) no
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => isAllowedPermissionCheck(permission, requestingOrigin));
  // a command-centre console plugs in no devices: WebHID, Web Serial and WebUSB are denied, and no chooser is shown
  ses.setDevicePermissionHandler(() => false);
  ses.on('select-hid-device', (ev, _details, cb) => {
    ev.preventDefault();
    cb(null);
  });
  ses.on('select-usb-device', (ev, _details, cb) => {
    ev.preventDefault();
    cb();
  });
  ses.on('select-serial-port', (ev, _ports, _wc, cb) => {
    ev.preventDefault();
    cb('');
  });

  // Every webContents ever created (including any future ones) is locked down, not just our window.
  e.app.on('web-contents-created', (_ev, contents) => {
    contents.on('will-navigate', (ev, url) => {
      if (!isAllowedNavigation(url)) ev.preventDefault();
    });
    contents.on('will-redirect', (ev, url) => {
      if (!isAllowedNavigation(url)) ev.preventDefault();
    });
    // sub-frames too (the CSP has frame-ancestors 'none' and child-src for workers only, but a frame is still refused here)
    contents.on('will-frame-navigate', (details) => {
      if (!isAllowedNavigation(details.url)) details.preventDefault();
    });
    contents.on('select-bluetooth-device', (ev, _devices, cb) => {
      ev.preventDefault();
      cb('');
    });
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  const feed = await opts.startFeed(roots);
  log(`feed at ${feed.url}`);
  e.protocol.handle(
    APP_SCHEME,
    makeProtocolHandler(
      roots,
      () => feed.url,
      () => feed.videoOrigins ?? [],
      opts.models ?? [],
    ),
  );

  const displays = (): DisplayInfo[] => {
    const primary = e.screen.getPrimaryDisplay().id;
    return e.screen
      .getAllDisplays()
      .map((d, i) => ({ id: String(d.id), label: d.label || `Display ${i + 1}`, bounds: d.bounds, primary: d.id === primary, scaleFactor: d.scaleFactor }));
  };
  let layout: WallLayout | null = null;
  if (opts.layoutStore) {
    try {
      const raw = await opts.layoutStore.load();
      if (raw !== null && raw !== undefined) {
        const parsed = WallLayout.safeParse(raw);
        if (parsed.success) layout = parsed.data;
        else log(`saved wall layout ignored (invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}); opening the console`);
      }
    } catch (err) {
      log(`saved wall layout unreadable (${(err as Error).message}); opening the console`);
    }
  }

  let windows: Array<{ win: WindowLike; plan: PlannedWindow }> = [];
  const open = (plan: PlannedWindow): WindowLike => {
    const win = e.createWindow({
      ...plan.bounds,
      minWidth: 1024,
      minHeight: 640,
      backgroundColor: '#050b14',
      show: false,
      fullscreen: plan.fullscreen,
      kiosk: plan.kiosk,
      autoHideMenuBar: plan.fullscreen,
      title: '数字红墙 RedWall',
      webPreferences: secureWebPreferences(opts.preloadPath),
    });
    win.once('ready-to-show', () => win.show());
    void win.loadURL(`${APP_ENTRY}${screenQuery(plan.screen)}`).catch((err: unknown) => log(`window ${plan.slot} failed to load: ${(err as Error).message}`));
    return win;
  };
  const place = (plans: PlannedWindow[]): void => {
    const old = windows;
    // new windows first: closing the old ones must never leave the app without a window (it would quit)
    windows = plans.map((plan) => ({ win: open(plan), plan }));
    for (const o of old) if (!o.win.isDestroyed()) o.win.close();
    for (const p of plans) if (p.fallback) log(`screen ${p.slot} (${p.screen}): its display is not connected; opened on the primary display`);
  };
  const atStart = displays();
  const primary = atStart.find((d) => d.primary) ?? atStart[0];
  const firstPlans: PlannedWindow[] = layout
    ? planWallWindows(layout, atStart)
    : [
        {
          slot: 0,
          screen: 'console',
          displayId: primary?.id ?? '0',
          bounds: { x: (primary?.bounds.x ?? 0) + 40, y: (primary?.bounds.y ?? 0) + 40, width: 1600, height: 900 },
          fullscreen: false,
          kiosk: false,
          fallback: false,
        },
      ];
  const config: ShellConfig = {
    shell: 'electron',
    feedUrl: feed.url,
    assetsBase: 'app://redwall/assets/district/',
    appVersion: e.app.getVersion(),
    simulated: true,
    demoAccounts: feed.demoAccounts === true,
    ...(feed.token ? { feedToken: feed.token } : {}),
    ...(opts.buildings3d ? { buildings3d: opts.buildings3d } : {}),
    ...(opts.models?.length ? { models: opts.models.map((m) => m.config) } : {}),
  };
  const guard =
    <A extends unknown[], R>(fn: (...a: A) => R) =>
    (ev: IpcEventLike, ...args: unknown[]): R => {
      if (!isTrustedSender(ev.senderFrame)) throw new Error(`IPC refused: untrusted sender ${ev.senderFrame?.url ?? '(none)'}`);
      return fn(...(args as A));
    };
  // the window that asked (each screen has its own); the first one for a sender we cannot tell apart
  const senderWindow = (ev: IpcEventLike): WindowLike =>
    windows.find((w) => ev.sender && !w.win.isDestroyed() && w.win.webContents.id === ev.sender.id)?.win ?? windows[0]!.win;
  e.ipcMain.handle(
    IPC.getConfig,
    guard(() => config),
  );
  e.ipcMain.handle(IPC.setFullScreen, (ev, on) =>
    guard((flag: unknown) => {
      if (typeof flag !== 'boolean') throw new TypeError('setFullScreen expects a boolean');
      const w = senderWindow(ev);
      w.setFullScreen(flag);
      return w.isFullScreen();
    })(ev, on),
  );
  e.ipcMain.handle(
    IPC.listDisplays,
    guard(() => displays()),
  );
  e.ipcMain.handle(
    IPC.getWallLayout,
    guard(() => ({ layout, windows: windows.map((w) => w.plan) })),
  );
  e.ipcMain.handle(
    IPC.applyWallLayout,
    guard(async (raw: unknown) => {
      const parsed = WallLayout.safeParse(raw);
      if (!parsed.success) throw new TypeError(`wall layout refused: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const plans = planWallWindows(parsed.data, displays());
      await opts.layoutStore?.save(parsed.data);
      layout = parsed.data;
      log(`wall layout applied: ${plans.map((p) => `${p.screen}@${p.displayId}${p.fallback ? ' (fallback)' : ''}`).join(', ')}`);
      place(plans);
      return plans;
    }),
  );

  // windows only once every IPC handler is in place (a renderer asks for its config as soon as it loads)
  place(firstPlans);
  const window = windows[0]!.win;
  e.app.on('window-all-closed', () => e.app.quit());
  e.app.on('before-quit', () => void feed.close());
  return { window, windows: () => windows.map((w) => w.win), feed };
}
