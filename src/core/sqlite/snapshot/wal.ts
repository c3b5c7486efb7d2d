/**
 * The write-ahead log's on-disk format (sqlite.org/fileformat2.html, "The Write-Ahead Log") and the
 * wal-index header fields a reader needs from the `-shm` file (sqlite.org/walformat.html).
 */
import { endianness } from 'node:os';

export const WAL_HEADER = 32;
/** This machine's byte order, in which the `-shm` is written. */
export const LITTLE_ENDIAN = endianness() === 'LE';
export const FRAME_HEADER = 24;

export interface WalHeader {
  /** The 32 header bytes: equal bytes mean the same generation of the log. */
  raw: Buffer;
  bigEndian: boolean;
  pageSize: number;
  salt1: number;
  salt2: number;
  /** The running checksum after the header, where frame 1's checksum continues. */
  sum: Checksum;
}

export type Checksum = [number, number];

/** SQLite's WAL checksum over `data[start, end)`, continuing from `s`. */
function checksum(data: Buffer, start: number, end: number, bigEndian: boolean, s: Checksum): Checksum {
  let s0 = s[0];
  let s1 = s[1];
  if (bigEndian === !LITTLE_ENDIAN && (data.byteOffset + start) % 4 === 0) {
    // Words in this machine's order, aligned: read them as such (most logs, at several times the speed).
    const words = new Uint32Array(data.buffer, data.byteOffset + start, (end - start) / 4);
    for (let i = 0; i < words.length; i += 2) {
      s0 = (s0 + words[i] + s1) >>> 0;
      s1 = (s1 + words[i + 1] + s0) >>> 0;
    }
    return [s0, s1];
  }
  for (let i = start; i < end; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

/** The log's header, or undefined when it is absent or invalid (SQLite then ignores the log too). */
export function parseWalHeader(head: Buffer | undefined): WalHeader | undefined {
  if (!head || head.length < WAL_HEADER) return undefined;
  const magic = head.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return undefined;
  const bigEndian = (magic & 1) === 1;
  const pageSize = head.readUInt32BE(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return undefined;
  const sum = checksum(head, 0, 24, bigEndian, [0, 0]);
  if (sum[0] !== head.readUInt32BE(24) || sum[1] !== head.readUInt32BE(28)) return undefined;
  return { raw: Buffer.from(head.subarray(0, WAL_HEADER)), bigEndian, pageSize, salt1: head.readUInt32BE(16), salt2: head.readUInt32BE(20), sum };
}

/** Committed frames found by one scan. */
export interface FrameScan {
  /** Page number -> the frame (1-based) holding the page's newest committed copy. */
  pages: Map<number, number>;
  /** Database size in pages after the last commit found, or 0 when none was found. */
  commitPages: number;
  /** Frames up to and including the last commit frame found. */
  frames: number;
  /** Running checksum after the last commit frame found. */
  sum: Checksum;
}

/**
 * Scans `bytes`, which hold the log from frame `firstFrame` (1-based) on, continuing the running
 * checksum `sum`. Stops at the first frame whose salts or checksum do not match (not yet written,
 * or from an older generation) and keeps only frames up to the last commit frame: a transaction
 * still being written by another process must not show.
 */
export function scanFrames(header: WalHeader, bytes: Buffer, firstFrame: number, sum: Checksum): FrameScan {
  const frameSize = FRAME_HEADER + header.pageSize;
  const pages = new Map<number, number>();
  const pending = new Map<number, number>();
  const scan: FrameScan = { pages, commitPages: 0, frames: firstFrame - 1, sum };
  for (let off = 0, frame = firstFrame; off + frameSize <= bytes.length; off += frameSize, frame++) {
    if (bytes.readUInt32BE(off + 8) !== header.salt1 || bytes.readUInt32BE(off + 12) !== header.salt2) break;
    sum = checksum(bytes, off, off + 8, header.bigEndian, sum);
    sum = checksum(bytes, off + FRAME_HEADER, off + frameSize, header.bigEndian, sum);
    if (sum[0] !== bytes.readUInt32BE(off + 16) || sum[1] !== bytes.readUInt32BE(off + 20)) break;
    pending.set(bytes.readUInt32BE(off), frame);
    const sizeAfterCommit = bytes.readUInt32BE(off + 4);
    if (sizeAfterCommit !== 0) {
      for (const [page, at] of pending) pages.set(page, at);
      pending.clear();
      scan.commitPages = sizeAfterCommit;
      scan.frames = frame;
      scan.sum = sum;
    }
  }
  return scan;
}

/** What a checkpointer has done to the main file, from the `-shm` wal-index (native byte order). */
export interface CheckpointProgress {
  salt1: number;
  salt2: number;
  /** Frames a checkpointer has started copying into the main file (set before it copies). */
  backfillAttempted: number;
}

/**
 * Reads the wal-index header's salts and the checkpoint info's `nBackfill`/`nBackfillAttempted`.
 * Returns undefined when the file is too short to hold them.
 */
export function parseCheckpointProgress(shm: Buffer, littleEndian: boolean): CheckpointProgress | undefined {
  if (shm.length < 136) return undefined;
  const u32 = (at: number) => (littleEndian ? shm.readUInt32LE(at) : shm.readUInt32BE(at));
  // aSalt is copied byte for byte from the log header, so it is big-endian like there.
  return { salt1: shm.readUInt32BE(32), salt2: shm.readUInt32BE(36), backfillAttempted: Math.max(u32(96), u32(128)) };
}

/** The page in the `index`-th frame (1-based) of log bytes that start at a frame. */
export function frameAt(bytes: Buffer, index: number, pageSize: number): Buffer {
  const at = (index - 1) * (FRAME_HEADER + pageSize) + FRAME_HEADER;
  return bytes.subarray(at, at + pageSize);
}
