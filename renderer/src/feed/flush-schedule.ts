/**
 * When the feed client applies what it has queued (issue 24). Readings arrive by the thousand per second and are applied
 * once per animation frame; what an operator waits on — an alarm, a fire detector, a care call, a drill, a request or
 * task, the park SOS button — is applied in the next task instead, because on a software-rendered or busy 3D view a
 * frame can take 250 ms or more and an alarm's row must not wait for it. Prompt flushes are spaced at least
 * `minGapMs` apart so an alarm flood is applied in a few batches, not one per socket message. Hidden windows get no
 * animation frames: a frame flush also runs after `fallbackMs` at the latest.
 */
import type { FeedEvent, StreamName } from '../../../data-pipelines/contracts/events.ts';

const PROMPT_STREAMS: ReadonlySet<StreamName> = new Set<StreamName>(['alarm', 'fire', 'care', 'drill', 'request', 'task']);

/** True for an event an operator waits on (applied in the next task, not at the next frame). */
export const isPromptEvent = (ev: Pick<FeedEvent, 'stream' | 'kind'>): boolean => PROMPT_STREAMS.has(ev.stream) || ev.kind === 'camera.sos';

export interface FlushClock {
  now(): number;
  frame(cb: () => void): void;
  after(ms: number, cb: () => void): void;
}

export const browserClock: FlushClock = {
  now: () => performance.now(),
  frame: (cb) => void requestAnimationFrame(() => cb()),
  after: (ms, cb) => void setTimeout(cb, ms),
};

export class FlushSchedule {
  private frameScheduled = false;
  private promptScheduled = false;
  private lastRunAt = -Infinity;

  constructor(
    private readonly run: () => void,
    private readonly clock: FlushClock = browserClock,
    private readonly minGapMs = 40,
    private readonly fallbackMs = 250,
  ) {}

  /** Asks for a flush: at the next frame, or also in the next task (spaced by minGapMs) when `prompt`. */
  request(prompt: boolean): void {
    if (prompt && !this.promptScheduled) {
      this.promptScheduled = true;
      this.clock.after(Math.max(0, this.minGapMs - (this.clock.now() - this.lastRunAt)), () => {
        this.promptScheduled = false;
        this.fire();
      });
    }
    if (this.frameScheduled) return;
    this.frameScheduled = true;
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      this.frameScheduled = false;
      this.fire();
    };
    this.clock.frame(once);
    this.clock.after(this.fallbackMs, once);
  }

  private fire(): void {
    this.lastRunAt = this.clock.now();
    this.run();
  }
}

/**
 * Each stream's events in seq order, the streams' interleaving kept: each stream's events are sorted and put back into
 * the places that stream held. (A comparator that calls events of different streams equal is not an ordering: a sort
 * can leave `alarm 5, fire 1, alarm 3` as it is, and alarm 3 after 5 reads as a gap.)
 */
export function orderPerStream<E extends { stream: string; seq: number }>(events: readonly E[]): E[] {
  const byStream = new Map<string, E[]>();
  for (const ev of events) {
    const list = byStream.get(ev.stream);
    if (list) list.push(ev);
    else byStream.set(ev.stream, [ev]);
  }
  for (const list of byStream.values()) list.sort((a, b) => a.seq - b.seq);
  const next = new Map<string, number>();
  return events.map((ev) => {
    const i = next.get(ev.stream) ?? 0;
    next.set(ev.stream, i + 1);
    return byStream.get(ev.stream)![i]!;
  });
}
