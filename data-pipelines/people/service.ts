/**
 * The people service (feed server side): holds the synthetic population in memory, answers with masked rows and
 * aggregates, unmasks one record for a role that may see it and a stated reason, and audits every list, view and
 * unmask attempt to an append-only JSONL file next to the journal. The renderer has no other way to a person's data:
 * the population is not in the data package, not in DuckDB-Wasm, not on the socket.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ageOn, generatePopulation, gridStaffName, populationBatches, type HomeSource, type Resident } from './population.ts';
import type { FullResident, GridDensity, InsideAnswer, InsideCounts, MaskedResident, TurningRow } from '../contracts/people.ts';
import {
  birthdayAt,
  daysBetween,
  eligibleBenefits,
  maskIdNumber,
  maskName,
  maskPhone,
  mayListVulnerable,
  mayReadAudit,
  mayUnmask,
  type User,
} from './policy.ts';

export type { FullResident, MaskedResident } from '../contracts/people.ts';

export interface AuditEntry {
  ts: number;
  user: string;
  role: string;
  action: 'list' | 'view' | 'unmask';
  outcome: 'ok' | 'denied' | 'not-found' | 'bad-request';
  residentId?: string;
  reason?: string;
  /** list queries: what was asked and how many rows went out (masked) */
  query?: string;
  rows?: number;
}

export type PeopleResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 403 | 404; error: string };

/** Calendar date in Beijing time (UTC+8, no DST) of a timestamp. */
export function beijingDate(ts: number): string {
  return new Date(ts + 8 * 3600_000).toISOString().slice(0, 10);
}

/** The longest stretch the population's generation runs before it lets other work in (ms). */
const GENERATION_SLICE_MS = 8;

export class PeopleService {
  private pop: Resident[] | null = null;
  private byId = new Map<string, Resident>();

