/**
 * CLI: run the feed server (simulator + web shell) on loopback.
 *   tsx data-pipelines/feed/main.ts [--port N] [--journal DIR] [--no-sim] [--tick MS] [--incident-every MS]
 *                                   [--token T | --no-auth] [--tls-key key.pem --tls-cert cert.pem] [--backfill-hours N]
 *                                   [--accounts FILE | --demo] [--sources FILE] [--sim-via mqtt://HOST:PORT]
 * The API/feed token defaults to REDWALL_FEED_TOKEN or a random one printed at start. --backfill-hours N synthesizes
 * N hours of parking history into a fresh journal (one without parking events; default 0 = none); --request-days N
 * synthesizes N days of citizen requests into a fresh journal (one without request events; default 0 = none).
 * --demo turns on the published demo accounts (docs/people.md; demo only): without it there are none, and a start
 * whose accounts file still has a demo password is refused.
 * --sources FILE connects the district's own platforms (a redwall-sources/1 file, docs/sources.md); with --no-sim
 * they are all the feed there is. --sim-via mqtt://HOST:PORT publishes the simulator through that broker and reads it
 * back as the built-in `simulator` source (the path real feeds take).
 * --log nats://HOST:PORT[,HOST2:PORT,...] keeps the history in a NATS JetStream cluster instead of the embedded journal
 * (docs/deployment.md): several gateways share it, one writes (the lease holder), the others follow and take over.
 * With it: --district NAME (the cluster's name for this district, default `district`), --replicas 1|3,
 * --gateway NAME; credentials from REDWALL_NATS_USER/REDWALL_NATS_PASS or REDWALL_NATS_TOKEN, TLS from
 * REDWALL_NATS_CA/REDWALL_NATS_CERT/REDWALL_NATS_KEY (PEM files). A gateway fenced off the log exits with 75 (restart
 * it: it rejoins as a follower).
 * --peers URL[,URL] names the cluster's other gateways (http(s)://HOST:PORT): the web shell lists them and a screen
 * whose gateway dies goes on at the next one with exactly the events it missed. --page-key FILE (or
 * REDWALL_PAGE_KEY_FILE): a page-credential key shared by the gateways (at least 32 random bytes, the same file at
 * each), so a page's credential from one verifies at the others (trade-off: hosting.ts, loadSharedPageKey).
 * --cameras FILE (or REDWALL_CAMERAS; .csv or .json, docs/video.md): the district's camera registry with the stream
 * URLs of its video gateway; --cameras-crs WGS84|CGCS2000|GCJ02|BD09 for rows that do not name theirs. A bad row is
 * reported with its line and left out; the rest load.
 * --sop-dir DIR (or REDWALL_SOP_DIR): the SOP files (redwall-sop/1, one per alarm kind; default assets/sop). A bad
 * file is reported with the field that is wrong and left out; the rest load.
 * --buildings geometry|tileset (or REDWALL_BUILDINGS): where the pages' 3D buildings come from — extruded from the
 * footprints at start-up (the default) or streamed from the district's 3D Tiles tileset (docs/3d-tiles.md).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startFeedServer } from './server.ts';
import { accountsBanner, accountsFor } from './demo-accounts.ts';
import { loadEntities } from './entities.ts';
import { loadCameraRegistry, parseCrs } from '../sources/camera-registry.ts';
import type { CameraRecord } from '../contracts/cameras.ts';
import { loadSourcesFile } from '../sources/load.ts';
import { natsAccessFromEnv, parseLogUrl, type ClusterOptions } from './cluster/jetstream-log.ts';
import { parseBuildings3d, parsePeers, type Buildings3d } from '../contracts/shell-config.ts';
import { isSopDir } from './sop-catalog.ts';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = resolve(import.meta.dirname, '../..');
const incidentEvery = arg('--incident-every');
const token = args.includes('--no-auth') ? undefined : (arg('--token') ?? process.env['REDWALL_FEED_TOKEN'] ?? randomBytes(16).toString('hex'));
const tlsKey = arg('--tls-key');
const tlsCert = arg('--tls-cert');
const backfillHours = Number(arg('--backfill-hours') ?? 0);
// A week at most: synthesized up front in memory, and the parking journal's retention would trim more at once anyway.
if (!Number.isFinite(backfillHours) || backfillHours < 0 || backfillHours > 168) {
  console.error(`--backfill-hours must be a number of hours from 0 to 168, got ${arg('--backfill-hours')}`);
  process.exit(2);
}
const requestDays = Number(arg('--request-days') ?? 0);
if (!Number.isInteger(requestDays) || requestDays < 0 || requestDays > 60) {
  console.error(`--request-days must be a whole number of days from 0 to 60, got ${arg('--request-days')}`);
  process.exit(2);
}
// Named accounts: --accounts FILE (or REDWALL_ACCOUNTS) for a deployment; the published demo accounts only with
// --demo (data-pipelines/feed/demo-accounts.ts). A bad file, or demo passwords without --demo, stops here with the reason.
const demo = args.includes('--demo');
const accounts = await accountsFor({ file: arg('--accounts') ?? process.env['REDWALL_ACCOUNTS'], demo }).catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(2);
});
const assetsDir = resolve(root, 'assets/district');
const sourcesFile = arg('--sources') ?? process.env['REDWALL_SOURCES'];
let sources: ReturnType<typeof loadSourcesFile> = [];
if (sourcesFile !== undefined) {
  try {
    sources = loadSourcesFile(resolve(sourcesFile), loadEntities(assetsDir));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}
const camerasFile = arg('--cameras') ?? process.env['REDWALL_CAMERAS'];
let cameras: CameraRecord[] = [];
if (camerasFile !== undefined) {
  try {
    const crsArg = arg('--cameras-crs');
    const crs = crsArg !== undefined ? parseCrs(crsArg) : undefined;
    if (crsArg !== undefined && !crs) throw new Error(`--cameras-crs: unknown coordinate system ${crsArg} (WGS84, CGCS2000, GCJ02, BD09, BD09MC)`);
    const r = await loadCameraRegistry(resolve(camerasFile), crs ? { crs } : {});
    for (const i of r.issues.slice(0, 50)) console.error(`[feed] ${camerasFile}:${i.line}${i.field ? ` ${i.field}` : ''}: ${i.message}`);
    if (r.issues.length > 50) console.error(`[feed] ${camerasFile}: ${r.issues.length - 50} more problems`);
    if (!r.cameras.length) throw new Error(`${camerasFile}: no usable camera (${r.issues.length} problems)`);
    console.log(`[feed] camera registry ${camerasFile}: ${r.cameras.length} cameras, ${r.issues.length} rows left out`);
    cameras = r.cameras;
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}
const sopDirArg = arg('--sop-dir') ?? (process.env['REDWALL_SOP_DIR'] || undefined);
if ((args.includes('--sop-dir') || sopDirArg !== undefined) && !(sopDirArg && isSopDir(resolve(sopDirArg)))) {
  console.error(`--sop-dir / REDWALL_SOP_DIR takes a folder of SOP files (redwall-sop/1), got ${sopDirArg ?? 'nothing'}`);
  process.exit(2);
}
const simVia = arg('--sim-via');
if (args.includes('--sim-via') && !simVia) {
  console.error('--sim-via takes mqtt://HOST:PORT');
  process.exit(2);
}
let peers: string[] = [];
if (args.includes('--peers')) {
  try {
    peers = parsePeers(arg('--peers') ?? '');
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}
const pageKeyFile = arg('--page-key') ?? process.env['REDWALL_PAGE_KEY_FILE'];
if (args.includes('--page-key') && !arg('--page-key')) {
  console.error('--page-key takes FILE (at least 32 random bytes, the same file at every gateway of the cluster)');
  process.exit(2);
}
let cluster: ClusterOptions | undefined;
if (args.includes('--log')) {
  try {
    const env = process.env;
    const replicas = Number(arg('--replicas') ?? 1);
    if (replicas !== 1 && replicas !== 3) throw new Error(`--replicas is 1 or 3, got ${arg('--replicas')}`);
    cluster = {
      servers: parseLogUrl(arg('--log') ?? ''),
      district: arg('--district') ?? 'district',
      replicas,
      ...(arg('--gateway') ? { gateway: arg('--gateway')! } : {}),
      ...natsAccessFromEnv(env),
    };
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}
let buildings3d: Buildings3d | undefined;
try {
  buildings3d = parseBuildings3d(args, process.env['REDWALL_BUILDINGS']);
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const server = await startFeedServer({
  ...(buildings3d ? { buildings3d } : {}),
  ...(cluster
    ? {
        cluster,
        onFatal: (e: Error) => (console.error(`[feed] stopping: ${e.message} (exit 75: restart this gateway, it rejoins as a follower)`), process.exit(75)),
      }
    : {}),
  accounts: accounts.accounts,
  demo,
  ...(peers.length ? { peers } : {}),
  ...(pageKeyFile !== undefined ? { pageKeyFile: resolve(pageKeyFile) } : {}),
  port: Number(arg('--port') ?? process.env['REDWALL_PORT'] ?? 5180),
  staticDir: resolve(root, 'dist/renderer'),
  assetsDir,
  sources,
  ...(cameras.length ? { cameras } : {}),
  ...(simVia !== undefined ? { simVia } : {}),
  scenariosDir: resolve(root, 'assets/scenarios'),
  sopDir: sopDirArg !== undefined ? resolve(sopDirArg) : resolve(root, 'assets/sop'),
  journalDir: resolve(arg('--journal') ?? process.env['REDWALL_JOURNAL'] ?? resolve(root, 'var/journal')),
  tickMs: Number(arg('--tick') ?? 250),
  sim: args.includes('--no-sim')
    ? null
    : {
        ...(incidentEvery !== undefined ? { incidentEveryMs: Number(incidentEvery) } : {}),
        backfillMs: Math.round(backfillHours * 3600_000),
        requests: { backfillDays: requestDays },
      },
  testHooks: args.includes('--test-hooks'),
  // the population generated at start, not in the seconds the first page draws its map (issue 24)
  warmPeople: true,
  ...(token ? { token } : {}),
  ...(tlsKey && tlsCert ? { tls: { key: readFileSync(tlsKey, 'utf8'), cert: readFileSync(tlsCert, 'utf8') } } : {}),
}).catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(2);
});
console.log(`RedWall feed + web shell: ${server.url}/`);
if (token) console.log(`API token (Authorization: Bearer …): ${token}`);
console.log(accountsBanner(accounts));
for (const st of server.sources.status().sources) console.log(`source ${st.id}: ${st.kind} ${st.endpoint}`);
if (args.includes('--no-sim') && sources.length === 0)
  console.log('no simulator and no sources: the map stays empty until a source is connected (--sources FILE, docs/sources.md)');
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
