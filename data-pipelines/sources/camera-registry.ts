/**
 * A district's real camera list (issue 20), as its video platform exports it: CSV or JSON, positions in WGS84,
 * CGCS2000, GCJ-02, BD-09 or BD-09MC, per-camera HLS / HTTP-FLV / WebSocket-FLV / WebRTC (WHEP) URLs from the GB/T 28181
 * gateway. Every row is checked on its own against CameraRecordSchema: a bad row is reported with its line and field and
 * skipped, every good row loads. Positions are converted to WGS84 and must fall inside China (the GCJ-02 box of
 * coords.ts), which also catches swapped lon/lat and coordinates in the wrong CRS.
 *
 * CSV: RFC 4180 (quoted fields with doubled quotes, commas and line breaks; CRLF, LF or CR; a UTF-8 BOM), header row
 * with English or Chinese column names (case, spaces, _ and - ignored: height_m = heightM = "Height M"). A row whose
 * field count differs from the header's is rejected (an unquoted comma would otherwise shift every later column).
 * A quoted field longer than 4096 characters (no valid value is), or one that runs over line breaks into text after its
 * closing quote, is taken as an unclosed quote: that row is reported and reading resumes on the line after the quote.
 * A line break inside a name (Alt+Enter in a spreadsheet cell) becomes a space.
 * JSON: `[{...}]` or `{ "crs": "GCJ02", "cameras": [{...}] }`, keys as in CameraRecord plus `crs` and either a `streams`
 * object or flat hls/flv/wsflv/webrtc keys.
 * Unknown columns / keys (and unknown stream kinds such as rtsp) are ignored and listed in `ignoredColumns`.
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { CameraRecordSchema, GB_ID_RE, VIDEO_PROTOCOLS, type CameraRecord, type VideoProtocol } from '../contracts/cameras.ts';
import { CRS_LIST, outOfChina, toWgs84, type CRS } from '../geo/coords.ts';

export interface RegistryIssue {
  /** 1-based line in CSV (where the row starts), or 1-based index in the JSON array; 0 = the JSON file as a whole */
  line: number;
  /** the column as the file names it (CSV header text, JSON key path) */
  field?: string;
  message: string;
}

export interface CameraRegistryOptions {
  /** CRS of rows that name none (default WGS84) */
  crs?: CRS;
}

export interface CameraRegistryResult {
  cameras: CameraRecord[];
  issues: RegistryIssue[];
  /** CSV columns / JSON keys that were not understood and so ignored */
  ignoredColumns: string[];
}

export const MAX_REGISTRY_BYTES = 50 * 1024 * 1024;
const MAX_FIELD = 4096;
const MAX_IGNORED = 100;

type Key = 'id' | 'name' | 'lon' | 'lat' | 'crs' | 'heightM' | 'heading' | 'fov' | 'rangeM' | 'ptz' | 'gbId' | VideoProtocol;

/** Normalised header (lower case, no spaces, _ or -) → field. */
const COLUMNS: Readonly<Record<string, Key>> = {
  id: 'id',
  编号: 'id',
  name: 'name',
  名称: 'name',
  lon: 'lon',
  lng: 'lon',
  longitude: 'lon',
  经度: 'lon',
  lat: 'lat',
  latitude: 'lat',
  纬度: 'lat',
  crs: 'crs',
  坐标系: 'crs',
  heightm: 'heightM',
  高度: 'heightM',
  heading: 'heading',
  朝向: 'heading',
  fov: 'fov',
  视场角: 'fov',
  rangem: 'rangeM',
  可视距离: 'rangeM',
  ptz: 'ptz',
  云台: 'ptz',
  hls: 'hls',
  flv: 'flv',
  wsflv: 'wsflv',
  webrtc: 'webrtc',
  gbid: 'gbId',
  国标编码: 'gbId',
};
const normHeader = (h: string): string =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

const CRS_ALIASES: Readonly<Record<string, CRS>> = {
  WGS84: 'WGS84',
  EPSG4326: 'WGS84',
  CGCS2000: 'CGCS2000',
  EPSG4490: 'CGCS2000',
  GCJ02: 'GCJ02',
  BD09: 'BD09',
  BD09LL: 'BD09',
  BD09MC: 'BD09MC',
};

