/**
 * A feed gateway joining a cluster log (jetstream-log.ts): its local journal becomes a copy of the cluster's history
 * (rebuilt when it is of another epoch or has events the cluster does not), it reads the log to its end, then either
 * takes the writer's lease or follows the log live and keeps trying to take the lease. Who writes is whoever holds the
 * lease: the first gateway up, then, when it dies, the first follower to see the lease expire (docs/deployment.md).
 */
import { existsSync, renameSync } from 'node:fs';
import type { FeedEvent, Seqs } from '../../contracts/events.ts';
import { STREAMS } from '../../contracts/events.ts';
import type { FeedCore } from '../core.ts';
import { JournalEpochError, newEpoch } from '../journal.ts';
import { JetStreamLog, type ClusterOptions } from './jetstream-log.ts';

export interface MemberOptions {
  cluster: ClusterOptions;
  journalDir: string;
  /** builds the core on the local journal (epoch: the cluster's; follower: always, lead() promotes it) */
  makeCore: (epoch: string) => FeedCore;
  /** follower: events the writer stamped, for the screens */
  onRemote: (events: readonly FeedEvent[]) => void;
  /** this gateway became the writer (start the sources) */
  onLead: () => void;
  /** this gateway must stop (fenced: another writer, or the lease lost) */
  onFatal: (e: Error) => void;
  log: (msg: string) => void;
}

export interface ClusterMember {
  core: FeedCore;
  log: JetStreamLog;
  /** whether this gateway writes (holds the lease) */
  readonly leading: boolean;
  close(): Promise<void>;
}

/** Moves a local journal copy aside (kept, never deleted: it may be the only copy of something). */
function setAside(dir: string, why: string, log: (m: string) => void): void {
  if (!existsSync(dir)) return;
  const to = `${dir}.set-aside-${Date.now()}`;
  renameSync(dir, to);
  log(`local journal ${dir} set aside as ${to}: ${why}; rebuilt from the cluster`);
}

/** Where the local journal disagrees with the cluster (null: it is a prefix of the cluster's history). */
async function divergence(core: FeedCore, log: JetStreamLog, last: Seqs): Promise<string | null> {
  for (const s of STREAMS) {
    const local = core.journal.seqs[s];
    if (local > last[s]) return `${s} is at ${local} here but ${last[s]} in the cluster`;
    const mine = core.journal.last(s);
    if (!mine) continue;
    const theirs = await log.eventAt(s, mine.seq);
    if (theirs && JSON.stringify(theirs) !== JSON.stringify(mine)) return `${s} ${mine.seq} differs from the cluster's`;
  }
  return null;
}

export async function joinCluster(o: MemberOptions): Promise<ClusterMember> {
  const log = await JetStreamLog.open(o.cluster, newEpoch);
  log.onFatal = (e) => o.onFatal(e);
  let core: FeedCore;
  try {
    core = o.makeCore(log.epoch);
  } catch (e) {
    if (!(e instanceof JournalEpochError)) throw e;
    setAside(o.journalDir, e.message, o.log);
    core = o.makeCore(log.epoch);
  }
  const why = await divergence(core, log, await log.lastSeqs());
  if (why) {
    core.close();
    setAside(o.journalDir, why, o.log);
    core = o.makeCore(log.epoch);
  }
  const apply = (events: FeedEvent[]) => void core.applyRemote(events);
  const caught = await log.readRange({ ...core.journal.seqs }, apply);
  o.log(`read ${caught.events} events from the cluster log${caught.invalid ? ` (${caught.invalid} invalid messages skipped)` : ''}`);

  let leading = false;
  let closed = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let promoting = false;
  // a follower's events, coalesced per turn: one local append and one send for what arrived together
  let inbox: FeedEvent[] = [];
  let scheduled = false;
  const flushInbox = () => {
    scheduled = false;
    const evs = inbox;
    inbox = [];
    if (!evs.length || closed || leading) return;
    try {
      o.onRemote(core.applyRemote(evs));
    } catch (e) {
      o.onFatal(new Error(`the cluster log does not follow this gateway's copy: ${(e as Error).message}`));
    }
  };
  /** takes the lease if free: reads what is left, then writes */
  const tryLead = async (): Promise<boolean> => {
    if (!(await log.tryLead())) return false;
    await log.unfollow();
    flushInbox();
    // everything the previous writer stored, up to the end (nobody else can add to it now)
    await log.readRange({ ...core.journal.seqs }, apply);
    log.startWriting({ ...core.journal.seqs });
    core.lead(log, Date.now());
    leading = true;
    if (timer) clearInterval(timer);
    timer = null;
    o.log(`this gateway writes the cluster log now (${STREAMS.map((s) => `${s} ${core.journal.seqs[s]}`).join(', ')})`);
    o.onLead();
    return true;
  };
  if (!(await tryLead())) {
    await log.follow({ ...core.journal.seqs }, (events) => {
      for (const ev of events) inbox.push(ev);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushInbox);
      }
    });
    const every = Math.max(250, Math.floor((o.cluster.leaseTtlMs ?? 10_000) / 4));
    timer = setInterval(() => {
      if (promoting || closed || leading) return;
      promoting = true;
      tryLead()
        .catch((e: unknown) => o.log(`taking the lease failed: ${(e as Error).message}`))
        .finally(() => (promoting = false));
    }, every);
    o.log(`following the cluster log (writer: ${(await log.leader()) ?? 'none yet'})`);
  }
  return {
    get core() {
      return core;
    },
    log,
    get leading() {
      return leading;
    },
    close: async () => {
      closed = true;
      if (timer) clearInterval(timer);
      // what this gateway journaled reaches the cluster before it lets go of the lease
      const d = core.durable();
      if (d) await Promise.race([d, new Promise((r) => setTimeout(r, 5_000))]);
      await log.close();
    },
  };
}
