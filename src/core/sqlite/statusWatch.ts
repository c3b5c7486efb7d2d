import { statusWatch, type StatusWatch, type WatchMemory, watchMemory, type WatchNow, watchNews, type WatchRequest } from '../model/statusWatch';
import type { RunReader } from './runReader';

/** The status watch on a SQLite snapshot (see model/statusWatch.ts): failed runs by rowid, from the status index. */
export function readStatusWatch(reader: RunReader, request: WatchRequest): StatusWatch {
  const now: WatchNow = {
    failed: reader.rowidsWithStatus('failed'),
    completed: request.completed ? reader.rowidsWithStatus('completed') : undefined,
    live: reader.liveRuns({ folders: request.folders }),
  };
  const memory: WatchMemory = watchMemory(now);
  const news = watchNews(memory, request.memory);
  const runs = reader.summaries({ folders: request.folders }, { rowids: news.keys as number[], ids: [...news.ids.keys()] });
  return statusWatch(now, memory, news, runs);
}
