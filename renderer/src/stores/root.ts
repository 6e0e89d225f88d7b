import { streetRefOf } from '../import/platform.ts';
import { configure, observable, runInAction } from 'mobx';
import type { CommandAck } from '../../../data-pipelines/contracts/events.ts';
import type { RequestAck } from '../../../data-pipelines/contracts/citizen-request.ts';
import type { SocketCall } from '../../../data-pipelines/contracts/socket-ops.ts';
import type { TaskAck } from '../../../data-pipelines/contracts/tasks.ts';
import { t } from '../i18n.ts';
import { AnalysisStore } from './analysis-store.ts';
import { EntityStore } from './entity-store.ts';
import { ImportStore } from './import-store.ts';
import { ModelStore } from './model-store.ts';
import type { ModelCrs } from '../models/placement.ts';
import type { ConfiguredModel } from '../../../data-pipelines/contracts/shell-config.ts';
import { PeopleStore } from './people-store.ts';
import { SessionStore } from './session-store.ts';
import type { ImportFile } from '../import/index.ts';
import { FeedStore } from './feed-store.ts';
import { LiveStore } from './live-store.ts';
import { SourcesStore } from './sources-store.ts';
import type { LayoutFile } from './layouts.ts';
import { UiStore, type AuditRecord, type OperatorCommand } from './ui-store.ts';
import { VideoWallStore } from './video-store.ts';
import { CameraRecordSchema, type CameraRecord } from '../../../data-pipelines/contracts/cameras.ts';
import { ResponseStore } from './response-store.ts';
import { MAX_SNAPSHOT_PARTS, SNAPSHOT_PART_CHARS } from '../../../data-pipelines/contracts/video.ts';

configure({ enforceActions: 'always', computedRequiresReaction: false, observableRequiresReaction: false });

export interface CommandSink {
  /** an operator alarm action (retried across reconnects with its commandId until acknowledged) */
  sendAlarmCommand(cmd: Omit<Extract<OperatorCommand, { type: 'alarm' }>, 'type' | 'action'> & { action: string; by: string }): Promise<CommandAck>;
  /** one request/answer op of the socket API (contracts/socket-ops.ts): drills, journal windows, occupancy history,
   *  people, citizen requests, visit tasks… */
  call: SocketCall;
}

