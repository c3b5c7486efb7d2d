import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WorkflowRunsError } from './errors';
import type { ReaderCall, ReaderCalls } from './readerCalls';
import type { ReaderReply, ReaderRequest } from './readerWorker';
import type { ReadResult } from './snapshotDatabase';

/**
 * Reads the database on a worker thread (`readerWorker.js`, beside this file). The thread starts on
 * the first read and keeps the database open, so later reads only take in what changed.
 */
export class ReaderClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(reply: ReaderReply): void; reject(err: Error): void }>();

  constructor(private readonly script = path.join(__dirname, 'readerWorker.js')) {}

  async read<M extends ReaderCall>(dbPath: string, call: M, arg: ReaderCalls[M][0]): Promise<ReadResult<ReaderCalls[M][1]>> {
    const request: ReaderRequest = { id: this.nextId++, dbPath, call, arg };
    const worker = this.start();
    const reply = await new Promise<ReaderReply>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      // Keeps a command-line process alive while a read is under way, and only then.
      worker.ref();
      worker.postMessage(request);
    });
    if (!reply.ok) throw reply.kind ? new WorkflowRunsError(reply.kind, reply.message) : new Error(reply.message);
    return reply.result as ReadResult<ReaderCalls[M][1]>;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (reply: ReaderReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      waiting?.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The reader thread stopped (exit code ${code}).`)));
    this.worker = worker;
    return worker;
  }

  /** Ends the thread, giving back the memory it holds, unless a read is under way. */
  release(): void {
    if (this.pending.size === 0) this.dispose();
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    // Its exit must not fail reads already sent to a thread started after it.
    worker.removeAllListeners();
    void worker.terminate();
    for (const waiting of this.pending.values()) waiting.reject(new Error('The reader thread was stopped.'));
    this.pending.clear();
  }
}
