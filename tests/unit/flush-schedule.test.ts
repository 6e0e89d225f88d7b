/**
 * Issue 24: an alarm's row must not wait for the next WebGL frame. The feed client's flush schedule, driven by a manual
 * clock: readings wait for a frame (or the hidden-window fallback), what an operator waits on is applied in the next
 * task, and a flood of prompt events is spaced rather than applied once per message.
 */
import { describe, expect, it } from 'vitest';
import { FlushSchedule, isPromptEvent, orderPerStream, type FlushClock } from '../../renderer/src/feed/flush-schedule.ts';

class ManualClock implements FlushClock {
  t = 0;
  frames: Array<() => void> = [];
  timers: Array<{ at: number; cb: () => void }> = [];
  now(): number {
    return this.t;
  }
  frame(cb: () => void): void {
    this.frames.push(cb);
  }
  after(ms: number, cb: () => void): void {
    this.timers.push({ at: this.t + ms, cb });
  }
  /** advances time, running due timers in order */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.cb();
    }
    this.t = end;
  }
  paint(): void {
    const f = this.frames;
    this.frames = [];
    for (const cb of f) cb();
  }
}

function setup() {
  const clock = new ManualClock();
  const runs: number[] = [];
  const s = new FlushSchedule(() => runs.push(clock.t), clock, 40, 250);
  return { clock, runs, s };
}

describe('feed flush schedule', () => {
  it('readings wait for the next frame, once per frame however many arrive', () => {
    const { clock, runs, s } = setup();
    s.request(false);
    s.request(false);
    clock.advance(100);
    expect(runs).toEqual([]);
    clock.paint();
    expect(runs).toEqual([100]);
    // the fallback of that request does not run a second flush
    clock.advance(300);
    expect(runs).toEqual([100]);
  });

  it('readings in a hidden window (no frames) are applied after the fallback', () => {
    const { clock, runs, s } = setup();
    s.request(false);
    clock.advance(249);
    expect(runs).toEqual([]);
    clock.advance(1);
    expect(runs).toEqual([250]);
  });

  it('an alarm is applied in the next task, not at the next frame', () => {
    const { clock, runs, s } = setup();
    clock.advance(1000);
    s.request(true);
    clock.advance(0);
    expect(runs).toEqual([1000]);
  });

  it('a flood of alarm messages is applied at most once per gap, nothing left behind', () => {
    const { clock, runs, s } = setup();
    clock.advance(1000);
    for (let i = 0; i < 50; i++) {
      s.request(true);
      clock.advance(5);
    }
    clock.advance(300);
    // the first at once, then one per 40 ms while messages keep coming (250 ms of them), then the frame fallback
    expect(runs[0]).toBe(1000);
    const prompt = runs.filter((t) => t < 1250);
    for (let i = 1; i < prompt.length; i++) expect(prompt[i]! - prompt[i - 1]!).toBeGreaterThanOrEqual(40);
    expect(prompt.length).toBeGreaterThanOrEqual(6);
    expect(prompt.length).toBeLessThanOrEqual(8);
    // the last request (at 1245) is covered by a flush after it
    expect(Math.max(...runs)).toBeGreaterThanOrEqual(1245);
  });

  it('a frame flush counts as the last flush: the next alarm waits out the gap after it', () => {
    const { clock, runs, s } = setup();
    clock.advance(1000);
    s.request(false);
    clock.advance(10);
    clock.paint(); // frame flush at 1010
    s.request(true);
    clock.advance(0);
    expect(runs).toEqual([1010]);
    clock.advance(40);
    expect(runs).toEqual([1010, 1050]);
  });

  it('orders each stream by seq and keeps the streams interleaved as they came', () => {
    const ev = (stream: string, seq: number) => ({ stream, seq });
    // a comparator calling different streams equal leaves this as it is (alarm 3 after alarm 5)
    const got = orderPerStream([ev('alarm', 5), ev('fire', 1), ev('alarm', 3), ev('manhole', 9), ev('fire', 0), ev('alarm', 4)]);
    expect(got).toEqual([ev('alarm', 3), ev('fire', 0), ev('alarm', 4), ev('manhole', 9), ev('fire', 1), ev('alarm', 5)]);
    expect(orderPerStream([])).toEqual([]);
  });

  it('which events are prompt', () => {
    expect(isPromptEvent({ stream: 'alarm', kind: 'alarm.update' })).toBe(true);
    expect(isPromptEvent({ stream: 'fire', kind: 'fire.detector' })).toBe(true);
    expect(isPromptEvent({ stream: 'care', kind: 'care.call' })).toBe(true);
    expect(isPromptEvent({ stream: 'camera', kind: 'camera.sos' })).toBe(true);
    expect(isPromptEvent({ stream: 'camera', kind: 'camera.status' })).toBe(false);
    expect(isPromptEvent({ stream: 'manhole', kind: 'manhole.reading' })).toBe(false);
    expect(isPromptEvent({ stream: 'parking', kind: 'parking.occupancy' })).toBe(false);
  });
});
