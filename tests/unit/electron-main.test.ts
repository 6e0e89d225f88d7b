import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IPC } from '../../electron/bridge/api.ts';
import { CESIUM_CREDIT_STYLE, contentSecurityPolicy, isEvalWorkerScript } from '../../electron/bridge/csp.ts';
import { parseBuildings3d } from '../../data-pipelines/contracts/shell-config.ts';
import { mountModels } from '../../data-pipelines/feed/model-mounts.ts';
import {
  makeProtocolHandler,
  registerScheme,
  runMain,
  type ElectronLike,
  type IpcEventLike,
  type WebContentsLike,
  type WindowLike,
} from '../../electron/main/app.ts';
import {
  isAllowedNavigation,
  isAllowedPermission,
  isAllowedPermissionCheck,
  isTrustedSender,
  resolveAppRequest,
  secureWebPreferences,
} from '../../electron/main/security.ts';

function roots() {
  const dir = mkdtempSync(join(tmpdir(), 'redwall-app-'));
  mkdirSync(join(dir, 'r'));
  mkdirSync(join(dir, 'a'));
  writeFileSync(join(dir, 'r/index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(dir, 'a/manifest.json'), '{}');
  writeFileSync(join(dir, 'secret.txt'), 'nope');
  return { renderer: join(dir, 'r'), assets: join(dir, 'a') };
}

interface FakeWindow extends WindowLike {
  options: Record<string, unknown>;
  url: string | null;
  closed: boolean;
}

function fakeElectron(
  displays: Array<{ id: number; bounds: { x: number; y: number; width: number; height: number } }> = [
    { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } },
  ],
) {
  const handlers = new Map<string, (e: IpcEventLike, ...a: unknown[]) => unknown>();
  const appEvents = new Map<string, (...a: unknown[]) => void>();
  const contentsEvents = new Map<string, (...a: unknown[]) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  let permissionHandler: ((wc: unknown, p: string, cb: (ok: boolean) => void, d: { requestingUrl: string }) => void) | null = null;
  let checkHandler: ((wc: unknown, p: string, origin: string, d: object) => boolean) | null = null;
  let deviceHandler: ((d: { deviceType: string; origin: string }) => boolean) | null = null;
  const sessionEvents = new Map<string, (...a: unknown[]) => void>();
  let sandboxEnabled = false;
  let protocolHandler: Parameters<ElectronLike['protocol']['handle']>[1] | null = null;
  const schemes: unknown[] = [];
  const windows: FakeWindow[] = [];
  let nextId = 1;
  const makeWindow = (o: Record<string, unknown>): FakeWindow => {
    const contents = {
      id: nextId++,
      on: ((ev: string, fn: (...a: unknown[]) => void) => contentsEvents.set(ev, fn)) as WebContentsLike['on'],
      setWindowOpenHandler: (fn: (d: { url: string }) => { action: 'deny' | 'allow' }) => (openHandler = fn),
    };
    let fullScreen = o['fullscreen'] === true;
    const w: FakeWindow = {
      options: o,
      url: null,
      closed: false,
      webContents: contents,
      loadURL: async (u) => {
        w.url = u;
      },
      setFullScreen: (on) => (fullScreen = on),
      isFullScreen: () => fullScreen,
      once: () => undefined,
      show: () => undefined,
      close: () => (w.closed = true),
      isDestroyed: () => w.closed,
    };
    appEvents.get('web-contents-created')?.({}, contents);
    return w;
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
    protocol: { registerSchemesAsPrivileged: (s) => schemes.push(...s), handle: (_scheme, fn) => void (protocolHandler = fn) },
    ipcMain: { handle: (ch, fn) => handlers.set(ch, fn) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn) => (permissionHandler = fn),
        setPermissionCheckHandler: (fn) => (checkHandler = fn),
        setDevicePermissionHandler: (fn) => (deviceHandler = fn),
        on: ((ev: string, fn: (...a: unknown[]) => void) => sessionEvents.set(ev, fn)) as ElectronLike['session']['defaultSession']['on'],
      },
    },
    screen: {
      getAllDisplays: () => displays.map((d) => ({ ...d, scaleFactor: 1 })),
      getPrimaryDisplay: () => ({ ...displays[0]!, scaleFactor: 1 }),
    },
    createWindow: (o) => {
      const w = makeWindow(o);
      windows.push(w);
      return w;
    },
  };
  const last = () => windows[windows.length - 1];
  return {
    e,
    handlers,
    protocolHandler: () => protocolHandler,
    contentsEvents,
    schemes,
    windows,
    sessionEvents,
    get: () => ({
      openHandler,
      permissionHandler,
      checkHandler,
      deviceHandler,
      windowOptions: last()?.options ?? null,
      loaded: last()?.url ?? null,
      sandboxEnabled,
      fullScreen: last()?.isFullScreen() ?? false,
    }),
  };
}

