/**
 * 3D Tiles archives (.3tz): a ZIP file whose entries are a tileset's files, plus an `@3dtilesIndex1@` entry (MD5 of
 * each path and its local header offset, sorted by hash) for fast lookup. The reader here does not need that index:
 * it reads the ZIP central directory (ZIP64 too) once and each entry lazily by byte range, so a multi-gigabyte
 * archive picked in the browser is never read whole. Stored and deflated entries are supported (what 3tz writers
 * emit); any other compression is a clear error. Runs in the browser and in Node (Blob + DecompressionStream).
 */

export class ArchiveError extends Error {
  constructor(
    readonly code: 'notZip' | 'badEntry' | 'compression' | 'encrypted' | 'missing',
    message: string,
  ) {
    super(message);
  }
}

interface Entry {
  crc: number;
  method: number;
  flags: number;
  compressed: number;
  size: number;
  offset: number;
}

export interface ArchiveReader {
  /** entry paths, as stored (forward slashes) */
  readonly paths: string[];
  has(path: string): boolean;
  /** one entry's bytes, or null when the archive has no such entry */
  read(path: string): Promise<Uint8Array | null>;
}

const u16 = (d: DataView, o: number) => d.getUint16(o, true);
const u32 = (d: DataView, o: number) => d.getUint32(o, true);
const u64 = (d: DataView, o: number) => Number(d.getBigUint64(o, true));

/** Random access to the archive's bytes: a Blob (a picked File), or byte ranges of a URL (rangeSource). */
export interface ByteSource {
  readonly size: number;
  /** bytes [start, end) */
  read(start: number, end: number): Promise<Uint8Array>;
}

const blobSource = (blob: Blob): ByteSource => ({ size: blob.size, read: async (a, b) => new Uint8Array(await blob.slice(a, b).arrayBuffer()) });

/** A file on this page's own server, read by HTTP byte ranges (the server must answer 206). */
export async function rangeSource(url: string): Promise<ByteSource> {
  const head = await fetch(url, { method: 'HEAD' });
  if (!head.ok) throw new ArchiveError('missing', `${url}: HTTP ${head.status}`);
  const length = head.headers.get('content-length');
  const size = length === null ? Number.NaN : Number(length);
  if (!Number.isFinite(size)) throw new ArchiveError('missing', `${url}: the server did not say its size`);
  return {
    size,
    async read(a, b) {
      if (b <= a) return new Uint8Array(0);
      const r = await fetch(url, { headers: { range: `bytes=${a}-${b - 1}` } });
      if (r.status !== 206) {
        await r.body?.cancel();
        throw new ArchiveError('badEntry', `${url}: byte range ${a}-${b - 1} answered HTTP ${r.status}, not 206`);
      }
      const bytes = new Uint8Array(await r.arrayBuffer());
      if (bytes.byteLength !== b - a) throw new ArchiveError('badEntry', `${url}: byte range ${a}-${b - 1} answered ${bytes.byteLength} bytes`);
      return bytes;
    },
  };
}

