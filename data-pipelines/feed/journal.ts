/**
 * Durable append-only journal, one folder per stream, JSON lines in size-rotated segments. Survives restarts (and
 * kill -9: every append is written to the OS with writeSync before the event is emitted to any client, so no client
 * can have seen an event the journal does not hold; fsync runs on a timer for power loss).
 *
 *   <dir>/epoch.json                 {"epoch": "...", "createdAt": ...}   the journal's identity
 *   <dir>/<stream>/<firstSeq>.jsonl  one event per line, seq strictly +1
 *
 * On open, a torn last line (a crash mid-write) is truncated away and counted; any other invalid line is skipped,
 * counted and logged — never silently — and costs that line only: later lines of the stream load (their seqs jump over
 * the lost one), and the lost line's seq is never stamped again. The most recent events per stream are kept in memory
 * for replay.
 *
 * An append is all or nothing: when the disk refuses a write (ENOSPC, EIO, …) every byte of that append is truncated
 * away again, no seq is consumed, and it throws a JournalWriteError; `writeError` says so until an append succeeds.
 */
import {
  closeSync,
  createReadStream,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { parseFeedEvent, STREAMS, StreamName as StreamNameSchema, type Draft, type FeedEvent, type Seqs, type StreamName } from '../contracts/events.ts';
import { applyEvent, compact, emptySeqs, emptyWorld, mergeByTime } from '../contracts/world.ts';
import type { JournalWindow } from '../contracts/events.ts';

/** Streams that are the record (alarms, drills, citizen requests, visit tasks): never trimmed by retention. */
export const RECORD_STREAMS: ReadonlySet<StreamName> = new Set<StreamName>(['alarm', 'drill', 'request', 'task']);

export interface JournalOptions {
  dir: string;
  /** rotate a stream's segment when it exceeds this size */
  segmentBytes?: number;
  /** segments kept per stream (alarms: all, always) */
  retainSegments?: number;
  /**
   * per-stream overrides: parking keeps 12 segments (~96 MB, several days at the simulator's rate) because planners
   * read a day or more of occupancy history from it (GET /api/history/parking)
   */
  retainByStream?: Partial<Record<StreamName, number>>;
  /** events kept in memory per stream for replay to reconnecting clients */
  tailEvents?: number;
  fsyncEveryMs?: number;
  log?: (msg: string) => void;
  /**
   * The one call that writes journal bytes (default: node:fs writeSync). Tests inject a failing one (ENOSPC); the
   * journal's behaviour on a refused write is the same whatever refused it.
   */
  write?: (fd: number, buf: Buffer, offset: number) => number;
  /**
   * The epoch a new journal takes (a gateway's local copy of a cluster log takes the cluster's). An existing journal
   * of another epoch is refused with a JournalEpochError (the caller decides: a local copy is rebuilt).
   */
  epoch?: string;
}

/** A fresh epoch name (a new journal's, or a new cluster log's). */
export function newEpoch(): string {
  return `e${Date.now().toString(36)}${Math.floor(Math.random() * 1296)
    .toString(36)
    .padStart(2, '0')}`;
}

/** The journal in the folder belongs to another epoch than the one asked for. */
export class JournalEpochError extends Error {
  constructor(
    readonly found: string,
    readonly wanted: string,
  ) {
    super(`journal holds epoch ${found}, not ${wanted}`);
    this.name = 'JournalEpochError';
  }
}

/** An append the disk refused: nothing of it was written (the segment was truncated back), no seq was consumed. */
export class JournalWriteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'JournalWriteError';
  }
}

/** Why the journal cannot write right now (null in `writeError` when it can). */
export interface JournalWriteFailure {
  code: string;
  message: string;
  /** first refused append of this outage (ms) */
  since: number;
  /** last refused append (ms) */
  lastAt: number;
}

