/**
 * What a page is told about its host at start (electron/bridge's getConfig): shared by Electron main, which hands it
 * over IPC, and the feed server, which answers it to the web shell's page (POST /api/config). The web shell checks
 * what it got with `parseShellConfig` (zod); every field added later is optional, so an older server's config parses.
 */
import { z } from 'zod';

export interface ShellConfig {
  /** 'electron' when running in the desktop app, 'web' in the browser web shell */
  shell: 'electron' | 'web';
  /** socket.io feed origin; '' means same origin as the page */
  feedUrl: string;
  /** base URL of the district data package (manifest.json, *.arrow) */
  assetsBase: string;
  appVersion: string;
  /** true when the feed is the embedded simulator (demo), shown to the operator */
  simulated: boolean;
  /**
   * The page's credential for the feed (socket.io auth): always the duty operator (masked data only). Electron: the
   * shared token, over IPC only. Web shell: a credential of the page's own, got once for the one-time nonce embedded
   * in the page it was navigated to (docs/security.md). Omitted when the feed runs without authentication.
   */
  feedToken?: string;
  /** the published demo accounts may sign in (`--demo`): the sign-in screen says so */
  demoAccounts?: boolean;
  /**
   * The feed gateways of a cluster (`--peers`): this gateway's own origin first, then its peers (http(s) origins). A
   * screen whose gateway is unreachable goes on at the next one with its offsets (renderer/src/feed/gateways.ts).
   * Omitted or one entry: one gateway, nothing to fail over to.
   */
  gateways?: string[];
  /**
   * 3D Tiles models named on the command line (`npm start -- --model <folder|.3tz>`), served read-only by this
   * gateway: a folder under `url` (its root tileset JSON at `root`), a .3tz as one file read by HTTP byte ranges.
   */
  models?: ConfiguredModel[];
  /**
   * Where the 3D view's district buildings come from (`--buildings` / REDWALL_BUILDINGS; issue 25): 'geometry' extrudes
   * the footprints at start-up, 'tileset' streams the district's 3D Tiles tileset. Omitted: tileset. A page's
   * `?buildings=` overrides it.
   */
  buildings3d?: Buildings3d;
}

export type Buildings3d = 'geometry' | 'tileset';
export const BUILDINGS_3D: readonly Buildings3d[] = ['geometry', 'tileset'];

/**
 * The building source named on the command line (`--buildings geometry|tileset`) or, failing that, by
 * REDWALL_BUILDINGS; undefined when neither is given. Throws a clear error for anything else.
 */
export function parseBuildings3d(argv: readonly string[], env: string | undefined): Buildings3d | undefined {
  // --buildings VALUE or --buildings=VALUE (the last one given wins, as for a repeated flag)
  let raw: string | undefined;
  let from = 'REDWALL_BUILDINGS';
  argv.forEach((a, i) => {
    if (a === '--buildings') {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error('--buildings needs a value: geometry or tileset');
      [raw, from] = [v, '--buildings'];
    } else if (a.startsWith('--buildings=')) [raw, from] = [a.slice('--buildings='.length), '--buildings'];
  });
  if (raw === undefined) raw = env || undefined;
  if (raw === undefined) return undefined;
  if ((BUILDINGS_3D as readonly string[]).includes(raw)) return raw as Buildings3d;
  throw new Error(`${from}: "${raw}" is not a building source (geometry: extruded at start-up; tileset: the district's 3D Tiles)`);
}

export interface ConfiguredModel {
  name: string;
  kind: 'folder' | '3tz';
  /** folder: the base URL its files are under (ends in /); 3tz: the package file's URL */
  url: string;
  /** folder only: the root tileset JSON's path inside it */
  root?: string;
}

/** An http(s) origin of a feed gateway: scheme, host, optional port, nothing else. */
export const GATEWAY_ORIGIN = /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;

export const ShellConfigSchema = z.object({
  shell: z.enum(['electron', 'web']),
  feedUrl: z.string().max(2048),
  assetsBase: z.string().max(2048),
  appVersion: z.string().max(100),
  simulated: z.boolean(),
  feedToken: z.string().max(4096).optional(),
  demoAccounts: z.boolean().optional(),
  gateways: z.array(z.string().regex(GATEWAY_ORIGIN, 'a gateway is an http(s) origin')).max(32).optional(),
  // same-origin paths only: a model is served by the page's own gateway, never fetched from elsewhere
  models: z
    .array(
      z.object({
        name: z.string().min(1).max(256),
        kind: z.enum(['folder', '3tz']),
        url: z
          .string()
          .regex(/^\/models\/\d+\//, 'a model URL is a /models/N/ path of this gateway')
          .max(2048),
        root: z.string().min(1).max(1024).optional(),
      }),
    )
    .max(64)
    .optional(),
  buildings3d: z.enum(['geometry', 'tileset']).optional(),
});

/** The shell config a page was given, checked; throws with the first problem (the page cannot start without it). */
export function parseShellConfig(raw: unknown): ShellConfig {
  const r = ShellConfigSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`config: ${i?.path.join('.') || '(root)'}: ${i?.message}`);
  }
  const { feedToken, demoAccounts, gateways, models, buildings3d, ...rest } = r.data;
  return {
    ...rest,
    ...(feedToken !== undefined ? { feedToken } : {}),
    ...(demoAccounts !== undefined ? { demoAccounts } : {}),
    ...(gateways !== undefined ? { gateways } : {}),
    ...(models !== undefined ? { models: models.map(({ root, ...m }) => ({ ...m, ...(root !== undefined ? { root } : {}) })) } : {}),
    ...(buildings3d !== undefined ? { buildings3d } : {}),
  };
}

/**
 * Parses `--peers URL[,URL]`: the other gateways' base URLs (http(s)://host:port, a trailing slash allowed), returned
 * as origins. Throws a clear error for anything else (a path, a query, another scheme, an empty list).
 */
export function parsePeers(list: string): string[] {
  const items = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!items.length) throw new Error('--peers takes http(s)://HOST:PORT[,http(s)://HOST:PORT…] (the other gateways of this cluster)');
  return items.map((s) => {
    const o = s.replace(/\/$/, '');
    if (!GATEWAY_ORIGIN.test(o)) throw new Error(`--peers: ${s} is not an http(s)://HOST:PORT gateway URL (no path, query or other scheme)`);
    return o.toLowerCase();
  });
}
