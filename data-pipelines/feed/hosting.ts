/**
 * Web-shell hosting: the Host/Origin guard, static files with their security headers (CSP), and the page-credential
 * handoff (a one-time nonce embedded in the served index.html, exchanged by the page at POST /api/config for a
 * duty-operator credential of its own; docs/security.md).
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import { contentSecurityPolicy, isEvalWorkerScript } from '../contracts/csp.ts';
import type { ShellConfig } from '../contracts/shell-config.ts';
import { readBody, safeEqual, send } from './http-io.ts';
import type { ModelMount } from './model-mounts.ts';
import { mimeOf, resolveInside } from './static-files.ts';

/** Page credentials: handed out at most this often (token bucket), kept for the server's life, at most this many. */
const PAGE_MINT_PER_MINUTE = 30;
/** A nonce embedded in a served page is good for one exchange within this time. */
const HANDOFF_TTL_MS = 5 * 60_000;
const MAX_HANDOFFS = 500;
export const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');

/**
 * DNS-rebinding and cross-site defence: the Host header must name a loopback address, and a browser Origin (when
 * present) must be this server itself or an allowed app origin.
 */
export function isAllowedRequest(headers: IncomingMessage['headers'], selfOrigin: string, allowedOrigins: string[]): { ok: boolean; why?: string } {
  const host = (headers.host ?? '').toLowerCase();
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) return { ok: false, why: `host ${host || '(none)'} is not loopback` };
  const origin = headers.origin;
  if (origin === undefined) return { ok: true }; // not a browser (CLI tools, Node clients): Host check and token apply
  const o = origin.toLowerCase();
  const self = selfOrigin.toLowerCase();
  const selfLocalhost = self.replace('127.0.0.1', 'localhost');
  if (o === self || o === selfLocalhost || allowedOrigins.includes(origin)) return { ok: true };
  return { ok: false, why: `origin ${origin} not allowed` };
}

/**
 * The key that signs web-shell page credentials: read from `<journalDir>/page-key`, created (0600) on first start. A
 * journal folder that cannot be written (full disk) gets a key for this run only, logged: pages then need a reload
 * after a restart, nothing else changes.
 */
