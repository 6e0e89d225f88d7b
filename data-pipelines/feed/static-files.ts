/** Static file resolution shared by the web shell's HTTP server and Electron's app:// protocol handler. */
import { extname, normalize, resolve, sep } from 'node:path';

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.arrow': 'application/vnd.apache.arrow.stream',
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
  '.ktx2': 'image/ktx2',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
  '.pbf': 'application/x-protobuf',
};

export function mimeOf(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL path onto a file below `root`, or null if the path escapes root (../, encoded traversal, NUL bytes,
 * absolute Windows paths). `/` maps to index.html.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (p.includes('\0') || p.includes('\\') || /^[a-zA-Z]:/.test(p.replace(/^\/+/, ''))) return null;
  if (p === '' || p.endsWith('/')) p += 'index.html';
  const rootAbs = resolve(root);
  const full = resolve(rootAbs, '.' + normalize('/' + p));
  if (full !== rootAbs && !full.startsWith(rootAbs + sep)) return null;
  return full;
}
