/**
 * Browser harness for end-to-end tests: Debian Chromium via playwright-core with WebGL2 on Mesa llvmpipe, all DNS
 * mapped to nowhere except loopback. Records every request that leaves loopback and every console error, so tests
 * can fail on either.
 */
import { ROLE_NAMES } from '../../data-pipelines/contracts/auth.ts';
import { LEFT_SECTIONS, LEFT_SECTIONS_KEY } from '../../renderer/src/ui/left-sections.ts';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startFeedServer, type FeedServer, type FeedServerOptions } from '../../data-pipelines/feed/server.ts';
import type { CHANNELS, CitizenRequest, Topic, Urgency } from '../../data-pipelines/contracts/citizen-request.ts';

type Channel = (typeof CHANNELS)[number];

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--use-angle=gl-egl',
  '--ignore-gpu-blocklist',
  '--enable-unsafe-swiftshader',
  '--disable-quic',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
  '--no-sandbox',
];

export function isLoopback(url: string): boolean {
  if (/^(data|blob|about|chrome|devtools|chrome-extension):/.test(url)) return true;
  try {
    const h = new URL(url).hostname;
    return h === '127.0.0.1' || h === 'localhost' || h === '[::1]' || h === '::1';
  } catch {
    return false;
  }
}

export interface Session {
  server: FeedServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** requests to any host that is not loopback */
  external: string[];
  consoleErrors: string[];
  /**
   * The server's shared token (the duty operator), for the test's own API and socket calls. The page never sees it:
   * like any browser tab, it exchanges the one-time nonce in the index.html it navigated to for a credential of its
   * own (POST /api/config; docs/security.md), so `page.goto` is all it takes.
   */
  token: string;
  /** calls the feed API with the bearer token; POSTs JSON when a body is given */
  api(path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/** Cap for every Playwright action (click, screenshot, selectOption...) in the e2e tests; see openApp. */
export const ACTION_CAP_MS = 120_000;
export const TEST_TOKEN = 'e2e-token-0123456789abcdef';

export function apiCall(base: string, token: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** `beforeLoad` runs on the page before it navigates (a listener that must see the page's first requests). */
export async function openApp(
  opts: Partial<FeedServerOptions> = {},
  query = '',
  viewport = { width: 1600, height: 900 },
  beforeLoad?: (page: Page) => void,
): Promise<Session> {
  const staticDir = resolve(ROOT, 'dist/renderer');
  const assetsDir = resolve(ROOT, 'assets/district');
  if (!existsSync(resolve(staticDir, 'index.html'))) throw new Error('dist/renderer missing: run "npm run build" first');
  const server = await startFeedServer({
    staticDir,
    assetsDir,
    journalDir: mkdtempSync(join(tmpdir(), 'redwall-e2e-journal-')),
    sim: { incidentEveryMs: 0, requests: { requestEveryMs: 0 } },
    token: TEST_TOKEN,
    log: () => undefined,
    ...opts,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  // Playwright's 30 s action default is too short on a loaded machine drawing on llvmpipe: a whole-page screenshot of the
  // heatmap once took longer than that on CI. Actions wait on conditions; this is only their cap.
  context.setDefaultTimeout(ACTION_CAP_MS);
  const external: string[] = [];
  const consoleErrors: string[] = [];
  context.on('request', (req) => {
    if (!isLoopback(req.url())) external.push(req.url());
  });
  // Belt and braces: a non-loopback request is aborted as well as recorded.
  await context.route(
    (url) => !isLoopback(url.href),
    (route) => route.abort('blockedbyclient'),
  );
  // The e2e tests use the panels of every left-column section: each opens with all sections open for every role (as
  // an operator who opened them has it). The per-role defaults are screens.test.ts's, in a context without this.
  await context.addInitScript(
    ([key, sections, roles]) => {
      try {
        if (localStorage.getItem(key) === null)
          localStorage.setItem(key, JSON.stringify(Object.fromEntries(roles.map((r) => [r, Object.fromEntries(sections.map((s) => [s, true]))]))));
      } catch {
        // a document without storage (an opaque origin) has no sections either
      }
    },
    [LEFT_SECTIONS_KEY, LEFT_SECTIONS, ROLE_NAMES] as const,
  );
  const page = await context.newPage();
  recordErrors(page, consoleErrors);
  // REDWALL_E2E_SLOWDOWN=4 runs the page's main thread 4x slower (Chrome's CPU throttling): a way to find a test that
  // waits on a clock rather than a condition before a slower CI machine does.
  const slowdown = Number(process.env['REDWALL_E2E_SLOWDOWN'] ?? 1);
  if (slowdown > 1) await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: slowdown });
  beforeLoad?.(page);
  await page.goto(`${server.url}/${query}`);
  return {
    server,
    browser,
    context,
    page,
    external,
    consoleErrors,
    token: opts.token ?? TEST_TOKEN,
    api: (path, body) => apiCall(server.url, opts.token ?? TEST_TOKEN, path, body),
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Records a page's console errors and uncaught exceptions into `into` (prefixed with `label` when given). */
export function recordErrors(page: Page, into: string[], label = ''): void {
  const pre = label ? `${label}: ` : '';
  page.on('console', (msg) => void (msg.type() === 'error' && into.push(`${pre}${msg.text()}`)));
  page.on('pageerror', (err) => into.push(`${pre}pageerror: ${err.message}`));
}

/**
 * How long a test waits for something to be drawn, polling: up to 2 minutes. A check on pixels retries until they show
 * (vi.waitFor / expect.poll) instead of sleeping a fixed time first: a shared CI machine can be 10x slower than a desk.
 */
export const DRAWN = { timeout: 120_000, interval: 1000 } as const;

/**
 * Until the 3D camera stands still (the same position on two polls a second apart: a flight takes 1.2–1.5 s), a frame
 * drawn at each poll; fails after `capMs`.
 */
export async function camera3dSettled(page: Page, capMs: number = DRAWN.timeout): Promise<void> {
  const end = Date.now() + capMs;
  let prev = '';
  for (;;) {
    const now = await page.evaluate(async () => {
      await window.__redwall!.view3d.nextFrame();
      const c = window.__redwall!.view3d.widget.camera;
      return [c.positionWC.x, c.positionWC.y, c.positionWC.z, c.heading, c.pitch].map((v) => v.toFixed(3)).join(',');
    });
    if (now === prev) return;
    if (Date.now() > end) throw new Error(`the 3D camera did not stand still within ${capMs / 1000} s`);
    prev = now;
    await new Promise((r) => setTimeout(r, DRAWN.interval));
  }
}

/**
 * Until the 3D globe has loaded every tile it shows (Cesium's `globe.tilesLoaded`, read after a new frame: a view just
 * moved has not asked for its tiles before it is drawn once); fails after `capMs`.
 */
export async function globeLoaded(page: Page, capMs: number = DRAWN.timeout): Promise<void> {
  const end = Date.now() + capMs;
  while (!(await page.evaluate(async () => (await window.__redwall!.view3d.nextFrame(), window.__redwall!.view3d.scene.globe.tilesLoaded)))) {
    if (Date.now() > end) throw new Error(`the 3D globe did not load the tiles it shows within ${capMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Until the 2D map has ended a camera flight (a preset, "go to" or fit). */
export async function mapSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => window.__redwall!.view2d()?.map.isMoving() === false, undefined, { timeout: 120_000, polling: 200 });
}

export async function waitReady(page: Page, timeoutMs = 120_000): Promise<void> {
  await page.waitForFunction(() => document.body.dataset['ready'] === 'true' || document.getElementById('boot')?.dataset['state'] === 'error', undefined, {
    timeout: timeoutMs,
    polling: 250,
  });
  const err = await page.evaluate(() => (document.getElementById('boot')?.dataset['state'] === 'error' ? document.getElementById('boot')?.textContent : null));
  if (err) throw new Error(`app failed to boot: ${err}`);
}

/**
 * Registers a request through the desk's form (left panel 接诉即办) and waits until the server holds it; returns it.
 * Unset fields keep the form's defaults (channel 12345 for the desk, the only one offered to field roles: 网格上报).
 */
export async function registerAtDesk(s: Session, f: { summary: string; topic: Topic; urgency?: Urgency; channel?: Channel }): Promise<CitizenRequest> {
  const before = s.server.core.desk.requests.size;
  await s.page.click('[data-testid=request-register] summary');
  if (f.channel) await s.page.selectOption('[data-testid=request-channel]', f.channel);
  await s.page.selectOption('[data-testid=request-topic]', f.topic);
  if (f.urgency) await s.page.selectOption('[data-testid=request-urgency]', f.urgency);
  await s.page.fill('[data-testid=request-summary]', f.summary);
  await s.page.click('[data-testid=request-register-submit]');
  const deadline = Date.now() + 120_000;
  while (s.server.core.desk.requests.size < before + 1) {
    if (Date.now() > deadline) throw new Error(`request "${f.summary}" not registered within 2 min`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return [...s.server.core.desk.requests.values()].at(-1)!;
}

/** Starts watching the longest gap between animation frames in the page (read it with maxFrameGap). */
export async function startFrameMonitor(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __maxGap: number };
    w.__maxGap = 0;
    let last = performance.now();
    const loop = (t: number) => {
      w.__maxGap = Math.max(w.__maxGap, t - last);
      last = t;
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });
}

/** The longest gap between animation frames since startFrameMonitor (ms). */
export const maxFrameGap = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { __maxGap: number }).__maxGap);
