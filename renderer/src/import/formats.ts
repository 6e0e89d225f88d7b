/**
 * Readers for the user's own data besides shapefiles: GeoJSON (incl. ArcGIS exports with a `crs` member and Chinese
 * field names), CSV with coordinate columns (UTF-8 or GBK, as Excel in China saves it), KML (always WGS84). Pure: bytes
 * in, features in the file's own coordinates out; every problem is an ImportError naming the file and the place.
 */
import { errorText, t } from '../i18n.ts';
import { ImportError } from './shapefile.ts';
import { cellKind, hexBytes, parseBlob, parseCell, parseWkt, type CellKind } from './geometry.ts';

export { ImportError };

export type Props = Record<string, string | number | boolean | null>;
export interface RawFeature {
  geometry: GeoJSON.Geometry | null;
  properties: Props;
}
export interface RawLayer {
  features: RawFeature[];
  /** CRS named by the file itself (GeoJSON `crs`, KML = WGS84), if any */
  crsHint: string | null;
  warnings: string[];
  encoding: string;
  /** how the encoding was settled ('cpg', 'ldid', 'detected', …) for shapefiles */
  encodingSource?: string;
  /** the columns the coordinates came from (their names can betray GCJ-02 / BD-09 data) */
  coordColumns?: string[];
}

/** UTF-16 with a BOM; UTF-8 (BOM or not) when the bytes are valid UTF-8; else GBK — what Chinese Excel and ArcGIS write. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: string } {
  // Excel's "Unicode text" is UTF-16 with a BOM
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text: text.replace(/^\uFEFF/, ''), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gbk').decode(bytes), encoding: 'gbk' };
  }
}

const GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);

function checkGeometry(g: unknown, where: string): GeoJSON.Geometry | null {
  if (g === null || g === undefined) return null;
  const o = g as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  if (typeof o.type !== 'string' || !GEOMETRY_TYPES.has(o.type))
    throw new ImportError('importer.geojson.type', { where, type: String(JSON.stringify(o.type)) });
  if (o.type === 'GeometryCollection') {
    if (!Array.isArray(o.geometries)) throw new ImportError('importer.geojson.collection', { where });
    o.geometries.forEach((x, i) => checkGeometry(x, `${where}.geometries[${i}]`));
    return g as GeoJSON.Geometry;
  }
  const depth = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 }[o.type as 'Point'];
  const walk = (c: unknown, d: number): void => {
    if (!Array.isArray(c)) throw new ImportError('importer.geojson.nesting', { where, type: String(o.type) });
    if (d === 0) {
      if (c.length < 2 || !c.every((v) => typeof v === 'number' && Number.isFinite(v)))
        throw new ImportError('importer.geojson.position', { where, got: JSON.stringify(c).slice(0, 40) });
      return;
    }
    c.forEach((x) => walk(x, d - 1));
  };
  walk(o.coordinates, depth);
  return g as GeoJSON.Geometry;
}

const cleanProps = (p: unknown): Props => {
  const out: Props = {};
  if (p && typeof p === 'object')
    for (const [k, v] of Object.entries(p))
      out[k] = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  return out;
};

export function readGeoJson(name: string, bytes: Uint8Array): RawLayer {
  assertText(name, bytes);
  const { text, encoding } = decodeText(bytes);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ImportError('importer.geojson.json', { file: name, detail: (e as Error).message });
  }
  const o = doc as { type?: unknown; features?: unknown; crs?: { properties?: { name?: unknown } } };
  let features: RawFeature[];
  if (o.type === 'FeatureCollection') {
    if (!Array.isArray(o.features)) throw new ImportError('importer.geojson.features', { file: name });
    features = o.features.map((f: { type?: unknown; geometry?: unknown; properties?: unknown }, i: number) => {
      if (f?.type !== 'Feature') throw new ImportError('importer.geojson.feature', { file: name, i: String(i) });
      return { geometry: checkGeometry(f.geometry, `${name}: features[${i}]`), properties: cleanProps(f.properties) };
    });
  } else if (o.type === 'Feature') {
    const f = o as { geometry?: unknown; properties?: unknown };
    features = [{ geometry: checkGeometry(f.geometry, name), properties: cleanProps(f.properties) }];
  } else if (typeof o.type === 'string' && GEOMETRY_TYPES.has(o.type)) features = [{ geometry: checkGeometry(o, name), properties: {} }];
  else throw new ImportError('importer.geojson.notGeojson', { file: name, type: String(JSON.stringify(o.type)) });
  const crsName = o.crs?.properties?.name;
  return { features, crsHint: typeof crsName === 'string' ? crsName : null, warnings: [], encoding };
}

/** RFC 4180 rows; the delimiter is the first of , ; tab that appears in the header line. */
export function parseCsv(text: string): string[][] {
  const nl = text.indexOf('\n');
  const firstLine = nl < 0 ? text : text.slice(0, nl);
  const delim = [',', '\t', ';'].find((d) => firstLine.includes(d)) ?? ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delim) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      cell = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else cell += ch;
  }
  if (quoted) throw new ImportError('importer.csv.quote');
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

