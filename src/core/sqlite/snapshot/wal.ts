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

/**
 * SQLite's WAL checksum over `data[start, end)` (a multiple of 8 bytes), continuing from `s`, with
 * the words read in the log's byte order.
 */
export function checksum(data: Uint8Array, start: number, end: number, bigEndian: boolean, s: Checksum): Checksum {
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
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = start; i < end; i += 8) {
    s0 = (s0 + view.getUint32(i, !bigEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, !bigEndian) + s0) >>> 0;
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

/** What a checkpointer has done to the main file, from the `-shm` wal-index (native byte order). */
export interface CheckpointProgress {
  salt1: number;
  salt2: number;
  /** Frames a checkpointer has started copying into the main file (set before it copies). */
  backfillAttempted: number;
}

/** The wal-index format SQLite writes (`WALINDEX_MAX_VERSION`). */
const WAL_INDEX_VERSION = 3007000;
const WAL_INDEX_HEADER = 48;

/**
 * Reads the wal-index header's salts and the checkpoint info's `nBackfill`/`nBackfillAttempted`.
 * Returns undefined when the file is too short to hold them, or its header is not one SQLite would
 * trust (as `walIndexTryHdr` checks: both copies equal, initialized, version and checksum right):
 * stale, torn by a writer in the middle of an update, or garbage. SQLite rebuilds such a header
 * from the log; a reader that cannot must not take it for the checkpoint's progress.
 */
export function parseCheckpointProgress(shm: Buffer, littleEndian: boolean): CheckpointProgress | undefined {
  if (shm.length < 136) return undefined;
  const u32 = (at: number) => (littleEndian ? shm.readUInt32LE(at) : shm.readUInt32BE(at));
  const header = shm.subarray(0, WAL_INDEX_HEADER);
  if (!header.equals(shm.subarray(WAL_INDEX_HEADER, 2 * WAL_INDEX_HEADER)) || u32(0) !== WAL_INDEX_VERSION || shm[12] !== 1) return undefined;
  const [s0, s1] = checksum(Buffer.from(header), 0, 40, !littleEndian, [0, 0]);
  if (s0 !== u32(40) || s1 !== u32(44)) return undefined;
  // aSalt is copied byte for byte from the log header, so it is big-endian like there.
  return { salt1: shm.readUInt32BE(32), salt2: shm.readUInt32BE(36), backfillAttempted: Math.max(u32(96), u32(128)) };
}