export function loadPageKey(journalDir: string, log: (m: string) => void): Buffer {
  const file = join(journalDir, 'page-key');
  try {
    const k = readFileSync(file);
    if (k.length >= 32) return k;
    log(`page-key in ${journalDir} is too short; making a new one`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log(`cannot read ${file}: ${(e as Error).message}; making a new key`);
  }
  const key = randomBytes(32);
  try {
    mkdirSync(journalDir, { recursive: true });
    writeFileSync(file, key, { mode: 0o600 });
  } catch (e) {
    log(`cannot keep the page key in ${file} (${(e as Error).message}): open pages will need a reload after a restart`);
  }
  return key;
}

/**
 * A page key shared by the gateways of one cluster (`--page-key FILE` / REDWALL_PAGE_KEY_FILE): a page credential
 * minted at one gateway then verifies at the others, so a screen whose gateway dies goes on at a peer without a
 * reload. The file is provisioned by the operator (e.g. `head -c 32 /dev/urandom > page.key`, mode 0600, copied to
 * every gateway) and never created here: a missing, unreadable or short file stops the start with the reason.
 * Trade-off: one key for the cluster means a key leaked from any gateway forges duty-operator page credentials (masked
 * data only) at all of them, and rotating it means replacing the file everywhere and reloading every page; a
 * per-gateway key (the default, in the journal folder) limits a leak to one gateway but a screen failing over needs
 * the shared duty token instead. Signed-in sessions are per gateway either way (feed/auth.ts keeps them in memory).
 */
export function loadSharedPageKey(file: string): Buffer {
  let k: Buffer;
  try {
    k = readFileSync(file);
  } catch (e) {
    throw new Error(
      `--page-key: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); make one with: head -c 32 /dev/urandom > ${file}`,
    );
  }
  if (k.length < 32) throw new Error(`--page-key: ${file} holds ${k.length} bytes, at least 32 random bytes are needed`);
  return k;
}

/**
 * Web-shell page credentials: each page load exchanges its one-time nonce (`handoffs`, by SHA-256) for a credential
 * `pg1.<id>.<HMAC(key, id)>` that acts as the duty operator (masked data only). Stateless: the key is kept in the
 * journal folder (page-key, mode 0600), so a page keeps working across a feed-server restart (kill -9 included) and
 * no set of issued credentials grows. Minting is rate-limited.
 */
export class PageCredentials {
  private readonly handoffs = new Map<string, number>();
  private readonly mintBucket = { tokens: PAGE_MINT_PER_MINUTE, at: Date.now() };

  constructor(private readonly pageKey: Buffer) {}

  private mac(id: string): string {
    return createHmac('sha256', this.pageKey).update(`redwall-page/1:${id}`).digest('hex');
  }

  isPageToken(tok: string): boolean {
    const m = /^pg1\.([0-9a-f]{32})\.([0-9a-f]{64})$/.exec(tok);
    return m !== null && safeEqual(m[2]!, this.mac(m[1]!));
  }

  issueHandoff(): string {
    const now = Date.now();
    for (const [k, exp] of this.handoffs) if (exp <= now || this.handoffs.size >= MAX_HANDOFFS) this.handoffs.delete(k);
    const nonce = randomBytes(32).toString('hex');
    this.handoffs.set(sha256(nonce), now + HANDOFF_TTL_MS);
    return nonce;
  }

  /** A fresh page credential for a nonce (used up), or why not. */
  redeemHandoff(nonce: unknown): { ok: true; token: string } | { ok: false; status: number; error: string } {
    if (typeof nonce !== 'string' || !/^[0-9a-f]{64}$/.test(nonce))
      return { ok: false, status: 403, error: 'config: the page’s one-time nonce is missing or malformed (reload the page)' };
    const key = sha256(nonce);
    const exp = this.handoffs.get(key);
    this.handoffs.delete(key);
    if (exp === undefined || exp <= Date.now()) return { ok: false, status: 403, error: 'config: unknown, used or expired nonce (reload the page)' };
    const now = Date.now();
    const bucket = this.mintBucket;
    bucket.tokens = Math.min(PAGE_MINT_PER_MINUTE, bucket.tokens + ((now - bucket.at) / 60_000) * PAGE_MINT_PER_MINUTE);
    bucket.at = now;
    if (bucket.tokens < 1) return { ok: false, status: 429, error: 'config: too many page loads in the last minute; reload in a few seconds' };
    bucket.tokens--;
    const id = randomBytes(16).toString('hex');
    return { ok: true, token: `pg1.${id}.${this.mac(id)}` };
  }
}

export interface HostingOptions {
  /** built renderer (web shell); omitted = API/feed only */
  staticDir?: string | undefined;
  /** district data package folder, served under /assets/district/ */
  assetsDir: string;
  /** false = no /api/config and no nonce in any page (Electron's embedded feed) */
  configRoute: boolean;
  allowedOrigins: string[];
  /** this server's own origin (known once it listens) */
  selfOrigin: () => string;
  /** the other gateways of a cluster (`--peers`): the page may open its feed socket to them (CSP connect-src) */
  peers?: string[] | undefined;
  /** the camera registry's stream origins (HLS/FLV/WHEP gateways): exactly these may be fetched and played (CSP) */
  videoOrigins?: string[];
  /** the rest of the web shell's config (everything but its credential) */
  shellConfig: () => Omit<ShellConfig, 'feedToken'>;
  /** 3D Tiles models named on the command line, served read-only under /models/N/ */
  models?: ModelMount[];
}

/** What a `Range` header asks of a file of `size` bytes (one range only; RFC 9110). */
export type ByteRange = { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * A single byte range (`bytes=a-b`, `a-`, `-n`) of a file of `size` bytes, inclusive `end`; anything that is not one
 * (absent, malformed, several ranges, reversed) is the whole file; a first byte past the end is unsatisfiable (416).
 * Shared by the web shell's gateway and the desktop app's app:// protocol, which serve .3tz packages the same way.
 */
export function parseByteRange(header: string | null | undefined, size: number): ByteRange {
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(header ?? '').trim());
  if (!header || !range || (range[1] === '' && range[2] === '')) return { kind: 'whole' };
  let start: number;
  let end: number;
  if (range[1] === '') {
    start = Math.max(0, size - Number(range[2]));
    end = size - 1;
  } else {
    start = Number(range[1]);
    end = range[2] === '' ? size - 1 : Math.min(size - 1, Number(range[2]));
  }
  if (start >= size && range[1] !== '') return { kind: 'unsatisfiable' };
  // a reversed range (last < first) is not a range at all (RFC 9110): the whole file
  if (!(start <= end)) return { kind: 'whole' };
  return { kind: 'part', start, end };
}

/**
 * Headers of every model file and package answered (both servers): data only, never a document — opened on its own,
 * it may run nothing and load nothing.
 */
export const MODEL_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-cache',
  'content-security-policy': "default-src 'none'; sandbox",
} as const;

