/**
 * Care follow-up planning: a real care call raised as an alarm gets a follow-up visit for the grid staff of the
 * device's holder (the care platform looks the holder up: audited like any view). A domain service of its own: the
 * server only hands it every batch of events it sends.
 */
import type { Alarm } from '../contracts/alarm.ts';
import type { FeedEvent } from '../contracts/events.ts';
import type { User } from '../people/policy.ts';
import type { PeopleService } from '../people/service.ts';
import type { FeedCore } from './core.ts';

/** The care platform itself, when it looks up a device's holder to plan a follow-up visit (audited under this name). */
export const CARE_PLATFORM: User = { name: '养老服务平台', role: 'operator' }; // i18n-exempt: journaled name

export interface CareFollowupOptions {
  core: FeedCore;
  people: PeopleService;
  /** sends what was journaled to the screens */
  emit: (events: FeedEvent[]) => void;
  log: (msg: string) => void;
  /** true once the server is closing: nothing more is journaled */
  closed: () => boolean;
}

export class CareFollowups {
  /** the calls on their way (the population may still be generating), so each is looked up once */
  private readonly planning = new Set<string>();

  constructor(private readonly o: CareFollowupOptions) {}

  /** Plans a follow-up visit for a care alarm, unless one exists or is being planned. Asynchronous. */
  plan(alarm: Pick<Alarm, 'alarmId' | 'sourceId'>): void {
    const { core, people, log } = this.o;
    if (this.planning.has(alarm.alarmId) || core.board.tasks.has(`C-${alarm.alarmId}`)) return;
    this.planning.add(alarm.alarmId);
    void people
      .ready()
      .then(() => {
        if (this.o.closed()) return;
        const h = people.holder(CARE_PLATFORM, alarm.sourceId);
        if (!h.ok || !h.value) return log(`care call ${alarm.alarmId}: no elder registered to ${alarm.sourceId}, no follow-up visit planned`);
        const d = core.board.careFollowup(alarm.alarmId, h.value, CARE_PLATFORM.name, Date.now());
        if (d) this.o.emit(core.ingest([d]));
      })
      .catch((e: unknown) => log(`care follow-up for ${alarm.alarmId} failed: ${(e as Error).message}`))
      .finally(() => this.planning.delete(alarm.alarmId));
  }

  /** Every batch sent live: real care calls just raised get their follow-up planned. */
  onEvents(events: FeedEvent[]): void {
    for (const ev of events) if (ev.kind === 'alarm.update' && ev.action === 'raise' && ev.alarm.category === 'care' && !ev.alarm.drill) this.plan(ev.alarm);
  }

  /**
   * At start: a care call raised before a crash (or while the population was still generating) whose follow-up visit
   * was never journaled is planned now. Idempotent (one task per alarm, `C-<alarmId>`); closed and drill calls need none.
   */
  planOpenCalls(): void {
    for (const a of this.o.core.engine.alarms.values()) if (a.category === 'care' && !a.drill && a.state !== 'closed') this.plan(a);
  }
}
