import type * as Pg from 'pg';

/**
 * node-postgres, loaded when a PostgreSQL database is first used: it takes about 60 ms to load,
 * which a SQLite user (and every one-shot CLI call on SQLite) would otherwise pay at start.
 */
export function pgModule(): typeof Pg {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('pg') as typeof Pg;
}
