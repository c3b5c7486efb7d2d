import type { OverviewRequest } from '../model/overview';
import type { ReaderCall, ReaderCalls, StreamCall, StreamCalls } from '../model/readCalls';
import type { SnapshotOptions } from './snapshot/snapshotDatabase';
import { fingerprintOf, plannedRead } from '../reads/plannedRead';
import { STREAMS } from '../reads/runReads';
import type { Plan } from '../reads/plan';
import type { RunSql } from '../runSql';
import { type OverviewCache, readOverview } from './overview';
import { type ReadResult, SnapshotDatabase } from './snapshot/snapshotDatabase';

/**
 * The reads of `ReaderCalls` on one open snapshot, kept between reads so that each takes in only
 * what changed (and the overview reuses its older parts). The reader thread holds one; a one-shot
 * caller (the CLI) uses one in its own thread.
 */
export class SnapshotReads {
  private open: SnapshotDatabase | undefined;
  /** The file and options `open` was opened with. */
  private openWith = '';
  /** The older runs' part of the last overview, reused while it holds (see `readOverview`). */
  private overviewCache: OverviewCache | undefined;

  private async snapshot(dbPath: string, options: SnapshotOptions): Promise<SnapshotDatabase> {
    const key = JSON.stringify([dbPath, options]);
    if (!this.open || this.openWith !== key) {
      this.close();
      this.open = await SnapshotDatabase.open(dbPath, options);
      this.openWith = key;
    }
    return this.open;
  }

  async read<M extends ReaderCall>(dbPath: string, options: SnapshotOptions, call: M, arg: ReaderCalls[M][0]): Promise<ReadResult<ReaderCalls[M][1]>> {
    const open = await this.snapshot(dbPath, options);
    if (call === 'overview') {
      // Kept only once the read is known consistent: `read` returns nothing else.
      const read = await open.read((reader, _db, pages) => readOverview(reader, arg as OverviewRequest, pages, this.overviewCache));
      this.overviewCache = read.value.cache;
      return { ...read, value: read.value.overview as ReaderCalls[M][1] };
    }
    const planned = plannedRead(call, arg);
    const read = await open.read((reader) => reader.run(planned.plan(reader.sql)));
    if (!planned.finish) return read as ReadResult<ReaderCalls[M][1]>;
    // What it reads besides the database changes its answer too: the fingerprint is the answer's own.
    const value = await planned.finish(read.value);
    return { ...read, value, fingerprint: fingerprintOf(value) };
  }

  /**
   * A streamed read (see `RunsReader.stream`): under a guard its parts go to `each` as they are
   * read; without one a read may be done again, so they are kept until it is known consistent.
   */
  async stream<M extends StreamCall>(dbPath: string, options: SnapshotOptions, call: M, arg: StreamCalls[M][0], each: (part: StreamCalls[M][1]) => void): Promise<StreamCalls[M][2]> {
    const open = await this.snapshot(dbPath, options);
    const plan = STREAMS[call] as (sql: RunSql, a: StreamCalls[M][0], e: typeof each) => Plan<StreamCalls[M][2]>;
    let kept: StreamCalls[M][1][] = [];
    const read = await open.read((reader, _db, _pages, guarded) => {
      kept = [];
      return reader.run(plan(reader.sql, arg, guarded ? each : (part) => kept.push(part)));
    });
    kept.forEach(each);
    return read.value;
  }

  close(): void {
    this.open?.close();
    this.open = undefined;
    this.openWith = '';
    this.overviewCache = undefined;
  }
}
