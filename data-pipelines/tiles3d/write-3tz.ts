/**
 * Writes a tileset's files as a .3tz (3D Tiles Archive Format 1.x): a ZIP with fixed 1980-01-01 dates (the same
 * files give the same bytes), entries in path order, stored or deflated, and the `@3dtilesIndex1@` index last and
 * stored: 24 bytes per entry, the MD5 of its path and its local header offset, sorted by the hash read as two
 * little-endian uint64 (the first one first). Node only (zlib, crypto). No ZIP64: an archive over 4 GiB is refused with a clear error.
 */
import { createHash } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';

export const INDEX_NAME = '@3dtilesIndex1@';

export function write3tz(files: Map<string, Uint8Array>, opts: { deflate?: boolean } = {}): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const index: Array<{ hash: Buffer; offset: number }> = [];
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  const add = (path: string, data: Uint8Array, deflate: boolean) => {
    const name = enc.encode(path);
    const body = deflate ? new Uint8Array(deflateRawSync(data, { level: 9 })) : data;
    const method = deflate ? 8 : 0;
    const crc = crc32(data) >>> 0;
    if (offset + 30 + name.byteLength + body.byteLength > 0xffffffff) throw new Error('the archive would exceed 4 GiB: write a tileset folder instead');
    const local = new Uint8Array(30 + name.byteLength);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true);
    l.setUint16(6, 0x0800, true); // UTF-8 names
    l.setUint16(8, method, true);
    l.setUint16(10, 0, true);
    l.setUint16(12, DOS_DATE, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, body.byteLength, true);
    l.setUint32(22, data.byteLength, true);
    l.setUint16(26, name.byteLength, true);
    local.set(name, 30);
    const cd = new Uint8Array(46 + name.byteLength);
    const c = new DataView(cd.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, (3 << 8) | 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, 0x0800, true);
    c.setUint16(10, method, true);
    c.setUint16(14, DOS_DATE, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, body.byteLength, true);
    c.setUint32(24, data.byteLength, true);
    c.setUint16(28, name.byteLength, true);
    c.setUint32(38, 0o100644 << 16, true);
    c.setUint32(42, offset, true);
    cd.set(name, 46);
    if (path !== INDEX_NAME) index.push({ hash: createHash('md5').update(path).digest(), offset });
    parts.push(local, body);
    central.push(cd);
    offset += local.byteLength + body.byteLength;
  };
  for (const path of [...files.keys()].sort()) add(path, files.get(path)!, opts.deflate ?? false);
  const key = (h: Buffer) => [h.readBigUInt64LE(0), h.readBigUInt64LE(8)] as const;
  index.sort((a, b) => {
    const [a0, a1] = key(a.hash);
    const [b0, b1] = key(b.hash);
    // the first eight bytes (as a little-endian uint64) decide, then the last eight: as 3d-tiles-tools and loaders.gl read it
    return a0 !== b0 ? (a0 < b0 ? -1 : 1) : a1 < b1 ? -1 : a1 > b1 ? 1 : 0;
  });
  const idx = Buffer.alloc(index.length * 24);
  index.forEach((e, i) => {
    e.hash.copy(idx, i * 24);
    idx.writeBigUInt64LE(BigInt(e.offset), i * 24 + 16);
  });
  add(INDEX_NAME, new Uint8Array(idx), false);
  const cdSize = central.reduce((s, x) => s + x.byteLength, 0);
  const eocd = new Uint8Array(22);
  const e = new DataView(eocd.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, central.length, true);
  e.setUint16(10, central.length, true);
  e.setUint32(12, cdSize, true);
  e.setUint32(16, offset, true);
  if (central.length > 0xfffe) throw new Error(`${central.length} files need ZIP64, which this writer does not do: write a tileset folder instead`);
  const out = new Uint8Array(offset + cdSize + 22);
  let at = 0;
  for (const x of [...parts, ...central, eocd]) {
    out.set(x, at);
    at += x.byteLength;
  }
  return out;
}