/** A CRS name as files write it (WGS-84, gcj02, EPSG:4326, bd09ll …), or null. */
export function parseCrs(s: string): CRS | null {
  const k = s
    .trim()
    .toUpperCase()
    .replace(/[\s_:-]+/g, '');
  return Object.hasOwn(CRS_ALIASES, k) ? CRS_ALIASES[k]! : null;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', '是']);
const FALSE_WORDS = new Set(['false', '0', 'no', '否']);
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

// ---------------------------------------------------------------------------------------------------------------------
// One row: raw values (CSV strings or JSON values) → a CameraRecord or issues.

type RawRow = Partial<Record<Key, unknown>>;

interface RowContext {
  line: number;
  /** how the file names each field */
  label: (k: Key) => string;
  defaultCrs: CRS | null;
  /** why defaultCrs is null */
  defaultCrsProblem?: string;
}

const UNSAFE_G = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** A value quoted in a message: at most 40 characters, control and bidi characters shown as \uFFFD (messages reach logs). */
const short = (v: unknown): string => {
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
  const clean = s.replace(UNSAFE_G, '\uFFFD');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
};
const isBlank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function buildCamera(raw: RawRow, ctx: RowContext, issues: RegistryIssue[]): CameraRecord | null {
  const before = issues.length;
  const bad = (k: Key, message: string): void => {
    issues.push({ line: ctx.line, field: ctx.label(k), message });
  };
  const text = (k: Key): string | undefined => {
    const v = raw[k];
    if (isBlank(v)) return undefined;
    if (typeof v !== 'string') {
      bad(k, `${ctx.label(k)} must be text, got ${short(v)}`);
      return undefined;
    }
    return v.trim();
  };
  const number = (k: Key): number | undefined => {
    const v = raw[k];
    if (isBlank(v)) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && NUMBER_RE.test(v.trim())) return Number(v.trim());
    bad(k, `${ctx.label(k)} must be a number, got "${short(v)}"`);
    return undefined;
  };

  const id = text('id');
  if (isBlank(raw.id)) bad('id', `${ctx.label('id')} is required`);
  // a line break inside a spreadsheet cell (Alt+Enter) or a tab becomes one space; other control characters are rejected
  const name = text('name')?.replace(/[ \t]*[\r\n\t]+[ \t]*/g, ' ');
  const x = number('lon');
  const y = number('lat');
  if (isBlank(raw.lon)) bad('lon', `${ctx.label('lon')} is required`);
  if (isBlank(raw.lat)) bad('lat', `${ctx.label('lat')} is required`);
  const heightM = number('heightM');
  const heading = number('heading');
  const fov = number('fov');
  const rangeM = number('rangeM');

  let ptz = false;
  const p = raw.ptz;
  if (!isBlank(p)) {
    if (typeof p === 'boolean') ptz = p;
    else if (p === 1 || p === 0) ptz = p === 1;
    else if (typeof p === 'string' && TRUE_WORDS.has(p.trim().toLowerCase())) ptz = true;
    else if (typeof p === 'string' && FALSE_WORDS.has(p.trim().toLowerCase())) ptz = false;
    else bad('ptz', `${ctx.label('ptz')} must be true/false/1/0/yes/no/是/否, got "${short(p)}"`);
  }

  let crs = ctx.defaultCrs;
  const crsText = text('crs');
  if (crsText !== undefined) {
    crs = parseCrs(crsText);
    if (!crs) bad('crs', `unknown CRS "${short(crsText)}" (supported: ${CRS_LIST.join(', ')})`);
  } else if (!crs) {
    bad('crs', ctx.defaultCrsProblem ?? 'no CRS given');
  }

  let gbId: string | undefined;
  const g = raw.gbId;
  if (typeof g === 'number') bad('gbId', `${ctx.label('gbId')} must be written as text: a number cannot hold 20 digits exactly`);
  else {
    gbId = text('gbId');
    if (gbId !== undefined && !GB_ID_RE.test(gbId) && /^\d(?:\.\d+)?e\+?\d+$/i.test(gbId)) {
      bad('gbId', `${ctx.label('gbId')} "${gbId}" was rounded by a spreadsheet: format the column as text and export again`);
      gbId = undefined;
    }
  }

  const streams: Partial<Record<VideoProtocol, string>> = {};
  for (const proto of VIDEO_PROTOCOLS) {
    const u = text(proto);
    if (u !== undefined) streams[proto] = u;
  }

  let lon: number | undefined;
  let lat: number | undefined;
  if (x !== undefined && y !== undefined && crs) {
    const w = positionWgs84(crs, x, y);
    if ('message' in w) bad(w.field, w.message);
    else [lon, lat] = w.lonLat;
  }
  if (issues.length > before) return null;

  const candidate = {
    id,
    name: name ?? id,
    lon,
    lat,
    heightM,
    heading: heading ?? 0,
    fov: fov ?? 60,
    rangeM: rangeM ?? 100,
    ptz,
    streams,
    ...(gbId !== undefined ? { gbId } : {}),
  };
  const r = CameraRecordSchema.safeParse(candidate);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    const k = (issue.path[0] === 'streams' ? issue.path[1] : issue.path[0]) as Key | undefined;
    issues.push({ line: ctx.line, ...(k !== undefined ? { field: ctx.label(k) } : {}), message: issue.message });
  }
  return null;
}

