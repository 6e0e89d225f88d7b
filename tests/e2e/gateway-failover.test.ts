/**
 * A browser screen whose gateway dies goes on at the other listed gateway (issue 19.2), end to end: two feed gateways
 * on one real NATS JetStream log, started with each other as peers and one shared page key; Chromium opens the web
 * shell at A. The status bar names A; A is killed; the page moves its feed socket to B (the CSP of A's page allows B,
 * B admits A's page origin and its credential), the status bar names B and is live again, and an alarm raised at B
 * after the takeover reaches the page. Every wait is on a condition, capped only so a hang fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';
import { freePort } from '../unit/mosquitto.ts';
import { startNats, type NatsNode } from '../unit/nats.ts';
import { openApp, ROOT, TEST_TOKEN, waitReady, type Session } from './harness.ts';

const CAP_MS = 180_000;

describe('gateway failover in the browser', () => {
  let nats: NatsNode | null = null;
  let s: Session | null = null;
  let b: FeedServer | null = null;
  afterAll(async () => {
    await s?.close();
    await b?.close();
    await nats?.stop();
  });

  it('the page moves from a dead gateway to its peer and stays live', { timeout: 600_000 }, async () => {
    nats = await startNats();
    const key = join(mkdtempSync(join(tmpdir(), 'redwall-e2e-key-')), 'page.key');
    writeFileSync(key, randomBytes(32), { mode: 0o600 });
    const [pa, pb] = [await freePort(), await freePort()];
    const cluster = (gateway: string) => ({ servers: [nats!.url], district: 'e2e-failover', leaseTtlMs: 1_500, gateway });
    const sim = { incidentEveryMs: 0, requests: { requestEveryMs: 0 } };
    s = await openApp({ port: pa, peers: [`http://127.0.0.1:${pb}`], pageKeyFile: key, cluster: cluster('A'), onFatal: () => undefined, sim });
    b = await startFeedServer({
      port: pb,
      peers: [`http://127.0.0.1:${pa}`],
      pageKeyFile: key,
      cluster: cluster('B'),
      onFatal: () => undefined,
      staticDir: resolve(ROOT, 'dist/renderer'),
      assetsDir: resolve(ROOT, 'assets/district'),
      journalDir: mkdtempSync(join(tmpdir(), 'redwall-e2e-journal-')),
      sim,
      token: TEST_TOKEN,
      log: () => undefined,
    });
    await waitReady(s.page);
    const page = s.page;
    const gatewayShown = () => page.locator('[data-testid=feed-gateway]').getAttribute('data-gateway');
    await page.waitForFunction(() => document.querySelector('[data-testid=feed-status]')?.getAttribute('data-status') === 'live', undefined, {
      timeout: CAP_MS,
    });
    expect(await gatewayShown()).toBe(`127.0.0.1:${pa}`);

    // A dies (its NATS connection and its sockets); B takes the lease
    const a = s.server;
    await a.cluster!.log.nc.close();
    await a.close();
    const bb = b;
    await expect.poll(() => bb.cluster!.leading, { timeout: CAP_MS, interval: 100 }).toBe(true);
    await page.waitForFunction(
      (label) =>
        document.querySelector('[data-testid=feed-gateway]')?.getAttribute('data-gateway') === label &&
        document.querySelector('[data-testid=feed-status]')?.getAttribute('data-status') === 'live',
      `127.0.0.1:${pb}`,
      { timeout: CAP_MS, polling: 100 },
    );
    // an alarm raised at the new writer reaches the page
    const openAlarms = async () => Number(/(\d+) \(\d+\)/.exec((await page.locator('[data-testid=count-alarm]').textContent()) ?? '')?.[1] ?? NaN);
    const before = await openAlarms();
    bb.publish([{ stream: 'manhole', kind: 'manhole.reading', ts: Date.now(), wellId: 'MH-00421', sensor: 'gas', value: 33, unit: '%LEL', level: 'alarm' }]);
    await expect.poll(openAlarms, { timeout: CAP_MS, interval: 200 }).toBeGreaterThan(before);
    expect(s.consoleErrors.filter((e) => /Content Security Policy|forbidden/i.test(e))).toEqual([]);
    expect(s.external).toEqual([]);
  });
});
