/**
 * A small read-only reader of the SQLite database file format (https://www.sqlite.org/fileformat2.html), enough to
 * look tiles up in multi-gigabyte MBTiles without loading them: pages are read on demand from a random-access byte
 * source (a File via Blob.slice in the browser, a file handle in Node) through a small LRU page cache. Implemented:
 *
 * - §1.3 the database header: magic, page size (65536 stored as 1), read/write versions (1 legacy, 2 WAL: the main
 *   file is read as it is; an un-checkpointed -wal file is not looked at), reserved bytes per page (usable size),
 *   in-header page count (trusted when "version-valid-for" matches the change counter: a short file is "truncated"),
 *   text encoding (UTF-8, UTF-16le/be);
 * - §1.6 b-tree pages: table interior (0x05) / leaf (0x0D), index interior (0x02) / leaf (0x0A), page 1's header after
 *   the 100 database-header bytes, cell pointer arrays, right-most pointers;
 * - §1.6 cell payloads with overflow: local size X/M/K per page kind, overflow page chains (read uncached, and only
 *   as far as the wanted bytes go);
 * - §2.1 the record format: varints (9 bytes max), serial types 0-9 and blobs/texts;
 * - §2.6 sqlite_schema on page 1; rowid lookups in table b-trees, key lookups and ordered scans in index b-trees
 *   (index keys compare NULL < numbers < text < blob; text by bytes, i.e. the BINARY collation).
 *
 * Not implemented (not needed for reading tiles): WITHOUT ROWID tables, freelists, pointer maps, writing.
 */

/** Random-access bytes: read() may return fewer bytes than asked only at the end of the file. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function blobSource(blob: Blob): ByteSource {
  return { size: blob.size, read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()) };
}

export class SqliteError extends Error {
  constructor(
    readonly code: 'notSqlite' | 'truncated' | 'corrupt' | 'unsupported',
    detail: string,
  ) {
    super(detail);
  }
}

export type Value = null | number | string | Uint8Array;

export interface SchemaEntry {
  type: string;
  name: string;
  table: string;
  root: number;
  sql: string;
}

interface Page {
  no: number;
  type: number;
  data: Uint8Array;
  /** offset of the cell pointer array */
  ptrs: number;
  cells: number;
  right: number;
}

interface Cell {
  rowid: number;
  left: number;
  payloadSize: number;
  local: Uint8Array;
  overflow: number;
}

const MAGIC = 'SQLite format 3\0';
/** larger values are taken for corruption (a tile is kilobytes; this keeps a bad record from allocating gigabytes) */
const MAX_VALUE = 64 << 20;

export function varint(b: Uint8Array, at: number): [value: number, length: number] {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const c = b[at + i]!;
    v = v * 128 + (c & 0x7f);
    if (c < 0x80) return [v, i + 1];
  }
  return [v * 256 + b[at + 8]!, 9];
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

