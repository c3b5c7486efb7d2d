import type { GraphRequest } from '../graph/graphRead';
import type { RunGraph } from '../graph/runNodes';
import type { Overview, OverviewRequest } from './overview';
import type { DetailsAnswer, DetailsRequest, EventPage, EventsRequest, HistoryRequest, IdResolution, RunDetails, RunEvent, RunFilter, RunHistory, RunSummary, StatusCounts } from './runModel';
import type { StatusWatch, WatchRequest } from './statusWatch';

/** The reads every engine answers (see `RunsReader`): the argument and the result of each. */
export interface ReaderCalls {
  overview: [OverviewRequest, Overview];
  listRuns: [RunFilter, RunSummary[]];
  counts: [RunFilter, StatusCounts];
  getRun: [string, RunDetails | undefined];
  history: [HistoryRequest, RunHistory | undefined];
  details: [DetailsRequest, DetailsAnswer | undefined];
  events: [EventsRequest, EventPage];
  children: [string, RunSummary[]];
  resolveId: [string, IdResolution];
  watch: [WatchRequest, StatusWatch];
  /** A run's graph and its nodes' states (see `graph/`); undefined when there is no such run. */
  graph: [GraphRequest, RunGraph | undefined];
}
export type ReaderCall = keyof ReaderCalls;

/** What `show` streams of a run: first the run, its children and how many events it has, then its events a batch at a time. */
export type HistoryPart = { head: Omit<RunHistory, 'events'> } | { events: RunEvent[] };

/**
 * The reads whose items may be many, streamed (see `RunsReader.stream`): the argument, each part
 * handed to the sink, and the result. A list hands its runs a batch at a time; a history, its
 * head and then its events; `false`: there is no such run.
 */
export interface StreamCalls {
  listRuns: [RunFilter, RunSummary[], void];
  history: [HistoryRequest, HistoryPart, boolean];
}
export type StreamCall = keyof StreamCalls;