/** Converts to WGS84 and checks the point is in China; explains swapped lon/lat and a wrong CRS. */
function positionWgs84(crs: CRS, x: number, y: number): { lonLat: [number, number] } | { field: 'lon' | 'lat'; message: string } {
  if (crs !== 'BD09MC') {
    if (Math.abs(y) > 90) {
      return { field: 'lat', message: Math.abs(x) <= 90 ? `lat ${y} out of range: lon and lat swapped?` : `lat ${y} out of range [-90, 90]` };
    }
    if (Math.abs(x) > 180) return { field: 'lon', message: `lon ${x} out of range [-180, 180]` };
    if (outOfChina(x, y) && !outOfChina(y, x)) {
      return { field: 'lon', message: `(${x}, ${y}) is outside China but (${y}, ${x}) is inside: lon and lat swapped?` };
    }
  }
  let w: [number, number];
  try {
    w = toWgs84(crs, x, y);
  } catch (e) {
    return { field: 'lon', message: `cannot convert (${x}, ${y}) from ${crs}: ${(e as Error).message}` };
  }
  if (!Number.isFinite(w[0]) || !Number.isFinite(w[1]) || outOfChina(w[0], w[1])) {
    const at = `(${x}, ${y})`;
    return {
      field: 'lon',
      message:
        crs === 'BD09MC'
          ? `${at} in BD09MC converts to a point outside China: BD09MC expects Baidu Mercator metres`
          : `${at} is outside China: wrong CRS or not a position in China`,
    };
  }
  return { lonLat: w };
}

// ---------------------------------------------------------------------------------------------------------------------
// CSV

interface CsvRecord {
  line: number;
  fields: string[];
  error?: string;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/**
 * What follows a field that ends at `i`: another field of the record (after a comma), the end of the record (a line
 * break, or the end of the text; a comma last in the text ends the record with an empty field, pushed here), or null:
 * something else (text after a closing quote).
 */
function fieldEnd(text: string, i: number, rec: CsvRecord): { next: 'field' | 'record'; pos: number; newline: boolean } | null {
  const n = text.length;
  if (i >= n) return { next: 'record', pos: n, newline: false };
  const c = text.charCodeAt(i);
  if (c === COMMA) {
    if (i + 1 < n) return { next: 'field', pos: i + 1, newline: false };
    rec.fields.push('');
    return { next: 'record', pos: n, newline: false };
  }
  if (c === LF || c === CR) return { next: 'record', pos: c === CR && text.charCodeAt(i + 1) === LF ? i + 2 : i + 1, newline: true };
  return null;
}

/** Position after the line break that ends the physical line containing `from` (or the end of the text). */
function afterLineBreak(text: string, from: number): { pos: number; broke: boolean } {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) return { pos: i + 1, broke: true };
    if (c === CR) return { pos: text.charCodeAt(i + 1) === LF ? i + 2 : i + 1, broke: true };
  }
  return { pos: text.length, broke: false };
}

/**
 * RFC 4180 records with the line each starts on. Linear: every character is read once, except after an unclosed quote,
 * where at most MAX_FIELD characters are read again; past a budget of such re-reads (only a hostile file gets there)
 * reading stops with an error record.
 */
