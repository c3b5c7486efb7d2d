import type { OverviewRequest } from '../model/overview';
import type { ReaderCall, ReaderCalls } from '../model/readCalls';
import type { SnapshotOptions } from './snapshot/snapshotDatabase';
import { fingerprintOf, plannedRead } from '../reads/plannedRead';
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

  async read<M extends ReaderCall>(dbPath: string, options: SnapshotOptions, call: M, arg: ReaderCalls[M][0]): Promise<ReadResult<ReaderCalls[M][1]>> {
    const key = JSON.stringify([dbPath, options]);
    if (!this.open || this.openWith !== key) {
      this.close();
      this.open = await SnapshotDatabase.open(dbPath, options);
      this.openWith = key;
    }
    if (call === 'overview') {
      // Kept only once the read is known consistent: `read` returns nothing else.
      const read = await this.open.read((reader, _db, pages) => readOverview(reader, arg as OverviewRequest, pages, this.overviewCache));
      this.overviewCache = read.value.cache;
      return { ...read, value: read.value.overview as ReaderCalls[M][1] };
    }
    const planned = plannedRead(call, arg);
    const read = await this.open.read((reader) => reader.run(planned.plan(reader.sql)));
    if (!planned.finish) return read as ReadResult<ReaderCalls[M][1]>;
    // What it reads besides the database changes its answer too: the fingerprint is the answer's own.
    const value = await planned.finish(read.value);
    return { ...read, value, fingerprint: fingerprintOf(value) };
  }

  close(): void {
    this.open?.close();
    this.open = undefined;
    this.openWith = '';
    this.overviewCache = undefined;
  }
}
