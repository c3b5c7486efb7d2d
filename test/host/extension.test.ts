import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkflowRunsApi } from '../../src/extension';
import { statusIcon } from '../../src/vscode/treeViews/icons';
import { archonDb, cleanupTempDirs, insertRun, lit, runRow, tempDir } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';
import { api, findRunNode, lastShown, setting, shownNodes, stubArchon, treeLabels, useDatabase, waitFor } from './helpers';

describe('Workflow Runs in a real VS Code', function () {
  this.timeout(30000);
  let a: WorkflowRunsApi;
  let db: LiveDb;

  before(async () => {
    a = await api();
    console.log(`      (activate() took ${a.activationMs.toFixed(1)} ms)`);
    // The store reads only while the view is visible: show it, as a person would.
    await vscode.commands.executeCommand('workflowRuns.runs.focus');
    await waitFor('the Runs view to be visible', () => a.view.treeView.visible);
    await setting('scope', 'all');
    await setting('pollIntervalSeconds', 0); // prove the file watcher, not polling, does the refresh
  });
  beforeEach(async () => {
    db = await archonDb();
    a.notifier.shown.length = 0;
    a.notifier.answer = undefined;
  });
  afterEach(async () => {
    await db?.close();
  });
  after(async () => {
    await setting('databasePath', undefined);
    await setting('scope', undefined);
    await setting('pollIntervalSeconds', undefined);
    cleanupTempDirs();
  });

  it('activates and shows the database as status groups with counts, in order', async () => {
    await db.exec(`INSERT INTO remote_agent_codebases (id, name, default_cwd) VALUES ('cb', 'acme/widgets', '/src/widgets')`);
    await insertRun(db, { status: 'completed', workflow_name: 'wf-done' });
    await insertRun(db, { status: 'failed', workflow_name: 'wf-failed', codebase_id: 'cb' });
    await insertRun(db, { status: 'running', workflow_name: 'wf-live', last_activity_at: "datetime('now')" });
    await insertRun(db, { status: 'running', workflow_name: 'wf-orphan', last_activity_at: "datetime('now', '-3 days')" });
    await insertRun(db, { status: 'paused', workflow_name: 'wf-gate' });
    const state = await useDatabase(a, db.path);
    assert.equal(state.kind, 'ready');
    const tree = treeLabels(a);
    assert.deepEqual(tree.map((g) => g.group), ['Running (2)', 'Paused (awaiting approval) (1)', 'Failed (1)', 'Completed (1)']);
    const running = tree[0].runs;
    assert.ok(running.some((r) => r.startsWith('wf-orphan|interrupted — resumable')), running.join('; '));
    assert.ok(tree[2].runs[0].startsWith('wf-failed|') && tree[2].runs[0].endsWith('acme/widgets'), tree[2].runs[0]);
    const failedNode = findRunNode(a, (await db.query(`SELECT id FROM remote_agent_workflow_runs WHERE workflow_name = 'wf-failed'`))[0].id as string);
    assert.match(String(failedNode.contextValue), /\bresumable\b/);
    assert.match(String(failedNode.contextValue), /\bcancellable\b/);
    const done = findRunNode(a, (await db.query(`SELECT id FROM remote_agent_workflow_runs WHERE workflow_name = 'wf-done'`))[0].id as string);
    assert.doesNotMatch(String(done.contextValue), /resumable|cancellable/);
  });

  it('resumes a failed run through the command: the row is running and the claim is reported', async () => {
    const id = await insertRun(db, { status: 'failed', metadata: '{"error":"node implement failed"}' });
    await useDatabase(a, db.path);
    await vscode.commands.executeCommand('workflowRuns.resume', findRunNode(a, id));
    const row = await runRow(db, id);
    assert.equal(row!.status, 'running');
    assert.equal(await db.scalar(`SELECT count(*) FROM remote_agent_workflow_events WHERE workflow_run_id = ${lit(id)} AND event_type = 'workflow_resumed'`), 1);
    const shown = lastShown(a);
    assert.equal(shown.level, 'info');
    assert.match(shown.message, /^Claimed archon-fix-github-issue \(\w{8}\): it is now running and nothing else can resume it\./);
    assert.match(shown.message, /A claim starts no work; to have Archon continue a run, use Resume with Archon\.$/);
  });

  it('reports a lost race with the current status and changes nothing', async () => {
    const id = await insertRun(db, { status: 'failed', metadata: '{"error":"x"}' });
    await useDatabase(a, db.path);
    const node = findRunNode(a, id);
    // Another process (the CLI, another window) claims it after the tree listed it.
    await db.exec(`BEGIN IMMEDIATE; UPDATE remote_agent_workflow_runs SET status = 'running', last_activity_at = datetime('now'), metadata = '{}' WHERE id = ${lit(id)}; COMMIT`);
    const before = await runRow(db, id);
    await vscode.commands.executeCommand('workflowRuns.resume', node);
    assert.deepEqual(await runRow(db, id), before, 'row unchanged');
    assert.equal(await db.scalar('SELECT count(*) FROM remote_agent_workflow_events'), 0, 'the loser wrote no event');
    const shown = lastShown(a);
    assert.equal(shown.level, 'warning');
    assert.match(shown.message, /is already running — another window, the CLI or the server claimed it first\. Nothing changed\./);
    assert.deepEqual(shown.items, ['Refresh']);
  });

  describe("Archon's own CLI, as a task with an argument array", () => {
    // Quotes, backslashes, $(), backticks, ;, a newline and a leading -: each must reach Archon as typed.
    const HOSTILE_ID = `-x'; touch PWNED; $(touch PWNED) \`touch PWNED\` "q" \\ \nnext`;
    const HOSTILE_NAME = "x\\'; touch PWNED; #";
    let archon: ReturnType<typeof stubArchon>;
    before(async () => {
      archon = stubArchon(tempDir());
      await setting('archonPath', archon.path);
    });
    after(() => setting('archonPath', undefined));

    it('Resume with Archon runs `archon workflow resume -- <id>` in the working folder, and claims nothing itself', async () => {
      const worktree = tempDir();
      await insertRun(db, { id: HOSTILE_ID, status: 'failed', working_path: worktree });
      await useDatabase(a, db.path);
      const before = await runRow(db, HOSTILE_ID);
      await vscode.commands.executeCommand('workflowRuns.resumeWithArchon', findRunNode(a, HOSTILE_ID));
      const [call] = await waitFor('archon to be called', () => archon.calls().length > 0 && archon.calls());
      assert.deepEqual(call, { argv: ['workflow', 'resume', '--', HOSTILE_ID], cwd: worktree });
      assert.deepEqual(await runRow(db, HOSTILE_ID), before, 'Archon claims it, not the extension');
      assert.ok(!fs.existsSync(path.join(worktree, 'PWNED')), 'nothing in the id ran');
    });

    it('an interrupted run goes to `archon workflow run --resume -- <name>`, its name one argument', async () => {
      const worktree = tempDir();
      const id = await insertRun(db, { status: 'running', workflow_name: HOSTILE_NAME, working_path: worktree, last_activity_at: "datetime('now', '-3 days')" });
      await useDatabase(a, db.path);
      const seen = archon.calls().length;
      await vscode.commands.executeCommand('workflowRuns.resumeWithArchon', findRunNode(a, id));
      const calls = await waitFor('archon to be called', () => archon.calls().length > seen && archon.calls());
      assert.deepEqual(calls[seen], { argv: ['workflow', 'run', '--resume', '--', HOSTILE_NAME], cwd: worktree });
      assert.ok(!fs.existsSync(path.join(worktree, 'PWNED')));
    });

    it("reports Archon's exit code when it fails", async () => {
      const failing = stubArchon(tempDir(), 7);
      const id = await insertRun(db, { status: 'paused', working_path: tempDir() });
      await useDatabase(a, db.path);
      await setting('archonPath', failing.path);
      try {
        await vscode.commands.executeCommand('workflowRuns.resumeWithArchon', findRunNode(a, id));
        await waitFor('the exit code to be reported', () => /Archon ended with exit code 7 while resuming/.test(lastShown(a)?.message ?? ''), 10000);
        assert.equal(failing.calls().length, 1);
      } finally {
        await setting('archonPath', archon.path);
      }
    });

    it('without Archon, says which setting to set and starts nothing', async () => {
      const id = await insertRun(db, { status: 'failed', working_path: tempDir() });
      await useDatabase(a, db.path);
      await setting('archonPath', path.join(tempDir(), 'no-archon-here'));
      try {
        const seen = archon.calls().length;
        await vscode.commands.executeCommand('workflowRuns.resumeWithArchon', findRunNode(a, id));
        assert.match(lastShown(a).message, /Archon's CLI was not found .*workflowRuns\.archonPath/);
        assert.equal(archon.calls().length, seen);
      } finally {
        await setting('archonPath', archon.path);
      }
    });
  });

  it('cancel of a completed run says nothing to cancel and leaves the row byte-identical', async () => {
    const id = await insertRun(db, { status: 'completed', completed_at: "'2026-01-02 03:04:05'" });
    await useDatabase(a, db.path);
    const before = await runRow(db, id);
    await vscode.commands.executeCommand('workflowRuns.cancel', findRunNode(a, id));
    assert.deepEqual(await runRow(db, id), before);
    assert.match(lastShown(a).message, /^Nothing to cancel: archon-fix-github-issue \(\w{8}\) is already completed\. Nothing changed\.$/);
  });

  it('cancel of a running run asks first, then cancels', async () => {
    const id = await insertRun(db, { status: 'running', last_activity_at: "datetime('now')" });
    await useDatabase(a, db.path);
    a.notifier.answer = () => undefined; // dismissed: nothing happens
    await vscode.commands.executeCommand('workflowRuns.cancel', findRunNode(a, id));
    assert.equal((await runRow(db, id))!.status, 'running');
    assert.equal(a.notifier.shown.filter((s) => s.modal).length, 1);
    a.notifier.answer = (shown) => (shown.modal ? 'Cancel Run' : undefined);
    await vscode.commands.executeCommand('workflowRuns.cancel', findRunNode(a, id));
    assert.equal((await runRow(db, id))!.status, 'cancelled');
    assert.match(lastShown(a).message, /^Cancelled archon-fix-github-issue/);
  });

  it('shows a commit left in the -wal file within 2 seconds, without a manual refresh', async () => {
    await insertRun(db, { status: 'completed' });
    await useDatabase(a, db.path);
    const id = await insertRun(db, { status: 'paused', workflow_name: 'wf-appeared' });
    assert.ok(fs.statSync(`${db.path}-wal`).size > 0);
    const started = Date.now();
    await waitFor('the new run in the tree', () => treeLabels(a).some((g) => g.runs.some((r) => r.startsWith('wf-appeared|'))), 2000);
    console.log(`      appeared after ${Date.now() - started} ms`);
    findRunNode(a, id);
  });

  it('lists events in order under a run, and opens its details as a read-only document', async () => {
    const id = await insertRun(db, { status: 'failed', metadata: '{"error":"boom"}' });
    await db.exec(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, step_name, created_at) VALUES
      ('e1', ${lit(id)}, 'workflow_started', NULL, '2026-03-01 10:00:00'), ('e2', ${lit(id)}, 'node_failed', 'implement', '2026-03-01 10:05:00')`);
    await useDatabase(a, db.path);
    const node = findRunNode(a, id);
    const [eventsNode] = await a.view.provider.getChildren(node);
    assert.equal(eventsNode.label, 'Events');
    assert.deepEqual((await a.view.provider.getChildren(eventsNode)).map((e) => e.label), ['workflow_started', 'node_failed']);
    await vscode.commands.executeCommand('workflowRuns.showDetails', node);
    const doc = await waitFor('the details editor', () => vscode.window.activeTextEditor?.document.uri.scheme === 'workflow-run' && vscode.window.activeTextEditor.document);
    assert.match(doc.getText(), /## Error\n\n```text\nboom\n```/);
    assert.match(doc.getText(), /node_failed — implement/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('pages a run’s events: the tree its newest 200 under "Show older events", the details its newest 500 with a link for more, rendered again only when the run changed', async () => {
    const id = await insertRun(db, { status: 'running', last_activity_at: "datetime('now')" });
    const other = await insertRun(db, { status: 'running', workflow_name: 'wf-other', last_activity_at: "datetime('now')" });
    const addEvents = (from: number, to: number) =>
      db.exec(`WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})
        INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_order, event_type, step_name, created_at)
        SELECT printf('ev-%05d', i), ${lit(id)}, i, 'node_completed', printf('step-%04d', i), datetime('2026-01-01', '+' || i || ' seconds') FROM n`);
    await addEvents(1, 650);
    await useDatabase(a, db.path);
    const node = findRunNode(a, id);
    const eventsNode = (await a.view.provider.getChildren(node)).find((n) => n.kind === 'events')!;
    const listed = async () => (await a.view.provider.getChildren(eventsNode)).map((n) => String(n.kind === 'event' ? n.description : n.label).split(' · ')[0]);
    let events = await listed();
    assert.equal(events.length, 201);
    assert.deepEqual([events[0], events[1], events[200]], ['Show older events (450 more)', 'step-0451', 'step-0650']);
    await vscode.commands.executeCommand('workflowRuns.showOlderEvents', eventsNode.id);
    events = await listed();
    assert.deepEqual([events.length, events[0], events[1]], [401, 'Show older events (250 more)', 'step-0251']);

    await vscode.commands.executeCommand('workflowRuns.showDetails', node);
    const doc = await waitFor('the details editor', () => vscode.window.activeTextEditor?.document.uri.scheme === 'workflow-run' && vscode.window.activeTextEditor.document);
    const headings = () => doc.getText().match(/^### .* — node_completed — step-\d+$/gm) ?? [];
    assert.match(doc.getText(), /## Events \(650\)\n\nThe newest 500\. \[Show 500 older events\]\(command:workflowRuns\.showOlderDetailsEvents\?/);
    assert.equal(headings().length, 500);
    assert.match(headings()[0] ?? '', /step-0151$/);
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri);
    assert.deepEqual(links.map((l) => [l.target?.scheme, l.target?.path]), [['command', 'workflowRuns.showOlderDetailsEvents']]);
    assert.match(doc.getText(links[0].range), /^\[Show 500 older events\]\(command:.*\)$/);
    await vscode.commands.executeCommand('workflowRuns.showOlderDetailsEvents', doc.uri.toString());
    await waitFor('all 650 events in the document', () => headings().length === 650);
    assert.doesNotMatch(doc.getText(), /older events/);

    // Another run changes: the document asks again, and is not rendered again.
    const stats = { ...a.details.stats };
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'failed' WHERE id = ${lit(other)}`);
    await a.store.refresh(true);
    await waitFor('the document to ask for its run again', () => a.details.stats.reads > stats.reads);
    assert.equal(a.details.stats.renders, stats.renders, 'not rendered for another run');
    // Its own run changes: it is.
    await addEvents(651, 651);
    await a.store.refresh(true);
    await waitFor('the new event in the document', () => /## Events \(651\)/.test(doc.getText()));
    assert.equal(a.details.stats.renders, stats.renders + 1);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('scopes to the workspace folder by default and shows all runs on toggle', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await insertRun(db, { status: 'failed', workflow_name: 'wf-here', working_path: path.join(folder, 'wt') });
    await insertRun(db, { status: 'failed', workflow_name: 'wf-elsewhere', working_path: '/somewhere/else' });
    await useDatabase(a, db.path);
    a.store.scope = 'workspace';
    await a.store.refresh(true);
    assert.deepEqual(treeLabels(a).flatMap((g) => g.runs.map((r) => r.split('|')[0])), ['wf-here']);
    await vscode.commands.executeCommand('workflowRuns.toggleScope');
    assert.equal(a.store.scope, 'all');
    assert.deepEqual(treeLabels(a).flatMap((g) => g.runs.map((r) => r.split('|')[0])).sort(), ['wf-elsewhere', 'wf-here']);
  });

  it('reads nothing while the view is hidden, and catches up when it shows again', async () => {
    await insertRun(db, { status: 'failed', workflow_name: 'wf-before' });
    await useDatabase(a, db.path);
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor('the Runs view to be hidden', () => !a.view.treeView.visible);
    await insertRun(db, { status: 'paused', workflow_name: 'wf-while-hidden' });
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(!treeLabels(a).some((g) => g.runs.some((r) => r.startsWith('wf-while-hidden|'))), 'not read while hidden');
    await vscode.commands.executeCommand('workflowRuns.runs.focus');
    await waitFor('the run added while hidden', () => treeLabels(a).some((g) => g.runs.some((r) => r.startsWith('wf-while-hidden|'))), 3000);
  });

  it('pages each group with "Show more…"', async () => {
    for (let i = 0; i < 5; i++) await insertRun(db, { status: 'completed', started_at: `datetime('now', '-${i} hours')` });
    await setting('runsPerGroup', 2);
    try {
      await useDatabase(a, db.path);
      const group = () => shownNodes(a).find((g) => String(g.label) === 'Completed (5)')!;
      let rows = shownNodes(a, group());
      assert.deepEqual(rows.map((r) => r.kind), ['run', 'run', 'more']);
      await vscode.commands.executeCommand('workflowRuns.showMore', 'completed');
      rows = await waitFor('four runs', () => {
        const r = shownNodes(a, group());
        return r.filter((n) => n.kind === 'run').length === 4 && r;
      });
      assert.equal(rows[rows.length - 1].kind, 'more');
    } finally {
      await setting('runsPerGroup', undefined);
    }
  });

  it("follows Archon's DATABASE_URL to PostgreSQL: a server that is down is a clear state with Retry, its password never shown", async () => {
    assert.match(process.env.DATABASE_URL ?? '', /:9\//, 'the runner starts this host with DATABASE_URL naming a closed port');
    const state = await useDatabase(a, '');
    assert.equal(state.kind, 'unreachable');
    assert.equal(a.view.treeView.message, 'Cannot reach PostgreSQL at 127.0.0.1:9: connection refused. Is the server running?');
    assert.doesNotMatch(JSON.stringify(a.store.state), /s3cret/);
  });

  it("the workspace's .archon/.env wins over the environment's DATABASE_URL, as in Archon, once allowed; an empty value there (SQLite) asks too", async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const envFile = path.join(folder, '.archon', '.env');
    fs.mkdirSync(path.dirname(envFile));
    try {
      fs.writeFileSync(envFile, 'DATABASE_URL=postgres://project:pw@127.0.0.1:9/project_db\n');
      let state = await useDatabase(a, '');
      assert.equal(state.kind, 'workspace-database', `not the environment's server: ${state.kind}`);
      assert.equal(a.view.treeView.message, "This workspace's .archon/.env points Archon at PostgreSQL project@127.0.0.1:9/project_db. Connect to it?");
      fs.writeFileSync(envFile, 'DATABASE_URL=\n');
      state = await useDatabase(a, '');
      const sqlite = path.join(os.homedir(), '.archon', 'archon.db');
      assert.equal(state.kind, 'workspace-database');
      assert.equal(a.view.treeView.message, `This workspace's .archon/.env points Archon at ${sqlite}. Connect to it?`);
      await vscode.commands.executeCommand('workflowRuns.allowWorkspaceDatabase');
      state = await waitFor('the database it chose', () => a.store.state.kind !== 'loading' && a.store.state.kind !== 'workspace-database' && a.store.state);
      assert.equal(state.where, sqlite, 'SQLite, as Archon started in this folder would use');
    } finally {
      fs.rmSync(path.dirname(envFile), { recursive: true });
    }
    assert.equal((await useDatabase(a, '')).kind, 'unreachable', "the environment's DATABASE_URL again");
  });

  it('asks before opening a database above the size threshold, and opens it on "Open Anyway"', async () => {
    await insertRun(db, { status: 'failed', workflow_name: 'wf-big' });
    await setting('largeDatabaseThresholdMB', 0.001);
    try {
      const state = await useDatabase(a, db.path);
      assert.equal(state.kind, 'too-large');
      assert.match(a.view.treeView.message ?? '', /^This database is \d+ KB, above the 1 KB threshold\./);
      assert.deepEqual(a.view.provider.getChildren(), [], 'nothing was read');
      await vscode.commands.executeCommand('workflowRuns.openAnyway');
      assert.equal(a.store.state.kind, 'ready');
      assert.ok(treeLabels(a).some((g) => g.runs.some((r) => r.startsWith('wf-big|'))));
    } finally {
      await setting('largeDatabaseThresholdMB', undefined);
    }
  });

  it('keeps the tree usable while a refresh is in flight, and shows the latest data after', async () => {
    await insertRun(db, { status: 'failed', workflow_name: 'wf-first' });
    await useDatabase(a, db.path);
    const refreshes = [a.store.refresh(true), a.store.refresh(true), a.store.refresh(true)];
    // The tree answers from what it has while the reader thread works.
    assert.ok(treeLabels(a).some((g) => g.runs.some((r) => r.startsWith('wf-first|'))));
    await insertRun(db, { status: 'paused', workflow_name: 'wf-latest' });
    refreshes.push(a.store.refresh(true));
    await Promise.all(refreshes);
    assert.ok(treeLabels(a).some((g) => g.runs.some((r) => r.startsWith('wf-latest|'))), 'the last refresh asked for wins');
  });

  it('shows the welcome state when no database exists, and a clear reason for a file that is not one', async () => {
    const dir = tempDir();
    const missing = path.join(dir, 'archon.db');
    let state = await useDatabase(a, missing);
    assert.equal(state.kind, 'no-database');
    assert.deepEqual(a.view.provider.getChildren(), []);
    assert.equal(a.view.treeView.message, `No database at ${missing}.`);
    const notes = path.join(dir, 'notes.db');
    fs.writeFileSync(notes, 'these are my notes, not a database\n'.repeat(10));
    state = await useDatabase(a, notes);
    assert.equal(state.kind, 'unreadable');
    assert.equal(a.view.treeView.message, `${notes} is not a SQLite database.`);
    assert.equal(a.notifier.shown.length, 0, 'problems show in the view, not as notifications');
  });

  it('escapes database text in hovers, the details document and notifications: no link, image or icon comes from a name', async () => {
    const hostile =
      '[click](https://evil.example/x) ![img](https://evil.example/i.png) <img src=https://evil.example/h.png> https://evil.example/bare $(zap) xwww.evil.example mail@evil.example';
    await db.exec(`INSERT INTO remote_agent_codebases (id, name, default_cwd) VALUES ('cb', ${lit(hostile)}, '/src/x')`);
    const id = await insertRun(db, { status: 'completed', workflow_name: hostile, codebase_id: 'cb', user_message: hostile, metadata: JSON.stringify({ error: hostile }) });
    await useDatabase(a, db.path);
    const node = findRunNode(a, id);
    const hover = node.tooltip as vscode.MarkdownString;
    assert.ok(hover.value.includes('\\$(zap)'), 'the theme icon is escaped');
    const render = (md: string) => vscode.commands.executeCommand<string>('markdown.api.render', md);
    for (const [what, md] of [['hover', hover.value], ['details', await detailsText(id)]] as const) {
      const html = await render(md);
      assert.ok(html.includes('evil.example'), `${what}: the text is shown`);
      assert.doesNotMatch(html, /<a |<img/, `${what} renders a link or an image:\n${html}`);
    }
    await vscode.commands.executeCommand('workflowRuns.cancel', node);
    assert.doesNotMatch(lastShown(a).message, /\]\(/, 'no link syntax reaches a notification');
  });

  it('makes no heading of a gate question, keeps its own link whole whatever the child run id, and gives an unknown status the unknown icon', async () => {
    const child = 'child)**bold** (x)';
    const approval = { type: 'child_workflow', nodeId: 'impl', message: '# Approve now', childRunId: child };
    const id = await insertRun(db, { status: 'paused', metadata: JSON.stringify({ approval }) });
    await useDatabase(a, db.path);
    const hover = (findRunNode(a, id).tooltip as vscode.MarkdownString).value;
    const html = await vscode.commands.executeCommand<string>('markdown.api.render', hover);
    assert.ok(html.includes('# Approve now'), `the question is shown as typed:\n${html}`);
    assert.doesNotMatch(html, /<h\d|<strong>bold/, `the question or the id became Markdown:\n${html}`);
    const targets = [...hover.matchAll(/\]\((command:[^)\s]*)\)/g)].map((m) => m[1]);
    assert.equal(targets.length, 1, hover);
    assert.deepEqual(JSON.parse(decodeURIComponent(targets[0].split('?')[1])), [child], 'the link carries the whole id');
    // A status read from the database must not find an object's own members.
    assert.equal(statusIcon({ status: 'constructor', interrupted: false, openGate: false }).id, 'question');
  });

  it('writes to a database the workspace chose only after the person allows it, once', async () => {
    const first = await insertRun(db, { status: 'failed' });
    const second = await insertRun(db, { status: 'failed' });
    await vscode.workspace.getConfiguration('workflowRuns').update('databasePath', db.path, vscode.ConfigurationTarget.Workspace);
    try {
      await setting('databasePath', undefined);
      await a.store.refresh(true);
      await waitFor('the workspace database', () => a.store.dbPath === db.path && a.store.state.kind === 'ready');
      a.notifier.answer = () => undefined; // not allowed: nothing written
      await vscode.commands.executeCommand('workflowRuns.cancel', findRunNode(a, first));
      assert.match(lastShown(a).message, /^Allow Workflow Runs to write to .*archon\.db\?$/);
      assert.equal((await runRow(db, first))!.status, 'failed');
      a.notifier.answer = (shown) => (shown.modal ? 'Allow Writes' : undefined);
      await vscode.commands.executeCommand('workflowRuns.cancel', findRunNode(a, first));
      assert.equal((await runRow(db, first))!.status, 'cancelled');
      const asked = a.notifier.shown.filter((s) => s.modal).length;
      await vscode.commands.executeCommand('workflowRuns.cancel', findRunNode(a, second));
      assert.equal((await runRow(db, second))!.status, 'cancelled');
      assert.equal(a.notifier.shown.filter((s) => s.modal).length, asked, 'asked once per database');
    } finally {
      await vscode.workspace.getConfiguration('workflowRuns').update('databasePath', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

/** The details document's text, as a person opening it gets it. */
async function detailsText(id: string): Promise<string> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'workflow-run', path: `/${id.slice(0, 8)}.md`, query: id }));
  return doc.getText();
}
