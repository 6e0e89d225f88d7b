import { streetRefOf } from '../import/platform.ts';
import { configure, observable, runInAction } from 'mobx';
import type { DrillAck, DrillRequest, JournalRequest, JournalWindow } from '../../../data-pipelines/contracts/events.ts';
import type { CommandAck } from '../../../data-pipelines/contracts/events.ts';
import type { PeopleAnswer, PeopleRequest } from '../../../data-pipelines/contracts/people.ts';
import type { RequestAck, RequestWire } from '../../../data-pipelines/contracts/citizen-request.ts';
import type { TaskAck, TaskRequest } from '../../../data-pipelines/contracts/tasks.ts';
import { t } from '../i18n.ts';
import { AnalysisStore } from './analysis-store.ts';
import { EntityStore } from './entity-store.ts';
import { ImportStore } from './import-store.ts';
import { PeopleStore } from './people-store.ts';
import { SessionStore } from './session-store.ts';
import type { ImportFile } from '../import/index.ts';
import { FeedStore } from './feed-store.ts';
import { LiveStore } from './live-store.ts';
import { SourcesStore } from './sources-store.ts';
import { UiStore, type OperatorCommand } from './ui-store.ts';

configure({ enforceActions: 'always', computedRequiresReaction: false, observableRequiresReaction: false });

export interface CommandSink {
  sendAlarmCommand(cmd: { commandId: string; alarmId: string; action: string; by: string; team?: string; minutes?: number; note?: string }): Promise<CommandAck>;
  drill(req: DrillRequest): Promise<DrillAck>;
  journal(req: JournalRequest): Promise<JournalWindow>;
  /** sampled parking occupancy history as CSV (GET /api/history/parking) */
  parkingHistory(from: number, to: number, stepMs: number): Promise<{ csv: string; truncated: boolean }>;
  /** people service (masked rows, aggregates; unmask by role, audited on the server) */
  people(req: PeopleRequest): Promise<PeopleAnswer>;
  /** citizen-request desk: register / a step of a request (journaled under the signed-in user) */
  request(cmd: RequestWire): Promise<RequestAck>;
  /** visit tasks: plan from the turning-N list, done, cancel (role-checked on the server) */
  task(req: TaskRequest): Promise<TaskAck>;
}

/** The answer to the last citizen-request or visit-task command, shown where the operator acted. */
export interface WorkAck {
  command: 'request' | 'task';
  ok: boolean;
  error?: string;
  /** visit tasks planned / already planned before */
  created?: number;
  existing?: number;
}

/** What the views show while replaying a journal window (the live feed keeps running underneath). */
export interface ReplaySource {
  live: LiveStore;
}

export class RootStore {
  readonly feed = new FeedStore();
  /** the connected sources' health (MQTT, HTTP push), as the feed server reports it */
  readonly sources = new SourcesStore();
  /** the live feed's state: always fed, also during a replay (new real alarms still toast and sound) */
  readonly realLive = new LiveStore();
  private readonly replayBox = observable.box<ReplaySource | null>(null, { deep: false });
  readonly ui = new UiStore();
  readonly entities = new EntityStore();
  readonly analysis = new AnalysisStore();
  readonly imports = new ImportStore();
  readonly people = new PeopleStore();
  /** who is signed in (the duty operator until a named account signs in) */
  readonly session: SessionStore = new SessionStore(this);
  sink: CommandSink | null = null;
  /** the last request/task command's answer, for the panels (an error shown where the operator acted) */
  readonly lastWorkAck = observable.box<WorkAck | null>(null, { deep: false });

  /** What views, layers and lists show: the replayed window while a replay is open, else the live feed. */
  get live(): LiveStore {
    return this.replayBox.get()?.live ?? this.realLive;
  }

  get replay(): ReplaySource | null {
    return this.replayBox.get();
  }

  setReplay(r: ReplaySource | null): void {
    runInAction(() => this.replayBox.set(r));
  }

