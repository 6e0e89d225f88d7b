/**
 * Import of the user's own data: groups the dropped files into datasets (a shapefile is .shp + .dbf + .prj + .cpg),
 * reads each, settles its CRS (the user's choice, else the file's own metadata, else the coordinate ranges — or a clear
 * error), converts every coordinate to WGS84, and describes the attribute fields. Pure: the store loads the result
 * into DuckDB and the map layers draw it.
 */
import { crsFromPrj, crsLabel, guessFromRange, parseCrs, toWgs84Fn, CrsError, type CrsSpec } from './crs.ts';
import { readCsv, readGeoJson, readKml, type Props, type RawLayer } from './formats.ts';
import { ImportError, readShapefile } from './shapefile.ts';
import { errorText, t } from '../i18n.ts';

export { ImportError, CrsError };

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
  format: 'geojson' | 'csv' | 'shapefile' | 'kml';
  crs: string;
  crsSource: 'user' | 'file' | 'range';
  encoding: string;
  notes: string[];
  warnings: string[];
  fields: ImportedField[];
  /** WGS84 */
  features: Array<{ geometry: GeoJSON.Geometry | null; properties: Props }>;
  bbox: [number, number, number, number] | null;
}

const ext = (n: string) => /\.([^.]+)$/.exec(n.toLowerCase())?.[1] ?? '';
const stem = (n: string) => n.replace(/\.[^.]+$/, '');

function eachPosition(g: GeoJSON.Geometry, f: (p: number[]) => void): void {
  if (g.type === 'GeometryCollection') return g.geometries.forEach((x) => eachPosition(x, f));
  const walk = (c: unknown): void => {
    if (typeof (c as number[])[0] === 'number') f(c as number[]);
    else (c as unknown[]).forEach(walk);
  };
  walk(g.coordinates);
}

function mapGeometry(g: GeoJSON.Geometry, fn: (x: number, y: number) => [number, number]): GeoJSON.Geometry {
  if (g.type === 'GeometryCollection') return { type: 'GeometryCollection', geometries: g.geometries.map((x) => mapGeometry(x, fn)) };
  const walk = (c: unknown): unknown => (typeof (c as number[])[0] === 'number' ? fn((c as number[])[0]!, (c as number[])[1]!) : (c as unknown[]).map(walk));
  return { ...g, coordinates: walk(g.coordinates) } as GeoJSON.Geometry;
}

export function bboxOf(features: Array<{ geometry: GeoJSON.Geometry | null }>): [number, number, number, number] | null {
  let b: [number, number, number, number] | null = null;
  for (const f of features)
    if (f.geometry)
      eachPosition(f.geometry, ([x, y]) => {
        b = b ? [Math.min(b[0], x!), Math.min(b[1], y!), Math.max(b[2], x!), Math.max(b[3], y!)] : [x!, y!, x!, y!];
      });
  return b;
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

/** Reads one dataset and converts it to WGS84. `crsChoice` = 'auto' or a CRS id / EPSG code / proj4 string. */
export function importDataset(name: string, files: Record<string, ImportFile>, crsChoice = 'auto'): ImportedLayer {
  let raw: RawLayer;
  let format: ImportedLayer['format'];
  let fileCrs: CrsSpec | null = null;
  if (files['shp']) {
    format = 'shapefile';
    const r = readShapefile({ name: files['shp'].name, shp: files['shp'].bytes, ...(files['dbf'] ? { dbf: files['dbf'].bytes } : {}), ...(files['cpg'] ? { cpg: new TextDecoder().decode(files['cpg'].bytes) } : {}) });
    raw = { features: r.geometries.map((g, i) => ({ geometry: g, properties: r.records[i] ?? {} })), crsHint: null, warnings: [...r.warnings], encoding: `${r.encoding} (${r.encodingSource})` };
    if (!files['dbf']) raw.warnings.push(t('importer.noDbf', { file: name }));
    if (files['prj']) fileCrs = crsFromPrj(new TextDecoder().decode(files['prj'].bytes));
  } else if (files['dbf'] || files['prj']) throw new ImportError('importer.noShp', { file: name });
  else {
    const [e, f] = Object.entries(files)[0]!;
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
    if (raw.crsHint) fileCrs = parseCrs(raw.crsHint);
  }
  const notes: string[] = [];
  const srcBbox = bboxOf(raw.features);
  if (!srcBbox) throw new ImportError('importer.noGeometry', { file: name });
  let crs: CrsSpec;
  let crsSource: ImportedLayer['crsSource'];
  if (crsChoice !== 'auto') {
    crs = parseCrs(crsChoice);
    crsSource = 'user';
    if (fileCrs && crsLabel(fileCrs) !== crsLabel(crs)) notes.push(t('importer.crsOverride', { file: crsLabel(fileCrs), choice: crsLabel(crs) }));
  } else if (fileCrs) {
    crs = fileCrs;
    crsSource = 'file';
  } else {
    const g = guessFromRange(srcBbox);
    if (!g.crs) throw new CrsError('importer.crsUnknown', { file: name, note: g.note });
    crs = g.crs;
    crsSource = 'range';
    notes.push(g.note);
  }
  const fn = toWgs84Fn(crs);
  const features = raw.features.map((f) => ({ geometry: f.geometry ? mapGeometry(f.geometry, fn) : null, properties: f.properties }));
  const bbox = bboxOf(features);
  if (bbox && (bbox[0] < -180 || bbox[2] > 180 || bbox[1] < -90 || bbox[3] > 90 || !bbox.every(Number.isFinite)))
    throw new CrsError('importer.outsideGlobe', { file: name, crs: crsLabel(crs), bbox: bbox.map((v) => v.toFixed(2)).join(', ') });
  return { name, format, crs: crsLabel(crs), crsSource, encoding: raw.encoding, notes, warnings: raw.warnings, fields: fieldsOf(features), features, bbox };
}

/** Every dataset among the files; a broken one is reported and the others still import. */
export function importFiles(files: ImportFile[], crsChoice = 'auto'): { layers: ImportedLayer[]; errors: string[] } {
  const layers: ImportedLayer[] = [];
  const errors: string[] = [];
  for (const g of groupFiles(files)) {
    try {
      layers.push(importDataset(g.name, g.files, crsChoice));
    } catch (e) {
      if (e instanceof ImportError || e instanceof CrsError) errors.push(e.message);
      else errors.push(t('importer.withFile', { file: g.name, detail: errorText(e) }));
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

/** Safe DuckDB table name for a layer: user_<ascii slug>_<n>. */
export function tableName(layerName: string, n: number): string {
  const slug = layerName.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toLowerCase().slice(0, 30);
  return `user_${slug || 'layer'}_${n}`;
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
    const cells = [String(i + 1), ...layer.fields.map((fd) => {
      const v = f.properties[fd.name];
      return v === null || v === undefined ? '' : typeof v === 'string' ? q(v) : String(v);
    }), f.geometry ? q(f.geometry.type) : '', a ? String(a[0]) : '', a ? String(a[1]) : '', f.geometry ? q(JSON.stringify(f.geometry)) : ''];
    lines.push(cells.join(','));
  });
  return { csv: lines.join('\n') + '\n', columns };
}
