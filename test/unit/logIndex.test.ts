import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { LogIndex } from '../../src/core/sqlite/snapshot/logIndex';
import { parseWalHeader, WAL_HEADER } from '../../src/core/sqlite/snapshot/wal';
import { archonDb, cleanupTempDirs, insertRun } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';

describe('LogIndex', function () {
  this.timeout(60000);
  let db: LiveDb;
  afterEach(async () => {
    await db?.close();
  });
  after(cleanupTempDirs);

  /** Indexes the log of `db` as it is now; returns the index and the log's descriptor. */
  function indexLog(): { index: LogIndex; fd: number } {
    const fd = fs.openSync(`${db.path}-wal`, 'r');
    const header = parseWalHeader(fs.readFileSync(`${db.path}-wal`).subarray(0, WAL_HEADER))!;
    const index = new LogIndex(header);
    index.extend(fd);
    return { index, fd };
  }

  it('indexes each page at its newest committed frame, and reads it back from there', async () => {
    db = await archonDb();
    const id = await insertRun(db, { status: 'failed' });
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'completed' WHERE id = '${id}'`);
    const log = fs.readFileSync(`${db.path}-wal`);
    const pageSize = log.readUInt32BE(8);
    const frameSize = 24 + pageSize;
    const { index, fd } = indexLog();
    try {
      assert.equal(index.frames, (log.length - WAL_HEADER) / frameSize);
      // The newest frame of each page, as read from the file by hand.
      const newest = new Map<number, number>();
      for (let f = 1; f <= index.frames; f++) newest.set(log.readUInt32BE(WAL_HEADER + (f - 1) * frameSize), f);
      for (const [page, frame] of newest) {
        assert.equal(index.frame(page), frame, `page ${page}`);
        const into = new Uint8Array(pageSize);
        assert.ok(index.read(fd, page, into));
        const at = WAL_HEADER + (frame - 1) * frameSize + 24;
        assert.deepEqual(Buffer.from(into), log.subarray(at, at + pageSize));
      }
    } finally {
      fs.closeSync(fd);
    }
  });

  it('does not take a frame whose bytes changed since it was indexed (a frame written over, or read torn)', async () => {
    db = await archonDb();
    await insertRun(db, { status: 'failed' });
    const wal = `${db.path}-wal`;
    const log = fs.readFileSync(wal);
    const pageSize = log.readUInt32BE(8);
    const { index, fd } = indexLog();
    try {
      const frame = index.frames;
      const page = log.readUInt32BE(WAL_HEADER + (frame - 1) * (24 + pageSize));
      const into = new Uint8Array(pageSize);
      assert.ok(index.read(fd, page, into));
      // Same page number and salts, one byte of the page different: only the checksum tells.
      const at = WAL_HEADER + (frame - 1) * (24 + pageSize) + 24 + 100;
      const writing = fs.openSync(wal, 'r+');
      fs.writeSync(writing, Buffer.from([log[at] ^ 0xff]), 0, 1, at);
      fs.closeSync(writing);
      assert.equal(index.read(fd, page, into), false);
    } finally {
      fs.closeSync(fd);
    }
  });
});
