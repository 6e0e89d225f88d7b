/**
 * A tile source: what both maps draw an offline basemap from, whatever the package is (a {z}/{x}/{y} folder, an
 * MBTiles or a PMTiles file). Tiles are asked for in XYZ numbering; a missing tile is null (drawn transparent).
 */
import { LocalizedError, type MessageVars } from '../i18n.ts';

export type TileSourceKind = 'folder' | 'mbtiles' | 'pmtiles';

export interface TileSource {
  readonly name: string;
  readonly kind: TileSourceKind;
  readonly minZoom: number;
  readonly maxZoom: number;
  /** the row order the package stores (served as XYZ either way) */
  readonly scheme: 'xyz' | 'tms';
  /** png, jpg, webp (a folder may mix them: "png/jpg") */
  readonly format: string;
  /** number of tiles, null when it would take a full read to know */
  readonly count: number | null;
  /** lon/lat [west, south, east, north] */
  readonly bounds: [number, number, number, number];
  get(z: number, x: number, y: number): Promise<Blob | null>;
  close?(): void;
}

/** Why a package cannot be used: a key of renderer/src/i18n/import.ts (`import.basemap.error.<code>`) and its values. */
export type BasemapErrorCode =
  | 'noFolderTiles'
  | 'empty'
  | 'unknownFile'
  | 'notMbtiles'
  | 'notPmtiles'
  | 'noTilesTable'
  | 'badView'
  | 'noTiles'
  | 'vector'
  | 'truncated'
  | 'corrupt'
  | 'unsupported'
  | 'readFailed';

/** A LocalizedError (message in the language current when thrown; text() renders it again when shown) with its code. */
export class BasemapError extends LocalizedError {
  constructor(
    readonly code: BasemapErrorCode,
    vars: { name: string; detail?: string; kind?: string },
  ) {
    super(`import.basemap.error.${code}`, vars as MessageVars);
  }
}

/** 1×1 transparent PNG: what a missing tile is (never an error: a package rarely covers every zoom everywhere). */
export const EMPTY_PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAACklEQVR4AWMAAQAABQABNtCI3QAAAABJRU5ErkJggg=='), (c) =>
  c.charCodeAt(0),
);
const EMPTY_BLOB = new Blob([EMPTY_PNG.slice().buffer], { type: 'image/png' });

export const WORLD_BOUNDS: [number, number, number, number] = [-180, -85.0511, 180, 85.0511];

export const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

/** The image format from a tile's first bytes: png, jpg, webp, gzip (a compressed vector tile) or null. */
export function sniffFormat(b: Uint8Array): 'png' | 'jpg' | 'webp' | 'gzip' | null {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'webp';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  return null;
}

/** png/jpg/webp from a format name (jpeg → jpg), or null for anything else. */
export function rasterFormat(f: string): string | null {
  const s = f
    .trim()
    .toLowerCase()
    .replace(/^image\//, '');
  return s === 'jpeg' ? 'jpg' : s === 'png' || s === 'jpg' || s === 'webp' ? s : null;
}

const warned = new WeakSet<TileSource>();
/** The tile for a view: the empty tile when missing or unreadable (the first read error is logged as a warning). */
export async function tileOrEmpty(src: TileSource | null, z: number, x: number, y: number): Promise<Blob> {
  if (!src) return EMPTY_BLOB;
  try {
    return (await src.get(z, x, y)) ?? EMPTY_BLOB;
  } catch (e) {
    if (!warned.has(src)) console.warn(`basemap ${src.name}: tile ${z}/${x}/${y}: ${(e as Error).message}`);
    warned.add(src);
    return EMPTY_BLOB;
  }
}
