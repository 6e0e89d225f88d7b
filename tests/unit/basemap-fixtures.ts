/** Shared by the tile-package tests: the committed fixtures (tests/fixtures/basemap/make-fixtures.py) and byte sources. */
import { open } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ByteSource } from '../../renderer/src/basemap/sqlite.ts';

export const FIXTURES = join(import.meta.dirname, '../fixtures/basemap');

/** The ground-truth tiles by XYZ "z/x/y" (tiles/ = z12–14; with z15 = also tiles15/). */
export function expectedTiles(withZ15 = false): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (root: string, dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(root, p);
      else
        out.set(
          relative(root, p)
            .replace(/\\/g, '/')
            .replace(/\.png$/, ''),
          readFileSync(p),
        );
    }
  };
  walk(join(FIXTURES, 'tiles'), join(FIXTURES, 'tiles'));
  if (withZ15) walk(join(FIXTURES, 'tiles15'), join(FIXTURES, 'tiles15'));
  return out;
}

export interface CountingSource extends ByteSource {
  /** every read as [offset, length] */
  reads: Array<[number, number]>;
  close(): Promise<void>;
}

/** A file read through a Node file handle (as a browser File is read through Blob.slice), counting the reads. */
export async function fileSource(name: string): Promise<CountingSource> {
  const fh = await open(join(FIXTURES, name), 'r');
  const size = (await fh.stat()).size;
  const reads: Array<[number, number]> = [];
  return {
    size,
    reads,
    async read(offset, length) {
      reads.push([offset, length]);
      const b = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      if (b.length) await fh.read(b, 0, b.length, offset);
      return new Uint8Array(b.buffer, b.byteOffset, b.length);
    },
    close: () => fh.close(),
  };
}

/** Bytes in memory as a source (for corrupted copies). */
export function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (o, l) => bytes.slice(o, o + l) };
}

export async function bytesOf(b: Blob | null): Promise<Buffer | null> {
  return b ? Buffer.from(await b.arrayBuffer()) : null;
}
