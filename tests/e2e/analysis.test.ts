/**
 * The Xidan-North story end to end in Chromium, on the demo district: a planner compares residents' vehicles at night
 * with public parking, reads the heatmap and the hardest block, ranks vacant lots nearby, tries "add 100 spaces" on
 * the best one and on an area they draw, checks observed occupancy over the last day from the feed journal, exports
 * the map, the table and a printable report (files read back and checked), and queries the tables in the SQL console.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DRAWN, mapSettled, openApp, ROOT, waitReady, type Session } from './harness.ts';
import { countColour, decode, diffImages, stats } from './pixels.ts';

const OUT = resolve(ROOT, 'test-results');
mkdirSync(OUT, { recursive: true });
let s: Session;

/** pixels satisfying a colour predicate (fills are translucent over the basemap, so exact colours vary) */
const countWhere = (png: ReturnType<typeof decode>, f: (r: number, g: number, b: number) => boolean) => {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) if (f(png.data[i]!, png.data[i + 1]!, png.data[i + 2]!)) n++;
  return n;
};
/** the hot end of the ramp (orange to deep red) */
const hot = (r: number, g: number, b: number) => r > 150 && g < 120 && b < 90;
const attr = async (sel: string, name: string) => (await s.page.getAttribute(sel, name)) ?? '';
const idle = () => expect.poll(() => attr('[data-testid=analysis-status]', 'data-running'), { timeout: 120_000 }).toBe('false');
const sql = (q: string) => s.page.evaluate((text) => window.__redwall!.sql(text), q);

/**
 * A screenshot of one view by its box on the page. Not locator.screenshot(): that waits for two animation frames with
 * the same box, and a frame of the planner's heatmap under a live feed takes seconds on software GL (see the session
 * note: a performance finding for issue 24), which timed out though the pixels were there.
 */
async function viewShot(s: { page: import('playwright-core').Page }, selector: string, path: string): Promise<Buffer> {
  const clip = await s.page.locator(selector).boundingBox();
  if (!clip) throw new Error(`${selector} has no box (hidden?)`);
  return s.page.screenshot({ path, clip, timeout: 120_000 });
}