/** Orders two record values as SQLite does (BINARY collation). */
export function compareValues(a: Value, b: Value): number {
  const rank = (v: Value) => (v === null ? 0 : typeof v === 'number' ? 1 : typeof v === 'string' ? 2 : 3);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number') return a - (b as number);
  if (a === null) return 0;
  const x = typeof a === 'string' ? new TextEncoder().encode(a) : a;
  const y = typeof b === 'string' ? new TextEncoder().encode(b) : (b as Uint8Array);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** Compares the first key.length values of a record with key. */
function comparePrefix(rec: Value[], key: Value[]): number {
  for (let i = 0; i < key.length; i++) {
    const c = compareValues(rec[i] ?? null, key[i]!);
    if (c) return c;
  }
  return 0;
}

export class SqliteFile {
  private readonly cache = new Map<number, Promise<Page>>();
  private readonly decoder: TextDecoder;
  schema: SchemaEntry[] = [];

  private constructor(
    private readonly src: ByteSource,
    readonly pageSize: number,
    readonly usable: number,
    readonly pageCount: number,
    encoding: number,
    private readonly cacheSize: number,
  ) {
    this.decoder = new TextDecoder(encoding === 2 ? 'utf-16le' : encoding === 3 ? 'utf-16be' : 'utf-8');
  }

  static async open(src: ByteSource, cacheSize = 256): Promise<SqliteFile> {
    const h = await src.read(0, 100);
    if (h.length < 16 || String.fromCharCode(...h.subarray(0, 16)) !== MAGIC) throw new SqliteError('notSqlite', 'no SQLite header');
    if (h.length < 100) throw new SqliteError('truncated', `${src.size} bytes, shorter than the 100-byte header`);
    const raw = (h[16]! << 8) | h[17]!;
    const pageSize = raw === 1 ? 65536 : raw;
    if (pageSize < 512 || pageSize & (pageSize - 1)) throw new SqliteError('corrupt', `page size ${raw}`);
    if (h[19]! > 2) throw new SqliteError('unsupported', `file format read version ${h[19]}`);
    const usable = pageSize - h[20]!;
    const headerPages = u32(h, 28);
    const valid = headerPages > 0 && u32(h, 24) === u32(h, 92);
    if (valid && src.size < headerPages * pageSize) throw new SqliteError('truncated', `${src.size} bytes of ${headerPages * pageSize}`);
    const encoding = u32(h, 56);
    const db = new SqliteFile(src, pageSize, usable, valid ? headerPages : Math.floor(src.size / pageSize), encoding, cacheSize);
    for await (const { cell } of db.scan(1)) {
      const [type, name, table, root, sql] = await db.record(cell);
      db.schema.push({ type: String(type), name: String(name), table: String(table), root: Number(root ?? 0), sql: typeof sql === 'string' ? sql : '' });
    }
    return db;
  }

  /** A b-tree page (cached: the trees' upper levels stay in memory). */
  page(no: number): Promise<Page> {
    const hit = this.cache.get(no);
    if (hit) {
      this.cache.delete(no);
      this.cache.set(no, hit);
      return hit;
    }
    const p = this.rawPage(no).then((data) => {
      const at = no === 1 ? 100 : 0;
      const type = data[at]!;
      if (type !== 2 && type !== 5 && type !== 10 && type !== 13) throw new SqliteError('corrupt', `page ${no} is not a b-tree page (type ${type})`);
      const interior = type === 2 || type === 5;
      return { no, type, data, ptrs: at + (interior ? 12 : 8), cells: (data[at + 3]! << 8) | data[at + 4]!, right: interior ? u32(data, at + 8) : 0 };
    });
    p.catch(() => this.cache.delete(no));
    this.cache.set(no, p);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return p;
  }

  private async rawPage(no: number): Promise<Uint8Array> {
    if (!(no >= 1 && no <= this.pageCount)) throw new SqliteError('corrupt', `page ${no} out of range 1–${this.pageCount}`);
    const data = await this.src.read((no - 1) * this.pageSize, this.pageSize);
    if (data.length < this.pageSize) throw new SqliteError('truncated', `page ${no} lies past the end of the file`);
    return data;
  }

  private cell(p: Page, i: number): Cell {
    const d = p.data;
    let at = (d[p.ptrs + 2 * i]! << 8) | d[p.ptrs + 2 * i + 1]!;
    if (at >= d.length) throw new SqliteError('corrupt', `cell ${i} of page ${p.no} out of the page`);
    const cell: Cell = { rowid: 0, left: 0, payloadSize: 0, local: d.subarray(0, 0), overflow: 0 };
    if (p.type === 2 || p.type === 5) {
      cell.left = u32(d, at);
      at += 4;
    }
    if (p.type === 5) {
      cell.rowid = varint(d, at)[0];
      return cell;
    }
    const [size, n] = varint(d, at);
    at += n;
    if (p.type === 13) {
      const [rowid, m] = varint(d, at);
      cell.rowid = rowid;
      at += m;
    }
    // local payload size (§1.6): X = largest all-local payload, M = smallest local part, K = M + remainder
    const U = this.usable;
    const X = p.type === 13 ? U - 35 : Math.floor(((U - 12) * 64) / 255) - 23;
    const M = Math.floor(((U - 12) * 32) / 255) - 23;
    const K = M + ((size - M) % (U - 4));
    if (size > this.pageCount * this.usable) throw new SqliteError('corrupt', `cell ${i} of page ${p.no} claims ${size} bytes`);
    const local = size <= X ? size : K <= X ? K : M;
    cell.payloadSize = size;
    cell.local = d.subarray(at, at + local);
    if (local < size) cell.overflow = u32(d, at + local);
    return cell;
  }

  /** Payload bytes [start, end) of a cell, following its overflow chain only as far as needed. */
  private async payload(c: Cell, start: number, end: number): Promise<Uint8Array> {
    end = Math.min(end, c.payloadSize);
    if (end <= c.local.length) return c.local.subarray(start, end);
    const out = new Uint8Array(end - start);
    if (start < c.local.length) out.set(c.local.subarray(start));
    const per = this.usable - 4;
    let next = c.overflow;
    for (let base = c.local.length, hops = 0; base < end; base += per, hops++) {
      if (!next || hops > this.pageCount) throw new SqliteError('corrupt', 'overflow chain ends early');
      const pg = await this.rawPage(next);
      if (base + per > start) {
        const from = Math.max(start, base);
        const to = Math.min(end, base + per);
        out.set(pg.subarray(4 + from - base, 4 + to - base), from - start);
      }
      next = u32(pg, 0);
    }
    return out;
  }

  /** Decodes a cell's record; with `cols`, only those columns are read (others come back null). */
  async record(c: Cell, cols?: number[]): Promise<Value[]> {
    let head = c.local;
    const [hsize] = varint(head, 0);
    if (hsize > head.length) head = await this.payload(c, 0, hsize);
    const types: number[] = [];
    for (let at = varint(head, 0)[1]; at < hsize;) {
      const [t, n] = varint(head, at);
      types.push(t);
      at += n;
    }
    const len = (t: number) => (t >= 12 ? (t - 12) >> 1 : ([0, 1, 2, 3, 4, 6, 8, 8, 0, 0][t] ?? 0));
    const offsets: number[] = [];
    let off = hsize;
    for (const t of types) {
      offsets.push(off);
      off += len(t);
    }
    const want = cols ?? types.map((_, i) => i);
    const present = want.filter((i) => i < types.length);
    if (!present.length) return types.map(() => null);
    const lo = Math.min(...present.map((i) => offsets[i]!));
    const hi = Math.max(...present.map((i) => offsets[i]! + len(types[i]!)));
    if (hi - lo > MAX_VALUE) throw new SqliteError('corrupt', `a value of ${hi - lo} bytes`);
    const bytes = await this.payload(c, lo, hi);
    if (bytes.length < hi - lo) throw new SqliteError('corrupt', 'record runs past its payload');
    const out: Value[] = types.map(() => null);
    for (const i of present) {
      const t = types[i]!;
      const b = bytes.subarray(offsets[i]! - lo, offsets[i]! - lo + len(t));
      if (t === 8 || t === 9) out[i] = t - 8;
      else if (t === 6) out[i] = Number(new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0));
      else if (t >= 1 && t <= 5) {
        let v = 0;
        for (const x of b) v = v * 256 + x;
        out[i] = b[0]! >= 0x80 ? v - 2 ** (8 * b.length) : v;
      } else if (t === 7) out[i] = new DataView(b.buffer, b.byteOffset, 8).getFloat64(0);
      else if (t >= 12) out[i] = t & 1 ? this.decoder.decode(b) : b.slice();
    }
    return out;
  }

  /** All cells of a b-tree in key order (table rows or index entries). */
  async *scan(root: number, seen = new Set<number>()): AsyncGenerator<{ cell: Cell; page: number }> {
    if (seen.has(root)) throw new SqliteError('corrupt', `page ${root} is linked twice in a b-tree`);
    seen.add(root);
    const p = await this.page(root);
    for (let i = 0; i < p.cells; i++) {
      const c = this.cell(p, i);
      if (p.type === 2 || p.type === 5) yield* this.scan(c.left, seen);
      if (p.type !== 5) yield { cell: c, page: p.no };
    }
    if (p.right) yield* this.scan(p.right, seen);
  }

  /** The row with this rowid in a table b-tree (only `cols` decoded), or null. */
  async row(root: number, rowid: number, cols?: number[]): Promise<Value[] | null> {
    let p = await this.page(root);
    for (let depth = 0; depth < 40; depth++) {
      let lo = 0;
      let hi = p.cells;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cell(p, mid).rowid < rowid) lo = mid + 1;
        else hi = mid;
      }
      if (p.type === 13) {
        if (lo < p.cells && this.cell(p, lo).rowid === rowid) return this.record(this.cell(p, lo), cols);
        return null;
      }
      if (p.type !== 5) throw new SqliteError('corrupt', `page ${p.no}: expected a table b-tree page`);
      p = await this.page(lo < p.cells ? this.cell(p, lo).left : p.right);
    }
    throw new SqliteError('corrupt', 'b-tree too deep (a loop?)');
  }

  /** The first entry of an index b-tree whose leading values equal `key`, or null: O(depth) pages. */
  async find(root: number, key: Value[]): Promise<Value[] | null> {
    let p = await this.page(root);
    for (let depth = 0; depth < 40; depth++) {
      if (p.type !== 2 && p.type !== 10) throw new SqliteError('corrupt', `page ${p.no}: expected an index b-tree page`);
      let lo = 0;
      let hi = p.cells;
      let rec: Value[] | null = null;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const r = await this.record(this.cell(p, mid));
        if (comparePrefix(r, key) < 0) lo = mid + 1;
        else {
          hi = mid;
          rec = r;
        }
      }
      // interior cells of an index hold entries too
      if (rec && comparePrefix(rec, key) === 0) return rec;
      if (p.type === 10) return null;
      p = await this.page(lo < p.cells ? this.cell(p, lo).left : p.right);
    }
    throw new SqliteError('corrupt', 'b-tree too deep (a loop?)');
  }

  /** The first or last entry of an index b-tree (for min/max zoom). */
  async edge(root: number, last: boolean): Promise<Value[] | null> {
    let p = await this.page(root);
    for (let depth = 0; depth < 40; depth++) {
      if (p.type === 10 || (last && p.type === 2 && !p.right)) return p.cells ? this.record(this.cell(p, last ? p.cells - 1 : 0)) : null;
      if (p.type !== 2) throw new SqliteError('corrupt', `page ${p.no}: expected an index b-tree page`);
      p = await this.page(last ? p.right : this.cell(p, 0).left);
    }
    throw new SqliteError('corrupt', 'b-tree too deep (a loop?)');
  }

  /** Index entries from the first one ≥ `from` on, in order (subtrees wholly below `from` are skipped). */
  async *entries(root: number, from: Value[], seen = new Set<number>()): AsyncGenerator<Value[]> {
    if (seen.has(root)) throw new SqliteError('corrupt', `page ${root} is linked twice in a b-tree`);
    seen.add(root);
    const p = await this.page(root);
    if (p.type !== 2 && p.type !== 10) throw new SqliteError('corrupt', `page ${p.no}: expected an index b-tree page`);
    for (let i = 0; i < p.cells; i++) {
      const c = this.cell(p, i);
      const rec = await this.record(c);
      if (comparePrefix(rec, from) < 0) continue;
      if (p.type === 2) yield* this.entries(c.left, from, seen);
      yield rec;
    }
    if (p.right) yield* this.entries(p.right, from, seen);
  }

  /** Forgets cached pages. */
  close(): void {
    this.cache.clear();
  }
}