describe('Electron security policy', () => {
  it('web preferences follow the security checklist', () => {
    const p = secureWebPreferences('/x/preload.cjs');
    expect(p).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
    });
  });

  it('only app://redwall may be navigated to', () => {
    expect(isAllowedNavigation('app://redwall/index.html')).toBe(true);
    for (const u of [
      'https://example.com/',
      'http://127.0.0.1:5180/',
      'file:///etc/passwd',
      'app://evil/index.html',
      'app://user:pw@redwall/',
      'javascript:alert(1)',
      'not a url',
    ])
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
    for (const attack of [
      '../secret.txt',
      '%2e%2e/secret.txt',
      '..%2fsecret.txt',
      '..%5csecret.txt',
      'assets/district/../../secret.txt',
      'assets/district/..%2f..%2fsecret.txt',
      '%2e%2e%2f%2e%2e%2fsecret.txt',
    ]) {
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

  it('CSP (issue 16): no inline <style> but Cesium’s by hash, inline style attributes only, connect-src without data:', () => {
    const dir = Object.fromEntries(
      contentSecurityPolicy(['http://127.0.0.1:5180'])
        .split('; ')
        .map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]),
    );
    expect(dir['style-src']).toEqual(["'self'"]);
    expect(dir['style-src-elem']).toEqual(["'self'", CESIUM_CREDIT_STYLE]);
    expect(dir['style-src-attr']).toEqual(["'unsafe-inline'"]);
    expect(dir['connect-src']).toEqual(["'self'", 'blob:', 'http://127.0.0.1:5180', 'ws://127.0.0.1:5180']); // no data:
    // the one inline <style> allowed is exactly what Cesium's CreditDisplay inserts (recomputed from its source: an
    // upgrade that changes the CSS fails here before a browser refuses it)
    const src = readFileSync(resolve(import.meta.dirname, '../../node_modules/@cesium/engine/Source/Scene/CreditDisplay.js'), 'utf8');
    const consts = Object.fromEntries([...src.matchAll(/^const (\w+) = ("[^"]*"|\d+);$/gm)].map((m) => [m[1]!, String(JSON.parse(m[2]!))]));
    const css = /const style = \/\*css\*\/ `([^`]*)`;/.exec(src)![1]!.replace(/\$\{(\w+)\}/g, (_, k: string) => consts[k] ?? `<${k}?>`);
    expect(css).not.toMatch(/<\w+\?>/);
    expect(CESIUM_CREDIT_STYLE).toBe(`'sha256-${createHash('sha256').update(css).digest('base64')}'`);
  });

  it('permission checks: fullscreen and clipboard writes for our origin only; HID, serial, USB and the rest denied', () => {
    expect(isAllowedPermissionCheck('fullscreen', 'app://redwall')).toBe(true);
    expect(isAllowedPermissionCheck('fullscreen', 'app://redwall/')).toBe(true);
    for (const p of ['hid', 'serial', 'usb', 'media', 'geolocation', 'notifications', 'clipboard-read'])
      expect(isAllowedPermissionCheck(p, 'app://redwall'), p).toBe(false);
    for (const o of ['http://127.0.0.1:5180', 'app://evil', 'app://redwall.evil', '']) expect(isAllowedPermissionCheck('fullscreen', o), o).toBe(false);
  });
});

describe('runMain with a fake Electron', () => {
  it('tells every window the building source named on the command line (--buildings tileset)', async () => {
    const f = fakeElectron();
    registerScheme(f.e);
    await runMain(f.e, {
      preloadPath: '/p/preload.cjs',
      roots: roots(),
      startFeed: async () => ({ url: 'http://127.0.0.1:9', token: 'ipc-only-token-0123456789', demoAccounts: false, close: async () => undefined }),
      log: () => undefined,
      buildings3d: parseBuildings3d(['/app', '--demo', '--buildings', 'tileset'], undefined),
    });
    expect(f.handlers.get(IPC.getConfig)!({ senderFrame: { url: 'app://redwall/index.html' } })).toMatchObject({ buildings3d: 'tileset' });
  });

  it('serves the models named on the command line (--model) under app://redwall/models/N/ and lists them in the config', async () => {
    const f = fakeElectron();
    registerScheme(f.e);
    const r = roots();
    const folder = join(r.renderer, '..', '白模');
    mkdirSync(folder);
    writeFileSync(join(folder, 'tileset.json'), '{"asset":{"version":"1.1"}}');
    await runMain(f.e, {
      preloadPath: '/p/preload.cjs',
      roots: r,
      startFeed: async () => ({ url: 'http://127.0.0.1:9', token: 'ipc-only-token-0123456789', demoAccounts: false, close: async () => undefined }),
      log: () => undefined,
      models: mountModels([folder]),
    });
    expect(f.handlers.get(IPC.getConfig)!({ senderFrame: { url: 'app://redwall/index.html' } })).toMatchObject({
      models: [{ name: '白模', kind: 'folder', url: '/models/0/', root: 'tileset.json' }],
    });
    const res = await f.protocolHandler()!({ url: 'app://redwall/models/0/tileset.json', method: 'GET' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"1.1"');
    expect((await f.protocolHandler()!({ url: 'app://redwall/models/1/tileset.json', method: 'GET' })).status).toBe(404);
  });

  it('creates a locked-down window on app://, denies navigation and new windows, validates IPC senders', async () => {
    const f = fakeElectron();
    registerScheme(f.e);
    expect(f.schemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    let closed = false;
    await runMain(f.e, {
      preloadPath: '/p/preload.cjs',
      roots: roots(),
      startFeed: async () => ({ url: 'http://127.0.0.1:9', token: 'ipc-only-token-0123456789', demoAccounts: false, close: async () => void (closed = true) }),
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

    // permission checks (not just requests), devices, choosers, sub-frame navigation (issue 16)
    expect(st.checkHandler!({}, 'hid', 'app://redwall', {})).toBe(false);
    expect(st.checkHandler!({}, 'serial', 'app://redwall', {})).toBe(false);
    expect(st.checkHandler!({}, 'usb', 'app://redwall', {})).toBe(false);
    expect(st.checkHandler!({}, 'fullscreen', 'app://redwall', {})).toBe(true);
    expect(st.checkHandler!({}, 'fullscreen', 'http://127.0.0.1:9', {})).toBe(false);
    for (const deviceType of ['hid', 'serial', 'usb']) expect(st.deviceHandler!({ deviceType, origin: 'app://redwall' }), deviceType).toBe(false);
    const chooser = (ev: string, ...args: unknown[]) => {
      let stopped = false;
      const picked: unknown[] = [];
      f.sessionEvents.get(ev)!({ preventDefault: () => (stopped = true) }, ...args, (id?: unknown) => picked.push(id));
      return { stopped, picked };
    };
    expect(chooser('select-hid-device', { deviceList: [{ deviceId: 'kbd' }] })).toEqual({ stopped: true, picked: [null] });
    expect(chooser('select-usb-device', { deviceList: [{ deviceId: 'stick' }] })).toEqual({ stopped: true, picked: [undefined] });
    expect(chooser('select-serial-port', [{ portId: 'ttyS0' }], {})).toEqual({ stopped: true, picked: [''] });
    let btPicked: unknown = 'none';
    let btStopped = false;
    f.contentsEvents.get('select-bluetooth-device')!({ preventDefault: () => (btStopped = true) }, [{ deviceId: 'x' }], (id: unknown) => (btPicked = id));
    expect([btStopped, btPicked]).toEqual([true, '']);
    const frameNav = (url: string, isMainFrame: boolean) => {
      let stopped = false;
      f.contentsEvents.get('will-frame-navigate')!({ url, isMainFrame, preventDefault: () => (stopped = true) });
      return stopped;
    };
    expect(frameNav('https://evil.example/', false)).toBe(true);
    expect(frameNav('http://127.0.0.1:9/api/config', false)).toBe(true);
    expect(frameNav('file:///etc/passwd', true)).toBe(true);
    expect(frameNav('app://redwall/index.html?screen=wall', true)).toBe(false);

    const getConfig = f.handlers.get(IPC.getConfig)!;
    expect(getConfig({ senderFrame: { url: 'app://redwall/index.html' } })).toMatchObject({
      shell: 'electron',
      feedUrl: 'http://127.0.0.1:9',
      feedToken: 'ipc-only-token-0123456789',
      demoAccounts: false,
    });
    // no --buildings: the config names no building source (the page extrudes the footprints)
    expect(getConfig({ senderFrame: { url: 'app://redwall/index.html' } })).not.toHaveProperty('buildings3d');
    expect(() => getConfig({ senderFrame: { url: 'https://evil.example/' } })).toThrow(/untrusted sender/);
    const fs = f.handlers.get(IPC.setFullScreen)!;
    expect(fs({ senderFrame: { url: 'app://redwall/' } }, true)).toBe(true);
    expect(() => fs({ senderFrame: { url: 'app://redwall/' } }, 'yes')).toThrow(TypeError);
    expect(closed).toBe(false);
  });

  it('the real entry (main.ts) starts its feed without /api/config, and the demo accounts only with --demo', () => {
    const main = readFileSync(resolve(import.meta.dirname, '../../electron/main/main.ts'), 'utf8');
    expect(main).toMatch(/startFeedServer\(\{[^}]*configRoute: false/);
    expect(main).toContain("process.argv.includes('--demo')");
    expect(main).toMatch(/accountsFor\(\{ file: process\.env\['REDWALL_ACCOUNTS'\], demo \}\)/);
  });

  it("the protocol handler lets Cesium's KTX2 transcoder worker alone evaluate strings (its embind glue needs new Function)", async () => {
    const r = roots();
    mkdirSync(join(r.renderer, 'cesium/Workers'), { recursive: true });
    writeFileSync(join(r.renderer, 'cesium/Workers/transcodeKTX2.js'), '// worker');
    writeFileSync(join(r.renderer, 'cesium/Workers/decodeDraco.js'), '// worker');
    mkdirSync(join(r.assets, 'cesium/Workers'), { recursive: true });
    writeFileSync(join(r.assets, 'cesium/Workers/transcodeKTX2.js'), '// not the build');
    const handler = makeProtocolHandler(r, () => 'http://127.0.0.1:9');
    const csp = async (path: string) => (await handler({ url: `app://redwall/${path}`, method: 'GET' })).headers.get('content-security-policy') ?? '';
    expect(await csp('cesium/Workers/transcodeKTX2.js')).toContain("'unsafe-eval'");
    for (const path of ['index.html', 'cesium/Workers/decodeDraco.js', 'assets/district/cesium/Workers/transcodeKTX2.js'])
      expect(await csp(path), path).not.toContain("'unsafe-eval'");
    expect(isEvalWorkerScript('/app/r', '/app/r/cesium/Workers/transcodeKTX2.js')).toBe(true);
    expect(isEvalWorkerScript('C:\\app\\r\\', 'C:\\app\\r\\cesium\\Workers\\transcodeKTX2.js')).toBe(true);
    expect(isEvalWorkerScript('/app/r', '/app/r/x/cesium/Workers/transcodeKTX2.js')).toBe(false);
    expect(isEvalWorkerScript('/app/r', '/app/r/cesium/Workers/transcodeKTX2.json')).toBe(false);
  });

  it('the protocol handler serves files with the CSP and refuses traversal', async () => {
    const handler = makeProtocolHandler(roots(), () => 'http://127.0.0.1:9');
    const ok = await handler({ url: 'app://redwall/index.html', method: 'GET' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(ok.headers.get('content-type')).toContain('text/html');
    for (const attack of ['%2e%2e/secret.txt', '..%2fsecret.txt', 'a%00b'])
      expect((await handler({ url: `app://redwall/${attack}`, method: 'GET' })).status, attack).not.toBe(200);
    expect((await handler({ url: 'app://redwall/missing.js', method: 'GET' })).status).toBe(404);
    expect((await handler({ url: 'app://redwall/index.html', method: 'POST' })).status).toBe(405);
  });
});

describe('multi-display wall layout', () => {
  const two = [
    { id: 11, bounds: { x: 0, y: 0, width: 1920, height: 1080 } },
    { id: 22, bounds: { x: 1920, y: 0, width: 3840, height: 2160 } },
  ];
  const layout = {
    format: 'redwall-wall/1',
    screens: [
      { displayId: '11', bounds: two[0]!.bounds, screen: 'console', fullscreen: false, kiosk: false },
      { displayId: '22', bounds: two[1]!.bounds, screen: 'wall', fullscreen: true, kiosk: true },
    ],
  } as const;
  const start = async (f: ReturnType<typeof fakeElectron>, saved: unknown, saves: unknown[] = [], logs: string[] = []) =>
    runMain(f.e, {
      preloadPath: '/p/preload.cjs',
      roots: roots(),
      startFeed: async () => ({ url: 'http://127.0.0.1:9', close: async () => undefined }),
      log: (m) => logs.push(m),
      layoutStore: { load: async () => saved, save: async (l) => void saves.push(l) },
    });

  it('restores a saved layout: one window per display, on its bounds, wall in kiosk', async () => {
    const f = fakeElectron(two);
    await start(f, layout);
    expect(f.windows).toHaveLength(2);
    expect(f.windows[0]!.url).toBe('app://redwall/index.html');
    expect(f.windows[0]!.options).toMatchObject({ x: 0, y: 0, width: 1920, height: 1080, fullscreen: false, kiosk: false });
    expect(f.windows[1]!.url).toBe('app://redwall/index.html?screen=wall');
    expect(f.windows[1]!.options).toMatchObject({ x: 1920, y: 0, width: 3840, height: 2160, fullscreen: true, kiosk: true });
    for (const w of f.windows) expect(w.options['webPreferences']).toEqual(secureWebPreferences('/p/preload.cjs'));
  });

  it('a display that is gone: its screen opens windowed on the primary, and the log says so', async () => {
    const f = fakeElectron([two[0]!]);
    const logs: string[] = [];
    await start(f, layout, [], logs);
    expect(f.windows).toHaveLength(2);
    expect(f.windows[1]!.url).toContain('screen=wall');
    expect(f.windows[1]!.options).toMatchObject({ fullscreen: false, kiosk: false });
    expect(logs.join('\n')).toMatch(/screen 1 \(wall\): its display is not connected/);
  });

  it('an invalid saved layout is ignored (console window) with a log line', async () => {
    const f = fakeElectron(two);
    const logs: string[] = [];
    await start(f, { format: 'redwall-wall/1', screens: [{ displayId: '11', screen: 'evil' }] }, [], logs);
    expect(f.windows).toHaveLength(1);
    expect(f.windows[0]!.url).toBe('app://redwall/index.html');
    expect(logs.join('\n')).toMatch(/saved wall layout ignored/);
  });

  it('applyWallLayout over IPC: validated, saved, new windows placed before the old ones close; untrusted senders refused', async () => {
    const f = fakeElectron(two);
    const saves: unknown[] = [];
    await start(f, null, saves);
    expect(f.windows).toHaveLength(1);
    const apply = f.handlers.get(IPC.applyWallLayout)!;
    const trusted = { senderFrame: { url: 'app://redwall/index.html' }, sender: { id: 1 } };
    await expect(Promise.resolve().then(() => apply({ senderFrame: { url: 'https://evil.example/' } }, layout))).rejects.toThrow(/untrusted sender/);
    await expect(Promise.resolve().then(() => apply(trusted, { format: 'redwall-wall/1', screens: [] }))).rejects.toThrow(/wall layout refused/);
    expect(saves).toHaveLength(0);
    const plans = (await apply(trusted, layout)) as Array<{ screen: string; displayId: string; fallback: boolean }>;
    expect(plans.map((p) => [p.screen, p.displayId, p.fallback])).toEqual([
      ['console', '11', false],
      ['wall', '22', false],
    ]);
    expect(saves).toEqual([layout]);
    expect(f.windows).toHaveLength(3);
    expect(f.windows[0]!.closed).toBe(true);
    expect(f.windows.slice(1).map((w) => w.closed)).toEqual([false, false]);
    const get = f.handlers.get(IPC.getWallLayout)!;
    expect(get(trusted)).toMatchObject({ layout, windows: [{ screen: 'console' }, { screen: 'wall' }] });
    const displays = f.handlers.get(IPC.listDisplays)!(trusted) as Array<{ id: string; primary: boolean }>;
    expect(displays.map((d) => [d.id, d.primary])).toEqual([
      ['11', true],
      ['22', false],
    ]);
  });

  it('full screen applies to the window that asked', async () => {
    const f = fakeElectron(two);
    await start(f, layout);
    const fs = f.handlers.get(IPC.setFullScreen)!;
    expect(fs({ senderFrame: { url: 'app://redwall/index.html?screen=wall' }, sender: { id: f.windows[0]!.webContents.id } }, true)).toBe(true);
    expect(f.windows[0]!.isFullScreen()).toBe(true);
    expect(f.windows[1]!.isFullScreen()).toBe(true); // kiosk wall: was already
  });
});
