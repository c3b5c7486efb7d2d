// Reading files the way a snapshot needs: at a position, to the end, or not at all when absent.
import * as fs from 'node:fs';

/** Reads up to `length` bytes at `position` into `into` at `offset`; fewer only at the end of the file. */
export function readInto(fd: number, into: Uint8Array, offset: number, length: number, position: number): number {
  let n = 0;
  while (n < length) {
    const got = fs.readSync(fd, into, offset + n, length - n, position + n);
    if (got === 0) break;
    n += got;
  }
  return n;
}

/** `length` bytes at `position` (fewer at the end of the file). */
export function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  const n = readInto(fd, buf, 0, length, position);
  return n === length ? buf : buf.subarray(0, n);
}

/** Reads a whole (small) file or the part of it from `position`; undefined when it does not exist. */
export function readFrom(file: string, position = 0, length?: number): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const size = length ?? Math.max(0, fs.fstatSync(fd).size - position);
    return readAt(fd, size, position);
  } finally {
    fs.closeSync(fd);
  }
}

/** Equal bytes, or both absent. */
export function same(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return !a || !b ? a === b : a.equals(b);
}
