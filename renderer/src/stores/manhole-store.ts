import { makeAutoObservable, observable } from 'mobx';
import type { ManholeReading, Snapshot, WellState } from '../../../data-pipelines/contracts/events.ts';
import { applyReading, sortActive, stateFromSnapshot, type Transition } from '../layers/manholes/state.ts';

/** Static well table, kept out of mobx (14k+ rows, never changes after load). */
export interface WellTable {
  ids: string[];
  kinds: string[];
  lon: Float64Array;
  lat: Float64Array;
  index: Map<string, number>;
}

export interface AlarmNotice {
  wellId: string;
  level: 'warning' | 'alarm';
  reading: ManholeReading;
  receivedAt: number;
}

export class ManholeStore {
  wells: WellTable = { ids: [], kinds: [], lon: new Float64Array(0), lat: new Float64Array(0), index: new Map() };
  /** only non-normal wells; replaced wholesale on snapshot */
  states = observable.map<string, WellState>({}, { deep: false });
  /** bumps on every level change: renderers re-colour on this, not per reading */
  version = 0;
  notices: AlarmNotice[] = [];
  /** readings that referenced a well missing from the district package (counted, never dropped silently) */
  unknownWells = 0;

  constructor() {
    makeAutoObservable(this, { wells: observable.ref }, { autoBind: true });
  }

  setWells(w: WellTable): void {
    this.wells = w;
  }

  applySnapshot(s: Snapshot): void {
    const next = stateFromSnapshot(s);
    this.states.replace(next);
    this.version++;
  }

  /** Applies a batch (one animation frame's worth) of validated readings; returns the level transitions. */
  applyBatch(readings: ManholeReading[], now = Date.now()): Transition[] {
    const shadow = new Map(this.states);
    const transitions: Transition[] = [];
    for (const r of readings) {
      if (!this.wells.index.has(r.wellId) && this.wells.ids.length > 0) this.unknownWells++;
      const tr = applyReading(shadow, r);
      if (tr) transitions.push(tr);
    }
    if (transitions.length) {
      this.states.replace(shadow);
      this.version++;
      for (const tr of transitions) {
        if (tr.to === 'normal') continue;
        if (tr.to === 'alarm' || tr.from === 'normal') this.notices.unshift({ wellId: tr.wellId, level: tr.to, reading: tr.reading, receivedAt: now });
      }
      if (this.notices.length > 200) this.notices.length = 200;
    }
    return transitions;
  }

  get active(): WellState[] {
    return sortActive(this.states.values());
  }

  get counts(): { alarm: number; warning: number } {
    let alarm = 0;
    let warning = 0;
    for (const s of this.states.values()) {
      if (s.level === 'alarm') alarm++;
      else if (s.level === 'warning') warning++;
    }
    return { alarm, warning };
  }
}
