/**
 * Runs one drill scenario against the live system: at each step's time it produces the sensor drafts (stamped
 * drill: true + drillId), a drill.status timeline event, and scripted operator commands. Pure apart from the clock
 * passed in; FeedCore journals what it returns.
 */
import type { OperatorAction } from '../contracts/alarm.ts';
import type { Draft, DrillStatus, FeedEvent } from '../contracts/events.ts';
import { SENSOR_SPECS, classifyReading, valueAtLevel, type ManholeSensor } from '../contracts/manhole.ts';
import { stepSource, type Scenario, type ScenarioStep } from '../contracts/scenario.ts';
import type { Entities } from './entities.ts';

export interface DrillCommand {
  source: string;
  action: Extract<OperatorAction, 'acknowledge' | 'dispatch' | 'onsite' | 'resolve' | 'close'>;
  team?: string;
  by: string;
  note?: string;
  /** the step's scheduled time: scripted responses happen exactly when the script says, whatever the tick rate */
  at: number;
}

export interface DrillTick {
  drafts: Draft[];
  commands: DrillCommand[];
}

/** Checks every id in the scenario against the district's devices; returns problems naming the step. */
export function checkScenarioRefs(s: Scenario, e: Entities): string[] {
  const ids = {
    detector: new Set(e.detectors.map((d) => d.id)),
    well: new Set(e.wells.map((w) => w.id)),
    sos: new Set(e.sos.map((x) => x.id)),
    care: new Set(e.care.map((c) => c.id)),
  };
  const raised = new Set<string>();
  const errors: string[] = [];
  s.steps.forEach((st, i) => {
    const src = stepSource(st);
    const bad = (what: string) => errors.push(`steps.${i}: unknown ${what} ${src}`);
    switch (st.do) {
      case 'smoke':
      case 'fire':
      case 'fault':
        if (!ids.detector.has(st.detectorId)) bad('detector');
        else raised.add(st.detectorId);
        break;
      case 'clear':
        if (!ids.detector.has(st.detectorId)) bad('detector');
        break;
      case 'manhole':
        if (!ids.well.has(st.wellId)) bad('well');
        else raised.add(st.wellId);
        break;
      case 'manhole-clear':
        if (!ids.well.has(st.wellId)) bad('well');
        break;
      case 'sos':
        if (!ids.sos.has(st.buttonId)) bad('SOS post');
        else raised.add(st.buttonId);
        break;
      case 'care':
        if (!ids.care.has(st.deviceId)) bad('care device');
        else raised.add(st.deviceId);
        break;
      case 'care-cancel':
        if (!ids.care.has(st.deviceId)) bad('care device');
        break;
      case 'operator':
        if (!raised.has(st.source)) errors.push(`steps.${i}: operator step for ${st.source}, but no earlier step raises an alarm there`);
        break;
      case 'note':
        break;
    }
  });
  return errors;
}

export class DrillRunner {
  private next = 0;
  /** abnormal drill states this run has set and not cleared: cleared when the run ends or is aborted */
  private readonly open = new Map<string, Draft>();
  readonly ends: number;

  constructor(
    private readonly e: Entities,
    readonly scenario: Scenario,
    readonly drillId: string,
    readonly startedAt: number,
  ) {
    this.ends = startedAt + (scenario.steps[scenario.steps.length - 1]?.at ?? 0) * 1000;
  }

  get done(): boolean {
    return this.next >= this.scenario.steps.length;
  }

  status(state: DrillStatus['state'], ts: number, extra: { step?: number; note?: string } = {}): Draft {
    return {
      stream: 'drill',
      kind: 'drill.status',
      ts,
      drill: true,
      drillId: this.drillId,
      name: this.scenario.name,
      state,
      startedAt: this.startedAt,
      ...extra,
    };
  }

  private stamp<D extends Draft>(d: D): D {
    return { ...d, drill: true, drillId: this.drillId };
  }

  private sensorDrafts(st: ScenarioStep, ts: number): Draft[] {
    switch (st.do) {
      case 'smoke':
      case 'fire':
      case 'fault':
      case 'clear': {
        const d = this.e.detectors.find((x) => x.id === st.detectorId)!;
        const state = st.do === 'clear' ? 'normal' : st.do;
        const obscuration = st.do === 'clear' || st.do === 'fault' ? 0 : (('obscuration' in st ? st.obscuration : undefined) ?? (st.do === 'fire' ? 12 : 4.5));
        const draft = this.stamp({
          stream: 'fire',
          kind: 'fire.detector',
          ts,
          detectorId: d.id,
          buildingId: d.buildingId,
          floor: d.floor,
          state,
          obscuration,
        } as Draft);
        if (state === 'normal') this.open.delete(`fire|${d.id}`);
        else this.open.set(`fire|${d.id}`, { ...draft, state: 'normal', obscuration: 0 } as Draft);
        return [draft];
      }
      case 'manhole':
      case 'manhole-clear': {
        const sensor = st.sensor as ManholeSensor;
        const spec = SENSOR_SPECS[sensor];
        const value = st.do === 'manhole' ? (st.value ?? valueAtLevel(sensor, 'alarm', 0.5)) : (spec.normal[0] + spec.normal[1]) / 2;
        const draft = this.stamp({
          stream: 'manhole',
          kind: 'manhole.reading',
          ts,
          wellId: st.wellId,
          sensor,
          value,
          unit: spec.unit,
          level: classifyReading(sensor, value),
        } as Draft);
        const key = `manhole|${st.wellId}|${sensor}`;
        if (st.do === 'manhole') {
          const normal = (spec.normal[0] + spec.normal[1]) / 2;
          this.open.set(key, { ...draft, value: normal, level: classifyReading(sensor, normal) } as Draft);
        } else this.open.delete(key);
        return [draft];
      }
      case 'sos': {
        const b = this.e.sos.find((x) => x.id === st.buttonId)!;
        return [this.stamp({ stream: 'camera', kind: 'camera.sos', ts, buttonId: b.id, lon: b.lon, lat: b.lat } as Draft)];
      }
      case 'care':
      case 'care-cancel': {
        const c = this.e.care.find((x) => x.id === st.deviceId)!;
        const draft = this.stamp({
          stream: 'care',
          kind: 'care.call',
          ts,
          deviceId: c.id,
          buildingId: c.buildingId,
          device: c.device,
          reason: st.do === 'care' ? st.reason : 'cancel',
          lon: c.lon,
          lat: c.lat,
        } as Draft);
        if (st.do === 'care') this.open.set(`care|${c.id}`, { ...draft, reason: 'cancel' } as Draft);
        else this.open.delete(`care|${c.id}`);
        return [draft];
      }
      default:
        return [];
    }
  }

