/**
 * The packaging configuration, checked offline: electron-builder's own schema validation (its API, no download), the
 * security fuses, the targets the issue asks for, and that everything the app loads at run time is packaged.
 * What cannot run here (the Electron zip and the NSIS/AppImage toolsets are downloads) is documented in
 * docs/packaging.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(dir: string, file: string, extra: null): Promise<Record<string, unknown>>;
  validateConfiguration(cfg: Record<string, unknown>, log: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown };

describe('electron-builder configuration', () => {
  it('passes electron-builder schema validation (and a wrong key does not)', async () => {
    const cfg = await getConfig(ROOT, 'electron-builder.yml', null);
    await expect(validateConfiguration(cfg, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(
      validateConfiguration({ ...cfg, electronFuses: { ...(cfg['electronFuses'] as object), runAsnode: false } }, new DebugLogger(false)),
    ).rejects.toThrow(/configuration/i);
  });

  it('targets Linux AppImage + deb and Windows NSIS (per-machine, choosable directory)', async () => {
    const cfg = await getConfig(ROOT, 'electron-builder.yml', null);
    expect((cfg['linux'] as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect((cfg['win'] as { target: string[] }).target).toEqual(['nsis']);
    expect(cfg['nsis']).toMatchObject({ oneClick: false, perMachine: true });
  });

  it('sets the security fuses: no run-as-node, no NODE_OPTIONS/inspect, app only from an integrity-checked asar', async () => {
    const cfg = await getConfig(ROOT, 'electron-builder.yml', null);
    expect(cfg['asar']).toBe(true);
    expect(cfg['electronFuses']).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packages what the app loads: main + preload bundles, the renderer build, the data package, the drill scenarios', async () => {
    const yaml = require('js-yaml') as { load(s: string): { files: string[] } };
    const files = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')).files;
    for (const f of ['dist/electron/**', 'dist/renderer/**', 'assets/district/**', 'assets/scenarios/**']) expect(files).toContain(f);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; devDependencies: Record<string, string> };
    expect(pkg.main).toBe('dist/electron/main.cjs');
    // the paths the main process resolves at run time (electron/main/main.ts, security.ts defaultRoots)
    const main = readFileSync(join(ROOT, 'electron/main/main.ts'), 'utf8');
    expect(main).toContain("join(__dirname, 'preload.cjs')");
    expect(main).toContain("join(roots.assets, '..', 'scenarios')");
    expect(readFileSync(join(ROOT, 'electron/main/security.ts'), 'utf8')).toContain("join(appPath, 'dist/renderer')");
    expect(existsSync(join(ROOT, 'assets/scenarios'))).toBe(true);
    // Electron's Chromium major must match the Chromium the web shell is tested on (156): Electron 45
    expect(pkg.devDependencies['electron']).toMatch(/^45\./);
  });
});
