/**
 * Serves the user's 3D Tiles models to Cesium without a server and without the network. Each model gets a base URL
 * on the reserved `.invalid` domain (RFC 2606: it never resolves), and Cesium's two request hooks — the XHR loader
 * (tileset JSON, tile contents, glTF buffers, KTX2) and the image loader (glTF textures) — answer those URLs from the
 * model's files. Relative URIs inside tilesets and glTFs resolve against the base as on any web server. A URL of
 * that domain whose model is gone gets a clear error, never a request; a tileset or glTF that points outside its own
 * files (http:, https:, file:, //host, however spelled) is refused with the URI named, so a model cannot make the app
 * fetch (the page's CSP is the second fence).
 */
import { Resource } from '@cesium/engine';
import { normalisePath, type ModelSource } from './source.ts';

export const MODEL_ORIGIN = 'https://redwall-model.invalid/';

type Deferred = { resolve(v: unknown): void; reject(e: unknown): void };
interface Implementations {
  loadWithXhr(url: string, responseType: string, method: string, data: unknown, headers: unknown, deferred: Deferred, overrideMimeType?: string): unknown;
  createImage(
    request: { url: string },
    crossOrigin: boolean,
    deferred: Deferred,
    flipY: boolean,
    skipColorSpaceConversion: boolean,
    preferImageBitmap: boolean,
    headers?: unknown,
  ): unknown;
}

const sources = new Map<string, { src: ModelSource; onProblem: (message: string) => void }>();

/**
 * Every URI in a tileset, subtree or glTF JSON that resolves outside the model's own files: what Cesium would fetch
 * from elsewhere. Each is resolved as the browser (and Cesium's URI library) would — backslashes as slashes, tabs and
 * newlines dropped, leading control characters trimmed — so `\\\\host/x` or `ht\ttps://…` are caught too; data: URIs
 * stay inside. Looked for where 3D Tiles and glTF put URIs (`uri`, `url`, `schemaUri`), not inside `extras` or
 * metadata `properties` (a vendor's link there is data, never fetched).
 */
export function absoluteUris(json: unknown): string[] {
  const out: string[] = [];
  const base = `${MODEL_ORIGIN}m/`;
  const leaves = (u: string): boolean => {
    try {
      const r = new URL(u, base);
      return r.protocol !== 'data:' && r.origin !== new URL(MODEL_ORIGIN).origin;
    } catch {
      return false; // not a URL at all: Cesium fails on it as a missing file
    }
  };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === 'extras' || k === 'properties') continue;
        if ((k === 'uri' || k === 'url' || k === 'schemaUri') && typeof x === 'string') {
          if (leaves(x)) out.push(x);
        } else walk(x);
      }
  };
  walk(json);
  return out;
}

/**
 * The JSON inside a model file, or null: a tileset or glTF JSON (whatever its name: Cesium sniffs external tilesets),
 * a GLB's JSON chunk, a subtree's JSON chunk, the glTF embedded in a b3dm or i3dm tile.
 */
function jsonOf(bytes: Uint8Array): unknown {
  const dec = new TextDecoder();
  const u32 = (o: number) => (o + 4 <= bytes.byteLength ? new DataView(bytes.buffer, bytes.byteOffset + o, 4).getUint32(0, true) : 0);
  const magic = bytes.byteLength >= 4 ? dec.decode(bytes.subarray(0, 4)) : '';
  try {
    if (magic === 'glTF') return JSON.parse(dec.decode(bytes.subarray(20, 20 + u32(12))));
    if (magic === 'subt') return JSON.parse(dec.decode(bytes.subarray(24, 24 + u32(8))));
    if (magic === 'b3dm' || magic === 'i3dm') {
      const header = magic === 'b3dm' ? 28 : 32;
      const at = header + u32(12) + u32(16) + u32(20) + u32(24);
      // an i3dm with gltfFormat 0 holds a URL to its glTF instead of the glTF
      if (magic === 'i3dm' && u32(28) === 0) return { uri: dec.decode(bytes.subarray(at)).replace(/\0+$/, '') };
      return at < bytes.byteLength ? jsonOf(bytes.subarray(at)) : null;
    }
    let i = 0;
    while (
      i < bytes.byteLength &&
      i < 64 &&
      (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09 || bytes[i] === 0xef || bytes[i] === 0xbb || bytes[i] === 0xbf)
    )
      i++;
    if (bytes[i] === 0x7b) return JSON.parse(dec.decode(bytes));
  } catch {
    return null; // not what it looked like: Cesium says what is wrong with it
  }
  return null;
}

