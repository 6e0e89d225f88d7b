/**
 * The district package's tables read in the page straight from their Arrow IPC bytes, without a database: the map,
 * the entity tables and the place index are built from these while DuckDB-Wasm is still compiling (issue 24's start-up:
 * the compile took ~2.4 s, and everything on screen waited for it). DuckDB gets the same bytes for the analyses, the
 * SQL console and imports (LocalDb.insertPackage).
 *
 * A package that does not hold what the manifest says (a table missing, fewer rows, bytes that are no Arrow stream,
 * a column missing or of the wrong kind) is refused with an error naming the table and the column.
 */
import { DataType, tableFromIPC, type Table } from 'apache-arrow';
import type { Manifest } from '../../../data-pipelines/contracts/manifest.ts';

/** A district package fetched but not yet read (LocalDb.fetchPackage). */
export interface FetchedPackage {
  manifest: Manifest;
  tables: Array<{ name: string; bytes: Uint8Array }>;
}

/** A column's value at row i. */
export type Column<T> = (i: number) => T;

/** One table of the package, read by column, with the conversions the district's readers need. */
export class PackageTable {
  /** text columns decoded (strings()) */
  private readonly text = new Map<string, Array<string | null>>();

  constructor(
    readonly name: string,
    private readonly table: Table,
  ) {}

  get numRows(): number {
    return this.table.numRows;
  }

  private child(column: string, kind: string, ok: (t: DataType) => boolean) {
    const field = this.table.schema.fields.find((f) => f.name === column);
    const vector = this.table.getChild(column);
    if (!field || !vector) throw new Error(`district package: table ${this.name} has no column ${column}`);
    if (!ok(field.type)) throw new Error(`district package: ${this.name}.${column} is ${String(field.type)}, expected ${kind}`);
    return vector;
  }

  /** A numeric column (integers of any width, floats) as numbers; a null is NaN. */
  numbers(column: string): Column<number> {
    const v = this.child(column, 'a number', (t) => DataType.isInt(t) || DataType.isFloat(t));
    return (i) => {
      const x = v.get(i) as number | bigint | null;
      return x === null ? NaN : Number(x);
    };
  }

  /** A text column; a null is null. Decoded whole on first use (see textColumn). */
  strings(column: string): Column<string | null> {
    let all = this.text.get(column);
    if (!all) this.text.set(column, (all = textColumn(this.child(column, 'text', (t) => DataType.isUtf8(t) || DataType.isLargeUtf8(t)))));
    const values = all;
    return (i) => values[i] ?? null;
  }

  /** A list-of-numbers column (a ring or a line: flat lon, lat pairs) as Float64Arrays; a null is an empty one. */
  coordLists(column: string): Column<Float64Array> {
    const v = this.child(column, 'a list of numbers', (t) => (DataType.isList(t) || DataType.isFixedSizeList(t)) && DataType.isFloat(t.children[0]!.type));
    return (i) => {
      const item = v.get(i) as { toArray(): ArrayLike<number> } | null;
      if (item === null) return new Float64Array(0);
      const a = item.toArray();
      return a instanceof Float64Array ? a : Float64Array.from(a);
    };
  }

  /**
   * Row numbers ordered by a column (numbers numerically, text by code unit, as SQL's ORDER BY on ids), ties in
   * table order; nulls last.
   */
  orderBy(column: string): Int32Array {
    const field = this.table.schema.fields.find((f) => f.name === column);
    const get: Column<number | string | null> =
      field && (DataType.isUtf8(field.type) || DataType.isLargeUtf8(field.type)) ? this.strings(column) : this.numbers(column);
    const n = this.numRows;
    const keys = Array.from({ length: n }, (_, i) => get(i));
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const nullish = (k: number | string | null) => k === null || (typeof k === 'number' && Number.isNaN(k));
    order.sort((a, b) => {
      const ka = keys[a]!;
      const kb = keys[b]!;
      if (nullish(ka) || nullish(kb)) return nullish(ka) === nullish(kb) ? a - b : nullish(ka) ? 1 : -1;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
    return order;
  }
}

/** The parts of an Arrow text chunk read here (apache-arrow's Data). */
interface TextChunk {
  length: number;
  offset: number;
  nullCount: number;
  nullBitmap?: Uint8Array | null;
  valueOffsets: Int32Array | BigInt64Array;
  values: Uint8Array;
}

const utf8 = new TextDecoder();

/**
 * A text column's values. An all-ASCII chunk (ids, kinds: the district's 18,000 well ids and their kinds) is decoded
 * in one call and cut by its offsets, byte and character offsets being the same there; others value by value. One
 * decode per value was 0.4 s of the console's start-up in Chromium (issue 24), against ~20 ms in Node.
 */
function textColumn(vector: { data: ReadonlyArray<unknown>; get(i: number): unknown }): Array<string | null> {
  const out: Array<string | null> = [];
  for (const chunk of vector.data as TextChunk[]) {
    // (a sliced chunk's offsets are sliced with it, its values and null bits are not: apache-arrow's Data.slice)
    const offsets = chunk.valueOffsets;
    const at = (i: number) => Number(offsets[i]);
    const valid = (i: number) => {
      if (!chunk.nullCount || !chunk.nullBitmap) return true;
      const j = chunk.offset + i;
      return (chunk.nullBitmap[j >> 3]! & (1 << (j & 7))) !== 0;
    };
    const start = at(0);
    const bytes = chunk.values.subarray(start, at(chunk.length));
    const ascii = bytes.every((b) => b < 0x80);
    const whole = ascii ? utf8.decode(bytes) : '';
    for (let i = 0; i < chunk.length; i++) {
      if (!valid(i)) out.push(null);
      else if (ascii) out.push(whole.slice(at(i) - start, at(i + 1) - start));
      else out.push(utf8.decode(chunk.values.subarray(at(i), at(i + 1))));
    }
  }
  return out;
}

export class PackageTables {
  private constructor(private readonly tables: Map<string, PackageTable>) {}

  /** Reads every table of a fetched package; checks each against the manifest (present, as many rows). */
  static read(pkg: FetchedPackage): PackageTables {
    const bytes = new Map(pkg.tables.map((t) => [t.name, t.bytes]));
    const out = new Map<string, PackageTable>();
    for (const m of pkg.manifest.tables) {
      const b = bytes.get(m.name);
      if (!b) throw new Error(`district package: table ${m.name} (${m.file}) is missing`);
      let table: Table;
      try {
        table = tableFromIPC(b);
      } catch (e) {
        throw new Error(`district package: ${m.file} is not an Arrow IPC stream (${e instanceof Error ? e.message : String(e)})`);
      }
      if (table.numRows !== m.rows) throw new Error(`district package: table ${m.name} has ${table.numRows} rows, manifest says ${m.rows}`);
      out.set(m.name, new PackageTable(m.name, table));
    }
    return new PackageTables(out);
  }

  table(name: string): PackageTable {
    const t = this.tables.get(name);
    if (!t) throw new Error(`district package: no table ${name} in its manifest`);
    return t;
  }
}
