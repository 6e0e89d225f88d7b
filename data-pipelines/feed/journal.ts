/**
 * Durable append-only journal, one folder per stream, JSON lines in size-rotated segments. Survives restarts (and
 * kill -9: every append is written to the OS with writeSync before the event is emitted to any client, so no client
 * can have seen an event the journal does not hold; fsync runs on a timer for power loss).
 *
 *   <dir>/epoch.json                 {"epoch": "...", "createdAt": ...}   the journal's identity
 *   <dir>/<stream>/<firstSeq>.jsonl  one event per line, seq strictly +1
 *
 * On open, a torn last line (a crash mid-write) is truncated away and counted; any other invalid line is skipped,
 * counted and logged — never silently. The most recent events per stream are kept in memory for replay.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeedEvent, STREAMS, type Draft, type FeedEvent, type Seqs, type StreamName } from '../contracts/events.ts';
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
}

export interface LoadReport {
  events: number;
  tornLines: number;
  corruptLines: number;
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
  private readonly opts: Required<Omit<JournalOptions, 'log'>> & { log: (m: string) => void };
  private fsyncTimer: ReturnType<typeof setInterval> | null = null;
  private dirty = new Set<number>();
  private closed = false;

  private constructor(opts: JournalOptions, epoch: string) {
    this.opts = { segmentBytes: 8 * 1024 * 1024, retainSegments: 4, retainByStream: { parking: 12 }, tailEvents: 50_000, fsyncEveryMs: 1000, log: () => undefined, ...opts };
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
    } else {
      epoch = `e${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36).padStart(2, '0')}`;
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
    const report: LoadReport = { events: 0, tornLines: 0, corruptLines: 0, errors: [] };
    for (const s of STREAMS) {
      const files = this.segmentFiles(s);
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
              report.errors.push(`${file}: unterminated line in a closed segment`);
            }
            break;
          }
          const line = text.slice(offset, nl);
          offset = nl + 1;
          lineNo++;
          if (!line.trim()) continue;
          const r = parseFeedEvent(line);
          const expected = this.seqs[s] + 1;
          if (!r.ok || r.value.stream !== s || r.value.epoch !== this.epoch || (this.seqs[s] > 0 && r.value.seq !== expected)) {
            report.corruptLines++;
            const why = !r.ok ? r.error : r.value.stream !== s ? `stream ${r.value.stream} in ${s} journal` : r.value.epoch !== this.epoch ? `epoch ${r.value.epoch}` : `seq ${r.value.seq}, expected ${expected}`;
            if (report.errors.length < 20) report.errors.push(`${file}:${lineNo}: ${why}`);
            this.opts.log(`journal ${s}: skipped line ${lineNo} of ${file}: ${why}`);
            continue;
          }
          this.seqs[s] = r.value.seq;
          this.remember(r.value);
          report.events++;
          onEvent(r.value);
        }
      });
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
    if (cur) closeSync(cur.fd);
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
    for (const [s, ls] of lines) {
      const firstSeq = this.seqs[s] - ls.length + 1;
      const seg = this.segmentFor(s, firstSeq);
      const buf = Buffer.from(ls.join('\n') + '\n');
      let written = 0;
      while (written < buf.length) written += writeSync(seg.fd, buf, written);
      seg.bytes += buf.length;
      this.dirty.add(seg.fd);
    }
    for (const ev of events) this.remember(ev);
    return { events, rejected };
  }

  /** Events of `stream` after `seq`, or null when they are no longer held in memory (caller sends a snapshot). */
  since(stream: StreamName, seq: number): FeedEvent[] | null {
    if (seq >= this.seqs[stream]) return [];
    const tail = this.tails.get(stream)!;
    const first = tail[0];
    if (!first || first.seq > seq + 1) return null;
    return tail.slice(seq + 1 - first.seq);
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
