import type { Row } from '../model/runRow';
import type { Statement } from '../runSql';

/**
 * A read written once for both engines: a generator that yields each statement it needs and is
 * given back its rows. SQLite runs it synchronously on a snapshot (`runSync`), PostgreSQL one
 * statement at a time in a transaction (`runAsync`). A plan may use another with `yield*`.
 */
export type Plan<T> = Generator<Statement, T, Row[]>;

export function runSync<T>(plan: Plan<T>, all: (statement: Statement) => Row[]): T {
  let step = plan.next();
  while (!step.done) step = plan.next(all(step.value));
  return step.value;
}

export async function runAsync<T>(plan: Plan<T>, all: (statement: Statement) => Promise<Row[]>): Promise<T> {
  let step = plan.next();
  while (!step.done) step = plan.next(await all(step.value));
  return step.value;
}