function readCsv(text: string): CsvRecord[] {
  const n = text.length;
  const out: CsvRecord[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let rereadBudget = 4 * n + 1_000_000;
  while (pos < n) {
    const rec: CsvRecord = { line, fields: [] };
    out.push(rec);
    for (;;) {
      // field start: optional blanks before an opening quote are tolerated
      let q = pos;
      while (q < n && (text.charCodeAt(q) === SPACE || text.charCodeAt(q) === TAB)) q++;
      if (q < n && text.charCodeAt(q) === QUOTE) {
        const openLine = line;
        let value = '';
        let seg = q + 1;
        let i = q + 1;
        let closed = false;
        while (i < n && i - q <= MAX_FIELD) {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += text.slice(seg, i + 1);
              i += 2;
              seg = i;
              continue;
            }
            value += text.slice(seg, i);
            i++;
            closed = true;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++;
          i++;
        }
        if (!closed) {
          rec.error =
            i >= n
              ? `the quoted field opened on line ${openLine} is never closed`
              : `the quoted field opened on line ${openLine} has no closing quote within ${MAX_FIELD} characters`;
          rereadBudget -= i - q;
          const next = afterLineBreak(text, q);
          pos = next.pos;
          line = openLine + (next.broke ? 1 : 0);
          break;
        }
        rec.fields.push(value);
        while (i < n && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
        const end = fieldEnd(text, i, rec);
        if (end) {
          pos = end.pos;
          if (end.newline) line++;
          if (end.next === 'field') continue;
          break;
        }
        rec.error = `text after the closing quote of field ${rec.fields.length} (a quote inside a quoted field is written "")`;
        if (line > openLine) {
          // the "field" ran over line breaks to some later quote: most likely an unclosed quote, so the lines it
          // swallowed are read again as rows of their own
          rereadBudget -= i - q;
          const next = afterLineBreak(text, q);
          pos = next.pos;
          line = openLine + (next.broke ? 1 : 0);
        } else {
          const next = afterLineBreak(text, i);
          pos = next.pos;
          if (next.broke) line++;
        }
        break;
      }
      let i = pos;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === COMMA || c === LF || c === CR) break;
        i++;
      }
      rec.fields.push(text.slice(pos, i));
      // i is at a comma, a line break or the end: never junk
      const end = fieldEnd(text, i, rec)!;
      pos = end.pos;
      if (end.newline) line++;
      if (end.next === 'field') continue;
      break;
    }
    if (rereadBudget < 0 && pos < n) {
      out.push({ line, fields: [], error: `too many unclosed quotes: stopped reading at line ${line}` });
      break;
    }
  }
  return out;
}

function parseCsv(text: string, defaultCrs: CRS): CameraRegistryResult {
  const issues: RegistryIssue[] = [];
  const ignored: string[] = [];
  const records = readCsv(text).filter((r) => r.error !== undefined || r.fields.some((f) => f.trim() !== ''));
  const header = records[0];
  if (!header)
    return { cameras: [], issues: [{ line: 1, message: 'the file is empty: expected a header row with id, lon and lat columns' }], ignoredColumns: [] };
  if (header.error) return { cameras: [], issues: [{ line: header.line, message: `header row: ${header.error}` }], ignoredColumns: [] };

  const columnOf = new Map<Key, number>();
  for (let c = 0; c < header.fields.length; c++) {
    const h = header.fields[c]!.replace(/^\uFEFF/, '').trim();
    const key = Object.hasOwn(COLUMNS, normHeader(h)) ? COLUMNS[normHeader(h)]! : undefined;
    if (!key) {
      if (ignored.length < MAX_IGNORED) ignored.push(h === '' ? `(column ${c + 1})` : short(h));
      continue;
    }
    const prev = columnOf.get(key);
    if (prev !== undefined) {
      return {
        cameras: [],
        issues: [
          { line: header.line, field: short(h), message: `columns "${short(header.fields[prev]!.trim())}" and "${short(h)}" both give ${key}: keep one` },
        ],
        ignoredColumns: ignored,
      };
    }
    columnOf.set(key, c);
  }
  const missing = (['id', 'lon', 'lat'] as const).filter((k) => !columnOf.has(k));
  if (missing.length > 0) {
    return {
      cameras: [],
      issues: [
        {
          line: header.line,
          message: `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${header.fields
            .slice(0, 20)
            .map((f) => short(f.trim()))
            .join(', ')}${header.fields.length > 20 ? ', …' : ''})`,
        },
      ],
      ignoredColumns: ignored,
    };
  }
  const labels = new Map<Key, string>([...columnOf].map(([k, c]) => [k, header.fields[c]!.replace(/^\uFEFF/, '').trim()]));
  const label = (k: Key): string => labels.get(k) ?? k;
  const width = header.fields.length;

  const acc = new Accumulator('line');
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!;
    if (rec.error) {
      issues.push({ line: rec.line, message: rec.error });
      continue;
    }
    // strict, even for empty extra cells: "a, b" unquoted in a name shifts every later column one to the right
    if (rec.fields.length !== width) {
      issues.push({
        line: rec.line,
        message: `row has ${rec.fields.length} fields but the header has ${width} (an unquoted comma in a value?)`,
      });
      continue;
    }
    const raw: RawRow = {};
    for (const [k, c] of columnOf) raw[k] = rec.fields[c];
    const cam = buildCamera(raw, { line: rec.line, label, defaultCrs }, issues);
    if (cam) acc.add(cam, rec.line, label, issues);
  }
  return { cameras: acc.cameras, issues, ignoredColumns: ignored };
}