  /** Everything due at `now` (steps whose time has come, in order), plus 'ended' after the last step. */
  tick(now: number): DrillTick {
    const out: DrillTick = { drafts: [], commands: [] };
    while (this.next < this.scenario.steps.length) {
      const i = this.next;
      const st = this.scenario.steps[i]!;
      const ts = this.startedAt + st.at * 1000;
      if (ts > now) break;
      this.next++;
      const what = st.do === 'operator' ? `${st.action} ${st.source}` : st.do === 'note' ? '' : `${st.do} ${stepSource(st)}`;
      out.drafts.push(this.status('step', ts, { step: i, note: [what, st.note].filter(Boolean).join(' — ').slice(0, 300) || st.do }));
      out.drafts.push(...this.sensorDrafts(st, ts));
      if (st.do === 'operator')
        out.commands.push({
          at: ts,
          source: st.source,
          action: st.action,
          by: st.by ?? '演练脚本',
          ...(st.team ? { team: st.team } : {}),
          ...(st.note ? { note: st.note } : {}),
        });
      if (this.done) out.drafts.push(...this.clearOpen(ts), this.status('ended', ts, { note: 'scenario complete' }));
    }
    return out;
  }

  /** Stops the run now: clears every drill state it left abnormal and records why. */
  abort(now: number, why: string): Draft[] {
    this.next = this.scenario.steps.length;
    return [...this.clearOpen(now), this.status('aborted', now, { note: why.slice(0, 300) })];
  }

  /** Drafts returning every still-abnormal drill state to normal (a finished drill leaves no smoke behind). */
  clearOpen(now: number): Draft[] {
    const out = [...this.open.values()].map((d) => ({ ...d, ts: now }) as Draft);
    this.open.clear();
    return out;
  }
}

/**
 * After a feed restart a drill that was running is gone with the process: report it aborted and return its
 * abnormal device states (from the compacted world) to normal, so no drill smoke stays on the map forever.
 */
export function orphanedDrillCleanup(state: FeedEvent[], running: ReadonlySet<string>, now: number): Draft[] {
  const out: Draft[] = [];
  const orphans = new Map<string, { name: string; startedAt: number }>();
  for (const ev of state)
    if (ev.kind === 'drill.status' && (ev.state === 'started' || ev.state === 'step') && !running.has(ev.drillId))
      orphans.set(ev.drillId, { name: ev.name, startedAt: ev.startedAt });
  for (const ev of state) {
    if (!ev.drill || !ev.drillId || !orphans.has(ev.drillId)) continue;
    const tag = { drill: true as const, drillId: ev.drillId, ts: now };
    if (ev.kind === 'fire.detector' && ev.state !== 'normal')
      out.push({
        stream: 'fire',
        kind: 'fire.detector',
        detectorId: ev.detectorId,
        buildingId: ev.buildingId,
        floor: ev.floor,
        state: 'normal',
        obscuration: 0,
        ...tag,
      });
    else if (ev.kind === 'manhole.reading' && ev.level !== 'normal') {
      const spec = SENSOR_SPECS[ev.sensor];
      const v = (spec.normal[0] + spec.normal[1]) / 2;
      out.push({
        stream: 'manhole',
        kind: 'manhole.reading',
        wellId: ev.wellId,
        sensor: ev.sensor,
        value: v,
        unit: spec.unit,
        level: classifyReading(ev.sensor, v),
        ...tag,
      });
    } else if (ev.kind === 'care.call' && ev.reason !== 'cancel')
      out.push({
        stream: 'care',
        kind: 'care.call',
        deviceId: ev.deviceId,
        buildingId: ev.buildingId,
        device: ev.device,
        reason: 'cancel',
        lon: ev.lon,
        lat: ev.lat,
        ...tag,
      });
  }
  for (const [drillId, o] of orphans)
    out.push({
      stream: 'drill',
      kind: 'drill.status',
      ts: now,
      drill: true,
      drillId,
      name: o.name,
      state: 'aborted',
      startedAt: o.startedAt,
      note: 'feed server restarted during the drill',
    });
  return out;
}
