import type pg from 'pg';
import { type Schema, schemaOf, type Table, TABLES } from '../model/schema';
import type { Query } from './namedParams';

/**
 * Our statements see pg_catalog only. Whoever may create objects in a schema on the role's
 * search_path (`public`, which any role could write before PostgreSQL 15) could plant a function
 * or an operator that fits our arguments' types more exactly than pg_catalog's own (a
 * `left(character varying, integer)`, an `=` on `character varying`), and it would run as our
 * role. So each transaction first reads which schemas the role's search_path names (a qualified
 * call, before anything else), then pins it to `pg_catalog, pg_temp` with `SET LOCAL` (for the
 * transaction, whether the connection is ours alone or a pooler's), in the same round trip as its
 * BEGIN; Archon's tables are then named with their schema (`detectSchema`).
 */
const PIN = 'SELECT pg_catalog.current_schemas(false)::pg_catalog.text[] AS schemas; SET LOCAL search_path = pg_catalog, pg_temp';

/**
 * Sends `begin` (a BEGIN, and any SET LOCAL after it) with the pin: returns the schemas the role's
 * own search_path names, in order (where Archon, connecting as it, finds its tables).
 */
export async function beginPinned(client: pg.ClientBase, begin: string): Promise<string[]> {
  // Several statements in one text come back as one result each.
  const results = (await client.query(`${begin}; ${PIN}`)) as unknown as pg.QueryResult[];
  return results.find((r) => r.command === 'SELECT')!.rows[0].schemas as string[];
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Which columns each Archon table has, and where it is: Archon names its tables unqualified, so
 * each is the one in the first schema of `schemas` (`beginPinned`) that has a table of that name.
 */
export async function detectSchema(query: Query, schemas: string[], where: string): Promise<Schema> {
  const rows = await query(
    'SELECT table_schema::text AS table_schema, table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns' +
      ' WHERE table_schema::text IN (SELECT jsonb_array_elements_text(:schemas::jsonb)) AND table_name::text IN (:runs, :events, :codebases, :conversations)',
    { schemas: JSON.stringify(schemas), ...TABLES },
  );
  const found = new Map<string, { schema: string; columns: Set<string> }>();
  for (const row of rows) {
    const [schema, table] = [String(row.table_schema), String(row.table_name)];
    const seen = found.get(table);
    if (seen && schemas.indexOf(seen.schema) < schemas.indexOf(schema)) continue;
    if (seen?.schema !== schema) found.set(table, { schema, columns: new Set() });
    found.get(table)!.columns.add(String(row.column_name));
  }
  const names = { ...TABLES };
  for (const key of Object.keys(TABLES) as Table[]) {
    const schema = found.get(TABLES[key])?.schema;
    if (schema !== undefined) names[key] = `${quoteIdent(schema)}.${quoteIdent(TABLES[key])}`;
  }
  return schemaOf((table) => found.get(table)?.columns, where, names);
}
