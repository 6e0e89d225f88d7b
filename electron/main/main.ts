/** Electron entry: wires the real Electron module into runMain. Kept thin on purpose (no logic to test here). */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, protocol, session } from 'electron';
import { startFeedServer } from '../../data-pipelines/feed/server.ts';
import { registerScheme, runMain, type ElectronLike } from './app.ts';
import { APP_ORIGIN } from './security.ts';

const electron = {
  app,
  protocol,
  ipcMain,
  session,
  createWindow: (o: Record<string, unknown>) => new BrowserWindow(o),
} as unknown as ElectronLike;

registerScheme(electron);
const feedToken = randomBytes(24).toString('hex');
runMain(electron, {
  preloadPath: join(__dirname, 'preload.cjs'),
  startFeed: (roots) => startFeedServer({ assetsDir: roots.assets, scenariosDir: join(roots.assets, '..', 'scenarios'), journalDir: join(app.getPath('userData'), 'journal'), host: '127.0.0.1', port: 0, allowedOrigins: [APP_ORIGIN], sim: { backfillMs: 24 * 3600_000 }, appVersion: app.getVersion(), token: feedToken }).then((s) => ({ ...s, token: feedToken })),
}).catch((e: unknown) => {
  console.error('RedWall failed to start', e);
  app.quit();
});
