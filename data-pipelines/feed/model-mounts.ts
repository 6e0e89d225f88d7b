/**
 * 3D Tiles models named on the command line (`--model <folder|.3tz>`), served read-only by the web shell's gateway:
 * a folder's files under /models/N/ (inside the folder only), a .3tz (or .zip) as one file that the page reads by HTTP
 * byte ranges (a multi-gigabyte package is never sent whole). Checked at start: a path that is not a tileset folder
 * or a package stops the start with a clear error.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ConfiguredModel } from '../contracts/shell-config.ts';

export interface ModelMount {
  config: ConfiguredModel;
  /** folder: the directory; 3tz: the file */
  path: string;
}

/**
 * The paths named by `--model PATH` in a command line (repeatable), in order; a `--model` without a path (last, or
 * followed by another flag) is an error. Shared by `npm start` and the desktop app's main process.
 */
export function modelArgs(argv: readonly string[]): string[] {
  const paths = argv.flatMap((a, i) => (a === '--model' ? [argv[i + 1] ?? ''] : []));
  if (paths.some((p) => !p || p.startsWith('--'))) throw new Error('--model needs a path: --model <folder with tileset.json | file.3tz>');
  return paths;
}

export function mountModels(paths: string[]): ModelMount[] {
  // the page's config accepts at most 64 models (contracts/shell-config.ts): say so here, not as a page that cannot start
  if (paths.length > 64) throw new Error(`--model: ${paths.length} models given, at most 64`);
  return paths.map((raw, i) => {
    const path = resolve(raw);
    if (!existsSync(path)) throw new Error(`--model ${raw}: no such file or folder`);
    const name = basename(path);
    if (!name) throw new Error(`--model ${raw}: not a model folder or file`);
    if (statSync(path).isDirectory()) {
      const entries = readdirSync(path);
      const json = entries.filter((e) => /\.json$/i.test(e));
      const root = entries.find((e) => e.toLowerCase() === 'tileset.json') ?? (json.length === 1 ? json[0] : undefined);
      if (!root) throw new Error(`--model ${raw}: no tileset.json in the folder (a 3D Tiles model's folder holds one at its top)`);
      return { path, config: { name, kind: 'folder', url: `/models/${i}/`, root } };
    }
    if (!/\.(3tz|zip)$/i.test(path)) throw new Error(`--model ${raw}: not a 3D Tiles folder, .3tz or .zip`);
    return { path, config: { name, kind: '3tz', url: `/models/${i}/${encodeURIComponent(name)}` } };
  });
}
