import type { ReaderCall, ReaderCalls } from '../model/readCalls';
import type { RunReader } from './runReader';
import { readStatusWatch } from './statusWatch';

/** The calls answered by one RunReader method; the overview, which keeps state between reads, is the worker's own. */
export const READER_CALLS: { [M in Exclude<ReaderCall, 'overview'>]: (reader: RunReader, arg: ReaderCalls[M][0]) => ReaderCalls[M][1] } = {
  listRuns: (reader, filter) => reader.listRuns(filter),
  counts: (reader, filter) => reader.countByStatus(filter),
  getRun: (reader, id) => reader.getRun(id),
  history: (reader, id) => reader.history(id),
  events: (reader, id) => reader.events(id),
  children: (reader, id) => reader.children(id),
  resolveId: (reader, input) => reader.resolveId(input),
  watch: (reader, request) => readStatusWatch(reader, request),
};
