/** Opening a tile package file: MBTiles or PMTiles, told apart by their first bytes (the extension only names it). */
import { openMbtiles } from './mbtiles.ts';
import { openPmtiles } from './pmtiles.ts';
import { BasemapError, type TileSource } from './source.ts';
import { blobSource, type ByteSource } from './sqlite.ts';

export { BasemapError, tileOrEmpty, type BasemapErrorCode, type TileSource } from './source.ts';
export { indexTiles, lonLatToTile, tileToLonLat } from './tile-package.ts';

export async function openTileSource(src: ByteSource, name: string): Promise<TileSource> {
  const head = src.size ? await src.read(0, 16) : new Uint8Array();
  const text = String.fromCharCode(...head);
  if (text.startsWith('PMTiles')) return openPmtiles(src, name);
  if (text.startsWith('SQLite format 3') || /\.mbtiles$/i.test(name)) return openMbtiles(src, name);
  if (/\.pmtiles$/i.test(name)) return openPmtiles(src, name);
  throw new BasemapError('unknownFile', { name });
}

/** A picked File (read lazily by slices: a multi-gigabyte package is never loaded whole). */
export function openTileFile(file: Blob, name: string): Promise<TileSource> {
  return openTileSource(blobSource(file), name);
}
