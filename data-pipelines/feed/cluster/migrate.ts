/**
 * Moving a district's history between the embedded journal (one PC) and a cluster log (NATS JetStream), both ways,
 * keeping the epoch and every seq: screens that knew the old server resume by replay against the new one.
 *
 *   journal → cluster: the cluster's district must be empty, or hold a prefix of this journal (an interrupted copy
 *                      resumes). The copy holds the writer's lease: refused while a gateway writes the district.
 *   cluster → journal: into an empty folder.
 *
 * Checked at the end: the cluster's (or the journal's) last seq of every stream equals the source's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STREAMS, type FeedEvent, type Seqs, type StreamName } from '../../contracts/events.ts';
import { emptySeqs } from '../../contracts/world.ts';
import { Journal } from '../journal.ts';
import { JetStreamLog, type ClusterOptions } from './jetstream-log.ts';

export interface MigrateReport {
  epoch: string;
  events: number;
  seqs: Seqs;
}

function journalEpoch(dir: string): string {
  const meta = join(dir, 'epoch.json');
  if (!existsSync(meta)) throw new Error(`${dir} is not a RedWall journal (no epoch.json)`);
  const epoch = (JSON.parse(readFileSync(meta, 'utf8')) as { epoch?: unknown }).epoch;
  if (typeof epoch !== 'string' || !epoch) throw new Error(`${meta}: no epoch`);
  return epoch;
}

export async function journalToCluster(dir: string, cluster: ClusterOptions, log: (m: string) => void = () => undefined): Promise<MigrateReport> {
  const epoch = journalEpoch(dir);
  const byStream = new Map<StreamName, FeedEvent[]>(STREAMS.map((s) => [s, []]));
  const { journal, report } = Journal.open({ dir, fsyncEveryMs: 0 }, (ev) => byStream.get(ev.stream)!.push(ev));
  const seqs = { ...journal.seqs };
  journal.close();
  if (report.corruptLines || report.missingSeqs)
    log(`journal ${dir}: ${report.corruptLines} corrupt lines, ${report.missingSeqs} seqs missing (lost before the copy)`);
  const l = await JetStreamLog.open(cluster, () => epoch);
  try {
    if (l.epoch !== epoch)
      throw new Error(
        `the cluster's district ${cluster.district} already has history of epoch ${l.epoch}: copy into an empty district (another --district name)`,
      );
    if (!(await l.tryLead())) throw new Error(`a gateway writes district ${cluster.district} now: stop the gateways before copying`);
    const last = await l.lastSeqs();
    let copied = 0;
    const todo = new Map<StreamName, FeedEvent[]>();
    for (const s of STREAMS) {
      const evs = byStream.get(s)!.filter((e) => e.seq > last[s]);
      if (last[s] > seqs[s]) throw new Error(`${s}: the cluster is at ${last[s]}, beyond this journal's ${seqs[s]}: not a copy of it`);
      for (let i = 0; i < evs.length; i++) {
        const prev = i === 0 ? last[s] : evs[i - 1]!.seq;
        // the cluster can only start a stream later (retention trimmed the journal's oldest telemetry), not skip inside it
        if (evs[i]!.seq !== prev + 1 && !(i === 0 && last[s] === 0))
          throw new Error(
            `${s}: seq ${prev + 1}..${evs[i]!.seq - 1} missing in the journal (lost lines): the cluster keeps seqs gap-free, nothing was copied of ${s} from ${evs[i]!.seq}`,
          );
      }
      if (last[s] === 0 && evs.length) await l.startAt(s, evs[0]!.seq);
      todo.set(s, evs);
    }
    const at = await l.lastSeqs();
    l.startWriting(at);
    for (const s of STREAMS) {
      const evs = todo.get(s)!;
      for (let i = 0; i < evs.length; i += 5_000) {
        l.publish(evs.slice(i, i + 5_000));
        await l.whenDurable();
        if (l.stopped) throw new Error('the copy was fenced off the cluster (another writer)');
      }
      copied += evs.length;
      if (evs.length) log(`${s}: ${evs.length} events copied (to seq ${evs[evs.length - 1]!.seq})`);
    }
    const after = await l.lastSeqs();
    for (const s of STREAMS) if (after[s] !== seqs[s]) throw new Error(`${s}: the cluster ends at ${after[s]}, the journal at ${seqs[s]}`);
    return { epoch, events: copied, seqs: after };
  } finally {
    await l.close();
  }
}

export async function clusterToJournal(cluster: ClusterOptions, dir: string, log: (m: string) => void = () => undefined): Promise<MigrateReport> {
  if (existsSync(dir) && readdirSync(dir).length) throw new Error(`${dir} is not empty: copy the cluster into a new folder`);
  const epoch = await JetStreamLog.epochOf(cluster);
  if (!epoch) throw new Error(`the cluster has no district ${cluster.district}`);
  const l = await JetStreamLog.open(cluster, () => epoch);
  try {
    const { journal } = Journal.open({ dir, epoch: l.epoch, fsyncEveryMs: 0 });
    try {
      const until = await l.lastSeqs();
      const r = await l.readRange(emptySeqs(), (evs) => journal.appendStamped(evs), until);
      if (r.invalid) log(`${r.invalid} invalid messages in the cluster were skipped`);
      journal.sync();
      for (const s of STREAMS) if (journal.seqs[s] !== until[s]) throw new Error(`${s}: the journal ends at ${journal.seqs[s]}, the cluster at ${until[s]}`);
      log(`${r.events} events copied into ${dir} (epoch ${l.epoch})`);
      return { epoch: l.epoch, events: r.events, seqs: { ...journal.seqs } };
    } finally {
      journal.close();
    }
  } finally {
    await l.close();
  }
}
