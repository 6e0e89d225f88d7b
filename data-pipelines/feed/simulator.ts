/**
 * District simulator: realistic-scale sensor traffic for every stream, deterministic for a seed and a sequence of
 * tick()/inject() calls. Produces drafts (no seq/epoch/id): the journal stamps them.
 *
 * Rates (defaults) follow how the real devices behave: NB-IoT manhole covers report on a slow heartbeat and at once
 * on an alarm; parking follows the real Wangfujing diurnal crowd curve; detectors and care devices are silent until
 * something happens.
 */
import type { Draft } from '../contracts/events.ts';
import type { FeedEvent } from '../contracts/events.ts';
import { classifyReading, SENSOR_SPECS, SENSORS_BY_WELL_KIND, valueAtLevel, type ManholeSensor } from '../contracts/manhole.ts';
import { rng } from '../shared/rng.ts';
import type { Entities } from './entities.ts';
import type { DeskOptions } from './requests.ts';

export interface SimulatorOptions {
  seed?: number;
  /** mean interval between routine reports of one manhole cover */
  wellReportMs?: number;
  /** mean interval between spontaneous incidents across the district for each incident type (0 = none) */
  incidentEveryMs?: number;
  /** parking sensor picks per second across the district (about a third change a state): roadside detectors report on
   * arrival/departure and lot systems every few minutes, so a few per second is already generous for 5,000 places */
  parkingRate?: number;
  envReportMs?: number;
  /**
   * History to synthesize into a fresh journal (one with no parking events yet), ending now: planners get a day of
   * occupancy at once instead of after a day of running. 0 = none. Never applied to a journal with parking history.
   */
  backfillMs?: number;
  /** spacing of the synthesized history's samples */
  backfillStepMs?: number;
  /** the citizen-request desk's simulated world: hotline arrivals, departments, a fresh journal's history */
  requests?: DeskOptions;
}

interface WellIncident {
  wellId: string;
  sensor: ManholeSensor;
  peak: number;
  startedAt: number;
  rampMs: number;
  holdUntil: number;
  decayMs: number;
  last: number;
}

type Timed = { until: number };

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

export class DistrictSimulator {
  private readonly rand: () => number;
  private readonly wellIncidents = new Map<string, WellIncident>();
  private readonly wellIndex: Map<string, Entities['wells'][number]>;
  private readonly offlineCams = new Map<string, Timed>();
  private readonly occupied = new Map<string, number>();
  private readonly fireIncidents = new Map<string, { buildingId: number; floor: number; state: 'smoke' | 'fire'; until: number }>();
  private readonly careOpen = new Map<string, { until: number; buildingId: number }>();
  readonly opts: Readonly<Required<SimulatorOptions>>;
  private lastTick: number | null = null;
  private envCursor = 0;
  private parkingPublished = false;

