import type { Database } from 'sql.js';
import type { Params } from '../predicates';

export type SqlValue = number | string | Uint8Array | null;
export type Row = Record<string, SqlValue>;

/** Runs one read-only statement with named parameters (bare names) and returns its rows. */
export interface Queryable {
  all(sql: string, params?: Params): Row[];
}

/** A sql.js database as a `Queryable`; sql.js wants the `:` prefix on parameter names. */
export function sqlJsQueryable(db: Database): Queryable {
  return {
    all(sql, params = {}) {
      const stmt = db.prepare(sql);
      try {
        const bound: Record<string, SqlValue> = {};
        for (const [key, value] of Object.entries(params)) bound[`:${key}`] = value;
        stmt.bind(bound);
        const rows: Row[] = [];
        while (stmt.step()) rows.push(stmt.getAsObject() as Row);
        return rows;
      } finally {
        stmt.free();
      }
    },
  };
}