async function slice(src: ByteSource, start: number, end: number): Promise<DataView> {
  if (start < 0 || end > src.size || end < start) throw new ArchiveError('badEntry', `byte range ${start}-${end} is outside the ${src.size}-byte file`);
  const b = await src.read(start, end);
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as ZIP uses it (IEEE 802.3, reflected). */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Entry paths as a web server would see them: forward slashes, no ./ or leading /; null if it climbs out (../). */
function entryPath(raw: string): string | null {
  const out: string[] = [];
  for (const seg of raw.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return null;
    out.push(seg);
  }
  return out.join('/');
}

/** Inflates an entry, stopping as soon as it grows past what the directory says (a small "deflate bomb" never fills the tab). */
async function inflateRaw(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new Error(`it inflates beyond the ${limit} bytes the directory says`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Opens a ZIP/3tz held in a Blob (a File from the picker, or bytes) or a ByteSource: reads only the directory now. */
export async function openArchive(file: Blob | ByteSource, name = 'archive'): Promise<ArchiveReader> {
  const blob = file instanceof Blob ? blobSource(file) : file;
  if (blob.size < 22) throw new ArchiveError('notZip', `${name}: ${blob.size} bytes is too small to be a ZIP/3tz archive`);
  // the end-of-central-directory record is in the last 22 + 65 535 (comment) bytes
  const tailStart = Math.max(0, blob.size - 22 - 0xffff);
  const tail = await slice(blob, tailStart, blob.size);
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0; i--)
    if (u32(tail, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new ArchiveError('notZip', `${name}: not a ZIP/3tz archive (no end-of-directory record)`);
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // ZIP64: the locator sits just before the classic record
    const loc = tailStart + eocd - 20;
    const l = await slice(blob, loc, loc + 20);
    if (u32(l, 0) !== 0x07064b50) throw new ArchiveError('notZip', `${name}: damaged ZIP64 archive (no locator)`);
    const z = await slice(blob, u64(l, 8), u64(l, 8) + 56);
    if (u32(z, 0) !== 0x06064b50) throw new ArchiveError('notZip', `${name}: damaged ZIP64 archive (no ZIP64 directory record)`);
    count = u64(z, 32);
    cdSize = u64(z, 40);
    cdOffset = u64(z, 48);
  }
  if (cdOffset + cdSize > blob.size) throw new ArchiveError('notZip', `${name}: damaged archive (its directory lies beyond the end of the file)`);
  const cd = await slice(blob, cdOffset, cdOffset + cdSize);
  const entries = new Map<string, Entry>();
  const dec = new TextDecoder();
  let p = 0;
  for (let i = 0; i < count; i++) {
    const damaged = () => new ArchiveError('notZip', `${name}: damaged central directory at entry ${i + 1} of ${count}`);
    if (p + 46 > cd.byteLength || u32(cd, p) !== 0x02014b50) throw damaged();
    if (p + 46 + u16(cd, p + 28) + u16(cd, p + 30) + u16(cd, p + 32) > cd.byteLength) throw damaged();
    const crc = u32(cd, p + 16);
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    let compressed = u32(cd, p + 20);
    let size = u32(cd, p + 24);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    let offset = u32(cd, p + 42);
    const path = entryPath(dec.decode(new Uint8Array(cd.buffer, cd.byteOffset + p + 46, nameLen)));
    // ZIP64 extended information: the 0xffffffff fields, in order
    let e = p + 46 + nameLen;
    const end = e + extraLen;
    while (e + 4 <= end) {
      const id = u16(cd, e);
      const len = u16(cd, e + 2);
      if (e + 4 + len > end) throw damaged();
      if (id === 0x0001) {
        let q = e + 4;
        const need = 8 * [size, compressed, offset].filter((v) => v === 0xffffffff).length;
        if (need > len) throw damaged();
        if (size === 0xffffffff) {
          size = u64(cd, q);
          q += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = u64(cd, q);
          q += 8;
        }
        if (offset === 0xffffffff) offset = u64(cd, q);
      }
      e += 4 + len;
    }
    // a directory entry, or one that climbs out of the archive (../): not a file of the model
    const isDir = nameLen > 0 && cd.getUint8(p + 46 + nameLen - 1) === 0x2f;
    if (path && !isDir) entries.set(path, { crc, method, flags, compressed, size, offset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return {
    paths: [...entries.keys()],
    has: (path) => entries.has(path),
    async read(path) {
      const en = entries.get(path);
      if (!en) return null;
      if (en.flags & 1) throw new ArchiveError('encrypted', `${name}: ${path} is encrypted`);
      const h = await slice(blob, en.offset, en.offset + 30);
      if (u32(h, 0) !== 0x04034b50) throw new ArchiveError('badEntry', `${name}: ${path} has no local header where the directory says`);
      const start = en.offset + 30 + u16(h, 26) + u16(h, 28);
      if (start + en.compressed > blob.size) throw new ArchiveError('badEntry', `${name}: ${path} is cut short`);
      const data = await blob.read(start, start + en.compressed);
      if (data.byteLength !== en.compressed) throw new ArchiveError('badEntry', `${name}: ${path} is cut short`);
      let out: Uint8Array;
      if (en.method === 0) out = data;
      else if (en.method === 8) {
        try {
          out = await inflateRaw(data, en.size);
        } catch (err) {
          throw new ArchiveError('badEntry', `${name}: ${path} does not inflate (${(err as Error).message})`);
        }
      } else throw new ArchiveError('compression', `${name}: ${path} uses ZIP compression method ${en.method}; only stored (0) and deflate (8) are supported`);
      if (out.byteLength !== en.size) throw new ArchiveError('badEntry', `${name}: ${path} is ${out.byteLength} bytes, the directory says ${en.size}`);
      if (crc32(out) !== en.crc) throw new ArchiveError('badEntry', `${name}: ${path} is damaged (checksum mismatch)`);
      return out;
    },
  };
}
