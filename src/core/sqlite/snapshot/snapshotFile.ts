import * as fs from 'node:fs';
import { WorkflowRunsError } from '../../model/errors';
import { openRegularFile, readAt, readFrom, readInto, same } from './fileReads';
import { LogIndex } from './logIndex';
import { checkMainHeader, journalInUse, mainPages, mainPageSize, queryRelevant } from './mainFile';
import { DEFAULT_PAGE_CACHE_MB, PageCache } from './pageCache';
import { LITTLE_ENDIAN, parseCheckpointProgress, parseWalHeader, WAL_HEADER, type WalHeader } from './wal';

/** How old the main file's times must be to tell a later write apart (see `mainStamp`). */
const SETTLE_MS = 50;
const SLEEP = new Int32Array(new SharedArrayBuffer(4));
/** SQLite's lock bytes start here in the main file; the page holding them is never used. */
const LOCK_BYTE = 0x40000000;
/** Room the file's length as sql.js sees it leaves for the database to grow before sql.js must reopen it. */
const MIN_SLACK = 16 * 1024 * 1024;
/** `readAll()` reads the main file in blocks of this size. */
const BLOCK = 8 * 1024 * 1024;

/** How long a read without a guard keeps trying while checkpoints race it, before it gives up. */
export const UNGUARDED_BUDGET_MS = 2000;

export function raced(): WorkflowRunsError {
  return new WorkflowRunsError(
    'unstable',
    `The database changed during every read for ${UNGUARDED_BUDGET_MS / 1000} s (a checkpoint kept racing them). Try again.`,
  );
}

/** What a `sync()` found. */
export interface SyncResult {
  /** `none`: same data; `incremental`: new log frames laid over what was cached; `full`: read afresh. */
  mode: 'none' | 'incremental' | 'full';
  /** Committed log frames read by this sync. */
  walFrames: number;
}

/**
 * The database file as sql.js sees it: a consistent snapshot of a live SQLite database, the main file
 * with the committed frames of its write-ahead log laid over it, read page by page on demand.
 *
 * Nothing is read up front but the log, once, to index its committed frames (`LogIndex`): which
 * frame holds each page's newest copy; their pages are not kept. sql.js reads the file through
 * `contents()`; a page is read on first access, from its frame when the log has one, else from the
 * main file, and kept in a bounded page cache (`PageCache`): a page let go is read again when SQLite
 * asks again. `sync()` moves the snapshot forward by indexing only the frames committed since the
 * last sync, as long as the log was not restarted; otherwise every page is dropped and read again
 * when needed.
 *
 * A frame read after the sync is checked against what was indexed: another process may have
 * restarted the log and written over it meanwhile. Under a guard only a guard on read mark 0 lets
 * that happen, and a read transaction gets read mark 0 only when every frame of the log has been
 * copied into the main file, which then no checkpoint changes while the guard is held (copying
 * needs the lock of read mark 0). A log restarted under it is one whose frames were all in the main
 * file when the guard began, with no commit after them (a commit after them could not be copied
 * while the guard is held, and the log cannot be restarted over frames not copied): the main file
 * holds exactly the snapshot, and the page is read from it instead.
 *
 * Under a read guard (see `readGuards/`), a real SQLite's read transaction keeps checkpoints from
 * changing what we read (or restarting the log), and `sync(true)` is all a read needs. Without one,
 * a checkpoint may copy newer frames into the main file while we read it, or a restart overwrite the
 * log: the caller runs its queries between `sync()` and `validate()`, which says whether that may
 * have happened (from the log header and the `-shm` checkpoint progress); if so the pages read are
 * dropped and the caller reads again.
 */