// coordinate columns, also with a platform prefix or suffix (bd_lng, gcj02_lat, lng_baidu, wgs84_lon, 百度经度)
const PLATFORM = '(?:bd|bd09|baidu|gcj|gcj02|amap|gaode|tencent|qq|wgs|wgs84|gps|百度|高德|腾讯|火星)'; // i18n-exempt: column names detected in headers
const LON_NAMES = new RegExp(`^(?:${PLATFORM}[_ -]?)?(lon|lng|long|longitude|x|经度|东经|x坐标|坐标x|point_x)(?:[_ -]?${PLATFORM})?$`, 'i'); // i18n-exempt: column names detected in headers
const LAT_NAMES = new RegExp(`^(?:${PLATFORM}[_ -]?)?(lat|latitude|y|纬度|北纬|y坐标|坐标y|point_y)(?:[_ -]?${PLATFORM})?$`, 'i'); // i18n-exempt: column names detected in headers
/** names that announce a geometry column (its values still have to parse as one) */
const GEOM_NAMES = /^(geom|geometry|the_geom|wkt|wkb|shape|geojson|geo_json|几何|空间信息|坐标串|points|path|boundary|边界|轮廓|范围|polyline|polygon)$/i; // i18n-exempt: column names detected in headers

export type CellValue = string | number | null | Uint8Array;

/** Which column holds the geometry: one whose sampled non-empty values all parse as one encoding. */
function geometryColumn(header: string[], body: CellValue[][]): { col: number; kind: CellKind | 'blob' } | null {
  const found: Array<{ col: number; kind: CellKind | 'blob'; named: boolean }> = [];
  header.forEach((h, c) => {
    let kind: CellKind | 'blob' | null = null;
    let seen = 0;
    let parsed = 0;
    for (const r of body) {
      const v = r[c];
      if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) continue;
      const k = v instanceof Uint8Array ? 'blob' : typeof v === 'string' ? cellKind(v) : null;
      if (!k || (kind && k !== kind)) {
        kind = null;
        break;
      }
      kind = k;
      // the sniff must be borne out: most sampled values have to parse (a blob column may hold anything)
      try {
        if (v instanceof Uint8Array) parseBlob(v);
        else parseCell(k as CellKind, v as string);
        parsed++;
      } catch {
        /* counted as not parsed */
      }
      if (++seen >= 20) break;
    }
    if (kind && seen > 0 && parsed >= Math.ceil(seen / 2)) found.push({ col: c, kind, named: GEOM_NAMES.test(h.trim()) });
  });
  const hasLonLat = header.some((h) => LON_NAMES.test(h.trim())) && header.some((h) => LAT_NAMES.test(h.trim()));
  // bare "x,y;x,y" numbers are weak evidence: next to lon/lat columns only a column named as geometry counts
  return found.find((f) => f.named) ?? found.find((f) => !hasLonLat || f.kind !== 'baidu') ?? null;
}

/**
 * Features of a table (CSV rows, SQLite rows): the geometry from a geometry column (WKT, GeoJSON, WKB hex or blob,
 * Baidu coordinate strings), else from lon/lat columns. A row whose geometry cannot be read is kept without one and
 * reported by its line (CSV) or rowid (database).
 */
