/**
 * The user's own data layers: files read by renderer/src/import (pure), loaded into DuckDB as tables user_*, drawn by
 * the "imported" layer on both maps. Each import and removal is an audited operator command (names only: the bytes
 * never go into the audit trail).
 */
import { makeAutoObservable, observable, runInAction } from 'mobx';
import { importFiles, layerCsv, tableName, type ImportedLayer, type ImportFile, type StreetRef } from '../import/index.ts';
import type { SqlRunner } from '../analysis/sql-runner.ts';
import { memFile } from '../data/db-lockdown.ts';
import type { RGBA } from '../palette.ts';
import { BasemapError, indexTiles, openTileFile, type TileSource } from '../basemap/index.ts';
import { errorText, t } from '../i18n.ts';

export interface UserLayer {
  id: string;
  table: string;
  layer: ImportedLayer;
  visible: boolean;
  color: RGBA;
}

/** distinct from the live layers' alarm/status colours */
export const USER_COLORS: RGBA[] = [
  [255, 105, 180, 230],
  [0, 200, 255, 230],
  [180, 255, 80, 230],
  [255, 160, 40, 230],
  [190, 120, 255, 230],
];

export class ImportStore {
  layers: UserLayer[] = [];
  errors: string[] = [];
  busy = false;
  crsChoice = 'auto';
  version = 0;
  /** offline basemap tile package (both maps draw it under the district data) */
  tiles: TileSource | null = null;
  /** why the last package could not be used (a message key + values: the panel translates it) */
  tilesError: BasemapError | null = null;
  /** the package file being opened, or null */
  tilesOpening: string | null = null;
  private tilesSeq = 0;
  private db: Promise<SqlRunner> | null = null;
  private n = 0;
  /** the files each layer came from (to read it again with another CRS) */
  private readonly sources = new Map<string, ImportFile[]>();
  private streets: () => StreetRef | null = () => null;
  /** called after tables change (the SQL console's schema browser) */
  onTablesChanged: () => void = () => undefined;

  constructor() {
    makeAutoObservable<this, 'db' | 'tilesSeq' | 'sources' | 'streets' | 'n'>(
      this,
      {
        db: false,
        tilesSeq: false,
        sources: false,
        streets: false,
        n: false,
        layers: observable.shallow,
        onTablesChanged: false,
        tiles: observable.ref,
        tilesError: observable.ref,
      },
      { autoBind: true },
    );
  }

  /** The database imports load into (a promise while DuckDB-Wasm starts: an import asked for sooner waits for it). */
  attach(db: SqlRunner | Promise<SqlRunner>): void {
    this.db = Promise.resolve(db);
  }

  /** The CRS for the next import's files that do not declare one; reset to 'auto' after each import. */
  setCrsChoice(id: string): void {
    this.crsChoice = id;
  }

  /** Where the district's streets come from (GCJ-02 / BD-09 detection); set by the root store. */
  attachStreets(fn: () => StreetRef | null): void {
    this.streets = fn;
  }

  /** Reads, converts and loads the files; returns the layers added. Errors are listed per dataset. */
  async addFiles(files: ImportFile[]): Promise<UserLayer[]> {
    const pending = this.db;
    if (!pending) throw new Error('database not ready');
    const choice = this.crsChoice;
    // one import, one choice: the next batch starts from "auto" again (a file's declared CRS wins anyway)
    runInAction(() => {
      this.busy = true;
      this.crsChoice = 'auto';
    });
    let db: SqlRunner;
    try {
      db = await pending;
    } catch (e) {
      runInAction(() => (this.busy = false));
      throw e;
    }
    const { layers, errors } = await importFiles(files, { crs: choice, streets: this.streets() });
    const added: UserLayer[] = [];
    for (const layer of layers) {
      const n = ++this.n;
      const table = tableName(layer.name, n);
      try {
        await this.load(db, table, n, layer);
        this.sources.set(table, files);
        added.push({ id: table, table, layer, visible: true, color: USER_COLORS[(n - 1) % USER_COLORS.length]! });
      } catch (e) {
        errors.push(t('import.dbLoadFailed', { name: layer.name, detail: errorText(e) }));
      }
    }
    runInAction(() => {
      this.layers.push(...added);
      this.errors = errors;
      this.busy = false;
      this.version++;
    });
    if (added.length) this.onTablesChanged();
    return added;
  }

