/**
 * The feed's core, without sockets: journal + world state + alarm engine + simulator. Every event goes through the
 * journal first (durable, stamped) and only then to the world and to clients. Tested directly under Node.
 */
import { type Alarm } from '../contracts/alarm.ts';
import { STREAMS, type CommandAck, type Draft, type FeedEvent, type JournalHealth, type Replay, type Snapshot, type Subscribe } from '../contracts/events.ts';
import { applyEvent, compact, emptyWorld, type World } from '../contracts/world.ts';
import { AlarmEngine } from './alarm-engine.ts';
import type { Entities } from './entities.ts';
import { Journal, JournalWriteError, RECORD_STREAMS, type JournalOptions, type LoadReport } from './journal.ts';
import { DistrictSimulator, type SimulatorOptions } from './simulator.ts';
import { checkScenarioRefs, DrillRunner, orphanedDrillCleanup } from './drill.ts';
import { parseScenario } from '../contracts/scenario.ts';
import type { RequestAck, RequestActor } from '../contracts/citizen-request.ts';
import { gridStaffName } from '../people/population.ts';
import { RequestDesk } from './requests.ts';
import type { SopFile } from '../contracts/sop.ts';
import { TaskBoard } from './tasks.ts';

export interface CoreOptions {
  journal: JournalOptions;
  entities: Entities;
  /** null = no simulator (real feeds only) */
  sim: SimulatorOptions | null;
  /** who looks after a grid cell (visit tasks go to them); default: the synthetic roster */
  staffOf?: (gridId: string) => string;
  log?: (msg: string) => void;
  /** events held in memory while the journal cannot write (default 100,000, ~30 MB); beyond it the oldest are lost */
  maxHeld?: number;
  /** how often held events are retried while the journal cannot write (default 1 s) */
  retryMs?: number;
  /**
   * Where the simulator's live drafts go instead of the journal (`--sim-via mqtt://…`: published to a broker and
   * read back through a source, the path real feeds take). Default: journaled in-process.
   */
  simOut?: (drafts: Draft[]) => void;
  /**
   * A follower (a gateway of a cluster log that does not hold the writer's lease): it writes nothing of its own, no
   * simulator, no alarm reactions, no commands; the leader's events come in through applyRemote. lead() makes it the
   * writer. Default false (the embedded journal: this process is the writer).
   */
  follower?: boolean;
  /** the SOPs (feed/sop-catalog.ts): raised alarms name theirs, overdue mandatory steps escalate. Default none. */
  sops?: readonly SopFile[];
}

/** Where a writing core's journaled events go next (the cluster log), and when they are durable there. */
export interface Replica {
  publish(events: readonly FeedEvent[]): void;
  /** null: nothing is waiting */
  whenDurable(): Promise<void> | null;
}

/** Why a follower gateway refuses to write. */
export const FOLLOWER_REFUSAL =
  'this gateway follows the cluster log and does not write: the writer gateway takes commands (try again: the screen reconnects to it)';

export class FeedCore {
  readonly journal: Journal;
  readonly world: World = emptyWorld();
  readonly engine: AlarmEngine;
  /** citizen requests (12345/444 work orders): state from the journal, commands checked here */
  readonly desk: RequestDesk;
  /** visit tasks for grid staff */
  readonly board: TaskBoard;
  sim: DistrictSimulator | null;
  /** see CoreOptions.follower */
  follower: boolean;
  private replica: Replica | null = null;
  private readonly simOpts: SimulatorOptions | null;
  readonly loadReport: LoadReport;
  readonly stats = { appended: 0, rejected: 0, lastRejection: '' };
  private readonly log: (m: string) => void;
  readonly entities: Entities;
  /** the drill being run (one at a time: a command center drills one scenario at once) */
  drill: DrillRunner | null = null;
  private startupDrafts: Draft[];
  private drillCommands = 0;
  /**
   * Drafts the journal could not write yet (disk full or failing), oldest first: not applied, not sent, journaled in
   * order once the disk takes writes again (retried every retryMs). Bounded: beyond maxHeld the oldest telemetry goes
   * first (then the oldest of any stream), counted in `lost`.
   */
  private held: Draft[] = [];
  private lastTry = 0;
  private readonly maxHeld: number;
  private readonly retryMs: number;
  private readonly simOut: ((drafts: Draft[]) => void) | undefined;
  /**
   * Origins (envelope `origin`) of the retained journal's source events, newest last: a platform message redelivered
   * after a crash or a lost acknowledgement is recognised and not journaled twice. Bounded (oldest forgotten first):
   * redeliveries are of the latest unacknowledged messages.
   */
  readonly origins = new BoundedSet(500_000);
  /** events lost to held-buffer overflow since start, total and per stream */
  readonly lost = { total: 0, byStream: {} as Partial<Record<string, number>> };