/** Page of a journal window (GET /api/journal): a JournalWindow plus the cursor of the next page (null: last page). */
export type JournalPage = JournalWindow & { next: string | null };

export interface LoadReport {
  events: number;
  tornLines: number;
  corruptLines: number;
  /** seqs missing between loaded lines (a corrupt line in the middle costs its own seq; these are counted here) */
  missingSeqs: number;
  errors: string[];
}

/** One sampled parking state: the place's occupancy at boundary `ts`. */
export interface ParkingSample {
  ts: number;
  placeId: string;
  occupied: number;
  capacity: number;
}

export interface ParkingHistory {
  from: number;
  to: number;
  stepMs: number;
  /** by boundary, then place id; only states that differ from the place's previous row */
  rows: ParkingSample[];
  /** hit maxRows: `rows` stops early (possibly inside a boundary) */
  truncated: boolean;
}

interface Segment {
  fd: number;
  path: string;
  bytes: number;
}

export class Journal {
  readonly epoch: string;
  readonly seqs: Seqs = emptySeqs();
  private readonly tails = new Map<StreamName, FeedEvent[]>();
  private readonly segments = new Map<StreamName, Segment>();
  private readonly opts: Required<Omit<JournalOptions, 'log' | 'epoch'>> & { log: (m: string) => void };
  private fsyncTimer: ReturnType<typeof setInterval> | null = null;
  private dirty = new Set<number>();
  private closed = false;
  /** set while the disk refuses appends (cleared by the next append that succeeds) */
  writeError: JournalWriteFailure | null = null;

  private constructor(opts: JournalOptions, epoch: string) {
    const { epoch: _wanted, ...rest } = opts;
    this.opts = {
      segmentBytes: 8 * 1024 * 1024,
      retainSegments: 4,
      retainByStream: { parking: 12 },
      tailEvents: 50_000,
      fsyncEveryMs: 1000,
      log: () => undefined,
      write: (fd, buf, off) => writeSync(fd, buf, off),
      ...rest,
    };
    this.epoch = epoch;
    for (const s of STREAMS) this.tails.set(s, []);
  }

  /** Opens (or creates) the journal in `dir`; every stored event is passed to `onEvent` in order. */
  static open(opts: JournalOptions, onEvent: (ev: FeedEvent) => void = () => undefined): { journal: Journal; report: LoadReport } {
    mkdirSync(opts.dir, { recursive: true });
    const metaPath = join(opts.dir, 'epoch.json');
    let epoch: string;
    if (existsSync(metaPath)) {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { epoch?: unknown };
      if (typeof meta.epoch !== 'string' || !meta.epoch) throw new Error(`${metaPath}: no epoch`);
      epoch = meta.epoch;
      if (opts.epoch !== undefined && opts.epoch !== epoch) throw new JournalEpochError(epoch, opts.epoch);
    } else {
      epoch = opts.epoch ?? newEpoch();
      writeFileSync(metaPath, JSON.stringify({ epoch, createdAt: Date.now() }) + '\n');
    }
    const j = new Journal(opts, epoch);
    const report = j.load(onEvent);
    if (j.opts.fsyncEveryMs > 0) {
      j.fsyncTimer = setInterval(() => j.sync(), j.opts.fsyncEveryMs);
      j.fsyncTimer.unref?.();
    }
    return { journal: j, report };
  }

  private streamDir(s: StreamName): string {
    return join(this.opts.dir, s);
  }

  private segmentFiles(s: StreamName): string[] {
    const d = this.streamDir(s);
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((f) => /^\d{12}\.jsonl$/.test(f))
      .sort()
      .map((f) => join(d, f));
  }

