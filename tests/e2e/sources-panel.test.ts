/**
 * The sources panel end to end (issue 18): a feed server with two connected sources — an HTTP push source (the example
 * car park system) and an MQTT source whose broker is not there (a closed loopback port) — and the console. The
 * operator sees the trouble badge on the top bar and the feed-health alarm in the alarm list; clicking the alarm opens
 * the sources panel at that source (no flight to the district centre); a bad push shows up as a quarantined sample,
 * shown as text (never markup). Every wait is on a condition, capped only so a hang fails.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEntities } from '../../data-pipelines/feed/entities.ts';
import { loadSourcesFile } from '../../data-pipelines/sources/load.ts';
import { openApp, ROOT, waitReady, type Session } from './harness.ts';

const CAP_MS = 120_000;
const PUSH_TOKEN = 'e2e-carpark-token-0123456789abcdef';

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('sources panel', () => {
  let s: Session | null = null;
  afterAll(async () => {
    await s?.close();
  });

  it('with no source connected, says so and how to connect one', { timeout: 600_000 }, async () => {
    s = await openApp();
    await waitReady(s.page);
    await s.page.click('[data-testid=sources-toggle]');
    const empty = s.page.locator('[data-testid=sources-panel] [data-testid=sources-empty]');
    await empty.waitFor({ timeout: CAP_MS });
    // the server reports its (empty) list on connect: not "waiting"
    expect(await empty.textContent()).toMatch(/^尚未接入任何数据源/);
    expect(await s.page.locator('[data-testid=sources-panel]').textContent()).toContain('npx tsx data-pipelines/feed/main.ts --sources FILE');
    expect(await s.page.locator('[data-testid=sources-badge]').count()).toBe(0);
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
    await s.close();
    s = null;
  });

  it('shows each source, a trouble badge, opens from a feed alarm, and shows a quarantined push as text', { timeout: 600_000 }, async () => {
    const examples = resolve(ROOT, 'assets/sources');
    const all = JSON.parse(readFileSync(join(examples, 'district-sources.json'), 'utf8')) as { sources: Array<Record<string, unknown>> };
    const carparks = all.sources.find((x) => x['id'] === 'carparks')!;
    const fire = all.sources.find((x) => x['id'] === 'fire-panels')!;
    // the fire-alarm network's broker is not running: reconnecting, and a "down" alarm after 5 s
    const mqtt: Record<string, unknown> = { ...(fire['mqtt'] as Record<string, unknown>), url: `mqtt://127.0.0.1:${await closedPort()}` };
    delete mqtt['username'];
    delete mqtt['passwordEnv'];
    delete mqtt['tls'];
    const dir = mkdtempSync(join(tmpdir(), 'redwall-e2e-sources-'));
    writeFileSync(join(dir, 'sources.json'), JSON.stringify({ ...all, sources: [carparks, { ...fire, mqtt, downAlarmAfterS: 5 }] }, null, 2));
    const registry = readFileSync(join(examples, 'registry.csv'), 'utf8').split('\n');
    writeFileSync(join(dir, 'registry.csv'), [registry[0], ...registry.filter((l) => /,(carparks|fire-panels),/.test(l))].join('\n'));
    const sources = loadSourcesFile(join(dir, 'sources.json'), loadEntities(resolve(ROOT, 'assets/district')), { REDWALL_INGEST_CARPARK_TOKEN: PUSH_TOKEN });

    s = await openApp({ sources });
    const page = s.page;
    await waitReady(page);

    // the top bar's badge: one source in trouble (the MQTT one, reconnecting)
    await page.locator('[data-testid=sources-toggle][data-trouble="1"] [data-testid=sources-badge]').waitFor({ timeout: CAP_MS });
    expect(await page.locator('[data-testid=sources-badge]').textContent()).toBe('1 个异常');
    expect(await page.locator('[data-testid=sources-panel]').isVisible()).toBe(false);

    // the feed-health alarm reads as a source's, and a click opens the panel at that source instead of flying anywhere
    const alarm = page.locator('[data-testid=alarm-item][data-category=feed][data-source=fire-panels]');
    await alarm.waitFor({ timeout: CAP_MS });
    expect(await alarm.textContent()).toMatch(/数据源 fire-panels.*连接中断/);
    const cameraBefore = await page.evaluate(() => window.__redwall!.store.ui.cameraRequest?.nonce ?? null);
    await alarm.click();
    const panel = page.locator('[data-testid=sources-panel]');
    await panel.waitFor({ state: 'visible', timeout: CAP_MS });
    expect(await page.evaluate(() => window.__redwall!.store.ui.cameraRequest?.nonce ?? null)).toBe(cameraBefore);
    const fireRow = panel.locator('[data-testid=source-row][data-source=fire-panels]');
    expect(await fireRow.getAttribute('class')).toMatch(/\bfocused\b/);
    expect(await fireRow.getAttribute('data-state')).toMatch(/^(reconnecting|connecting|failing)$/);
    await fireRow.locator('[data-testid=source-details]').waitFor({ timeout: CAP_MS });
    expect(await fireRow.textContent()).toContain('ECONNREFUSED');
    // the detail shows "Show the source" instead of a location
    expect(await page.locator('[data-testid=alarm-open-source]').count()).toBe(1);

    // the HTTP push source: listening; a good push counts, a bad one is quarantined with its sample shown as text
    const carRow = panel.locator('[data-testid=source-row][data-source=carparks]');
    expect(await carRow.getAttribute('data-state')).toBe('listening');
    const push = (body: string) =>
      fetch(`${s!.server.url}/api/ingest/carparks/free-spaces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PUSH_TOKEN}`, 'content-type': 'application/json' },
        body,
      });
    const good = await push(JSON.stringify({ parkCode: 'B708', total: 430, free: 120, time: new Date().toISOString() }));
    expect(good.status).toBe(202);
    const hostile = '<img src=x onerror=window.__pwned=1>'; // no quotes: it is shown as JSON text, as pushed
    const bad = await push(JSON.stringify({ parkCode: hostile, total: 430, free: 5, time: new Date().toISOString() }));
    expect(bad.status).toBe(202);
    expect(await bad.json()).toMatchObject({ journaled: 0, quarantined: 1, reasons: [{ reason: 'unknown-device' }] });
    await panel.locator('[data-testid=source-row][data-source=carparks][data-quarantined="1"][data-messages="2"]').waitFor({ timeout: CAP_MS });
    await carRow.locator('[data-testid=source-expand]').click();
    const raw = carRow.locator('[data-testid=source-sample-raw]');
    await raw.waitFor({ timeout: CAP_MS });
    expect(await raw.textContent()).toContain(hostile);
    expect(await carRow.locator('[data-testid=source-reasons] tr[data-reason=unknown-device]').textContent()).toMatch(/未登记的设备\s*1/);
    expect(await panel.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await carRow.locator('[data-testid=source-counts]').textContent()).toBe('消息 2 · 入库 1 · 重复 0 · 隔离 1');
    await page.screenshot({ path: '/tmp/redwall-sources-panel-zh.png' });

    // in English too
    await page.click('[data-testid=lang]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await alarm.textContent()).toMatch(/Data source fire-panels.*connection down/);
    expect(await carRow.locator('[data-testid=source-state]').textContent()).toBe('listening');
    expect(await page.locator('[data-testid=sources-badge]').textContent()).toBe('1 in trouble');
    await page.screenshot({ path: '/tmp/redwall-sources-panel-en.png' });

    // closing the panel
    await panel.locator('[data-testid=sources-close]').click();
    await panel.waitFor({ state: 'hidden', timeout: CAP_MS });
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });
});
