import type { Overview, OverviewRequest } from './overview';
import type { IdResolution, RunReader } from './runReader';
import type { RunDetails, RunEvent, RunFilter, RunHistory, RunSummary } from '../model/runModel';
import { readStatusWatch, type StatusWatch, type WatchRequest } from './statusWatch';

/** The reads the extension asks of its reader thread: argument and result of each. */
export interface ReaderCalls {
  overview: [OverviewRequest, Overview];
  listRuns: [RunFilter, RunSummary[]];
  getRun: [string, RunDetails | undefined];
  history: [string, RunHistory | undefined];
  events: [string, RunEvent[]];
  children: [string, RunSummary[]];
  resolveId: [string, IdResolution];
  watch: [WatchRequest, StatusWatch];
}
export type ReaderCall = keyof ReaderCalls;

/** The calls answered by one RunReader method; the overview, which keeps state between reads, is the worker's own. */
export const READER_CALLS: { [M in Exclude<ReaderCall, 'overview'>]: (reader: RunReader, arg: ReaderCalls[M][0]) => ReaderCalls[M][1] } = {
  listRuns: (reader, filter) => reader.listRuns(filter),
  getRun: (reader, id) => reader.getRun(id),
  history: (reader, id) => reader.history(id),
  events: (reader, id) => reader.events(id),
  children: (reader, id) => reader.children(id),
  resolveId: (reader, input) => reader.resolveId(input),
  watch: (reader, request) => readStatusWatch(reader, request),
};
