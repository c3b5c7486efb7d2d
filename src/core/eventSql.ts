import { DIALECTS, type DialectParts } from './dialect';
import type { RunKey } from './model/statusWatch';
import type { Schema } from './model/schema';
import type { Dialect } from './predicates';
import type { Statement } from './runSql';

/**
 * The statements both engines read a run's events with (see runSql.ts), in Archon's own order:
 * `created_at`, then the table-wide `event_order` counter, then the id. As with runs, an order is
 * sorted on keys and the rows fetched by key (`byKeys`): a run may have a million events. Each
 * is undefined where the database has no events table.
 */
export class EventSql {
  private readonly parts: DialectParts;

  constructor(
    dialect: Dialect,
    private readonly schema: Schema,
  ) {
    this.parts = DIALECTS[dialect];
  }

  private get usable(): boolean {
    return !!this.schema.events?.has('workflow_run_id');
  }

  private col(name: string): string {
    return this.schema.events!.has(name) ? `e.${name}` : 'NULL';
  }

  /** Every column `eventFromRow` reads. */
  private get columns(): string {
    const col = (name: string) => this.col(name);
    return (
      `${this.parts.text('e.id')} AS id, ${col('event_order')} AS event_order, ${col('event_type')} AS event_type, ${col('step_index')} AS step_index,` +
      ` ${col('step_name')} AS step_name, ${col('data')} AS data, ${col('created_at')} AS created_at`
    );
  }

  private order(direction: 'ASC' | 'DESC'): string {
    const keys = [this.parts.sortableTime(this.col('created_at')), ...(this.schema.events!.has('event_order') ? ['coalesce(e.event_order, 0)'] : []), this.parts.text('e.id')];
    return keys.map((key) => `${key} ${direction}`).join(', ');
  }

  private get table(): string {
    return `${this.schema.names.events} e`;
  }

  /** The keys of a run's newest `limit` events, newest first. */
  newestKeys(runId: string, limit: number): Statement | undefined {
    if (!this.usable) return undefined;
    return {
      sql: `SELECT ${this.parts.text(this.parts.key('e'))} AS k FROM ${this.table} WHERE e.workflow_run_id = :id ORDER BY ${this.order('DESC')} LIMIT :limit`,
      params: { id: runId, limit },
    };
  }

  /** The keys of all a run's events, oldest first. */
  allKeys(runId: string): Statement | undefined {
    if (!this.usable) return undefined;
    return { sql: `SELECT ${this.parts.text(this.parts.key('e'))} AS k FROM ${this.table} WHERE e.workflow_run_id = :id ORDER BY ${this.order('ASC')}`, params: { id: runId } };
  }

  /** How many events a run has. */
  count(runId: string): Statement | undefined {
    if (!this.usable) return undefined;
    return { sql: `SELECT ${this.parts.count} AS n FROM ${this.table} WHERE e.workflow_run_id = :id`, params: { id: runId } };
  }

  /** The events with these keys, every column, with each one's key (`k`), in no particular order. */
  byKeys(keys: RunKey[]): Statement | undefined {
    if (!this.usable) return undefined;
    return {
      sql: `SELECT ${this.columns}, ${this.parts.text(this.parts.key('e'))} AS k FROM ${this.table} WHERE ${this.parts.keyIn('e', ':keys')}`,
      params: { keys: JSON.stringify(keys) },
    };
  }
}
