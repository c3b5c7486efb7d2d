import type { Database, Statement } from 'sql.js';
import type { Params } from '../predicates';

export type SqlValue = number | string | Uint8Array | null;
export type Row = Record<string, SqlValue>;

/** A statement being read a batch at a time (see `reads/plan.ts`). */
export interface RowCursor {
  /** The next `count` rows; fewer, or none, at the end. */
  next(count: number): Row[];
  close(): void;
}

/** Runs read-only statements with named parameters (bare names): all rows at once, or a batch at a time. */
export interface Queryable {
  all(sql: string, params?: Params): Row[];
  open(sql: string, params?: Params): RowCursor;
}

/** A sql.js database as a `Queryable`; sql.js wants the `:` prefix on parameter names. */
export function sqlJsQueryable(db: Database): Queryable {
  const open = (sql: string, params: Params = {}): RowCursor => {
    const stmt = db.prepare(sql);
    let done = false;
    try {
      const bound: Record<string, SqlValue> = {};
      for (const [key, value] of Object.entries(params)) bound[`:${key}`] = value;
      stmt.bind(bound);
    } catch (err) {
      stmt.free();
      throw err;
    }
    return {
      next(count) {
        const rows: Row[] = [];
        while (!done && rows.length < count) {
          if (stmt.step()) rows.push(exactIntegers(stmt, stmt.getAsObject() as Row));
          else done = true;
        }
        return rows;
      },
      close: () => void stmt.free(),
    };
  };
  return {
    all(sql, params) {
      const rows = open(sql, params);
      try {
        return rows.next(Infinity);
      } finally {
        rows.close();
      }
    },
    open,
  };
}

/**
 * sql.js gives integers as JavaScript numbers, which keep only 53 bits. A row holding a larger
 * integer (an id, or any column: SQLite stores what it is given) is read again with its integers
 * exact, and those become their decimal text, every digit kept.
 */
function exactIntegers(stmt: Statement, row: Row): Row {
  if (!Object.values(row).some((v) => typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v))) return row;
  // sql.js 1.16 takes this option (its types do not know it yet): integer columns as BigInt.
  const getExact = stmt.getAsObject as (params: undefined, config: { useBigInt: true }) => Record<string, SqlValue | bigint>;
  const exact = getExact.call(stmt, undefined, { useBigInt: true });
  for (const [key, value] of Object.entries(exact)) {
    if (typeof value === 'bigint' && (value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER)) row[key] = value.toString();
  }
  return row;
}
