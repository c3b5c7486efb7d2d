// Reading files the way a snapshot needs: at a position, to the end, or not at all when absent.
import * as fs from 'node:fs';
import { WorkflowRunsError } from '../../model/errors';

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

/**
 * Opens a file for reading, only if it is a regular file: a FIFO (or a device) in place of the
 * database or its log would block the thread for ever in `open` or `read`. The open does not wait
 * (O_NONBLOCK, where the platform has it), so a FIFO is refused, never waited on.
 */
export function openRegularFile(file: string): number {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  if (fs.fstatSync(fd).isFile()) return fd;
  fs.closeSync(fd);
  throw new WorkflowRunsError('not-a-database', `${file} is not a regular file.`);
}

/** Reads a whole (small) file or the part of it from `position`; undefined when it does not exist. */
export function readFrom(file: string, position = 0, length?: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openRegularFile(file);
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
