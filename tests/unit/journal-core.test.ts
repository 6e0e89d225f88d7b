import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyCommand, raise, type Alarm, type AlarmCommand } from '../../data-pipelines/contracts/alarm.ts';
import { parseFeedEvent } from '../../data-pipelines/contracts/events.ts';
import { gasReading, tmpJournalDir } from './district-fixture.ts';
import { Journal } from '../../data-pipelines/feed/journal.ts';

const tmp = tmpJournalDir;
const reading = gasReading;

describe('journal', () => {
  it('stamps per-stream consecutive seqs and keeps them across reopen, with the same epoch', () => {
    const dir = tmp();
    const { journal } = Journal.open({ dir, fsyncEveryMs: 0 });
    const { events } = journal.append([
      reading('MH-00001', 1),
      reading('MH-00002', 2),
      { stream: 'env', kind: 'env.reading', ts: 1, stationId: 'ENV-01', metric: 'noise', value: 50, unit: 'dB(A)', level: 'normal' },
    ]);
    expect(events.map((e) => [e.stream, e.seq])).toEqual([
      ['manhole', 1],
      ['manhole', 2],
      ['env', 1],
    ]);
    const epoch = journal.epoch;
    journal.close();
    const seen: number[] = [];
    const { journal: j2, report } = Journal.open({ dir, fsyncEveryMs: 0 }, (e) => seen.push(e.seq));
    expect(j2.epoch).toBe(epoch);
    expect(report).toMatchObject({ events: 3, tornLines: 0, corruptLines: 0 });
    expect(j2.append([reading('MH-00003', 3)]).events[0]!.seq).toBe(3);
    j2.close();
  });

  it('truncates a torn last line after a crash, counts corrupt lines, and loses nothing before them', () => {
    const dir = tmp();
    const { journal } = Journal.open({ dir, fsyncEveryMs: 0 });
    journal.append([reading('MH-00001', 1), reading('MH-00002', 2)]);
    journal.close();
    const seg = join(dir, 'manhole', readdirSync(join(dir, 'manhole'))[0]!);
    appendFileSync(seg, '{"stream":"manhole","seq":3,"epo'); // process killed mid-write
    const { journal: j2, report } = Journal.open({ dir, fsyncEveryMs: 0 });
    expect(report).toMatchObject({ events: 2, tornLines: 1 });
    expect(j2.append([reading('MH-00003', 3)]).events[0]!.seq).toBe(3);
    j2.close();
    const lines = readFileSync(seg, 'utf8').trim().split('\n');
    expect(lines.map((l) => parseFeedEvent(l).ok)).toEqual([true, true, true]);
  });

  it('rejects drafts that break the contract without consuming a seq', () => {
    const { journal } = Journal.open({ dir: tmp(), fsyncEveryMs: 0 });
    const r = journal.append([reading('MH-00001', Number.NaN), reading('MH-00001', 1)]);
    expect(r.rejected).toHaveLength(1);
    expect(r.events[0]!.seq).toBe(1);
    journal.close();
  });

  it('replays exactly the events after an offset, or says it cannot', () => {
    const { journal } = Journal.open({ dir: tmp(), fsyncEveryMs: 0, tailEvents: 10 });
    for (let i = 0; i < 30; i++) journal.append([reading('MH-00001', 1, i)]);
    expect(journal.since('manhole', 25)!.map((e) => e.seq)).toEqual([26, 27, 28, 29, 30]);
    expect(journal.since('manhole', 30)).toEqual([]);
    expect(journal.since('manhole', 1)).toBeNull();
    journal.close();
  });
});

describe('alarm state machine', () => {
  const a0 = (): Alarm => raise({ alarmId: 'AL-1', category: 'manhole', sourceId: 'MH-00001', cause: 'gas', priority: 2, lon: 116.4, lat: 39.9 }, 1000);
  const cmd = (action: AlarmCommand['action'], extra: Partial<AlarmCommand> = {}): AlarmCommand => ({
    commandId: `c-${action}-00000`,
    alarmId: 'AL-1',
    action,
    by: '张三',
    ...extra,
  });
  const ok = (r: ReturnType<typeof applyCommand>) => {
    if (!r.ok) throw new Error(r.error);
    return r.alarm;
  };

  it('walks new -> acknowledged -> dispatched -> onsite -> resolved -> closed with who/when', () => {
    let a = a0();
    a = ok(applyCommand(a, cmd('acknowledge'), 2000));
    a = ok(applyCommand(a, cmd('dispatch', { team: '排水抢修一队' }), 3000));
    a = ok(applyCommand(a, cmd('onsite'), 4000));
    a = ok(applyCommand(a, cmd('resolve', { note: '井盖复位' }), 5000));
    a = ok(applyCommand(a, cmd('close'), 6000));
    expect(a.state).toBe('closed');
    expect(a.team).toBe('排水抢修一队');
    expect(a.history.map((h) => [h.action, h.by, h.at])).toEqual([
      ['raise', 'system', 1000],
      ['acknowledge', '张三', 2000],
      ['dispatch', '张三', 3000],
      ['onsite', '张三', 4000],
      ['resolve', '张三', 5000],
      ['close', '张三', 6000],
    ]);
  });

  it('refuses illegal transitions with a reason', () => {
    const a = a0();
    expect(applyCommand(a, cmd('close'), 2000)).toMatchObject({ ok: false, error: expect.stringContaining('cannot close') });
    expect(applyCommand(a, cmd('onsite'), 2000).ok).toBe(false);
    expect(applyCommand(a, cmd('dispatch'), 2000)).toMatchObject({ ok: false, error: 'dispatch needs a team' });
  });

  it('shelves and unshelves to the previous state; critical alarms cannot be shelved', () => {
    const a = ok(applyCommand(a0(), cmd('shelve', { minutes: 30 }), 2000));
    expect(a).toMatchObject({ state: 'shelved', shelvedFrom: 'new', shelvedUntil: 2000 + 30 * 60_000 });
    expect(ok(applyCommand(a, cmd('unshelve'), 3000)).state).toBe('new');
    expect(applyCommand({ ...a0(), priority: 1 }, cmd('shelve', { minutes: 5 }), 2000).ok).toBe(false);
  });
});

// The feed core's alarm, command, SOS and snapshot/replay tests run on both logs (embedded journal and NATS JetStream)
// in tests/unit/cluster-log.test.ts.