describe('planner: parking supply/demand and car-park site selection (Xidan-North story)', () => {
  beforeAll(async () => {
    // a day of parking history in the journal, as the demo has (npm start backfills 24 h)
    s = await openApp({ sim: { incidentEveryMs: 0, backfillMs: 24 * 3600_000, backfillStepMs: 30 * 60_000 } });
    await waitReady(s.page);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('night resident demand vs public supply: heatmap cells, totals with units, the hardest block', async () => {
    await s.page.click('[data-testid=workspace-analysis]');
    await s.page.waitForSelector('[data-testid=view2d]:not([hidden])');
    await s.page.evaluate(() => window.__redwall!.ready2d());
    await s.page.waitForSelector('[data-testid=analysis-totals]', { timeout: 120_000 });
    await s.page.click('[data-testid=preset-night-day]');
    await idle();
    expect(await s.page.inputValue('[data-testid=demand-kind]')).toBe('resident');
    expect(await s.page.textContent('[data-testid=demand-slot-label]')).toBe('22:00');
    expect(await s.page.textContent('[data-testid=supply-slot-label]')).toBe('14:00');
    // the panel shows the SQL's numbers (unmet from the access table; demand and supply re-derived from the base tables)
    const unmet = Number(await attr('[data-testid=analysis-totals]', 'data-unmet'));
    const direct = await sql('SELECT sum(unmet) AS u, sum(demand) AS d FROM pa_access');
    expect(unmet).toBeCloseTo(Number(direct.first!['u']), 2);
    const demand = Number(await attr('[data-testid=analysis-totals]', 'data-demand'));
    const byHand = await sql("SELECT sum(s.vehicles * p.resident_home) AS d FROM demand_sources s, demand_profile p WHERE s.kind = 'resident' AND p.slot = 44");
    expect(demand).toBeCloseTo(Number(byHand.first!['d']), 2);
    const supply = Number(await attr('[data-testid=analysis-totals]', 'data-supply'));
    const open = await sql('SELECT sum(capacity)::DOUBLE AS c FROM parking_places WHERE 840 >= open_min AND 840 < close_min');
    expect(supply).toBe(Number(open.first!['c']));
    expect(await s.page.textContent('[data-testid=analysis-totals]')).toMatch(/辆/);
    expect(await s.page.textContent('[data-testid=analysis-legend]')).toMatch(/辆/);
    const hardest = await attr('[data-testid=analysis-hardest]', 'data-cell');
    expect(hardest).toMatch(/^hex:-?\d+:-?\d+$/);
    await s.page.click('[data-testid=hardest-go]');
    await mapSettled(s.page);
    const cellsShot = await vi.waitFor(async () => {
      const shot = await viewShot(s, '#view2d', resolve(OUT, 'analysis-2d.png'));
      const png = decode(shot);
      expect(stats(png).distinctColours).toBeGreaterThan(50);
      // the hottest ramp colours are on the map
      expect(countWhere(png, hot)).toBeGreaterThan(500);
      return shot;
    }, DRAWN);
    // heatmap display: the picture changes from the cells' (a heatmap that failed to draw would leave their frame)
    await s.page.selectOption('[data-testid=display]', 'heatmap');
    await vi.waitFor(async () => {
      const heat = await viewShot(s, '#view2d', resolve(OUT, 'analysis-heat.png'));
      expect(stats(decode(heat)).distinctColours).toBeGreaterThan(50);
      expect(diffImages(heat, cellsShot).diffFraction).toBeGreaterThan(0.02);
    }, DRAWN);
    await s.page.screenshot({ path: resolve(ROOT, 'docs/screenshots/parking-heatmap-2d.png') });
    await s.page.selectOption('[data-testid=display]', 'cells');
  });

  it('ranks vacant lots by unmet demand within walking distance; +100 spaces on the best one, before/after', async () => {
    await s.page.fill('[data-testid=site-capacity]', '100');
    await s.page.click('[data-testid=find-sites]');
    await s.page.waitForSelector('[data-testid=site-list] li', { timeout: 120_000 });
    const covered = await s.page.$$eval('[data-testid=site-list] li', (els) => els.map((e) => Number(e.getAttribute('data-covered'))));
    expect(covered.length).toBeGreaterThan(3);
    for (let i = 1; i < covered.length; i++) expect(covered[i - 1]!).toBeGreaterThanOrEqual(covered[i]!);
    const best = (await s.page.getAttribute('[data-testid=site-list] li:first-child', 'data-site'))!;
    await s.page.click(`[data-testid=whatif-${best}]`);
    await s.page.waitForSelector('[data-testid=whatif-result]', { timeout: 120_000 });
    const before = Number(await attr('[data-testid=whatif-result]', 'data-before'));
    const after = Number(await attr('[data-testid=whatif-result]', 'data-after'));
    expect(after).toBeLessThan(before);
    expect(before - after).toBeLessThanOrEqual(100 + 1e-6);
    // the rank is what the what-if measures (issue 16 item 19)
    expect(before - after).toBeCloseTo(covered[0]!, 2);
    expect(await s.page.textContent('[data-testid=rank-means]')).toMatch(/全区无位/);
    // the cells the site relieves are listed with the site, and are the cells the what-if improves
    const listed = ((await s.page.getAttribute(`[data-testid=site-list] li[data-site="${best}"]`, 'data-cells')) ?? '').split(' ').filter(Boolean).sort();
    const improved = await s.page.evaluate(() =>
      window
        .__redwall!.store.analysis.whatIf!.delta.filter((d) => d.unmetAfter < d.unmetBefore - 1e-9)
        .map((d) => d.cell_id)
        .sort(),
    );
    expect(listed).toEqual(improved);
    // before / after / change: every number in its own column
    const hardRow = await s.page.$$eval('[data-testid=whatif-hardest] td', (els) =>
      els.map((e) => Number(e.textContent!.replace(/[,\u2212]/g, (c) => (c === ',' ? '' : '-')))),
    );
    expect(hardRow).toHaveLength(3);
    expect(Math.abs(hardRow[2]! - (hardRow[1]! - hardRow[0]!))).toBeLessThanOrEqual(1);
    if (!listed.includes((await attr('[data-testid=analysis-hardest]', 'data-cell'))!))
      expect(await s.page.locator('[data-testid=whatif-misses-hardest]').count()).toBe(1);
    await s.page.click(`[data-testid=site-list] li[data-site="${best}"] .site-name`);
    await mapSettled(s.page);
    await vi.waitFor(async () => {
      const png = decode(await viewShot(s, '#view2d', resolve(OUT, 'analysis-whatif.png')));
      // green outlines of improved cells, and the selected lot in amber
      expect(countColour(png, [46, 230, 140], 25)).toBeGreaterThan(40);
      expect(countColour(png, [255, 209, 102], 25)).toBeGreaterThan(20);
    }, DRAWN);
    await s.page.screenshot({ path: resolve(ROOT, 'docs/screenshots/parking-site-whatif-2d.png') });
  });

  it('a planner draws a site on the map and it is ranked with the others', async () => {
    const hardest = await s.page.evaluate(() => window.__redwall!.store.analysis.result!.hardest!);
    await s.page.click('[data-testid=hardest-go]');
    await mapSettled(s.page);
    await s.page.click('[data-testid=draw-site]');
    const box = (await s.page.locator('#view2d').boundingBox())!;
    const corners = await s.page.evaluate(
      ([lon, lat]) => {
        const v = window.__redwall!.view2d()!;
        const d = 0.00035;
        return [
          [lon - d, lat - d],
          [lon + d, lat - d],
          [lon + d, lat + d],
          [lon - d, lat + d],
        ].map(([x, y]) => v.project(x!, y!));
      },
      [hardest.lon, hardest.lat] as const,
    );
    for (const c of corners.slice(0, 3)) {
      await s.page.mouse.click(box.x + c.x, box.y + c.y);
      await s.page.waitForTimeout(150);
    }
    const last = corners[3]!;
    await s.page.mouse.dblclick(box.x + last.x, box.y + last.y);
    await s.page.waitForSelector('[data-testid=site-list] li[data-site="DS-01"]', { timeout: 120_000 });
    const drawn = await s.page.evaluate(() => window.__redwall!.store.analysis.shapes.find((x) => x.siteId === 'DS-01')!);
    expect(drawn.ring).toHaveLength(5);
    expect(drawn.drawn).toBe(true);
    // ~60 m x 78 m at this latitude -> ~4,700 m2 -> 187 surface spaces
    expect(drawn.maxSpaces).toBeGreaterThan(120);
    expect(drawn.maxSpaces).toBeLessThan(260);
    // the Xidan-North move: 100 spaces on the lot drawn in the hardest block lowers that block's unmet demand
    const hardestBefore = await s.page.evaluate(() => window.__redwall!.store.analysis.result!.hardest!);
    await s.page.click('[data-testid=whatif-DS-01]');
    await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.analysis.whatIf?.site.siteId ?? null), { timeout: 120_000 }).toBe('DS-01');
    const w = await s.page.evaluate(() => {
      const x = window.__redwall!.store.analysis.whatIf!;
      return {
        before: x.before.totals.unmet,
        after: x.after.totals.unmet,
        cells: x.delta.map((d) => ({ id: d.cell_id, before: d.unmetBefore, after: d.unmetAfter })),
      };
    });
    const hardCell = w.cells.find((c) => c.id === hardestBefore.cell_id);
    expect(hardCell).toBeDefined();
    expect(hardCell!.after).toBeLessThan(hardCell!.before);
    const shown = await s.page.$$eval('[data-testid=whatif-hardest] td', (els) =>
      els.map((e) => Number(e.textContent!.replace(/[,\u2212]/g, (c) => (c === ',' ? '' : '-')))),
    );
    expect(shown).toEqual([Math.round(hardCell!.before), Math.round(hardCell!.after), Math.round(hardCell!.after - hardCell!.before)]);
    expect(w.before - w.after).toBeGreaterThan(50);
    expect(w.before - w.after).toBeLessThanOrEqual(100 + 1e-6);
    const audit = await s.page.evaluate(() =>
      window.__redwall!.store.ui.audit.filter((r) => r.command.type === 'analysis').map((r) => (r.command as { cmd: { op: string } }).cmd.op),
    );
    expect(audit).toEqual(expect.arrayContaining(['setParams', 'findSites', 'whatIf', 'startDrawing', 'addDrawnSite']));
  });

  it('observed occupancy over the last day from the feed journal, with a time slider', async () => {
    const before = await viewShot(s, '#view2d', resolve(OUT, 'analysis-before-occupancy.png'));
    await s.page.click('[data-testid=load-history]');
    await s.page.waitForSelector('[data-testid=history]', { timeout: 120_000 });
    const samples = Number(await attr('[data-testid=history]', 'data-samples'));
    expect(samples).toBeGreaterThanOrEqual(40);
    expect(await s.page.inputValue('[data-testid=metric]')).toBe('occupancy');
    // move the slider to the first sample: the label and the map follow
    const label0 = await s.page.textContent('[data-testid=history-slider-label]');
    await s.page.evaluate(() => {
      const el = document.querySelector<HTMLInputElement>('[data-testid=history-slider]')!;
      el.value = '2';
      el.dispatchEvent(new Event('input'));
      el.dispatchEvent(new Event('change'));
    });
    await expect.poll(() => s.page.textContent('[data-testid=history-slider-label]')).not.toBe(label0);
    const series = await s.page.evaluate(() => window.__redwall!.store.analysis.history!.series.map((x) => x.ts));
    await expect.poll(() => s.page.evaluate(() => window.__redwall!.store.analysis.historyTs)).toBe(series[2]);
    const cells = await s.page.evaluate(() => window.__redwall!.store.analysis.occupancy.length);
    expect(cells).toBeGreaterThan(20);
    // the map shows the occupancy: more than its basemap, and not the picture it had before
    await vi.waitFor(async () => {
      const shot = await viewShot(s, '#view2d', resolve(OUT, 'analysis-occupancy.png'));
      expect(stats(decode(shot)).distinctColours).toBeGreaterThan(50);
      expect(diffImages(shot, before).diffFraction).toBeGreaterThan(0.02);
    }, DRAWN);
    await s.page.selectOption('[data-testid=metric]', 'unmet');
  });

  it('exports the map (PNG), the cells table (CSV) and a printable report with map, method and numbers', async () => {
    const [pngDl] = await Promise.all([s.page.waitForEvent('download'), s.page.click('[data-testid=export-png]')]);
    const pngBytes = readFileSync(await pngDl.path());
    writeFileSync(resolve(OUT, 'analysis-export.png'), pngBytes);
    const png = decode(pngBytes);
    expect(png.width).toBeGreaterThan(600);
    expect(stats(png).distinctColours).toBeGreaterThan(50);
    // the legend is drawn into the picture: hot ramp swatches inside the legend box (bottom-left, 230 px wide), on
    // its dark background
    let swatch = 0;
    let dark = 0;
    for (let y = png.height - 150; y < png.height - 10; y++)
      for (let x = 10; x < 236; x++) {
        const i = (y * png.width + x) * 4;
        const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
        if (x < 30 && hot(r, g, b)) swatch++;
        if (r < 40 && g < 45 && b < 60) dark++;
      }
    expect(swatch).toBeGreaterThan(40);
    expect(dark).toBeGreaterThan(5000);

    const [csvDl] = await Promise.all([s.page.waitForEvent('download'), s.page.click('[data-testid=export-csv]')]);
    const lines = readFileSync(await csvDl.path(), 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const head = lines[0]!.split(',');
    expect(head).toEqual([
      'cell_id',
      'lon',
      'lat',
      'demand_vehicles',
      'resident_vehicles',
      'supply_spaces',
      'gap_vehicles',
      'unmet_vehicles',
      'places',
      'sources',
    ]);
    const rows = lines.slice(1).map((l) => l.split(','));
    const result = await s.page.evaluate(() => ({
      n: window.__redwall!.store.analysis.result!.cells.length,
      unmet: window.__redwall!.store.analysis.result!.totals.unmet,
    }));
    expect(rows).toHaveLength(result.n);
    const sum = rows.reduce((acc, r) => acc + Number(r[head.indexOf('unmet_vehicles')]), 0);
    expect(Math.abs(sum - result.unmet)).toBeLessThanOrEqual(0.05 * rows.length + 1e-6);
    // negative gaps stay numbers (no formula-guard apostrophe)
    expect(rows.some((r) => Number(r[head.indexOf('gap_vehicles')]) < 0)).toBe(true);

    const [htmlDl] = await Promise.all([s.page.waitForEvent('download'), s.page.click('[data-testid=export-report]')]);
    const html = readFileSync(await htmlDl.path(), 'utf8');
    expect(html).toContain('data:image/png;base64,');
    expect(html).toContain('2SFCA');
    expect(html).toContain('What-if');
    const p2 = await s.context.newPage();
    await p2.setContent(html);
    expect(Number((await p2.textContent('td[data-k=unmet]'))!.replace(/,/g, ''))).toBe(Math.round(result.unmet));
    expect(await p2.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 600)).toBe(true);
    await p2.screenshot({ path: resolve(OUT, 'analysis-report.png'), fullPage: true });
    await p2.close();
    // exports are recorded in the audit trail
    const exportsDone = await s.page.evaluate(() =>
      window.__redwall!.store.ui.audit.flatMap((r) => (r.command.type === 'analysis' && r.command.cmd.op === 'export' ? [r.command.cmd.what] : [])),
    );
    expect(exportsDone).toEqual(['png', 'cells-csv', 'report']);
  });

  it('SQL console: schema browser, results on the map, clear errors, read-only', async () => {
    await s.page.click('[data-testid=sql-toggle]');
    await s.page.waitForSelector('[data-testid=sql-schema] details[data-table=parking_places]');
    expect(await s.page.locator('[data-testid=sql-schema] details').count()).toBeGreaterThanOrEqual(15);
    await s.page.fill('[data-testid=sql-input]', "SELECT place_id, lon, lat, capacity FROM parking_places WHERE kind = 'lot'");
    await s.page.click('[data-testid=sql-run]');
    await s.page.waitForSelector('[data-testid=sql-status], [data-testid=sql-error]');
    expect(
      await s.page
        .locator('[data-testid=sql-error]')
        .textContent()
        .catch(() => null),
    ).toBeNull();
    expect(await attr('[data-testid=sql-status]', 'data-rows')).toBe('130');
    expect(await attr('[data-testid=sql-status]', 'data-points')).toBe('130');
    await s.page.click('[data-testid=sql-close]');
    await s.page.evaluate(() => window.__redwall!.view2d()!.map.jumpTo({ center: [116.456, 39.9375], zoom: 13 }));
    await vi.waitFor(async () => {
      const png = decode(await viewShot(s, '#view2d', resolve(OUT, 'analysis-console.png')));
      expect(countWhere(png, (r, g, b) => r < 110 && g > 170 && b > 190)).toBeGreaterThan(200);
    }, DRAWN);
    await s.page.click('[data-testid=sql-toggle]');
    await s.page.fill('[data-testid=sql-input]', 'SELECT * FROM no_such_table');
    await s.page.keyboard.press('Control+Enter');
    await expect.poll(() => s.page.textContent('[data-testid=sql-error]').catch(() => '')).toMatch(/no_such_table/);
    await s.page.fill('[data-testid=sql-input]', 'DROP TABLE parking_places');
    await s.page.click('[data-testid=sql-run]');
    await expect.poll(() => s.page.textContent('[data-testid=sql-error]').catch(() => '')).toMatch(/控制台只读/);
    expect(Number((await sql('SELECT count(*) AS n FROM parking_places')).first!['n'])).toBe(5130);
    // issue 16 item 2: a nested block comment no longer hides a second statement (DuckDB's parser decides)
    await s.page.fill('[data-testid=sql-input]', "SELECT 1 /* /* */ 'x */) AS q; CREATE TABLE pwn AS SELECT 42; SELECT * FROM (SELECT 1 --'");
    await s.page.click('[data-testid=sql-run]');
    await expect.poll(() => s.page.textContent('[data-testid=sql-error]').catch(() => '')).toMatch(/控制台只读/);
    expect(Number((await sql("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'pwn'")).first!['n'])).toBe(0);
    await s.page.fill('[data-testid=sql-input]', 'SELECT * FROM enable_logging()');
    await s.page.click('[data-testid=sql-run]');
    await expect.poll(() => s.page.textContent('[data-testid=sql-error]').catch(() => '')).toMatch(/enable_logging/);
    // a runaway cross join: Stop interrupts it in DuckDB, and the console answers again
    await s.page.fill('[data-testid=sql-input]', 'SELECT count(*) FROM range(1000000000) a, range(1000000000) b');
    await s.page.click('[data-testid=sql-run]');
    await s.page.waitForSelector('[data-testid=sql-running]');
    await s.page.click('[data-testid=sql-stop]');
    await expect.poll(() => s.page.textContent('[data-testid=sql-error]').catch(() => ''), { timeout: 120_000 }).toMatch(/已停止/);
    await s.page.fill('[data-testid=sql-input]', 'SELECT 42 AS x');
    await s.page.click('[data-testid=sql-run]');
    await expect.poll(() => s.page.getAttribute('[data-testid=sql-status]', 'data-rows').catch(() => null)).toBe('1');
    await s.page.click('[data-testid=sql-close]');
  });

  it('3D: the analysis as extruded columns', async () => {
    await s.page.click('[data-testid=view-3d]');
    await s.page.click('[data-testid=preset-overview]');
    await vi.waitFor(async () => {
      const png = decode(await viewShot(s, '#view3d', resolve(OUT, 'analysis-3d.png')));
      expect(stats(png).distinctColours).toBeGreaterThan(50);
      expect(countWhere(png, hot)).toBeGreaterThan(300);
    }, DRAWN);
    await s.page.screenshot({ path: resolve(ROOT, 'docs/screenshots/parking-columns-3d.png') });
    expect(s.external).toEqual([]);
    expect(s.consoleErrors).toEqual([]);
  });
});
