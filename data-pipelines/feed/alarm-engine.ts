/**
 * Server-side alarm engine: turns sensor events into alarm lifecycle events (raise / reactivate / return-to-normal),
 * names the cameras that see a raised alarm's place (geo/coverage.ts: a fixed camera's cone covers it, or a PTZ camera
 * in range turns to it), turns the nearest such PTZ camera toward a pressed SOS post, and applies operator commands through the pure state
 * machine in contracts/alarm.ts. One open alarm per source: a flapping or flooding source never creates duplicates.
 * Operator commands are idempotent by commandId (a client retrying after a reconnect gets the original result).
 * Every raised alarm names its SOP (contracts/sop.ts, the server's catalog): commands are checked against it (closing
 * with mandatory steps open needs a reason) and overdue mandatory steps escalate, once each.
 */
import {
  AlarmCommand,
  applyCommand,
  escalate,
  expireShelf,
  isOpen,
  raise,
  reactivate,
  returnToNormal,
  type Alarm,
  type AlarmCamera,
  type AlarmCategory,
  type Priority,
} from '../contracts/alarm.ts';
import type { AlarmUpdate, Draft, FeedEvent } from '../contracts/events.ts';
import type { ManholeSensor } from '../contracts/manhole.ts';
import { dueEscalations, sopFileOf, sopFor, type SopFile } from '../contracts/sop.ts';
import { camerasCovering, type CameraChoice } from '../geo/coverage.ts';
import type { Entities } from './entities.ts';

/** A coverage choice as an alarm carries it (distance and bearing already rounded to 0.1 by geo/coverage.ts). */
const alarmCamera = (c: CameraChoice): AlarmCamera => ({ id: c.id, distanceM: c.distanceM, bearingDeg: c.bearingDeg, mode: c.mode });

const MANHOLE_PRIORITY: Record<ManholeSensor, Priority> = {
  cover: 2,
  tilt: 2,
  level: 2,
  gas: 2,
  h2s: 2,
  co: 2,
  o2: 2,
  temp: 2,
  flood: 2,
  pressure: 2,
  battery: 3,
};

type AlarmDraft = Draft<AlarmUpdate>;

export type CommandResult = { ok: true; draft: AlarmDraft | null; alarm: Alarm; duplicateOf?: { seq: number } } | { ok: false; error: string };

export class AlarmEngine {
  /** every alarm known (open and closed), latest version */
  readonly alarms = new Map<string, Alarm>();
  private readonly openBySource = new Map<string, string>();
  private readonly commands = new Map<string, { seq: number; alarmId: string }>();
  private readonly offlineCameras = new Set<string>();
  private readonly wells: Map<string, { lon: number; lat: number }>;
  private readonly detectors: Map<string, { lon: number; lat: number }>;
  private readonly stations: Map<string, { lon: number; lat: number }>;
  private readonly cameras: Map<string, { lon: number; lat: number }>;

  constructor(
    private readonly e: Entities,
    readonly sops: readonly SopFile[] = [],
  ) {
    this.wells = new Map(e.wells.map((w) => [w.id, w]));
    this.detectors = new Map(e.detectors.map((d) => [d.id, d]));
    this.stations = new Map(e.stations.map((s) => [s.id, s]));
    this.cameras = new Map(e.cameras.map((c) => [c.id, c]));
  }

  /**
   * The online cameras that see `at`, best first (at most 4): what the operator's wall plays for the alarm. A camera's
   * own outage alarm and a data source's alarm have none.
   */
  camerasSeeing(at: { lon: number; lat: number }): AlarmCamera[] {
    return camerasCovering(this.e.cameras, at, { usable: (c) => !this.offlineCameras.has(c.id), max: 4 }).map(alarmCamera);
  }

  /** The SOP file an alarm names (null: none, or a file no longer in the catalog). */
  sopOf(a: Alarm): SopFile | null {
    return sopFileOf(this.sops, a.sop);
  }

