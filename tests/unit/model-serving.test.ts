/**
 * 3D Tiles models named on the command line (`--model`): checked at start (a folder with its tileset.json, a .3tz or
 * .zip; anything else refused with the reason), served read-only — a folder's files inside it only, a package by HTTP
 * byte ranges (whole, a-b, a-, suffix -n, out of range 416, HEAD for the size) — and named in the page's config as
 * same-origin paths only. The page's archive reader opens a package through those ranges.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShellConfig } from '../../data-pipelines/contracts/shell-config.ts';
import { serveRange } from '../../data-pipelines/feed/hosting.ts';
import { modelArgs, mountModels } from '../../data-pipelines/feed/model-mounts.ts';
import { write3tz } from '../../data-pipelines/tiles3d/write-3tz.ts';
import { openArchive, rangeSource } from '../../renderer/src/models/archive.ts';

const dir = mkdtempSync(join(tmpdir(), 'redwall-models-'));
const enc = (s: string) => new TextEncoder().encode(s);

describe('--model paths', () => {
  it('are read from a command line in order; a --model without a path is refused', () => {
    expect(modelArgs(['node', 'main.js', '--model', 'a', '--demo', '--model', '/b/c.3tz'])).toEqual(['a', '/b/c.3tz']);
    expect(modelArgs(['--demo'])).toEqual([]);
    expect(() => modelArgs(['--model'])).toThrow(/--model needs a path/);
    expect(() => modelArgs(['--model', '--demo'])).toThrow(/--model needs a path/);
  });

  it('takes a tileset folder and a package, refuses the rest with the reason', () => {
    const folder = join(dir, '白模');
    mkdirSync(folder);
    writeFileSync(join(folder, 'tileset.json'), '{}');
    const alt = join(dir, 'alt');
    mkdirSync(alt);
    writeFileSync(join(alt, 'Production_1.json'), '{}');
    writeFileSync(join(dir, 'city.3tz'), write3tz(new Map([['tileset.json', enc('{}')]])));
    const m = mountModels([folder, alt, join(dir, 'city.3tz')]);
    expect(m.map((x) => x.config)).toEqual([
      { name: '白模', kind: 'folder', url: '/models/0/', root: 'tileset.json' },
      { name: 'alt', kind: 'folder', url: '/models/1/', root: 'Production_1.json' },
      { name: 'city.3tz', kind: '3tz', url: '/models/2/city.3tz' },
    ]);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(() => mountModels([empty])).toThrow(/no tileset\.json in the folder/);
    writeFileSync(join(dir, 'model.obj'), 'v 0 0 0');
    expect(() => mountModels([join(dir, 'model.obj')])).toThrow(/not a 3D Tiles folder, \.3tz or \.zip/);
    expect(() => mountModels([join(dir, 'nope')])).toThrow(/no such file or folder/);
  });

  it('the page config carries them as same-origin paths only', () => {
    const base = { shell: 'web', feedUrl: '', assetsBase: '/assets/district/', appVersion: '1', simulated: true };
    expect(parseShellConfig({ ...base, models: [{ name: 'a', kind: '3tz', url: '/models/0/a.3tz' }] }).models).toEqual([
      { name: 'a', kind: '3tz', url: '/models/0/a.3tz' },
    ]);
    expect(() => parseShellConfig({ ...base, models: [{ name: 'a', kind: 'folder', url: 'http://evil.example/models/0/' }] })).toThrow(/models\.0\.url/);
  });
});

describe('a package served by byte ranges', () => {
  let server: Server;
  let url: string;
  const files = new Map<string, Uint8Array>([
    ['tileset.json', enc('{"asset":{"version":"1.1"}}')],
    ['content/0.glb', new Uint8Array(70_000).map((_, i) => i % 251)],
  ]);
  const bytes = write3tz(files, { deflate: true });
  beforeAll(async () => {
    const file = join(dir, 'served.3tz');
    writeFileSync(file, bytes);
    server = createServer((req, res) => serveRange(req, res, file));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/0/served.3tz`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers whole, a-b, a-, -n, HEAD and 416 like a web server', async () => {
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    const r = await fetch(url, { headers: { range: 'bytes=10-19' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(r.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`);
    expect([...new Uint8Array(await r.arrayBuffer())]).toEqual([...bytes.slice(10, 20)]);
    const open = await fetch(url, { headers: { range: `bytes=${bytes.length - 5}-` } });
    expect([...new Uint8Array(await open.arrayBuffer())]).toEqual([...bytes.slice(-5)]);
    const suffix = await fetch(url, { headers: { range: 'bytes=-22' } });
    expect([...new Uint8Array(await suffix.arrayBuffer())]).toEqual([...bytes.slice(-22)]);
    const head = await fetch(url, { method: 'HEAD' });
    expect(Number(head.headers.get('content-length'))).toBe(bytes.length);
    expect((await fetch(url, { headers: { range: `bytes=${bytes.length + 10}-` } })).status).toBe(416);
  });

  it('the archive reader opens it through those ranges, entry for entry', async () => {
    const a = await openArchive(await rangeSource(url), 'served.3tz');
    for (const [p, b] of files) expect(Buffer.from((await a.read(p))!).equals(Buffer.from(b))).toBe(true);
  });
});

describe('a --model folder serves its model files only', () => {
  it('inside the folder for real, no hidden files, 3D Tiles types only', async () => {
    const { modelFile } = await import('../../data-pipelines/feed/hosting.ts');
    const { symlinkSync } = await import('node:fs');
    const root = join(dir, 'served-folder');
    mkdirSync(join(root, 'content'), { recursive: true });
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, 'tileset.json'), '{}');
    writeFileSync(join(root, 'content', '0.glb'), 'glb');
    writeFileSync(join(root, '.git', 'config.json'), '{}');
    writeFileSync(join(root, 'notes.txt'), 'secret');
    writeFileSync(join(dir, 'outside.json'), '{}');
    symlinkSync(join(dir, 'outside.json'), join(root, 'link.json'));
    expect(modelFile(root, '/tileset.json')).toBe(join(root, 'tileset.json'));
    expect(modelFile(root, '/content/0.glb')).toBe(join(root, 'content', '0.glb'));
    expect(modelFile(root, '/notes.txt')).toBeNull();
    expect(modelFile(root, '/.git/config.json')).toBeNull();
    expect(modelFile(root, '/link.json')).toBeNull();
    expect(modelFile(root, '/..%2foutside.json')).toBeNull();
    expect(modelFile(root, '/../outside.json')).toBeNull();
    expect(modelFile(root, '/content/none.glb')).toBeNull();
  });
});

describe('the desktop app serves --model the same way (app://redwall/models/N/)', () => {
  const pkg = write3tz(
    new Map<string, Uint8Array>([
      ['tileset.json', enc('{"asset":{"version":"1.1"}}')],
      ['content/0.glb', new Uint8Array(50_000).map((_, i) => (i * 7) % 253)],
    ]),
    { deflate: true },
  );
  const setup = async () => {
    const { makeProtocolHandler } = await import('../../electron/main/app.ts');
    const base = mkdtempSync(join(tmpdir(), 'redwall-app-models-'));
    const folder = join(base, '白模');
    mkdirSync(join(folder, 'content'), { recursive: true });
    writeFileSync(join(folder, 'tileset.json'), '{"asset":{"version":"1.1"}}');
    writeFileSync(join(folder, 'content', '0.glb'), 'glb-bytes');
    writeFileSync(join(folder, 'notes.txt'), 'secret');
    writeFileSync(join(folder, '.hidden.json'), '{}');
    writeFileSync(join(base, 'outside.json'), '{}');
    writeFileSync(join(base, 'city 城市.3tz'), pkg);
    const renderer = join(base, 'r');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html>');
    const mounts = mountModels([folder, join(base, 'city 城市.3tz')]);
    const handler = makeProtocolHandler(
      { renderer, assets: join(base, 'a') },
      () => 'http://127.0.0.1:9',
      () => [],
      mounts,
    );
    const get = (url: string, init: { method?: string; range?: string } = {}) =>
      handler({ url, method: init.method ?? 'GET', headers: new Headers(init.range ? { range: init.range } : {}) });
    return { mounts, get };
  };

  it("a folder's model files only; a package by byte ranges (HEAD, a-b, -n, 416); anything else 404", async () => {
    const { mounts, get } = await setup();
    const t = await get('app://redwall/models/0/tileset.json');
    expect(t.status).toBe(200);
    expect(t.headers.get('content-type')).toContain('json');
    // data only: opened on its own, a model file may run and load nothing
    expect(t.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(await t.text()).toContain('"1.1"');
    expect(await (await get('app://redwall/models/0/content/0.glb')).text()).toBe('glb-bytes');
    for (const bad of ['models/0/notes.txt', 'models/0/.hidden.json', 'models/0/..%2foutside.json', 'models/0/%2e%2e/outside.json', 'models/7/tileset.json'])
      expect((await get(`app://redwall/${bad}`)).status, bad).toBe(404);
    const url = `app://redwall${mounts[1]!.config.url}`;
    expect(url).toBe(`app://redwall/models/1/${encodeURIComponent('city 城市.3tz')}`);
    const head = await get(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(pkg.length);
    const part = await get(url, { range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${pkg.length}`);
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([...pkg.slice(10, 20)]);
    expect([...new Uint8Array(await (await get(url, { range: 'bytes=-22' })).arrayBuffer())]).toEqual([...pkg.slice(-22)]);
    expect((await get(url, { range: `bytes=${pkg.length + 1}-` })).status).toBe(416);
    const whole = await get(url);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(Buffer.from(pkg))).toBe(true);
    expect((await get('app://redwall/models/1/other.3tz')).status).toBe(404);
  });

  it('the archive reader opens the package through app:// ranges, entry for entry', async () => {
    const { mounts, get } = await setup();
    const realFetch = globalThis.fetch;
    // the page's fetch of an app:// URL is Electron's protocol handler: the same request, answered by it
    globalThis.fetch = ((input: string, init?: RequestInit) =>
      get(String(input), { method: init?.method ?? 'GET', ...(init?.headers ? { range: new Headers(init.headers).get('range') ?? '' } : {}) })) as typeof fetch;
    try {
      const a = await openArchive(await rangeSource(`app://redwall${mounts[1]!.config.url}`), 'city.3tz');
      expect(new TextDecoder().decode((await a.read('tileset.json'))!)).toContain('"1.1"');
      expect((await a.read('content/0.glb'))!.length).toBe(50_000);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