  private load(onEvent: (ev: FeedEvent) => void): LoadReport {
    const report: LoadReport = { events: 0, tornLines: 0, corruptLines: 0, missingSeqs: 0, errors: [] };
    const note = (msg: string) => {
      if (report.errors.length < 20) report.errors.push(msg);
      this.opts.log(`journal: ${msg}`);
    };
    for (const s of STREAMS) {
      const files = this.segmentFiles(s);
      /** corrupt lines since the last good one: each held one event, whose seq is never stamped again */
      let corruptRun = 0;
      files.forEach((file, fi) => {
        const buf = readFileSync(file);
        const text = buf.toString('utf8');
        let offset = 0;
        let lineNo = 0;
        while (offset < text.length) {
          const nl = text.indexOf('\n', offset);
          const isLastFile = fi === files.length - 1;
          if (nl < 0) {
            // No newline: a torn write at the end. Truncate it away so appends continue on a clean line.
            if (isLastFile) {
              report.tornLines++;
              const keep = Buffer.byteLength(text.slice(0, offset));
              const fd = openSync(file, 'r+');
              ftruncateSync(fd, keep);
              closeSync(fd);
              this.opts.log(`journal ${s}: truncated a torn last line in ${file}`);
            } else {
              report.corruptLines++;
              corruptRun++;
              note(`${file}: unterminated line in a closed segment`);
            }
            break;
          }
          const line = text.slice(offset, nl);
          offset = nl + 1;
          lineNo++;
          if (!line.trim()) continue;
          const r = parseFeedEvent(line);
          // A bad line costs that line only: the stream goes on with the next valid line whose seq is beyond the last
          // one loaded (the seqs in between are counted missing); only a seq at or below it (a duplicate, or a line
          // out of order) is refused, so a seq is never applied twice.
          if (!r.ok || r.value.stream !== s || r.value.epoch !== this.epoch || r.value.seq <= this.seqs[s]) {
            report.corruptLines++;
            corruptRun++;
            const why = !r.ok
              ? r.error
              : r.value.stream !== s
                ? `stream ${r.value.stream} in ${s} journal`
                : r.value.epoch !== this.epoch
                  ? `epoch ${r.value.epoch}`
                  : `seq ${r.value.seq} again (already at ${this.seqs[s]})`;
            note(`${s}: skipped line ${lineNo} of ${file}: ${why}`);
            continue;
          }
          if (this.seqs[s] > 0 && r.value.seq !== this.seqs[s] + 1) {
            const missing = r.value.seq - this.seqs[s] - 1;
            report.missingSeqs += missing;
            note(`${s}: seq ${this.seqs[s] + 1}${missing > 1 ? `..${r.value.seq - 1}` : ''} missing before line ${lineNo} of ${file}`);
          }
          corruptRun = 0;
          this.seqs[s] = r.value.seq;
          this.remember(r.value);
          report.events++;
          onEvent(r.value);
        }
      });
      // Corrupt lines after the last good one held events too (one per line): their seqs are not stamped again.
      const floor = this.seqs[s] + corruptRun;
      if (floor > this.seqs[s]) {
        report.missingSeqs += floor - this.seqs[s];
        note(`${s}: seq ${this.seqs[s] + 1}..${floor} lost at the end of the journal; the next event is ${floor + 1}`);
        this.seqs[s] = floor;
      }
      const last = files[files.length - 1];
      if (last) this.segments.set(s, { fd: openSync(last, 'a'), path: last, bytes: statSync(last).size });
    }
    return report;
  }

  private remember(ev: FeedEvent): void {
    const tail = this.tails.get(ev.stream)!;
    tail.push(ev);
    const max = RECORD_STREAMS.has(ev.stream) ? Math.max(this.opts.tailEvents, 200_000) : this.opts.tailEvents;
    if (tail.length > max * 1.25) tail.splice(0, tail.length - max);
  }