  constructor(opts: CoreOptions) {
    this.log = opts.log ?? (() => undefined);
    this.maxHeld = opts.maxHeld ?? 100_000;
    this.retryMs = opts.retryMs ?? 1_000;
    this.simOut = opts.simOut;
    this.engine = new AlarmEngine(opts.entities, opts.sops ?? []);
    this.desk = new RequestDesk(opts.entities, opts.sim?.requests ?? {});
    this.board = new TaskBoard(opts.staffOf ?? ((g) => gridStaffName(g)));
    const { journal, report } = Journal.open({ log: this.log, ...opts.journal }, (ev) => this.observe(ev));
    this.journal = journal;
    this.loadReport = report;
    if (report.events || report.tornLines || report.corruptLines)
      this.log(`journal ${journal.epoch}: ${report.events} events restored, ${report.tornLines} torn, ${report.corruptLines} corrupt lines`);
    this.entities = opts.entities;
    this.simOpts = opts.sim;
    this.follower = opts.follower === true;
    this.sim = null;
    this.startupDrafts = [];
    if (!this.follower) this.startWriting(Date.now());
  }

  /** The writer's start: the simulator resumes from the state, orphaned drill alarms are closed, history backfilled. */
  private startWriting(now: number): void {
    this.sim = this.simOpts ? new DistrictSimulator(this.entities, this.simOpts) : null;
    const state = compact(this.world, Infinity);
    // drill states are the drill runner's, not the simulator's
    this.sim?.resume(
      state.filter((e) => !e.drill),
      now,
    );
    this.startupDrafts = orphanedDrillCleanup(state, new Set(), now);
    this.backfill(now);
  }

  /**
   * A follower becomes the writer (it took the cluster's lease and has read the log to its end): from now on every
   * event it journals also goes to `replica`, and screens and acknowledgements wait for durable().
   */
  lead(replica: Replica, now: number): void {
    if (!this.follower) throw new Error('this core already writes');
    this.follower = false;
    this.replica = replica;
    this.recoverReactions();
    this.startWriting(now);
  }

  /** ts of the newest alarm update the engine made from a sensor event (its reactions are stored up to there) */
  private lastReactionTs = -Infinity;

  /**
   * The previous writer may have died between storing a sensor event and storing the alarm it caused (two streams:
   * no atomic write across them). Every alarm update the engine makes from an event carries that event's ts, so sensor
   * events after the newest such update are reacted to again, in ts order: the engine is deterministic (alarm ids
   * come from the causing event's id), so what is missing is raised now and nothing stored is raised twice.
   */
  private recoverReactions(): void {
    const candidates: FeedEvent[] = [];
    for (const s of STREAMS) {
      if (RECORD_STREAMS.has(s)) continue;
      const tail = this.journal.since(s, Math.max(0, this.journal.seqs[s] - 5_000)) ?? [];
      for (const ev of tail) if (ev.ts > this.lastReactionTs) candidates.push(ev);
    }
    if (!candidates.length) return;
    candidates.sort((a, b) => a.ts - b.ts);
    let recovered = 0;
    for (const ev of candidates) {
      const drafts = this.engine.react(ev).filter((d) => d.stream === 'alarm');
      if (drafts.length) recovered += this.ingest(drafts).length;
    }
    if (recovered) this.log(`taking over: ${recovered} alarm updates the previous writer had not stored were made again`);
  }