  /** What a raised alarm of this category and cause carries of its SOP. */
  private sopRef(category: AlarmCategory, cause: string): { sop?: { id: string; version: number } } {
    const s = sopFor(this.sops, { category, cause });
    return s ? { sop: { id: s.id, version: s.version } } : {};
  }

  /** Drill and real alarms of the same source are separate alarms: a drill never touches a real one. */
  private static key(category: AlarmCategory, sourceId: string, cause: string, drill: boolean): string {
    return `${drill ? 'drill|' : ''}${category}|${sourceId}|${cause}`;
  }

  /** Keeps indexes in sync with every journaled event (live and on load). */
  observe(ev: FeedEvent): void {
    if (ev.kind === 'camera.status') {
      if (ev.online) this.offlineCameras.delete(ev.cameraId);
      else this.offlineCameras.add(ev.cameraId);
    }
    if (ev.kind !== 'alarm.update') return;
    const a = ev.alarm;
    this.alarms.set(a.alarmId, a);
    const k = AlarmEngine.key(a.category, a.sourceId, a.cause, a.drill);
    if (isOpen(a)) this.openBySource.set(k, a.alarmId);
    else if (this.openBySource.get(k) === a.alarmId) this.openBySource.delete(k);
    if (ev.commandId) this.commands.set(ev.commandId, { seq: ev.seq, alarmId: a.alarmId });
  }

  private update(alarm: Alarm, action: AlarmUpdate['action'], by: string, ts: number, commandId?: string): AlarmDraft {
    return {
      stream: 'alarm',
      kind: 'alarm.update',
      ts,
      action,
      by,
      alarm,
      ...(commandId ? { commandId } : {}),
      ...(alarm.drill ? { drill: true } : {}),
      ...(alarm.drillId ? { drillId: alarm.drillId } : {}),
    };
  }

  private raiseOrReactivate(
    ev: FeedEvent,
    category: AlarmCategory,
    sourceId: string,
    cause: string,
    priority: Priority,
    at: { lon: number; lat: number },
    extra: Partial<Alarm> = {},
    note?: string,
  ): AlarmDraft {
    const k = AlarmEngine.key(category, sourceId, cause, ev.drill === true);
    const openId = this.openBySource.get(k);
    const open = openId ? this.alarms.get(openId) : undefined;
    if (open) return this.update(reactivate(open, ev.ts, extra.value), 'reactivate', 'system', ev.ts);
    const seeing = category === 'feed' || (category === 'camera' && cause === 'offline') || extra.cameras ? [] : this.camerasSeeing(at);
    const a = raise(
      {
        alarmId: `AL-${ev.id}`,
        category,
        sourceId,
        cause,
        priority,
        lon: at.lon,
        lat: at.lat,
        drill: ev.drill === true,
        ...(ev.drill && ev.drillId ? { drillId: ev.drillId } : {}),
        ...(seeing.length ? { cameras: seeing } : {}),
        ...this.sopRef(category, cause),
        ...extra,
      },
      ev.ts,
    );
    if (note) a.history[0] = { ...a.history[0]!, note };
    return this.update(a, 'raise', 'system', ev.ts);
  }

  private rtn(ev: FeedEvent, category: AlarmCategory, sourceId: string, cause: string): AlarmDraft[] {
    const id = this.openBySource.get(AlarmEngine.key(category, sourceId, cause, ev.drill === true));
    const a = id ? this.alarms.get(id) : undefined;
    if (!a || !a.active) return [];
    return [this.update(returnToNormal(a, ev.ts), 'rtn', 'system', ev.ts)];
  }

