// The reader thread: keeps the database open in sql.js and answers the extension's reads, so that
// neither reading files nor running queries ever blocks the extension host's thread.
import { parentPort } from 'node:worker_threads';
import { messageOf, WorkflowRunsError } from '../model/errors';
import type { ReaderCall } from '../model/readCalls';
import type { SnapshotOptions } from './snapshot/snapshotDatabase';
import { SnapshotReads } from './snapshotReads';

export interface ReaderRequest {
  id: number;
  dbPath: string;
  /** How reads are guarded (see `readGuards/`), and how much memory pages may take. */
  snapshot: SnapshotOptions;
  call: ReaderCall;
  arg: unknown;
}

export type ReaderReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; kind?: WorkflowRunsError['kind']; message: string };

const reads = new SnapshotReads();
let queue = Promise.resolve();

async function answer(request: ReaderRequest): Promise<ReaderReply> {
  try {
    return { id: request.id, ok: true, result: await reads.read(request.dbPath, request.snapshot, request.call, request.arg as never) };
  } catch (err) {
    const kind = err instanceof WorkflowRunsError ? err.kind : undefined;
    return { id: request.id, ok: false, kind, message: messageOf(err) };
  }
}

/**
 * Sends a reply. An answer that cannot be copied to the other thread (structured clone fails on a
 * value nested thousands of levels deep) is replaced by an error, so that no read waits for ever.
 */
function send(reply: ReaderReply): void {
  try {
    parentPort!.postMessage(reply);
  } catch (err) {
    parentPort!.postMessage({ id: reply.id, ok: false, message: `The answer could not be sent from the reader thread (${messageOf(err)}).` } satisfies ReaderReply);
  }
}

// One request at a time, in order.
parentPort?.on('message', (request: ReaderRequest) => {
  queue = queue.then(async () => send(await answer(request)));
});
