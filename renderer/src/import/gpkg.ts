/**
 * GeoPackage (.gpkg) and plain SQLite (.sqlite/.db) files, read with the project's own read-only SQLite reader
 * (renderer/src/basemap/sqlite.ts — the one MBTiles uses). GeoPackage: every "features" table of gpkg_contents is a
 * layer; its geometry column comes from gpkg_geometry_columns and its CRS from gpkg_spatial_ref_sys (EPSG code, else
 * the WKT definition). Plain SQLite: every table whose rows carry a geometry column (WKT/GeoJSON/WKB text or blobs)
 * or lon/lat columns is a layer, read like a CSV. Values in the file's own coordinates; the caller converts.
 */
import { SqliteError, SqliteFile, tableColumns, type ByteSource, type Value } from '../basemap/sqlite.ts';
import { errorText, t } from '../i18n.ts';
import { crsFromPrj, parseCrs, type CrsSpec } from './crs.ts';
import { readTable, type CellValue, type Props, type RawLayer } from './formats.ts';
import { hexBytes, parseGpkgGeometry } from './geometry.ts';
import { ImportError } from './shapefile.ts';

export interface DbLayer {
  table: string;
  raw: RawLayer;
  /** CRS the file declares for this table; null when it does not */
  crs: CrsSpec | null;
}

const SQLITE_MAGIC = 'SQLite format 3\0';

export function isSqlite(bytes: Uint8Array): boolean {
  return bytes.length >= 16 && String.fromCharCode(...bytes.subarray(0, 16)) === SQLITE_MAGIC;
}

function memorySource(b: Uint8Array): ByteSource {
  return { size: b.length, read: (offset, length) => Promise.resolve(b.subarray(offset, offset + length)) };
}

interface Rows {
  names: string[];
  rows: Value[][];
  rowids: number[];
}

async function readRows(db: SqliteFile, table: string): Promise<Rows | null> {
  const e = db.schema.find((s) => s.type === 'table' && s.name.toLowerCase() === table.toLowerCase());
  if (!e) return null;
  if (/\bwithout\s+rowid\b/i.test(e.sql)) throw new ImportError('importer.sqlite.withoutRowid', { table });
  const { names, rowidAlias } = tableColumns(e.sql);
  const rows: Value[][] = [];
  const rowids: number[] = [];
  for await (const { cell } of db.scan(e.root)) {
    const rec = await db.record(cell);
    const row = names.map((_, i) => rec[i] ?? null);
    // an INTEGER PRIMARY KEY column is stored as NULL: its value is the rowid
    if (rowidAlias >= 0) row[rowidAlias] = cell.rowid;
    rows.push(row);
    rowids.push(cell.rowid);
  }
  return { names, rows, rowids };
}

const str = (v: Value | undefined) => (v === null || v === undefined ? '' : v instanceof Uint8Array ? '' : String(v));

async function srsCrs(db: SqliteFile, srsId: number): Promise<CrsSpec | null> {
  if (srsId === 0 || srsId === -1) return null; // "undefined geographic / cartesian": left to the ranges
  const srs = await readRows(db, 'gpkg_spatial_ref_sys');
  const col = (n: string) => srs?.names.findIndex((x) => x.toLowerCase() === n) ?? -1;
  const row = srs?.rows.find((r) => Number(r[col('srs_id')]) === srsId);
  if (!row) return parseCrs(`EPSG:${srsId}`);
  const org = str(row[col('organization')]).toUpperCase();
  const code = Number(row[col('organization_coordsys_id')]);
  const def = str(row[col('definition')]);
  if (org === 'EPSG') {
    try {
      return parseCrs(`EPSG:${code}`);
    } catch (e) {
      if (!def || def === 'undefined') throw e;
    }
  }
  if (!def || def === 'undefined') return null;
  return crsFromPrj(def);
}

