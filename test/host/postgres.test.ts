import * as assert from 'node:assert/strict';
import pg from 'pg';
import * as vscode from 'vscode';
import type { WorkflowRunsApi } from '../../src/extension';
import { insertPgRun, PG_SCHEMA } from '../support/postgres';
import { api, findRunNode, setting, treeLabels, waitFor } from './helpers';

describe('Workflow Runs on PostgreSQL in a real VS Code', function () {
  this.timeout(30000);
  let a: WorkflowRunsApi;
  let client: pg.Client;

  before(async () => {
    const url = process.env.WR_TEST_POSTGRES_URL;
    assert.ok(url, 'the runner starts a PostgreSQL server for this host');
    a = await api();
    await vscode.commands.executeCommand('workflowRuns.runs.focus');
    await waitFor('the Runs view to be visible', () => a.view.treeView.visible);
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('SET client_min_messages = warning');
    await client.query(PG_SCHEMA);
    await setting('scope', 'all');
    await setting('pollIntervalSeconds', 1);
    await setting('databasePath', undefined);
    await setting('databaseUrl', url);
  });
  after(async () => {
    for (const key of ['scope', 'pollIntervalSeconds', 'databaseUrl']) await setting(key, undefined);
    await client?.end();
  });

  const insert = (status: string, name: string) => insertPgRun(client, { status, workflow_name: name, last_activity_at: 'NOW()' });

  it('shows the runs, and a status change with its event from another connection within 2 s (NOTIFY)', async () => {
    const id = await insert('running', 'wf-on-postgres');
    await a.store.refresh(true);
    await waitFor('the PostgreSQL tree', () => a.store.state.kind === 'ready' && treeLabels(a).some((g) => g.runs.some((r) => r.startsWith('wf-on-postgres|'))), 10000);
    assert.match(a.store.state.kind === 'ready' ? a.store.state.where : '', /^PostgreSQL archon@127\.0\.0\.1:\d+\/archon$/, 'named without its password');
    findRunNode(a, id);
    await setting('pollIntervalSeconds', 0); // the notification alone must bring it
    const started = Date.now();
    await client.query('BEGIN');
    await client.query(`UPDATE remote_agent_workflow_runs SET status = 'failed', metadata = '{"error":"boom"}' WHERE id = $1`, [id]);
    await client.query(`INSERT INTO remote_agent_workflow_events (workflow_run_id, event_type) VALUES ($1, 'workflow_failed')`, [id]);
    await client.query('COMMIT');
    await waitFor('the failure in the tree', () => treeLabels(a).some((g) => g.group.startsWith('Failed') && g.runs.some((r) => r.startsWith('wf-on-postgres|'))), 2000);
    console.log(`      shown ${Date.now() - started} ms after the commit`);
    await setting('pollIntervalSeconds', 1);
  });

  it('resumes and cancels on the server, and a change without an event is caught by polling', async () => {
    const id = await insert('failed', 'wf-pg-actions');
    await a.store.refresh(true);
    await waitFor('the run', () => treeLabels(a).some((g) => g.runs.some((r) => r.startsWith('wf-pg-actions|'))), 5000);
    await vscode.commands.executeCommand('workflowRuns.resume', findRunNode(a, id));
    assert.equal((await client.query('SELECT status FROM remote_agent_workflow_runs WHERE id = $1', [id])).rows[0].status, 'running');
    assert.match(a.notifier.shown[a.notifier.shown.length - 1].message, /^Claimed wf-pg-actions/);
    // Another connection cancels it: no event is written, polling shows it.
    await client.query(`UPDATE remote_agent_workflow_runs SET status = 'cancelled', completed_at = NOW() WHERE id = $1`, [id]);
    await waitFor('the cancel in the tree', () => treeLabels(a).some((g) => g.group.startsWith('Cancelled') && g.runs.some((r) => r.startsWith('wf-pg-actions|'))), 5000);
  });
});