type CommandOf<T extends OperatorCommand['type']> = Extract<OperatorCommand, { type: T }>;
type Handler<C extends OperatorCommand> = (cmd: C, rec: AuditRecord) => Promise<CommandAck | null>;
/** The command kinds that do more than change UI state, each with its handler. */
type Handlers = {
  [T in 'applyLayout' | 'importData' | 'session' | 'people' | 'request' | 'task' | 'analysis' | 'drill' | 'alarm' | 'videoWall' | 'snapshot']: Handler<
    CommandOf<T>
  >;
};

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
  /** the user's own 3D Tiles models (tileset folders, .3tz archives) */
  readonly models = new ModelStore();
  readonly people = new PeopleStore();
  /** the video wall's tiles, the camera registry (stream URLs) and the streams' health */
  readonly video = new VideoWallStore();
  /** incident command: the SOPs, the selected alarm's impact zone and who is inside (issue 22) */
  readonly response = new ResponseStore();
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

  /**
   * Applies an operator command: UiStore.dispatch applies and records it; a command that does more (the feed server,
   * the analysis queue, imports, people, session) goes on to its handler, which settles the audit record with the
   * outcome. Resolves null on success (or for UI-only commands), else {ok: false, error} (or the alarm command's ack).
   */
  command(cmd: OperatorCommand): Promise<CommandAck | null> {
    const rec = this.ui.dispatch(cmd);
    const handler = (this.handlers as Partial<Record<OperatorCommand['type'], Handler<OperatorCommand>>>)[cmd.type];
    return handler ? handler(cmd, rec) : Promise.resolve(null);
  }

  /** One handler per command kind that does more than change UI state. */
  private readonly handlers: Handlers = {
    applyLayout: (cmd, rec) => {
      const wall = cmd.layout.videoWall;
      if (wall) runInAction(() => this.video.apply({ op: 'restore', n: wall.grid, tiles: wall.tiles }));
      return cmd.layout.analysis ? this.applyLayoutAnalysis(cmd.layout.analysis, rec) : Promise.resolve(null);
    },
    videoWall: (cmd, rec) =>
      Promise.resolve(
        this.outcome(
          rec,
          runInAction(() => this.video.apply(cmd.cmd)),
        ),
      ),
    snapshot: (cmd, rec) => this.withSink(rec, (sink) => this.sendSnapshot(sink, cmd, rec)),
    importData: (cmd, rec) => this.importCommand(cmd, rec),
    session: (cmd, rec) => this.session.run(cmd, rec),
    people: (cmd, rec) => this.peopleCommand(cmd, rec),
    request: (cmd, rec) => this.withSink(rec, (sink) => this.workCommand('request', sink.call('request', cmd.cmd), rec)),
    task: (cmd, rec) => this.withSink(rec, (sink) => this.workCommand('task', sink.call('task', cmd.req), rec)),
    analysis: (cmd, rec) => this.analysis.apply(cmd.cmd).then((error) => this.outcome(rec, error)),
    drill: (cmd, rec) => this.withSink(rec, (sink) => this.drillCommand(sink, cmd, rec)),
    alarm: (cmd, rec) => this.withSink(rec, (sink) => this.alarmCommand(sink, cmd, rec)),
  };

  /** Settles the audit record with `error` (or ok) and gives the command's outcome. */
  private outcome(rec: AuditRecord, error: string | null | undefined): CommandAck | null {
    this.ui.settle(rec, error ? `error: ${error}` : 'ok');
    return error ? { ok: false, error } : null;
  }

  /** Sends through the feed client; without one the command fails as "not connected". */
  private withSink(rec: AuditRecord, send: (sink: CommandSink) => Promise<CommandAck | null>): Promise<CommandAck | null> {
    return this.sink ? send(this.sink) : Promise.resolve(this.outcome(rec, t('core.feed.notConnected')));
  }

  /** A layout's analysis part goes through the analysis queue like any planner command. */
  private applyLayoutAnalysis(a: NonNullable<LayoutFile['analysis']>, rec: AuditRecord): Promise<CommandAck | null> {
    return Promise.all([
      this.analysis.apply({ op: 'setMetric', metric: a.metric }),
      this.analysis.apply({ op: 'setDisplay', display: a.display }),
      this.analysis.apply({ op: 'setParams', params: a.params }),
    ]).then((errs) =>
      this.outcome(
        rec,
        errs.find((e) => e),
      ),
    );
  }

  private importCommand(cmd: CommandOf<'importData'>, rec: AuditRecord): Promise<CommandAck | null> {
    if (cmd.op === 'add') {
      this.ui.settle(rec, 'error: use RootStore.importFiles (the command carries names, not bytes)');
      return Promise.resolve({ ok: false, error: 'use importFiles' });
    }
    const done = cmd.op === 'remove' ? this.imports.remove(cmd.id) : Promise.resolve(this.imports.setVisible(cmd.id, cmd.op === 'show'));
    return done.then(
      () => this.outcome(rec, null),
      (e: unknown) => this.outcome(rec, (e as Error).message),
    );
  }

  private peopleCommand(cmd: CommandOf<'people'>, rec: AuditRecord): Promise<CommandAck | null> {
    const p = this.people;
    const run =
      cmd.op === 'query'
        ? p.query(cmd.age, cmd.days)
        : cmd.op === 'view'
          ? p.view(cmd.residentId)
          : cmd.op === 'unmask'
            ? p.unmask(cmd.residentId, cmd.reason)
            : Promise.resolve(p.closeRecord());
    return run.then(() => {
      const err = p.error;
      if (!err) return this.outcome(rec, null);
      // the record gets the HTTP-like status too
      this.ui.settle(rec, `error: ${err.status ? `${err.status} ` : ''}${err.error}`.slice(0, 300) as `error: ${string}`);
      return { ok: false as const, error: err.error };
    });
  }

  /** A citizen-request or visit-task command: its answer is also kept for the panel where the operator acted. */
  private workCommand(command: WorkAck['command'], sent: Promise<RequestAck | TaskAck>, rec: AuditRecord): Promise<CommandAck | null> {
    const answered = (ack: WorkAck) => runInAction(() => this.lastWorkAck.set(ack));
    return sent.then(
      (ack) => {
        this.ui.settle(rec, ack.ok ? ('duplicate' in ack && ack.duplicate ? 'duplicate' : 'ok') : (`error: ${ack.error}`.slice(0, 300) as `error: ${string}`));
        answered({
          command,
          ok: ack.ok,
          ...(ack.ok ? {} : { error: ack.error }),
          ...(ack.ok && 'created' in ack ? { created: ack.created, existing: ack.existing } : {}),
        });
        return ack.ok ? null : { ok: false as const, error: ack.error };
      },
      (e: unknown) => {
        const failed = this.outcome(rec, (e as Error).message);
        answered({ command, ok: false, error: (e as Error).message });
        return failed;
      },
    );
  }

  private drillCommand(sink: CommandSink, cmd: CommandOf<'drill'>, rec: AuditRecord): Promise<CommandAck | null> {
    const req = cmd.op === 'start' ? { op: 'start' as const, scenario: cmd.scenario, by: this.ui.actor } : { op: 'stop' as const, by: this.ui.actor };
    return sink.call('drill', req).then(
      (ack) => this.outcome(rec, ack.ok ? null : ack.error),
      (e: unknown) => this.outcome(rec, (e as Error).message),
    );
  }

  /** An alarm action goes to the feed server (resent after a reconnect until acknowledged); the record gets the ack. */
  private alarmCommand(sink: CommandSink, cmd: CommandOf<'alarm'>, rec: AuditRecord): Promise<CommandAck | null> {
    const { type: _t, ...rest } = cmd;
    void _t;
    return sink.sendAlarmCommand({ ...rest, by: this.ui.actor }).then(
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

  /** The pictures waiting to be sent with their snapshot command (taken by the tile, sent by the handler). */
  private readonly pendingSnapshots = new Map<string, Promise<Blob | null>>();

  /**
   * A still of a camera's live picture, attached to the selected alarm, else the selected citizen request (or, given,
   * to `to`): the command is audited here, the feed server keeps the picture and journals the attachment.
   */
  snapshot(cameraId: string, picture: Promise<Blob | null>, to?: { alarmId?: string; requestId?: string }): Promise<CommandAck | null> {
    this.pendingSnapshots.set(cameraId, picture);
    const target =
      to ?? (this.ui.selectedAlarmId ? { alarmId: this.ui.selectedAlarmId } : this.ui.selectedRequestId ? { requestId: this.ui.selectedRequestId } : {});
    return this.command({
      type: 'snapshot',
      cameraId,
      ...(target.alarmId ? { alarmId: target.alarmId } : {}),
      ...(target.requestId ? { requestId: target.requestId } : {}),
    });
  }

  private async sendSnapshot(sink: CommandSink, cmd: CommandOf<'snapshot'>, rec: AuditRecord): Promise<CommandAck | null> {
    const picture = this.pendingSnapshots.get(cmd.cameraId);
    this.pendingSnapshots.delete(cmd.cameraId);
    const blob = picture ? await picture : null;
    if (!blob) return this.outcome(rec, t('video.noPicture'));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    // in parts: the feed socket takes messages of at most 64 KB
    const b64 = btoa(bin);
    const parts = Math.ceil(b64.length / SNAPSHOT_PART_CHARS);
    if (parts > MAX_SNAPSHOT_PARTS) return this.outcome(rec, t('video.snapshotTooBig'));
    const uploadId = crypto.randomUUID();
    try {
      for (let part = 0; part < parts; part++) {
        const jpeg = b64.slice(part * SNAPSHOT_PART_CHARS, (part + 1) * SNAPSHOT_PART_CHARS);
        const ack = await sink.call('video', {
          op: 'snapshot',
          cameraId: cmd.cameraId,
          ...(cmd.alarmId ? { alarmId: cmd.alarmId } : {}),
          ...(cmd.requestId ? { requestId: cmd.requestId } : {}),
          jpeg,
          uploadId,
          part,
          parts,
          by: this.ui.actor,
        });
        if (!ack.ok) return this.outcome(rec, ack.error);
      }
      return this.outcome(rec, null);
    } catch (e) {
      return this.outcome(rec, (e as Error).message);
    }
  }

  /** A player's view of a camera's stream: kept for the wall, and told to the feed server (a camera outage). */
  reportStreamHealth(cameraId: string, health: 'ok' | 'down' | 'unsupported', detail: string): void {
    runInAction(() => this.video.setHealth(cameraId, { health, detail, at: Date.now() }));
    void this.sink?.call('video', { op: 'health', cameraId, health, detail: detail.slice(0, 200) }).catch(() => undefined);
  }

  /** Fetches the camera registry (cameras with stream URLs) from the feed server. */
  async loadCameraRegistry(): Promise<void> {
    if (!this.sink) return;
    try {
      const ans = await this.sink.call('video', { op: 'list' });
      if (!ans.ok) return runInAction(() => this.video.setRegistry(null, ans.error));
      // the renderer trusts nothing it is sent: a record that fails the contract is left out and counted
      const raw = 'cameras' in ans && Array.isArray(ans.cameras) ? (ans.cameras as unknown[]) : [];
      const good = raw.flatMap((c) => {
        const r = CameraRecordSchema.safeParse(c);
        return r.success ? [r.data as CameraRecord] : [];
      });
      runInAction(() => this.video.setRegistry(good, good.length < raw.length ? t('video.registryRejected', { n: raw.length - good.length }) : null));
    } catch (e) {
      runInAction(() => this.video.setRegistry(null, (e as Error).message));
    }
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

  /** Opens a 3D Tiles folder (audited by name and file count); the 3D view loads it. */
  loadModelFolder(name: string, entries: Array<{ path: string; blob: Blob }>): void {
    const rec = this.ui.dispatch({ type: 'model', op: 'load', name, files: entries.length });
    const r = this.models.openFolder(name, entries);
    this.ui.settle(rec, 'error' in r ? `error: ${r.error.code}` : 'ok');
  }

  /** Opens a .3tz archive (audited by file name). */
  async loadModelArchive(file: Blob, name: string): Promise<void> {
    const rec = this.ui.dispatch({ type: 'model', op: 'load', name, files: 1 });
    const r = await this.models.openArchive(name, file);
    this.ui.settle(rec, 'error' in r ? `error: ${r.error.code}` : 'ok');
  }

  /** Opens a model named on the command line (config.models; audited like a picked one). */
  async loadConfiguredModel(m: ConfiguredModel, pageUrl: string): Promise<void> {
    const rec = this.ui.dispatch({ type: 'model', op: 'load', name: m.name, files: 1 });
    const r = await this.models.openConfigured(m, pageUrl);
    this.ui.settle(rec, 'error' in r ? `error: ${r.error.code}` : 'ok');
  }

  /** Places a model: the CRS it was georeferenced in and a height offset (m). */
  placeModel(id: string, crs: ModelCrs, heightOffset: number): void {
    const rec = this.ui.dispatch({ type: 'model', op: 'place', id, crs, heightOffset });
    this.ui.settle(rec, this.models.place(id, crs, heightOffset) ? 'ok' : 'error: no such model, or the offset is not a finite number within 2 km');
  }

  removeModel(id: string): void {
    const rec = this.ui.dispatch({ type: 'model', op: 'remove', id });
    this.ui.settle(rec, this.models.remove(id) ? 'ok' : 'error: no such model');
  }

  clearBasemap(): void {
    this.ui.dispatch({ type: 'basemap', op: 'clear' });
    this.imports.clearTiles();
  }

  newCommandId(): string {
    return crypto.randomUUID();
  }
}
