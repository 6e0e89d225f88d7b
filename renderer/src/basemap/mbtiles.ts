/**
 * MBTiles (https://github.com/mapbox/mbtiles-spec) read lazily with the SQLite reader in ./sqlite.ts: a lookup reads
 * a handful of pages, never the whole file, so multi-gigabyte packages from intranet tile downloaders open at once.
 * Two layouts are understood:
 * - `tiles` TABLE (zoom_level, tile_column, tile_row, tile_data), looked up through an index on those columns (any
 *   order, or a UNIQUE/PRIMARY KEY autoindex); without one, a single scan maps (z, x, row) → rowid (small files);
 * - mbutil's deduplicated layout: `tiles` VIEW over `map` (zoom_level, tile_column, tile_row, tile_id) and `images`
 *   (tile_data, tile_id), each looked up by its index (or rowid when tile_id is the INTEGER PRIMARY KEY, or a scan).
 * Rows are TMS (row = 2^z − 1 − y). `metadata` gives name, format, bounds, minzoom, maxzoom; missing zooms come from
 * the index's first and last entries, missing bounds from the tiles at the lowest zoom, the format from the first tile.
 * Raster only: vector packages (pbf/mvt, or gzip tile data) are refused. Every failure to open is a BasemapError.
 */
import { SqliteError, SqliteFile, indexColumns, tableColumns, type ByteSource, type SchemaEntry, type Value } from './sqlite.ts';
import { BasemapError, MIME, WORLD_BOUNDS, rasterFormat, sniffFormat, type TileSource } from './source.ts';
import { tileToLonLat } from './tile-package.ts';

type Key = Value[];

/** A table looked up by key columns: by an index, the rowid, or one scan into a map. */
class Keyed {
  private map: Map<string, number> | null = null;
  /** index root and, per index column, its position in the key */
  private index: { root: number; order: number[] } | null = null;
  private readonly cols: string[];
  private readonly alias: number;

  constructor(
    private readonly db: SqliteFile,
    private readonly t: SchemaEntry,
    private readonly key: string[],
  ) {
    const { names, rowidAlias } = tableColumns(t.sql);
    this.cols = names.map((n) => n.toLowerCase());
    this.alias = rowidAlias;
    const autos = db.schema.filter((s) => s.type === 'index' && s.table === t.name && !s.sql);
    for (const s of db.schema) {
      if (s.type !== 'index' || s.table !== t.name || !s.root) continue;
      const cols = indexColumns(s.sql || (autos.length === 1 ? t.sql : ''));
      const order = cols.slice(0, key.length).map((c) => key.indexOf(c));
      if (order.length === key.length && !order.includes(-1) && new Set(order).size === key.length) {
        this.index = { root: s.root, order };
        break;
      }
    }
  }

  get byRowid(): boolean {
    return this.key.length === 1 && this.alias >= 0 && this.cols[this.alias] === this.key[0];
  }

  get scanned(): Map<string, number> | null {
    return this.map;
  }

  get zoomFirst(): boolean {
    return !!this.index && this.key[this.index.order[0]!] === 'zoom_level';
  }

  col(name: string): number {
    const i = this.cols.indexOf(name);
    if (i < 0) throw new SqliteError('unsupported', `table ${this.t.name} has no column ${name}`);
    return i;
  }

  /** Without an index: one scan of the key columns (the fallback for small files). */
  async prepare(): Promise<void> {
    if (this.index || this.byRowid) return;
    const pos = this.key.map((k) => this.col(k));
    const map = new Map<string, number>();
    for await (const { cell } of this.db.scan(this.t.root)) {
      const rec = await this.db.record(cell, pos);
      map.set(pos.map((p) => (p === this.alias ? cell.rowid : rec[p])).join('/'), cell.rowid);
    }
    this.map = map;
  }

  async rowid(key: Key): Promise<number | null> {
    if (this.byRowid) return typeof key[0] === 'number' ? key[0] : null;
    if (this.map) return this.map.get(key.join('/')) ?? null;
    const ix = this.index!;
    const rec = await this.db.find(
      ix.root,
      ix.order.map((p) => key[p]!),
    );
    const rowid = rec?.[rec.length - 1];
    return typeof rowid === 'number' ? rowid : null;
  }

