/**
 * Elderly services in Chromium (issue 6): the duty operator lists who turns 60 within 30 days — masked —, opens one
 * record (masked, audited on the server), asks for the whole record and is refused by the server (the renderer's
 * token is the operator's: nothing in the page can unmask), plans visit tasks on the server (journaled, pushed to the grid staff), and switches on the
 * elderly density layer. The server's audit trail (read with an auditor's token) has every step; no full ID number
 * ever reaches the page.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiCall, DRAWN, openApp, ROOT, waitReady, type Session } from './harness.ts';
import { countColour, decode } from './pixels.ts';

const OUT = resolve(ROOT, 'test-results');
mkdirSync(OUT, { recursive: true });
const AUDITOR = 'auditor-token-0123456789abcdef';
let s: Session;
const FULL_ID = /\b\d{17}[\dX]\b/;

describe('elderly services: masked by default, whole records only by role', () => {
  beforeAll(async () => {
    s = await openApp({ users: [{ name: '审计员', role: 'auditor', token: AUDITOR }] });
    await waitReady(s.page);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the operator lists who turns 60 within 30 days, masked, and sees who they are signed in as', async () => {
    await expect.poll(() => s.page.getAttribute('[data-testid=people-user]', 'data-role'), { timeout: 120_000 }).toBe('operator');
    await s.page.click('[data-testid=people-query]');
    await expect.poll(async () => Number(await s.page.getAttribute('[data-testid=people-count]', 'data-count')), { timeout: 120_000 }).toBeGreaterThan(0);
    const names = await s.page.$$eval('[data-testid=people-list] li .who', (els) => els.map((e) => e.textContent ?? ''));
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n).toContain('*');
    expect(await s.page.textContent('body')).not.toMatch(FULL_ID);
  });

  it('a record opens masked; the whole record is refused by the server for the operator, and the page says so', async () => {
    const first = s.page.locator('[data-testid=people-list] li').first();
    const residentId = await first.getAttribute('data-resident');
    await first.click();
    await expect.poll(() => s.page.getAttribute('[data-testid=people-record]', 'data-masked')).toBe('true');
    expect(await s.page.textContent('[data-testid=people-record]')).toMatch(/\d{6}\*{8}\d{3}[\dX]/);
    await s.page.fill('[data-testid=people-reason]', '上门送养老助残卡');
    await s.page.click('[data-testid=people-unmask]');
    await expect.poll(() => s.page.getAttribute('[data-testid=people-error]', 'data-status')).toBe('403');
    expect(await s.page.getAttribute('[data-testid=people-record]', 'data-masked')).toBe('true');
    expect(await s.page.textContent('body')).not.toMatch(FULL_ID);
    // the renderer cannot go around the panel either: its own socket asks as the duty operator
    const direct = await s.page.evaluate(
      (id) =>
        (window.__redwall!.store.sink as unknown as { call(op: 'people', r: unknown): Promise<{ ok: boolean; status?: number }> }).call('people', {
          op: 'unmask',
          residentId: id,
          reason: '绕过面板直接请求',
        }),
      residentId!,
    );
    expect(direct).toMatchObject({ ok: false, status: 403 });
    // the server's audit trail has the list, the view and both refused unmask attempts
    const trail = (await (await apiCall(s.server.url, AUDITOR, '/api/people/audit')).json()) as Array<{
      action: string;
      outcome: string;
      residentId?: string;
      user: string;
      reason?: string;
    }>;
    expect(trail.some((e) => e.action === 'list' && e.outcome === 'ok')).toBe(true);
    expect(trail.some((e) => e.action === 'view' && e.residentId === residentId)).toBe(true);
    expect(trail.filter((e) => e.action === 'unmask' && e.residentId === residentId).map((e) => [e.user, e.outcome, e.reason])).toEqual([
      ['值班员', 'denied', '上门送养老助残卡'],
      ['值班员', 'denied', '绕过面板直接请求'],
    ]);
    const audit = await s.page.evaluate(() =>
      window.__redwall!.store.ui.audit.filter((a) => a.command.type === 'people').map((a) => [a.command.type === 'people' ? a.command.op : '', a.result]),
    );
    expect(audit).toContainEqual(['unmask', "error: 403 role operator may not see this person's whole record"]);
  });

  it('visit tasks: planned on the server (one per person), journaled and pushed to every console, each to its grid’s staff', async () => {
    await s.page.click('[data-testid=people-tasks]');
    const made = s.page.locator('[data-testid=people-tasks-made]');
    await made.waitFor({ timeout: 120_000 });
    const count = Number(await s.page.getAttribute('[data-testid=people-count]', 'data-count'));
    expect(Number(await made.getAttribute('data-created'))).toBe(count);
    await expect.poll(async () => Number(await s.page.getAttribute('[data-testid=task-counts]', 'data-open')), { timeout: 120_000 }).toBe(count);
    // the task list shows the same people (masked) with the grid of each
    const listed = await s.page.$$eval('[data-testid=task-list] li', (els) => els.map((e) => e.getAttribute('data-grid')));
    const grids = await s.page.$$eval('[data-testid=people-list] li', (els) => els.map((e) => e.getAttribute('data-grid')));
    expect(new Set(listed).size).toBeGreaterThan(0);
    for (const g of listed.slice(0, 10)) expect(grids).toContain(g);
    expect(s.server.core.board.tasks.size).toBe(count);
    // the duty operator plans but does not make visits: no "done" button for them
    expect(await s.page.locator('[data-testid=task-done]').count()).toBe(0);
    // planning again creates nothing twice
    await s.page.click('[data-testid=people-tasks]');
    await expect.poll(() => s.page.getAttribute('[data-testid=people-tasks-made]', 'data-existing')).toBe(String(count));
    expect(s.server.core.board.tasks.size).toBe(count);
  });

  it('grid management: an event lands in its grid cell, with the cell’s staff, open count and a click that flies there', async () => {
    const res = await s.api('/api/sim/incident', { wellId: 'MH-00420', sensor: 'gas' });
    expect(res.status).toBe(200);
    const grid = await s.page.evaluate(async () => {
      const w = window.__redwall!;
      for (let i = 0; i < 100 && !w.store.realLive.alarms.some((a) => a.sourceId === 'MH-00420'); i++) await new Promise((r) => setTimeout(r, 100));
      const a = w.store.realLive.alarms.find((x) => x.sourceId === 'MH-00420')!;
      return w.store.people.grids.find((g) => a.lon >= g.west && a.lon < g.east && a.lat >= g.south && a.lat < g.north)!.id;
    });
    const row = s.page.locator(`[data-testid=grid-table] tr[data-grid="${grid}"]`);
    await row.waitFor({ timeout: 120_000 });
    expect(Number(await row.getAttribute('data-open'))).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await row.locator('.muted').textContent())?.length ?? 0, { timeout: 120_000 }).toBeGreaterThan(1); // the staff name
    const before = await s.page.evaluate(() => window.__redwall!.store.ui.cameraRequest?.nonce ?? 0);
    await row.click();
    expect(await s.page.evaluate(() => window.__redwall!.store.ui.cameraRequest?.nonce ?? 0)).toBeGreaterThan(before);
  });

  it('the elderly density layer draws the grid cells in 2D (aggregates only)', async () => {
    await s.page.click('[data-testid=people-record-close]');
    await s.page.click('[data-testid=layer-elderly]');
    await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.people.density.length), { timeout: 120_000 }).toBeGreaterThan(50);
    await s.page.click('[data-testid=view-2d]');
    await s.page.evaluate(() => window.__redwall!.ready2d());
    await vi.waitFor(async () => {
      const png = decode(await s.page.locator('#view2d').screenshot({ path: resolve(OUT, 'elderly-2d.png') }));
      // the purple ramp of the layer (any of its middle steps)
      const purple = countColour(png, [156, 110, 200], 45) + countColour(png, [118, 60, 170], 45) + countColour(png, [196, 170, 224], 45);
      expect(purple).toBeGreaterThan(2000);
    }, DRAWN);
    expect(s.consoleErrors).toEqual([]);
    expect(s.external).toEqual([]);
  });
});