  /** Writes go to `replica` too (a core that starts as the writer of a cluster log). */
  replicateTo(replica: Replica): void {
    this.replica = replica;
  }

  /**
   * Resolves when everything journaled so far is durable in the cluster log; null when nothing waits (always with the
   * embedded journal, whose append is durable when it returns). Screens, acknowledgements and PUBACKs wait on it.
   */
  durable(): Promise<void> | null {
    return this.replica ? this.replica.whenDurable() : null;
  }

  /**
   * A follower takes events the writer stamped (from the cluster log): journaled locally as they are, applied to the
   * world, alarms, requests and tasks. Returns them (for the screens). Throws if they do not follow the local journal.
   */
  applyRemote(events: readonly FeedEvent[]): readonly FeedEvent[] {
    if (!this.follower) throw new Error('the writer does not take events from the log');
    this.journal.appendStamped(events);
    for (const ev of events) this.observe(ev);
    this.stats.appended += events.length;
    return events;
  }

  /**
   * Synthesized parking history for a fresh journal, journaled here, before the first tick, so it precedes every live
   * event (seq order stays ts order) and no client ever sees it streamed live. Any parking event already in the
   * journal means real or earlier history: never mixed with a synthetic one.
   */
  private observe(ev: FeedEvent): void {
    if (ev.origin) this.origins.add(ev.origin);
    if (ev.kind === 'alarm.update' && ev.by === 'system' && ev.alarm.category !== 'feed' && ev.ts > this.lastReactionTs) this.lastReactionTs = ev.ts;
    applyEvent(this.world, ev);
    this.engine.observe(ev);
    this.desk.observe(ev);
    this.board.observe(ev);
  }

  private backfill(now: number): void {
    if (this.sim && this.journal.seqs.request === 0) {
      const drafts = this.desk.backfill(now);
      if (drafts.length)
        this.log(
          `request backfill: ${this.ingest(drafts).length} steps of ${new Set(drafts.map((d) => d.request.requestId)).size} citizen requests over ${this.desk.opts.backfillDays} days`,
        );
    }
    const ms = this.sim?.opts.backfillMs ?? 0;
    if (!this.sim || ms <= 0) return;
    if (this.journal.seqs.parking > 0) {
      this.log(`parking backfill skipped: the journal already holds ${this.journal.seqs.parking} parking events`);
      return;
    }
    const t0 = performance.now();
    const drafts = this.sim.backfillParking(now - ms, now, this.sim.opts.backfillStepMs);
    // In slices: the journal rotates segments between appends only, so one append of a long backfill would make one
    // oversized segment.
    let written = 0;
    for (let i = 0; i < drafts.length; i += 10_000) written += this.ingest(drafts.slice(i, i + 10_000)).length;
    this.log(
      `parking backfill: ${written} events over the last ${(ms / 3600_000).toFixed(1)} h (step ${this.sim.opts.backfillStepMs / 60_000} min) in ${Math.round(performance.now() - t0)} ms`,
    );
  }

  /** The SOPs this node loaded (every node of a cluster loads its own files). */
  get sops(): readonly SopFile[] {
    return this.engine.sops;
  }

  get epoch(): string {
    return this.journal.epoch;
  }

  /**
   * Journals drafts and everything they cause (alarms, camera turns); returns the stamped events in order. While the
   * journal cannot write, the drafts are held (after any already held) and nothing is returned for them now: they
   * come back from a later ingest/tick once written.
   */
  ingest(drafts: Draft[]): FeedEvent[] {
    if (this.follower) {
      if (drafts.length) this.log(`follower: ${drafts.length} events not journaled here (the writer gateway journals)`);
      return [];
    }
    if (drafts.length) this.hold(drafts);
    return this.drain(true);
  }

