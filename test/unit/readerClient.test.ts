import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReaderClient } from '../../src/core/sqlite/readerClient';
import { archonDb, cleanupTempDirs, insertRun, tempDir } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';

describe('Reader thread', function () {
  this.timeout(30000);
  let db: LiveDb;
  let client: ReaderClient;
  beforeEach(() => (client = new ReaderClient()));
  afterEach(async () => {
    client.dispose();
    await db?.close();
  });
  after(cleanupTempDirs);

  it('answers the tree and the commands from a worker thread, moving forward by new frames', async () => {
    db = await archonDb();
    const failed = await insertRun(db, { status: 'failed' });
    const request = { base: {}, statuses: [], limits: {}, defaultLimit: 10 };
    const first = await client.read(db.path, {}, 'overview', request);
    assert.deepEqual(first.value.groups.map((g) => [g.key, g.count]), [['failed', 1]]);
    assert.equal(first.value.hasResumable, true);
    assert.equal(first.stats.mode, 'full');

    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'completed' WHERE id = '${failed}'`);
    const second = await client.read(db.path, {}, 'overview', request);
    assert.deepEqual(second.value.groups.map((g) => [g.key, g.count]), [['completed', 1]]);
    assert.equal(second.stats.mode, 'incremental', 'the thread kept the database open');
    assert.equal((await client.read(db.path, {}, 'getRun', failed)).value?.status, 'completed');
    assert.equal((await client.read(db.path, {}, 'getRun', 'no-such-run')).value, undefined);

    // Released when idle, it starts afresh on the next read.
    client.release();
    const again = await client.read(db.path, {}, 'overview', request);
    assert.equal(again.stats.mode, 'full');
    assert.deepEqual(again.value.groups.map((g) => [g.key, g.count]), [['completed', 1]]);
  });

  it('starts a new thread after one died, without the dead one failing reads sent to the new one', async () => {
    db = await archonDb();
    await insertRun(db, { id: 'survivor', status: 'paused' });
    // A thread script that dies the first time it starts, and is the real reader after that.
    const dir = tempDir();
    const script = path.join(dir, 'flakyWorker.js');
    const real = path.resolve(__dirname, '..', '..', 'src', 'core', 'sqlite', 'readerWorker.js');
    fs.writeFileSync(script, `const fs = require('fs');
      if (!fs.existsSync(${JSON.stringify(path.join(dir, 'started'))})) { fs.writeFileSync(${JSON.stringify(path.join(dir, 'started'))}, ''); throw new Error('boom'); }
      require(${JSON.stringify(real)});`);
    client.dispose();
    client = new ReaderClient(script);
    // The store reads again as soon as a read fails: that read must go to a live thread and succeed.
    const again = await client.read(db.path, {}, 'getRun', 'survivor').then(
      () => assert.fail('the first thread died'),
      () => client.read(db.path, {}, 'getRun', 'survivor'),
    );
    await new Promise((r) => setTimeout(r, 200)); // the dead thread's exit has come and gone
    assert.equal(again.value?.status, 'paused');
    assert.equal((await client.read(db.path, {}, 'getRun', 'survivor')).value?.status, 'paused');
    client.dispose();
    await assert.rejects(client.read(db.path, {}, 'getRun', 'survivor'), /disposed/);
  });

  it('passes problems back with their kind, and keeps working after them', async () => {
    const dir = tempDir();
    await assert.rejects(client.read(path.join(dir, 'none.db'), {}, 'listRuns', {}), { kind: 'no-database', message: /No database at/ });
    fs.writeFileSync(path.join(dir, 'notes.db'), 'not a database\n'.repeat(20));
    await assert.rejects(client.read(path.join(dir, 'notes.db'), {}, 'listRuns', {}), { kind: 'not-a-database' });
    db = await archonDb();
    await insertRun(db, { status: 'paused' });
    assert.equal((await client.read(db.path, {}, 'listRuns', {})).value.length, 1);
  });
});
