/**
 * Offline basemap from a user tile package: a {z}/{x}/{y}.png|jpg|webp folder as intranet users get them from their
 * surveying bureau or export from a tile downloader. The folder is read in the browser (no server, no network); XYZ vs
 * TMS row order is detected from where the tiles actually are relative to the district. Also the slippy-map tile maths.
 */
import { BasemapError, type TileSource } from './source.ts';

/** A folder package: the files by XYZ "z/x/y" (the Files the picker gave: read only when a tile is drawn). */
export interface TileIndex extends TileSource {
  readonly kind: 'folder';
  readonly files: Map<string, Blob>;
  readonly count: number;
}

export function lonLatToTile(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return [Math.min(n - 1, Math.max(0, x)), Math.min(n - 1, Math.max(0, y))];
}

export function tileToLonLat(x: number, y: number, z: number): [number, number] {
  const n = 2 ** z;
  const lon = (x / n) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
  return [lon, lat];
}

/**
 * Indexes files whose relative paths end in z/x/y.ext. `near` (the district centre) decides XYZ vs TMS: whichever
 * reading puts the package's tiles nearer to it.
 */
export function indexTiles(entries: Array<{ path: string; blob: Blob }>, near: { lon: number; lat: number }, name = 'tiles'): TileIndex {
  const raw: Array<{ z: number; x: number; y: number; blob: Blob; ext: string }> = [];
  for (const e of entries) {
    const m = /(?:^|\/)(\d{1,2})\/(\d+)\/(\d+)\.(png|jpg|jpeg|webp)$/i.exec(e.path.replace(/\\/g, '/'));
    if (!m) continue;
    const z = Number(m[1]);
    const x = Number(m[2]);
    const y = Number(m[3]);
    if (z > 24 || x >= 2 ** z || y >= 2 ** z) continue;
    raw.push({ z, x, y, blob: e.blob, ext: m[4]!.toLowerCase() });
  }
  if (!raw.length) throw new BasemapError('noFolderTiles', { name });
  const maxZoom = Math.max(...raw.map((t) => t.z));
  const minZoom = Math.min(...raw.map((t) => t.z));
  const top = raw.filter((t) => t.z === maxZoom);
  const [cx, cy] = lonLatToTile(near.lon, near.lat, maxZoom);
  const n = 2 ** maxZoom;
  const dist = (flip: boolean) => Math.min(...top.map((t) => Math.hypot(t.x - cx, (flip ? n - 1 - t.y : t.y) - cy)));
  const scheme = dist(true) < dist(false) ? 'tms' : 'xyz';
  const files = new Map<string, Blob>();
  for (const t of raw) files.set(`${t.z}/${t.x}/${scheme === 'tms' ? 2 ** t.z - 1 - t.y : t.y}`, t.blob);
  const ys = top.map((t) => (scheme === 'tms' ? n - 1 - t.y : t.y));
  const xs = top.map((t) => t.x);
  const [west, north] = tileToLonLat(Math.min(...xs), Math.min(...ys), maxZoom);
  const [east, south] = tileToLonLat(Math.max(...xs) + 1, Math.max(...ys) + 1, maxZoom);
  const exts = new Set(raw.map((t) => t.ext));
  const format = [...new Set([...exts].map((e) => (e === 'jpeg' ? 'jpg' : e)))].join('/');
  return {
    name,
    kind: 'folder',
    files,
    minZoom,
    maxZoom,
    scheme,
    format,
    count: raw.length,
    bounds: [west, south, east, north],
    get: (z, x, y) => Promise.resolve(files.get(`${z}/${x}/${y}`) ?? null),
  };
}

/** The tile at z/x/y in XYZ numbering, or null. */
export function tileAt(index: TileIndex, z: number, x: number, y: number): Blob | null {
  return index.files.get(`${z}/${x}/${y}`) ?? null;
}
