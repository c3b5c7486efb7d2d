/**
 * A racer process for the concurrency tests: it reads `{"op","db","id"}` lines on stdin, performs
 * the resume or cancel through the writer engine named on its command line, and answers each with
 * the operation's result as one JSON line.
 */
import * as readline from 'node:readline';
import { cancelRun, resumeRun } from '../../src/core/sqlite/operations';
import { messageOf } from '../../src/core/model/errors';
import { selectWriter } from '../../src/core/sqlite/writers/selectWriter';
import type { EngineName } from '../../src/core/sqlite/writers/writer';

async function main(): Promise<void> {
  const writer = await selectWriter({ engine: process.argv[2] as EngineName });
  process.stdout.write(JSON.stringify({ ready: writer.description }) + '\n');
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const job = JSON.parse(line) as { op: 'resume' | 'cancel'; db: string; id: string };
    const started = Date.now();
    try {
      const result = await (job.op === 'resume' ? resumeRun : cancelRun)(writer, job.db, job.id);
      process.stdout.write(JSON.stringify({ ...result, ms: Date.now() - started }) + '\n');
    } catch (err) {
      process.stdout.write(JSON.stringify({ outcome: 'error', message: messageOf(err) }) + '\n');
    }
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`racer: ${messageOf(err)}\n`);
  process.exit(1);
});
