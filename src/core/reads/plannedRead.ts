import { createHash } from 'node:crypto';
import { type FoldedRun, foldRun, type GraphRequest, graphOfFoldedRun } from '../graph/graphRead';
import type { ReaderCall, ReaderCalls } from '../model/readCalls';
import type { RunSql } from '../runSql';
import type { Plan } from './plan';
import { READS } from './runReads';

/** A read as the engines run it: its plan on the database, then what is done once the database is let go. */
export interface PlannedRead<T> {
  plan(sql: RunSql): Plan<unknown>;
  /**
   * Work that must not hold SQLite's read guard or PostgreSQL's transaction (the graph reads
   * workflow files); absent when the plan's result is the answer.
   */
  finish?(got: unknown): Promise<T>;
}

export function plannedRead<M extends ReaderCall>(call: M, arg: ReaderCalls[M][0]): PlannedRead<ReaderCalls[M][1]> {
  if (call === 'graph') {
    const request = arg as GraphRequest;
    return {
      plan: (sql) => foldRun(sql, request.runId),
      finish: async (got) => (got ? graphOfFoldedRun(got as FoldedRun, request.home) : undefined) as ReaderCalls[M][1],
    };
  }
  const plan = READS[call as Exclude<ReaderCall, 'graph'>] as (sql: RunSql, arg: unknown) => Plan<unknown>;
  return { plan: (sql) => plan(sql, arg) };
}

/** A fingerprint of a read's answer itself (equal fingerprints, equal answers). */
export function fingerprintOf(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value) ?? '').digest('hex');
}
