/**
 * npm start: runs RedWall on the embedded demo (district package + feed simulator).
 *  - builds what is missing (data package, renderer, Electron bundles)
 *  - launches Electron if its binary is installed; otherwise says so clearly and serves the same renderer as a web
 *    shell on loopback, opening it in Chromium when a display is available.
 *  Flags: --web (force the web shell), --rebuild (rebuild everything first), --port N, --accounts FILE (named
 *  accounts instead of the published demo ones: docs/people.md); web shell only: --sources FILE (also connect the
 *  district's platforms: docs/sources.md), --sim-via mqtt://HOST:PORT (the simulator through a broker), --model
 *  FOLDER|FILE.3tz (a 3D Tiles model to show; repeatable; implies the web shell: docs/3d-tiles.md); --buildings
 *  geometry|tileset (the 3D buildings extruded at start-up, the default, or streamed from the district's 3D Tiles
 *  tileset; also REDWALL_BUILDINGS: docs/3d-tiles.md)
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFeedServer } from '../data-pipelines/feed/server.ts';
import { accountsBanner, accountsFor } from '../data-pipelines/feed/demo-accounts.ts';
import { loadEntities } from '../data-pipelines/feed/entities.ts';
import { modelArgs } from '../data-pipelines/feed/model-mounts.ts';
import { loadSourcesFile } from '../data-pipelines/sources/load.ts';
import { parseBuildings3d } from '../data-pipelines/contracts/shell-config.ts';
import { electronBinary, electronPackageDir } from './electron-binary.ts';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const forceWeb = args.includes('--web');
const rebuild = args.includes('--rebuild');
const portIdx = args.indexOf('--port');
const port = portIdx >= 0 ? Number(args[portIdx + 1]) : Number(process.env['REDWALL_PORT'] ?? 5180);

function run(script: string): void {
  console.log(`> npm run ${script}`);
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`"npm run ${script}" failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

// checked before anything is built: a mistyped value is said at once
let buildings3d: ReturnType<typeof parseBuildings3d>;
try {
  buildings3d = parseBuildings3d(args, process.env['REDWALL_BUILDINGS']);
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}

if (rebuild || !existsSync(join(root, 'assets/district/manifest.json'))) run('build:data');
if (rebuild || !existsSync(join(root, 'dist/renderer/index.html'))) run('build:renderer');

// Looked up on disk only: loading the `electron` package would try to download a missing binary (a request to the
// internet; issue 23). Installing Electron is a deliberate step (docs/packaging.md), never a side effect of starting.
// --model <folder|file.3tz>: served by the desktop app's app:// protocol or the web shell's gateway alike
let modelPaths: string[] = [];
try {
  modelPaths = modelArgs(args);
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const electron = forceWeb ? null : electronBinary(electronPackageDir(import.meta.url));
if (electron) {
  if (rebuild || !existsSync(join(root, 'dist/electron/main.cjs'))) run('build:electron');
  console.log('Starting RedWall (Electron)…');
  // --demo: the embedded demo's published demo accounts (docs/people.md); a deployment runs without it
  const child = spawn(electron, [root, '--demo', ...(buildings3d ? ['--buildings', buildings3d] : []), ...modelPaths.flatMap((p) => ['--model', resolve(p)])], {
    stdio: 'inherit',
  });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!forceWeb) {
    console.log(
      [
        '',
        '┌──────────────────────────────────────────────────────────────────────────┐',
        '│ Electron binary is not installed on this machine                         │',
        '│ (npm install ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or offline).      │',
        '│ Serving the same RedWall renderer as a web shell on loopback instead.    │',
        '└──────────────────────────────────────────────────────────────────────────┘',
      ].join('\n'),
    );
  }
  const token = process.env['REDWALL_FEED_TOKEN'] ?? randomBytes(16).toString('hex');
  // the published demo accounts (docs/people.md), unless an accounts file is given (a bad one stops here)
  const accountsIdx = args.indexOf('--accounts');
  const accounts = await accountsFor({ file: accountsIdx >= 0 ? args[accountsIdx + 1] : process.env['REDWALL_ACCOUNTS'], demo: true }).catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(2);
  });
  const flag = (name: string) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
  const sourcesFile = flag('--sources') ?? process.env['REDWALL_SOURCES'];
  const simVia = flag('--sim-via');
  // 3D Tiles models (a tileset folder or a .3tz), each `--model PATH`, served read-only to the page
  const models = modelPaths;
  let sources: ReturnType<typeof loadSourcesFile> = [];
  try {
    if (sourcesFile) sources = loadSourcesFile(resolve(sourcesFile), loadEntities(join(root, 'assets/district')));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const server = await startFeedServer({
    accounts: accounts.accounts,
    sources,
    ...(simVia ? { simVia } : {}),
    models,
    ...(buildings3d ? { buildings3d } : {}),
    port,
    staticDir: join(root, 'dist/renderer'),
    assetsDir: join(root, 'assets/district'),
    journalDir: process.env['REDWALL_JOURNAL'] ?? join(root, 'var/journal'),
    // the shipped drill scenarios (the drill panel lists them; issue 16.15)
    scenariosDir: join(root, 'assets/scenarios'),
    // The demo opens with a day of parking history for the planners' view (fresh journals only).
    sim: { backfillMs: 24 * 3600_000, requests: { backfillDays: 7 } },
    demo: accounts.source === 'demo',
    token,
    // (no warmPeople here: under tsx's signal relay, Ctrl+C / SIGTERM during the generation's busy seconds was taken
    // for a child without handlers and answered with SIGKILL, no clean stop; the demo's first page pays for it instead)
  }).catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(2);
  });
  const url = `${server.url}/`;
  console.log(`\nRedWall web shell (demo district + feed simulator): ${url}`);
  console.log(`API token for /api/* (Authorization: Bearer …): ${token}`);
  console.log(`${accountsBanner(accounts)}\nPress Ctrl+C to stop.\n`);
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
  if (chromium && (process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']) && !args.includes('--no-open')) {
    const profile = mkdtempSync(join(tmpdir(), 'redwall-chromium-'));
    spawn(
      chromium,
      [
        `--app=${url}`,
        `--user-data-dir=${profile}`,
        '--no-first-run',
        '--disable-background-networking',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
        '--window-size=1600,900',
      ],
      { stdio: 'ignore', detached: true },
    ).unref();
    console.log(`Opened in ${chromium}.`);
  } else if (!chromium) {
    console.log('No Chromium found: open the URL above in any modern browser.');
  }
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