  /**
   * Reads a layer's files again with the user's CRS for that layer only (it wins over the file's own declaration) and
   * replaces its table. Resolves to an error message, or null.
   */
  async reimport(id: string, crs: string): Promise<string | null> {
    const db = await this.db;
    const l = this.layers.find((x) => x.id === id);
    const files = this.sources.get(id);
    if (!db || !l || !files) return t('import.reimportGone');
    runInAction(() => (this.busy = true));
    const { layers, errors } = await importFiles(files, { overrides: { [l.layer.name]: crs }, streets: this.streets() });
    const layer = layers.find((x) => x.name === l.layer.name);
    let error: string | null = layer ? null : (errors[0] ?? t('import.reimportGone'));
    if (layer) {
      try {
        await this.load(db, l.table, Number(/_(\d+)$/.exec(l.table)?.[1] ?? 0), layer);
      } catch (e) {
        error = t('import.dbLoadFailed', { name: layer.name, detail: errorText(e) });
      }
    }
    runInAction(() => {
      if (layer && !error) this.layers = this.layers.map((x) => (x.id === id ? { ...x, layer } : x));
      this.errors = error ? [error] : [];
      this.busy = false;
      this.version++;
    });
    if (!error) this.onTablesChanged();
    return error;
  }

  /** The user keeps the layer as read: the GCJ-02/BD-09 question goes away. */
  dismissQuestion(id: string): void {
    this.layers = this.layers.map((x) => (x.id === id ? { ...x, layer: { ...x.layer, crsQuestion: null } } : x));
    this.version++;
  }

  private async load(db: SqlRunner, table: string, n: number, layer: ImportedLayer): Promise<void> {
    const { csv, columns } = layerCsv(layer);
    // an in-memory file under the lockdown's directory; ASCII whatever the table is called
    const file = memFile(`user_import_${n}.csv`);
    await db.registerText(file, csv);
    const cols = Object.entries(columns)
      .map(([k, v]) => `'${k.replaceAll("'", "''")}': '${v}'`)
      .join(', ');
    await db.rows(
      `CREATE OR REPLACE TABLE "${table.replaceAll('"', '""')}" AS SELECT * FROM read_csv('${file}', header = true, quote = '"', escape = '"', columns = {${cols}})`,
    );
  }

  /** Indexes a picked tile folder; the previous package stays if this one has no tiles. */
  loadTiles(entries: Array<{ path: string; blob: Blob }>, near: { lon: number; lat: number }, name: string): TileSource | null {
    this.tilesSeq++;
    this.tilesOpening = null;
    try {
      this.setTiles(indexTiles(entries, near, name));
    } catch (e) {
      this.tilesError = asBasemapError(e, name);
    }
    return this.tiles;
  }

  /**
   * Opens an .mbtiles or .pmtiles file (read lazily by slices: never loaded whole); the previous package stays if this
   * one cannot be used. Resolves to null when loaded, else the error, or 'superseded' when a later package came first.
   */
  async loadTileFile(file: Blob, name: string): Promise<BasemapError | 'superseded' | null> {
    const seq = ++this.tilesSeq;
    this.tilesOpening = name;
    this.tilesError = null;
    let src: TileSource | null = null;
    let error: BasemapError | null = null;
    try {
      src = await openTileFile(file, name);
    } catch (e) {
      error = asBasemapError(e, name);
    }
    if (seq !== this.tilesSeq) {
      src?.close?.();
      return 'superseded';
    }
    runInAction(() => {
      this.tilesOpening = null;
      if (src) this.setTiles(src);
      else this.tilesError = error;
    });
    return error;
  }

  clearTiles(): void {
    this.tilesSeq++;
    this.tiles?.close?.();
    this.tiles = null;
    this.tilesError = null;
    this.tilesOpening = null;
  }

  private setTiles(src: TileSource): void {
    if (this.tiles !== src) this.tiles?.close?.();
    this.tiles = src;
    this.tilesError = null;
  }

  setVisible(id: string, visible: boolean): void {
    const l = this.layers.find((x) => x.id === id);
    if (l) l.visible = visible;
    this.version++;
  }

  async remove(id: string): Promise<void> {
    const l = this.layers.find((x) => x.id === id);
    if (!l) return;
    await (await this.db)?.rows(`DROP TABLE IF EXISTS "${l.table.replaceAll('"', '""')}"`);
    this.sources.delete(id);
    runInAction(() => {
      this.layers = this.layers.filter((x) => x.id !== id);
      this.version++;
    });
    this.onTablesChanged();
  }
}

function asBasemapError(e: unknown, name: string): BasemapError {
  if (e instanceof BasemapError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new BasemapError('readFailed', { name, detail });
}
