import { type Overview, type OverviewRequest, readOverview } from './overview';
import type { IdResolution, RunReader } from './runReader';
import type { RunDetails, RunEvent, RunFilter, RunSummary } from './runModel';

/** The reads the extension asks of its reader thread: argument and result of each. */
export interface ReaderCalls {
  overview: [OverviewRequest, Overview];
  listRuns: [RunFilter, RunSummary[]];
  getRun: [string, RunDetails | undefined];
  events: [string, RunEvent[]];
  children: [string, RunSummary[]];
  resolveId: [string, IdResolution];
}
export type ReaderCall = keyof ReaderCalls;

export const READER_CALLS: { [M in ReaderCall]: (reader: RunReader, arg: ReaderCalls[M][0]) => ReaderCalls[M][1] } = {
  overview: (reader, request) => readOverview(reader, request).overview,
  listRuns: (reader, filter) => reader.listRuns(filter),
  getRun: (reader, id) => reader.getRun(id),
  events: (reader, id) => reader.events(id),
  children: (reader, id) => reader.children(id),
  resolveId: (reader, input) => reader.resolveId(input),
};