  private segmentFor(s: StreamName, firstSeq: number): Segment {
    const cur = this.segments.get(s);
    if (cur && cur.bytes < this.opts.segmentBytes) return cur;
    if (cur) {
      closeSync(cur.fd);
      this.segments.delete(s);
    }
    mkdirSync(this.streamDir(s), { recursive: true });
    const path = join(this.streamDir(s), `${String(firstSeq).padStart(12, '0')}.jsonl`);
    const seg = { fd: openSync(path, 'a'), path, bytes: 0 };
    this.segments.set(s, seg);
    // Retention: telemetry keeps the newest segments; the record streams are never trimmed.
    if (!RECORD_STREAMS.has(s)) {
      const files = this.segmentFiles(s);
      const keep = this.opts.retainByStream[s] ?? this.opts.retainSegments;
      for (const f of files.slice(0, Math.max(0, files.length - keep))) rmSync(f);
    }
    return seg;
  }

  /**
   * Stamps and durably appends drafts, in order. Drafts that fail the contract after stamping are not written and
   * are returned in `rejected` with the reason (the seq is not consumed).
   */
  append(drafts: Draft[]): { events: FeedEvent[]; rejected: Array<{ draft: Draft; error: string }> } {
    if (this.closed) throw new Error('journal is closed');
    const events: FeedEvent[] = [];
    const rejected: Array<{ draft: Draft; error: string }> = [];
    const lines = new Map<StreamName, string[]>();
    const seqsBefore = { ...this.seqs };
    for (const d of drafts) {
      const seq = this.seqs[d.stream] + 1;
      const candidate = { ...d, seq, epoch: this.epoch, id: `${this.epoch}:${d.stream}:${seq}` };
      const r = parseFeedEvent(candidate);
      if (!r.ok) {
        rejected.push({ draft: d, error: r.error });
        continue;
      }
      this.seqs[d.stream] = seq;
      events.push(r.value);
      let ls = lines.get(d.stream);
      if (!ls) lines.set(d.stream, (ls = []));
      ls.push(JSON.stringify(r.value));
    }
    this.writeLines(lines, seqsBefore);
    for (const ev of events) this.remember(ev);
    return { events, rejected };
  }

