import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WorkflowRunsError } from '../model/errors';
import type { ReaderCall, ReaderCalls } from '../model/readCalls';
import type { SnapshotOptions } from './snapshot/snapshotDatabase';
import type { ReaderReply, ReaderRequest } from './readerWorker';
import type { ReadResult } from './snapshot/snapshotDatabase';

interface Waiting {
  resolve(reply: ReaderReply): void;
  reject(err: Error): void;
}

/** One reader thread, the reads sent to it, and the watch on its answers. */
interface Thread {
  worker: Worker;
  pending: Map<number, Waiting>;
  watchdog?: NodeJS.Timeout;
}

/** How long a thread with reads under way may go without answering one before it is replaced. */
export const READER_TIMEOUT_MS = 60_000;

/**
 * Reads the database on a worker thread (`readerWorker.js`, beside this file). The thread starts on
 * the first read and keeps the database open, so later reads only take in what changed. A thread
 * that dies fails the reads sent to it; the next read starts another. So does a thread that answers
 * nothing for `timeoutMs` while reads wait on it: every read settles.
 */
export class ReaderClient {
  private thread: Thread | undefined;
  private nextId = 1;
  private disposed = false;

  constructor(
    private readonly script = path.join(__dirname, 'readerWorker.js'),
    private readonly timeoutMs = READER_TIMEOUT_MS,
  ) {}

  async read<M extends ReaderCall>(dbPath: string, snapshot: SnapshotOptions, call: M, arg: ReaderCalls[M][0]): Promise<ReadResult<ReaderCalls[M][1]>> {
    if (this.disposed) throw new Error('The reader was disposed.');
    const request: ReaderRequest = { id: this.nextId++, dbPath, snapshot, call, arg };
    const thread = this.start();
    const reply = await new Promise<ReaderReply>((resolve, reject) => {
      thread.pending.set(request.id, { resolve, reject });
      // Keeps a command-line process alive while a read is under way, and only then.
      thread.worker.ref();
      thread.worker.postMessage(request);
      // A new read does not restart the wait: only an answer shows the thread is alive.
      if (!thread.watchdog) this.watch(thread);
    });
    if (!reply.ok) throw reply.kind ? new WorkflowRunsError(reply.kind, reply.message) : new Error(reply.message);
    return reply.result as ReadResult<ReaderCalls[M][1]>;
  }

  private start(): Thread {
    if (this.thread) return this.thread;
    const thread: Thread = { worker: new Worker(this.script), pending: new Map() };
    thread.worker.on('message', (reply: ReaderReply) => {
      const waiting = thread.pending.get(reply.id);
      thread.pending.delete(reply.id);
      if (thread.pending.size === 0) thread.worker.unref();
      this.watch(thread);
      waiting?.resolve(reply);
    });
    const fail = (err: Error) => this.stop(thread, err);
    thread.worker.on('error', fail);
    thread.worker.on('exit', (code) => fail(new Error(`The reader thread stopped (exit code ${code}).`)));
    this.thread = thread;
    return thread;
  }

  /** (Re)starts the wait for the thread's next answer, while reads wait on it; it answers in order, one at a time. */
  private watch(thread: Thread): void {
    clearTimeout(thread.watchdog);
    thread.watchdog = undefined;
    if (thread.pending.size === 0) return;
    thread.watchdog = setTimeout(() => {
      this.stop(thread, new Error(`The reader thread did not answer within ${Math.round(this.timeoutMs / 1000)} s; it was replaced. Try again.`));
    }, this.timeoutMs);
    thread.watchdog.unref();
  }

  /** Ends a thread and fails the reads it had not answered. */
  private stop(thread: Thread, reason: Error): void {
    clearTimeout(thread.watchdog);
    if (this.thread === thread) this.thread = undefined;
    thread.worker.removeAllListeners();
    void thread.worker.terminate();
    for (const waiting of thread.pending.values()) waiting.reject(reason);
    thread.pending.clear();
  }

  /** Ends the thread, giving back the memory it holds, unless a read is under way; a later read starts another. */
  release(): void {
    if (this.thread && this.thread.pending.size === 0) this.stop(this.thread, new Error('The reader thread was released.'));
  }

  dispose(): void {
    this.disposed = true;
    if (this.thread) this.stop(this.thread, new Error('The reader was disposed.'));
  }
}
