import * as assert from 'node:assert/strict';
import { PostgresReader } from '../../src/core/postgres/postgresReader';
import { PostgresWriter } from '../../src/core/postgres/postgresWriter';
import { archonPg, insertPgRun, PG_SCHEMA } from '../support/postgres';
import { server } from './server';

/**
 * Whoever may create objects in a schema on the connecting role's search_path (`public`, before
 * PostgreSQL 15 anyone) can plant a function or an operator that matches our arguments' types more
 * exactly than pg_catalog's, and it would run as our role. Our statements see pg_catalog only.
 */
describe('PostgreSQL: a planted function or operator never runs, and tables are found in their schema', function () {
  this.timeout(30000);
  let db: Awaited<ReturnType<typeof archonPg>>;
  beforeEach(async () => {
    db = await archonPg(server());
  });
  afterEach(async () => {
    await db?.close();
  });

  it('public.left(character varying, integer) and a varchar = operator in public are never called by reads, Resume or Cancel', async () => {
    await db.client.query(`INSERT INTO remote_agent_codebases (id, name, default_cwd) VALUES ('c0000000-0000-4000-8000-000000000001', 'acme/widgets', '/src/widgets')`);
    const failed = await insertPgRun(db.client, { status: 'failed', codebase_id: 'c0000000-0000-4000-8000-000000000001', metadata: { error: 'boom' } });
    const running = await insertPgRun(db.client, { status: 'running', working_path: '/src/widgets/wt', last_activity_at: 'NOW()' });
    const plants: [string, string, RegExp][] = [
      [
        `CREATE FUNCTION public.left(character varying, integer) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted left() ran'; END $$`,
        'SELECT left(default_cwd, 3) FROM remote_agent_codebases',
        /planted left\(\) ran/,
      ],
      [
        `CREATE FUNCTION public.planted_eq(character varying, character varying) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted = ran'; END $$;
         CREATE OPERATOR public.= (LEFTARG = character varying, RIGHTARG = character varying, FUNCTION = public.planted_eq)`,
        `SELECT 1 FROM remote_agent_workflow_runs WHERE status IN ('failed', 'paused')`,
        /planted = ran/,
      ],
    ];
    for (const [plant, probe, ran] of plants) {
      await db.client.query(plant);
      // The plant is chosen over pg_catalog's on an ordinary search_path (the test's own connection).
      await assert.rejects(db.client.query(probe), ran);
      const reader = new PostgresReader(db.url);
      try {
        const scoped = (await reader.read('overview', { base: { folders: ['/src/widgets'] }, statuses: [], limits: {}, defaultLimit: 10 })).value;
        assert.deepEqual(scoped.groups.map((g) => [g.key, g.runs.map((r) => r.id)]), [['running', [running]], ['failed', [failed]]]);
        assert.deepEqual((await reader.read('listRuns', { statuses: ['failed'], text: failed.slice(0, 8), folders: ['/src'] })).value.map((r) => r.id), [failed]);
        assert.deepEqual((await reader.read('resolveId', failed.slice(0, 8))).value, { kind: 'found', id: failed });
        assert.equal((await reader.read('watch', { completed: false, folders: ['/src/widgets'] })).value.running, 1);
      } finally {
        reader.dispose();
      }
    }
    const writer = new PostgresWriter(db.url);
    try {
      assert.equal((await writer.resume(failed)).outcome, 'resumed');
      assert.equal((await writer.cancel(running)).outcome, 'cancelled');
    } finally {
      writer.dispose();
    }
  });

  it("finds Archon's tables in the first schema of the role's search_path that has them, as Archon does, whatever its name", async () => {
    const schema = 'Archon "runs"';
    const database = new URL(db.url).pathname.slice(1);
    await db.client.query(`CREATE SCHEMA "Archon ""runs"""; SET search_path = "Archon ""runs""", public; SET client_min_messages = warning`);
    await db.client.query(PG_SCHEMA);
    await db.client.query(`ALTER DATABASE ${database} SET search_path = "Archon ""runs""", public`);
    const id = await insertPgRun(db.client, { status: 'failed', metadata: { error: 'in the other schema' } });
    // public's tables (the fixture's) stay empty: a decoy later on the path.
    assert.equal((await db.client.query('SELECT count(*)::int AS n FROM public.remote_agent_workflow_runs')).rows[0].n, 0);
    assert.equal((await db.client.query(`SELECT current_schemas(false)::text[] AS s`)).rows[0].s[0], schema);

    const reader = new PostgresReader(db.url);
    const writer = new PostgresWriter(db.url);
    try {
      assert.deepEqual((await reader.read('listRuns', {})).value.map((r) => [r.id, r.error]), [[id, 'in the other schema']]);
      assert.equal((await writer.resume(id)).outcome, 'resumed');
      const history = (await reader.read('history', { id, events: 10 })).value!;
      assert.equal(history.run.status, 'running');
      assert.deepEqual(history.events.map((e) => e.type), ['workflow_resumed']);
    } finally {
      reader.dispose();
      writer.dispose();
    }
  });
});
