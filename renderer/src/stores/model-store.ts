/**
 * The user's own 3D Tiles models (a tileset folder or a .3tz): what is loaded, how each is placed (CRS correction,
 * height offset), how it is doing (loading, ready, failed tiles with the first reason) and the model feature last
 * picked in 3D with its properties. The 3D view draws them (models/tilesets.ts) and reports back through the
 * actions here; the operator's changes go through RootStore commands (audited).
 */
import { makeAutoObservable, observable } from 'mobx';
import type { ConfiguredModel } from '../../../data-pipelines/contracts/shell-config.ts';
import { archiveSource, folderSource, urlFolderSource, ModelError, type ModelSource } from '../models/source.ts';
import type { ModelCrs, Placement } from '../models/placement.ts';

export interface ModelEntry {
  id: string;
  name: string;
  kind: 'folder' | '3tz';
  files: number;
  status: 'loading' | 'ready' | 'error';
  /** why the tileset could not be opened (its JSON, or Cesium's reason) */
  error: string | null;
  placement: Placement | null;
  crs: ModelCrs;
  heightOffset: number;
  /** tiles that failed to load, and the first reason */
  tileErrors: number;
  firstTileError: string | null;
  tilesLoaded: number;
}

export interface PickedModelFeature {
  modelId: string;
  modelName: string;
  /** property name -> text, in the tileset's order */
  props: Array<[string, string]>;
}

export type ModelOpenError = { code: ModelError['code']; values: Record<string, string | number> };

export class ModelStore {
  models: ModelEntry[] = [];
  /** the models being opened (their names; several --model packages open at once) */
  opening: string[] = [];
  /** why the last pick could not be opened as a model */
  openError: ModelOpenError | null = null;
  picked: PickedModelFeature | null = null;
  private readonly sources = new Map<string, ModelSource>();
  /** the distinct failure reasons seen per model (so one missing file is one problem, however often it is asked for) */
  private readonly problems = new Map<string, Set<string>>();
  private n = 0;

  constructor() {
    makeAutoObservable<this, 'sources' | 'n'>(
      this,
      { sources: false, n: false, models: observable.deep, openError: observable.ref, picked: observable.ref },
      { autoBind: true },
    );
  }

  source(id: string): ModelSource | null {
    return this.sources.get(id) ?? null;
  }

  entry(id: string): ModelEntry | null {
    return this.models.find((m) => m.id === id) ?? null;
  }

  private add(src: ModelSource): string {
    const id = `model-${++this.n}`;
    this.sources.set(id, src);
    this.models.push({
      id,
      name: src.name,
      kind: src.kind,
      files: src.files,
      status: 'loading',
      error: null,
      placement: null,
      crs: 'WGS84',
      heightOffset: 0,
      tileErrors: 0,
      firstTileError: null,
      tilesLoaded: 0,
    });
    this.openError = null;
    return id;
  }

  private fail(e: unknown, name: string): ModelOpenError {
    const err: ModelOpenError = e instanceof ModelError ? { code: e.code, values: e.values } : { code: 'read', values: { name, detail: (e as Error).message } };
    this.openError = err;
    return err;
  }

  /** A picked folder (the Files are read only when Cesium asks for them). Returns the new id, or the error. */
  openFolder(name: string, entries: Array<{ path: string; blob: Blob }>): { id: string } | { error: ModelOpenError } {
    try {
      return { id: this.add(folderSource(name, entries)) };
    } catch (e) {
      return { error: this.fail(e, name) };
    }
  }

  /** A .3tz archive (its directory is read now, entries on demand). */
  async openArchive(name: string, file: Blob | { url: string }): Promise<{ id: string } | { error: ModelOpenError }> {
    this.opening.push(name);
    try {
      const src = await archiveSource(name, file);
      return { id: this.add(src) };
    } catch (e) {
      return { error: this.fail(e, name) };
    } finally {
      this.doneOpening(name);
    }
  }

  /** A model named on the command line, served by the page's own gateway (config.models). */
  async openConfigured(m: ConfiguredModel, pageUrl: string): Promise<{ id: string } | { error: ModelOpenError }> {
    const url = new URL(m.url, pageUrl).href;
    if (m.kind === 'folder') {
      try {
        return { id: this.add(urlFolderSource(m.name, url, m.root ?? 'tileset.json')) };
      } catch (e) {
        return { error: this.fail(e, m.name) };
      }
    }
    return this.openArchive(m.name, { url });
  }

  private doneOpening(name: string): void {
    const i = this.opening.indexOf(name);
    if (i >= 0) this.opening.splice(i, 1);
  }

  remove(id: string): boolean {
    const i = this.models.findIndex((m) => m.id === id);
    if (i < 0) return false;
    this.models.splice(i, 1);
    this.sources.delete(id);
    this.problems.delete(id);
    if (this.picked?.modelId === id) this.picked = null;
    return true;
  }

  /** The operator's placement: CRS the model was georeferenced in, and a height offset in metres (finite, ±2 km). */
  place(id: string, crs: ModelCrs, heightOffset: number): boolean {
    const m = this.entry(id);
    if (!m || !Number.isFinite(heightOffset) || Math.abs(heightOffset) > 2000) return false;
    m.crs = crs;
    m.heightOffset = heightOffset;
    return true;
  }

  // --- reported by the 3D view ---
  loaded(id: string, placement: Placement): void {
    const m = this.entry(id);
    if (!m) return;
    m.status = 'ready';
    m.placement = placement;
  }

  failed(id: string, reason: string): void {
    const m = this.entry(id);
    if (!m) return;
    m.status = 'error';
    m.error = reason;
  }

  /**
   * A tile or a file of the model failed (Cesium's tileFailed, or the resolver for a glTF's buffer or texture, which
   * Cesium only logs): counted once per distinct reason, the first one kept to show.
   */
  tileFailed(id: string, reason: string): void {
    const m = this.entry(id);
    if (!m) return;
    const seen = this.problems.get(id) ?? new Set<string>();
    this.problems.set(id, seen);
    // the same failure told twice (the resolver, then Cesium wrapping it in its own words): counted once
    const same = (a: string, b: string) => a === b || a.endsWith(`: ${b}`) || a.endsWith(` ${b}`);
    if ([...seen].some((x) => same(x, reason) || same(reason, x))) return;
    seen.add(reason);
    m.tileErrors++;
    m.firstTileError ??= reason;
  }

  /** The 3D view (re)opens a model (first time, or rebuilt after a lost GPU context): counts start again. */
  opened(id: string): void {
    const m = this.entry(id);
    if (!m) return;
    m.status = 'loading';
    m.error = null;
    m.tileErrors = 0;
    m.firstTileError = null;
    m.tilesLoaded = 0;
    this.problems.delete(id);
  }

  tileLoaded(id: string): void {
    const m = this.entry(id);
    if (m) m.tilesLoaded++;
  }

  pick(f: PickedModelFeature | null): void {
    this.picked = f;
  }
}
