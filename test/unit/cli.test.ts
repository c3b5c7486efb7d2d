import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { archonDb, cleanupTempDirs, insertRun, REPO_ROOT, runRow, tempDir } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';
import { nodeWithSqlite } from '../support/racers';
import { copyRealArchon, REAL_RUNS } from '../support/realArchon';
import { main } from '../../src/cli/main';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

function cli(args: string[], env: NodeJS.ProcessEnv = {}, node = process.execPath) {
  const r = spawnSync(node, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('workflow-runs CLI (dist/cli.js, a real process)', function () {
  this.timeout(30000);
  let db: LiveDb;
  before(function () {
    if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  });
  beforeEach(async () => {
    db = await archonDb();
  });
  afterEach(async () => {
    await db?.close();
  });
  after(cleanupTempDirs);

  it('list --json prints the documented fields', async () => {
    const id = await insertRun(db, { status: 'failed', metadata: '{"error":"boom"}', started_at: "'2026-03-02 08:30:05'" });
    const r = cli(['list', '--db', db.path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const [run] = JSON.parse(r.stdout);
    for (const key of ['id', 'workflowName', 'status', 'resumable', 'startedAt', 'lastActivityAt', 'completedAt', 'workingPath', 'codebaseName', 'parentRunId', 'error']) {
      assert.ok(key in run, key);
    }
    assert.equal(run.id, id);
    assert.equal(run.resumable, true);
    assert.equal(run.startedAt, '2026-03-02T08:30:05Z');
    assert.equal(run.error, 'boom');
  });

  it('list filters by status and limit, and prints a table for people', async () => {
    for (const status of ['failed', 'running', 'completed', 'completed']) await insertRun(db, { status });
    assert.equal(JSON.parse(cli(['list', '--db', db.path, '--status', 'completed,failed', '--json']).stdout).length, 3);
    assert.equal(JSON.parse(cli(['list', '--db', db.path, '--limit', '1', '--json']).stdout).length, 1);
    const human = cli(['list', '--db', db.path]);
    assert.match(human.stdout, /^ID\s+STATUS\s+WORKFLOW/);
    assert.match(human.stdout, /2 completed/);
  });

  it('resume by prefix: 0 when claimed, 3 when lost, with the documented JSON', async () => {
    const id = await insertRun(db, { status: 'failed' });
    const first = cli(['resume', id.slice(0, 8), '--db', db.path, '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { outcome: 'resumed', runId: id, status: 'running' });
    assert.equal((await runRow(db, id))!.status, 'running');
    const second = cli(['resume', id, '--db', db.path, '--json']);
    assert.equal(second.code, 3);
    assert.deepEqual(JSON.parse(second.stdout), { outcome: 'not-resumable', runId: id, status: 'running' });
    const human = cli(['resume', id, '--db', db.path]);
    assert.match(human.stderr, /not resumable \(status: running\); nothing changed/);
  });

  it('cancel: 0 when cancelled, 3 for nothing to cancel, 4 for an unknown id', async () => {
    const id = await insertRun(db, { status: 'running' });
    assert.equal(cli(['cancel', id, '--db', db.path]).code, 0);
    const again = cli(['cancel', id, '--db', db.path, '--json']);
    assert.equal(again.code, 3);
    assert.deepEqual(JSON.parse(again.stdout), { outcome: 'nothing-to-cancel', runId: id, status: 'cancelled' });
    const unknown = cli(['cancel', 'f'.repeat(32), '--db', db.path, '--json']);
    assert.equal(unknown.code, 4);
    assert.deepEqual(JSON.parse(unknown.stdout), { outcome: 'not-found', runId: 'f'.repeat(32), status: null });
    assert.equal(cli(['cancel', 'ffffffff', '--db', db.path]).code, 4);
  });

  it('an ambiguous prefix is a usage error (2) and changes nothing', async () => {
    await insertRun(db, { id: 'abcdef0011', status: 'failed' });
    await insertRun(db, { id: 'abcdef0022', status: 'failed' });
    const r = cli(['resume', 'abcdef00', '--db', db.path]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /matches several runs/);
    assert.equal(await db.scalar("SELECT count(*) FROM remote_agent_workflow_runs WHERE status = 'failed'"), 2);
  });

  it('show prints a run with its events', async () => {
    const id = await insertRun(db, { status: 'failed', metadata: '{"error":"boom"}' });
    await db.exec(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, step_name) VALUES ('e1', '${id}', 'node_failed', 'implement')`);
    const r = cli(['show', id.slice(0, 10), '--db', db.path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Error:\s+boom/);
    assert.match(r.stdout, /node_failed\s+implement/);
    const json = JSON.parse(cli(['show', id, '--db', db.path, '--json']).stdout);
    assert.equal(json.run.id, id);
    assert.equal(json.events[0].type, 'node_failed');
  });

  it("show prints the run's nodes above its events, and --json gives its graph and nodes (a copy of the real Archon fixture)", () => {
    const { dbPath } = copyRealArchon();
    const human = cli(['show', REAL_RUNS.fanInFailed, '--db', dbPath]);
    assert.equal(human.code, 0, human.stderr);
    const table = human.stdout.slice(human.stdout.indexOf('Nodes ('), human.stdout.indexOf('\nEvents'));
    assert.deepEqual(table.trim().split('\n'), [
      'Nodes (the workflow the run froze):',
      '  ✓ fetch                        exec       15 ms',
      '  ✓ lint                         exec       1.0 s',
      "  ✗ test                         exec                 Bash node 'test' failed [exit 1]: 3 tests failed",
      '  ↷ report                       exec       skipped   trigger_rule',
      '  1 pass, 1.0 s in all',
    ]);
    const decided = cli(['show', REAL_RUNS.decided, '--db', dbPath]).stdout;
    assert.match(decided, /✓ decide\s+gate\s+hold: wait for the security fix/);
    const json = JSON.parse(cli(['show', REAL_RUNS.fanInFailed, '--db', dbPath, '--json']).stdout);
    assert.deepEqual(Object.keys(json), ['run', 'events', 'eventCount', 'children', 'graph', 'nodes']);
    assert.deepEqual(Object.keys(json.graph), ['source', 'detail', 'file', 'problems', 'passes', 'elapsedMs', 'totals']);
    assert.deepEqual(Object.keys(json.nodes[0]), [
      'id', 'kind', 'dependsOn', 'group', 'unknown', 'status', 'pass', 'startedAt', 'endedAt', 'durationMs', 'output', 'outputTruncated', 'outputFile',
      'error', 'reason', 'expression', 'decision', 'comment', 'childRunId', 'iterations', 'toolCalls', 'tokens', 'costUsd',
    ]);
    assert.deepEqual(json.nodes.map((n: { id: string; status: string }) => `${n.id}:${n.status}`), ['fetch:completed', 'lint:completed', 'test:failed', 'report:skipped']);
  });

  it('list --json and show --events all print as they read: a batch at a time, exactly the JSON of the whole', async () => {
    await db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1300)
      INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status, started_at)
      SELECT printf('run-%05d', i), 'conv-1', 'wf', 'm', 'completed', datetime('2026-01-01', '+' || i || ' minutes') FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1300)
      INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_order, event_type, created_at)
      SELECT printf('ev-%05d', i), 'run-00001', i, 'node_completed', datetime('2026-01-01', '+' || i || ' seconds') FROM n`);
    /** The command in this process, with each write it makes. */
    const run = async (args: string[]) => {
      const writes: string[] = [];
      const write = (text: string) => void writes.push(text);
      const code = await main([...args, '--db', db.path], { write, out: (text) => write(`${text}\n`), err: (text) => assert.fail(text) });
      assert.equal(code, 0);
      return { writes, text: writes.join('') };
    };
    const list = await run(['list', '--limit', '0', '--json']);
    const runs = JSON.parse(list.text) as { id: string }[];
    assert.equal(list.text, `${JSON.stringify(runs, null, 2)}\n`, 'the same text as the JSON of the whole list');
    assert.deepEqual(runs.map((r) => r.id), Array.from({ length: 1300 }, (_, i) => `run-${String(1300 - i).padStart(5, '0')}`));
    assert.ok(list.writes.length >= 3, `printed in ${list.writes.length} writes`);
    const show = await run(['show', 'run-00001', '--events', 'all', '--json']);
    const history = JSON.parse(show.text) as { run: { id: string }; events: { id: string }[]; eventCount: number; children: unknown[] };
    assert.equal(show.text, `${JSON.stringify(history, null, 2)}\n`);
    assert.deepEqual(Object.keys(history), ['run', 'events', 'eventCount', 'children', 'graph', 'nodes']);
    assert.deepEqual(history.events.map((e) => e.id), Array.from({ length: 1300 }, (_, i) => `ev-${String(i + 1).padStart(5, '0')}`));
    assert.equal(history.eventCount, 1300);
    assert.ok(show.writes.length >= 3, `printed in ${show.writes.length} writes`);
  });

  it('show prints the newest 200 events with how many there are; --events N or all prints more, --json too', async () => {
    const id = await insertRun(db, { status: 'running' });
    await db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
      INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_order, event_type, step_name, created_at)
      SELECT printf('ev-%05d', i), '${id}', i, 'node_completed', printf('step-%03d', i), datetime('2026-01-01', '+' || i || ' seconds') FROM n`);
    const lines = (args: string[]) => cli(['show', id, '--db', db.path, ...args]).stdout.split('\n').filter((l) => /node_completed/.test(l));
    const human = cli(['show', id, '--db', db.path]).stdout;
    assert.match(human, /Events: the newest 200 of 250 \(--events all prints every one\):/);
    const shown = lines([]);
    assert.equal(shown.length, 200);
    assert.match(shown[0], /step-051/, 'the newest 200, oldest first');
    assert.equal(lines(['--events', 'all']).length, 250);
    assert.match(cli(['show', id, '--db', db.path, '--events', 'all']).stdout, /Events \(250\):/);
    assert.equal(lines(['--events', '10']).length, 10);
    const json = JSON.parse(cli(['show', id, '--db', db.path, '--json']).stdout);
    assert.equal(json.events.length, 200);
    assert.equal(json.eventCount, 250);
    assert.equal(JSON.parse(cli(['show', id, '--db', db.path, '--json', '--events', 'all']).stdout).events.length, 250);
    const bad = cli(['show', id, '--db', db.path, '--events', 'some']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--events must be a whole number or all/);
  });

  it('usage errors exit 2', () => {
    assert.equal(cli([]).code, 2);
    assert.equal(cli(['frobnicate']).code, 2);
    assert.equal(cli(['resume']).code, 2);
    assert.equal(cli(['list', '--limit', 'ten']).code, 2);
    assert.equal(cli(['resume', 'x', '--engine', 'sqljs']).code, 2);
    assert.equal(cli(['--help']).code, 0);
  });

  it("a typo never reaches another database: unknown options, an empty --db or --database-url and extra arguments are usage errors (2), and Archon's own database is untouched", async () => {
    // The default database (ARCHON_HOME) holds a running run that every mistake below would have cancelled.
    const home = path.dirname(db.path);
    const id = await insertRun(db, { status: 'running', last_activity_at: "datetime('now')" });
    const other = path.join(tempDir(), 'other.db');
    // The main file and its log (the -shm is the live sqlite3 process's own to touch).
    const files = () => ['', '-wal', '-journal'].map((suffix) => fs.existsSync(db.path + suffix) && createHash('sha256').update(fs.readFileSync(db.path + suffix)).digest('hex'));
    const before = files();
    const mistakes: [string[], RegExp][] = [
      [['cancel', id, '--database', other], /unknown option --database/],
      [['cancel', id, '--database=' + other], /unknown option --database/],
      [['cancel', id, '--db', ''], /--db is empty/],
      [['cancel', id, '--db='], /--db is empty/],
      [['cancel', id, '--database-url', ''], /--database-url is empty/],
      [['cancel', id, other], /cancel takes exactly one run ID/],
      [['cancel', id, '--db', db.path, '--db', other], /--db is given twice/],
      [['resume', id, '--limit', '5'], /resume has no option --limit/],
      [['list', other], /list takes no argument ".*other\.db" \(a database is --db PATH\)/],
      [['list', '--dbb', other], /unknown option --dbb/],
      [['show', id, '--jsn'], /unknown option --jsn/],
      [['--db', other, 'cancel', id, '--force'], /unknown option --force/],
    ];
    for (const [args, message] of mistakes) {
      const r = cli(args, { ARCHON_HOME: home });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
    assert.equal((await runRow(db, id))!.status, 'running');
    assert.deepEqual(files(), before, "Archon's database and its log are byte for byte as they were");
    assert.equal(fs.existsSync(other), false, 'nothing created');
    // `--` ends the options: a run id may begin with dashes.
    const dashed = cli(['cancel', '--db', db.path, '--', '--not-an-option']);
    assert.equal(dashed.code, 4, dashed.stderr);
  });

  it('--limit and --offset beyond what a number keeps exactly are usage errors; the largest exact one lists', async () => {
    await insertRun(db, { status: 'failed' });
    for (const option of ['--limit', '--offset']) {
      const r = cli(['list', '--db', db.path, option, String(2n ** 63n)]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`${option} must be at most 9007199254740991`));
    }
    assert.equal(JSON.parse(cli(['list', '--db', db.path, '--limit', '9007199254740991', '--json']).stdout).length, 1);
    assert.equal(JSON.parse(cli(['list', '--db', db.path, '--offset', '9007199254740991', '--json']).stdout).length, 0);
  });

  it('a reader that stops early (list | head -1) gets no EPIPE stack trace', async () => {
    await db.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO remote_agent_workflow_runs (id, conversation_id, workflow_name, user_message, status) SELECT printf('%032d', i), 'conv-1', 'wf', 'm', 'failed' FROM n",
    );
    for (const json of [[], ['--json']]) {
      const r = spawnSync('sh', ['-c', `"$0" "$1" list --db "$2" --limit 0 ${json.join(' ')} | head -1`, process.execPath, CLI, db.path], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
      assert.equal(r.status, 0);
      assert.equal(r.stdout, json.length ? '[\n' : r.stdout.split('\n')[0] + '\n');
      assert.equal(r.stderr, '', `no stack trace: ${r.stderr}`);
    }
  });

  it('with --json an error is a JSON object on stdout, with the same exit code', async () => {
    await insertRun(db, { id: 'abcdef0011', status: 'failed' });
    await insertRun(db, { id: 'abcdef0022', status: 'failed' });
    const cases: [string[], number, string][] = [
      [['list', '--db', db.path, '--json', '--limit', 'ten'], 2, 'usage'],
      [['cancel', 'abcdef00', '--json', '--database', db.path], 2, 'usage'],
      [['show', 'ffffffff', '--db', db.path, '--json'], 4, 'not-found'],
      [['resume', 'abcdef00', '--db', db.path, '--json'], 2, 'ambiguous'],
      [['list', '--db', path.join(tempDir(), 'missing.db'), '--json'], 1, 'no-database'],
    ];
    for (const [args, code, kind] of cases) {
      const r = cli(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      const { error } = JSON.parse(r.stdout);
      assert.equal(error.code, kind, args.join(' '));
      assert.equal(typeof error.message, 'string');
      assert.ok(r.stderr.includes(error.message), 'a person still reads it on stderr');
    }
    assert.equal(cli(['show', 'ffffffff', '--db', db.path]).stdout, '', 'without --json, stdout stays empty');
  });

  it('shows a blob as its text, and an integer past 2^53 with every digit', async () => {
    const id = await insertRun(db, { status: 'failed' });
    await db.exec(`UPDATE remote_agent_workflow_runs SET workflow_name = CAST('fix-it' AS BLOB), current_step_index = 9007199254740993 WHERE id = '${id}'`);
    await db.exec(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, step_index) VALUES ('e1', '${id}', 'node_started', 12345678901234567)`);
    assert.match(cli(['list', '--db', db.path]).stdout, /failed ↻\s+fix-it\s/);
    assert.equal(JSON.parse(cli(['list', '--db', db.path, '--json']).stdout)[0].workflowName, 'fix-it');
    const human = cli(['show', id, '--db', db.path]).stdout;
    assert.match(human, /Workflow:\s+fix-it\n/);
    assert.match(human, /Current step:\s+9007199254740993\n/);
    assert.match(human, /node_started\s+step 12345678901234567/);
    const json = JSON.parse(cli(['show', id, '--db', db.path, '--json']).stdout);
    assert.equal(String(json.run.currentStepIndex), '9007199254740993');
    assert.equal(String(json.events[0].stepIndex), '12345678901234567');
  });

  it('bad databases exit 1 with one specific line', () => {
    const dir = tempDir();
    const text = path.join(dir, 'notes.db');
    fs.writeFileSync(text, 'not a database at all, just some text that is long enough to have a header\n'.repeat(3));
    for (const [file, pattern] of [
      [path.join(dir, 'missing.db'), /No database at .*missing\.db/],
      [text, /notes\.db is not a SQLite database/],
    ] as const) {
      const r = cli(['list', '--db', file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    assert.equal(fs.existsSync(path.join(dir, 'missing.db')), false, 'nothing created');
  });

  it('a FIFO in place of the database or its log is refused at once, never waited on', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'fifo.db');
    spawnSync('mkfifo', [fifo]);
    await insertRun(db, { status: 'failed' });
    const copy = path.join(dir, 'copy.db');
    fs.copyFileSync(db.path, copy);
    spawnSync('mkfifo', [copy + '-wal']);
    for (const [file, guard, name] of [[fifo, 'auto', 'fifo.db'], [fifo, 'none', 'fifo.db'], [copy, 'auto', 'copy.db-wal'], [copy, 'none', 'copy.db-wal']]) {
      const r = spawnSync(process.execPath, [CLI, 'list', '--db', file, '--guard', guard], { encoding: 'utf8', timeout: 10000 });
      assert.equal(r.signal, null, `${name} (guard ${guard}) hung`);
      assert.equal(r.status, 1);
      assert.equal(r.stderr, `workflow-runs: ${path.join(dir, name)} is not a regular file.\n`);
    }
  });

  it("finds Archon's database under ARCHON_HOME, and follows its DATABASE_URL to PostgreSQL (here a server that is down: a clear error, no password)", async () => {
    const home = path.dirname(db.path);
    await insertRun(db, { status: 'paused' });
    const r = cli(['list', '--json'], { ARCHON_HOME: home });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout)[0].status, 'paused');
    const pg = cli(['list'], { ARCHON_HOME: home, DATABASE_URL: 'postgres://archon:s3cret-pw@127.0.0.1:9/archon' });
    assert.equal(pg.code, 1);
    assert.match(pg.stderr, /^workflow-runs: Cannot reach PostgreSQL at 127\.0\.0\.1:9: connection refused\. Is the server running\?$/m);
    fs.writeFileSync(path.join(home, '.env'), 'DATABASE_URL="postgres://archon:s3cret-pw@127.0.0.1:9/archon"\n');
    const fromEnvFile = cli(['list'], { ARCHON_HOME: home });
    assert.match(fromEnvFile.stderr, /Cannot reach PostgreSQL at 127\.0\.0\.1:9/);
    assert.doesNotMatch(pg.stderr + fromEnvFile.stderr, /s3cret/);
    assert.equal(cli(['list', '--db', db.path], { ARCHON_HOME: home }).code, 0, '--db wins over DATABASE_URL');
  });

  it('--engine node-sqlite is honoured, and without it available the exit is 6 with what would help', async () => {
    const id = await insertRun(db, { status: 'failed' });
    const withSqlite = nodeWithSqlite();
    if (withSqlite) {
      const r = cli(['resume', id, '--db', db.path, '--engine', 'node-sqlite', '--json'], {}, withSqlite);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '', 'no experimental warning noise');
    }
    const noShell = cli(['resume', id, '--db', db.path, '--engine', 'sqlite3', '--sqlite3', '/nonexistent/sqlite3']);
    assert.equal(noShell.code, 6);
    assert.match(noShell.stderr, /No safe way to write.*install the sqlite3 command-line shell/);
  });

  it('follows a link to the database, or to its folder, to the log beside the target (read and write)', async () => {
    const id = await insertRun(db, { status: 'running', last_activity_at: "datetime('now')" });
    // Only in the -wal beside the real file: a reader that looks beside the link misses it.
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'failed' WHERE id = '${id}'`);
    const links = tempDir();
    fs.symlinkSync(db.path, path.join(links, 'archon.db'));
    fs.symlinkSync(path.dirname(db.path), path.join(links, 'folder'));
    for (const via of [path.join(links, 'archon.db'), path.join(links, 'folder', 'archon.db')]) {
      const [run] = JSON.parse(cli(['list', '--db', via, '--json']).stdout);
      assert.equal(run.status, 'failed', via);
    }
    const r = cli(['cancel', id, '--db', path.join(links, 'archon.db'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await runRow(db, id))!.status, 'cancelled');
    assert.ok(!fs.existsSync(path.join(links, 'archon.db-wal')), 'nothing written beside the link');
  });

  it('prints no control characters from the database to a terminal; JSON keeps the text exactly', async () => {
    // OSC 52 sets the clipboard; U+202E reverses what follows; U+009B is a one-byte CSI.
    const hostile = 'fix\u001b]52;c;cm0gLXJmIH4=\u0007-it\u202e\u009b31m\nline2';
    const id = await insertRun(db, { status: 'failed', workflow_name: hostile, metadata: JSON.stringify({ error: 'bad\u001b[2J' }) });
    await db.exec(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, step_name) VALUES ('e1', '${id}', 'node\u001b[31m', 'x\u0007')`);
    const outputs = [cli(['list', '--db', db.path]), cli(['show', id, '--db', db.path]), cli(['resume', id, '--db', db.path]), cli(['resume', id, '--db', db.path])];
    for (const r of outputs) {
      assert.doesNotMatch(r.stdout + r.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/, JSON.stringify(r.stdout + r.stderr));
    }
    assert.match(outputs[0].stdout, /fix␛\]52;c;/);
    const [run] = JSON.parse(cli(['list', '--db', db.path, '--json']).stdout);
    assert.equal(run.workflowName, hostile);
  });
});
