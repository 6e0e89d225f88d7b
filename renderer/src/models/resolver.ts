/**
 * Serves the user's 3D Tiles models to Cesium without a server and without the network. Each model gets a base URL
 * on the reserved `.invalid` domain (RFC 2606: it never resolves), and Cesium's two request hooks — the XHR loader
 * (tileset JSON, tile contents, glTF buffers, KTX2) and the image loader (glTF textures) — answer those URLs from the
 * model's files. Relative URIs inside tilesets and glTFs resolve against the base as on any web server. A URL of
 * that domain whose model is gone gets a clear error, never a request; a tileset or glTF that points outside its own
 * files (http:, https:, file:, //host) is refused with the URI named, so a model can never make the app fetch.
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

/** A URI that would leave the model's own files: any scheme but data: (http:, https:, file:, //host). */
const ABSOLUTE = /^(?!data:)([a-z][a-z0-9+.-]*:|\/\/)/i;

/** Every `uri` in a tileset or glTF JSON that points outside the model's files (they are refused: offline, and no leak). */
export function absoluteUris(json: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'uri' || k === 'url') && typeof x === 'string' && ABSOLUTE.test(x.trim())) out.push(x);
        else walk(x);
      }
  };
  walk(json);
  return out;
}

/** The JSON of a tileset / glTF / GLB file, or null for anything else (tile contents, images, binaries). */
function jsonOf(path: string, bytes: Uint8Array): unknown {
  const dec = new TextDecoder();
  try {
    if (/\.(json|gltf)$/i.test(path)) return JSON.parse(dec.decode(bytes));
    if (bytes.byteLength >= 20 && dec.decode(bytes.subarray(0, 4)) === 'glTF') {
      const len = new DataView(bytes.buffer, bytes.byteOffset + 12, 4).getUint32(0, true);
      return JSON.parse(dec.decode(bytes.subarray(20, 20 + len)));
    }
  } catch {
    return null; // not JSON after all: Cesium says what is wrong with it
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
  const abs = absoluteUris(jsonOf(at.path, bytes));
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