  /** The journal's health as every screen shows it. */
  health(): JournalHealth {
    const e = this.journal.writeError;
    const down = e !== null || this.held.length > 0;
    return {
      writable: !down,
      ...(e ? { code: e.code.slice(0, 32), error: e.message.slice(0, 500), since: e.since } : {}),
      held: this.held.length,
      lost: this.lost.total,
    };
  }

  /** Why a command is refused now (the journal cannot write), or null: held events are retried first. */
  journalRefusal(): string | null {
    if (this.follower) return FOLLOWER_REFUSAL;
    if (this.caughtUp() && !this.journal.writeError) return null;
    const e = this.journal.writeError;
    return `journal cannot write${e ? ` (${e.code})` : ''}: nothing was changed, try again when the server's disk has space`;
  }

  /** Events journaled by a retry inside journalRefusal(), handed out with the next command's events. */
  private pendingOut: FeedEvent[] = [];

  private hold(drafts: Draft[]): void {
    for (const d of drafts) this.held.push(d);
    let excess = this.held.length - this.maxHeld;
    if (excess <= 0) return;
    const drop = (d: Draft) => {
      this.lost.total++;
      this.lost.byStream[d.stream] = (this.lost.byStream[d.stream] ?? 0) + 1;
    };
    // the oldest telemetry first (superseded by later readings); the record streams only when nothing else is left
    const kept: Draft[] = [];
    for (const d of this.held) {
      if (excess > 0 && !RECORD_STREAMS.has(d.stream)) {
        drop(d);
        excess--;
      } else kept.push(d);
    }
    if (excess > 0) kept.splice(0, excess).forEach(drop);
    this.held = kept;
    if (Date.now() - this.lossLoggedAt > 10_000) {
      this.lossLoggedAt = Date.now();
      this.log(`journal cannot write: held-event buffer full (${this.maxHeld}), ${this.lost.total} events lost so far`);
    }
  }

  private lossLoggedAt = 0;

  /**
   * Journals the held drafts in order (and what they cause), as far as the journal takes them. While the journal is
   * failing, retried at most every retryMs when `throttle` (a command asks: try at once).
   */
  private drain(throttle: boolean): FeedEvent[] {
    const out: FeedEvent[] = this.pendingOut.splice(0);
    if (!this.held.length) return out;
    const t = Date.now();
    if (throttle && this.journal.writeError && t - this.lastTry < this.retryMs) return out;
    this.lastTry = t;
    while (this.held.length) {
      // while failing, a small batch probes the disk (a refused append costs its validation); then big ones
      const batch = this.held.slice(0, this.journal.writeError ? 500 : 10_000);
      const r = this.run(batch);
      for (const ev of r.events) out.push(ev);
      this.held.splice(0, batch.length, ...r.unwritten);
      if (r.unwritten.length) break;
    }
    if (!this.held.length && out.length && this.lost.total) this.log(`journal writes again; ${this.lost.total} events were lost while it could not`);
    return out;
  }

  /** Appends drafts and their consequences; stops at a refused write and returns what was not written (in order). */
  private run(drafts: Draft[], rejectedOut?: Array<{ draft: Draft; error: string }>): { events: FeedEvent[]; unwritten: Draft[] } {
    const out: FeedEvent[] = [];
    let pending = drafts;
    for (let depth = 0; pending.length && depth < 4; depth++) {
      let r: ReturnType<Journal['append']>;
      try {
        r = this.journal.append(pending);
      } catch (e) {
        if (e instanceof JournalWriteError) return { events: out, unwritten: pending };
        throw e;
      }
      const { events, rejected } = r;
      if (this.replica && events.length) this.replica.publish(events);
      if (depth === 0 && rejectedOut) rejectedOut.push(...rejected);
      for (const x of rejected) {
        this.stats.rejected++;
        this.stats.lastRejection = x.error;
        this.log(`rejected draft ${x.draft.kind}: ${x.error}`);
      }
      const next: Draft[] = [];
      for (const ev of events) {
        this.observe(ev);
        if (ev.kind !== 'alarm.update') next.push(...this.engine.react(ev));
      }
      this.stats.appended += events.length;
      out.push(...events);
      pending = next;
    }
    return { events: out, unwritten: [] };
  }

