import * as assert from 'node:assert/strict';
import { PostgresListener } from '../../src/core/postgres/postgresListener';
import { queryOn } from '../../src/core/postgres/namedParams';
import { postgresEngine, PostgresReader } from '../../src/core/postgres/postgresReader';
import { beginPinned, detectSchema } from '../../src/core/postgres/postgresSchema';
import { gateActions, SUMMARY_TEXT_MAX } from '../../src/core/model/runModel';
import type { Row } from '../../src/core/model/runRow';
import type { StatusWatch, WatchRequest } from '../../src/core/model/statusWatch';
import { type Plan, runAsync } from '../../src/core/reads/plan';
import { getRun, listRuns, watch } from '../../src/core/reads/runReads';
import { RunSql } from '../../src/core/runSql';
import { archonPg, insertPgRun } from '../support/postgres';
import { server } from './server';

const GATE = { approval: { nodeId: 'review', message: 'Ship it?', type: 'approval' } };

describe('PostgreSQL: the same reads as on SQLite, on a real server', function () {
  this.timeout(30000);
  let db: Awaited<ReturnType<typeof archonPg>>;
  let reader: PostgresReader;
  beforeEach(async () => {
    db = await archonPg(server());
    reader = new PostgresReader(db.url);
  });
  afterEach(async () => {
    reader?.dispose();
    await db?.close();
  });

  const read = async <T>(p: Promise<{ value: T }>) => (await p).value;

  /** Runs a read's plan in one transaction as the reader does, with every row that comes back from the server. */
  async function traced<T>(plan: (sql: RunSql) => Plan<T>): Promise<{ value: T; rows: Row[] }> {
    const rows: Row[] = [];
    const query = queryOn(db.client);
    const schemas = await beginPinned(db.client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const engine = postgresEngine(async (sql, params) => {
        const got = await query(sql, params);
        rows.push(...got);
        return got;
      });
      const value = await runAsync(plan(new RunSql('postgres', await detectSchema(query, schemas, 'test'))), engine);
      return { value, rows };
    } finally {
      await db.client.query('COMMIT');
    }
  }
  const longest = (rows: Row[]) => Math.max(0, ...rows.flatMap((row) => Object.values(row).map((v) => (typeof v === 'string' ? v.length : 0))));

  it('the overview: groups in order with counts, interrupted runs, open gates, and the newest runs of each', async () => {
    await db.client.query(`INSERT INTO remote_agent_codebases (id, name, default_cwd) VALUES ('c0000000-0000-4000-8000-000000000001', 'acme/widgets', '/src/widgets')`);
    for (let i = 0; i < 4; i++) await insertPgRun(db.client, { status: 'completed', workflow_name: `done-${i}`, started_at: `NOW() - interval '${i} hours'` });
    await insertPgRun(db.client, { status: 'failed', codebase_id: 'c0000000-0000-4000-8000-000000000001' });
    await insertPgRun(db.client, { status: 'running', last_activity_at: 'NOW()' });
    await insertPgRun(db.client, { status: 'running', last_activity_at: "NOW() - interval '3 days'" });
    await insertPgRun(db.client, { status: 'paused', metadata: GATE });
    await insertPgRun(db.client, { status: 'mystery' });
    const overview = await read(reader.read('overview', { base: {}, statuses: [], limits: { completed: 2 }, defaultLimit: 10 }));
    assert.deepEqual(overview.groups.map((g) => [g.key, g.count, g.runs.length]), [
      ['running', 2, 2],
      ['paused', 1, 1],
      ['failed', 1, 1],
      ['completed', 4, 2],
      ['other', 1, 1],
    ]);
    assert.equal(overview.counts.interrupted, 1);
    assert.equal(overview.openGates, 1);
    assert.equal(overview.hasResumable, true);
    assert.deepEqual(overview.groups.find((g) => g.key === 'completed')!.runs.map((r) => r.workflowName), ['done-0', 'done-1'], 'newest first');
    const scoped = await read(reader.read('overview', { base: { folders: ['/src/widgets'] }, statuses: [], limits: {}, defaultLimit: 10 }));
    assert.deepEqual(scoped.groups.map((g) => g.key), ['failed']);
    assert.equal(scoped.groups[0].runs[0].codebaseName, 'acme/widgets');
    assert.equal(scoped.groups[0].runs[0].projectPath, '/src/widgets');
  });

  it('a run in the same model as on SQLite: UTC ISO dates to the second, JSONB metadata, the gate, events in order, child runs', async () => {
    const parent = await insertPgRun(db.client, { status: 'paused', metadata: { ...GATE, error: 'boom' }, started_at: "'2026-03-02 08:30:05.678+02'" });
    const child = await insertPgRun(db.client, { status: 'running', parent_run_id: parent, last_activity_at: 'NOW()' });
    await db.client.query(`INSERT INTO remote_agent_workflow_events (workflow_run_id, event_type, step_name, data, created_at) VALUES
      ($1, 'node_failed', 'implement', '{"error":"x"}', '2026-03-02 09:00:00+00'), ($1, 'workflow_started', NULL, '{}', '2026-03-02 08:30:05+00')`, [parent]);
    const history = (await read(reader.read('history', { id: parent, events: 10 })))!;
    assert.equal(history.run.startedAt, '2026-03-02T06:30:05Z');
    assert.equal(history.run.error, 'boom');
    assert.equal(history.run.openGate, true);
    assert.deepEqual(history.run.approval, { type: 'approval', nodeId: 'review', message: 'Ship it?', childRunId: null, iteration: null, decisions: [] });
    assert.deepEqual(history.run.metadata, { ...GATE, error: 'boom' });
    assert.equal(history.run.metadataValid, true);
    assert.deepEqual(history.events.map((e) => [e.type, e.createdAt]), [['workflow_started', '2026-03-02T08:30:05Z'], ['node_failed', '2026-03-02T09:00:00Z']]);
    assert.equal(typeof history.events[0].order, 'number', 'event_order from its sequence, as a number');
    assert.deepEqual(history.children.map((c) => c.id), [child]);
  });

  it('filters by status, text, id prefix; resolves ids and prefixes; and an id that is no UUID names nothing', async () => {
    const a = await insertPgRun(db.client, { status: 'failed', workflow_name: 'archon-smart-pr-review', user_message: 'Review PR #88' });
    await insertPgRun(db.client, { status: 'completed', workflow_name: 'archon-assist' });
    assert.deepEqual((await read(reader.read('listRuns', { statuses: ['failed'] }))).map((r) => r.id), [a]);
    assert.deepEqual((await read(reader.read('listRuns', { text: 'PR #88' }))).map((r) => r.id), [a]);
    assert.deepEqual((await read(reader.read('listRuns', { text: a.slice(0, 8) }))).map((r) => r.id), [a]);
    assert.equal((await read(reader.read('listRuns', { limit: 1 }))).length, 1);
    assert.deepEqual(await read(reader.read('resolveId', a.slice(0, 10).toUpperCase())), { kind: 'found', id: a });
    assert.deepEqual(await read(reader.read('resolveId', 'abc')), { kind: 'too-short' });
    assert.deepEqual(await read(reader.read('resolveId', 'ffffffff-ffff')), { kind: 'not-found' });
    assert.equal(await read(reader.read('getRun', "x' OR 1=1 --")), undefined);
    assert.deepEqual(await read(reader.read('counts', {})), { failed: 1, completed: 1 });
  });

  it('the status watch tells of a run another connection failed or paused at a gate', async () => {
    const fails = await insertPgRun(db.client, { status: 'running', workflow_name: 'wf-fails', last_activity_at: 'NOW()' });
    const asks = await insertPgRun(db.client, { status: 'running', workflow_name: 'wf-asks', last_activity_at: 'NOW()' });
    const first = await read(reader.read('watch', { completed: false }));
    assert.deepEqual(first.arrived, []);
    assert.equal(first.running, 2);
    await db.client.query(`UPDATE remote_agent_workflow_runs SET status = 'failed' WHERE id = $1`, [fails]);
    await db.client.query(`UPDATE remote_agent_workflow_runs SET status = 'paused', metadata = $2 WHERE id = $1`, [asks, JSON.stringify(GATE)]);
    const second = await read(reader.read('watch', { completed: false, memory: first.memory }));
    assert.deepEqual(second.arrived.map((a) => `${a.kind}:${a.run.workflowName}`).sort(), ['failed:wf-fails', 'gate:wf-asks']);
    assert.equal(second.awaiting, 1);
  });

  it('an open gate waits on a person: not once resolved, not a parent waiting on its child (fields of metadata.approval, not of metadata); odd metadata is no error', async () => {
    const gate = (approval: unknown, rest: object = {}) => ({ ...rest, approval });
    const resolved = await insertPgRun(db.client, { status: 'paused', metadata: gate({ nodeId: 'n', message: 'm', type: 'approval', resolved: 'approved' }) });
    const parent = await insertPgRun(db.client, { status: 'paused', metadata: gate({ nodeId: 'n', message: 'm', type: 'child_workflow', childRunId: 'c1' }) });
    const open = await insertPgRun(db.client, { status: 'paused', metadata: gate({ nodeId: 'loop', message: 'What next?', type: 'interactive_loop', iteration: 3 }) });
    const decisions = await insertPgRun(db.client, {
      status: 'paused',
      metadata: gate({ nodeId: 'n', message: 'Which?', type: 'approval', decisionsAuthored: true, decisions: [{ id: 'ship', label: 'Ship it' }, { id: 'hold' }] }),
    });
    // Keys named like the gate's, but beside it: they say nothing of the gate.
    const beside = await insertPgRun(db.client, { status: 'paused', metadata: gate({ nodeId: 'n', message: 'm', type: 'approval' }, { resolved: 'approved', type: 'child_workflow' }) });
    const odd = await insertPgRun(db.client, { status: 'paused', metadata: gate('not an object') });
    const list = await insertPgRun(db.client, { status: 'paused', metadata: ['approval'] });
    const waiting = [open, decisions, beside, odd, list].sort();
    const runs = Object.fromEntries((await read(reader.read('listRuns', {}))).map((r) => [r.id, r]));
    assert.deepEqual(
      [resolved, parent, open, decisions, beside, odd, list].map((id) => runs[id].openGate),
      [false, false, true, true, true, true, true],
    );
    assert.deepEqual((await read(reader.read('listRuns', { openGate: true }))).map((r) => r.id).sort(), waiting);
    assert.equal((await read(reader.read('overview', { base: {}, statuses: [], limits: {}, defaultLimit: 10 }))).openGates, 5, 'the tally counts with the same predicate');
    assert.deepEqual([...(await read(reader.read('watch', { completed: false }))).memory.gates].sort(), waiting);
    assert.deepEqual(gateActions(runs[open]), { decide: true, respond: true }, 'an interactive loop takes an answer');
    assert.deepEqual(gateActions(runs[decisions]), { decide: true, respond: true }, 'declared decisions');
    assert.deepEqual(runs[decisions].approval!.decisions, [{ id: 'ship', label: 'Ship it' }, { id: 'hold', label: null }]);
    assert.deepEqual(gateActions(runs[beside]), { decide: true, respond: false });
    assert.deepEqual([gateActions(runs[odd]), gateActions(runs[list])], [{ decide: false, respond: false }, { decide: false, respond: false }], 'nothing Archon could answer');
    assert.equal(runs[parent].approval!.childRunId, 'c1');
  });

  it('a list reads from the metadata only the error and the gate, long texts cut; one run’s details read them whole', async () => {
    const long = (c: string) => c.repeat(5000);
    const metadata = { error: long('e'), nodes: long('n').repeat(200), approval: { nodeId: 'review', message: long('q'), type: 'approval', onRejectPrompt: long('p') } };
    const id = await insertPgRun(db.client, { status: 'paused', metadata, user_message: long('m') });
    await insertPgRun(db.client, { status: 'completed', metadata: { approval: { ...GATE.approval, type: 'child_workflow', childRunId: id } } });
    const list = await traced((sql) => listRuns(sql, {}));
    const run = list.value.find((r) => r.id === id)!;
    assert.equal(run.error, `${'e'.repeat(SUMMARY_TEXT_MAX - 1)}…`);
    assert.equal(run.userMessage, `${'m'.repeat(SUMMARY_TEXT_MAX - 1)}…`);
    assert.equal(run.approval?.message, `${'q'.repeat(SUMMARY_TEXT_MAX - 1)}…`);
    assert.equal(list.value.find((r) => r.id !== id)!.approval, null, 'a finished run has no gate');
    assert.ok(longest(list.rows) <= SUMMARY_TEXT_MAX + 1, `a list read ${longest(list.rows)} characters of one value`);
    const details = (await traced((sql) => getRun(sql, id))).value!;
    assert.equal(details.error, long('e'));
    assert.equal(details.approval?.message, long('q'));
    assert.deepEqual(details.metadata, metadata);
  });

  it('the status watch reads failed runs incrementally: a quiet poll reads bucket digests, not every failed run', async () => {
    await insertPgRun(db.client, {});
    await db.client.query(`INSERT INTO remote_agent_workflow_runs (workflow_name, conversation_id, user_message, status)
      SELECT 'wf-' || i, (SELECT conversation_id FROM remote_agent_workflow_runs LIMIT 1), 'm', CASE WHEN i % 3 = 0 THEN 'completed' ELSE 'failed' END FROM generate_series(1, 6000) i`);
    const poll = (request: WatchRequest) => traced((sql) => watch(sql, request)) as Promise<{ value: StatusWatch; rows: Row[] }>;
    const first = await poll({ completed: true });
    assert.ok(first.rows.length > 6000, 'a first watch learns every key');
    const quiet = await poll({ completed: true, memory: first.value.memory });
    assert.deepEqual(quiet.value.arrived, []);
    assert.ok(quiet.rows.length <= 2 * 256, `a quiet poll read ${quiet.rows.length} rows`);
    // wf-3 was completed and fails; wf-4 had failed and completes.
    await db.client.query(`UPDATE remote_agent_workflow_runs SET status = CASE status WHEN 'failed' THEN 'completed' ELSE 'failed' END WHERE workflow_name IN ('wf-3', 'wf-4')`);
    const moved = await poll({ completed: true, memory: quiet.value.memory });
    assert.deepEqual(moved.value.arrived.map((a) => `${a.kind}:${a.run.workflowName}`).sort(), ['completed:wf-4', 'failed:wf-3']);
    assert.ok(moved.rows.length < 1000, `only the changed buckets' keys are read again (${moved.rows.length} rows)`);
  });

  it('pages a run’s events: its newest N with how many there are, or all of them through a cursor', async () => {
    const id = await insertPgRun(db.client, { status: 'running' });
    await db.client.query(`INSERT INTO remote_agent_workflow_events (workflow_run_id, event_type, data, created_at)
      SELECT $1, 'node_completed', jsonb_build_object('i', i), '2026-01-01'::timestamptz + (i / 3) * interval '1 second' FROM generate_series(1, 1300) i`, [id]);
    const page = await read(reader.read('events', { runId: id, newest: 200 }));
    assert.equal(page.total, 1300);
    assert.deepEqual(page.events.map((e) => (e.data as { i: number }).i), Array.from({ length: 200 }, (_, k) => 1101 + k));
    const all: number[] = [];
    let head;
    assert.equal(await reader.stream('history', { id, events: 'all' }, (part) => ('head' in part ? (head = part.head) : all.push(...part.events.map((e) => (e.data as { i: number }).i)))), true);
    assert.equal(head!.eventCount, 1300);
    assert.deepEqual(all, Array.from({ length: 1300 }, (_, k) => k + 1));
  });

  it('equal data reads to equal fingerprints, and a change to another', async () => {
    const id = await insertPgRun(db.client, { status: 'failed' });
    const request = { base: {}, statuses: [], limits: {}, defaultLimit: 10 };
    const one = await reader.read('overview', request);
    assert.equal((await reader.read('overview', request)).fingerprint, one.fingerprint);
    await db.client.query(`UPDATE remote_agent_workflow_runs SET status = 'cancelled' WHERE id = $1`, [id]);
    assert.notEqual((await reader.read('overview', request)).fingerprint, one.fingerprint);
  });

  it('LISTEN: another connection inserting an event is heard, through a reconnect too', async () => {
    const id = await insertPgRun(db.client, { status: 'running' });
    let heard = 0;
    const listener = new PostgresListener(db.url, () => heard++);
    try {
      await waitUntil(async () => {
        await db.client.query(`INSERT INTO remote_agent_workflow_events (workflow_run_id, event_type) VALUES ($1, 'node_started')`, [id]);
        return heard > 0;
      });
      // The server ends the listening connection: it comes back and is heard again.
      await db.client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN archon_dashboard_event' AND datname = current_database()`);
      const before = heard;
      await waitUntil(async () => {
        await db.client.query(`INSERT INTO remote_agent_workflow_events (workflow_run_id, event_type) VALUES ($1, 'node_completed')`, [id]);
        return heard > before + 1;
      }, 10000);
    } finally {
      listener.dispose();
    }
  });

  it('TLS as the URL asks for it: no-verify encrypts, disable does not, require refuses a certificate it cannot verify', async () => {
    const { PostgresReader: Reader } = await import('../../src/core/postgres/postgresReader');
    const pg = await import('pg');
    for (const [mode, encrypted] of [['no-verify', true], ['disable', false]] as const) {
      const url = db.url.replace(/sslmode=[^&]*/, `sslmode=${mode}`);
      const client = new pg.default.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      await client.end();
      assert.equal(rows[0].ssl, encrypted, mode);
      const r = new Reader(url);
      assert.deepEqual(await read(r.read('listRuns', {})), [], `reads with sslmode=${mode}`);
      r.dispose();
    }
    // require verifies the certificate (node-postgres's reading): this server's is self-signed.
    const strict = new Reader(db.url.replace(/sslmode=[^&]*/, 'sslmode=require'));
    await assert.rejects(strict.read('listRuns', {}), (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'unreachable');
      assert.match(err.message, /^TLS to PostgreSQL at 127\.0\.0\.1:\d+ failed: self-signed certificate\.$/);
      return true;
    });
    strict.dispose();
  });

  it('clear problems, never the password: a wrong password, a server that is down, no such database, not an Archon database, a bad URL', async () => {
    const s = server();
    const cases: [string, string, RegExp][] = [
      [s.url({ password: 'wrong-password' }), 'auth', /^PostgreSQL at 127\.0\.0\.1:\d+ refused the login of "archon": password authentication failed for user "archon"\.$/],
      [s.url({ port: 9 }), 'unreachable', /^Cannot reach PostgreSQL at 127\.0\.0\.1:9: connection refused\. Is the server running\?$/],
      [s.url({ database: 'nowhere' }), 'no-database', /^PostgreSQL at 127\.0\.0\.1:\d+ has no database "nowhere"\.$/],
      [s.url({ database: 'postgres' }), 'missing-tables', /has no remote_agent_workflow_runs table: it is not an Archon database/],
      ['postgres://archon:hunter22@[::1/x', 'usage', /^The PostgreSQL connection URL is not valid: postgres:\/\/user:password@host:port\/database$/],
    ];
    for (const [url, kind, message] of cases) {
      const r = new PostgresReader(url);
      const started = Date.now();
      await assert.rejects(r.read('listRuns', {}), (err: Error & { kind?: string }) => {
        assert.equal(err.kind, kind, `${err.message}`);
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, new RegExp(`${s.password}|wrong-password|hunter22`), 'no password in the message');
        return true;
      });
      assert.ok(Date.now() - started < 8000, 'an answer, not a hang');
      r.dispose();
    }
  });
});

async function waitUntil(probe: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  for (const until = Date.now() + timeoutMs; ; ) {
    if (await probe()) return;
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
