/**
 * CLI: copy a district's history between the embedded journal and a cluster log (migrate.ts).
 *   npm run log:migrate -- --from var/journal --to nats://HOST:4222[,…] [--district NAME] [--replicas 1|3]
 *   npm run log:migrate -- --from nats://HOST:4222 --to DIR [--district NAME]
 * Credentials and TLS as for the feed server (REDWALL_NATS_USER/PASS or REDWALL_NATS_TOKEN, REDWALL_NATS_CA/CERT/KEY).
 */
import { resolve } from 'node:path';
import { natsAccessFromEnv, parseLogUrl, type ClusterOptions } from './jetstream-log.ts';
import { clusterToJournal, journalToCluster } from './migrate.ts';

const args = process.argv.slice(2);
const arg = (n: string) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : undefined;
};
const from = arg('--from');
const to = arg('--to');
const isLog = (x: string) => /^(nats|tls):\/\//.test(x);
try {
  if (!from || !to || isLog(from) === isLog(to)) throw new Error('usage: --from DIR --to nats://… , or --from nats://… --to DIR');
  const replicas = Number(arg('--replicas') ?? 1);
  const env = process.env;
  const cluster = (url: string): ClusterOptions => ({
    servers: parseLogUrl(url),
    district: arg('--district') ?? 'district',
    replicas,
    gateway: 'log-migrate',
    ...natsAccessFromEnv(env),
    log: (m) => console.log(m),
  });
  const say = (m: string) => console.log(m);
  const r = isLog(to) ? await journalToCluster(resolve(from), cluster(to), say) : await clusterToJournal(cluster(from), resolve(to), say);
  console.log(`copied ${r.events} events, epoch ${r.epoch}; last seqs ${JSON.stringify(r.seqs)}`);
  process.exit(0);
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