  /**
   * Writes the lines of one append, all or nothing: on a refused write every segment touched is cut back to its size
   * before, the seqs go back to `seqsBefore`, and a JournalWriteError is thrown.
   */
  private writeLines(lines: Map<StreamName, string[]>, seqsBefore: Seqs, firsts?: Map<StreamName, number>): void {
    // All or nothing: on a refused write, every segment touched by this append is cut back to its size before it.
    const written: Array<{ seg: Segment; bytes: number }> = [];
    try {
      for (const [s, ls] of lines) {
        const firstSeq = firsts?.get(s) ?? this.seqs[s] - ls.length + 1;
        const seg = this.segmentFor(s, firstSeq);
        written.push({ seg, bytes: seg.bytes });
        const buf = Buffer.from(ls.join('\n') + '\n');
        let n = 0;
        while (n < buf.length) n += this.opts.write(seg.fd, buf, n);
        seg.bytes += buf.length;
        this.dirty.add(seg.fd);
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      for (const w of written.reverse()) {
        try {
          ftruncateSync(w.seg.fd, w.bytes);
          w.seg.bytes = w.bytes;
        } catch (te) {
          // Could not cut the partial line away: leave that segment (its torn tail is skipped and counted on load).
          this.opts.log(`journal: could not truncate ${w.seg.path} after a refused write: ${(te as Error).message}`);
          for (const [s, seg] of this.segments) if (seg === w.seg) this.segments.delete(s);
          try {
            closeSync(w.seg.fd);
          } catch {
            /* already closed */
          }
        }
      }
      Object.assign(this.seqs, seqsBefore);
      const code = err.code ?? 'EIO';
      const now = Date.now();
      const message = `journal cannot write: ${err.message}`;
      if (!this.writeError) this.opts.log(`${message} (appends refused until the disk takes them again)`);
      this.writeError = { code, message, since: this.writeError?.since ?? now, lastAt: now };
      throw new JournalWriteError(code, message);
    }
    if (this.writeError && lines.size) {
      this.opts.log(`journal writes again after ${Math.round((Date.now() - this.writeError.since) / 1000)} s of ${this.writeError.code}`);
      this.writeError = null;
    }
  }

  /**
   * Writes events stamped elsewhere (a cluster log's, copied into this gateway's local journal), in order: each must
   * be of this journal's epoch and beyond its stream's seq (gaps are allowed: the log's retention trimmed them). Throws
   * (writing nothing) on the first that is not; a refused write throws a JournalWriteError like append.
   */
  appendStamped(events: readonly FeedEvent[]): void {
    if (this.closed) throw new Error('journal is closed');
    if (!events.length) return;
    const lines = new Map<StreamName, string[]>();
    const firsts = new Map<StreamName, number>();
    const seqsBefore = { ...this.seqs };
    try {
      for (const ev of events) {
        if (ev.epoch !== this.epoch) throw new Error(`event ${ev.id} is of epoch ${ev.epoch}, the journal of ${this.epoch}`);
        if (ev.seq <= this.seqs[ev.stream]) throw new Error(`event ${ev.id}: seq ${ev.seq} is not beyond ${ev.stream}'s ${this.seqs[ev.stream]}`);
        this.seqs[ev.stream] = ev.seq;
        let ls = lines.get(ev.stream);
        if (!ls) {
          lines.set(ev.stream, (ls = []));
          firsts.set(ev.stream, ev.seq);
        }
        ls.push(JSON.stringify(ev));
      }
    } catch (e) {
      Object.assign(this.seqs, seqsBefore);
      throw e;
    }
    this.writeLines(lines, seqsBefore, firsts);
    for (const ev of events) this.remember(ev);
  }

  /** The newest retained event of a stream (null: none in memory). */
  last(stream: StreamName): FeedEvent | null {
    const tail = this.tails.get(stream)!;
    return tail[tail.length - 1] ?? null;
  }

  /** Events of `stream` after `seq`, or null when they are no longer held in memory (caller sends a snapshot). */
  since(stream: StreamName, seq: number): FeedEvent[] | null {
    if (seq >= this.seqs[stream]) return [];
    const tail = this.tails.get(stream)!;
    const first = tail[0];
    if (!first || first.seq > seq + 1) return null;
    // Seqs are increasing but not always consecutive (a corrupt journal line costs its seq): binary search.
    let lo = 0;
    let hi = tail.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tail[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return tail.slice(lo);
  }

  /**
   * A time window of the journal, read back from disk, for replay and after-action review: the compacted state just
   * before `from` (with its seqs, so the window's events apply gap-free on top of it) and every event with
   * from <= ts <= to, in seq order per stream. Telemetry segments older than the retention are gone, so the state of
   * chatty streams at `from` is as complete as the retained segments allow; alarms and drills are never trimmed.
   */
  /** A stream's retained events in seq order, segment by segment (torn lines were counted when the journal opened). */
  private *read(s: StreamName): Generator<FeedEvent> {
    for (const file of this.segmentFiles(s)) yield* this.parseSegment(file);
  }

  private *parseSegment(file: string): Generator<FeedEvent> {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        yield JSON.parse(line) as FeedEvent;
      } catch {
        continue;
      }
    }
  }

  readWindow(from: number, to: number, opts: { streams?: readonly StreamName[]; maxEvents?: number } = {}): JournalWindow {
    const streams = opts.streams ?? STREAMS;
    const max = opts.maxEvents ?? 100_000;
    const before = emptyWorld();
    const events: FeedEvent[] = [];
    let truncated = false;
    for (const s of streams) {
      // Per stream, seq order is the order of record: the window starts at the first event at or after `from` and
      // ends before the first one after `to`, so `initial` + events always apply gap-free.
      let phase: 'before' | 'in' | 'after' = 'before';
      for (const ev of this.read(s)) {
        if (phase === 'before' && ev.ts >= from) phase = 'in';
        if (phase === 'in' && ev.ts > to) phase = 'after';
        if (phase === 'before') applyEvent(before, ev);
        else if (phase === 'in') {
          if (events.length >= max) {
            truncated = true;
            phase = 'after';
          } else events.push(ev);
        }
        if (phase === 'after') break;
      }
    }
    return { epoch: this.epoch, from, to, seqs: { ...before.seqs }, initial: compact(before, Infinity, from), events: mergeByTime(events), truncated };
  }

