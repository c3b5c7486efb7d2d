import { messageOf } from '../model/errors';
import type { RunDetails } from '../model/runModel';
import type { Plan } from '../reads/plan';
import { eachEvent, getRun } from '../reads/runReads';
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

/**
 * The database's part of a run's graph, as a plan both engines run (see reads/plan.ts): the run's
 * row, its events folded in Archon's order a batch at a time (`eachEvent`: one sort, then a batch of
 * rows held at a time), and the runs it started with the node that started each.
 */
export function* foldRun(sql: RunSql, runId: string): Plan<FoldedRun | undefined> {
  const run = yield* getRun(sql, runId);
  if (!run) return undefined;
  const fold = new NodeFold();
  yield* eachEvent(sql, runId, 'all', (events) => events.forEach((event) => fold.add(event)));
  const started = sql.childNodes(runId);
  const children = (started ? yield started : []).map((row) => ({ id: String(row.id), status: String(row.status), parentNodeId: row.parent_node_id === null ? null : String(row.parent_node_id) }));
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
