/**
 * Import of the user's own data: groups the dropped files into datasets (a shapefile is .shp + .dbf + .prj + .cpg),
 * reads each, settles its CRS (the user's choice, else the file's own metadata, else the coordinate ranges — or a clear
 * error), converts every coordinate to WGS84, and describes the attribute fields. Pure: the store loads the result
 * into DuckDB and the map layers draw it.
 */
import { geometryBbox } from '../../../data-pipelines/geo/measure.ts';
import { crsFromPrj, crsLabel, guessFromRange, parseCrs, toWgs84Fn, CrsError, type CrsSpec } from './crs.ts';
import { assertText, readCsv, readGeoJson, readKml, type Props, type RawLayer } from './formats.ts';
import { isSqlite, readDatabase } from './gpkg.ts';
import { platformQuestion, type CrsQuestion, type StreetRef } from './platform.ts';
import { ImportError, readShapefile, safeText } from './shapefile.ts';
import { errorText, t } from '../i18n.ts';

export { ImportError, CrsError };
export type { CrsQuestion, StreetRef };

export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}

export interface ImportedField {
  name: string;
  type: 'number' | 'text' | 'boolean';
}

export interface ImportedLayer {
  name: string;
  format: 'geojson' | 'csv' | 'shapefile' | 'kml' | 'gpkg' | 'sqlite';
  crs: string;
  crsSource: 'user' | 'file' | 'range';
  /** the text encoding; how it was settled (shapefiles: 'cpg' | 'ldid' | 'detected') */
  encoding: string;
  encodingSource: string | null;
  notes: string[];
  warnings: string[];
  /** the data may be GCJ-02 / BD-09 rather than what it was read as: ask the user (never applied silently) */
  crsQuestion: CrsQuestion | null;
  fields: ImportedField[];
  /** WGS84 */
  features: Array<{ geometry: GeoJSON.Geometry | null; properties: Props }>;
  bbox: [number, number, number, number] | null;
}

export interface ImportOptions {
  /** CRS for the datasets whose files do not declare one ('auto': from the coordinate ranges) */
  crs?: string;
  /** CRS for particular layers, by layer name: the user overrode that file, so it wins over what the file declares */
  overrides?: Record<string, string>;
  /** the district's streets, to test degrees against GCJ-02 / BD-09 readings */
  streets?: StreetRef | null;
}

const ext = (n: string) => /\.([^.]+)$/.exec(n.toLowerCase())?.[1] ?? '';
const stem = (n: string) => n.replace(/\.[^.]+$/, '');

function mapGeometry(g: GeoJSON.Geometry, fn: (x: number, y: number) => [number, number]): GeoJSON.Geometry {
  if (g.type === 'GeometryCollection') return { type: 'GeometryCollection', geometries: g.geometries.map((x) => mapGeometry(x, fn)) };
  const walk = (c: unknown): unknown => (typeof (c as number[])[0] === 'number' ? fn((c as number[])[0]!, (c as number[])[1]!) : (c as unknown[]).map(walk));
  return { ...g, coordinates: walk(g.coordinates) } as GeoJSON.Geometry;
}

/** Bounding box of the features' geometries; a NaN coordinate makes it non-finite (see geometryBbox). */
export function bboxOf(features: Array<{ geometry: GeoJSON.Geometry | null }>): [number, number, number, number] | null {
  return geometryBbox(features.map((f) => f.geometry));
}

function fieldsOf(features: Array<{ properties: Props }>): ImportedField[] {
  const types = new Map<string, Set<string>>();
  for (const f of features)
    for (const [k, v] of Object.entries(f.properties)) {
      const s = types.get(k) ?? new Set<string>();
      if (v !== null) s.add(typeof v);
      types.set(k, s);
    }
  return [...types].map(([name, s]) => ({ name, type: s.size === 1 && s.has('number') ? 'number' : s.size === 1 && s.has('boolean') ? 'boolean' : 'text' }));
}

/** Groups files into datasets: shapefile parts by base name; every other supported file on its own. */
export function groupFiles(files: ImportFile[]): Array<{ name: string; files: Record<string, ImportFile> }> {
  const groups = new Map<string, Record<string, ImportFile>>();
  for (const f of files) {
    const e = ext(f.name);
    const key = ['shp', 'dbf', 'prj', 'cpg', 'shx', 'sbn', 'sbx', 'xml'].includes(e) ? `shp:${stem(f.name)}` : `${e}:${f.name}`;
    const g = groups.get(key) ?? {};
    g[e] = f;
    groups.set(key, g);
  }
  return [...groups].map(([key, g]) => ({ name: key.startsWith('shp:') ? key.slice(4) : stem(key.slice(key.indexOf(':') + 1)), files: g }));
}