  constructor(
    private readonly homes: () => HomeSource[],
    private readonly opts: {
      auditPath: string;
      now?: () => number;
      seed?: number;
      devices?: () => ReadonlyArray<{ id: string; buildingId: number }>;
      staffOf?: (gridId: string) => string;
    },
  ) {
    mkdirSync(dirname(opts.auditPath), { recursive: true });
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  today(): string {
    return beijingDate(this.now());
  }

  /** Generated on first use, synchronously (tests, tools). The server awaits ready() instead. */
  population(): readonly Resident[] {
    if (!this.pop) this.setPopulation(generatePopulation(this.homes(), this.today(), this.opts.seed));
    return this.pop!;
  }

  private setPopulation(pop: Resident[]): void {
    this.pop = pop;
    this.byId = new Map(pop.map((r) => [r.residentId, r]));
    this.holders = null;
  }

  private holders: Map<string, Resident> | null = null;
  /**
   * The care-device register (who was given which wearable or home button): each device of the district goes to one
   * resident of its building — the elders living alone first, then the oldest — never two devices to one person.
   * Deterministic for a population (the register is synthetic like the people).
   */
  private deviceRegister(): Map<string, Resident> {
    if (this.holders) return this.holders;
    const today = this.today();
    const inBuilding = new Map<number, Resident[]>();
    for (const r of this.population()) {
      const list = inBuilding.get(r.buildingId);
      if (list) list.push(r);
      else inBuilding.set(r.buildingId, [r]);
    }
    const taken = new Set<string>();
    const out = new Map<string, Resident>();
    for (const d of [...(this.opts.devices?.() ?? [])].sort((a, b) => a.id.localeCompare(b.id))) {
      const cands = (inBuilding.get(d.buildingId) ?? []).filter((r) => !taken.has(r.residentId) && ageOn(r.birth, today) >= 60);
      cands.sort((a, b) => Number(b.livingAlone) - Number(a.livingAlone) || a.birth.localeCompare(b.birth) || a.residentId.localeCompare(b.residentId));
      const who = cands[0];
      if (!who) continue;
      taken.add(who.residentId);
      out.set(d.id, who);
    }
    return (this.holders = out);
  }

  /** The holder of a care device, masked; audited as a view of that person (null: no elder registered to it). */
  holder(user: User, deviceId: string): PeopleResult<MaskedResident | null> {
    const r = this.deviceRegister().get(deviceId) ?? null;
    this.audit({
      user: user.name,
      role: user.role,
      action: 'view',
      outcome: r ? 'ok' : 'not-found',
      ...(r ? { residentId: r.residentId } : {}),
      query: `care device ${deviceId}`,
    });
    return { ok: true, value: r ? this.masked(r, this.today()) : null };
  }

  private generating: Promise<void> | null = null;
  /**
   * Generates the population (about a quarter of a million people, ~1.5 s) in slices between other work: the feed's
   * ticks, alarms and sockets go on meanwhile. Idempotent; the same people as population(). A failure is not kept.
   */
  ready(): Promise<void> {
    if (this.pop) return Promise.resolve();
    this.generating ??= (async () => {
      const out: Resident[] = [];
      let slice = performance.now();
      for (const batch of populationBatches(this.homes(), this.today(), this.opts.seed)) {
        out.push(...batch);
        // slices of a few milliseconds: a socket, a tick or a signal handler never waits long for the next turn
        if (performance.now() - slice >= GENERATION_SLICE_MS) {
          await new Promise<void>((r) => setImmediate(r));
          slice = performance.now();
        }
      }
      if (!this.pop) this.setPopulation(out);
    })().catch((e: unknown) => {
      // (a failed generation is not kept: the next request tries again)
      this.generating = null;
      throw e;
    });
    return this.generating;
  }

  private audit(e: Omit<AuditEntry, 'ts'>): void {
    // synchronous append: the record is on disk before the answer leaves
    appendFileSync(this.opts.auditPath, `${JSON.stringify({ ts: this.now(), ...e })}\n`);
  }

  private masked(r: Resident, today: string): MaskedResident {
    return {
      residentId: r.residentId,
      householdId: r.householdId,
      name: maskName(r.name),
      idNumber: maskIdNumber(r.idNumber),
      phone: maskPhone(r.phone),
      gender: r.gender,
      age: ageOn(r.birth, today),
      birthday: r.birth.slice(5),
      buildingId: r.buildingId,
      ...(r.floor !== undefined ? { floor: r.floor } : {}),
      gridId: r.gridId,
      lon: r.lon,
      lat: r.lat,
      livingAlone: r.livingAlone,
      disabled: r.disability > 0,
      lowIncome: r.lowIncome,
      benefits: eligibleBenefits(r, today),
      masked: true,
    };
  }

  /** Residents who turn `age` within the next `days` days (today included), soonest first; masked; audited. */
  turning(user: User, q: { age: number; days: number; grid?: string }): PeopleResult<{ today: string; rows: TurningRow[] }> {
    const query = `turning age=${q.age} days=${q.days}${q.grid ? ` grid=${q.grid}` : ''}`;
    if (!Number.isInteger(q.age) || q.age < 0 || q.age > 120 || !Number.isInteger(q.days) || q.days < 1 || q.days > 366) {
      this.audit({ user: user.name, role: user.role, action: 'list', outcome: 'bad-request', query });
      return { ok: false, status: 400, error: 'age must be 0–120 and days 1–366 (integers)' };
    }
    const today = this.today();
    const rows: TurningRow[] = [];
    for (const r of this.population()) {
      if (q.grid && r.gridId !== q.grid) continue;
      const on = birthdayAt(r.birth, q.age);
      const inDays = daysBetween(today, on);
      if (inDays >= 0 && inDays < q.days) rows.push({ ...this.masked(r, on), turnsOn: on, inDays });
    }
    rows.sort((a, b) => a.inDays - b.inDays || a.residentId.localeCompare(b.residentId));
    this.audit({ user: user.name, role: user.role, action: 'list', outcome: 'ok', query, rows: rows.length });
    return { ok: true, value: { today, rows } };
  }

  /** One person's record, masked; audited (every view of a person's record is). */
  view(user: User, residentId: string): PeopleResult<MaskedResident> {
    this.population();
    const r = this.byId.get(residentId);
    this.audit({ user: user.name, role: user.role, action: 'view', outcome: r ? 'ok' : 'not-found', residentId });
    return r ? { ok: true, value: this.masked(r, this.today()) } : { ok: false, status: 404, error: `no resident ${residentId}` };
  }

  /** The whole record, for a role that may see this person, with a reason; audited whatever the outcome. */
  unmask(user: User, residentId: string, reason: string): PeopleResult<FullResident> {
    this.population();
    const r = this.byId.get(residentId);
    const why = reason.trim().slice(0, 200);
    const base = { user: user.name, role: user.role, action: 'unmask' as const, residentId, ...(why ? { reason: why } : {}) };
    if (!r) {
      this.audit({ ...base, outcome: 'not-found' });
      return { ok: false, status: 404, error: `no resident ${residentId}` };
    }
    if (why.length < 4) {
      this.audit({ ...base, outcome: 'bad-request' });
      return { ok: false, status: 400, error: 'a reason (at least 4 characters) is required to see a whole record' };
    }
    const today = this.today();
    if (!mayUnmask(user, r, today)) {
      this.audit({ ...base, outcome: 'denied' });
      return { ok: false, status: 403, error: `role ${user.role} may not see this person's whole record` };
    }
    this.audit({ ...base, outcome: 'ok' });
    return { ok: true, value: { ...r, age: ageOn(r.birth, today), benefits: eligibleBenefits(r, today), masked: false } };
  }

  /** Per grid cell: residents, 60+, 80+, elderly living alone (aggregates only: no personal data, not audited). */
  density(): GridDensity[] {
    const today = this.today();
    const by = new Map<string, GridDensity>();
    for (const r of this.population()) {
      let g = by.get(r.gridId);
      if (!g)
        by.set(
          r.gridId,
          (g = { gridId: r.gridId, staff: (this.opts.staffOf ?? gridStaffName)(r.gridId), residents: 0, elderly: 0, over80: 0, aloneElderly: 0 }),
        );
      const age = ageOn(r.birth, today);
      g.residents++;
      if (age >= 60) g.elderly++;
      if (age >= 80) g.over80++;
      if (r.livingAlone) g.aloneElderly++;
    }
    return [...by.values()].sort((a, b) => a.gridId.localeCompare(b.gridId));
  }

  private byBuilding: Map<number, Resident[]> | null = null;
  private residentsOf(buildingId: number): readonly Resident[] {
    if (!this.byBuilding || this.byBuildingOf !== this.pop) {
      const m = new Map<number, Resident[]>();
      for (const r of this.population()) {
        const list = m.get(r.buildingId);
        if (list) list.push(r);
        else m.set(r.buildingId, [r]);
      }
      this.byBuilding = m;
      this.byBuildingOf = this.pop;
    }
    return this.byBuilding.get(buildingId) ?? [];
  }
  private byBuildingOf: Resident[] | null = null;

  /**
   * Who lives in these buildings (an alarm's impact zone): counts per building and per grid for every role; the
   * vulnerable (elderly living alone, disabled, 80+), masked, for roles that may list them — grid staff their own grids
   * only. Audited as a list whenever names are returned.
   */
  inside(
    user: User,
    buildingIds: readonly number[],
    opts: { maxList?: number; alarmId?: string; above?: { buildingId: number; floor: number } } = {},
  ): PeopleResult<InsideAnswer> {
    const maxList = opts.maxList ?? 300;
    const today = this.today();
    const zero = (): InsideCounts => ({ residents: 0, elderly: 0, alone: 0, disabled: 0 });
    const add = (c: InsideCounts, r: Resident, age: number) => {
      c.residents++;
      if (age >= 60) c.elderly++;
      if (r.livingAlone) c.alone++;
      if (r.disability > 0) c.disabled++;
    };
    const total = zero();
    const above = opts.above ? { ...opts.above, ...zero() } : null;
    const isAbove = (r: Resident) => !!above && r.buildingId === above.buildingId && r.floor !== undefined && r.floor >= above.floor;
    const buildings: InsideAnswer['buildings'] = [];
    const grids = new Map<string, InsideAnswer['grids'][number]>();
    const vulnerable: Array<{ r: Resident; age: number }> = [];
    const listing = mayListVulnerable(user);
    for (const id of new Set(buildingIds)) {
      const list = this.residentsOf(id);
      if (!list.length) continue;
      const b = { buildingId: id, ...zero() };
      for (const r of list) {
        const age = ageOn(r.birth, today);
        add(b, r, age);
        add(total, r, age);
        if (isAbove(r)) add(above!, r, age);
        let g = grids.get(r.gridId);
        if (!g) grids.set(r.gridId, (g = { gridId: r.gridId, staff: (this.opts.staffOf ?? gridStaffName)(r.gridId), ...zero() }));
        add(g, r, age);
        const own = user.role !== 'grid-staff' || (user.grids ?? []).includes(r.gridId);
        if (listing && own && (r.livingAlone || r.disability > 0 || age >= 80)) vulnerable.push({ r, age });
      }
      buildings.push(b);
    }
    // a fire's floor and above first, then alone, then the oldest
    vulnerable.sort(
      (a, b) =>
        Number(isAbove(b.r)) - Number(isAbove(a.r)) ||
        Number(b.r.livingAlone) - Number(a.r.livingAlone) ||
        b.age - a.age ||
        a.r.residentId.localeCompare(b.r.residentId),
    );
    const rows = listing ? vulnerable.slice(0, maxList).map((v) => this.masked(v.r, today)) : null;
    if (rows)
      this.audit({
        user: user.name,
        role: user.role,
        action: 'list',
        outcome: 'ok',
        query: `inside ${buildings.length} buildings${opts.alarmId ? ` for ${opts.alarmId}` : ''}`,
        rows: rows.length,
      });
    return {
      ok: true,
      value: {
        buildings: buildings.sort((a, b) => a.buildingId - b.buildingId),
        grids: [...grids.values()].sort((a, b) => a.gridId.localeCompare(b.gridId)),
        total,
        ...(above ? { above } : {}),
        vulnerable: rows,
        truncated: listing && vulnerable.length > maxList,
      },
    };
  }

  /** The audit trail (auditors only; reading it is not itself a view of a person). */
  auditTrail(user: User, limit = 1000): PeopleResult<AuditEntry[]> {
    if (!mayReadAudit(user)) return { ok: false, status: 403, error: `role ${user.role} may not read the audit trail` };
    if (!existsSync(this.opts.auditPath)) return { ok: true, value: [] };
    const lines = readFileSync(this.opts.auditPath, 'utf8').trim().split('\n').filter(Boolean);
    return { ok: true, value: lines.slice(-limit).map((l) => JSON.parse(l) as AuditEntry) };
  }
}
