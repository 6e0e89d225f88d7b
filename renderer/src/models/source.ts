/**
 * Where a user's 3D Tiles model comes from: a folder picked in the browser (the Files, read only when Cesium asks for
 * one) or a .3tz archive (read by byte range, never whole). Finds the root tileset.json and answers path lookups the
 * way a web server would for the tileset's relative URIs (`./`, `../`, percent-encoding, and a case-insensitive
 * fallback for models made on Windows). Pure apart from Blob reads; no network.
 */
import { openArchive, rangeSource, ArchiveError, type ByteSource } from './archive.ts';

export type ModelErrorCode = 'noTileset' | 'notArchive' | 'archive' | 'empty' | 'read';

export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    readonly values: Record<string, string | number>,
    message: string,
  ) {
    super(message);
  }
}

export interface ModelSource {
  readonly name: string;
  readonly kind: 'folder' | '3tz';
  /** path of the root tileset JSON inside the source */
  readonly root: string;
  readonly files: number;
  /** a file's bytes, or null if the model has no such file */
  read(path: string): Promise<Uint8Array | null>;
}

/** Removes `.` and resolves `..` segments; null if the path climbs out of the model. */
export function normalisePath(path: string): string | null {
  const out: string[] = [];
  for (const seg of path.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!out.length) return null;
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}

const depth = (p: string) => p.split('/').length;

/**
 * The root tileset: `tileset.json` at the top; else the only top-level .json (converters name it after the project);
 * else the shallowest `tileset.json` (a model one folder down); null if none or if that choice is ambiguous.
 */
export function findRoot(paths: string[]): string | null {
  const top = paths.filter((p) => !p.includes('/') && /\.json$/i.test(p));
  const named = top.find((p) => p.toLowerCase() === 'tileset.json');
  if (named) return named;
  if (top.length === 1) return top[0]!;
  if (top.length > 1) return null;
  const deeper = paths.filter((p) => /(^|\/)tileset\.json$/i.test(p)).sort((a, b) => depth(a) - depth(b));
  if (!deeper.length) return null;
  // two at the same shallowest depth: which one is the model is not ours to guess
  return deeper.length > 1 && depth(deeper[1]!) === depth(deeper[0]!) ? null : deeper[0]!;
}

function lookup<T>(map: Map<string, T>, lower: Map<string, T>, path: string): T | undefined {
  const p = normalisePath(path);
  if (p === null) return undefined;
  return map.get(p) ?? lower.get(p.toLowerCase());
}

/** A picked folder: `entries` with paths relative to the picked folder's parent (webkitRelativePath) or to itself. */
export function folderSource(name: string, entries: Array<{ path: string; blob: Blob }>): ModelSource {
  if (!entries.length) throw new ModelError('empty', { name }, `${name}: the folder is empty`);
  const rel = entries.map((e) => e.path.replace(/\\/g, '/'));
  // webkitRelativePath starts with the picked folder's own name: drop it when every path shares it
  const first = rel[0]!.split('/')[0]!;
  const strip = rel.every((p) => p.startsWith(`${first}/`));
  const map = new Map<string, Blob>();
  const lower = new Map<string, Blob>();
  entries.forEach((e, i) => {
    const p = normalisePath(strip ? rel[i]!.slice(first.length + 1) : rel[i]!);
    if (p === null) return;
    map.set(p, e.blob);
    if (!lower.has(p.toLowerCase())) lower.set(p.toLowerCase(), e.blob);
  });
  const root = findRoot([...map.keys()]);
  if (!root) throw new ModelError('noTileset', { name }, `${name}: no tileset.json in the folder (or several candidates)`);
  return {
    name,
    kind: 'folder',
    root,
    files: map.size,
    async read(path) {
      const b = lookup(map, lower, path);
      return b ? new Uint8Array(await b.arrayBuffer()) : null;
    },
  };
}

/** A folder served by this page's own gateway (`--model`): files fetched from `base` when Cesium asks for them. */
export function urlFolderSource(name: string, base: string, root: string): ModelSource {
  return {
    name,
    kind: 'folder',
    root,
    files: 0,
    async read(path) {
      const p = normalisePath(path);
      if (p === null) return null;
      const r = await fetch(base + p.split('/').map(encodeURIComponent).join('/'));
      if (r.status === 404) return null;
      if (!r.ok) throw new ModelError('read', { name, detail: `${p}: HTTP ${r.status}` }, `${p}: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    },
  };
}

/** A .3tz (or a plain .zip of a tileset folder): a picked File, or a package on this page's gateway read by ranges. */
export async function archiveSource(name: string, file: Blob | { url: string }): Promise<ModelSource> {
  let a;
  try {
    const bytes: Blob | ByteSource = file instanceof Blob ? file : await rangeSource(file.url);
    a = await openArchive(bytes, name);
  } catch (e) {
    if (e instanceof ArchiveError) throw new ModelError('notArchive', { name, detail: e.message }, e.message);
    throw e;
  }
  const paths = a.paths.filter((p) => !p.startsWith('@3dtilesIndex'));
  const map = new Map(paths.map((p) => [p, p] as const));
  const lower = new Map(paths.map((p) => [p.toLowerCase(), p] as const));
  const root = findRoot(paths);
  if (!root) throw new ModelError('noTileset', { name }, `${name}: no tileset.json in the archive`);
  return {
    name,
    kind: '3tz',
    root,
    files: paths.length,
    async read(path) {
      const p = lookup(map, lower, path);
      if (p === undefined) return null;
      try {
        return await a.read(p);
      } catch (e) {
        if (e instanceof ArchiveError) throw new ModelError('archive', { name, detail: e.message }, e.message);
        throw e;
      }
    },
  };
}
