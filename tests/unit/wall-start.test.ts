/**
 * The wall at start-up (issue 16.16): "starting up" is told from "stalled" (no 数据停滞, no 0/10 streams before the
 * first state arrived, no stale verdict from time the page's own thread was blocked), and the manhole tile
 * 窨井告警/预警 counts the same open manhole alarms the alarm list and the alarm matrix show — also after the well has
 * returned to normal (the alarm stays open until an operator closes it). The counts test runs the real feed core
 * (alarm engine, journal in a temp folder, shipped district) and the renderer's live store on its snapshot.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../data-pipelines/contracts/alarm.ts';
import type { Draft, FeedEvent } from '../../data-pipelines/contracts/events.ts';
import { SENSOR_SPECS, valueAtLevel } from '../../data-pipelines/contracts/manhole.ts';
import { FeedCore } from '../../data-pipelines/feed/core.ts';
import { loadEntities } from '../../data-pipelines/feed/entities.ts';
import { FeedStore, feedPhase, isStalled, streamStatus } from '../../renderer/src/stores/feed-store.ts';
import { LiveStore } from '../../renderer/src/stores/live-store.ts';
import { alarmMatrix, manholeCounts } from '../../renderer/src/wall/kpi.ts';
import { STREAMS } from '../../data-pipelines/contracts/events.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('starting up vs stalled', () => {
  it('feedPhase: starting until the first snapshot/replay; offline and reconnecting are shown as they are', () => {
    for (const s of ['connecting', 'live', 'stale'] as const) expect(feedPhase(s, false)).toBe('starting');
    expect(feedPhase('offline', false)).toBe('offline');
    expect(feedPhase('reconnecting', false)).toBe('reconnecting');
    for (const s of ['connecting', 'live', 'stale', 'offline', 'reconnecting'] as const) expect(feedPhase(s, true)).toBe(s);
  });

  it('isStalled counts only silence the page could have heard', () => {
    expect(isStalled({ lastHeartbeatAt: 0, listeningSince: 10_000, now: 15_000, staleAfterMs: 6_000 })).toBe(false); // connected 5 s ago, no hello yet
    expect(isStalled({ lastHeartbeatAt: 0, listeningSince: 10_000, now: 16_001, staleAfterMs: 6_000 })).toBe(true);
    expect(isStalled({ lastHeartbeatAt: 20_000, listeningSince: 10_000, now: 25_000, staleAfterMs: 6_000 })).toBe(false);
    expect(isStalled({ lastHeartbeatAt: 20_000, listeningSince: 10_000, now: 26_001, staleAfterMs: 6_000 })).toBe(true);
  });

  it('the feed store: not stale right after connecting, nor after its thread was blocked; stale after real silence', () => {
    const f = new FeedStore();
    expect(f.phase).toBe('starting');
    const t0 = Date.now();
    f.tick(t0);
    f.setStatus('live'); // socket connected; the greeting has not arrived (lastHeartbeatAt = 0)
    for (let s = 1; s <= 3; s++) {
      f.tick(t0 + s * 1000);
      f.checkStale(6_000);
    }
    expect(f.status).toBe('live');
    f.onHello('ep1', true);
    const hello = f.lastHeartbeatAt;
    f.onSync('snapshot');
    expect(f.phase).toBe('live');
    // the page's thread is blocked for 9 s (a large snapshot, boot): the next tick comes late
    f.tick(hello + 9_000);
    f.checkStale(6_000);
    expect(f.status).toBe('live');
    // then 7 s of ticks on time and no heartbeat: really stalled
    for (let s = 1; s <= 7; s++) {
      f.tick(hello + 9_000 + s * 1000);
      f.checkStale(6_000);
    }
    expect(f.status).toBe('stale');
    expect(f.phase).toBe('stale');
    f.onHeartbeat(hello + 17_000);
    expect(f.status).toBe('live');
  });

  it('after the first snapshot every stream counts as healthy (no false 0/10)', () => {
    const live = new LiveStore();
    live.loadSnapshot('ep1', [], Object.fromEntries(STREAMS.map((s) => [s, 0])) as never);
    const now = Date.now();
    const ok = STREAMS.filter((s) => ['live', 'quiet'].includes(streamStatus(s, live.health[s], 'live', now)));
    expect(ok.length).toBe(STREAMS.length);
  });
});

describe('manhole tile = open manhole alarms (one source with the alarm list)', () => {
  it('agrees with the alarm list and the alarm matrix, before and after the wells return to normal', () => {
    const entities = loadEntities(join(ROOT, 'assets/district'));
    const core = new FeedCore({ journal: { dir: mkdtempSync(join(tmpdir(), 'redwall-wall-start-')) }, entities, sim: null });
    try {
      const wells = entities.wells.slice(0, 5).map((w) => w.id);
      const t0 = Date.now() - 60_000;
      const reading = (wellId: string, level: 'alarm' | 'warning' | 'normal', ts: number): Draft => {
        const spec = SENSOR_SPECS.gas;
        const value = level === 'normal' ? (spec.normal[0] + spec.normal[1]) / 2 : valueAtLevel('gas', level, 0.5);
        return { stream: 'manhole', kind: 'manhole.reading', ts, wellId, sensor: 'gas', value, unit: spec.unit, level } as Draft;
      };
      core.ingest(wells.map((w, i) => reading(w, 'alarm', t0 + i)));
      const sixth = entities.wells[5]!.id;
      core.ingest([reading(sixth, 'warning', t0 + 10)]);

      const check = (expectAlarms: number, expectWarnings: number) => {
        const live = new LiveStore();
        const snap = core.snapshot(Date.now());
        live.loadSnapshot(snap.epoch, snap.events as FeedEvent[], snap.seqs);
        const listed = live.openAlarms.filter((a) => a.category === 'manhole' && !a.drill);
        const m = alarmMatrix(live.alarms);
        const column = m.counts.reduce((n, row) => n + row[m.categories.indexOf('manhole')]!, 0);
        expect(live.counts.wellAlarm).toBe(listed.length);
        expect(live.counts.wellAlarm).toBe(column);
        expect(live.counts.wellAlarm).toBe(expectAlarms);
        expect(live.counts.wellWarning).toBe(expectWarnings);
      };
      check(5, 1);
      // the five wells return to normal: their alarms stay open (unacknowledged) until an operator closes them
      core.ingest(wells.map((w, i) => reading(w, 'normal', t0 + 20_000 + i)));
      check(5, 1);
    } finally {
      core.close();
    }
  });

  it('drill alarms and drill readings never count; closed alarms do not', () => {
    const a = (p: Partial<Alarm>): Alarm => ({
      alarmId: `A-${Math.random()}`,
      category: 'manhole',
      sourceId: 'MH-00001',
      cause: 'gas',
      priority: 2,
      state: 'new',
      active: false,
      raisedAt: 1,
      updatedAt: 1,
      lon: 116.4,
      lat: 39.9,
      drill: false,
      history: [],
      ...p,
    });
    const r = (wellId: string, level: 'warning' | 'alarm', drill = false) =>
      ({
        stream: 'manhole',
        kind: 'manhole.reading',
        seq: 1,
        epoch: 'e',
        id: wellId,
        ts: 1,
        wellId,
        sensor: 'gas',
        value: 1,
        unit: 'ppm',
        level,
        ...(drill ? { drill: true } : {}),
      }) as unknown as FeedEvent;
    expect(
      manholeCounts(
        [a({}), a({ drill: true }), a({ state: 'closed' }), a({ category: 'fire' })],
        [r('MH-00001', 'warning'), r('MH-00002', 'warning', true), r('MH-00003', 'alarm')],
      ),
    ).toEqual({ alarm: 1, warning: 1 });
  });
});
