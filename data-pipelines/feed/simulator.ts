/**
 * Manhole sensor simulator. Deterministic for a given seed and sequence of tick()/inject() calls, so tests can assert
 * exact outcomes. Emits contract-shaped events; the server validates them again before they leave the process.
 */
import { classifyReading, MANHOLE_SENSORS, SENSOR_SPECS, type ManholeSensor } from '../contracts/manhole.ts';
import type { FeedEvent, ManholeReading, Snapshot, WellState } from '../contracts/events.ts';
import { rng } from '../etl/district.ts';

export interface SimWell {
  wellId: string;
  kind: string;
}

interface Incident {
  wellId: string;
  sensor: ManholeSensor;
  peak: number;
  startedAt: number;
  rampMs: number;
  holdUntil: number;
  decayMs: number;
}

export interface SimulatorOptions {
  seed?: number;
  epoch: string;
  /** mean interval between routine reports of one well */
  reportIntervalMs?: number;
  /** mean interval between spontaneous incidents across the district (0 = none) */
  incidentEveryMs?: number;
}

/** Normal operating value of each sensor: small noise well below the warning threshold. */
function normalValue(sensor: ManholeSensor, u: number): number {
  switch (sensor) {
    case 'cover':
      return Math.round(u * 3 * 10) / 10; // 0–3 mm
    case 'level':
      return Math.round((10 + u * 30) * 10) / 10; // 10–40 % of depth
    case 'gas':
      return Math.round(u * 4 * 10) / 10; // 0–4 %LEL
  }
}

export class ManholeSimulator {
  readonly epoch: string;
  private seq = 0;
  private readonly rand: () => number;
  private readonly wells: SimWell[];
  private readonly wellIds: Set<string>;
  private readonly reportIntervalMs: number;
  private readonly incidentEveryMs: number;
  private readonly state = new Map<string, WellState>();
  private readonly incidents = new Map<string, Incident>();
  private lastTick: number | null = null;

  constructor(wells: SimWell[], opts: SimulatorOptions) {
    if (wells.length === 0) throw new Error('simulator needs at least one well');
    this.wells = wells;
    this.wellIds = new Set(wells.map((w) => w.wellId));
    this.epoch = opts.epoch;
    this.rand = rng(opts.seed ?? 1);
    this.reportIntervalMs = opts.reportIntervalMs ?? 60_000;
    this.incidentEveryMs = opts.incidentEveryMs ?? 45_000;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get wellCount(): number {
    return this.wells.length;
  }

  hasWell(id: string): boolean {
    return this.wellIds.has(id);
  }

  private reading(wellId: string, sensor: ManholeSensor, value: number, ts: number): ManholeReading {
    const seq = ++this.seq;
    const level = classifyReading(sensor, value);
    const ev: ManholeReading = {
      stream: 'manhole',
      seq,
      epoch: this.epoch,
      ts,
      id: `${this.epoch}:manhole:${seq}`,
      kind: 'manhole.reading',
      wellId,
      sensor,
      value,
      unit: SENSOR_SPECS[sensor].unit,
      level,
    };
    // Keep the snapshot state: a well is listed while any sensor is non-normal; the latest non-normal reading wins.
    if (level === 'normal') {
      const cur = this.state.get(wellId);
      if (cur && cur.sensor === sensor) this.state.delete(wellId);
    } else {
      this.state.set(wellId, { wellId, sensor, value, unit: ev.unit, level, ts });
    }
    return ev;
  }

  private incidentValue(inc: Incident, now: number): number {
    const t = now - inc.startedAt;
    const base = normalValue(inc.sensor, 0.5);
    if (t < inc.rampMs) return base + ((inc.peak - base) * t) / inc.rampMs;
    if (now < inc.holdUntil) return inc.peak;
    const d = (now - inc.holdUntil) / inc.decayMs;
    return d >= 1 ? base : inc.peak - (inc.peak - base) * d;
  }

  /** Starts an incident that reaches alarm level immediately (operator drill / test injection). */
  inject(now: number, wellId?: string, sensor?: ManholeSensor, holdMs = 120_000): ManholeReading {
    const id = wellId ?? this.wells[Math.floor(this.rand() * this.wells.length)]!.wellId;
    if (!this.wellIds.has(id)) throw new Error(`unknown well ${id}`);
    const s = sensor ?? MANHOLE_SENSORS[Math.floor(this.rand() * MANHOLE_SENSORS.length)]!;
    const spec = SENSOR_SPECS[s];
    const peak = Math.min(spec.max, Math.round(spec.alarm * (1.2 + this.rand() * 0.6) * 10) / 10);
    this.incidents.set(id, { wellId: id, sensor: s, peak, startedAt: now, rampMs: 0, holdUntil: now + holdMs, decayMs: 20_000 });
    return this.reading(id, s, peak, now);
  }

  /** Advances the simulation to `now` and returns the readings reported since the last tick. */
  tick(now: number): FeedEvent[] {
    const dt = this.lastTick === null ? 0 : Math.max(0, Math.min(now - this.lastTick, 10_000));
    this.lastTick = now;
    const out: FeedEvent[] = [];
    // Routine reports: Poisson-ish count with the configured mean interval per well.
    const expected = (this.wells.length * dt) / this.reportIntervalMs;
    let n = Math.floor(expected) + (this.rand() < expected % 1 ? 1 : 0);
    while (n-- > 0) {
      const w = this.wells[Math.floor(this.rand() * this.wells.length)]!;
      if (this.incidents.has(w.wellId)) continue;
      const sensor = MANHOLE_SENSORS[Math.floor(this.rand() * MANHOLE_SENSORS.length)]!;
      out.push(this.reading(w.wellId, sensor, normalValue(sensor, this.rand()), now));
    }
    // Spontaneous incidents.
    if (this.incidentEveryMs > 0 && this.rand() < dt / this.incidentEveryMs) {
      const w = this.wells[Math.floor(this.rand() * this.wells.length)]!;
      if (!this.incidents.has(w.wellId)) {
        const sensor = MANHOLE_SENSORS[Math.floor(this.rand() * MANHOLE_SENSORS.length)]!;
        const spec = SENSOR_SPECS[sensor];
        // Some incidents only reach warning; most become alarms.
        const peak = Math.min(spec.max, Math.round((this.rand() < 0.3 ? (spec.warning + spec.alarm) / 2 : spec.alarm * (1.1 + this.rand() * 0.8)) * 10) / 10);
        this.incidents.set(w.wellId, {
          wellId: w.wellId,
          sensor,
          peak,
          startedAt: now,
          rampMs: 4_000 + this.rand() * 8_000,
          holdUntil: now + 30_000 + this.rand() * 60_000,
          decayMs: 15_000,
        });
      }
    }
    // Incidents report every tick while they evolve (only when the value changed enough to matter).
    for (const inc of [...this.incidents.values()]) {
      const v = Math.round(this.incidentValue(inc, now) * 10) / 10;
      const prev = this.state.get(inc.wellId);
      const level = classifyReading(inc.sensor, v);
      if (!prev || prev.level !== level || Math.abs(prev.value - v) >= 0.5) out.push(this.reading(inc.wellId, inc.sensor, v, now));
      if (level === 'normal' && now >= inc.holdUntil) this.incidents.delete(inc.wellId);
    }
    return out;
  }

  snapshot(now: number): Snapshot {
    return { stream: 'manhole', epoch: this.epoch, seq: this.seq, ts: now, wells: [...this.state.values()] };
  }
}
