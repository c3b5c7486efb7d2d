import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TOO_DEEP } from '../../src/core/model/jsonDepth';
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

  /** The promise, or a failure when it has not settled within `ms`. */
  function settles<T>(what: string, promise: Promise<T>, ms = 10000): Promise<T> {
    let timer: NodeJS.Timeout;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} never settled`)), ms)));
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  /** A reader thread script: `before` (JavaScript) runs in the thread, then the real reader. */
  function wrappedWorker(before: string): string {
    const script = path.join(tempDir(), 'wrappedWorker.js');
    const real = path.resolve(__dirname, '..', '..', 'src', 'core', 'sqlite', 'readerWorker.js');
    fs.writeFileSync(script, `${before}\nrequire(${JSON.stringify(real)});`);
    return script;
  }

  it('answers every read of runs whose metadata and event data nest 5,000 levels deep: cut at 64 levels, the gate still read', async () => {
    db = await archonDb();
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const approval = { type: 'approval', nodeId: 'review', message: 'Ship it?' };
    const gated = await insertRun(db, { status: 'paused', metadata: `{"approval":${JSON.stringify(approval)},"trace":${deep(5000)}}` });
    const failed = await insertRun(db, { status: 'failed', metadata: '['.repeat(5000) + ']'.repeat(5000) });
    await db.exec(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, data) VALUES ('e1', '${gated}', 'node_started', '${deep(5000)}')`);

    const read = <T>(what: string, promise: Promise<{ value: T }>) => settles(what, promise).then((r) => r.value);
    const overview = await read('overview', client.read(db.path, {}, 'overview', { base: {}, statuses: [], limits: {}, defaultLimit: 10 }));
    assert.deepEqual(overview.groups.map((g) => [g.key, g.count]).sort(), [['failed', 1], ['paused', 1]]);
    assert.equal((await read('listRuns', client.read(db.path, {}, 'listRuns', {}))).length, 2);
    const run = (await read('getRun', client.read(db.path, {}, 'getRun', gated)))!;
    assert.equal(run.approval?.message, 'Ship it?', 'what lies above the cut is read as usual');
    assert.equal(run.openGate, true);
    let level = (run.metadata as { trace: unknown }).trace;
    for (let depth = 2; depth < 64; depth++) level = (level as { a: unknown }).a;
    assert.deepEqual(level, { a: TOO_DEEP }, 'cut at level 64');
    const history = (await read('history', client.read(db.path, {}, 'history', { id: failed, events: 10 })))!;
    assert.equal(history.run.metadataValid, true);
    assert.equal(JSON.stringify(history.run.metadata), '['.repeat(63) + JSON.stringify([TOO_DEEP]) + ']'.repeat(63));
    const [event] = (await read('events', client.read(db.path, {}, 'events', { runId: gated, newest: 10 }))).events;
    assert.match(JSON.stringify(event.data), new RegExp(`^(\\{"a":){64}"\\(nested deeper than 64 levels: not shown\\)"\\}{64}$`));
    assert.equal((await read('resolveId', client.read(db.path, {}, 'resolveId', gated.slice(0, 8)))).kind, 'found');
    // A first watch learns what is so; against an empty memory both runs are news, read whole.
    const watch = await read('watch', client.read(db.path, {}, 'watch', { completed: false, memory: { failed: {}, gates: [], interrupted: [] } }));
    assert.deepEqual(watch.arrived.map((a) => a.kind).sort(), ['failed', 'gate']);
  });

  it('an answer that cannot be sent to the other thread is an error, and the thread answers the next read', async () => {
    db = await archonDb();
    const id = await insertRun(db, { status: 'failed' });
    // The real reader, whose first reply the platform refuses to clone (as it did for 5,000-deep JSON).
    client.dispose();
    client = new ReaderClient(
      wrappedWorker(`const { parentPort } = require('node:worker_threads');
        const post = parentPort.postMessage.bind(parentPort);
        let refused = false;
        parentPort.postMessage = (message) => {
          if (!refused) { refused = true; throw new DOMException('could not be cloned.', 'DataCloneError'); }
          post(message);
        };`),
    );
    await assert.rejects(settles('the refused reply', client.read(db.path, {}, 'getRun', id)), /could not be sent from the reader thread \(could not be cloned\.\)/);
    assert.equal((await settles('the next read', client.read(db.path, {}, 'getRun', id))).value?.status, 'failed');
  });

  it('a thread that stops answering is replaced after the timeout: the reads waiting on it fail, the next ones answer', async () => {
    db = await archonDb();
    const id = await insertRun(db, { status: 'failed' });
    const marker = path.join(tempDir(), 'stuck');
    // The real reader, except that the first thread blocks for good on its first 'events' read.
    client.dispose();
    client = new ReaderClient(
      wrappedWorker(`const { parentPort } = require('node:worker_threads');
        const fs = require('node:fs');
        parentPort.on('message', (request) => {
          if (request.call === 'events' && !fs.existsSync(${JSON.stringify(marker)})) {
            fs.writeFileSync(${JSON.stringify(marker)}, '');
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
          }
        });`),
      1500,
    );
    assert.equal((await client.read(db.path, {}, 'getRun', id)).value?.status, 'failed');
    const stuck = client.read(db.path, {}, 'events', { runId: id, newest: 10 });
    const queued = client.read(db.path, {}, 'getRun', id);
    await assert.rejects(settles('the stuck read', stuck), /did not answer within 2 s; it was replaced/);
    await assert.rejects(settles('the read queued behind it', queued), /did not answer within 2 s/);
    assert.deepEqual((await settles('a read on the new thread', client.read(db.path, {}, 'events', { runId: id, newest: 10 }))).value, { events: [], total: 0 });
  });
});
