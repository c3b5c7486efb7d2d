import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { loadNodeSqlite } from '../../src/core/sqlite/writers/nodeSqliteWriter';
import type { EngineName } from '../../src/core/sqlite/writers/writer';

const RACER = path.join(__dirname, 'racer.js');

/** A Node that has node:sqlite: this one, or the one the test runner names in WR_NODE_SQLITE_BIN. */
export function nodeWithSqlite(): string | undefined {
  if (loadNodeSqlite()) return process.execPath;
  return process.env.WR_NODE_SQLITE_BIN || undefined;
}

export interface Answer {
  outcome: string;
  runId?: string;
  status?: string | null;
  message?: string;
}

/** A long-lived racer process holding one writer engine. */
export class Racer {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly waiting: ((answer: Answer & { ready?: string }) => void)[] = [];
  readonly ready: Promise<string>;

  constructor(readonly engine: EngineName | 'postgres', node: string) {
    this.child = spawn(node, [RACER, engine], { stdio: ['pipe', 'pipe', 'inherit'] });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(JSON.parse(line)));
    this.ready = new Promise((resolve) => this.waiting.push((a) => resolve(a.ready ?? 'not ready')));
  }

  send(op: 'resume' | 'cancel', db: string, id: string): Promise<Answer> {
    const answer = new Promise<Answer>((resolve) => this.waiting.push(resolve));
    this.child.stdin.write(JSON.stringify({ op, db, id }) + '\n');
    return answer;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.on('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}
