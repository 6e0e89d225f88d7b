/**
 * Elderly services in the operator console (issue 6): who turns 60 (or any age) in the next N days, their benefits,
 * visit tasks for the grid staff, elderly density per grid. Everything personal comes from the feed server already
 * masked; a whole record only when the server allows this user's role, with a reason, and it audits that. This store
 * never holds more than the one record the server returned, and drops it when the card is closed.
 */
import { makeAutoObservable, observable, runInAction } from 'mobx';
import type {
  FullResident,
  GridDensity,
  MaskedResident,
  PeopleAnswer,
  PeopleRequest,
  PeopleUser,
  TurningRow,
} from '../../../data-pipelines/contracts/people.ts';

export interface GridRect {
  id: string;
  west: number;
  south: number;
  east: number;
  north: number;
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
  density: GridDensity[] = [];
  /** the holder of the care device of the selected care call (masked), once asked */
  holder: { deviceId: string; resident: MaskedResident | null } | null = null;
  grids: GridRect[] = [];
  version = 0;
  private ask: ((req: PeopleRequest) => Promise<PeopleAnswer>) | null = null;

  constructor() {
    makeAutoObservable<this, 'ask' | 'densityLoad'>(
      this,
      { ask: false, densityLoad: false, rows: observable.ref, density: observable.ref, grids: observable.ref },
      { autoBind: true },
    );
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

  /** Who has care device `deviceId` (masked; the server audits the lookup as a view of that person). */
  async loadHolder(deviceId: string): Promise<void> {
    if (this.holder?.deviceId === deviceId) return;
    const a = await this.call({ op: 'holder', deviceId });
    if (a?.ok && a.op === 'holder')
      runInAction(() => {
        this.holder = { deviceId: a.deviceId, resident: a.resident };
        this.version++;
      });
  }

  clearHolder(): void {
    this.holder = null;
  }

  closeRecord(): void {
    this.selected = null;
    this.unmasked = null;
    this.version++;
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