  /** Drafts caused by a journaled sensor event (alarm updates, camera turns). Never called for alarm events. */
  react(ev: FeedEvent): Draft[] {
    switch (ev.kind) {
      case 'manhole.reading': {
        const w = this.wells.get(ev.wellId);
        if (!w) return [];
        if (ev.level === 'alarm')
          return [this.raiseOrReactivate(ev, 'manhole', ev.wellId, ev.sensor, MANHOLE_PRIORITY[ev.sensor], w, { value: ev.value, unit: ev.unit })];
        return ev.level === 'normal' ? this.rtn(ev, 'manhole', ev.wellId, ev.sensor) : [];
      }
      case 'fire.detector': {
        const d = this.detectors.get(ev.detectorId) ?? { lon: 0, lat: 0 };
        if (!this.detectors.has(ev.detectorId)) return [];
        if (ev.state === 'smoke' || ev.state === 'fire')
          return [
            this.raiseOrReactivate(ev, 'fire', ev.detectorId, 'fire', 1, d, { floor: ev.floor, buildingId: ev.buildingId, value: ev.obscuration, unit: '%/m' }),
          ];
        if (ev.state === 'fault') return [this.raiseOrReactivate(ev, 'fire', ev.detectorId, 'fault', 3, d, { floor: ev.floor, buildingId: ev.buildingId })];
        return [...this.rtn(ev, 'fire', ev.detectorId, 'fire'), ...this.rtn(ev, 'fire', ev.detectorId, 'fault')];
      }
      case 'care.call':
        if (ev.reason === 'cancel') return this.rtn(ev, 'care', ev.deviceId, 'call');
        return [this.raiseOrReactivate(ev, 'care', ev.deviceId, 'call', 1, ev, { buildingId: ev.buildingId }, ev.reason)];
      case 'camera.status': {
        const c = this.cameras.get(ev.cameraId);
        if (!c) return [];
        return ev.online ? this.rtn(ev, 'camera', ev.cameraId, 'offline') : [this.raiseOrReactivate(ev, 'camera', ev.cameraId, 'offline', 3, c)];
      }
      case 'camera.sos': {
        // the cameras that see the post; the nearest PTZ one among them turns to it (a fixed one already looking
        // at it needs no turn, and is on the alarm's list as well)
        const seeing = this.camerasSeeing(ev);
        const turn = camerasCovering(this.e.cameras, ev, { usable: (c) => c.ptz && !this.offlineCameras.has(c.id), max: 1 })[0];
        const out: Draft[] = [];
        let note: string;
        if (turn) {
          // coverage gives the bearing rounded to 0.1° in [0, 360)
          const heading = turn.bearingDeg;
          note = `${turn.id} → ${heading}° (${Math.round(turn.distanceM)} m)`;
          out.push({
            stream: 'camera',
            kind: 'camera.ptz',
            ts: ev.ts,
            cameraId: turn.id,
            heading,
            reason: 'sos',
            targetLon: ev.lon,
            targetLat: ev.lat,
            ...(ev.drill ? { drill: true, ...(ev.drillId ? { drillId: ev.drillId } : {}) } : {}),
          });
          if (!seeing.some((c) => c.id === turn.id)) seeing.unshift({ ...alarmCamera(turn), mode: 'turn' });
        } else note = seeing.length ? `${seeing[0]!.id} (${Math.round(seeing[0]!.distanceM)} m)` : 'no online camera sees this post';
        out.unshift(this.raiseOrReactivate(ev, 'camera', ev.buttonId, 'sos', 1, ev, seeing.length ? { cameras: seeing.slice(0, 4) } : {}, note));
        return out;
      }
      case 'env.reading': {
        const s = this.stations.get(ev.stationId);
        if (!s) return [];
        if (ev.level === 'alarm') return [this.raiseOrReactivate(ev, 'env', ev.stationId, ev.metric, 3, s, { value: ev.value, unit: ev.unit })];
        return ev.level === 'normal' ? this.rtn(ev, 'env', ev.stationId, ev.metric) : [];
      }
      default:
        return [];
    }
  }

