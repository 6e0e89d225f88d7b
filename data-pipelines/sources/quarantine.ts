/**
 * The quarantine journal: what a connected source sent that could not become an event (unknown device, unparsable
 * payload, value out of range, …), with the reason, where in the message, and a safe sample. JSON lines in
 * `<journal>/quarantine/`, size-rotated; appended with writeSync before the message is acknowledged (like the event
 * journal), so nothing a platform handed over is lost silently. Restored at start: counts by reason, the latest
 * entries, and which messages are already in (a redelivered bad message is not counted twice).
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { QuarantineSample } from '../contracts/sources.ts';
import { BoundedSet } from '../feed/core.ts';

export interface QuarantineEntry extends QuarantineSample {
  source: string;
  /** the message's hash (the same for a redelivery) */
  msg: string;
}

export interface QuarantineOptions {
  dir: string;
  segmentBytes?: number;
  retainSegments?: number;
  /** injectable for disk-failure tests (like the journal's) */
  write?: (fd: number, buf: Buffer, offset: number) => number;
  log?: (m: string) => void;
}

const RECENT = 20;

export class QuarantineLog {
  private readonly opts: Required<Omit<QuarantineOptions, 'log'>> & { log: (m: string) => void };
  private fd: number | null = null;
  private segment = 0;
  private bytes = 0;
  private readonly messages = new BoundedSet(200_000);
  /** per source: count by reason and the latest entries (newest first) */
  private readonly bySource = new Map<string, { byReason: Record<string, number>; recent: QuarantineEntry[]; total: number }>();
  /** lines that could not be read back at start (a torn last line after a crash) */
  unreadable = 0;

  constructor(opts: QuarantineOptions) {
    this.opts = { segmentBytes: 16 * 1024 * 1024, retainSegments: 4, write: (fd, buf, off) => writeSync(fd, buf, off), log: () => undefined, ...opts };
    mkdirSync(this.opts.dir, { recursive: true });
    const segs = this.segments();
    for (const n of segs) this.load(n);
    this.segment = segs.length ? segs[segs.length - 1]! : 1;
  }

  private segments(): number[] {
    return readdirSync(this.opts.dir)
      .map((f) => /^quarantine-(\d{6})\.jsonl$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  private file(n: number): string {
    return join(this.opts.dir, `quarantine-${String(n).padStart(6, '0')}.jsonl`);
  }

  private load(n: number): void {
    const text = readFileSync(this.file(n), 'utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const raw = JSON.parse(line) as Record<string, unknown>;
        const sample = QuarantineSample.safeParse({
          at: raw['at'],
          reason: raw['reason'],
          detail: raw['detail'],
          path: raw['path'],
          sample: raw['sample'],
          topic: raw['topic'],
          ...(raw['device'] !== undefined ? { device: raw['device'] } : {}),
        });
        if (!sample.success || typeof raw['source'] !== 'string' || typeof raw['msg'] !== 'string') throw new Error('bad entry');
        this.remember({ ...sample.data, source: raw['source'], msg: raw['msg'] });
      } catch {
        this.unreadable++;
      }
    }
  }

  private remember(e: QuarantineEntry): void {
    this.messages.add(`${e.source}/${e.msg}`);
    let s = this.bySource.get(e.source);
    if (!s) this.bySource.set(e.source, (s = { byReason: {}, recent: [], total: 0 }));
    s.byReason[e.reason] = (s.byReason[e.reason] ?? 0) + 1;
    s.total++;
    s.recent.unshift(e);
    if (s.recent.length > RECENT) s.recent.length = RECENT;
  }

  /** Whether this message's entries are already in (a redelivery). */
  has(source: string, msg: string): boolean {
    return this.messages.has(`${source}/${msg}`);
  }

  /**
   * Appends one message's entries durably (all or nothing: a refused write is cut back and throws). With `checkSeen`,
   * entries of a message already in (a redelivery) are skipped; returns how many were written.
   */
  append(entries: QuarantineEntry[], checkSeen = true): number {
    if (!entries.length || (checkSeen && this.has(entries[0]!.source, entries[0]!.msg))) return 0;
    if (this.fd === null || this.bytes >= this.opts.segmentBytes) this.rotate();
    const buf = Buffer.from(entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const before = this.bytes;
    let n = 0;
    try {
      while (n < buf.length) n += this.opts.write(this.fd!, buf, n);
    } catch (e) {
      // cut back what this append wrote, so a retry does not leave a half line
      try {
        closeSync(this.fd!);
        this.fd = openSync(this.file(this.segment), 'r+');
        ftruncateSync(this.fd, before);
        closeSync(this.fd);
      } catch {
        /* the next start skips an unreadable line */
      }
      this.fd = null;
      throw e;
    }
    this.bytes += buf.length;
    for (const e of entries) this.remember(e);
    return entries.length;
  }

  private rotate(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.segment++;
    }
    const f = this.file(this.segment);
    this.fd = openSync(f, 'a');
    this.bytes = existsSync(f) ? statSync(f).size : 0;
    const segs = this.segments();
    for (const old of segs.slice(0, Math.max(0, segs.length - this.opts.retainSegments))) rmSync(this.file(old), { force: true });
  }

  /** Counts and the latest entries of one source (since the retained quarantine began). */
  of(source: string): { byReason: Record<string, number>; recent: QuarantineEntry[]; total: number } {
    return this.bySource.get(source) ?? { byReason: {}, recent: [], total: 0 };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
