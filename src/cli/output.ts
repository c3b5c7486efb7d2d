import * as fs from 'node:fs';

/** A wait of `ms` without spinning, for a descriptor that is not ready yet. */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Standard output written synchronously: each write is done when it returns, so a command that
 * prints a million lines as it reads them holds none of them, and a slow reader (a pager) slows
 * the command instead of filling its memory. A reader that stops early (`list | head -1`) closes
 * the pipe: what is left is dropped, and the command's exit code stands. Any other failure (a full
 * disk) is said once on stderr, and makes the exit code 1.
 */
export class SyncOutput {
  private closed = false;
  /** Set when a write failed for a reason other than a closed pipe. */
  failed = false;

  constructor(private readonly fd: number) {}

  write(text: string): void {
    if (this.closed) return;
    const bytes = Buffer.from(text);
    for (let done = 0; done < bytes.length; ) {
      try {
        done += fs.writeSync(this.fd, bytes, done);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // A descriptor another process left non-blocking: wait until the reader takes some.
        if (code === 'EAGAIN') {
          sleep(1);
          continue;
        }
        this.closed = true;
        if (code !== 'EPIPE') {
          this.failed = true;
          process.stderr.write(`workflow-runs: cannot write the output (${code ?? (err as Error).message}).\n`);
        }
        return;
      }
    }
  }
}
