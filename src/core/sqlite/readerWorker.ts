// The reader thread: keeps the database open in sql.js and answers the extension's reads, so that
// neither reading files nor running queries ever blocks the extension host's thread.
import { parentPort } from 'node:worker_threads';
import { messageOf, WorkflowRunsError } from '../model/errors';
import type { OverviewRequest } from '../model/overview';
import { type OverviewCache, readOverview } from './overview';
import type { ReaderCall } from '../model/readCalls';
import { READER_CALLS } from './readerCalls';
import type { RunReader } from './runReader';
import type { GuardOptions } from './readGuards/selectReadGuard';
import { SnapshotDatabase } from './snapshot/snapshotDatabase';

export interface ReaderRequest {
  id: number;
  dbPath: string;
  /** How reads are guarded (see `readGuards/`). */
  guard: GuardOptions;
  call: ReaderCall;
  arg: unknown;
}

export type ReaderReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; kind?: WorkflowRunsError['kind']; message: string };

let open: SnapshotDatabase | undefined;
/** The guard options `open` was opened with. */
let openWith = '';
/** The older runs' part of the last overview, reused while it holds (see `readOverview`). */
let overviewCache: OverviewCache | undefined;
let queue = Promise.resolve();

async function answer(request: ReaderRequest): Promise<ReaderReply> {
  try {
    const key = JSON.stringify([request.dbPath, request.guard]);
    if (!open || openWith !== key) {
      open?.close();
      open = undefined;
      overviewCache = undefined;
      open = await SnapshotDatabase.open(request.dbPath, request.guard);
      openWith = key;
    }
    if (request.call === 'overview') {
      // Kept only once the read is known consistent: `read` returns nothing else.
      const read = await open.read((reader, _db, pages) => readOverview(reader, request.arg as OverviewRequest, pages, overviewCache));
      overviewCache = read.value.cache;
      return { id: request.id, ok: true, result: { ...read, value: read.value.overview } };
    }
    const call = READER_CALLS[request.call] as (reader: RunReader, arg: unknown) => unknown;
    return { id: request.id, ok: true, result: await open.read((reader) => call(reader, request.arg)) };
  } catch (err) {
    const kind = err instanceof WorkflowRunsError ? err.kind : undefined;
    return { id: request.id, ok: false, kind, message: messageOf(err) };
  }
}

// One request at a time, in order.
parentPort?.on('message', (request: ReaderRequest) => {
  queue = queue.then(async () => parentPort!.postMessage(await answer(request)));
});
