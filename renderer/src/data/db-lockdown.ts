/**
 * Database-wide lockdown of the local DuckDB, applied once when it opens (LocalDb.open; the unit tests apply the same
 * text). These settings are GLOBAL in DuckDB (every connection, the app's own included), so the app keeps working by
 * registering its in-memory files (CSV for read_csv: occupancy history, imports, work tables) under MEM_DIR, the only
 * place DuckDB may still open; Arrow IPC inserts need no file access. After `lock_configuration` no SET can change any
 * of this — not from the SQL console, not from anywhere.
 */
/** the directory of the files the app registers (DuckDB-Wasm registerFileText); the only files DuckDB may open */
export const MEM_DIR = '/redwall-mem/';

/** a registered in-memory file's path (use it both to register and in read_csv) */
export const memFile = (name: string): string => {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.includes('..')) throw new Error(`in-memory file name "${name}": letters, digits, _ . - only`);
  return MEM_DIR + name;
};

export const LOCKDOWN_SQL = [
  // never install or load an extension (from the network or anywhere)
  'SET autoinstall_known_extensions = false',
  'SET autoload_known_extensions = false',
  `SET allowed_directories = ['${MEM_DIR}']`,
  // no file system or network access (read_csv('/etc/passwd'), glob, read_text, COPY … TO, ATTACH 'file', http…)
  'SET enable_external_access = false',
  'SET lock_configuration = true',
].join(';\n');
