/** Arrow IPC writing helpers shared by the ETL and the feed simulator (Node side). */
import { createHash } from 'node:crypto';
import { Field, Float64, List, Table, Utf8, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';

export type ColumnSpec =
  { type: 'f64'; values: number[] } | { type: 'i32'; values: number[] } | { type: 'str'; values: string[] } | { type: 'f64list'; values: number[][] };

export function buildTable(columns: Record<string, ColumnSpec>): Table {
  const vectors: Record<string, Vector> = {};
  let rows = -1;
  for (const [name, col] of Object.entries(columns)) {
    if (rows >= 0 && col.values.length !== rows) throw new Error(`column ${name}: ${col.values.length} rows, expected ${rows}`);
    rows = col.values.length;
    switch (col.type) {
      case 'f64':
        vectors[name] = vectorFromArray(Float64Array.from(col.values));
        break;
      case 'i32':
        vectors[name] = vectorFromArray(Int32Array.from(col.values));
        break;
      case 'str':
        vectors[name] = vectorFromArray(col.values, new Utf8());
        break;
      case 'f64list':
        vectors[name] = vectorFromArray(col.values, new List(new Field('item', new Float64(), false)));
        break;
    }
  }
  return new Table(vectors);
}

export function toIpc(table: Table): Uint8Array {
  return tableToIPC(table, 'stream');
}

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
