/** Electron entry: wires the real Electron module into runMain. Kept thin on purpose (no logic to test here). */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, protocol, screen, session } from 'electron';
import { startFeedServer } from '../../data-pipelines/feed/server.ts';
import { loadCameraRegistry } from '../../data-pipelines/sources/camera-registry.ts';
import { videoOrigins, type CameraRecord } from '../../data-pipelines/contracts/cameras.ts';
import { accountsFor } from '../../data-pipelines/feed/demo-accounts.ts';
import { parseBuildings3d, type Buildings3d } from '../../data-pipelines/contracts/shell-config.ts';
import { modelArgs, mountModels, type ModelMount } from '../../data-pipelines/feed/model-mounts.ts';
import { registerScheme, runMain, type ElectronLike } from './app.ts';
import { APP_ORIGIN } from './security.ts';

const electron = {
  app,
  protocol,
  ipcMain,
  session,
  // `screen` may only be used once the app is ready: a getter defers the access
  get screen() {
    return screen;
  },
  createWindow: (o: Record<string, unknown>) => new BrowserWindow(o),
} as unknown as ElectronLike;

registerScheme(electron);
const feedToken = randomBytes(24).toString('hex');
const demo = process.argv.includes('--demo');
// --buildings geometry|tileset (or REDWALL_BUILDINGS): where the 3D buildings come from; a bad value stops the start
// (said on the console, exit 2: not an uncaught exception leaving a windowless app running)
let buildings3d: Buildings3d | undefined;
try {
  buildings3d = parseBuildings3d(process.argv, process.env['REDWALL_BUILDINGS']);
} catch (e) {
  console.error(`RedWall: ${(e as Error).message}`);
  process.exit(2);
}
// --model <folder|file.3tz> (repeatable): 3D Tiles models served under app://redwall/models/N/ and opened at start;
// a path that is not a tileset folder or a package stops the start with the reason (as the web shell does)
let models: ModelMount[] = [];
try {
  models = mountModels(modelArgs(process.argv));
} catch (e) {
  console.error(`RedWall: ${(e as Error).message}`);
  process.exit(2);
}
const layoutFile = () => join(app.getPath('userData'), 'wall-layout.json');
/** The camera registry named by REDWALL_CAMERAS (none when unset); its problems go to the log, rows by line. */
async function camerasFrom(file: string | undefined): Promise<CameraRecord[]> {
  if (!file) return [];
  const r = await loadCameraRegistry(file);
  for (const i of r.issues.slice(0, 50)) console.error(`[main] ${file}:${i.line}${i.field ? ` ${i.field}` : ''}: ${i.message}`);
  return r.cameras;
}

runMain(electron, {
  preloadPath: join(__dirname, 'preload.cjs'),
  ...(buildings3d ? { buildings3d } : {}),
  models,
  layoutStore: {
    load: () =>
      readFile(layoutFile(), 'utf8').then(
        (t) => JSON.parse(t) as unknown,
        (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)),
      ),
    // written to a temporary file and renamed: a crash mid-write never leaves half a layout
    save: async (l) => {
      await writeFile(`${layoutFile()}.tmp`, JSON.stringify(l, null, 2));
      await rename(`${layoutFile()}.tmp`, layoutFile());
    },
  },
  // named accounts: REDWALL_ACCOUNTS=FILE for a deployment; the published demo accounts only with --demo (npm start
  // passes it). The embedded feed serves no /api/config: the window gets the token over IPC only.
  // the district's camera registry: REDWALL_CAMERAS=FILE (.csv/.json, docs/video.md); a bad row is logged and left out
  startFeed: (roots) =>
    Promise.all([accountsFor({ file: process.env['REDWALL_ACCOUNTS'], demo }), camerasFrom(process.env['REDWALL_CAMERAS'])]).then(
      ([{ accounts, source }, cameras]) =>
        startFeedServer({
          accounts,
          demo: source === 'demo',
          configRoute: false,
          assetsDir: roots.assets,
          scenariosDir: join(roots.assets, '..', 'scenarios'),
          // the SOP files: REDWALL_SOP_DIR=DIR, default next to the district package (a bad file is logged and left out)
          sopDir: process.env['REDWALL_SOP_DIR'] || join(roots.assets, '..', 'sop'),
          journalDir: join(app.getPath('userData'), 'journal'),
          host: '127.0.0.1',
          port: 0,
          allowedOrigins: [APP_ORIGIN],
          sim: { backfillMs: 24 * 3600_000, requests: { backfillDays: 7 } },
          appVersion: app.getVersion(),
          token: feedToken,
          // the population generated while the window loads, not in the seconds its first map is drawn (issue 24)
          warmPeople: true,
          ...(cameras.length ? { cameras } : {}),
        }).then((s) => ({ ...s, token: feedToken, demoAccounts: source === 'demo', videoOrigins: videoOrigins(cameras) })),
    ),
}).catch((e: unknown) => {
  console.error('RedWall failed to start', e);
  app.quit();
});
