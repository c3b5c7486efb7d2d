import * as fs from 'node:fs';
import * as os from 'node:os';
import { WorkflowRunsError } from './errors';
import { type Checksum, FRAME_HEADER, parseCheckpointProgress, parseWalHeader, scanFrames, WAL_HEADER, type WalHeader } from './wal';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** Main-file pages are read in aligned chunks of this size: one read per chunk, not per page. */
const CHUNK = 64 * 1024;
const LITTLE_ENDIAN = os.endianness() === 'LE';

/** What a `sync()` found. */
export interface SyncResult {
  /** `none`: same data; `incremental`: new log frames laid over what was cached; `full`: read afresh. */
  mode: 'none' | 'incremental' | 'full';
  /** Committed log frames read by this sync. */
  walFrames: number;
  /** The sql.js database must be reopened: the page size changed or the file outgrew its slack. */
  reopen: boolean;
}

interface WalState {
  header: WalHeader;
  /** Byte offset just past the last committed frame read. */
  end: number;
  frames: number;
  sum: Checksum;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let n = 0;
  while (n < length) {
    const got = fs.readSync(fd, buf, n, length - n, position + n);
    if (got === 0) break;
    n += got;
  }
  return n === length ? buf : buf.subarray(0, n);
}

/** Reads a whole (small) file or the part of it from `position`; undefined when it does not exist. */
function readFrom(file: string, position = 0, length?: number): Buffer | undefined {
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

function same(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return !a || !b ? a === b : a.equals(b);
}

/**
 * The database file as sql.js sees it: a consistent snapshot of a live SQLite database, the main file
 * with the committed frames of its write-ahead log laid over it, read page by page on demand.
 *
 * Nothing is read up front. sql.js reads pages through `contents()`; a page comes from the log when a
 * committed frame holds it, else from the main file (cached in chunks). `sync()` moves the snapshot
 * forward by reading only the log frames committed since the last sync, as long as the log was not
 * restarted; otherwise everything is dropped and read afresh.
 *
 * We take no lock, so a checkpoint may copy newer frames into the main file while we read it. The
 * caller runs its queries between `sync()` and `validate()`; `validate()` says whether a checkpoint
 * may have copied frames beyond our snapshot into the main file meanwhile (from the log header and
 * the `-shm` checkpoint progress). If so the pages read are dropped and the caller reads again.
 */
export class SnapshotFile {
  private fd: number | undefined;
  private ino = -1;
  pageSize = 0;
  /** Database size in pages in this snapshot. */
  pages = 0;
  private wal: WalState | undefined;
  /** The main file's header when last read (without a log it changes with every transaction). */
  private mainHeader: Buffer | undefined;
  /** The log's first bytes when last read (no valid header: a log may appear meanwhile). */
  private walHead: Buffer | undefined;
  private readonly overlay = new Map<number, Buffer>();
  private readonly chunks = new Map<number, Buffer>();
  private cachedBytes = 0;
  private page1: Buffer | undefined;
  /** Bumped whenever the data may differ; written into page 1's change counter for sql.js. */
  private version = 1;
  /** The byte length sql.js is told the file has: room to grow without reopening. */
  virtualLength = 0;
  /** Main-file bytes read from disk since the last `takeBytesRead()`. */
  private bytesRead = 0;
  /** Main-file chunks read from disk since the last successful `validate()`. */
  private unchecked = 0;
  /** Set by `readAll()` until the next sync: the cache may exceed its limit. */
  private pinned = false;

  constructor(
    readonly dbPath: string,
    private readonly maxCacheBytes = 256 * 1024 * 1024,
  ) {}

  private get walPath(): string {
    return `${this.dbPath}-wal`;
  }

  /** Identifies the committed data: equal fingerprints mean equal data. */
  get fingerprint(): string {
    const wal = this.wal ? `${this.wal.header.salt1}:${this.wal.header.salt2}:${this.wal.frames}` : 'nowal';
    return `${this.ino}:${this.mainHeader?.readUInt32BE(24) ?? 0}:${this.pages}:${wal}`;
  }

  /**
   * Brings the snapshot up to the last committed transaction. Throws `no-database`/`not-a-database`
   * for a file that is missing or is not SQLite, and `unstable` when the log kept changing under us.
   */
  sync(): SyncResult {
    for (let attempt = 0; attempt < 8; attempt++) {
      const result = this.trySync();
      if (result) return result;
    }
    throw new WorkflowRunsError('unstable', 'The database changed during each of 8 reads (a checkpoint kept racing them). Try again.');
  }

  private trySync(): SyncResult | undefined {
    this.pinned = false;
    this.openMain();
    const head = readFrom(this.walPath, 0, WAL_HEADER);
    const header = parseWalHeader(head);
    const wal = this.wal;
    if (wal && header && wal.header.raw.equals(header.raw)) {
      // Same generation of the log: only frames committed after the last sync are new.
      const tail = readFrom(this.walPath, wal.end) ?? Buffer.alloc(0);
      const scan = scanFrames(header, tail, wal.frames + 1, wal.sum);
      if (scan.commitPages === 0) return { mode: 'none', walFrames: 0, reopen: false };
      for (const [page, data] of scan.pages) this.overlay.set(page, data);
      wal.end += (scan.frames - wal.frames) * (header.pageSize + FRAME_HEADER);
      const walFrames = scan.frames - wal.frames;
      wal.frames = scan.frames;
      wal.sum = scan.sum;
      return { mode: 'incremental', walFrames, reopen: this.resize(scan.commitPages) };
    }
    return this.fullSync(head, header);
  }

  /** Drops everything and reads the log from its start (or only the main header when there is no log). */
  private fullSync(head: Buffer | undefined, header: WalHeader | undefined): SyncResult | undefined {
    const mainHeader = readAt(this.fd!, 100, 0);
    checkMainHeader(this.dbPath, mainHeader, header !== undefined);
    const log = header && readFrom(this.walPath);
    // The log must not have been restarted while we read it; without one, the main file must not change.
    if (!same(head, readFrom(this.walPath, 0, WAL_HEADER)) || (log && !same(head, log.subarray(0, WAL_HEADER)))) return undefined;
    if (!header && !same(mainHeader, readAt(this.fd!, 100, 0))) return undefined;
    if (!header && !this.wal && same(this.mainHeader, mainHeader) && same(this.walHead, head)) {
      return { mode: 'none', walFrames: 0, reopen: false };
    }

    this.dropMainPages();
    this.overlay.clear();
    this.mainHeader = mainHeader;
    this.walHead = head;
    const pageSize = header ? header.pageSize : mainPageSize(mainHeader);
    const reopen = pageSize !== this.pageSize;
    this.pageSize = pageSize;
    this.wal = undefined;
    let commitPages = 0;
    if (header && log) {
      const scan = scanFrames(header, log.subarray(WAL_HEADER), 1, header.sum);
      for (const [page, data] of scan.pages) this.overlay.set(page, data);
      this.wal = { header, end: WAL_HEADER + scan.frames * (pageSize + FRAME_HEADER), frames: scan.frames, sum: scan.sum };
      commitPages = scan.commitPages;
    }
    const grew = this.resize(commitPages || mainPages(mainHeader, fs.fstatSync(this.fd!).size, pageSize));
    return { mode: 'full', walFrames: this.wal?.frames ?? 0, reopen: reopen || grew };
  }

  /** Records the new page count and bumps the version; says whether the slack ran out. */
  private resize(pages: number): boolean {
    this.pages = pages;
    this.version = (this.version + 1) >>> 0 || 1;
    this.page1 = undefined;
    // Pages past the new end may have been freed and reused in between: drop them all the same.
    const needed = pages * this.pageSize;
    if (needed <= this.virtualLength) return false;
    this.virtualLength = Math.max(needed * 2, 64 * 1024 * 1024);
    return true;
  }

  /** (Re)opens the main file, starting over when the path now names a different file. */
  private openMain(): void {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.dbPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.reset();
        throw new WorkflowRunsError('no-database', `No database at ${this.dbPath}.`);
      }
      throw err;
    }
    if (this.fd !== undefined && stat.ino === this.ino) return;
    this.reset();
    this.fd = fs.openSync(this.dbPath, 'r');
    this.ino = fs.fstatSync(this.fd).ino;
  }

  private reset(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.ino = -1;
    this.wal = undefined;
    this.mainHeader = undefined;
    this.walHead = undefined;
    this.overlay.clear();
    this.dropMainPages();
  }

  private dropMainPages(): void {
    this.chunks.clear();
    this.cachedBytes = 0;
    this.page1 = undefined;
    this.unchecked = 0;
  }

  /**
   * Reads every page of the snapshot now, in one sequential pass, so that `validate()` right after
   * covers a window of milliseconds and the queries then read nothing from disk. The fallback when
   * checkpoints keep racing queries that read pages over a longer time.
   */
  readAll(): void {
    this.pinned = true;
    for (let n = 1; n <= this.pages; n++) if (!this.overlay.has(n)) this.mainPage(n);
  }

  /**
   * After reading: true when no checkpoint can have copied frames newer than our snapshot into the
   * main file since `sync()`. When false, the pages read from the main file are dropped (the log
   * frames stay valid while the log's generation is unchanged) and the caller must read again.
   */
  validate(): boolean {
    // Nothing read from the main file since the last check: what is cached was valid then, and is now.
    if (this.unchecked === 0) return true;
    let ok: boolean;
    if (this.wal) {
      const head = readFrom(this.walPath, 0, WAL_HEADER);
      const shm = readFrom(`${this.dbPath}-shm`, 0, 136);
      const progress = shm && parseCheckpointProgress(shm, LITTLE_ENDIAN);
      const { header, frames } = this.wal;
      ok =
        same(head, header.raw) &&
        (!shm || (progress !== undefined && progress.salt1 === header.salt1 && progress.salt2 === header.salt2 && progress.backfillAttempted <= frames));
    } else {
      ok = this.fd !== undefined && same(this.mainHeader, readAt(this.fd, 100, 0)) && same(this.walHead, readFrom(this.walPath, 0, WAL_HEADER));
    }
    if (!ok) {
      this.dropMainPages();
      this.version = (this.version + 1) >>> 0 || 1;
    }
    this.unchecked = 0;
    return ok;
  }

  /** Main-file bytes read from disk since the last call (for measurements). */
  takeBytesRead(): number {
    const n = this.bytesRead;
    this.bytesRead = 0;
    return n;
  }

  /** Bytes `[start, end)` of the snapshot's file image. */
  read(start: number, end: number): Uint8Array {
    const pageSize = this.pageSize;
    const first = Math.floor(start / pageSize);
    if (first === Math.floor((end - 1) / pageSize)) {
      const page = this.page(first + 1);
      const at = start - first * pageSize;
      return page.subarray(at, at + end - start);
    }
    const out = new Uint8Array(end - start);
    for (let pos = start; pos < end; ) {
      const index = Math.floor(pos / pageSize);
      const at = pos - index * pageSize;
      const n = Math.min(pageSize - at, end - pos);
      out.set(this.page(index + 1).subarray(at, at + n), pos - start);
      pos += n;
    }
    return out;
  }

  /** One page of the snapshot, numbered from 1. */
  private page(n: number): Uint8Array {
    if (n === 1) return (this.page1 ??= this.patchedPage1());
    if (n > this.pages) return new Uint8Array(this.pageSize);
    return this.overlay.get(n) ?? this.mainPage(n);
  }

  /**
   * Page 1 as sql.js must see it: rollback-journal mode (bytes 18-19), and a change counter (24-27,
   * mirrored in 92-95 so the in-header size at 28-31 is trusted) that changes with every snapshot,
   * which makes SQLite drop its page cache when the data moved on.
   */
  private patchedPage1(): Buffer {
    const page = Buffer.from(this.overlay.get(1) ?? this.mainPage(1));
    page[18] = 1;
    page[19] = 1;
    page.writeUInt32BE(this.version, 24);
    page.writeUInt32BE(this.pages, 28);
    page.writeUInt32BE(this.version, 92);
    return page;
  }

  private mainPage(n: number): Uint8Array {
    const offset = (n - 1) * this.pageSize;
    const chunkSize = Math.max(CHUNK, this.pageSize);
    const index = Math.floor(offset / chunkSize);
    let chunk = this.chunks.get(index);
    if (chunk) {
      // Least recently used goes first when the cache is full: move this one to the back.
      this.chunks.delete(index);
    } else {
      chunk = readAt(this.fd!, chunkSize, index * chunkSize);
      this.bytesRead += chunk.length;
      this.cachedBytes += chunk.length;
      this.unchecked++;
      for (const [oldest, old] of this.chunks) {
        if (this.pinned || this.cachedBytes <= this.maxCacheBytes) break;
        this.chunks.delete(oldest);
        this.cachedBytes -= old.length;
      }
    }
    this.chunks.set(index, chunk);
    const at = offset - index * chunkSize;
    // Past the end of the main file (pages only the log has written, then checkpointed): zeros.
    return at + this.pageSize <= chunk.length ? chunk.subarray(at, at + this.pageSize) : new Uint8Array(this.pageSize);
  }

  /**
   * What sql.js's in-memory file system is given as the file's contents: it reads through
   * `subarray`, and keeps what `slice` returns when the database is created (sql.js copies
   * `data.slice()`), so returning itself keeps every read coming here.
   */
  contents(): { length: number; subarray(start: number, end: number): Uint8Array; slice(): unknown } {
    const length = this.virtualLength;
    const read = (start: number, end: number) => this.read(start, end);
    const view = {
      length,
      subarray: read,
      slice: () => view,
    };
    return view;
  }

  close(): void {
    this.reset();
  }
}

function mainPageSize(header: Buffer): number {
  if (header.length < 100) return 0;
  const raw = header.readUInt16BE(16);
  return raw === 1 ? 65536 : raw;
}

/** The database size in pages from the main file alone (its header, else its length). */
function mainPages(header: Buffer, fileSize: number, pageSize: number): number {
  if (pageSize === 0) return 0;
  const inHeader = header.readUInt32BE(28);
  const valid = inHeader > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
  return valid ? inHeader : Math.floor(fileSize / pageSize);
}

/** Checks the file is a SQLite database, with a message a person can act on. */
function checkMainHeader(dbPath: string, header: Buffer, hasLog: boolean): void {
  if (header.length === 0 && !hasLog) throw new WorkflowRunsError('not-a-database', `${dbPath} is empty, not a SQLite database.`);
  if (header.length > 0 && (header.length < 100 || !header.subarray(0, 16).equals(SQLITE_MAGIC))) {
    throw new WorkflowRunsError('not-a-database', `${dbPath} is not a SQLite database.`);
  }
}