export class SnapshotFile {
  private fd: number | undefined;
  private ino = -1;
  pageSize = 0;
  /** Database size in pages in this snapshot. */
  pages = 0;
  /** The log's committed frames, when a log is in use. */
  private log: LogIndex | undefined;
  /** The `-wal` as opened by the last sync: its frames are read through this descriptor. */
  private logFd: number | undefined;
  /** A frame indexed by this sync no longer held its page: the log was restarted (see the class comment). */
  logOverwritten = false;
  /** Without a log in use: what changes with any write to the main file (see `quietState`). */
  private mainState: string | undefined;
  /** Pages read so far, from the log and the main file (page 1 apart, patched for sql.js). */
  private cache: PageCache | undefined;
  private page1: Buffer | undefined;
  private zeros = new Uint8Array(0);
  /** The file's length as sql.js was told it when it opened the file. */
  private length = 0;
  /** Bumped whenever the data may differ; written into page 1's change counter for sql.js. */
  private version = 1;
  /**
   * Changes when sql.js must open the file anew: the database outgrew the length it was told, another
   * file at the path, or a read that raced a checkpoint (SQLite keeps the
   * schema it parsed, which may have been read torn, for as long as the schema cookie is the same).
   */
  generation = 0;
  /** Main-file bytes read from disk since the last `takeBytesRead()`. */
  private bytesRead = 0;
  /** Main-file reads since the last `validate()`. */
  private unchecked = 0;
  /** Counts syncs that changed data; `changedAt[n]` is the last one that changed page n. */
  private seq = 0;
  private changedAt = new Uint32Array(1);
  /** The last sync that read everything afresh: every page may have changed then. */
  private fullAt = 0;
  /** Page 1 as it matters to queries (not the fields patched for sql.js or the file size). */
  private page1Key: Buffer | undefined;
  /** Pages sql.js asks for while `record()` runs. */
  private recording: Set<number> | undefined;
  /** The main file's stamp at the last sync (see `mainStamp`). */
  private syncStamp: string | undefined;

  private readonly cacheBytes: number;

  /**
   * `cacheMB`: how much memory the pages read may take (see `PageCache`). `readShm`: whether a read
   * without a guard may open the `-shm` to see what checkpoints did. Not in a process whose own
   * SQLite connections may hold its locks: closing any descriptor of a file drops every POSIX lock
   * the process holds on it (the writer thread's write lock among them). Then only a main file
   * untouched since the sync shows that no checkpoint raced the read.
   */
  constructor(
    readonly dbPath: string,
    cacheMB = DEFAULT_PAGE_CACHE_MB,
    private readonly readShm = true,
  ) {
    this.cacheBytes = cacheMB * 1024 * 1024;
  }

  private get walPath(): string {
    return `${this.dbPath}-wal`;
  }

  /** Identifies the committed data: equal fingerprints mean equal data. */
  get fingerprint(): string {
    const data = this.log ? `${this.log.header.salt1}:${this.log.header.salt2}:${this.log.frames}` : this.mainState;
    return `${this.ino}:${this.pages}:${data}`;
  }

  /**
   * Brings the snapshot up to the last committed transaction. `guarded`: a read guard is held (see
   * the class comment). Throws `no-database`/`not-a-database` for a file that is missing or is not
   * SQLite, and `unstable` when the log kept changing under us until `deadline`.
   */
  sync(guarded = false, deadline = Date.now() + UNGUARDED_BUDGET_MS): SyncResult {
    // Under a guard the log is restarted at most once while we scan it (see readGuard.ts).
    for (let attempt = 0; ; attempt++) {
      const result = this.trySync(guarded);
      if (result) return result;
      if (Date.now() > deadline && attempt > 0) throw raced();
    }
  }