async function readGpkg(file: string, db: SqliteFile): Promise<DbLayer[]> {
  const contents = (await readRows(db, 'gpkg_contents'))!;
  const ci = (r: Rows, n: string) => r.names.findIndex((x) => x.toLowerCase() === n);
  const kinds = new Set<string>();
  const tables: Array<{ table: string; srs: number }> = [];
  for (const r of contents.rows) {
    const kind = str(r[ci(contents, 'data_type')]);
    kinds.add(kind);
    if (kind === 'features') tables.push({ table: str(r[ci(contents, 'table_name')]), srs: Number(r[ci(contents, 'srs_id')] ?? 0) });
  }
  if (!tables.length) throw new ImportError('importer.gpkg.noFeatures', { file, kinds: [...kinds].join(', ') || '—' });
  const gcols = await readRows(db, 'gpkg_geometry_columns');
  const out: DbLayer[] = [];
  for (const { table, srs } of tables) {
    const g = gcols?.rows.find((r) => str(r[ci(gcols, 'table_name')]).toLowerCase() === table.toLowerCase());
    const geomName = g ? str(g[ci(gcols!, 'column_name')]) : '';
    const rows = await readRows(db, table);
    if (!rows) throw new ImportError('importer.gpkg.missingTable', { file, table });
    const gi = rows.names.findIndex((n) => n.toLowerCase() === geomName.toLowerCase());
    if (gi < 0) throw new ImportError('importer.gpkg.noGeomColumn', { file, table });
    const srsId = g ? Number(g[ci(gcols!, 'srs_id')] ?? srs) : srs;
    const bad: number[] = [];
    const reasons = new Set<string>();
    let zm = false;
    const features = rows.rows.map((r, i) => {
      const properties: Props = {};
      rows.names.forEach((n, c) => {
        if (c === gi) return;
        const v = r[c] ?? null;
        properties[n] = v instanceof Uint8Array ? `[BLOB ${v.length} B]` : v;
      });
      const v = r[gi];
      let geometry: GeoJSON.Geometry | null = null;
      if (v instanceof Uint8Array) {
        try {
          const w = parseGpkgGeometry(v);
          geometry = w.geometry;
          zm ||= w.zm;
        } catch (e) {
          reasons.add(errorText(e));
          bad.push(rows.rowids[i]!);
        }
      } else if (v !== null && v !== undefined) {
        reasons.add(t('importer.gpkg.notBlob'));
        bad.push(rows.rowids[i]!);
      }
      return { geometry, properties };
    });
    const warnings: string[] = [];
    if (bad.length)
      warnings.push(
        t('importer.gpkg.badRows', {
          file,
          table,
          n: bad.length,
          rows: `${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`,
          reason: [...reasons].slice(0, 2).join('; '),
        }),
      );
    if (zm) warnings.push(t('importer.table.dropZM', { file: `${file}: ${table}` }));
    out.push({ table, raw: { features, crsHint: null, warnings, encoding: 'utf-8', coordColumns: [geomName] }, crs: await srsCrs(db, srsId) });
  }
  return out;
}

async function readPlain(file: string, db: SqliteFile): Promise<DbLayer[]> {
  const out: DbLayer[] = [];
  const skipped: string[] = [];
  for (const e of db.schema) {
    if (e.type !== 'table' || /^sqlite_/i.test(e.name) || /without\s+rowid/i.test(e.sql)) continue;
    const rows = await readRows(db, e.name);
    if (!rows || !rows.rows.length) {
      skipped.push(e.name);
      continue;
    }
    try {
      const { srids, ...raw } = readTable(`${file}: ${e.name}`, rows.names, rows.rows as CellValue[][], (i) => rows.rowids[i]!, 'rowid');
      out.push({ table: e.name, raw, crs: srids.length === 1 ? parseCrs(`EPSG:${srids[0]}`) : null });
    } catch (err) {
      if (err instanceof ImportError && err.key === 'importer.csv.noCoords') skipped.push(e.name);
      else throw err;
    }
  }
  if (!out.length) throw new ImportError('importer.sqlite.noGeometry', { file, tables: skipped.slice(0, 10).join(', ') || '—' });
  return out;
}

/** All layers of a GeoPackage or SQLite file. */
export async function readDatabase(file: string, bytes: Uint8Array): Promise<{ kind: 'gpkg' | 'sqlite'; layers: DbLayer[] }> {
  if (!isSqlite(bytes)) throw new ImportError('importer.sqlite.notSqlite', { file, bytes: hexBytes(bytes, 16) });
  try {
    const db = await SqliteFile.open(memorySource(bytes));
    try {
      return db.schema.some((s) => s.type === 'table' && s.name.toLowerCase() === 'gpkg_contents')
        ? { kind: 'gpkg', layers: await readGpkg(file, db) }
        : { kind: 'sqlite', layers: await readPlain(file, db) };
    } finally {
      db.close();
    }
  } catch (e) {
    if (e instanceof SqliteError) throw new ImportError('importer.sqlite.bad', { file, detail: e.message });
    throw e;
  }
}