export function readTable(
  name: string,
  header: string[],
  body: CellValue[][],
  lineOf: (i: number) => number,
  unit: 'line' | 'rowid' = 'line',
): RawLayer & { srids: number[] } {
  const gc = geometryColumn(header, body);
  const lonI = gc ? -1 : header.findIndex((h) => LON_NAMES.test(h.trim()));
  const latI = gc ? -1 : header.findIndex((h) => LAT_NAMES.test(h.trim()));
  if (!gc && (lonI < 0 || latI < 0)) throw new ImportError('importer.csv.noCoords', { file: name, columns: header.slice(0, 12).join(', ') });
  const skip = new Set(gc ? [gc.col] : [lonI, latI]);
  // a text column is numeric when every non-empty value parses as a number
  const numeric = header.map((_, c) =>
    body.every((r) => {
      const v = r[c];
      return typeof v !== 'string' || v.trim() === '' || Number.isFinite(Number(v.trim()));
    }),
  );
  const features: RawFeature[] = [];
  const bad: number[] = [];
  const reasons = new Set<string>();
  const srids = new Set<number>();
  let zm = false;
  body.forEach((r, i) => {
    const props: Props = {};
    header.forEach((h, c) => {
      if (skip.has(c)) return;
      const v = r[c] ?? null;
      props[h] =
        v === null
          ? null
          : v instanceof Uint8Array
            ? `[BLOB ${v.length} B]`
            : typeof v === 'number'
              ? v
              : v.trim() === ''
                ? null
                : numeric[c]
                  ? Number(v.trim())
                  : v.trim();
    });
    let geometry: GeoJSON.Geometry | null = null;
    if (gc) {
      const v = r[gc.col];
      if (v !== null && v !== undefined && !(typeof v === 'string' && v.trim() === '')) {
        try {
          if (v instanceof Uint8Array) {
            const w = parseBlob(v);
            geometry = w.geometry;
            zm ||= w.zm;
            if (w.srid !== null && w.srid > 0) srids.add(w.srid);
          } else if (typeof v === 'string') {
            const kind = gc.kind === 'blob' ? cellKind(v) : gc.kind;
            if (!kind) throw new ImportError('importer.cell.unknown');
            if (kind === 'wkt') {
              const w = parseWkt(v);
              geometry = w.geometry;
              zm ||= w.zm;
              if (w.srid) srids.add(w.srid);
            } else geometry = parseCell(kind, v);
          } else throw new ImportError('importer.cell.unknown');
        } catch (e) {
          reasons.add(errorText(e));
          bad.push(lineOf(i));
        }
      }
    } else {
      const x = Number(String(r[lonI] ?? '').trim());
      const y = Number(String(r[latI] ?? '').trim());
      if (Number.isFinite(x) && Number.isFinite(y) && String(r[lonI] ?? '').trim() !== '' && String(r[latI] ?? '').trim() !== '')
        geometry = { type: 'Point', coordinates: [x, y] };
      else bad.push(lineOf(i));
    }
    features.push({ geometry, properties: props });
  });
  const warnings: string[] = [];
  if (bad.length)
    warnings.push(
      t(
        gc
          ? unit === 'line'
            ? 'importer.table.badGeometry'
            : 'importer.table.badGeometryRowid'
          : unit === 'line'
            ? 'importer.csv.badRows'
            : 'importer.table.badRowsRowid',
        { file: name, n: bad.length, lines: `${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`, reason: [...reasons].slice(0, 2).join('; ') },
      ),
    );
  if (gc) warnings.unshift(t('importer.table.geomColumn', { file: name, column: header[gc.col]!, kind: t(`importer.table.kind.${gc.kind}`) }));
  if (zm) warnings.push(t('importer.table.dropZM', { file: name }));
  return { features, crsHint: null, warnings, encoding: 'utf-8', coordColumns: gc ? [header[gc.col]!] : [header[lonI]!, header[latI]!], srids: [...srids] };
}

export function readCsv(name: string, bytes: Uint8Array): RawLayer {
  assertText(name, bytes);
  const { text, encoding } = decodeText(bytes);
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (e) {
    throw new ImportError('importer.withFile', { file: name, detail: errorText(e) });
  }
  const header = rows[0]?.map((h) => h.trim());
  if (!header?.length) throw new ImportError('importer.csv.empty', { file: name });
  const { srids, ...layer } = readTable(name, header, rows.slice(1), (i) => i + 2);
  // EWKT "SRID=n;": one SRID for the whole column is the file's declaration
  return { ...layer, encoding, crsHint: srids.length === 1 ? `EPSG:${srids[0]}` : null };
}

/** Text formats refuse binary files with the first bytes in hex (never the raw bytes in a message). */
export function assertText(name: string, bytes: Uint8Array): void {
  const head = bytes.subarray(0, 4096);
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (!utf16 && head.includes(0)) throw new ImportError('importer.binary', { file: name, bytes: hexBytes(head, 16) });
}

// ---- KML: a small XML tree (KML from Google Earth / 奥维 / ArcGIS is well-formed; no DTDs, no external entities) ----

interface XmlNode {
  tag: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e] ?? m),
  );

