/**
 * A racer process for the concurrency tests: it reads `{"op","db","id"}` lines on stdin, performs
 * the resume or cancel through the writer named on its command line (a SQLite writer engine, with
 * `db` a file; or `postgres`, with `db` a URL), and answers each with the result as one JSON line.
 */
import * as readline from 'node:readline';
import type { RunsWriter } from '../../src/core/database';
import { messageOf } from '../../src/core/model/errors';
import { openWriter } from '../../src/core/openDatabase';
import type { EngineName } from '../../src/core/sqlite/writers/writer';

async function main(): Promise<void> {
  const engine = process.argv[2] as EngineName | 'postgres';
  const writers = new Map<string, RunsWriter>();
  const writerFor = async (db: string) => {
    if (!writers.has(db)) {
      writers.set(db, await openWriter(engine === 'postgres' ? { engine, url: db, source: 'test' } : { engine: 'sqlite', dbPath: db, source: 'test' }, { engine: engine === 'postgres' ? undefined : engine }));
    }
    return writers.get(db)!;
  };
  // The first write starts the engine; the answer says it is ready before any race.
  process.stdout.write(JSON.stringify({ ready: engine }) + '\n');
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const job = JSON.parse(line) as { op: 'resume' | 'cancel'; db: string; id: string };
    const started = Date.now();
    try {
      const result = await (await writerFor(job.db))[job.op](job.id);
      process.stdout.write(JSON.stringify({ ...result, ms: Date.now() - started }) + '\n');
    } catch (err) {
      process.stdout.write(JSON.stringify({ outcome: 'error', message: messageOf(err) }) + '\n');
    }
  }
  for (const writer of writers.values()) writer.dispose();
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`racer: ${messageOf(err)}\n`);
  process.exit(1);
});
