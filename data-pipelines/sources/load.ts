/**
 * Loads a `redwall-sources/1` file for the gateway: the file itself, each source's device registry (relative to the
 * file), its secrets (MQTT password and HTTP push tokens from environment variables, never inline), and TLS files.
 * Every problem of the whole file is collected and thrown at once, each naming the file and where in it: the gateway
 * refuses to start on a half-valid file rather than running with a source silently missing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseSourcesFile, type Source } from '../contracts/sources.ts';
import { checkRegistrySources, parseRegistry, resolveRegistry, type DistrictEntities, type Registry } from './registry.ts';

export interface LoadedSource {
  source: Source;
  registry: Registry;
  /** the sources file (as given) */
  file: string;
  /** MQTT: the password (from passwordEnv or inline) */
  password?: string;
  /** HTTP: this source's bearer token (from tokenEnv) */
  token?: string;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

export class SourcesFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`sources file refused:\n  ${problems.join('\n  ')}`);
  }
}

/** The shortest acceptable HTTP push token: a guessable token would let anyone on the intranet write alarms. */
export const MIN_TOKEN_CHARS = 24;

function readText(path: string, what: string, problems: string[]): string | null {
  try {
    if (!existsSync(path)) {
      problems.push(`${what}: no such file ${path}`);
      return null;
    }
    if (statSync(path).size > 64 * 1024 * 1024) {
      problems.push(`${what}: ${path} is larger than 64 MiB`);
      return null;
    }
    return readFileSync(path, 'utf8');
  } catch (e) {
    problems.push(`${what}: cannot read ${path}: ${(e as Error).message.slice(0, 200)}`);
    return null;
  }
}

/**
 * Loads and checks a sources file. `env` supplies passwordEnv/tokenEnv (process.env by default). Throws
 * SourcesFileError listing every problem.
 */
export function loadSourcesFile(path: string, district: DistrictEntities, env: Record<string, string | undefined> = process.env): LoadedSource[] {
  const problems: string[] = [];
  const name = basename(path);
  const text = readText(path, name, problems);
  if (text === null) throw new SourcesFileError(problems);
  const parsed = parseSourcesFile(text, name);
  if (!parsed.ok) throw new SourcesFileError(parsed.errors);
  const dir = dirname(resolve(path));
  const registries = new Map<string, Registry | null>();
  const out: LoadedSource[] = [];
  const tokens = new Map<string, string>();
  parsed.value.sources.forEach((source, i) => {
    const at = `${name}: sources[${i}] (${source.id})`;
    const regPath = resolve(dir, source.registry);
    if (!registries.has(regPath)) {
      const regText = readText(regPath, `${at}.registry`, problems);
      let reg: Registry | null = null;
      if (regText !== null) {
        const p = parseRegistry(regText, basename(regPath));
        if (!p.ok) problems.push(...p.errors);
        else {
          problems.push(
            ...checkRegistrySources(
              p.entries,
              parsed.value.sources.map((s) => s.id),
              basename(regPath),
            ),
          );
          const r = resolveRegistry(p.entries, district, basename(regPath));
          if (!r.ok) problems.push(...r.errors);
          else reg = r.registry;
        }
      }
      registries.set(regPath, reg);
    }
    const registry = registries.get(regPath);
    const loaded: Partial<LoadedSource> = { source, file: path };
    if (source.kind === 'mqtt') {
      const m = source.mqtt;
      if (m.passwordEnv !== undefined) {
        const v = env[m.passwordEnv];
        if (v === undefined || v === '') problems.push(`${at}.mqtt.passwordEnv: the environment variable ${m.passwordEnv} is not set`);
        else loaded.password = v;
      } else if (m.password !== undefined) loaded.password = m.password;
      if (m.tls) {
        const tls: NonNullable<LoadedSource['tls']> = {};
        for (const k of ['ca', 'cert', 'key'] as const) {
          const f = m.tls[k];
          if (f === undefined) continue;
          const t = readText(resolve(dir, f), `${at}.mqtt.tls.${k}`, problems);
          if (t !== null) tls[k] = Buffer.from(t);
        }
        loaded.tls = tls;
      }
      if (m.tls && !m.url.startsWith('mqtts:') && !m.url.startsWith('wss:'))
        problems.push(`${at}.mqtt.tls: TLS files are given but the url ${m.url} is not mqtts:// or wss://`);
    } else {
      const v = env[source.http.tokenEnv];
      if (v === undefined || v === '')
        problems.push(`${at}.http.tokenEnv: the environment variable ${source.http.tokenEnv} is not set (this source's push token)`);
      else if (v.length < MIN_TOKEN_CHARS)
        problems.push(`${at}.http.tokenEnv: the token in ${source.http.tokenEnv} is ${v.length} characters; at least ${MIN_TOKEN_CHARS} are needed`);
      else {
        const other = tokens.get(v);
        if (other !== undefined) problems.push(`${at}.http.tokenEnv: the same token as source ${other}: each source needs its own`);
        tokens.set(v, source.id);
        loaded.token = v;
      }
      const feedToken = env['REDWALL_FEED_TOKEN'];
      if (feedToken && v === feedToken)
        problems.push(`${at}.http.tokenEnv: this is the operator token (REDWALL_FEED_TOKEN); a source needs a token of its own`);
    }
    if (registry) out.push({ ...loaded, registry } as LoadedSource);
  });
  if (problems.length) throw new SourcesFileError([...new Set(problems)].slice(0, 100));
  return out;
}