/** Column names of a CREATE TABLE statement, and which one (if any) is an INTEGER PRIMARY KEY (the rowid). */
export function tableColumns(sql: string): { names: string[]; rowidAlias: number } {
  const body = sql.slice(sql.indexOf('(') + 1, sql.lastIndexOf(')'));
  const defs: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && !depth) {
      defs.push(cur);
      cur = '';
    } else cur += ch;
  }
  defs.push(cur);
  const names: string[] = [];
  let rowidAlias = -1;
  for (const d of defs.map((s) => s.trim())) {
    if (/^(constraint|primary|unique|check|foreign)\b/i.test(d)) continue;
    names.push(unquote(/^("[^"]*"|`[^`]*`|\[[^\]]*\]|\S+)/.exec(d)?.[1] ?? ''));
    if (/^\S+\s+integer\s+primary\s+key\b/i.test(d)) rowidAlias = names.length - 1;
  }
  return { names, rowidAlias };
}

/** Column names of an index: CREATE INDEX … ON t (a, b, c), or a table's UNIQUE/PRIMARY KEY (…) for an autoindex. */
export function indexColumns(sql: string): string[] {
  const m = /\bon\s+\S+?\s*\(([^)]*)\)|\b(?:unique|primary\s+key)\s*\(([^)]*)\)/i.exec(sql);
  return (m?.[1] ?? m?.[2] ?? '')
    .split(',')
    .map((s) => unquote(s.trim().split(/\s+/)[0] ?? '').toLowerCase())
    .filter(Boolean);
}

function unquote(s: string): string {
  return /^["`[]/.test(s) ? s.slice(1, -1) : s;
}
