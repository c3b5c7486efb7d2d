import type { ReadOutcome, RunsReader } from '../database';
import type { ReaderCall, ReaderCalls } from '../model/readCalls';
import type { SnapshotOptions } from './snapshot/snapshotDatabase';
import { ReaderClient } from './readerClient';
import type { ReadResult, ReadStats } from './snapshot/snapshotDatabase';
import { SnapshotReads } from './snapshotReads';

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
  const log = `${how}; ${stats.mode}, ${stats.walFrames} log frames, ${stats.bytesRead} main-file bytes`;
  if (stats.path === 'guarded') return { log };
  return { log, warning: `reading without a read guard: ${stats.guard}. Reads are checked and retried when a checkpoint races them (up to 2 s).` };
}
