import { DIALECTS, type DialectParts } from './dialect';
import type { Schema } from './model/schema';
import type { Dialect } from './predicates';
import type { Statement } from './runSql';

/**
 * The statements both engines read a run's events with (see runSql.ts), in Archon's own order:
 * `created_at`, then the table-wide `event_order` counter, then the id. Undefined where the
 * database has no events table.
 */
export class EventSql {
  private readonly parts: DialectParts;

  constructor(
    dialect: Dialect,
    private readonly schema: Schema,
  ) {
    this.parts = DIALECTS[dialect];
  }

  private col(name: string): string {
    return this.schema.events!.has(name) ? name : 'NULL';
  }

  private get order(): string {
    return `${this.col('created_at')}${this.schema.events!.has('event_order') ? ', coalesce(event_order, 0)' : ''}, id`;
  }

  /** A run's events in order, every column. */
  events(runId: string): Statement | undefined {
    if (!this.schema.events?.has('workflow_run_id')) return undefined;
    const col = (name: string) => this.col(name);
    return {
      sql:
        `SELECT ${this.parts.text('id')} AS id, ${col('event_order')} AS event_order, ${col('event_type')} AS event_type, ${col('step_index')} AS step_index,` +
        ` ${col('step_name')} AS step_name, ${col('data')} AS data, ${col('created_at')} AS created_at` +
        ` FROM ${this.schema.names.events} WHERE workflow_run_id = :id ORDER BY ${this.order}`,
      params: { id: runId },
    };
  }
}
