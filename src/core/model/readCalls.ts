import type { GraphRequest } from '../graph/graphRead';
import type { RunGraph } from '../graph/runNodes';
import type { Overview, OverviewRequest } from './overview';
import type { IdResolution, RunDetails, RunEvent, RunFilter, RunHistory, RunSummary, StatusCounts } from './runModel';
import type { StatusWatch, WatchRequest } from './statusWatch';

/** The reads every engine answers (see `RunsReader`): the argument and the result of each. */
export interface ReaderCalls {
  overview: [OverviewRequest, Overview];
  listRuns: [RunFilter, RunSummary[]];
  counts: [RunFilter, StatusCounts];
  getRun: [string, RunDetails | undefined];
  history: [string, RunHistory | undefined];
  events: [string, RunEvent[]];
  children: [string, RunSummary[]];
  resolveId: [string, IdResolution];
  watch: [WatchRequest, StatusWatch];
  /** A run's graph and its nodes' states (see `graph/`); undefined when there is no such run. */
  graph: [GraphRequest, RunGraph | undefined];
}
export type ReaderCall = keyof ReaderCalls;
