/**
 * The user's own data layers: files read by renderer/src/import (pure), loaded into DuckDB as tables user_*, drawn by
 * the "imported" layer on both maps. Each import and removal is an audited operator command (names only: the bytes
 * never go into the audit trail).
 */
import { makeAutoObservable, observable, runInAction } from 'mobx';
import { importFiles, layerCsv, tableName, type ImportedLayer, type ImportFile } from '../import/index.ts';
import type { SqlRunner } from '../analysis/sql-runner.ts';
import type { RGBA } from '../layers/manholes/format.ts';
import { indexTiles, type TileIndex } from '../basemap/tile-package.ts';

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
  tiles: TileIndex | null = null;
  tilesError = '';
  private db: SqlRunner | null = null;
  private n = 0;
  /** called after tables change (the SQL console's schema browser) */
  onTablesChanged: () => void = () => undefined;

  constructor() {
    makeAutoObservable<this, 'db'>(this, { db: false, layers: observable.shallow, onTablesChanged: false, tiles: observable.ref }, { autoBind: true });
  }

  attach(db: SqlRunner): void {
    this.db = db;
  }

  setCrsChoice(id: string): void {
    this.crsChoice = id;
  }

  /** Reads, converts and loads the files; returns the layers added. Errors are listed per dataset. */
  async addFiles(files: ImportFile[]): Promise<UserLayer[]> {
    const db = this.db;
    if (!db) throw new Error('database not ready');
    runInAction(() => (this.busy = true));
    const { layers, errors } = importFiles(files, this.crsChoice);
    const added: UserLayer[] = [];
    for (const layer of layers) {
      const table = tableName(layer.name, ++this.n);
      try {
        const { csv, columns } = layerCsv(layer);
        await db.registerText(`${table}.csv`, csv);
        const cols = Object.entries(columns).map(([k, v]) => `'${k.replaceAll("'", "''")}': '${v}'`).join(', ');
        await db.rows(`CREATE OR REPLACE TABLE "${table}" AS SELECT * FROM read_csv('${table}.csv', header = true, quote = '"', escape = '"', columns = {${cols}})`);
        added.push({ id: table, table, layer, visible: true, color: USER_COLORS[(this.n - 1) % USER_COLORS.length]! });
      } catch (e) {
        errors.push(`${layer.name}: loading into the local database failed: ${(e as Error).message}`);
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

  /** Indexes a picked tile folder; the previous package stays if this one has no tiles. */
  loadTiles(entries: Array<{ path: string; blob: Blob }>, near: { lon: number; lat: number }, name: string): TileIndex | null {
    try {
      this.tiles = indexTiles(entries, near, name);
      this.tilesError = '';
    } catch (e) {
      this.tilesError = (e as Error).message;
    }
    return this.tiles;
  }

  clearTiles(): void {
    this.tiles = null;
    this.tilesError = '';
  }

  setVisible(id: string, visible: boolean): void {
    const l = this.layers.find((x) => x.id === id);
    if (l) l.visible = visible;
    this.version++;
  }

  async remove(id: string): Promise<void> {
    const l = this.layers.find((x) => x.id === id);
    if (!l) return;
    await this.db?.rows(`DROP TABLE IF EXISTS "${l.table}"`);
    runInAction(() => {
      this.layers = this.layers.filter((x) => x.id !== id);
      this.version++;
    });
    this.onTablesChanged();
  }
}