  /** Applies an operator command; alarm actions also go to the feed server, and the audit record gets the ack. */
  command(cmd: OperatorCommand): Promise<CommandAck | null> {
    const rec = this.ui.dispatch(cmd);
    if (cmd.type === 'applyLayout' && cmd.layout.analysis) {
      // the analysis part goes through the analysis queue like any planner command
      const a = cmd.layout.analysis;
      return Promise.all([
        this.analysis.apply({ op: 'setMetric', metric: a.metric }),
        this.analysis.apply({ op: 'setDisplay', display: a.display }),
        this.analysis.apply({ op: 'setParams', params: a.params }),
      ]).then((errs) => {
        const err = errs.find((e) => e);
        this.ui.settle(rec, err ? `error: ${err}` : 'ok');
        return err ? { ok: false as const, error: err } : null;
      });
    }
    if (cmd.type === 'importData') {
      if (cmd.op === 'add') {
        this.ui.settle(rec, 'error: use RootStore.importFiles (the command carries names, not bytes)');
        return Promise.resolve({ ok: false, error: 'use importFiles' });
      }
      const done = cmd.op === 'remove' ? this.imports.remove(cmd.id) : Promise.resolve(this.imports.setVisible(cmd.id, cmd.op === 'show'));
      return done.then(
        () => (this.ui.settle(rec, 'ok'), null),
        (e: unknown) => (this.ui.settle(rec, `error: ${(e as Error).message}`), { ok: false as const, error: (e as Error).message }),
      );
    }
    if (cmd.type === 'session') return this.session.run(cmd, rec);
    if (cmd.type === 'people') {
      const p = this.people;
      const run = cmd.op === 'query' ? p.query(cmd.age, cmd.days) : cmd.op === 'view' ? p.view(cmd.residentId) : cmd.op === 'unmask' ? p.unmask(cmd.residentId, cmd.reason) : Promise.resolve(p.closeRecord());
      return run.then(() => {
        const err = p.error;
        this.ui.settle(rec, err ? `error: ${err.status ? `${err.status} ` : ''}${err.error}`.slice(0, 300) as `error: ${string}` : 'ok');
        return err ? { ok: false as const, error: err.error } : null;
      });
    }
    if (cmd.type === 'request' || cmd.type === 'task') {
      if (!this.sink) {
        this.ui.settle(rec, `error: ${t('core.feed.notConnected')}`);
        return Promise.resolve({ ok: false, error: t('core.feed.notConnected') });
      }
      const sent = cmd.type === 'request' ? this.sink.request(cmd.cmd) : this.sink.task(cmd.req);
      return sent.then(
        (ack) => {
          this.ui.settle(rec, ack.ok ? ('duplicate' in ack && ack.duplicate ? 'duplicate' : 'ok') : `error: ${ack.error}`.slice(0, 300) as `error: ${string}`);
          runInAction(() => this.lastWorkAck.set({ command: cmd.type, ok: ack.ok, ...(ack.ok ? {} : { error: ack.error }), ...(ack.ok && 'created' in ack ? { created: ack.created, existing: ack.existing } : {}) }));
          return ack.ok ? null : { ok: false as const, error: ack.error };
        },
        (e: unknown) => {
          this.ui.settle(rec, `error: ${(e as Error).message}`);
          runInAction(() => this.lastWorkAck.set({ command: cmd.type, ok: false, error: (e as Error).message }));
          return { ok: false as const, error: (e as Error).message };
        },
      );
    }
    if (cmd.type === 'analysis') {
      return this.analysis.apply(cmd.cmd).then((error) => {
        this.ui.settle(rec, error ? `error: ${error}` : 'ok');
        return error ? { ok: false as const, error } : null;
      });
    }
    if (cmd.type === 'drill') {
      if (!this.sink) {
        this.ui.settle(rec, `error: ${t('core.feed.notConnected')}`);
        return Promise.resolve({ ok: false, error: t('core.feed.notConnected') });
      }
      const req = cmd.op === 'start' ? { op: 'start' as const, scenario: cmd.scenario, by: this.ui.actor } : { op: 'stop' as const, by: this.ui.actor };
      return this.sink.drill(req).then((ack) => {
        this.ui.settle(rec, ack.ok ? 'ok' : `error: ${ack.error}`);
        return ack.ok ? null : { ok: false as const, error: ack.error };
      });
    }
    if (cmd.type !== 'alarm') return Promise.resolve(null);
    if (!this.sink) {
      this.ui.settle(rec, `error: ${t('core.feed.notConnected')}`);
      return Promise.resolve({ ok: false, error: t('core.feed.notConnected') });
    }
    const { type: _t, ...rest } = cmd;
    void _t;
    return this.sink.sendAlarmCommand({ ...rest, by: this.ui.actor }).then(
      (ack) => {
        this.ui.settle(rec, ack.ok ? (ack.duplicate ? 'duplicate' : 'ok') : `error: ${ack.error}`);
        return ack;
      },
      (e: unknown) => {
        this.ui.settle(rec, `error: ${(e as Error).message}`);
        return { ok: false as const, error: (e as Error).message };
      },
    );
  }

  /** Imports the user's files (audited by name and CRS choice); per-dataset errors end up in imports.errors. */
  async importFiles(files: ImportFile[]): Promise<void> {
    const rec = this.ui.dispatch({ type: 'importData', op: 'add', names: files.map((f) => f.name), crs: this.imports.crsChoice });
    this.imports.attachStreets(() => streetRefOf(this.entities.streets));
    try {
      await this.imports.addFiles(files);
      const errs = this.imports.errors;
      this.ui.settle(rec, errs.length ? `error: ${errs.join('; ').slice(0, 300)}` : 'ok');
    } catch (e) {
      this.ui.settle(rec, `error: ${(e as Error).message}`);
    }
  }

  /** Reads one imported layer again with the CRS the operator chose for it (audited like an import). */
  async reimportLayer(id: string, crs: string): Promise<void> {
    const l = this.imports.layers.find((x) => x.id === id);
    const rec = this.ui.dispatch({ type: 'importData', op: 'add', names: [l?.layer.name ?? id], crs });
    const err = await this.imports.reimport(id, crs);
    this.ui.settle(rec, err ? `error: ${err.slice(0, 300)}` : 'ok');
  }

  /** Loads an offline basemap tile folder (audited by name and size). */
  loadBasemap(entries: Array<{ path: string; blob: Blob }>, near: { lon: number; lat: number }, name: string): void {
    const rec = this.ui.dispatch({ type: 'basemap', op: 'load', name, files: entries.length });
    this.imports.loadTiles(entries, near, name);
    this.ui.settle(rec, this.imports.tilesError ? `error: ${this.imports.tilesError.message}` : 'ok');
  }

  /** Loads an offline basemap package file, .mbtiles or .pmtiles (audited by file name, as one file). */
  async loadBasemapFile(file: Blob, name: string): Promise<void> {
    const rec = this.ui.dispatch({ type: 'basemap', op: 'load', name, files: 1 });
    const err = await this.imports.loadTileFile(file, name);
    this.ui.settle(rec, err === 'superseded' ? `error: ${t('import.basemap.superseded')}` : err ? `error: ${err.message}` : 'ok');
  }

  clearBasemap(): void {
    this.ui.dispatch({ type: 'basemap', op: 'clear' });
    this.imports.clearTiles();
  }

  newCommandId(): string {
    return crypto.randomUUID();
  }
}