  /**
   * Drafts journaled now or not at all (null): never held, so a command or a source message the journal did not take
   * is refused or left unacknowledged and nothing acknowledged can be lost. Consequences that could not be written
   * are held like any event.
   */
  private writeNow(drafts: Draft[], rejectedOut?: Array<{ draft: Draft; error: string }>): FeedEvent[] | null {
    const r = this.run(drafts, rejectedOut);
    if (r.unwritten === drafts) return null;
    if (r.unwritten.length) this.hold(r.unwritten);
    return r.events;
  }

  /** Retries the held events first (what they journal waits in pendingOut); whether none are left. */
  private caughtUp(): boolean {
    if (this.held.length) this.pendingOut = this.pendingOut.concat(this.drain(false));
    return !this.held.length;
  }

  tick(now: number): FeedEvent[] {
    if (this.follower) return [];
    const startup = this.startupDrafts;
    this.startupDrafts = [];
    const out = this.drain(true);
    // While events wait for the journal, only the feeds' own events are taken (held, in order); drafts derived from
    // the server's state (request timers, shelve expiry, SOP escalations, drill steps) are made once the state has
    // caught up (an escalation journaled is on the alarm: it is not made again, here or after a replay).
    const caughtUp = !this.held.length;
    let simDrafts = this.sim?.tick(now) ?? [];
    if (this.simOut && simDrafts.length) {
      this.simOut(simDrafts);
      simDrafts = [];
    }
    out.push(
      ...this.ingest([...startup, ...simDrafts, ...(caughtUp && this.sim ? this.desk.tick(now) : []), ...(caughtUp ? this.engine.expireShelves(now) : [])]),
    );
    if (this.drill && caughtUp) out.push(...this.tickDrill(now));
    // after the shelf expiries were applied (an alarm's escalation is drafted from its latest version)
    if (caughtUp && !this.held.length) out.push(...this.ingest(this.engine.escalateOverdue(now, this.drill?.drillId ?? null)));
    return out;
  }

  /**
   * Starts a drill scenario (validated text or object). Throws with every problem listed when the file is invalid
   * or names devices the district does not have, or when a drill is already running.
   */
  startDrill(scenario: unknown, now: number, by: string): { drillId: string; events: FeedEvent[] } {
    if (this.drill) throw new Error(`drill ${this.drill.drillId} ("${this.drill.scenario.name}") is still running: stop it first`);
    const refusal = this.journalRefusal();
    if (refusal) throw new Error(refusal);
    const p = parseScenario(scenario);
    if (!p.ok) throw new Error(`invalid scenario: ${p.errors.join('; ')}`);
    const refs = checkScenarioRefs(p.value, this.entities);
    if (refs.length) throw new Error(`scenario does not fit this district: ${refs.slice(0, 10).join('; ')}`);
    const drillId = `D-${now.toString(36)}`;
    this.drill = new DrillRunner(this.entities, p.value, drillId, now);
    const events = this.ingest([this.drill.status('started', now, { note: `started by ${by}`.slice(0, 300) })]);
    events.push(...this.tickDrill(now));
    return { drillId, events };
  }

  stopDrill(now: number, by: string): FeedEvent[] {
    if (!this.drill) throw new Error('no drill is running');
    const refusal = this.journalRefusal();
    if (refusal) throw new Error(refusal);
    const d = this.drill;
    this.drill = null;
    return this.ingest(d.abort(now, `stopped by ${by}`));
  }

