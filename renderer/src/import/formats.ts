/**
 * Readers for the user's own data besides shapefiles: GeoJSON (incl. ArcGIS exports with a `crs` member and Chinese
 * field names), CSV with coordinate columns (UTF-8 or GBK, as Excel in China saves it), KML (always WGS84). Pure: bytes
 * in, features in the file's own coordinates out; every problem is an ImportError naming the file and the place.
 */
import { errorText, t } from '../i18n.ts';
import { ImportError } from './shapefile.ts';

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
}

/** UTF-8 (BOM or not) when the bytes are valid UTF-8, else GBK — what Chinese Excel and ArcGIS write. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: string } {
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
  if (typeof o.type !== 'string' || !GEOMETRY_TYPES.has(o.type)) throw new ImportError('importer.geojson.type', { where, type: String(JSON.stringify(o.type)) });
  if (o.type === 'GeometryCollection') {
    if (!Array.isArray(o.geometries)) throw new ImportError('importer.geojson.collection', { where });
    o.geometries.forEach((x, i) => checkGeometry(x, `${where}.geometries[${i}]`));
    return g as GeoJSON.Geometry;
  }
  const depth = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 }[o.type as 'Point'];
  const walk = (c: unknown, d: number): void => {
    if (!Array.isArray(c)) throw new ImportError('importer.geojson.nesting', { where, type: String(o.type) });
    if (d === 0) {
      if (c.length < 2 || !c.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new ImportError('importer.geojson.position', { where, got: JSON.stringify(c).slice(0, 40) });
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
    for (const [k, v] of Object.entries(p)) out[k] = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  return out;
};

export function readGeoJson(name: string, bytes: Uint8Array): RawLayer {
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

const LON_NAMES = /^(lon|lng|long|longitude|x|经度|东经|x坐标|坐标x|point_x)$/i; // i18n-exempt: column names detected in CSV headers
const LAT_NAMES = /^(lat|latitude|y|纬度|北纬|y坐标|坐标y|point_y)$/i; // i18n-exempt: column names detected in CSV headers

export function readCsv(name: string, bytes: Uint8Array): RawLayer {
  const { text, encoding } = decodeText(bytes);
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (e) {
    throw new ImportError('importer.withFile', { file: name, detail: errorText(e) });
  }
  const header = rows[0]?.map((h) => h.trim());
  if (!header?.length) throw new ImportError('importer.csv.empty', { file: name });
  const lonI = header.findIndex((h) => LON_NAMES.test(h));
  const latI = header.findIndex((h) => LAT_NAMES.test(h));
  if (lonI < 0 || latI < 0) throw new ImportError('importer.csv.noCoords', { file: name, columns: header.slice(0, 12).join(', ') });
  const body = rows.slice(1);
  // a column is numeric when every non-empty value parses as a number
  const numeric = header.map((_, c) => body.every((r) => (r[c] ?? '').trim() === '' || Number.isFinite(Number((r[c] ?? '').trim()))));
  const features: RawFeature[] = [];
  const bad: number[] = [];
  body.forEach((r, i) => {
    const x = Number((r[lonI] ?? '').trim());
    const y = Number((r[latI] ?? '').trim());
    const props: Props = {};
    header.forEach((h, c) => {
      if (c === lonI || c === latI) return;
      const v = (r[c] ?? '').trim();
      props[h] = v === '' ? null : numeric[c] ? Number(v) : v;
    });
    if (!Number.isFinite(x) || !Number.isFinite(y) || (r[lonI] ?? '').trim() === '' || (r[latI] ?? '').trim() === '') {
      bad.push(i + 2);
      features.push({ geometry: null, properties: props });
    } else features.push({ geometry: { type: 'Point', coordinates: [x, y] }, properties: props });
  });
  const warnings = bad.length ? [t('importer.csv.badRows', { file: name, n: bad.length, lines: `${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}` })] : [];
  return { features, crsHint: null, warnings, encoding };
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
  const re = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
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