  private trySync(guarded: boolean): SyncResult | undefined {
    this.openMain();
    this.syncStamp = guarded ? undefined : this.mainStamp(!this.readShm);
    this.openLog();
    const head = this.logFd === undefined ? undefined : readAt(this.logFd, WAL_HEADER, 0);
    const header = parseWalHeader(head);
    const log = this.log;
    if (log && header && log.header.raw.equals(header.raw)) {
      // Same generation of the log: only frames committed after the last sync are new.
      const before = log.frames;
      const changed = log.extend(this.logFd!);
      // A log restarted or truncated since its header was read can have cut the scan short of frames
      // a checkpoint already copied into the main file; a guard on read mark 0 does not prevent
      // that (see readGuard.ts). Read again, afresh: the header is then the new log's.
      if (!same(head, readFrom(this.walPath, 0, WAL_HEADER))) {
        this.log = undefined;
        return undefined;
      }
      if (changed.size === 0) return { mode: 'none', walFrames: 0 };
      this.seq++;
      this.resize(log.commitPages);
      for (const page of changed) {
        this.cache?.drop(page);
        if (page !== 1) this.changedAt[page] = this.seq;
      }
      if (changed.has(1)) {
        const key = this.page1Key;
        this.page1 = undefined;
        this.page1Key = undefined;
        this.firstPage();
        if (!key?.equals(this.page1Key!)) this.changedAt[1] = this.seq;
      }
      return { mode: 'incremental', walFrames: log.frames - before };
    }
    return this.fullSync(head, header, guarded);
  }