/** The files of one dataset, read in their own coordinates (a GeoPackage or SQLite file may hold several layers). */
async function readDataset(
  name: string,
  files: Record<string, ImportFile>,
): Promise<Array<{ name: string; format: ImportedLayer['format']; raw: RawLayer; fileCrs: CrsSpec | null }>> {
  if (files['shp']) {
    const r = readShapefile({
      name: files['shp'].name,
      shp: files['shp'].bytes,
      ...(files['dbf'] ? { dbf: files['dbf'].bytes } : {}),
      ...(files['cpg'] ? { cpg: new TextDecoder().decode(files['cpg'].bytes) } : {}),
    });
    const raw: RawLayer = {
      features: r.geometries.map((g, i) => ({ geometry: g, properties: r.records[i] ?? {} })),
      crsHint: null,
      warnings: [...r.warnings],
      encoding: r.encoding,
      encodingSource: r.encodingSource,
    };
    if (!files['dbf']) raw.warnings.push(t('importer.noDbf', { file: name }));
    let fileCrs: CrsSpec | null = null;
    if (files['prj']) {
      assertText(files['prj'].name, files['prj'].bytes);
      fileCrs = crsFromPrj(new TextDecoder().decode(files['prj'].bytes));
    }
    return [{ name, format: 'shapefile', raw, fileCrs }];
  }
  if (files['dbf'] || files['prj']) throw new ImportError('importer.noShp', { file: name });
  const [e, f] = Object.entries(files)[0]!;
  // a database is recognized by its header whatever its name (.gpkg, .sqlite, .db, …)
  if (isSqlite(f.bytes) || e === 'gpkg' || e === 'sqlite' || e === 'db' || e === 'sqlite3') {
    const { kind, layers } = await readDatabase(f.name, f.bytes);
    return layers.map((l) => ({ name: layers.length === 1 || l.table === name ? name : `${name}.${l.table}`, format: kind, raw: l.raw, fileCrs: l.crs }));
  }
  let raw: RawLayer;
  let format: ImportedLayer['format'];
  if (e === 'geojson' || e === 'json') {
    format = 'geojson';
    raw = readGeoJson(f.name, f.bytes);
  } else if (e === 'csv' || e === 'txt' || e === 'tsv') {
    format = 'csv';
    raw = readCsv(f.name, f.bytes);
  } else if (e === 'kml') {
    format = 'kml';
    raw = readKml(f.name, f.bytes);
  } else if (e === 'kmz') throw new ImportError('importer.kmz', { file: f.name });
  else throw new ImportError('importer.unsupported', { file: f.name, ext: e });
  return [{ name, format, raw, fileCrs: raw.crsHint ? parseCrs(raw.crsHint) : null }];
}

/** Settles a layer's CRS and converts it to WGS84. */
function convertLayer(name: string, format: ImportedLayer['format'], raw: RawLayer, fileCrs: CrsSpec | null, opts: ImportOptions): ImportedLayer {
  const notes: string[] = [];
  const srcBbox = bboxOf(raw.features);
  if (!srcBbox) throw new ImportError('importer.noGeometry', { file: name });
  let crs: CrsSpec;
  let crsSource: ImportedLayer['crsSource'];
  const override = opts.overrides?.[name];
  const choice = opts.crs ?? 'auto';
  if (override && override !== 'auto') {
    // the user overrode this very file
    crs = parseCrs(override);
    crsSource = 'user';
    if (fileCrs && crsLabel(fileCrs) !== crsLabel(crs)) notes.push(t('importer.crsOverride', { file: crsLabel(fileCrs), choice: crsLabel(crs) }));
  } else if (fileCrs) {
    // a file's declared CRS wins over a choice made for the whole batch
    crs = fileCrs;
    crsSource = 'file';
    if (choice !== 'auto' && crsLabel(parseCrs(choice)) !== crsLabel(fileCrs))
      notes.push(t('importer.crsDeclaredWins', { file: crsLabel(fileCrs), choice: crsLabel(parseCrs(choice)) }));
  } else if (choice !== 'auto') {
    crs = parseCrs(choice);
    crsSource = 'user';
  } else {
    const g = guessFromRange(srcBbox);
    if (!g.crs) throw new CrsError('importer.crsUnknown', { file: name, note: g.note });
    crs = g.crs;
    crsSource = 'range';
    notes.push(g.note);
  }
  let crsQuestion: CrsQuestion | null = null;
  if (crsSource !== 'user' && crs.kind === 'china' && (crs.crs === 'WGS84' || crs.crs === 'CGCS2000')) {
    const names = [name, ...(raw.coordColumns ?? []), ...fieldsOf(raw.features).map((f) => f.name)].map((n) => safeText(n, 40));
    crsQuestion = platformQuestion(
      crs.crs,
      names,
      raw.features.map((f) => f.geometry),
      opts.streets ?? null,
    );
  }
  const fn = toWgs84Fn(crs);
  const features = raw.features.map((f) => ({ geometry: f.geometry ? mapGeometry(f.geometry, fn) : null, properties: f.properties }));
  const bbox = bboxOf(features);
  if (bbox && (bbox[0] < -180 || bbox[2] > 180 || bbox[1] < -90 || bbox[3] > 90 || !bbox.every(Number.isFinite)))
    throw new CrsError('importer.outsideGlobe', { file: name, crs: crsLabel(crs), bbox: bbox.map((v) => v.toFixed(2)).join(', ') });
  return {
    name,
    format,
    crs: crsLabel(crs),
    crsSource,
    encoding: raw.encoding,
    encodingSource: raw.encodingSource ?? null,
    notes,
    warnings: raw.warnings,
    crsQuestion,
    fields: fieldsOf(features),
    features,
    bbox,
  };
}

