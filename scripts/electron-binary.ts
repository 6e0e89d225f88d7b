/**
 * Is the Electron binary installed? Answered from the files alone, the way the `electron` package itself would find
 * its binary (node_modules/electron/path.txt -> dist/<that path>, or ELECTRON_OVERRIDE_DIST_PATH) but WITHOUT loading
 * the package: `require('electron')` downloads the binary (@electron/get, a request to github.com) when it is
 * missing, which RedWall must never do at run time (offline intranets; docs/packaging.md for installing Electron).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The folder of the installed `electron` npm package (its package.json is resolved, nothing is executed), or null. */
export function electronPackageDir(from: string): string | null {
  try {
    return dirname(createRequire(from).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * Path of the Electron executable when it is present on disk, else null. `pkgDir` is node_modules/electron;
 * `env` is read for ELECTRON_OVERRIDE_DIST_PATH (the package's own override).
 */
export function electronBinary(pkgDir: string | null, env: NodeJS.ProcessEnv = process.env): string | null {
  if (!pkgDir) return null;
  const pathFile = join(pkgDir, 'path.txt');
  let rel = '';
  try {
    rel = readFileSync(pathFile, 'utf8').trim();
  } catch {
    // no path.txt: the download was skipped or never finished
  }
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (override) {
    const p = join(override, rel || (process.platform === 'win32' ? 'electron.exe' : 'electron'));
    return existsSync(p) ? p : null;
  }
  if (!rel) return null;
  const p = join(pkgDir, 'dist', rel);
  return existsSync(p) ? p : null;
}