/** Headers of a model package answered whole or in part (both servers). */
export const PACKAGE_HEADERS = {
  ...MODEL_HEADERS,
  'content-type': 'application/octet-stream',
  'accept-ranges': 'bytes',
} as const;

/**
 * One file, whole or by a single byte range (`Range: bytes=a-b`, `a-`, `-n`): how the page reads a .3tz package
 * without loading it whole. HEAD answers the size.
 */
export function serveRange(req: IncomingMessage, res: ServerResponse, file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return send(res, 404, { error: 'the model package is gone' });
  }
  const r = parseByteRange(req.headers.range, size);
  if (r.kind === 'unsatisfiable') {
    res.writeHead(416, { ...PACKAGE_HEADERS, 'content-range': `bytes */${size}` });
    return void res.end();
  }
  if (r.kind === 'whole') {
    res.writeHead(200, { ...PACKAGE_HEADERS, 'content-length': String(size) });
    if (req.method === 'HEAD') return void res.end();
    return streamFile(res, file);
  }
  const { start, end } = r;
  res.writeHead(206, { ...PACKAGE_HEADERS, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) });
  if (req.method === 'HEAD') return void res.end();
  streamFile(res, file, { start, end });
}

/** A file into a response: a read error (a file gone or unreadable) or a client that went away ends it, never the process. */
function streamFile(res: ServerResponse, file: string, range?: { start: number; end: number }): void {
  pipeline(createReadStream(file, range), res, () => undefined);
}

/** What a 3D Tiles model folder may serve: its tilesets, tiles, glTF, buffers and textures; nothing else in the folder. */
const MODEL_FILE = /\.(json|b3dm|i3dm|pnts|cmpt|glb|gltf|bin|subtree|png|jpe?g|webp|ktx2)$/i;

/**
 * A file of a `--model` folder: inside it for real (symbolic links followed, then checked), no hidden files or
 * folders, 3D Tiles file types only; else 404. Returns the real path.
 */
export function modelFile(root: string, urlPath: string): string | null {
  const file = resolveInside(root, urlPath);
  if (!file || !MODEL_FILE.test(file)) return null;
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(file);
    realRoot = realpathSync(root);
  } catch {
    return null;
  }
  const rel = relative(realRoot, real);
  if (!rel || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).some((seg) => seg.startsWith('.'))) return null;
  return statSync(real).isFile() ? real : null;
}

/** Static files of the web shell and the district data package, and the page's credential exchange. */
export class WebShellHosting {
  constructor(
    private readonly o: HostingOptions,
    private readonly pages: PageCredentials,
  ) {}

  /** GET of anything that is not an API: /assets/district/… from the data package, else the web shell (or 404). */
  serveStatic(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (path.startsWith('/assets/district/')) return this.serveFile(res, this.o.assetsDir, path.slice('/assets/district'.length), false);
    const model = /^\/models\/(\d+)(\/.*)$/.exec(path);
    if (model) {
      const m = this.o.models?.[Number(model[1])];
      if (!m) return send(res, 404, { error: 'no such model' });
      if (m.config.kind === 'folder') {
        const file = modelFile(m.path, model[2]!);
        if (!file) return send(res, 404, { error: 'not found' });
        res.writeHead(200, { ...MODEL_HEADERS, 'content-type': mimeOf(file) });
        if (req.method === 'HEAD') return void res.end();
        return streamFile(res, file);
      }
      if (model[2] !== `/${encodeURIComponent(m.config.name)}`) return send(res, 404, { error: 'not found' });
      return serveRange(req, res, m.path);
    }
    if (this.o.staticDir) return this.serveFile(res, this.o.staticDir, path, true, req.headers);
    return send(res, 404, { error: 'not found' });
  }