export function parseXml(text: string): XmlNode {
  const root: XmlNode = { tag: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const re =
    /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(text))) {
    if (m.index !== consumed) throw new ImportError('importer.kml.near', { n: String(consumed) });
    consumed = re.lastIndex;
    const top = stack[stack.length - 1]!;
    if (m[1] !== undefined) top.text += m[1];
    else if (m[2]) {
      const name = m[2].replace(/^\w+:/, '');
      if (top.tag !== name) throw new ImportError('importer.kml.closes', { close: m[2], open: top.tag });
      stack.pop();
    } else if (m[3]) {
      const attrs: Record<string, string> = {};
      for (const a of m[4]!.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!.replace(/^\w+:/, '')] = unescapeXml(a[2] ?? a[3] ?? '');
      const node: XmlNode = { tag: m[3].replace(/^\w+:/, ''), attrs, children: [], text: '' };
      top.children.push(node);
      if (!m[5]) stack.push(node);
    } else if (m[6] !== undefined) top.text += unescapeXml(m[6]);
  }
  if (consumed !== text.length) throw new ImportError('importer.kml.near', { n: String(consumed) });
  if (stack.length !== 1) throw new ImportError('importer.kml.unclosed', { tag: stack[stack.length - 1]!.tag });
  return root;
}

const find = (n: XmlNode, tag: string): XmlNode | undefined => n.children.find((c) => c.tag === tag);
function* descendants(n: XmlNode, tag: string): Generator<XmlNode> {
  for (const c of n.children) {
    if (c.tag === tag) yield c;
    yield* descendants(c, tag);
  }
}

function kmlCoords(n: XmlNode | undefined, where: string): number[][] {
  const text = n ? n.text.trim() : '';
  if (!text) throw new ImportError('importer.kml.emptyCoords', { where });
  return text.split(/\s+/).map((tuple) => {
    const p = tuple.split(',').map(Number);
    if (p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new ImportError('importer.kml.badCoord', { where, c: tuple.slice(0, 30) });
    return [p[0]!, p[1]!];
  });
}

function kmlGeometry(n: XmlNode, where: string): GeoJSON.Geometry | null {
  for (const c of n.children) {
    if (c.tag === 'Point') return { type: 'Point', coordinates: kmlCoords(find(c, 'coordinates'), where)[0]! };
    if (c.tag === 'LineString') return { type: 'LineString', coordinates: kmlCoords(find(c, 'coordinates'), where) };
    if (c.tag === 'Polygon') {
      const ring = (b: XmlNode | undefined) => kmlCoords(b && find(b, 'LinearRing') ? find(find(b, 'LinearRing')!, 'coordinates') : undefined, where);
      const outer = ring(find(c, 'outerBoundaryIs'));
      const holes = c.children.filter((x) => x.tag === 'innerBoundaryIs').map((x) => ring(x));
      return { type: 'Polygon', coordinates: [outer, ...holes] };
    }
    if (c.tag === 'MultiGeometry') {
      const parts = c.children.map((x) => kmlGeometry({ ...c, children: [x] }, where)).filter((g): g is GeoJSON.Geometry => g !== null);
      return { type: 'GeometryCollection', geometries: parts };
    }
  }
  return null;
}

export function readKml(name: string, bytes: Uint8Array): RawLayer {
  assertText(name, bytes);
  const { text, encoding } = decodeText(bytes);
  let doc: XmlNode;
  try {
    doc = parseXml(text);
  } catch (e) {
    throw new ImportError('importer.withFile', { file: name, detail: errorText(e) });
  }
  const features: RawFeature[] = [];
  let i = 0;
  for (const pm of descendants(doc, 'Placemark')) {
    i++;
    const props: Props = {};
    const nm = find(pm, 'name');
    if (nm) props['name'] = nm.text.trim();
    const desc = find(pm, 'description');
    if (desc) props['description'] = desc.text.trim();
    const ext = find(pm, 'ExtendedData');
    if (ext) {
      for (const d of descendants(ext, 'Data')) if (d.attrs['name']) props[d.attrs['name']] = find(d, 'value')?.text.trim() ?? null;
      for (const d of descendants(ext, 'SimpleData')) if (d.attrs['name']) props[d.attrs['name']] = d.text.trim();
    }
    features.push({ geometry: kmlGeometry(pm, `${name}: Placemark ${i}`), properties: props });
  }
  if (!features.length) throw new ImportError('importer.kml.noPlacemark', { file: name });
  return { features, crsHint: 'WGS84', warnings: [], encoding };
}