/** Keeps the first camera of each id (and GB id); a later one is an issue. */
class Accumulator {
  readonly cameras: CameraRecord[] = [];
  /** 'line' (CSV) or 'camera' (JSON index) */
  private readonly where: string;
  constructor(where: string) {
    this.where = where;
  }
  private readonly ids = new Map<string, number>();
  private readonly gbIds = new Map<string, number>();
  add(cam: CameraRecord, line: number, label: (k: Key) => string, issues: RegistryIssue[]): void {
    const first = this.ids.get(cam.id);
    if (first !== undefined) {
      issues.push({ line, field: label('id'), message: `duplicate id ${cam.id} (first at ${this.where} ${first}); this row is skipped` });
      return;
    }
    if (cam.gbId !== undefined) {
      const firstGb = this.gbIds.get(cam.gbId);
      if (firstGb !== undefined) {
        issues.push({ line, field: label('gbId'), message: `duplicate GB id ${cam.gbId} (first at ${this.where} ${firstGb}); this row is skipped` });
        return;
      }
      this.gbIds.set(cam.gbId, line);
    }
    this.ids.set(cam.id, line);
    this.cameras.push(cam);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// JSON

const JSON_KEYS: Readonly<Record<string, Key>> = {
  id: 'id',
  name: 'name',
  lon: 'lon',
  lat: 'lat',
  crs: 'crs',
  heightM: 'heightM',
  heading: 'heading',
  fov: 'fov',
  rangeM: 'rangeM',
  ptz: 'ptz',
  gbId: 'gbId',
  hls: 'hls',
  flv: 'flv',
  wsflv: 'wsflv',
  webrtc: 'webrtc',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string, defaultCrs: CRS): CameraRegistryResult {
  const issues: RegistryIssue[] = [];
  const ignored = new Set<string>();
  const ignore = (k: string): void => {
    if (ignored.size < MAX_IGNORED) ignored.add(short(k));
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const why = (e as Error).message.replace(UNSAFE_G, '\uFFFD').slice(0, 200);
    return { cameras: [], issues: [{ line: 0, message: `not valid JSON: ${why}` }], ignoredColumns: [] };
  }
  let list: unknown[];
  let fileCrs: CRS | null = defaultCrs;
  let fileCrsProblem: string | undefined;
  if (Array.isArray(doc)) list = doc;
  else if (isObject(doc) && Array.isArray(doc.cameras)) {
    list = doc.cameras;
    if (!isBlank(doc.crs)) {
      fileCrs = typeof doc.crs === 'string' ? parseCrs(doc.crs) : null;
      if (!fileCrs) {
        fileCrsProblem = `the file's crs "${short(doc.crs)}" is unknown (supported: ${CRS_LIST.join(', ')}) and this camera names none`;
        issues.push({ line: 0, field: 'crs', message: `unknown CRS "${short(doc.crs)}" (supported: ${CRS_LIST.join(', ')})` });
      }
    }
  } else {
    return { cameras: [], issues: [{ line: 0, message: 'expected an array of cameras or { "crs"?: …, "cameras": [ … ] }' }], ignoredColumns: [] };
  }

  const acc = new Accumulator('camera');
  const label = (k: Key): string => ((VIDEO_PROTOCOLS as readonly string[]).includes(k) ? `streams.${k}` : k);
  for (let i = 0; i < list.length; i++) {
    const line = i + 1;
    const item = list[i];
    if (!isObject(item)) {
      issues.push({ line, message: `camera ${line} is not an object` });
      continue;
    }
    const raw: RawRow = {};
    let rowOk = true;
    for (const k of Object.keys(item)) {
      if (k === 'streams') continue;
      if (Object.hasOwn(JSON_KEYS, k)) raw[JSON_KEYS[k]!] = item[k];
      else ignore(k);
    }
    if (Object.hasOwn(item, 'streams') && item.streams !== undefined && item.streams !== null) {
      const s = item.streams;
      if (!isObject(s)) {
        issues.push({ line, field: 'streams', message: 'streams must be an object like { "hls": "https://…" }' });
        rowOk = false;
      } else {
        for (const k of Object.keys(s)) {
          if (!(VIDEO_PROTOCOLS as readonly string[]).includes(k)) {
            ignore(`streams.${k}`);
            continue;
          }
          const proto = k as VideoProtocol;
          if (!isBlank(raw[proto]) && !isBlank(s[k]) && raw[proto] !== s[k]) {
            issues.push({ line, field: `streams.${k}`, message: `${k} is given twice with different URLs (flat and in streams)` });
            rowOk = false;
          } else if (!isBlank(s[k])) raw[proto] = s[k];
        }
      }
    }
    if (!rowOk) continue;
    const cam = buildCamera(raw, { line, label, defaultCrs: fileCrs, ...(fileCrsProblem ? { defaultCrsProblem: fileCrsProblem } : {}) }, issues);
    if (cam) acc.add(cam, line, label, issues);
  }
  return { cameras: acc.cameras, issues, ignoredColumns: [...ignored] };
}

// ---------------------------------------------------------------------------------------------------------------------

/** Parses a camera registry. Never throws on bad data (only on a bad `opts.crs`): problems come back as issues. */
export function parseCameraRegistry(text: string, format: 'csv' | 'json', opts: CameraRegistryOptions = {}): CameraRegistryResult {
  const crs = opts.crs ?? 'WGS84';
  if (!CRS_LIST.includes(crs)) throw new Error(`camera registry: unknown default CRS "${String(crs)}" (supported: ${CRS_LIST.join(', ')})`);
  if (format === 'csv') return parseCsv(text, crs);
  if (format === 'json') return parseJson(text, crs);
  throw new Error(`camera registry: unknown format "${String(format)}" (supported: csv, json)`);
}

/** Reads and parses a registry file: .csv or .json, UTF-8, at most 50 MB. Throws for a file it cannot read at all. */
export async function loadCameraRegistry(path: string, opts: CameraRegistryOptions = {}): Promise<CameraRegistryResult> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.json') {
    throw new Error(`camera registry ${path}: unsupported file type "${ext || '(none)'}"; supported are .csv and .json`);
  }
  const fh = await open(path, 'r');
  let bytes: Buffer;
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`camera registry ${path} is not a regular file`);
    const limit = `${MAX_REGISTRY_BYTES / 1024 / 1024} MB`;
    if (st.size > MAX_REGISTRY_BYTES) throw new Error(`camera registry ${path} is ${(st.size / 1024 / 1024).toFixed(1)} MB; the limit is ${limit}`);
    bytes = await fh.readFile();
    if (bytes.length > MAX_REGISTRY_BYTES) throw new Error(`camera registry ${path} grew past ${limit} while being read`);
  } finally {
    await fh.close();
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new Error(`camera registry ${path} is UTF-16: save it as UTF-8`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`camera registry ${path} is not valid UTF-8 (a GBK/GB18030 export?): save it as UTF-8`);
  }
  return parseCameraRegistry(text, ext === '.csv' ? 'csv' : 'json', opts);
}