  constructor(
    private readonly e: Entities,
    opts: SimulatorOptions = {},
  ) {
    if (!e.wells.length) throw new Error('simulator needs at least one well');
    this.opts = {
      seed: 1,
      wellReportMs: 15 * 60_000,
      incidentEveryMs: 60_000,
      parkingRate: 6,
      envReportMs: 60_000,
      backfillMs: 0,
      backfillStepMs: 3_600_000,
      requests: {},
      ...opts,
    };
    this.rand = rng(this.opts.seed);
    this.wellIndex = new Map(e.wells.map((w) => [w.id, w]));
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  private chance(dtMs: number, everyMs: number): boolean {
    return everyMs > 0 && this.rand() < dtMs / everyMs;
  }

  /** Poisson-ish count with mean `expected`. */
  private count(expected: number): number {
    return Math.floor(expected) + (this.rand() < expected % 1 ? 1 : 0);
  }

  private sensorsOf(wellId: string): ManholeSensor[] {
    return SENSORS_BY_WELL_KIND[this.wellIndex.get(wellId)?.kind ?? 'sewer'] ?? ['cover'];
  }

  private normal(sensor: ManholeSensor): number {
    const [a, b] = SENSOR_SPECS[sensor].normal;
    return round(a + (b - a) * this.rand(), 2);
  }

  private reading(wellId: string, sensor: ManholeSensor, value: number, ts: number): Draft {
    return { stream: 'manhole', kind: 'manhole.reading', ts, wellId, sensor, value, unit: SENSOR_SPECS[sensor].unit, level: classifyReading(sensor, value) };
  }

  /** Diurnal demand in [0, 1] from the real crowd curve. */
  private diurnal(ts: number): number {
    const d = new Date(ts + 8 * 3600_000); // Beijing time
    const slot = d.getUTCHours() * 2 + (d.getUTCMinutes() >= 30 ? 1 : 0);
    return this.e.diurnal[slot] ?? 0.5;
  }

  /**
   * Occupancy the place drifts toward at `ts`, in [0.05, 0.98]: offices and roadside spots fill by day, residential
   * compounds by night. The one target model for live ticks and the backfill, so history and live cannot drift apart.
   */
  private parkingTarget(place: Entities['parking'][number], ts: number): number {
    const demand = this.diurnal(ts);
    const dayUse = place.kind === 'spot' || place.ref.startsWith('B');
    return Math.min(0.98, Math.max(0.05, dayUse ? 0.25 + 0.7 * demand : 0.95 - 0.55 * demand));
  }

  /**
   * After a restart the journal still holds abnormal states whose simulated incidents were lost with the process:
   * schedule each to clear, so nothing stays abnormal forever because the simulator forgot it.
   */
  resume(state: FeedEvent[], now: number): void {
    for (const ev of state) {
      if (ev.kind === 'manhole.reading' && ev.level !== 'normal')
        this.wellIncidents.set(`${ev.wellId}|${ev.sensor}`, {
          wellId: ev.wellId,
          sensor: ev.sensor,
          peak: ev.value,
          startedAt: now - 1,
          rampMs: 0,
          holdUntil: now + 30_000,
          decayMs: 15_000,
          last: ev.value,
        });
      else if (ev.kind === 'fire.detector' && ev.state !== 'normal')
        this.fireIncidents.set(ev.detectorId, { buildingId: ev.buildingId, floor: ev.floor, state: 'smoke', until: now + 60_000 });
      else if (ev.kind === 'care.call' && ev.reason !== 'cancel') this.careOpen.set(ev.deviceId, { until: now + 120_000, buildingId: ev.buildingId });
      else if (ev.kind === 'camera.status' && !ev.online) this.offlineCams.set(ev.cameraId, { until: now + 120_000 });
      else if (ev.kind === 'parking.occupancy') this.occupied.set(ev.placeId, ev.occupied);
    }
  }

  // ---- injection (drills, tests, operator demo) -------------------------------------------------------------------

  injectManhole(now: number, wellId?: string, sensor?: ManholeSensor, holdMs = 120_000): Draft[] {
    const id = wellId ?? this.pick(this.e.wells).id;
    if (!this.wellIndex.has(id)) throw new Error(`unknown well ${id}`);
    const sensors = this.sensorsOf(id);
    const s = sensor ?? this.pick(sensors.filter((x) => x !== 'battery'));
    const peak = valueAtLevel(s, 'alarm', this.rand());
    this.wellIncidents.set(`${id}|${s}`, { wellId: id, sensor: s, peak, startedAt: now, rampMs: 0, holdUntil: now + holdMs, decayMs: 20_000, last: peak });
    return [this.reading(id, s, peak, now)];
  }

  injectFire(now: number, detectorId?: string, state: 'smoke' | 'fire' = 'smoke', holdMs = 300_000): Draft[] {
    const d = detectorId ? this.e.detectors.find((x) => x.id === detectorId) : this.pick(this.e.detectors);
    if (!d) throw new Error(`unknown detector ${detectorId}`);
    this.fireIncidents.set(d.id, { buildingId: d.buildingId, floor: d.floor, state, until: now + holdMs });
    return [
      {
        stream: 'fire',
        kind: 'fire.detector',
        ts: now,
        detectorId: d.id,
        buildingId: d.buildingId,
        floor: d.floor,
        state,
        obscuration: state === 'fire' ? 12 : round(3 + this.rand() * 4),
      },
    ];
  }

  injectCare(now: number, deviceId?: string, reason: 'sos' | 'fall' | 'inactivity' = 'sos', holdMs = 300_000): Draft[] {
    const d = deviceId ? this.e.care.find((x) => x.id === deviceId) : this.pick(this.e.care);
    if (!d) throw new Error(`unknown care device ${deviceId}`);
    this.careOpen.set(d.id, { until: now + holdMs, buildingId: d.buildingId });
    return [{ stream: 'care', kind: 'care.call', ts: now, deviceId: d.id, buildingId: d.buildingId, device: d.device, reason, lon: d.lon, lat: d.lat }];
  }

  injectSos(now: number, buttonId?: string): Draft[] {
    const b = buttonId ? this.e.sos.find((x) => x.id === buttonId) : this.pick(this.e.sos);
    if (!b) throw new Error(`unknown SOS post ${buttonId}`);
    return [{ stream: 'camera', kind: 'camera.sos', ts: now, buttonId: b.id, lon: b.lon, lat: b.lat }];
  }

  injectCameraOffline(now: number, cameraId?: string, holdMs = 600_000): Draft[] {
    const c = cameraId ? this.e.cameras.find((x) => x.id === cameraId) : this.pick(this.e.cameras);
    if (!c) throw new Error(`unknown camera ${cameraId}`);
    this.offlineCams.set(c.id, { until: now + holdMs });
    return [{ stream: 'camera', kind: 'camera.status', ts: now, cameraId: c.id, online: false }];
  }

  // ---- history -------------------------------------------------------------------------------------------------

  /**
   * Synthetic past occupancy for a fresh journal: every parking place at each step boundary from, from + stepMs, …
   * < to, from the live tick's target model. Steps are hours apart, long enough for the live drift to have converged,
   * so a lot is drawn afresh near capacity x target each step (one event per lot per step, like a lot counter's
   * periodic report); a roadside spot is Bernoulli(target) and reports only when it changes (plus its first step), as
   * a bay sensor does. Drafts come in ts order. Afterwards the simulator holds the final states, so the first live
   * tick carries on from them instead of publishing every place again. Meant for a journal with no parking history.
   */
  backfillParking(from: number, to: number, stepMs: number): Draft[] {
    if (!Number.isFinite(from) || !Number.isFinite(to) || !Number.isFinite(stepMs) || stepMs <= 0)
      throw new Error(`bad backfill window ${from}..${to} step ${stepMs}`);
    const out: Draft[] = [];
    const state = new Map<string, number>();
    for (let ts = from; ts < to; ts += stepMs) {
      for (const place of this.e.parking) {
        const target = this.parkingTarget(place, ts);
        let occ: number;
        if (place.capacity === 1) {
          occ = this.rand() < target ? 1 : 0;
          if (state.get(place.id) === occ) continue;
        } else occ = Math.max(0, Math.min(place.capacity, Math.round(place.capacity * target + (this.rand() - 0.5) * place.capacity * 0.04)));
        state.set(place.id, occ);
        out.push({ stream: 'parking', kind: 'parking.occupancy', ts, placeId: place.id, occupied: occ, capacity: place.capacity });
      }
    }
    for (const [id, occ] of state) this.occupied.set(id, occ);
    // Every place has reported (at least one step ran): the live first-tick publication would only repeat the history.
    if (state.size === this.e.parking.length) this.parkingPublished = true;
    return out;
  }

  // ---- the clock ---------------------------------------------------------------------------------------------------

  tick(now: number): Draft[] {
    const dt = this.lastTick === null ? 0 : Math.max(0, Math.min(now - this.lastTick, 10_000));
    this.lastTick = now;
    const out: Draft[] = [];
    const every = this.opts.incidentEveryMs;

    // Manholes: heartbeat reports of a random fitted sensor; spontaneous incidents that ramp, hold and clear.
    let n = this.count((this.e.wells.length * dt) / this.opts.wellReportMs);
    while (n-- > 0) {
      const w = this.pick(this.e.wells);
      const s = this.pick(this.sensorsOf(w.id));
      if (this.wellIncidents.has(`${w.id}|${s}`)) continue;
      out.push(this.reading(w.id, s, this.normal(s), now));
    }
    if (this.chance(dt, every)) {
      const w = this.pick(this.e.wells);
      const s = this.pick(this.sensorsOf(w.id).filter((x) => x !== 'battery'));
      const key = `${w.id}|${s}`;
      if (!this.wellIncidents.has(key)) {
        const peak = valueAtLevel(s, this.rand() < 0.3 ? 'warning' : 'alarm', this.rand());
        this.wellIncidents.set(key, {
          wellId: w.id,
          sensor: s,
          peak,
          startedAt: now,
          rampMs: 4_000 + this.rand() * 8_000,
          holdUntil: now + 30_000 + this.rand() * 90_000,
          decayMs: 15_000,
          last: Number.NaN,
        });
      }
    }
    for (const [key, inc] of this.wellIncidents) {
      const base = (SENSOR_SPECS[inc.sensor].normal[0] + SENSOR_SPECS[inc.sensor].normal[1]) / 2;
      const t = now - inc.startedAt;
      let v: number;
      if (t < inc.rampMs) v = base + ((inc.peak - base) * t) / inc.rampMs;
      else if (now < inc.holdUntil) v = inc.peak;
      else v = inc.peak - (inc.peak - base) * Math.min(1, (now - inc.holdUntil) / inc.decayMs);
      v = inc.sensor === 'flood' ? (now < inc.holdUntil ? 1 : 0) : round(v, 2);
      const level = classifyReading(inc.sensor, v);
      const prevLevel = Number.isNaN(inc.last) ? 'normal' : classifyReading(inc.sensor, inc.last);
      if (level !== prevLevel || Math.abs(v - (Number.isNaN(inc.last) ? base : inc.last)) >= Math.max(0.5, Math.abs(inc.peak - base) / 8)) {
        out.push(this.reading(inc.wellId, inc.sensor, v, now));
        inc.last = v;
      }
      if (level === 'normal' && now >= inc.holdUntil + inc.decayMs) {
        if (inc.last !== v) out.push(this.reading(inc.wellId, inc.sensor, v, now));
        this.wellIncidents.delete(key);
      }
    }

    // Cameras: rare outages that recover.
    if (this.chance(dt, every * 4)) out.push(...this.injectCameraOffline(now, undefined, 60_000 + this.rand() * 600_000));
    for (const [id, o] of this.offlineCams)
      if (now >= o.until) {
        this.offlineCams.delete(id);
        out.push({ stream: 'camera', kind: 'camera.status', ts: now, cameraId: id, online: true });
      }
    if (this.chance(dt, every * 20)) out.push(...this.injectSos(now));

    // Parking: occupancy drifts toward a diurnal target (offices by day, residential compounds by night).
    if (!this.parkingPublished) {
      // First tick (fresh journal): every place reports once, so the map starts complete.
      this.parkingPublished = true;
      for (const place of this.e.parking) {
        if (this.occupied.has(place.id)) continue;
        const target = this.parkingTarget(place, now);
        const occ = place.capacity === 1 ? (this.rand() < target ? 1 : 0) : Math.round(place.capacity * target);
        this.occupied.set(place.id, occ);
        out.push({ stream: 'parking', kind: 'parking.occupancy', ts: now, placeId: place.id, occupied: occ, capacity: place.capacity });
      }
    }
    let p = this.count((this.opts.parkingRate * dt) / 1000);
    while (p-- > 0) {
      const place = this.pick(this.e.parking);
      const target = this.parkingTarget(place, now);
      const cur = this.occupied.get(place.id) ?? Math.round(place.capacity * target);
      let next: number;
      if (place.capacity === 1) next = this.rand() < target ? 1 : 0;
      else next = Math.max(0, Math.min(place.capacity, Math.round(cur + (place.capacity * target - cur) * 0.3 + (this.rand() - 0.5) * place.capacity * 0.04)));
      if (next === cur && this.occupied.has(place.id)) continue;
      this.occupied.set(place.id, next);
      out.push({ stream: 'parking', kind: 'parking.occupancy', ts: now, placeId: place.id, occupied: next, capacity: place.capacity });
    }

    // Fire detectors: occasional faults; rare smoke (most clear within a minute: cooking, dust).
    if (this.chance(dt, every * 3)) {
      const d = this.pick(this.e.detectors);
      out.push({ stream: 'fire', kind: 'fire.detector', ts: now, detectorId: d.id, buildingId: d.buildingId, floor: d.floor, state: 'fault', obscuration: 0 });
      this.fireIncidents.set(d.id, { buildingId: d.buildingId, floor: d.floor, state: 'smoke', until: now + 120_000 });
    }
    if (this.chance(dt, every * 10)) out.push(...this.injectFire(now, undefined, 'smoke', 30_000 + this.rand() * 60_000));
    for (const [id, f] of this.fireIncidents)
      if (now >= f.until) {
        this.fireIncidents.delete(id);
        out.push({ stream: 'fire', kind: 'fire.detector', ts: now, detectorId: id, buildingId: f.buildingId, floor: f.floor, state: 'normal', obscuration: 0 });
      }

    // Care calls: a few an hour; closed by the carer after a few minutes.
    if (this.chance(dt, every * 3))
      out.push(...this.injectCare(now, undefined, this.pick(['sos', 'fall', 'inactivity'] as const), 120_000 + this.rand() * 240_000));
    for (const [id, c] of this.careOpen)
      if (now >= c.until) {
        this.careOpen.delete(id);
        const d = this.e.care.find((x) => x.id === id)!;
        out.push({
          stream: 'care',
          kind: 'care.call',
          ts: now,
          deviceId: id,
          buildingId: c.buildingId,
          device: d.device,
          reason: 'cancel',
          lon: d.lon,
          lat: d.lat,
        });
      }

    // Environment: each station reports its metrics every envReportMs, round robin; air and noise follow the crowd curve.
    const demand = this.diurnal(now);
    let k = this.count((this.e.stations.length * dt) / this.opts.envReportMs);
    while (k-- > 0) {
      const s = this.e.stations[this.envCursor++ % this.e.stations.length]!;
      out.push(...this.envReadings(s, now, demand));
    }
    return out;
  }

  private envReadings(s: Entities['stations'][number], now: number, demand: number): Draft[] {
    const mk = (
      metric: 'aqi' | 'pm25' | 'noise' | 'water_ph',
      value: number,
      unit: 'index' | 'ug/m3' | 'dB(A)' | 'pH',
      warn: (v: number) => boolean,
      alarm: (v: number) => boolean,
    ): Draft => ({
      stream: 'env',
      kind: 'env.reading',
      ts: now,
      stationId: s.id,
      metric,
      value,
      unit,
      level: alarm(value) ? 'alarm' : warn(value) ? 'warning' : 'normal',
    });
    if (s.kind === 'air') {
      const pm = round(25 + 60 * demand + this.rand() * 20);
      return [
        mk(
          'pm25',
          pm,
          'ug/m3',
          (v) => v > 75,
          (v) => v > 150,
        ),
        mk(
          'aqi',
          Math.round(pm * 1.4),
          'index',
          (v) => v > 100,
          (v) => v > 200,
        ),
      ];
    }
    if (s.kind === 'noise')
      return [
        mk(
          'noise',
          round(48 + 20 * demand + this.rand() * 6),
          'dB(A)',
          (v) => v > 70,
          (v) => v > 80,
        ),
      ];
    return [
      mk(
        'water_ph',
        round(7.1 + (this.rand() - 0.5) * 0.6, 2),
        'pH',
        (v) => v < 6.5 || v > 8.5,
        (v) => v < 6 || v > 9,
      ),
    ];
  }
}
