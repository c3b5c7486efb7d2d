import * as fs from 'node:fs';
import * as path from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from './fixtures';

export const PG_SCHEMA = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'archon-schema.pg.sql'), 'utf8');

interface Server {
  port: number;
  password: string;
  url(overrides?: Record<string, string | number>): string;
  stop(): Promise<void>;
}

/** scripts/postgres/server.js: a throwaway server from Debian's package, on loopback. */
export function startPostgres(options: { ssl?: boolean } = {}): Promise<Server> {
  return (require(path.join(REPO_ROOT, 'scripts', 'postgres', 'server.js')) as { startPostgres(o: object): Promise<Server> }).startPostgres(options);
}

let dbCount = 0;

/**
 * A database of its own on the suite's server, with Archon's schema (test/fixtures/archon-schema.pg.sql),
 * and a client connection to it for the test's own statements (another connection than the one under test).
 */
export async function archonPg(server: Server): Promise<{ url: string; client: pg.Client; close(): Promise<void> }> {
  const name = `t${process.pid}_${++dbCount}`;
  const admin = new pg.Client({ connectionString: server.url({ query: 'sslmode=disable' }) });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = server.url({ database: name });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SET client_min_messages = warning');
  await client.query(PG_SCHEMA);
  return { url, client, close: () => client.end() };
}

/** A conversation every test run can belong to. */
export const CONVERSATION = '00000000-0000-4000-8000-000000000001';

export interface PgRunSeed {
  id?: string;
  status?: string;
  workflow_name?: string;
  metadata?: unknown;
  /** SQL expressions, e.g. "NOW() - interval '2 hours'". */
  started_at?: string;
  last_activity_at?: string;
  completed_at?: string;
  working_path?: string | null;
  codebase_id?: string | null;
  parent_run_id?: string | null;
  user_message?: string;
}

/** Inserts a run (and the conversation it needs), returning its id. */
export async function insertPgRun(client: pg.Client, seed: PgRunSeed = {}): Promise<string> {
  await client.query(`INSERT INTO remote_agent_conversations (id, platform_type, platform_conversation_id) VALUES ($1, 'cli', 'c1') ON CONFLICT DO NOTHING`, [CONVERSATION]);
  const { rows } = await client.query(
    `INSERT INTO remote_agent_workflow_runs (id, workflow_name, conversation_id, user_message, status, metadata, started_at, last_activity_at, completed_at, working_path, codebase_id, parent_run_id)
     VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6::jsonb, ${seed.started_at ?? "NOW() - interval '1 hour'"}, ${seed.last_activity_at ?? "NOW() - interval '30 minutes'"}, ${seed.completed_at ?? 'NULL'}, $7, $8, $9)
     RETURNING id::text AS id`,
    [
      seed.id ?? null,
      seed.workflow_name ?? 'archon-fix-github-issue',
      CONVERSATION,
      seed.user_message ?? 'Fix the flaky test',
      seed.status ?? 'failed',
      JSON.stringify(seed.metadata ?? {}),
      seed.working_path ?? null,
      seed.codebase_id ?? null,
      seed.parent_run_id ?? null,
    ],
  );
  return rows[0].id;
}

export async function pgRow(client: pg.Client, id: string): Promise<Record<string, unknown> | undefined> {
  return (await client.query('SELECT * FROM remote_agent_workflow_runs WHERE id = $1', [id])).rows[0];
}