  private tickDrill(now: number): FeedEvent[] {
    const d = this.drill!;
    const { drafts, commands } = d.tick(now);
    const out = this.ingest(drafts);
    for (const c of commands) {
      const alarm = [...this.engine.alarms.values()]
        .filter((a) => a.drillId === d.drillId && a.sourceId === c.source && a.state !== 'closed')
        .sort((a, b) => b.raisedAt - a.raisedAt)[0];
      if (!alarm) {
        this.log(`drill ${d.drillId}: no open drill alarm for ${c.source} (${c.action} skipped)`);
        out.push(...this.ingest([d.status('step', now, { note: `scripted ${c.action} skipped: no open alarm for ${c.source}` })]));
        continue;
      }
      const r = this.command(
        {
          commandId: `${d.drillId}-c${++this.drillCommands}`,
          alarmId: alarm.alarmId,
          action: c.action,
          by: c.by,
          ...(c.team ? { team: c.team } : {}),
          ...(c.note ? { note: c.note } : {}),
        },
        c.at,
      );
      if (!r.ack.ok) out.push(...this.ingest([d.status('step', now, { note: `scripted ${c.action} refused: ${r.ack.error}`.slice(0, 300) })]));
      out.push(...r.events);
    }
    if (d.done) this.drill = null;
    return out;
  }

  command(raw: unknown, now: number): { ack: CommandAck; events: FeedEvent[] } {
    // held events go first (the command acts on the state they make); while the journal cannot write: refused
    const refusal = this.journalRefusal();
    const before = this.pendingOut.splice(0);
    if (refusal) return { ack: { ok: false, error: refusal }, events: before };
    const r = this.engine.command(raw, now);
    if (!r.ok) return { ack: { ok: false, error: r.error }, events: before };
    if (r.duplicateOf) return { ack: { ok: true, seq: r.duplicateOf.seq, alarm: r.alarm, duplicate: true }, events: before };
    const events = this.writeNow([r.draft!]);
    if (!events) return { ack: { ok: false, error: this.journalRefusal() ?? 'journal cannot write' }, events: [...before, ...this.pendingOut.splice(0)] };
    const ev = events[0];
    if (!ev || ev.kind !== 'alarm.update') return { ack: { ok: false, error: 'command could not be journaled' }, events: [...before, ...events] };
    return { ack: { ok: true, seq: ev.seq, alarm: ev.alarm as Alarm, duplicate: false }, events: [...before, ...events] };
  }

  /** A citizen-request command from `user` (the socket's user, by role): journaled, or refused with the reason. */
  requestCommand(raw: unknown, user: RequestActor, now: number): { ack: RequestAck; events: FeedEvent[] } {
    const refusal = this.journalRefusal();
    const before = this.pendingOut.splice(0);
    if (refusal) return { ack: { ok: false, error: refusal }, events: before };
    const r = this.desk.command(raw, user, now);
    if ('ack' in r) return { ack: r.ack, events: before };
    const events = this.writeNow([r.draft]);
    if (!events) return { ack: { ok: false, error: this.journalRefusal() ?? 'journal cannot write' }, events: [...before, ...this.pendingOut.splice(0)] };
    const ev = events[0];
    if (!ev || ev.kind !== 'request.update') return { ack: { ok: false, error: 'command could not be journaled' }, events: [...before, ...events] };
    return { ack: { ok: true, seq: ev.seq, request: ev.request, duplicate: false }, events: [...before, ...events] };
  }

