import { EventSql, type EventKey } from '../eventSql';
import { messageOf } from '../model/errors';
import { parseJson, type RunDetails } from '../model/runModel';
import { eventFromRow } from '../model/runRow';
import type { Plan } from '../reads/plan';
import { getRun } from '../reads/runReads';
import type { RunSql } from '../runSql';
import { sourcedGraph } from './graphSource';
import { NodeFold } from './nodeFold';
import { type ChildRunRef, type RunGraph, runNodes, type SourcedGraph } from './runNodes';

/** What the `graph` read asks: a run, and the Archon home its recorded paths are moved onto. */
export interface GraphRequest {
  runId: string;
  /** The SQLite database's folder, or Archon's home (see `archonHomeOf`); null: paths are used as recorded. */
  home: string | null;
}

/** What the database gives a run's graph: its row, its events folded, the runs it started. */
export interface FoldedRun {
  run: RunDetails;
  fold: NodeFold;
  children: ChildRunRef[];
}

/** Events per page: the fold holds one page of rows at a time. */
export const EVENT_PAGE = 500;

function parentNodeOf(metadata: unknown): string | null {
  const value = parseJson(metadata).value;
  const node = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).parent_node_id : undefined;
  return typeof node === 'string' ? node : null;
}

/**
 * The database's part of a run's graph, as a plan both engines run (see reads/plan.ts): the run's
 * row, its events folded page by page in Archon's order, and the runs it started with the node
 * that started each (`metadata.parent_node_id`).
 */
export function* foldRun(sql: RunSql, runId: string): Plan<FoldedRun | undefined> {
  const run = yield* getRun(sql, runId);
  if (!run) return undefined;
  const events = new EventSql(sql.dialect, sql.schema);
  const fold = new NodeFold();
  for (let after: EventKey | undefined; ; ) {
    const page = events.page(runId, after, EVENT_PAGE);
    const rows = page ? yield page : [];
    for (const row of rows) fold.add(eventFromRow(row));
    if (rows.length < EVENT_PAGE) break;
    after = events.keyOf(rows[rows.length - 1]);
  }
  const started = sql.children(runId);
  const children = (started ? yield started : []).map((row) => ({ id: String(row.id), status: String(row.status), parentNodeId: parentNodeOf(row.metadata) }));
  // Oldest first, so that a node's latest child comes last.
  return { run, fold, children: children.reverse() };
}

/**
 * The run's graph with its nodes' states: called once the database read is over (outside SQLite's
 * read guard and PostgreSQL's transaction), since it reads workflow files.
 */
export async function graphOfFoldedRun(folded: FoldedRun, home: string | null): Promise<RunGraph> {
  let sourced: SourcedGraph;
  try {
    sourced = await sourcedGraph(folded.run, home);
  } catch (err) {
    sourced = { source: 'events', detail: `Its workflow files could not be read (${messageOf(err)}): these are the nodes its events name, without edges.`, file: null, graph: null };
  }
  return runNodes(folded.run, folded.fold, folded.children, sourced, home);
}
