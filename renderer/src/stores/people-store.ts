/**
 * Elderly services in the operator console (issue 6): who turns 60 (or any age) in the next N days, their benefits,
 * visit tasks for the grid staff, elderly density per grid. Everything personal comes from the feed server already
 * masked; a whole record only when the server allows this user's role, with a reason, and it audits that. This store
 * never holds more than the one record the server returned, and drops it when the card is closed.
 */
import { makeAutoObservable, observable, runInAction } from 'mobx';
import type { FullResident, GridDensity, MaskedResident, PeopleAnswer, PeopleRequest, PeopleUser, TurningRow } from '../../../data-pipelines/contracts/people.ts';

export interface GridRect {
  id: string;
  west: number;
  south: number;
  east: number;
  north: number;
}

export interface VisitTask {
  taskId: string;
  residentId: string;
  /** masked, as the list shows it */
  name: string;
  gridId: string;
  buildingId: number;
  /** the birthday: the card is brought on the day */
  due: string;
  benefits: string[];
}

/** One visit per resident on the list, due on the birthday, grouped by the grid whose staff make the visit. Pure. */
export function visitTasks(rows: readonly TurningRow[], age: number): Map<string, VisitTask[]> {
  const by = new Map<string, VisitTask[]>();
  for (const r of rows) {
    const task: VisitTask = { taskId: `V-${age}-${r.residentId}`, residentId: r.residentId, name: r.name, gridId: r.gridId, buildingId: r.buildingId, due: r.turnsOn, benefits: r.benefits };
    const list = by.get(r.gridId);
    if (list) list.push(task);
    else by.set(r.gridId, [task]);
  }
  for (const list of by.values()) list.sort((a, b) => a.due.localeCompare(b.due) || a.residentId.localeCompare(b.residentId));
  return new Map([...by.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0])));
}

export type PeopleError = { status: number; error: string };

export class PeopleStore {
  user: PeopleUser | null = null;
  age = 60;
  days = 30;
  today = '';
  rows: TurningRow[] = [];
  loaded = false;
  busy = false;
  error: PeopleError | null = null;
  selected: MaskedResident | null = null;
  /** the one whole record the server allowed (cleared on close) */
  unmasked: FullResident | null = null;
  tasks: Map<string, VisitTask[]> | null = null;
  density: GridDensity[] = [];
  grids: GridRect[] = [];
  version = 0;
  private ask: ((req: PeopleRequest) => Promise<PeopleAnswer>) | null = null;

  constructor() {
    makeAutoObservable<this, 'ask' | 'densityLoad'>(this, { ask: false, densityLoad: false, rows: observable.ref, density: observable.ref, grids: observable.ref, tasks: observable.ref }, { autoBind: true });
  }

  attach(ask: (req: PeopleRequest) => Promise<PeopleAnswer>, grids: GridRect[]): void {
    this.ask = ask;
    this.grids = grids;
  }

  private async call(req: PeopleRequest): Promise<PeopleAnswer | null> {
    if (!this.ask) return null;
    runInAction(() => {
      this.busy = true;
      this.error = null;
    });
    try {
      const a = await this.ask(req);
      runInAction(() => {
        this.busy = false;
        if (!a.ok) this.error = { status: a.status, error: a.error };
      });
      return a;
    } catch (e) {
      runInAction(() => {
        this.busy = false;
        this.error = { status: 0, error: (e as Error).message };
      });
      return null;
    }
  }

  async loadUser(): Promise<void> {
    const a = await this.call({ op: 'me' });
    if (a?.ok && a.op === 'me') runInAction(() => (this.user = a.user));
  }

  async query(age: number, days: number): Promise<void> {
    runInAction(() => {
      this.age = age;
      this.days = days;
    });
    const a = await this.call({ op: 'turning', age, days });
    if (a?.ok && a.op === 'turning')
      runInAction(() => {
        this.rows = a.rows;
        this.today = a.today;
        this.loaded = true;
        this.tasks = null;
        this.version++;
      });
  }

  async view(residentId: string): Promise<void> {
    const a = await this.call({ op: 'view', residentId });
    if (a?.ok && a.op === 'view')
      runInAction(() => {
        this.selected = a.resident;
        this.unmasked = null;
        this.version++;
      });
  }

  async unmask(residentId: string, reason: string): Promise<void> {
    const a = await this.call({ op: 'unmask', residentId, reason });
    if (a?.ok && a.op === 'unmask')
      runInAction(() => {
        this.unmasked = a.resident;
        this.version++;
      });
  }

  closeRecord(): void {
    this.selected = null;
    this.unmasked = null;
    this.version++;
  }

  makeTasks(): Map<string, VisitTask[]> {
    this.tasks = visitTasks(this.rows, this.age);
    this.version++;
    return this.tasks;
  }

  private densityLoad: Promise<void> | null = null;
  /** The per-grid aggregates, asked for once however many panels and layers want them (again after a failure). */
  ensureDensity(): Promise<void> {
    if (this.density.length) return Promise.resolve();
    this.densityLoad ??= this.loadDensity().finally(() => (this.densityLoad = null));
    return this.densityLoad;
  }

  async loadDensity(): Promise<void> {
    const a = await this.call({ op: 'density' });
    if (a?.ok && a.op === 'density')
      runInAction(() => {
        this.density = a.grids;
        this.version++;
      });
  }
}