  private serveFile(res: ServerResponse, root: string, urlPath: string, fallbackIndex: boolean, headers: IncomingMessage['headers'] = {}): void {
    let file = resolveInside(root, urlPath);
    if (!file) return send(res, 400, { error: 'bad path' });
    if (!existsSync(file) || !statSync(file).isFile()) {
      if (!fallbackIndex) return send(res, 404, { error: 'not found' });
      file = join(root, 'index.html');
      if (!existsSync(file)) return send(res, 404, { error: 'web shell not built: run "npm run build"' });
    }
    const selfOrigin = this.o.selfOrigin();
    if (this.o.configRoute && fallbackIndex && resolvePath(file) === resolvePath(root, 'index.html')) {
      // The web shell's page: a browser's top-level navigation (fetch metadata) gets a one-time nonce to exchange for
      // its credential (POST /api/config); anything else (curl, a script, a subresource fetch) gets the page without.
      const navigation = headers['sec-fetch-mode'] === 'navigate' && headers['sec-fetch-dest'] === 'document';
      const html = readFileSync(file, 'utf8');
      const page = navigation ? html.replace(/<head>/i, `<head>\n    <meta name="redwall-handoff" content="${this.pages.issueHandoff()}" />`) : html;
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': contentSecurityPolicy([selfOrigin, ...(this.o.peers ?? [])], this.o.videoOrigins ?? []),
        'x-content-type-options': 'nosniff',
        'cross-origin-opener-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      });
      res.end(page);
      return;
    }
    // (Cesium's KTX2 transcoder worker alone may evaluate strings: contracts/csp.ts)
    const evalWorker = root === this.o.staticDir && isEvalWorkerScript(resolvePath(root), resolvePath(file));
    res.writeHead(200, {
      'content-type': mimeOf(file),
      'content-security-policy': contentSecurityPolicy([selfOrigin, ...(this.o.peers ?? [])], this.o.videoOrigins ?? [], { evalWorker }),
      'x-content-type-options': 'nosniff',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': file.endsWith('.html') ? 'no-cache' : 'public, max-age=3600',
    });
    streamFile(res, file);
  }

  /** /api/config: the page exchanges its one-time nonce for its own duty-operator credential and the shell config. */
  async config(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Electron's embedded feed: its window gets the config over IPC, so there is nothing to serve here.
    if (!this.o.configRoute) return send(res, 404, { error: 'not found' });
    // The page's own fetch only: POST {nonce} (the one-time nonce its navigation got), from this origin, with
    // browser fetch metadata saying so. The credential answered is the page's own duty-operator one (masked only).
    if (req.method !== 'POST') return send(res, 405, { error: 'POST {nonce} only (the web shell page does this at load)' });
    const origin = String(req.headers.origin ?? '').toLowerCase();
    const selfOrigin = this.o.selfOrigin();
    // this server itself, or an origin the deployment declared for its pages (a reverse proxy in front of the feed)
    const sameOrigin =
      origin !== '' &&
      (origin === selfOrigin.toLowerCase() ||
        origin === selfOrigin.toLowerCase().replace('127.0.0.1', 'localhost') ||
        this.o.allowedOrigins.some((o) => o.toLowerCase() === origin && /^https?:/.test(o)));
    if (!sameOrigin || req.headers['sec-fetch-site'] !== 'same-origin')
      return send(res, 403, { error: 'config: only the web shell page itself may ask (same-origin fetch with its nonce)' });
    let nonce: unknown;
    try {
      nonce = (JSON.parse(await readBody(req, 1024)) as { nonce?: unknown } | null)?.nonce;
    } catch {
      return send(res, 400, { error: 'config: body must be JSON {nonce}' });
    }
    const got = this.pages.redeemHandoff(nonce);
    if (!got.ok) return send(res, got.status, { error: got.error });
    const cfg: ShellConfig = { ...this.o.shellConfig(), feedToken: got.token };
    return send(res, 200, cfg);
  }
}