  /** Opens the `-wal` anew for this sync (undefined when there is none). */
  private openLog(): void {
    if (this.logFd !== undefined) fs.closeSync(this.logFd);
    this.logFd = undefined;
    this.logOverwritten = false;
    try {
      this.logFd = openRegularFile(this.walPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Drops everything and indexes the log from its start (or reads only the main header when there is no log). */
  private fullSync(head: Buffer | undefined, header: WalHeader | undefined, guarded: boolean): SyncResult | undefined {
    const mainHeader = readAt(this.fd!, 100, 0);
    checkMainHeader(this.dbPath, mainHeader, header !== undefined);
    // Without a log, none must have appeared meanwhile (with one, it is checked once indexed).
    if (!header && !same(head, readFrom(this.walPath, 0, WAL_HEADER))) return undefined;
    let state: string | undefined;
    if (!header && guarded) {
      // Under a guard nothing writes the main file; in rollback-journal mode every commit changes
      // its header's change counter. A WAL database whose log is empty is read afresh.
      state = mainHeader[18] === 1 ? `${mainHeader.toString('hex')}:${fs.fstatSync(this.fd!).size}` : undefined;
      if (!this.log && state !== undefined && state === this.mainState) return { mode: 'none', walFrames: 0 };
    } else if (!header) {
      if (journalInUse(this.dbPath)) {
        throw new WorkflowRunsError('busy', `Another process is writing ${this.dbPath} (its -journal is in use); try again in a moment.`);
      }
      this.syncStamp = this.mainStamp(true);
      state = this.quietState(head, this.syncStamp);
      if (!same(mainHeader, readAt(this.fd!, 100, 0))) return undefined;
      if (!this.log && state !== undefined && state === this.mainState) return { mode: 'none', walFrames: 0 };
    }

    this.unfill();
    this.log = undefined;
    this.fullAt = ++this.seq;
    this.page1Key = undefined;
    this.mainState = state;
    const pageSize = header ? header.pageSize : mainPageSize(mainHeader);
    if (pageSize !== this.pageSize) {
      this.cache = pageSize ? new PageCache(pageSize, this.cacheBytes) : undefined;
      this.zeros = new Uint8Array(pageSize);
      this.length = 0; // laid out again by resize()
    }
    this.pageSize = pageSize;
    let commitPages = 0;
    if (header) {
      const log = new LogIndex(header);
      log.extend(this.logFd!);
      // The log must not have been restarted while we read it (a guard on read mark 0 allows that: a new
      // log's frames written over the old one's cut its scan short, to page versions older than the main
      // file's). A header still `head` when read after the log was the log's header too: a header never
      // comes back (each restart adds one to salt1 and to the checkpoint sequence and draws a new salt2;
      // a new log draws both salts).
      if (!same(head, readFrom(this.walPath, 0, WAL_HEADER))) return undefined;
      this.log = log;
      commitPages = log.commitPages;
    }
    this.resize(commitPages || mainPages(mainHeader, fs.fstatSync(this.fd!).size, pageSize));
    return { mode: 'full', walFrames: this.log?.frames ?? 0 };
  }

  /** Records the new page count and bumps the version; tells sql.js a larger length when the database outgrew it. */
  private resize(pages: number): void {
    this.pages = pages;
    this.bumpVersion();
    const needed = pages * this.pageSize;
    // Cached pages past a new, smaller end can stay: SQLite writes every page the database grows over
    // into the log, so such a page is read again only from a newer frame (which the index points to and
    // the sync drops from the cache) or after a full sync, which drops every page.
    if (needed <= this.length) return;
    const slack = Math.max(needed / 4, MIN_SLACK);
    this.length = Math.ceil((needed + slack) / this.pageSize) * this.pageSize;
    const changedAt = new Uint32Array(this.length / this.pageSize + 1);
    changedAt.set(this.changedAt.subarray(0, Math.min(this.changedAt.length, changedAt.length)));
    this.changedAt = changedAt;
    this.generation++;
  }

  /** A new change counter for sql.js, so that it drops its page cache before its next read. */
  private bumpVersion(): void {
    this.version = (this.version + 1) >>> 0 || 1;
    if (this.page1) this.patchPage1(this.page1);
  }

  /**
   * The main file's first 100 bytes, read through the snapshot's own descriptor. The process never
   * opens and closes the database file around a read: closing any descriptor of a file drops every
   * POSIX lock the process holds on it, the locks of this process's SQLite connections (the read
   * guard, the writer thread) among them.
   */
  mainHeader(): Buffer {
    this.openMain();
    return readAt(this.fd!, 100, 0);
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
    this.fd = openRegularFile(this.dbPath);
    this.ino = fs.fstatSync(this.fd).ino;
    this.generation++;
  }

  private reset(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    if (this.logFd !== undefined) fs.closeSync(this.logFd);
    this.fd = undefined;
    this.logFd = undefined;
    this.ino = -1;
    this.log = undefined;
    this.mainState = undefined;
    this.unfill();
  }

  /**
   * Without a log in use, what changes with any write to the main file: its header, size and times,
   * and whether a log appeared. The header alone does not do: in WAL mode a checkpoint need not
   * change it, and a process that opens the database, commits and closes leaves no log behind.
   */
  private quietState(walHead: Buffer | undefined, stamp = this.mainStamp()): string | undefined {
    return stamp && [readAt(this.fd!, 100, 0).toString('hex'), stamp, walHead?.toString('hex') ?? '-'].join(':');
  }

  /**
   * The main file's size and times, or undefined while they may not tell the next write apart:
   * file times advance in clock ticks, and a write in the same tick as the one before leaves them
   * as they were. With `settle`, a file written less than 50 ms ago is given until then.
   */
  private mainStamp(settle = false): string | undefined {
    let stat = fs.fstatSync(this.fd!, { bigint: true });
    if (settle && fresh(stat)) {
      Atomics.wait(SLEEP, 0, 0, SETTLE_MS);
      stat = fs.fstatSync(this.fd!, { bigint: true });
    }
    return fresh(stat) ? undefined : `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  }

  /** Drops every page read. */
  private unfill(): void {
    this.cache?.clear();
    this.page1 = undefined;
    this.unchecked = 0;
  }

  /**
   * Reads every page of the snapshot now, in a few large sequential reads, so that `validate()`
   * right after covers a window of milliseconds and the queries then read nothing from disk. The
   * fallback when checkpoints keep racing queries that read pages over a longer time; only for a
   * database the page cache holds whole (false otherwise, and nothing is read).
   */
  readAll(): boolean {
    if (!this.cache || this.pages > this.cache.capacity) return false;
    this.page1 = undefined;
    const block = Buffer.allocUnsafe(Math.min(BLOCK, this.pages * this.pageSize));
    const perBlock = block.length / this.pageSize;
    // The page holding byte 2^30 holds no data, and Windows locks it: not read.
    const lockPage = Math.floor(LOCK_BYTE / this.pageSize) + 1;
    for (let first = 1; first <= this.pages; first += perBlock) {
      const count = Math.min(perBlock, this.pages - first + 1);
      const spans = lockPage >= first && lockPage < first + count ? [[first, lockPage - first], [lockPage + 1, first + count - lockPage - 1]] : [[first, count]];
      for (const [from, n] of spans) {
        if (n <= 0) continue;
        this.readMain((from - 1) * this.pageSize, block, n * this.pageSize);
        for (let i = 1; i <= n; i++) {
          const page = from + i - 1;
          if (page === 1) continue;
          const slot = this.cache.put(page);
          if (!this.fromLog(page, slot)) slot.set(block.subarray((i - 1) * this.pageSize, i * this.pageSize));
        }
      }
    }
    return true;
  }

  /**
   * After reading: true when no checkpoint can have copied frames newer than our snapshot into the
   * main file since `sync()`. When false, every page read is dropped and the caller must read again
   * (the log's index stays valid while its generation is unchanged).
   */
  validate(): boolean {
    // Nothing read from the main file since the last check: what is cached was valid then, and is now.
    if (this.unchecked === 0) return true;
    let ok: boolean;
    try {
      ok = this.log
        ? this.logUnchanged(this.log)
        : !journalInUse(this.dbPath) && this.mainState !== undefined && this.quietState(readFrom(this.walPath, 0, WAL_HEADER)) === this.mainState;
    } catch {
      ok = false; // e.g. a byte another process locks (Windows): be safe, read again
    }
    if (!ok) {
      this.unfill();
      this.bumpVersion();
      this.generation++;
    }
    this.unchecked = 0;
    return ok;
  }

  /** With a log: no checkpoint copied frames newer than ours into the main file since `sync()`. */
  private logUnchanged({ header, frames }: LogIndex): boolean {
    if (!same(readFrom(this.walPath, 0, WAL_HEADER), header.raw)) return false;
    // Bytes 120-127 are the locks, which Windows enforces: read around them.
    const shm = this.readShm ? readFrom(`${this.dbPath}-shm`, 0, 120) : undefined;
    const rest = shm && (readFrom(`${this.dbPath}-shm`, 128, 8) ?? Buffer.alloc(0));
    const progress = shm && parseCheckpointProgress(Buffer.concat([shm, Buffer.alloc(8), rest!]), LITTLE_ENDIAN);
    // No -shm (the last connection closing, or a writer in exclusive locking mode), one not to be
    // opened here, or one whose header SQLite itself would not trust (garbage, stale, or torn by an
    // update under way): only an untouched main file shows that nothing was copied into it.
    if (!progress) return this.syncStamp !== undefined && this.mainStamp() === this.syncStamp;
    const ours = progress.salt1 === header.salt1 && progress.salt2 === header.salt2;
    // The -shm speaks of our log once a commit in it was published; until then (a first
    // transaction still open in a new log) nothing of ours can have been copied. Other salts
    // there after a commit of ours, or the next salt1 (SQLite adds one on restart), mean the log
    // was restarted, its header not yet rewritten: every frame, newer ones too, was copied.
    if (ours) return progress.backfillAttempted <= frames;
    return frames === 0 && progress.salt1 !== (header.salt1 + 1) >>> 0;
  }

  /** Main-file bytes read from disk since the last call (for measurements). */
  takeBytesRead(): number {
    const n = this.bytesRead;
    this.bytesRead = 0;
    return n;
  }

  /** Bytes `[start, end)` of the snapshot's file (a view: used at once, never kept). */
  read(start: number, end: number): Uint8Array {
    const first = Math.floor(start / this.pageSize) + 1;
    const last = Math.floor((end - 1) / this.pageSize) + 1;
    const base = (first - 1) * this.pageSize;
    // SQLite reads one page at a time: a view of it. Anything wider is put together.
    if (first === last) return this.page(first).subarray(start - base, end - base);
    const out = new Uint8Array(end - start);
    for (let n = first; n <= last; n++) {
      const at = (n - 1) * this.pageSize;
      const from = Math.max(start, at);
      const to = Math.min(end, at + this.pageSize);
      out.set(this.page(n).subarray(from - at, to - at), from - start);
    }
    return out;
  }

  /** Page `n` of the snapshot: zeros past the end, else the log's copy when it has one, else the main file's. */
  private page(n: number): Uint8Array {
    this.recording?.add(n);
    if (n > this.pages) return this.zeros;
    if (n === 1) return this.firstPage();
    const cached = this.cache!.get(n);
    if (cached) return cached;
    const into = this.cache!.put(n);
    this.readPage(n, into);
    return into;
  }

  /** Reads page `n` of the snapshot into `into`: from the log when it holds the page, else from the main file. */
  private readPage(n: number, into: Uint8Array): void {
    if (!this.fromLog(n, into)) this.readMain((n - 1) * this.pageSize, into);
  }

  /**
   * Reads page `n` from its frame in the log into `into`; false when the log has no frame for it,
   * or no longer holds what was indexed there. Then the log was restarted under us, and the main
   * file holds the page (see the class comment); without a guard, `validate()` sees the new log
   * header and the read is done again.
   */
  private fromLog(n: number, into: Uint8Array): boolean {
    if (!this.log || this.logOverwritten || this.log.frame(n) === 0) return false;
    if (this.log.read(this.logFd!, n, into)) return true;
    this.logOverwritten = true;
    return false;
  }

  /** Page 1, kept apart from the cache, as sql.js must see it (see `patchPage1`). */
  private firstPage(): Buffer {
    if (!this.page1) {
      const page = Buffer.alloc(this.pageSize);
      this.readPage(1, page);
      this.page1Key ??= queryRelevant(page);
      this.patchPage1(page);
      this.page1 = page;
    }
    return this.page1;
  }

  /** Identifies the data as of now, for `unchangedSince()`. */
  get mark(): number {
    return this.seq;
  }

  /** True when none of `pages` changed since `mark` (and nothing was read afresh since). */
  unchangedSince(mark: number, pages: Iterable<number>): boolean {
    if (this.fullAt > mark) return false;
    for (const n of pages) if ((this.changedAt[n] ?? this.seq) > mark) return false;
    return true;
  }

  /**
   * Runs `read` with sql.js's page cache emptied first, so that every page it depends on is asked for
   * here: if none of them changes, `read` would give the same answer again.
   */
  record<T>(read: () => T): { value: T; pages: number[] } {
    this.bumpVersion();
    this.recording = new Set();
    try {
      return { value: read(), pages: [...this.recording] };
    } finally {
      this.recording = undefined;
    }
  }

  /** Reads `length` bytes of the main file at `at` into `into`; zeros past the end of the file. */
  private readMain(at: number, into: Uint8Array, length = into.length): void {
    const n = readInto(this.fd!, into, 0, length, at);
    // Past the end of the main file (pages only the log has written, then checkpointed): zeros.
    if (n < length) into.fill(0, n, length);
    this.bytesRead += n;
    this.unchecked++;
  }

  /**
   * Page 1 as sql.js must see it: rollback-journal mode (bytes 18-19), and a change counter (24-27,
   * mirrored in 92-95 so the in-header size at 28-31 is trusted) that changes with every snapshot,
   * which makes SQLite drop its page cache when the data moved on.
   */
  private patchPage1(header: Buffer): void {
    header[18] = 1;
    header[19] = 1;
    header.writeUInt32BE(this.version, 24);
    header.writeUInt32BE(this.pages, 28);
    header.writeUInt32BE(this.version, 92);
  }

  /**
   * What sql.js's in-memory file system is given as the file's contents: it reads through
   * `subarray`, and keeps what `slice` returns when the database is created (sql.js copies
   * `data.slice()`), so returning itself keeps every read coming here.
   */
  contents(): { length: number; subarray(start: number, end: number): Uint8Array; slice(): unknown } {
    const length = this.length;
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

/**
 * Written in the last 50 ms, so that a write in the same clock tick could leave the times as they
 * are. A time ahead of our clock (skew on a network or bind mount, a restored backup) cannot be
 * waited out, so it is taken as it is.
 */
function fresh(stat: fs.BigIntStats): boolean {
  const age = Number(BigInt(Date.now()) * 1_000_000n - stat.mtimeNs) / 1e6;
  return age >= 0 && age < SETTLE_MS;
}