  /**
   * A stream's retained events with seq > `afterSeq`, in seq order, read from disk asynchronously in small chunks (the
   * event loop turns between chunks: live events keep flowing while a large window is read). Starts at the segment
   * that holds `afterSeq + 1` (segment files are named by their first seq). Lines that are not this journal's events
   * were counted when it opened and are skipped here.
   */
  private async *readFrom(s: StreamName, afterSeq: number): AsyncGenerator<FeedEvent> {
    const files = this.segmentFiles(s);
    let i = 0;
    while (i + 1 < files.length && Number(basename(files[i + 1]!).slice(0, 12)) <= afterSeq + 1) i++;
    let last = afterSeq;
    for (const file of files.slice(i)) {
      let rest = '';
      try {
        for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 })) {
          const text = rest + (chunk as string);
          const lines = text.split('\n');
          rest = lines.pop()!;
          for (const line of lines) {
            if (!line) continue;
            let ev: FeedEvent;
            try {
              ev = JSON.parse(line) as FeedEvent;
            } catch {
              continue;
            }
            if (ev?.stream !== s || ev.epoch !== this.epoch || typeof ev.seq !== 'number' || ev.seq <= last) continue;
            last = ev.seq;
            yield ev;
          }
        }
      } catch (e) {
        // removed by retention while we read: its events are gone, go on with the next segment
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  }

  /**
   * One page of a time window, read without holding the event loop (GET /api/journal and the socket's journal
   * request). The first page (no `cursor`) is like readWindow: the compacted state before `from` in `initial`, with its
   * seqs, then up to `limit` events with from <= ts <= to in time order (seq order within each stream). `next` is an
   * opaque cursor for the following page, or null on the last one; a later page has no `initial` and its `seqs` are
   * where the previous page stopped, so pages concatenate gap-free. `onEvent`, when given, receives each event as it is
   * read instead of `events` collecting them (the HTTP route streams them out).
   */
  async readWindowPage(
    req: { from: number; to: number; streams?: readonly StreamName[]; limit?: number; cursor?: string },
    onEvent?: (ev: FeedEvent) => void | Promise<void>,
    onHead?: (head: Omit<JournalWindow, 'events' | 'truncated'>) => void | Promise<void>,
  ): Promise<JournalPage> {
    let { from, to } = req;
    // in STREAMS order whatever order was asked (ties in time go to the earlier stream, as mergeByTime)
    let streams: readonly StreamName[] = STREAMS.filter((s) => !req.streams || req.streams.includes(s));
    const limit = Math.max(1, Math.floor(req.limit ?? 10_000));
    const pos = emptySeqs();
    let initial: FeedEvent[] = [];
    const heads = new Map<StreamName, { it: AsyncGenerator<FeedEvent>; ev: FeedEvent }>();
    const advance = async (s: StreamName, it: AsyncGenerator<FeedEvent>) => {
      const r = await it.next();
      // per stream, the window ends before the first event after `to` (seq order is the order of record)
      if (r.done || r.value.ts > to) {
        heads.delete(s);
        if (!r.done) await it.return(undefined);
      } else heads.set(s, { it, ev: r.value });
    };
    if (req.cursor) {
      const c = decodeCursor(req.cursor);
      if (c.epoch !== this.epoch) throw new Error(`cursor is from journal ${c.epoch}, this journal is ${this.epoch}: start again without a cursor`);
      ({ from, to } = c);
      streams = STREAMS.filter((s) => c.streams.includes(s));
      Object.assign(pos, c.pos);
      for (const s of streams) await advance(s, this.readFrom(s, pos[s]));
    } else {
      const before = emptyWorld();
      for (const s of streams) {
        const it = this.readFrom(s, 0);
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          if (r.value.ts >= from) {
            if (r.value.ts <= to) heads.set(s, { it, ev: r.value });
            else await it.return(undefined);
            break;
          }
          applyEvent(before, r.value);
        }
        pos[s] = before.seqs[s];
      }
      initial = compact(before, Infinity, from);
    }
    const seqs: Seqs = { ...pos };
    const events: FeedEvent[] = [];
    let next: string | null = null;
    try {
      await onHead?.({ epoch: this.epoch, from, to, seqs, initial });
      let n = 0;
      while (heads.size && n < limit) {
        // the earliest head; ties go to the stream listed first (as mergeByTime)
        let best: StreamName | null = null;
        for (const s of streams) {
          const h = heads.get(s);
          if (h && (best === null || h.ev.ts < heads.get(best)!.ev.ts)) best = s;
        }
        const h = heads.get(best!)!;
        pos[best!] = h.ev.seq;
        n++;
        if (onEvent) await onEvent(h.ev);
        else events.push(h.ev);
        await advance(best!, h.it);
      }
      if (heads.size) next = encodeCursor({ epoch: this.epoch, from, to, streams: [...streams], pos: Object.fromEntries(streams.map((s) => [s, pos[s]])) });
    } finally {
      // closes the segment files still open (also when the caller gave up mid-page)
      for (const h of heads.values()) await h.it.return(undefined);
    }
    return { epoch: this.epoch, from, to, seqs, initial, events, truncated: next !== null, next };
  }

  /** readWindow without holding the event loop: the first page of up to `maxEvents` (default 100,000) events. */
  async readWindowAsync(from: number, to: number, opts: { streams?: readonly StreamName[]; maxEvents?: number } = {}): Promise<JournalWindow> {
    const { next: _next, ...w } = await this.readWindowPage({ from, to, ...(opts.streams ? { streams: opts.streams } : {}), limit: opts.maxEvents ?? 100_000 });
    return w;
  }

  /**
   * Parking occupancy sampled at the boundaries from, from + stepMs, … <= to, for planners (the live feed is far too
   * chatty to ship raw). One pass over the parking segments in seq order, keeping the latest state per place; at each
   * boundary, a row for every place whose state then (its latest event with ts <= boundary) differs from the row last
   * emitted for it — at the first boundary, every place known by then. So the occupancy at any boundary is "the
   * latest row per place with ts <= boundary", at a fraction of the events.
   *
   * Seq order is taken as ts order (it is for every feed we run); an event stamped before a boundary already emitted
   * counts from the next one. Drill events are not history. Parking segments older than the retention are gone: a
   * place with no retained event by a boundary is absent from it. Work is proportional to the events read (up to
   * `to`) and the rows, not to the number of boundaries.
   */
  sampleParking(from: number, to: number, stepMs: number, maxRows = 500_000): ParkingHistory {
    const sampler = parkingSampler(from, to, stepMs, maxRows);
    for (const ev of this.read('parking')) if (!sampler.push(ev)) break;
    return sampler.done();
  }

  /**
   * The same sampling without holding the server's event loop for the whole scan: it yields between segments (each
   * ~8 MB, ~150 ms to parse), so live events and alarms keep flowing while a planner loads a day of history.
   */
  async sampleParkingAsync(from: number, to: number, stepMs: number, maxRows = 500_000): Promise<ParkingHistory> {
    const sampler = parkingSampler(from, to, stepMs, maxRows);
    scan: for (const file of this.segmentFiles('parking')) {
      for (const ev of this.parseSegment(file)) if (!sampler.push(ev)) break scan;
      await new Promise<void>((r) => setImmediate(r));
    }
    return sampler.done();
  }

  sync(): void {
    for (const fd of this.dirty) {
      try {
        fsyncSync(fd);
      } catch {
        /* fd rotated and closed meanwhile */
      }
    }
    this.dirty.clear();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fsyncTimer) clearInterval(this.fsyncTimer);
    this.sync();
    for (const seg of this.segments.values()) closeSync(seg.fd);
    this.segments.clear();
  }
}

