import type { Row } from '../model/runRow';
import type { Statement } from '../runSql';

/**
 * A statement read a batch at a time: yielding the same `Cursor` again gives its next `size` rows
 * (an empty batch at its end). SQLite steps the statement, PostgreSQL fetches from a cursor: a
 * read of a million rows holds one batch of them.
 */
export interface Cursor {
  cursor: Statement;
  size: number;
}

export function cursor(statement: Statement, size: number): Cursor {
  return { cursor: statement, size };
}

/**
 * A read written once for both engines: a generator that yields each statement it needs (or a
 * cursor, for its next batch) and is given back its rows. SQLite runs it synchronously on a
 * snapshot (`runSync`), PostgreSQL one statement at a time in a transaction (`runAsync`). A plan
 * may use another with `yield*`.
 */
export type Plan<T> = Generator<Statement | Cursor, T, Row[]>;

/** An open cursor on an engine. */
export interface OpenCursor<R> {
  next(size: number): R;
  close(): void | Promise<void>;
}

/** How an engine runs a statement, and opens one to read a batch at a time. */
export interface Engine<R> {
  all(statement: Statement): R;
  open(statement: Statement): OpenCursor<R>;
}

export function runSync<T>(plan: Plan<T>, engine: Engine<Row[]>): T {
  const open = new Map<Cursor, OpenCursor<Row[]>>();
  try {
    let step = plan.next();
    while (!step.done) {
      const s = step.value;
      if ('cursor' in s) {
        if (!open.has(s)) open.set(s, engine.open(s.cursor));
        step = plan.next(open.get(s)!.next(s.size));
      } else step = plan.next(engine.all(s));
    }
    return step.value;
  } finally {
    for (const c of open.values()) void c.close();
  }
}

export async function runAsync<T>(plan: Plan<T>, engine: Engine<Promise<Row[]>>): Promise<T> {
  const open = new Map<Cursor, OpenCursor<Promise<Row[]>>>();
  try {
    let step = plan.next();
    while (!step.done) {
      const s = step.value;
      if ('cursor' in s) {
        if (!open.has(s)) open.set(s, engine.open(s.cursor));
        step = plan.next(await open.get(s)!.next(s.size));
      } else step = plan.next(await engine.all(s));
    }
    return step.value;
  } finally {
    for (const c of open.values()) await c.close();
  }
}
