import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IPC } from '../../electron/bridge/api.ts';
import { contentSecurityPolicy } from '../../electron/bridge/csp.ts';
import { makeProtocolHandler, registerScheme, runMain, type ElectronLike, type IpcEventLike, type WebContentsLike, type WindowLike } from '../../electron/main/app.ts';
import { isAllowedNavigation, isAllowedPermission, isTrustedSender, resolveAppRequest, secureWebPreferences } from '../../electron/main/security.ts';

function roots() {
  const dir = mkdtempSync(join(tmpdir(), 'redwall-app-'));
  mkdirSync(join(dir, 'r'));
  mkdirSync(join(dir, 'a'));
  writeFileSync(join(dir, 'r/index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(dir, 'a/manifest.json'), '{}');
  writeFileSync(join(dir, 'secret.txt'), 'nope');
  return { renderer: join(dir, 'r'), assets: join(dir, 'a') };
}

function fakeElectron() {
  const handlers = new Map<string, (e: IpcEventLike, ...a: unknown[]) => unknown>();
  const appEvents = new Map<string, (...a: unknown[]) => void>();
  const contentsEvents = new Map<string, (...a: unknown[]) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  let permissionHandler: ((wc: unknown, p: string, cb: (ok: boolean) => void, d: { requestingUrl: string }) => void) | null = null;
  let windowOptions: Record<string, unknown> | null = null;
  let loaded: string | null = null;
  let sandboxEnabled = false;
  const schemes: unknown[] = [];
  const contents: WebContentsLike = {
    on: ((ev: string, fn: (...a: unknown[]) => void) => contentsEvents.set(ev, fn)) as WebContentsLike['on'],
    setWindowOpenHandler: (fn) => (openHandler = fn),
  };
  let fullScreen = false;
  const win: WindowLike = {
    webContents: contents,
    loadURL: async (u) => {
      loaded = u;
    },
    setFullScreen: (on) => (fullScreen = on),
    isFullScreen: () => fullScreen,
    once: () => undefined,
    show: () => undefined,
  };
  const e: ElectronLike = {
    app: {
      whenReady: async () => undefined,
      on: ((ev: string, fn: (...a: unknown[]) => void) => appEvents.set(ev, fn)) as ElectronLike['app']['on'],
      quit: () => undefined,
      getVersion: () => '0.1.0',
      getAppPath: () => '/nonexistent',
      enableSandbox: () => (sandboxEnabled = true),
    },
    protocol: { registerSchemesAsPrivileged: (s) => schemes.push(...s), handle: () => undefined },
    ipcMain: { handle: (ch, fn) => handlers.set(ch, fn) },
    session: { defaultSession: { setPermissionRequestHandler: (fn) => (permissionHandler = fn) } },
    createWindow: (o) => {
      windowOptions = o;
      appEvents.get('web-contents-created')?.({}, contents);
      return win;
    },
  };
  return { e, handlers, contentsEvents, schemes, get: () => ({ openHandler, permissionHandler, windowOptions, loaded, sandboxEnabled, fullScreen }) };
}

describe('Electron security policy', () => {
  it('web preferences follow the security checklist', () => {
    const p = secureWebPreferences('/x/preload.cjs');
    expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false });
  });

  it('only app://redwall may be navigated to', () => {
    expect(isAllowedNavigation('app://redwall/index.html')).toBe(true);
    for (const u of ['https://example.com/', 'http://127.0.0.1:5180/', 'file:///etc/passwd', 'app://evil/index.html', 'app://user:pw@redwall/', 'javascript:alert(1)', 'not a url'])
      expect(isAllowedNavigation(u), u).toBe(false);
  });

  it('IPC is answered for our top frame only', () => {
    expect(isTrustedSender({ url: 'app://redwall/index.html' })).toBe(true);
    expect(isTrustedSender({ url: 'app://redwall/index.html', parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/' })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });

  it('permissions are denied except full screen for our origin', () => {
    expect(isAllowedPermission('fullscreen', 'app://redwall/')).toBe(true);
    expect(isAllowedPermission('media', 'app://redwall/')).toBe(false);
    expect(isAllowedPermission('geolocation', 'app://redwall/')).toBe(false);
    expect(isAllowedPermission('fullscreen', 'https://x.example/')).toBe(false);
  });

  it('app:// requests cannot escape the renderer or data roots', () => {
    const r = roots();
    expect(resolveAppRequest('app://redwall/index.html', r)).toBe(join(r.renderer, 'index.html'));
    expect(resolveAppRequest('app://redwall/assets/district/manifest.json', r)).toBe(join(r.assets, 'manifest.json'));
    const secret = join(r.renderer, '..', 'secret.txt');
    for (const attack of ['../secret.txt', '%2e%2e/secret.txt', '..%2fsecret.txt', '..%5csecret.txt', 'assets/district/../../secret.txt', 'assets/district/..%2f..%2fsecret.txt', '%2e%2e%2f%2e%2e%2fsecret.txt']) {
      const got = resolveAppRequest(`app://redwall/${attack}`, r);
      expect(got, attack).not.toBe(secret);
      if (got !== null) expect(got.startsWith(r.renderer + '/') || got.startsWith(r.assets + '/'), `${attack} -> ${got}`).toBe(true);
    }
    expect(resolveAppRequest('app://redwall/a%00b', r)).toBeNull();
    expect(resolveAppRequest('app://other/index.html', r)).toBeNull();
  });

  it('CSP allows no remote origin and no eval', () => {
    const csp = contentSecurityPolicy(['http://127.0.0.1:5180']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toContain('ws://127.0.0.1:5180');
    expect(csp).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  });
});

describe('runMain with a fake Electron', () => {
  it('creates a locked-down window on app://, denies navigation and new windows, validates IPC senders', async () => {
    const f = fakeElectron();
    registerScheme(f.e);
    expect(f.schemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    let closed = false;
    await runMain(f.e, {
      preloadPath: '/p/preload.cjs',
      roots: roots(),
      startFeed: async () => ({ url: 'http://127.0.0.1:9', close: async () => void (closed = true) }),
      log: () => undefined,
    });
    const st = f.get();
    expect(st.sandboxEnabled).toBe(true);
    expect(st.loaded).toBe('app://redwall/index.html');
    expect(st.windowOptions?.['webPreferences']).toEqual(secureWebPreferences('/p/preload.cjs'));

    let prevented = false;
    f.contentsEvents.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'https://example.com/');
    expect(prevented).toBe(true);
    prevented = false;
    f.contentsEvents.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'app://redwall/index.html');
    expect(prevented).toBe(false);
    expect(st.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });

    let granted: boolean | null = null;
    st.permissionHandler!({}, 'media', (ok) => (granted = ok), { requestingUrl: 'app://redwall/' });
    expect(granted).toBe(false);

    const getConfig = f.handlers.get(IPC.getConfig)!;
    expect(getConfig({ senderFrame: { url: 'app://redwall/index.html' } })).toMatchObject({ shell: 'electron', feedUrl: 'http://127.0.0.1:9' });
    expect(() => getConfig({ senderFrame: { url: 'https://evil.example/' } })).toThrow(/untrusted sender/);
    const fs = f.handlers.get(IPC.setFullScreen)!;
    expect(fs({ senderFrame: { url: 'app://redwall/' } }, true)).toBe(true);
    expect(() => fs({ senderFrame: { url: 'app://redwall/' } }, 'yes')).toThrow(TypeError);
    expect(closed).toBe(false);
  });

  it('the protocol handler serves files with the CSP and refuses traversal', async () => {
    const handler = makeProtocolHandler(roots(), () => 'http://127.0.0.1:9');
    const ok = await handler({ url: 'app://redwall/index.html', method: 'GET' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(ok.headers.get('content-type')).toContain('text/html');
    for (const attack of ['%2e%2e/secret.txt', '..%2fsecret.txt', 'a%00b']) expect((await handler({ url: `app://redwall/${attack}`, method: 'GET' })).status, attack).not.toBe(200);
    expect((await handler({ url: 'app://redwall/missing.js', method: 'GET' })).status).toBe(404);
    expect((await handler({ url: 'app://redwall/index.html', method: 'POST' })).status).toBe(405);
  });
});