  async read(rowid: number, name: string): Promise<Value> {
    const c = this.col(name);
    if (c === this.alias) return rowid;
    const row = await this.db.row(this.t.root, rowid, [c]);
    return row ? (row[c] ?? null) : null;
  }

  /** Keys in order from the first with zoom ≥ `zoom` (index with zoom first), else all keys unordered. */
  async *keys(zoom?: number): AsyncGenerator<Key> {
    if (this.map) {
      for (const k of this.map.keys()) yield k.split('/').map(Number);
      return;
    }
    const ix = this.index!;
    for await (const rec of this.db.entries(ix.root, zoom !== undefined && this.zoomFirst ? [zoom] : [])) {
      const key: Key = [];
      ix.order.forEach((p, i) => (key[p] = rec[i]!));
      yield key;
    }
  }

  async edge(last: boolean): Promise<Key | null> {
    const ix = this.index!;
    const rec = await this.db.edge(ix.root, last);
    if (!rec) return null;
    const key: Key = [];
    ix.order.forEach((p, i) => (key[p] = rec[i]!));
    return key;
  }
}

const ZXR = ['zoom_level', 'tile_column', 'tile_row'];

/** Opens an MBTiles file; every failure is a BasemapError naming the file. */
export async function openMbtiles(src: ByteSource, name: string, opts: { cachePages?: number } = {}): Promise<TileSource> {
  if (!src.size) throw new BasemapError('empty', { name });
  try {
    const db = await SqliteFile.open(src, opts.cachePages);
    const find = (n: string) => db.schema.find((s) => s.name.toLowerCase() === n && (s.type === 'table' || s.type === 'view'));
    const tiles = find('tiles');
    if (!tiles) throw new BasemapError('noTilesTable', { name });
    let lookup: (z: number, x: number, row: number) => Promise<Value>;
    let main: Keyed;
    if (tiles.type === 'table') {
      if (/without\s+rowid/i.test(tiles.sql)) throw new BasemapError('unsupported', { name, detail: 'a WITHOUT ROWID tiles table' });
      main = new Keyed(db, tiles, ZXR);
      await main.prepare();
      lookup = async (z, x, r) => {
        const id = await main.rowid([z, x, r]);
        return id === null ? null : main.read(id, 'tile_data');
      };
    } else {
      const map = find('map');
      const images = find('images');
      if (map?.type !== 'table' || images?.type !== 'table') throw new BasemapError('badView', { name });
      main = new Keyed(db, map, ZXR);
      const img = new Keyed(db, images, ['tile_id']);
      await main.prepare();
      await img.prepare();
      lookup = async (z, x, r) => {
        const id = await main.rowid([z, x, r]);
        const tileId = id === null ? null : await main.read(id, 'tile_id');
        const imgId = tileId === null ? null : await img.rowid([tileId]);
        return imgId === null ? null : img.read(imgId, 'tile_data');
      };
    }
    // metadata (optional)
    const meta = new Map<string, string>();
    const mt = find('metadata');
    if (mt?.type === 'table') {
      const cols = tableColumns(mt.sql).names.map((n) => n.toLowerCase());
      const [ni, vi] = [cols.indexOf('name'), cols.indexOf('value')];
      if (ni >= 0 && vi >= 0)
        for await (const { cell } of db.scan(mt.root)) {
          const rec = await db.record(cell, [ni, vi]);
          if (rec[ni] !== null && rec[vi] !== null) meta.set(String(rec[ni]).toLowerCase(), String(rec[vi]));
        }
    }
    const metaFormat = (meta.get('format') ?? '').toLowerCase();
    if (/^(pbf|mvt|application\/(x-)?protobuf|application\/vnd\.mapbox-vector-tile)$/.test(metaFormat))
      throw new BasemapError('vector', { name, kind: 'MBTiles' });
    // zooms: metadata, else the index's first and last entries, else the scanned keys
    const int = (s: string | undefined) => (s !== undefined && /^\s*\d{1,2}\s*$/.test(s) ? Number(s) : null);
    let minZoom = int(meta.get('minzoom'));
    let maxZoom = int(meta.get('maxzoom'));
    let first: Key | null = null;
    if (main.zoomFirst) {
      first = await main.edge(false);
      const last = await main.edge(true);
      if (first && last) {
        minZoom ??= Number(first[0]);
        maxZoom ??= Number(last[0]);
      }
    } else {
      let lo = Infinity;
      let hi = -Infinity;
      for await (const k of main.keys()) {
        first ??= k;
        lo = Math.min(lo, Number(k[0]));
        hi = Math.max(hi, Number(k[0]));
      }
      if (first) {
        minZoom ??= lo;
        maxZoom ??= hi;
      }
    }
    if (!first || minZoom === null || maxZoom === null) throw new BasemapError('noTiles', { name });
    // the format, checked on the first tile whatever the metadata says (gzip = a compressed vector tile)
    const sample = await lookup(Number(first[0]), Number(first[1]), Number(first[2]));
    const sniffed = sample instanceof Uint8Array ? sniffFormat(sample) : null;
    if (sniffed === 'gzip' || (sample instanceof Uint8Array && !sniffed && sample[0] === 0x1a)) throw new BasemapError('vector', { name, kind: 'MBTiles' });
    const format = sniffed ?? rasterFormat(metaFormat);
    if (!format) throw new BasemapError('unsupported', { name, detail: `tile format ${metaFormat || 'unknown'} (raster png/jpg/webp only)` });
    // bounds: metadata, else the tiles at the lowest zoom (up to 4096 of them)
    let bounds = parseBounds(meta.get('bounds'));
    const scanned = main.scanned;
    if (!bounds) {
      let [x0, y0, x1, y1, n] = [Infinity, Infinity, -Infinity, -Infinity, 0];
      for await (const [z, x, r] of main.keys(minZoom)) {
        if (Number(z) !== minZoom) {
          if (main.zoomFirst) break;
          continue;
        }
        const y = 2 ** minZoom - 1 - Number(r);
        [x0, y0, x1, y1] = [Math.min(x0, Number(x)), Math.min(y0, y), Math.max(x1, Number(x)), Math.max(y1, y)];
        if (++n > 4096) break;
      }
      if (n && n <= 4096) {
        const [w, north] = tileToLonLat(x0, y0, minZoom);
        const [e, s] = tileToLonLat(x1 + 1, y1 + 1, minZoom);
        bounds = [w, s, e, north];
      } else bounds = WORLD_BOUNDS;
    }
    const mime = MIME[format]!;
    let open = true;
    return {
      name: meta.get('name') || name,
      kind: 'mbtiles',
      minZoom,
      maxZoom,
      scheme: 'tms',
      format,
      count: scanned ? scanned.size : null,
      bounds,
      async get(z, x, y) {
        if (!open || z < 0 || z > 30 || x < 0 || y < 0 || x >= 2 ** z || y >= 2 ** z) return null;
        const data = await lookup(z, x, 2 ** z - 1 - y);
        return data instanceof Uint8Array ? new Blob([data.slice().buffer], { type: mime }) : null;
      },
      close() {
        open = false;
        db.close();
      },
    };
  } catch (e) {
    if (e instanceof BasemapError) throw e;
    if (e instanceof SqliteError) throw new BasemapError(e.code === 'notSqlite' ? 'notMbtiles' : e.code, { name, detail: e.message });
    // the file could not be read (moved, unplugged: a DOMException or a Node error code), else the bytes made no sense
    const io = (typeof DOMException !== 'undefined' && e instanceof DOMException) || typeof (e as { code?: unknown }).code === 'string';
    const detail = (e as Error).message;
    throw new BasemapError(io ? 'readFailed' : 'corrupt', { name, detail });
  }
}

/** "west,south,east,north" in degrees, or null when absent or not a sane box. */
export function parseBounds(s: string | undefined): [number, number, number, number] | null {
  const v = (s ?? '').split(',').map(Number);
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n))) return null;
  const [w, so, e, n] = v as [number, number, number, number];
  return w < e && so < n && w >= -180 && e <= 180 && so >= -90 && n <= 90 ? [w, so, e, n] : null;
}