let installed = false;

/** The URL Cesium is given for a model's root tileset. */
export function modelRootUrl(id: string, src: ModelSource): string {
  return `${MODEL_ORIGIN}${encodeURIComponent(id)}/${src.root.split('/').map(encodeURIComponent).join('/')}`;
}

/** A model's id and the file path inside it, from a URL under MODEL_ORIGIN (query and fragment dropped). */
export function parseModelUrl(url: string): { id: string; path: string } | null {
  if (!url.startsWith(MODEL_ORIGIN)) return null;
  const rest = url.slice(MODEL_ORIGIN.length).replace(/[?#].*$/, '');
  const slash = rest.indexOf('/');
  if (slash < 0) return null;
  let id: string;
  let path: string;
  try {
    id = decodeURIComponent(rest.slice(0, slash));
    path = rest
      .slice(slash + 1)
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/');
  } catch {
    return null;
  }
  const p = normalisePath(path);
  return p === null ? null : { id, path: p };
}

async function readUrl(url: string): Promise<Uint8Array> {
  const at = parseModelUrl(url);
  if (!at) throw new Error(`not a model file address: ${url}`);
  const entry = sources.get(at.id);
  if (!entry) throw new Error(`${at.path}: the model was removed`);
  const { src, onProblem } = entry;
  const fail = (message: string): never => {
    onProblem(message);
    throw new Error(message);
  };
  let bytes: Uint8Array | null;
  try {
    bytes = await src.read(at.path);
  } catch (e) {
    return fail(`${at.path}: ${(e as Error).message}`);
  }
  if (!bytes) return fail(`${at.path}: no such file in ${src.name}`);
  const abs = absoluteUris(jsonOf(bytes));
  if (abs.length) return fail(`${at.path}: refers to ${abs[0]} outside the model (offline: a model is read from its own files only)`);
  return bytes;
}

function install(): void {
  if (installed) return;
  installed = true;
  const impl = (Resource as unknown as { _Implementations: Implementations })._Implementations;
  const xhr = impl.loadWithXhr.bind(impl);
  const image = impl.createImage.bind(impl);
  impl.loadWithXhr = (url, responseType, method, data, headers, deferred, overrideMimeType) => {
    if (!url.startsWith(MODEL_ORIGIN)) return xhr(url, responseType, method, data, headers, deferred, overrideMimeType);
    let aborted = false;
    readUrl(url)
      .then((bytes) => {
        if (aborted) return;
        if (responseType === 'arraybuffer') deferred.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        else if (responseType === 'blob') deferred.resolve(new Blob([bytes as BlobPart]));
        else {
          const text = new TextDecoder().decode(bytes);
          deferred.resolve(responseType === 'json' ? JSON.parse(text) : text);
        }
      })
      .catch((e: unknown) => {
        if (!aborted) deferred.reject(e);
      });
    return {
      abort() {
        aborted = true;
      },
    };
  };
  impl.createImage = (request, crossOrigin, deferred, flipY, skipColorSpaceConversion, preferImageBitmap, headers) => {
    if (!request.url.startsWith(MODEL_ORIGIN)) return image(request, crossOrigin, deferred, flipY, skipColorSpaceConversion, preferImageBitmap, headers);
    readUrl(request.url)
      .then((bytes) =>
        createImageBitmap(new Blob([bytes as BlobPart]), {
          imageOrientation: flipY ? 'flipY' : 'none',
          premultiplyAlpha: 'none',
          colorSpaceConversion: skipColorSpaceConversion ? 'none' : 'default',
        }),
      )
      .then(
        (bmp) => deferred.resolve(bmp),
        (e: unknown) => deferred.reject(e),
      );
    return undefined;
  };
}

/**
 * Makes a model's files answer under its base URL; returns the function that withdraws them. `onProblem` hears every
 * file that could not be served (missing, unreadable, or pointing outside the model), also those Cesium itself only
 * logs (a glTF's buffer or texture).
 */
export function serveModel(id: string, src: ModelSource, onProblem: (message: string) => void = () => undefined): () => void {
  install();
  const entry = { src, onProblem };
  sources.set(id, entry);
  return () => {
    if (sources.get(id) === entry) sources.delete(id);
  };
}
