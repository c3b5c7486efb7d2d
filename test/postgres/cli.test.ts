import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/fixtures';
import { archonPg, insertPgRun, pgRow } from '../support/postgres';
import { server } from './server';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** The CLI as scripts run it: a real process, asynchronous so this process's server keeps answering. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('workflow-runs CLI on PostgreSQL (a real process, a real server)', function () {
  this.timeout(30000);
  let db: Awaited<ReturnType<typeof archonPg>>;
  beforeEach(async () => {
    db = await archonPg(server());
  });
  afterEach(async () => {
    await db?.close();
  });

  it("follows DATABASE_URL as Archon does: list, resume and cancel with the documented JSON and exit codes", async () => {
    const failed = await insertPgRun(db.client, { status: 'failed', metadata: { error: 'boom' } });
    const env = { DATABASE_URL: db.url };
    const list = await cli(['list', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const [run] = JSON.parse(list.stdout);
    assert.equal(run.id, failed);
    assert.equal(run.resumable, true);
    assert.equal(run.error, 'boom');

    const resumed = await cli(['resume', failed.slice(0, 8), '--json'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(JSON.parse(resumed.stdout), { outcome: 'resumed', runId: failed, status: 'running' });
    const again = await cli(['resume', failed, '--json'], env);
    assert.equal(again.code, 3);
    assert.equal(JSON.parse(again.stdout).outcome, 'not-resumable');

    const cancelled = await cli(['cancel', failed, '--json'], env);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal((await pgRow(db.client, failed))!.status, 'cancelled');
    const noop = await cli(['cancel', failed, '--json'], env);
    assert.equal(noop.code, 3);
    assert.equal(JSON.parse(noop.stdout).outcome, 'nothing-to-cancel');
    assert.equal((await cli(['resume', '00000000-0000-4000-8000-00000000beef', '--json'], env)).code, 4);
  });

  it('--database-url wins over DATABASE_URL; a wrong password and a server that is down are exit 1 with a reason and no password', async () => {
    await insertPgRun(db.client, { status: 'paused' });
    const wrongEnv = { DATABASE_URL: server().url({ database: 'nope', password: 'env-secret' }) };
    const flagged = await cli(['list', '--json', '--database-url', db.url], wrongEnv);
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.equal(JSON.parse(flagged.stdout).length, 1);

    const badPassword = await cli(['list', '--json'], { DATABASE_URL: server().url({ database: 'archon', password: 'hunter2-wrong' }) });
    assert.equal(badPassword.code, 1);
    assert.match(badPassword.stderr, /password/i);
    const down = await cli(['list', '--json'], { DATABASE_URL: 'postgres://archon:hunter2-down@127.0.0.1:9/archon' });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /Cannot reach PostgreSQL at 127\.0\.0\.1:9/);
    for (const r of [badPassword, down]) assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);
  });
});
