/**
 * Versioned SQL files with typed parameters. A file starts with `-- name: x` and `-- version: N` and uses `$param`
 * placeholders; bind() checks that every placeholder gets a value and every value is used, and writes numbers as
 * literals (finite only) and strings quoted. Runs on DuckDB-Wasm in the app and in unit tests (same engine).
 */

import type { ConsoleConnection } from './console.ts';

export interface SqlRunner {
  rows<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** registers `text` as an in-memory file readable by read_csv(name); name = memFile(…) (data/db-lockdown.ts) */
  registerText(name: string, text: string): Promise<void>;
  /** a connection of its own for the SQL console (without one the console does not run) */
  connectConsole?(): Promise<ConsoleConnection>;
}

export interface SqlFile {
  name: string;
  version: number;
  text: string;
}

export type SqlParams = Record<string, number | string>;

export function parseSqlFile(text: string): SqlFile {
  const name = /^--\s*name:\s*([a-z0-9_]+)\s*$/m.exec(text)?.[1];
  const version = /^--\s*version:\s*(\d+)\s*$/m.exec(text)?.[1];
  if (!name || !version) throw new Error('SQL file needs "-- name:" and "-- version:" header lines');
  return { name, version: Number(version), text };
}

export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

export function bind(file: SqlFile, params: SqlParams): string {
  const used = new Set<string>();
  const sub = (code: string) =>
    code.replace(/\$([a-z_][a-z0-9_]*)/g, (_, key: string) => {
      if (!(key in params)) throw new Error(`${file.name}: parameter $${key} has no value`);
      used.add(key);
      const v = params[key]!;
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new Error(`${file.name}: parameter $${key} must be a finite number, got ${v}`);
        return v < 0 ? `(${v})` : String(v); // "-$p" must never become "--…", a comment
      }
      return sqlString(v);
    });
  // comments document the parameters: only code is bound (our SQL files put no "--" inside string literals)
  const sql = file.text
    .split('\n')
    .map((line) => {
      const i = line.indexOf('--');
      return i < 0 ? sub(line) : sub(line.slice(0, i)) + line.slice(i);
    })
    .join('\n');
  const unused = Object.keys(params).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`${file.name}: unknown parameter(s) ${unused.map((k) => '$' + k).join(', ')}`);
  return sql;
}
