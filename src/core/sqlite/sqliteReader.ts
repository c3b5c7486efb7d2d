import type { ReadOutcome, RunsReader } from '../database';
import type { ReaderCall, ReaderCalls, StreamCall, StreamCalls } from '../model/readCalls';
import type { SnapshotOptions } from './snapshot/snapshotDatabase';
import { ReaderClient } from './readerClient';
import type { ReadResult, ReadStats } from './snapshot/snapshotDatabase';
import { SnapshotReads } from './snapshotReads';

/** A streamed read answered whole, in one part (the reader thread's way: the extension streams nothing). */
const WHOLE: { [M in StreamCall]: (reader: RunsReader, arg: StreamCalls[M][0], each: (part: StreamCalls[M][1]) => void) => Promise<StreamCalls[M][2]> } = {
  listRuns: async (reader, filter, each) => each((await reader.read('listRuns', filter)).value),
  history: async (reader, request, each) => {
    const found = (await reader.read('history', request)).value;
    if (!found) return false;
    const { events, ...head } = found;
    each({ head });
    each({ events });
    return true;
  },
};

/**
 * Reads of a SQLite file through sql.js snapshots: on a reader thread (the extension, whose host
 * thread must never block), or in the calling thread (the CLI, which has nothing else to do).
 */
export class SqliteReader implements RunsReader {
  private readonly thread: ReaderClient | undefined;
  private readonly inline: SnapshotReads | undefined;

  constructor(
    readonly dbPath: string,
    private readonly snapshot: SnapshotOptions,
    options: { thread: boolean; workerScript?: string },
  ) {
    if (options.thread) this.thread = new ReaderClient(options.workerScript);
    else this.inline = new SnapshotReads();
  }

  async read<M extends ReaderCall>(call: M, arg: ReaderCalls[M][0]): Promise<ReadOutcome<ReaderCalls[M][1]>> {
    const read: ReadResult<ReaderCalls[M][1]> = this.thread
      ? await this.thread.read(this.dbPath, this.snapshot, call, arg)
      : await this.inline!.read(this.dbPath, this.snapshot, call, arg);
    return { value: read.value, fingerprint: read.fingerprint, ...describe(read.stats) };
  }

  async stream<M extends StreamCall>(call: M, arg: StreamCalls[M][0], each: (part: StreamCalls[M][1]) => void): Promise<StreamCalls[M][2]> {
    if (this.inline) return this.inline.stream(this.dbPath, this.snapshot, call, arg, each);
    return (WHOLE[call] as (reader: RunsReader, a: StreamCalls[M][0], e: typeof each) => Promise<StreamCalls[M][2]>)(this, arg, each);
  }

  release(): void {
    this.thread?.release();
    this.inline?.close();
  }

  dispose(): void {
    this.thread?.dispose();
    this.inline?.close();
  }
}

/** A read's stats for the log: which path it took, and why a read went without a guard. */
function describe(stats: ReadStats): { log: string; warning?: string } {
  const how = stats.path === 'guarded' ? `guarded by ${stats.guard} for ${stats.heldMs!.toFixed(1)} ms` : `unguarded, ${stats.attempts} attempt(s)`;
  const restarted = stats.logOverwritten ? ' (the log was restarted under it: its pages read from the main file)' : '';
  const log = `${how}; ${stats.mode}, ${stats.walFrames} log frames, ${stats.bytesRead} main-file bytes${restarted}`;
  if (stats.path === 'guarded') return { log };
  return { log, warning: `reading without a read guard: ${stats.guard}. Reads are checked and retried when a checkpoint races them (up to 2 s).` };
}
