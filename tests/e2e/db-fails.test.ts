/**
 * The local analysis database (DuckDB-Wasm) cannot start — its worker script missing from a damaged install, here
 * answered 404. DuckDB-Wasm itself drops the requests of a worker that fails without settling them; start-up must say
 * so rather than wait for ever, the alarm list stays live, and what a planner asks of the database fails with the
 * reason instead of waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type Session } from './harness.ts';

describe('the local database cannot start', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openApp({}, '', { width: 1600, height: 900 }, (page) => {
      void page.route(/duckdb-browser-eh\.worker[^/]*\.js$/, (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'gone' }));
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('start-up says why, the alarm list stays live, and a query fails with the reason instead of waiting', async () => {
    await s.page.waitForFunction(() => document.getElementById('boot')?.dataset['state'] === 'error', undefined, { timeout: 120_000 });
    expect(await s.page.locator('#boot').textContent()).toMatch(/worker failed to start/);
    const res = await s.api('/api/sim/incident', { wellId: 'MH-00420', sensor: 'gas' });
    expect(res.status).toBe(200);
    await s.page.locator('[data-testid=alarm-item][data-source=MH-00420]').waitFor({ timeout: 120_000 });
    const answer = await s.page.evaluate(() => window.__redwall!.store.command({ type: 'analysis', cmd: { op: 'sql', sql: 'SELECT 1' } }));
    expect(JSON.stringify(answer)).toMatch(/worker failed to start/);
    expect(await s.page.evaluate(() => window.__redwall!.store.analysis.dbStarting)).toBe(false);
    // the failure, said where the start and the database's users wait for it (and by DuckDB-Wasm itself: "Event",
    // "error in duckdb worker"); nothing else, and nothing left the machine
    const ours = /^(RedWall failed to start|analysis workspace failed to start|citizen-request tables unavailable): .*worker failed to start/;
    expect(s.consoleErrors.filter((e) => !ours.test(e) && e !== 'Event' && !e.startsWith('error in duckdb worker'))).toEqual([]);
    expect(s.consoleErrors.filter((e) => ours.test(e))).toHaveLength(3);
    expect(s.external).toEqual([]);
  });
});
