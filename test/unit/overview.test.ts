import * as assert from 'node:assert/strict';
import type { OverviewRequest } from '../../src/core/model/overview';
import { type OverviewCache, readOverview } from '../../src/core/sqlite/overview';
import { SnapshotDatabase } from '../../src/core/sqlite/snapshot/snapshotDatabase';
import { archonDb, cleanupTempDirs } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';

const RUNS = 6000;
const runId = (i: number) => `run-${String(i).padStart(5, '0')}`;

/** 6000 runs over every status and two projects; the newest ones are running. */
const SEED = `
INSERT INTO remote_agent_codebases (id, name, default_cwd) VALUES ('cb-a', 'acme/a', '/src/a'), ('cb-b', 'acme/b', '/src/b');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${RUNS})
INSERT INTO remote_agent_workflow_runs (id, conversation_id, codebase_id, workflow_name, user_message, status, metadata, started_at, last_activity_at, working_path)
SELECT printf('run-%05d', i), 'conv-1', CASE WHEN i % 3 = 0 THEN 'cb-b' ELSE 'cb-a' END, 'wf-' || (i % 7), 'message ' || i,
  CASE WHEN i > ${RUNS - 40} THEN 'running' ELSE ('completed', 'failed', 'paused', 'cancelled', 'pending', 'odd-status') END,
  '{}', datetime('2026-01-01', '+' || i || ' minutes'),
  CASE WHEN i % 11 = 0 THEN datetime('now', '-3 days') ELSE datetime('now', '-1 minute') END,
  CASE WHEN i % 3 = 0 THEN '/src/b/wt-' || i ELSE NULL END
FROM n;`.replace("('completed', 'failed', 'paused', 'cancelled', 'pending', 'odd-status')", `
  (CASE i % 6 WHEN 0 THEN 'completed' WHEN 1 THEN 'failed' WHEN 2 THEN 'paused' WHEN 3 THEN 'cancelled' WHEN 4 THEN 'pending' ELSE 'odd-status' END)`);

describe('Overview kept between refreshes', function () {
  this.timeout(60000);
  let db: LiveDb;
  let reading: SnapshotDatabase;
  afterEach(async () => {
    reading?.close();
    await db?.close();
  });
  after(cleanupTempDirs);

  const request: OverviewRequest = { base: { folders: ['/src/a'] }, statuses: [], limits: { completed: 40 }, defaultLimit: 10 };

  /** Reads the overview keeping its cache, and the same from scratch, which must agree. */
  async function both(cache: OverviewCache | undefined) {
    const kept = (await reading.read((reader, _db, pages) => readOverview(reader, request, pages, cache))).value;
    const fresh = (await reading.read((reader) => readOverview(reader, request))).value;
    assert.deepEqual(kept.overview, fresh.overview, 'the kept part gives what a full read gives');
    return kept;
  }

  it('reuses the older runs while only newer ones change, and reads again when an older one does', async () => {
    db = await archonDb();
    await db.exec(SEED);
    reading = await SnapshotDatabase.open(db.path);
    const first = await both(undefined);
    assert.ok(first.cache, 'a database this size keeps a part');
    assert.ok(first.overview.groups.some((g) => g.key === 'other'), 'statuses Archon may add are grouped');
    assert.ok((first.overview.counts.interrupted ?? 0) > 0);

    // Archon updates its newest runs: the kept part holds.
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'completed', last_activity_at = datetime('now') WHERE id = '${runId(RUNS - 1)}'`);
    const second = await both(first.cache);
    assert.equal(second.cache, first.cache, 'reused');
    assert.equal(second.overview.groups.find((g) => g.key === 'completed')?.runs[0].id, runId(RUNS - 1));

    // Someone cancels a run from long ago: the part holding it is read again, and only that one.
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'cancelled' WHERE id = 'run-00010'`);
    const third = await both(second.cache);
    const reread = (a: OverviewCache, b: OverviewCache) => b.parts.filter((part, i) => part !== a.parts[i]).length;
    assert.equal(reread(second.cache!, third.cache!), 1);

    // A codebase moved: the scope changed for old runs too, in every part.
    await db.exec(`UPDATE remote_agent_codebases SET default_cwd = '/src/elsewhere' WHERE id = 'cb-a'`);
    const fourth = await both(third.cache);
    assert.equal(reread(third.cache!, fourth.cache!), third.cache!.parts.length);
  });

  it('reads again once a running run of the kept part would turn stale, and for another request', async () => {
    db = await archonDb();
    await db.exec(SEED);
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'running' WHERE id = 'run-00008'`);
    reading = await SnapshotDatabase.open(db.path);
    const first = await both(undefined);
    const watched = first.cache!.parts.findIndex((part) => part.tally.turnsStaleFrom !== null);
    assert.equal(watched, 0, 'the running run in the first part is watched');
    // As if a day went by: the watched run is stale now, so that part's counts are out of date.
    const aged = { ...first.cache!, parts: first.cache!.parts.map((part, i) => (i === watched ? { ...part, tally: { ...part.tally, turnsStaleFrom: '2000-01-01 00:00:00' } } : part)) };
    const after = (await both(aged)).cache!;
    assert.notEqual(after.parts[watched], aged.parts[watched], 'read again');
    assert.equal(after.parts[1], aged.parts[1], 'the others hold');
    assert.equal((await both(first.cache)).cache, first.cache, 'not aged: reused');
    const other = (await reading.read((reader, _db, pages) => readOverview(reader, { ...request, defaultLimit: 3 }, pages, first.cache))).value;
    assert.notEqual(other.cache, first.cache, 'a different request is not served from it');
  });
});
