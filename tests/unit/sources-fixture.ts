/**
 * The example sources (assets/sources) pointed at a test broker: every MQTT source on `url` (no TLS, no credentials,
 * client ids suffixed so test runs never share a broker session), plus a `covers` MQTT source (topic
 * `covers/{imei}/up`, gas in %LEL, platform id `$.n`) whose registry rows map `devices` (IMEI → well). Returns the file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const EXAMPLES = resolve(import.meta.dirname, '../../assets/sources');

export function writeExampleSources(dir: string, url: string, devices: Record<string, string>, clientSuffix: string): string {
  const f = JSON.parse(readFileSync(join(EXAMPLES, 'district-sources.json'), 'utf8')) as { sources: Array<Record<string, unknown>> };
  for (const src of f.sources) {
    const m = src['mqtt'] as Record<string, unknown> | undefined;
    if (!m) continue;
    m['url'] = url;
    m['clientId'] = `${String(m['clientId'])}-${clientSuffix}`;
    delete m['tls'];
    delete m['passwordEnv'];
    delete m['username'];
  }
  f.sources.push({
    id: 'covers',
    kind: 'mqtt',
    quietAfterMin: 5,
    registry: 'registry.csv',
    mqtt: { url, clientId: `redwall-covers-${clientSuffix}`, topics: [{ filter: 'covers/+/up', qos: 1 }] },
    routes: [
      {
        match: 'covers/{imei}/up',
        event: 'manhole.reading',
        device: { capture: 'imei' },
        messageId: '$.n',
        values: { gas: { path: '$.gas', unit: '%LEL', min: 0, max: 100 } },
      },
    ],
  });
  // the example rows are for their own sources; the cover source gets rows of its own
  const rows = Object.entries(devices)
    .map(([imei, well]) => `${imei},${well},covers,test cover`)
    .join('\n');
  writeFileSync(join(dir, 'registry.csv'), `${readFileSync(join(EXAMPLES, 'registry.csv'), 'utf8').trimEnd()}\n${rows}\n`);
  const file = join(dir, 'sources.json');
  writeFileSync(file, JSON.stringify(f, null, 2));
  return file;
}