  /**
   * A connected source's health (contracts/sources.ts): `bad` raises (or reactivates) the one `feed` alarm of that
   * source and cause ('quiet': no data for its quietAfterMin; 'down': broker connection lost), good returns it to
   * normal. Idempotent: nothing when the alarm is already in that condition.
   */
  sourceHealth(sourceId: string, cause: 'quiet' | 'down', bad: boolean, now: number, at: { lon: number; lat: number }, note: string): AlarmDraft[] {
    const id = this.openBySource.get(AlarmEngine.key('feed', sourceId, cause, false));
    const open = id ? this.alarms.get(id) : undefined;
    if (!bad) return open?.active ? [this.update(returnToNormal(open, now), 'rtn', 'system', now)] : [];
    if (open) return open.active ? [] : [this.update(reactivate(open, now), 'reactivate', 'system', now)];
    const a = raise(
      {
        alarmId: `AL-feed-${sourceId}-${cause}-${now}`,
        category: 'feed',
        sourceId,
        cause,
        priority: 2,
        lon: at.lon,
        lat: at.lat,
        drill: false,
        ...this.sopRef('feed', cause),
      },
      now,
    );
    a.history[0] = { ...a.history[0]!, note: note.slice(0, 500) };
    return [this.update(a, 'raise', 'system', now)];
  }

  /** Whether a source's `feed` alarm of this cause is open and active. */
  sourceAlarmActive(sourceId: string, cause: 'quiet' | 'down'): boolean {
    const id = this.openBySource.get(AlarmEngine.key('feed', sourceId, cause, false));
    return id !== undefined && this.alarms.get(id)?.active === true;
  }

  /** Validates and applies an operator command. A repeated commandId returns the original outcome, no new event. */
  command(raw: unknown, now: number): CommandResult {
    const p = AlarmCommand.safeParse(raw);
    if (!p.success)
      return {
        ok: false,
        error: `bad command: ${p.error.issues
          .slice(0, 2)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      };
    const cmd = p.data;
    const seen = this.commands.get(cmd.commandId);
    if (seen) return { ok: true, draft: null, alarm: this.alarms.get(seen.alarmId)!, duplicateOf: { seq: seen.seq } };
    const a = this.alarms.get(cmd.alarmId);
    if (!a) return { ok: false, error: `unknown alarm ${cmd.alarmId}` };
    const r = applyCommand(a, cmd, now, this.sopOf(a));
    if (!r.ok) return r;
    return { ok: true, draft: this.update(r.alarm, cmd.action, cmd.by, now, cmd.commandId), alarm: r.alarm };
  }

  /** Shelved alarms whose time is up come back. */
  expireShelves(now: number): AlarmDraft[] {
    const out: AlarmDraft[] = [];
    for (const a of this.alarms.values()) {
      const next = expireShelf(a, now);
      if (next) out.push(this.update(next, 'unshelve-expired', 'system', now));
    }
    return out;
  }

  /**
   * Open alarms (not resolved, not closed) whose mandatory SOP steps are past their limit and not yet escalated: one
   * `escalate` update each, naming the steps. Once journaled, the alarm carries them as escalated (observe), so a step
   * escalates once, across restarts and at every node reading the same journal.
   */
  escalateOverdue(now: number, runningDrillId: string | null = null): AlarmDraft[] {
    const out: AlarmDraft[] = [];
    for (const a of this.alarms.values()) {
      // shelved alarms escalate once unshelved; a drill's alarms only while that drill runs
      if (!a.sop || a.state === 'closed' || a.state === 'resolved' || a.state === 'shelved') continue;
      if (a.drill && (!runningDrillId || a.drillId !== runningDrillId)) continue;
      const sop = this.sopOf(a);
      if (!sop) continue;
      const due = dueEscalations(sop, a.sop, a.raisedAt, now);
      if (due.length) out.push(this.update(escalate(a, due, now), 'escalate', 'system', now));
    }
    return out;
  }
}
