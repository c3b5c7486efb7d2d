import type pg from 'pg';
import type { Row } from '../model/runRow';
import type { Params } from '../predicates';

/** A query function on one client: named parameters in, rows out. */
export type Query = (sql: string, params?: Params) => Promise<Row[]>;

/** Queries on `client`, with named parameters made positional (`toPositional`). */
export function queryOn(client: pg.ClientBase): Query {
  return async (sql, params = {}) => {
    const { text, values } = toPositional(sql, params);
    return (await client.query<Row>(text, values)).rows;
  };
}

/**
 * PostgreSQL's numbered placeholders (`$1`), made from the named ones (`:name`) every query and
 * predicate is written with, in this one place. A name used twice is one parameter; `::type` casts,
 * string literals and quoted names are left alone. Every name must have a value: a missing one is
 * an error here, never a placeholder sent unbound.
 */
export function toPositional(sql: string, params: Params): { text: string; values: (string | number | null)[] } {
  const order = new Map<string, number>();
  const values: (string | number | null)[] = [];
  let text = '';
  for (let i = 0; i < sql.length; ) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      // A literal or a quoted name, with doubled quotes inside.
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      text += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === ':' && sql[i + 1] === ':') {
      text += '::';
      i += 2;
      continue;
    }
    const name = c === ':' ? /^[A-Za-z_]\w*/.exec(sql.slice(i + 1))?.[0] : undefined;
    if (!name) {
      text += c;
      i++;
      continue;
    }
    if (!(name in params)) throw new Error(`the query names :${name}, which has no value`);
    if (!order.has(name)) {
      values.push(params[name]);
      order.set(name, values.length);
    }
    text += `$${order.get(name)}`;
    i += name.length + 1;
  }
  return { text, values };
}