  /**
   * Readings from a connected source, journaled now or not at all (null: the journal cannot write; the transport then
   * does not acknowledge, and the platform redelivers). Drafts checked (`checkOrigins`, all or per draft) whose origin
   * the journal already holds are skipped and counted as duplicates (the caller knows when a message may be a
   * redelivery). Drafts the contract refuses are returned in `rejected` (the caller quarantines them). Consequences (alarms) that could not be written are held like any event.
   */
  acceptSource(
    drafts: Draft[],
    checkOrigins: boolean | readonly boolean[] = true,
  ): { events: FeedEvent[]; duplicates: number; rejected: Array<{ draft: Draft; error: string }> } | null {
    // held events first (in order); the append below is itself the probe of a disk that failed before
    if (this.follower || !this.caughtUp()) return null;
    const before = this.pendingOut.splice(0);
    const fresh: Draft[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    for (let i = 0; i < drafts.length; i++) {
      const d = drafts[i]!;
      const check = typeof checkOrigins === 'boolean' ? checkOrigins : checkOrigins[i] === true;
      if (d.origin !== undefined && check && (this.origins.has(d.origin) || seen.has(d.origin))) {
        duplicates++;
        continue;
      }
      if (d.origin !== undefined) seen.add(d.origin);
      fresh.push(d);
    }
    if (!fresh.length) return { events: before, duplicates, rejected: [] };
    const rejected: Array<{ draft: Draft; error: string }> = [];
    const events = this.writeNow(fresh, rejected);
    if (!events) {
      this.pendingOut = before;
      return null;
    }
    return { events: [...before, ...events], duplicates, rejected };
  }

  /** A source's health alarm (AlarmEngine.sourceHealth), journaled; null while the journal cannot write (retried by the caller). */
  sourceHealth(sourceId: string, cause: 'quiet' | 'down', bad: boolean, now: number, note: string): FeedEvent[] | null {
    const drafts = this.engine.sourceHealth(sourceId, cause, bad, now, this.centre, note);
    if (!drafts.length) return [];
    if (this.follower || !this.caughtUp()) return null;
    const events = this.writeNow(drafts);
    return events && [...this.pendingOut.splice(0), ...events];
  }

  /** The district's centre (where alarms about the feed itself are placed). */
  get centre(): { lon: number; lat: number } {
    const g = this.entities.grid;
    if (!g.length) {
      const w = this.entities.wells;
      return w.length ? { lon: w.reduce((a, x) => a + x.lon, 0) / w.length, lat: w.reduce((a, x) => a + x.lat, 0) / w.length } : { lon: 116.4, lat: 39.9 };
    }
    return {
      lon: (Math.min(...g.map((c) => c.west)) + Math.max(...g.map((c) => c.east))) / 2,
      lat: (Math.min(...g.map((c) => c.south)) + Math.max(...g.map((c) => c.north))) / 2,
    };
  }

  snapshot(now: number): Snapshot {
    return { epoch: this.epoch, ts: now, seqs: { ...this.world.seqs }, events: compact(this.world, undefined, now) };
  }

  /** Exact replay after the client's offsets, or null when a snapshot is needed (other epoch, or too old). */
  replay(sub: Subscribe): Replay | null {
    if (sub.epoch !== this.epoch) return null;
    const events: FeedEvent[] = [];
    for (const s of STREAMS) {
      const since = sub.since[s] ?? 0;
      if (since > this.world.seqs[s]) return null; // client is ahead of us: the journal was replaced
      const evs = this.journal.since(s, since);
      if (evs === null) return null;
      events.push(...evs);
    }
    return { epoch: this.epoch, events, seqs: { ...this.world.seqs } };
  }

  close(): void {
    this.journal.close();
  }
}

/** A set that forgets its oldest members beyond `max` (insertion order). */
export class BoundedSet {
  private readonly items = new Set<string>();
  constructor(readonly max: number) {}
  add(v: string): void {
    if (this.items.has(v)) return;
    this.items.add(v);
    if (this.items.size > this.max) {
      const oldest = this.items.values().next();
      if (!oldest.done) this.items.delete(oldest.value);
    }
  }
  has(v: string): boolean {
    return this.items.has(v);
  }
  get size(): number {
    return this.items.size;
  }
}
