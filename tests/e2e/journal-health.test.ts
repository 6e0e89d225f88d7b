/**
 * A full disk under the feed server's journal (issue 16.7), end to end on a real tmpfs: the console and the wall both
 * show "journal cannot write", an operator's command is refused with the reason (never acknowledged), and all of it
 * clears by itself once the disk has space again. Every wait is on a condition, capped only so a hang fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandAck } from '../../data-pipelines/contracts/events.ts';
import { openApp, waitReady, type Session } from './harness.ts';

const CAP_MS = 180_000;

describe('journal cannot write, on every screen', () => {
  const mnt = mkdtempSync(join(tmpdir(), 'redwall-e2e-tmpfs-'));
  let mounted = false;
  let s: Session | null = null;
  afterAll(async () => {
    await s?.close();
    if (mounted) execFileSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it('console and wall show it, commands are refused, and it clears when space returns', { timeout: 900_000 }, async (ctx) => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt], { stdio: 'pipe' });
      mounted = true;
    } catch (e) {
      // only where mounting is not permitted at all (not root); CI runs as root and runs this
      if (process.getuid?.() === 0) throw e;
      ctx.skip();
      return;
    }
    s = await openApp({ journalDir: join(mnt, 'journal'), held: { retryMs: 200 } });
    await waitReady(s.page);
    const wall = await s.context.newPage();
    await wall.goto(`${s.server.url}/?screen=wall`);
    await waitReady(wall);
    const well = s.server.core.entities.wells[0]!.id;
    const [ev] = s.server.publish([
      { stream: 'manhole', kind: 'manhole.reading', ts: Date.now(), wellId: well, sensor: 'gas', value: 30, unit: '%LEL', level: 'alarm' },
    ]);
    expect(ev).toBeDefined();
    const alarmId = [...s.server.core.engine.alarms.values()].find((a) => a.sourceId === well)!.alarmId;
    await s.page.waitForFunction((id) => window.__redwall!.store.live.alarms.some((a) => a.alarmId === id), alarmId, { timeout: CAP_MS, polling: 250 });

    // fill the disk: the simulator's next events cannot be journaled
    let n = 0;
    for (;;) {
      const free = statfsSync(mnt).bavail * statfsSync(mnt).bsize;
      if (free <= 0) break;
      try {
        writeFileSync(join(mnt, `filler-${n++}`), Buffer.alloc(Math.min(free, 1024 * 1024)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
        break;
      }
    }
    s.server.publish([{ stream: 'manhole', kind: 'manhole.reading', ts: Date.now(), wellId: well, sensor: 'gas', value: 1, unit: '%LEL', level: 'normal' }]);
    // the console's status bar and the wall's title bar
    const banner = (p: Page) => p.locator(p === wall ? '[data-testid=wall-top] [data-testid=journal-health]' : '#statusbar [data-testid=journal-health]');
    for (const p of [s.page, wall]) {
      await p
        .locator(
          p === wall
            ? '[data-testid=wall-top] [data-testid=journal-health][data-writable=false]'
            : '#statusbar [data-testid=journal-health][data-writable=false]',
        )
        .waitFor({ timeout: CAP_MS });
      expect(await banner(p).textContent()).toMatch(/日志无法写入（ENOSPC）/);
    }
    // an operator's acknowledgement is refused with the reason, not acknowledged
    const ack = await s.page.evaluate(
      (id) => window.__redwall!.store.sink!.sendAlarmCommand({ commandId: 'e2e-disk-full-0001', alarmId: id, action: 'acknowledge', by: '值班员' }),
      alarmId,
    );
    expect(ack).toMatchObject({ ok: false, error: expect.stringMatching(/journal cannot write \(ENOSPC\)/) });
    expect(s.server.core.engine.alarms.get(alarmId)!.state).toBe('new');

    // space returns: the banner clears on both screens by itself, the held event arrives, commands work again
    for (const f of readdirSync(mnt)) if (f.startsWith('filler-')) rmSync(join(mnt, f));
    for (const p of [s.page, wall]) await banner(p).waitFor({ state: 'detached', timeout: CAP_MS });
    await s.page.waitForFunction((id) => window.__redwall!.store.live.alarms.find((a) => a.alarmId === id)?.active === false, alarmId, {
      timeout: CAP_MS,
      polling: 250,
    });
    const again = (await s.page.evaluate(
      (id) => window.__redwall!.store.sink!.sendAlarmCommand({ commandId: 'e2e-disk-full-0001', alarmId: id, action: 'acknowledge', by: '值班员' }),
      alarmId,
    )) as CommandAck;
    expect(again).toMatchObject({ ok: true, duplicate: false });
  });
});
