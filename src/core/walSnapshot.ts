import * as fs from 'node:fs';
import { WorkflowRunsError } from './errors';

/**
 * A consistent, read-only image of a live SQLite database: the main file with the committed frames
 * of its write-ahead log laid over it (sqlite.org/fileformat2.html, "The Write-Ahead Log").
 *
 * sql.js cannot see a `-wal` file, so without this it would show stale or torn data. Frames after
 * the last commit frame (a transaction still open in another process) are left out. A checkpoint
 * that restarts the log while we read is detected by reading the log header before and after, and
 * the read is retried.
 */
export interface Snapshot {
  /** The database image, in rollback-journal form so that sql.js opens it in memory. */
  image: Uint8Array;
  /** Committed frames that were laid over the main file. */
  walFrames: number;
  /** Reads it took to get a consistent image (1 when nothing raced us). */
  attempts: number;
  /** Identifies the committed state: equal fingerprints mean equal data. */
  fingerprint: string;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const MAX_ATTEMPTS = 8;

interface WalIndex {
  pageSize: number;
  /** Page number -> offset of the page's newest committed copy in the log. */
  pages: Map<number, number>;
  /** Database size in pages after the last commit, or 0 when the log holds no commit. */
  commitPages: number;
  frames: number;
  /** Byte offset just past the last committed frame. */
  end: number;
  salt1: number;
  salt2: number;
  checkpointSeq: number;
}

/** SQLite's WAL checksum over `data`, continuing from (s0, s1). */
function walChecksum(data: Buffer, start: number, end: number, bigEndian: boolean, s: [number, number]): [number, number] {
  let s0 = s[0];
  let s1 = s[1];
  for (let i = start; i < end; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

/**
 * Indexes the committed frames of a log. Returns undefined when the log is absent, empty, or its
 * header is invalid (SQLite then ignores the log too).
 */
function indexWal(wal: Buffer | undefined): WalIndex | undefined {
  if (!wal || wal.length < WAL_HEADER) return undefined;
  const magic = wal.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return undefined;
  const bigEndian = (magic & 1) === 1;
  const pageSize = wal.readUInt32BE(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return undefined;
  let sum = walChecksum(wal, 0, 24, bigEndian, [0, 0]);
  if (sum[0] !== wal.readUInt32BE(24) || sum[1] !== wal.readUInt32BE(28)) return undefined;

  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  const committed = new Map<number, number>();
  const pending = new Map<number, number>();
  let commitPages = 0;
  let frames = 0;
  let end = WAL_HEADER;
  for (let off = WAL_HEADER; off + FRAME_HEADER + pageSize <= wal.length; off += FRAME_HEADER + pageSize) {
    if (wal.readUInt32BE(off + 8) !== salt1 || wal.readUInt32BE(off + 12) !== salt2) break;
    sum = walChecksum(wal, off, off + 8, bigEndian, sum);
    sum = walChecksum(wal, off + FRAME_HEADER, off + FRAME_HEADER + pageSize, bigEndian, sum);
    if (sum[0] !== wal.readUInt32BE(off + 16) || sum[1] !== wal.readUInt32BE(off + 20)) break;
    pending.set(wal.readUInt32BE(off), off + FRAME_HEADER);
    const sizeAfterCommit = wal.readUInt32BE(off + 4);
    if (sizeAfterCommit !== 0) {
      for (const [page, at] of pending) committed.set(page, at);
      pending.clear();
      commitPages = sizeAfterCommit;
      end = off + FRAME_HEADER + pageSize;
      frames = (end - WAL_HEADER) / (FRAME_HEADER + pageSize);
    }
  }
  if (commitPages === 0) return undefined;
  return { pageSize, pages: committed, commitPages, frames, end, salt1, salt2, checkpointSeq: wal.readUInt32BE(12) };
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function readHead(file: string, bytes: number): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function same(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (!a || !b) return a === b;
  return a.equals(b);
}

/** Checks the file is a SQLite database, with a message a person can act on. */
function checkMainFile(dbPath: string, main: Buffer | undefined, wal: WalIndex | undefined): void {
  if (main === undefined) throw new WorkflowRunsError('no-database', `No database at ${dbPath}.`);
  if (main.length === 0 && !wal) {
    throw new WorkflowRunsError('not-a-database', `${dbPath} is empty, not a SQLite database.`);
  }
  if (main.length > 0 && (main.length < 100 || !main.subarray(0, 16).equals(SQLITE_MAGIC))) {
    throw new WorkflowRunsError('not-a-database', `${dbPath} is not a SQLite database.`);
  }
}

function buildImage(main: Buffer, wal: Buffer | undefined, index: WalIndex | undefined): Uint8Array {
  if (!index) {
    main[18] = 1;
    main[19] = 1;
    return main;
  }
  const size = index.commitPages * index.pageSize;
  // Reuse the main file's buffer when the log did not grow the database.
  const image = size <= main.length ? main.subarray(0, size) : Buffer.alloc(size);
  if (image.buffer !== main.buffer) main.copy(image, 0, 0, Math.min(main.length, size));
  for (const [page, at] of index.pages) {
    if (page <= index.commitPages) wal!.copy(image, (page - 1) * index.pageSize, at, at + index.pageSize);
  }
  image[18] = 1;
  image[19] = 1;
  return image;
}

/**
 * Reads a consistent snapshot of `dbPath`. Throws a `WorkflowRunsError` when the file is missing or
 * is not a database, and `unstable` when a concurrent checkpoint raced every one of the bounded reads.
 */
export function readSnapshot(dbPath: string): Snapshot {
  const walPath = `${dbPath}-wal`;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // Main file first, log second: every page a checkpoint copies into the main file while we read
    // it is still in the log we read afterwards, unless the log was restarted, which the header
    // comparison catches.
    const walHeadBefore = readHead(walPath, WAL_HEADER);
    const mainHeadBefore = readHead(dbPath, 100);
    const main = readIfExists(dbPath);
    const wal = readIfExists(walPath);
    const walHeadAfter = readHead(walPath, WAL_HEADER);
    if (!same(walHeadBefore, walHeadAfter) || !same(walHeadBefore, wal?.subarray(0, WAL_HEADER))) continue;
    const index = indexWal(wal);
    // Without committed log frames the main file is all there is: it must not have changed under us.
    if (!index && !(same(mainHeadBefore, main?.subarray(0, 100)) && same(mainHeadBefore, readHead(dbPath, 100)))) {
      continue;
    }
    checkMainFile(dbPath, main, index);
    return {
      image: buildImage(main!, wal, index),
      walFrames: index?.frames ?? 0,
      attempts: attempt,
      fingerprint: fingerprint(main!, index),
    };
  }
  throw new WorkflowRunsError(
    'unstable',
    `The database changed during each of ${MAX_ATTEMPTS} reads (a checkpoint kept racing them). Try again.`,
  );
}

/**
 * A cheap identity of the committed state: the main file's change counter and size plus the log's
 * salts and committed length. Two reads with the same fingerprint saw the same data.
 */
function fingerprint(main: Buffer, index: WalIndex | undefined): string {
  const counter = main.length >= 28 ? main.readUInt32BE(24) : 0;
  const wal = index ? `${index.salt1}:${index.salt2}:${index.checkpointSeq}:${index.end}` : 'nowal';
  return `${counter}:${main.length}:${wal}`;
}
