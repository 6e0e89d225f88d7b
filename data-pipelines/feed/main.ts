/** CLI: run the feed server (simulator + web shell) on loopback.  tsx data-pipelines/feed/main.ts [--port N] */
import { resolve } from 'node:path';
import { startFeedServer } from './server.ts';

const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : Number(process.env['REDWALL_PORT'] ?? 5180);
const root = resolve(import.meta.dirname, '../..');
const server = await startFeedServer({
  port,
  staticDir: resolve(root, 'dist/renderer'),
  assetsDir: resolve(root, 'assets/district'),
});
console.log(`RedWall web shell: ${server.url}/`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
