/**
 * Main-process logic behind a thin adapter: `runMain` receives the parts of Electron it uses (typed structurally
 * below), so tests drive it under plain Node with fakes, and main.ts passes the real module.
 */
import { readFile } from 'node:fs/promises';
import { IPC, type ShellConfig } from '../bridge/api.ts';
import { contentSecurityPolicy } from '../bridge/csp.ts';
import { mimeOf } from '../../data-pipelines/feed/static-files.ts';
import { APP_ENTRY, APP_SCHEME, defaultRoots, isAllowedNavigation, isAllowedPermission, isTrustedSender, resolveAppRequest, secureWebPreferences, type AppRoots } from './security.ts';

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', fn: (e: { preventDefault(): void }, url: string) => void): void;
  on(event: 'will-attach-webview', fn: (e: { preventDefault(): void }) => void): void;
  setWindowOpenHandler(fn: (d: { url: string }) => { action: 'deny' | 'allow' }): void;
}

export interface WindowLike {
  webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  setFullScreen(on: boolean): void;
  isFullScreen(): boolean;
  once(event: 'ready-to-show', fn: () => void): void;
  show(): void;
}

export interface IpcEventLike {
  senderFrame: { url: string; parent?: unknown } | null;
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
    handle(scheme: string, handler: (req: { url: string; method: string }) => Promise<Response>): void;
  };
  ipcMain: { handle(channel: string, fn: (e: IpcEventLike, ...args: unknown[]) => unknown): void };
  session: { defaultSession: { setPermissionRequestHandler(fn: (wc: unknown, permission: string, cb: (ok: boolean) => void, details: { requestingUrl: string }) => void): void } };
  createWindow(options: Record<string, unknown>): WindowLike;
}

export interface FeedHandle {
  url: string;
  /** feed auth token, handed to our renderer only (over validated IPC) */
  token?: string;
  close(): Promise<void>;
}

export interface MainOptions {
  preloadPath: string;
  roots?: AppRoots;
  /** starts the embedded feed (simulator) and returns its loopback URL */
  startFeed(roots: AppRoots): Promise<FeedHandle>;
  log?: (msg: string) => void;
}

/** Must run before app 'ready': app:// behaves like a secure standard origin (fetch, workers, wasm). */
export function registerScheme(e: Pick<ElectronLike, 'protocol'>): void {
  e.protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true, codeCache: true } },
  ]);
}

/** Serves app:// from the renderer build and the data package, with our CSP on every response. */
export function makeProtocolHandler(roots: AppRoots, feedUrl: () => string) {
  return async (req: { url: string; method: string }): Promise<Response> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const file = resolveAppRequest(req.url, roots);
    if (!file) return new Response('bad path', { status: 400 });
    try {
      const body = await readFile(file);
      return new Response(new Uint8Array(body), {
        status: 200,
        headers: {
          'content-type': mimeOf(file),
          'content-security-policy': contentSecurityPolicy([feedUrl()]),
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}

export async function runMain(e: ElectronLike, opts: MainOptions): Promise<{ window: WindowLike; feed: FeedHandle }> {
  const log = opts.log ?? ((m: string) => console.log(`[main] ${m}`));
  e.app.enableSandbox();
  await e.app.whenReady();
  const roots = opts.roots ?? defaultRoots(e.app.getAppPath());

  e.session.defaultSession.setPermissionRequestHandler((_wc, permission, cb, details) => cb(isAllowedPermission(permission, details.requestingUrl)));

  // Every webContents ever created (including any future ones) is locked down, not just our window.
  e.app.on('web-contents-created', (_ev, contents) => {
    contents.on('will-navigate', (ev, url) => {
      if (!isAllowedNavigation(url)) ev.preventDefault();
    });
    contents.on('will-redirect', (ev, url) => {
      if (!isAllowedNavigation(url)) ev.preventDefault();
    });
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  const feed = await opts.startFeed(roots);
  log(`feed at ${feed.url}`);
  e.protocol.handle(APP_SCHEME, makeProtocolHandler(roots, () => feed.url));

  const window = e.createWindow({
    width: 1600,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    backgroundColor: '#050b14',
    show: false,
    title: '数字红墙 RedWall',
    webPreferences: secureWebPreferences(opts.preloadPath),
  });

  const config: ShellConfig = { shell: 'electron', feedUrl: feed.url, assetsBase: 'app://redwall/assets/district/', appVersion: e.app.getVersion(), simulated: true, ...(feed.token ? { feedToken: feed.token } : {}) };
  const guard = <A extends unknown[], R>(fn: (...a: A) => R) => (ev: IpcEventLike, ...args: unknown[]): R => {
    if (!isTrustedSender(ev.senderFrame)) throw new Error(`IPC refused: untrusted sender ${ev.senderFrame?.url ?? '(none)'}`);
    return fn(...(args as A));
  };
  e.ipcMain.handle(IPC.getConfig, guard(() => config));
  e.ipcMain.handle(
    IPC.setFullScreen,
    guard((on: unknown) => {
      if (typeof on !== 'boolean') throw new TypeError('setFullScreen expects a boolean');
      window.setFullScreen(on);
      return window.isFullScreen();
    }),
  );

  window.once('ready-to-show', () => window.show());
  e.app.on('window-all-closed', () => e.app.quit());
  e.app.on('before-quit', () => void feed.close());
  await window.loadURL(APP_ENTRY);
  return { window, feed };
}