/**
 * Incremental parking sampler (see Journal.sampleParking): feed it the parking stream in seq order with push(); it
 * keeps the latest state per place and, at each boundary from, from + stepMs, … <= to, emits a row for every place whose
 * state differs from the row last emitted for it. push() returns false once sampling is over.
 */
function parkingSampler(from: number, to: number, stepMs: number, maxRows: number): { push(ev: FeedEvent): boolean; done(): ParkingHistory } {
  if (![from, to, stepMs].every(Number.isFinite) || to < from || stepMs <= 0) throw new Error(`bad sampling window ${from}..${to} step ${stepMs}`);
  type State = { occupied: number; capacity: number };
  const rows: ParkingSample[] = [];
  const latest = new Map<string, State>();
  const emitted = new Map<string, State>();
  const touched = new Set<string>(); // places with an event since the last boundary emitted
  let truncated = false;
  let b = from;
  /** Emits every boundary before `ts` (all of its events have been read); false once sampling is over. */
  const emitBefore = (ts: number): boolean => {
    while (b <= to && b < ts) {
      if (!touched.size) {
        // Nothing changed: no rows until the first boundary at or after ts.
        b = Math.max(b + stepMs, from + Math.ceil((ts - from) / stepMs) * stepMs);
        continue;
      }
      for (const id of [...touched].sort()) {
        const cur = latest.get(id)!;
        const last = emitted.get(id);
        if (last && last.occupied === cur.occupied && last.capacity === cur.capacity) continue;
        if (rows.length >= maxRows) {
          truncated = true;
          return false;
        }
        rows.push({ ts: b, placeId: id, occupied: cur.occupied, capacity: cur.capacity });
        emitted.set(id, cur);
      }
      touched.clear();
      b += stepMs;
    }
    return b <= to;
  };
  return {
    push(ev) {
      if (ev.kind !== 'parking.occupancy' || ev.drill) return true;
      if (!emitBefore(ev.ts)) return false;
      latest.set(ev.placeId, { occupied: ev.occupied, capacity: ev.capacity });
      touched.add(ev.placeId);
      return true;
    },
    done() {
      if (!truncated) emitBefore(Infinity);
      return { from, to, stepMs, rows, truncated };
    },
  };
}

interface WindowCursor {
  epoch: string;
  from: number;
  to: number;
  streams: StreamName[];
  /** per stream, the last seq already returned */
  pos: Partial<Record<StreamName, number>>;
}

function encodeCursor(c: WindowCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** Decodes a page cursor, or throws saying it is not one (a 400 for the caller). */
export function decodeCursor(raw: string): WindowCursor {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new Error('cursor is not one this server gave out');
  }
  const o = (c ?? {}) as Partial<WindowCursor>;
  const streams = Array.isArray(o.streams) ? o.streams.filter((x) => StreamNameSchema.safeParse(x).success) : [];
  const pos = o.pos && typeof o.pos === 'object' ? o.pos : {};
  const seqOk = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (
    typeof o.epoch !== 'string' ||
    !Number.isFinite(o.from) ||
    !Number.isFinite(o.to) ||
    !streams.length ||
    streams.length !== o.streams?.length ||
    !streams.every((s) => seqOk(pos[s]))
  )
    throw new Error('cursor is not one this server gave out');
  return { epoch: o.epoch, from: o.from!, to: o.to!, streams, pos };
}