/** Reads one dataset and converts its layers to WGS84. */
export async function importDataset(name: string, files: Record<string, ImportFile>, opts: ImportOptions = {}): Promise<ImportedLayer[]> {
  const read = await readDataset(name, files);
  return read.map((r) => convertLayer(r.name, r.format, r.raw, r.fileCrs, opts));
}

/** Every dataset among the files; a broken one (or a broken layer of a GeoPackage) is reported and the others still import. */
export async function importFiles(files: ImportFile[], opts: ImportOptions = {}): Promise<{ layers: ImportedLayer[]; errors: string[] }> {
  const layers: ImportedLayer[] = [];
  const errors: string[] = [];
  const report = (e: unknown, name: string) => {
    if (e instanceof ImportError || e instanceof CrsError) errors.push(e.message);
    else errors.push(t('importer.withFile', { file: safeText(name), detail: safeText(errorText(e)) }));
  };
  for (const g of groupFiles(files)) {
    let read: Awaited<ReturnType<typeof readDataset>>;
    try {
      read = await readDataset(g.name, g.files);
    } catch (e) {
      report(e, g.name);
      continue;
    }
    for (const r of read) {
      try {
        layers.push(convertLayer(r.name, r.format, r.raw, r.fileCrs, opts));
      } catch (e) {
        report(e, r.name);
      }
    }
  }
  return { layers, errors };
}

/** Representative point of a geometry (its bbox centre) for tables and labels. */
export function anchorOf(g: GeoJSON.Geometry | null): [number, number] | null {
  if (!g) return null;
  const b = bboxOf([{ geometry: g }]);
  return b ? [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] : null;
}

/**
 * DuckDB table name for a layer: user_<name>_<n>, keeping the letters and digits of any script (Chinese layer names
 * stay Chinese); everything else becomes "_". Unique through n; always used as a quoted identifier.
 */
export function tableName(layerName: string, n: number): string {
  const slug = layerName
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  return `user_${[...slug].slice(0, 30).join('') || 'layer'}_${n}`;
}

/** CSV for DuckDB's read_csv: fid, the attribute fields, geometry type, anchor lon/lat, GeoJSON geometry text. */
export function layerCsv(layer: ImportedLayer): { csv: string; columns: Record<string, string> } {
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  // DuckDB column names are case-insensitive and ours (fid, lon, …) are reserved: rename clashes with a suffix
  const taken = new Set(['fid', 'geom_type', 'lon', 'lat', 'geojson']);
  const colOf = layer.fields.map((f) => {
    let c = f.name.trim() || 'field';
    for (let k = 2; taken.has(c.toLowerCase()); k++) c = `${f.name.trim() || 'field'}_${k}`;
    taken.add(c.toLowerCase());
    return c;
  });
  const columns: Record<string, string> = { fid: 'INTEGER' };
  layer.fields.forEach((f, i) => (columns[colOf[i]!] = f.type === 'number' ? 'DOUBLE' : f.type === 'boolean' ? 'BOOLEAN' : 'VARCHAR'));
  Object.assign(columns, { geom_type: 'VARCHAR', lon: 'DOUBLE', lat: 'DOUBLE', geojson: 'VARCHAR' });
  const names = Object.keys(columns);
  const lines = [names.map(q).join(',')];
  layer.features.forEach((f, i) => {
    const a = anchorOf(f.geometry);
    const cells = [
      String(i + 1),
      ...layer.fields.map((fd) => {
        const v = f.properties[fd.name];
        return v === null || v === undefined ? '' : typeof v === 'string' ? q(v) : String(v);
      }),
      f.geometry ? q(f.geometry.type) : '',
      a ? String(a[0]) : '',
      a ? String(a[1]) : '',
      f.geometry ? q(JSON.stringify(f.geometry)) : '',
    ];
    lines.push(cells.join(','));
  });
  return { csv: lines.join('\n') + '\n', columns };
}
