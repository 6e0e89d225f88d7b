/**
 * PMTiles v3 (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md) through the `pmtiles` package's
 * PMTiles class on our own Source over the same random-access bytes as MBTiles (the package's FileSource does the
 * same with File.slice; ours also serves Node tests). Only byte ranges of the local file are read — the package
 * fetches over HTTP only when given a URL, which we never do. The header gives zooms, bounds and counts; raster only.
 */
import { Compression, PMTiles, TileType, type Source } from 'pmtiles';
import type { ByteSource } from './sqlite.ts';
import { BasemapError, MIME, WORLD_BOUNDS, type TileSource } from './source.ts';

let serial = 0;

export async function openPmtiles(src: ByteSource, name: string): Promise<TileSource> {
  if (!src.size) throw new BasemapError('empty', { name });
  const magic = await src.read(0, 8);
  if (String.fromCharCode(...magic.subarray(0, 7)) !== 'PMTiles') throw new BasemapError('notPmtiles', { name });
  if (magic[7] !== 3) throw new BasemapError('unsupported', { name, detail: `PMTiles version ${magic[7]} (v3 only)` });
  const key = `redwall-pmtiles-${++serial}`;
  const source: Source = {
    getKey: () => key,
    getBytes: async (offset, length) => {
      const b = await src.read(offset, length);
      return { data: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
    },
  };
  const p = new PMTiles(source);
  let h: Awaited<ReturnType<PMTiles['getHeader']>>;
  try {
    h = await p.getHeader();
  } catch (e) {
    throw new BasemapError('corrupt', { name, detail: (e as Error).message });
  }
  const end = Math.max(
    h.rootDirectoryOffset + h.rootDirectoryLength,
    h.jsonMetadataOffset + h.jsonMetadataLength,
    h.leafDirectoryOffset + (h.leafDirectoryLength ?? 0),
    h.tileDataOffset + (h.tileDataLength ?? 0),
  );
  if (src.size < end) throw new BasemapError('truncated', { name, detail: `${src.size} bytes of ${end}` });
  if (h.tileType === TileType.Mvt || h.tileType === TileType.Mlt) throw new BasemapError('vector', { name, kind: 'PMTiles' });
  const format = h.tileType === TileType.Png ? 'png' : h.tileType === TileType.Jpeg ? 'jpg' : h.tileType === TileType.Webp ? 'webp' : null;
  if (!format) throw new BasemapError('unsupported', { name, detail: `tile type ${h.tileType} (raster png/jpg/webp only)` });
  for (const c of [h.internalCompression, h.tileCompression])
    if (c !== Compression.None && c !== Compression.Unknown && c !== Compression.Gzip)
      throw new BasemapError('unsupported', { name, detail: `compression ${Compression[c]} (none or gzip only)` });
  const sane = h.minLon < h.maxLon && h.minLat < h.maxLat && h.minLon >= -180 && h.maxLon <= 180;
  const mime = MIME[format]!;
  let open = true;
  return {
    name,
    kind: 'pmtiles',
    minZoom: h.minZoom,
    maxZoom: h.maxZoom,
    scheme: 'xyz',
    format,
    count: h.numAddressedTiles || null,
    bounds: sane ? [h.minLon, h.minLat, h.maxLon, h.maxLat] : WORLD_BOUNDS,
    async get(z, x, y) {
      if (!open || z < h.minZoom || z > h.maxZoom || x < 0 || y < 0 || x >= 2 ** z || y >= 2 ** z) return null;
      const r = await p.getZxy(z, x, y);
      return r ? new Blob([r.data], { type: mime }) : null;
    },
    close() {
      open = false;
      void p.cache.invalidate(source);
    },
  };
}
