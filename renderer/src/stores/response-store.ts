/**
 * Incident command (issue 22) in the renderer: the SOP files the feed server loaded, and for the selected alarm its
 * impact zone and what is inside — computed here, from the district tables in memory and DuckDB (building names) with
 * turf (routing/impact.ts, loaded on first use: its buffer code is large) — plus who lives there, asked of the feed server
 * (counts; the masked vulnerable list where the role may see it; audited there). The plan and the SOP ticks are alarm
 * commands (RootStore), journaled by the server on the alarm; this store only proposes.
 */
import { makeAutoObservable, observable, runInAction } from 'mobx';
import type { Alarm } from '../../../data-pipelines/contracts/alarm.ts';
import type { InsideAnswer, PeopleAnswer, PeopleRequest } from '../../../data-pipelines/contracts/people.ts';
import { sopFileOf, sopFor, type SopFile } from '../../../data-pipelines/contracts/sop.ts';
import type { Impact, ImpactWorld } from '../../../data-pipelines/routing/impact.ts';

export interface ImpactState {
  alarmId: string;
  /** what the zone was computed for (the alarm's place, building and SOP version) */
  key: string;
  status: 'computing' | 'ready' | 'error';
  impact: Impact | null;
  /** names and grid cells of the buildings inside (DuckDB) */
  names: ReadonlyMap<number, { name: string; gridId: string }>;
  inside: InsideAnswer | null;
  /** why who-is-inside is missing (not connected, refused): the zone is still shown */
  insideError: string | null;
  error: string | null;
  /** milliseconds from the request to the zone and its contents (without the people answer) */
  ms: number;
}

export interface ResponseDeps {
  world: () => ImpactWorld;
  /** building id -> name and grid cell, from the district package in DuckDB */
  buildingNames: (ids: readonly number[]) => Promise<Map<number, { name: string; gridId: string }>>;
  people: (req: PeopleRequest) => Promise<PeopleAnswer>;
  loadSops: () => Promise<SopFile[]>;
  now?: () => number;
}

export const impactKey = (a: Pick<Alarm, 'alarmId' | 'lon' | 'lat' | 'buildingId' | 'sop'>): string =>
  `${a.alarmId}|${a.lon}|${a.lat}|${a.buildingId ?? ''}|${a.sop?.id ?? ''}@${a.sop?.version ?? ''}`;

export class ResponseStore {
  sops: readonly SopFile[] = [];
  sopError: string | null = null;
  current: ImpactState | null = null;
  private deps: ResponseDeps | null = null;
  private seq = 0;

  constructor() {
    makeAutoObservable<this, 'deps' | 'seq'>(this, { deps: false, seq: false, sops: observable.ref, current: observable.ref }, { autoBind: true });
  }

  attach(deps: ResponseDeps): void {
    this.deps = deps;
  }

  /** The SOP of an alarm: the file and version it was raised with (as the feed server judges it), else the one that applies now. */
  sopOf(a: Pick<Alarm, 'category' | 'cause' | 'sop'>): SopFile | null {
    return a.sop ? sopFileOf(this.sops, a.sop) : sopFor(this.sops, a);
  }

  async loadSops(): Promise<void> {
    if (!this.deps) return;
    try {
      const sops = await this.deps.loadSops();
      runInAction(() => {
        this.sops = sops;
        this.sopError = null;
      });
    } catch (e) {
      runInAction(() => (this.sopError = (e as Error).message));
    }
  }

  clear(): void {
    this.current = null;
    this.seq++;
  }

  /** Computes the zone and what is inside for `a` (again only when its key changed); the newest request wins. */
  async computeFor(a: Alarm): Promise<void> {
    const deps = this.deps;
    const sop = this.sopOf(a);
    if (!deps || !sop) {
      this.clear();
      return;
    }
    const key = impactKey(a);
    // the same zone again: only when it failed, or who lives there could not be asked (retried once connected)
    if (this.current?.key === key && this.current.status !== 'error' && !this.current.insideError) return;
    const seq = ++this.seq;
    const now = deps.now ?? (() => performance.now());
    const t0 = now();
    this.current = { alarmId: a.alarmId, key, status: 'computing', impact: null, names: new Map(), inside: null, insideError: null, error: null, ms: 0 };
    try {
      const { hazardZone, impactOf } = await import('../../../data-pipelines/routing/impact.ts');
      const world = deps.world();
      const zone = hazardZone({ model: sop.hazard, lon: a.lon, lat: a.lat, ...(a.buildingId !== undefined ? { buildingId: a.buildingId } : {}) }, world);
      const impact = impactOf(zone, world);
      const ids = impact.buildings.map((b) => b.id);
      const names = ids.length ? await deps.buildingNames(ids) : new Map<number, { name: string; gridId: string }>();
      if (seq !== this.seq) return;
      const ms = Math.round(now() - t0);
      runInAction(() => (this.current = { ...this.current!, status: 'ready', impact, names, ms }));
      if (!ids.length) return;
      let inside: InsideAnswer | null = null;
      let insideError: string | null = null;
      try {
        // a fire: also who lives on its floor and above (smoke rises)
        const above =
          a.category === 'fire' && a.buildingId !== undefined && a.floor !== undefined ? { above: { buildingId: a.buildingId, floor: a.floor } } : {};
        const r = await deps.people({ op: 'inside', buildingIds: ids.slice(0, 3000), alarmId: a.alarmId, ...above });
        if (r.ok && r.op === 'inside') {
          const { ok: _ok, op: _op, ...rest } = r;
          void _ok;
          void _op;
          inside = rest;
        } else if (!r.ok) insideError = r.error;
      } catch (e) {
        insideError = (e as Error).message;
      }
      if (seq !== this.seq) return;
      runInAction(() => (this.current = { ...this.current!, inside, insideError }));
    } catch (e) {
      if (seq !== this.seq) return;
      runInAction(() => (this.current = { ...this.current!, status: 'error', error: (e as Error).message }));
    }
  }
}
