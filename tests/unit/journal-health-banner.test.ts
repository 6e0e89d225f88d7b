/** The "journal cannot write" banner every screen shows (issue 16.7): which state says what, in both languages. */
import { describe, expect, it } from 'vitest';
import { Heartbeat, STREAMS } from '../../data-pipelines/contracts/events.ts';
import { t } from '../../renderer/src/i18n.ts';
import { FeedStore, journalBanner } from '../../renderer/src/stores/feed-store.ts';

describe('journal health banner', () => {
  it('says "cannot write" while the disk refuses, then how many events were lost, and nothing when all is well', () => {
    expect(journalBanner(null)).toBeNull();
    expect(journalBanner({ writable: true, held: 0, lost: 0 })).toBeNull();
    const down = journalBanner({ writable: false, code: 'ENOSPC', error: 'journal cannot write: ENOSPC', since: 1, held: 42, lost: 0 })!;
    expect(down.level).toBe('alarm');
    expect(t(down.key, down.vars, 'zh-CN')).toBe('服务器日志无法写入（ENOSPC）：42 条新事件暂存未发，操作指令暂不受理；磁盘有空间后自动续写');
    expect(t(down.key, down.vars, 'en')).toMatch(/^Journal cannot write \(ENOSPC\): 42 new events held back, commands refused/);
    const lost = journalBanner({ writable: true, held: 0, lost: 7 })!;
    expect(lost.level).toBe('warning');
    expect(t(lost.key, lost.vars, 'en')).toBe('7 events were lost while the journal could not write');
    // a lost count stays shown during a later outage too: the outage wins
    expect(journalBanner({ writable: false, code: 'EIO', held: 1, lost: 7 })!.key).toBe('core.feed.journalDown');
  });

  it('the health rides on heartbeats (validated) into the feed store', () => {
    const seqs = Object.fromEntries(STREAMS.map((s) => [s, 0]));
    const hb = Heartbeat.parse({ ts: 1, epoch: 'e1', seqs, journal: { writable: false, code: 'ENOSPC', held: 3, lost: 0 } });
    const feed = new FeedStore();
    feed.setJournal(hb.journal!);
    expect(journalBanner(feed.journal)?.key).toBe('core.feed.journalDown');
    expect(Heartbeat.safeParse({ ts: 1, epoch: 'e1', seqs, journal: { writable: false, held: -1, lost: 0 } }).success).toBe(false);
    // older servers send no journal health: still a valid heartbeat
    expect(Heartbeat.safeParse({ ts: 1, epoch: 'e1', seqs }).success).toBe(true);
  });
});
