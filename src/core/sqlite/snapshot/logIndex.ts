import * as fs from 'node:fs';
import { readInto } from './fileReads';
import { type Checksum, checksum, FRAME_HEADER, WAL_HEADER, type WalHeader } from './wal';

/** The log is scanned in reads of whole frames, about this many bytes each. */
const SCAN_BYTES = 8 * 1024 * 1024;

/**
 * The committed frames of one generation of the write-ahead log (one header), indexed without their
 * pages: for each database page the frame that holds its newest committed copy, and for each frame
 * the running checksum before it. A page is read from its frame when SQLite asks for it, and that
 * read is checked against the frame as it was indexed (page number, salts, checksum), so that a
 * frame written over since (the log restarted by another process) is never taken for it.
 *
 * Memory: 4 bytes per database page and 8 per frame, whatever the size of the pages or the log.
 */
export class LogIndex {
  /** Committed frames indexed (every frame up to the last commit frame found). */
  frames = 0;
  /** Database size in pages after the last commit indexed, or 0 before the first. */
  commitPages = 0;
  /** The running checksum after the last committed frame, where the next frame's continues. */
  private sum: Checksum;
  /** Page number -> the frame (1-based) holding its newest committed copy; 0: none. */
  private frameOf = new Uint32Array(0);
  /** The running checksum before frame f, at `2 * (f - 1)`. */
  private sums = new Uint32Array(0);
  private readonly frameSize: number;
  private readonly head = Buffer.alloc(FRAME_HEADER);

  constructor(readonly header: WalHeader) {
    this.sum = header.sum;
    this.frameSize = FRAME_HEADER + header.pageSize;
  }

  /** The frame holding page `n`'s newest committed copy, or 0 when the log has none. */
  frame(n: number): number {
    return this.frameOf[n] ?? 0;
  }

  /**
   * Indexes the frames written to the log (`fd`) after those already indexed, up to the last commit
   * frame: frames are read while their salts match the header and the running checksum verifies, as
   * SQLite's own recovery does, so a frame not yet written whole or left from an older generation
   * ends the scan, and a transaction still being written by another process does not show. The
   * pages are read in large blocks and not kept. Returns the pages whose newest copy changed.
   */
  extend(fd: number): Set<number> {
    const { salt1, salt2, bigEndian } = this.header;
    const frameSize = this.frameSize;
    const changed = new Set<number>();
    /** Page -> frame, for the frames after the last commit frame found so far. */
    const pending = new Map<number, number>();
    const start = WAL_HEADER + this.frames * frameSize;
    const wanted = Math.max(frameSize, fs.fstatSync(fd).size - start);
    const block = Buffer.allocUnsafe(Math.min(Math.max(1, Math.floor(SCAN_BYTES / frameSize)), Math.ceil(wanted / frameSize)) * frameSize);
    let sum = this.sum;
    for (let frame = this.frames, more = true; more; ) {
      const count = Math.floor(readInto(fd, block, 0, block.length, WAL_HEADER + frame * frameSize) / frameSize);
      more = count * frameSize === block.length;
      for (let i = 0; i < count; i++) {
        const at = i * frameSize;
        if (block.readUInt32BE(at + 8) !== salt1 || block.readUInt32BE(at + 12) !== salt2) {
          more = false;
          break;
        }
        const before = sum;
        sum = checksum(block, at, at + 8, bigEndian, sum);
        sum = checksum(block, at + FRAME_HEADER, at + frameSize, bigEndian, sum);
        if (sum[0] !== block.readUInt32BE(at + 16) || sum[1] !== block.readUInt32BE(at + 20)) {
          more = false;
          break;
        }
        frame++;
        this.keepSum(frame, before);
        pending.set(block.readUInt32BE(at), frame);
        const sizeAfterCommit = block.readUInt32BE(at + 4);
        if (sizeAfterCommit !== 0) {
          for (const [page, holder] of pending) {
            this.keepFrame(page, holder);
            changed.add(page);
          }
          pending.clear();
          this.commitPages = sizeAfterCommit;
          this.frames = frame;
          this.sum = sum;
        }
      }
    }
    return changed;
  }

  /**
   * Reads page `n`'s newest committed copy from the log (`fd`) into `into`. False when the log no
   * longer holds it there: the frame's page number, salts or checksum differ from what was indexed
   * (the log was restarted or truncated since, and written over), and `into` holds no page then.
   */
  read(fd: number, n: number, into: Uint8Array): boolean {
    const frame = this.frame(n);
    if (frame === 0) return false;
    const { head } = this;
    const got = fs.readvSync(fd, [head, into], WAL_HEADER + (frame - 1) * this.frameSize);
    if (got < this.frameSize || head.readUInt32BE(0) !== n || head.readUInt32BE(8) !== this.header.salt1 || head.readUInt32BE(12) !== this.header.salt2) {
      return false;
    }
    const before: Checksum = [this.sums[2 * (frame - 1)], this.sums[2 * (frame - 1) + 1]];
    const sum = checksum(into, 0, into.length, this.header.bigEndian, checksum(head, 0, 8, this.header.bigEndian, before));
    return sum[0] === head.readUInt32BE(16) && sum[1] === head.readUInt32BE(20);
  }

  private keepFrame(page: number, frame: number): void {
    if (page >= this.frameOf.length) this.frameOf = grown(this.frameOf, page + 1);
    this.frameOf[page] = frame;
  }

  private keepSum(frame: number, sum: Checksum): void {
    if (2 * frame > this.sums.length) this.sums = grown(this.sums, 2 * frame);
    this.sums[2 * (frame - 1)] = sum[0];
    this.sums[2 * (frame - 1) + 1] = sum[1];
  }
}

/** A copy of `array` with room for at least `length` entries, growing geometrically. */
function grown(array: Uint32Array<ArrayBuffer>, length: number): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array(Math.max(length, array.length * 2, 1024));
  next.set(array);
  return next;
}
