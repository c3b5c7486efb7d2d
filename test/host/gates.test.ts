import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { WorkflowRunsApi } from '../../src/extension';
import type { Level } from '../../src/vscode/notifier';
import { archonDb, cleanupTempDirs, insertRun, lit, tempDir } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';
import { api, findRunNode, setting, stubArchon, useDatabase, waitFor } from './helpers';

const gate = (approval: object) => JSON.stringify({ approval });
const APPROVAL = gate({ nodeId: 'review', message: 'Ship the CSV importer to production?', type: 'approval' });

describe('Approval gates, notifications and the status summary', function () {
  this.timeout(30000);
  let a: WorkflowRunsApi;
  let db: LiveDb;
  let archon: ReturnType<typeof stubArchon>;

  before(async () => {
    a = await api();
    await vscode.commands.executeCommand('workflowRuns.runs.focus');
    await waitFor('the Runs view to be visible', () => a.view.treeView.visible);
    await setting('scope', 'all');
    await setting('pollIntervalSeconds', 0); // the file watcher alone must bring news within 2 s
    archon = stubArchon(tempDir());
    await setting('archonPath', archon.path);
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
    for (const key of ['scope', 'pollIntervalSeconds', 'archonPath', 'databasePath', 'notifications']) await setting(key, undefined);
    cleanupTempDirs();
  });

  /** Points the extension at the database and waits until the status watch knows it. */
  async function open(): Promise<void> {
    await useDatabase(a, db.path);
    await a.watcher.poke();
    await waitFor('the status watch', () => a.watcher.summary);
  }

  const newsSince = (seen: number) => a.notifier.shown.slice(seen).filter((s) => !s.modal);

  it('shows an open gate in its row, its hover and its details; a parent names the child it waits on', async () => {
    const id = await insertRun(db, { status: 'paused', workflow_name: 'wf-gate', metadata: APPROVAL });
    const child = await insertRun(db, { status: 'paused', workflow_name: 'wf-child', metadata: gate({ nodeId: 'plan', message: 'Implement the plan?', type: 'approval' }) });
    const parent = await insertRun(db, { status: 'paused', workflow_name: 'wf-parent', metadata: gate({ nodeId: 'impl', message: 'Waiting on the sub-run.', type: 'child_workflow', childRunId: child }) });
    await db.exec(`UPDATE remote_agent_workflow_runs SET parent_run_id = ${lit(parent)} WHERE id = ${lit(child)}`);
    await open();
    const node = findRunNode(a, id);
    assert.match(String(node.description), /^Ship the CSV importer to production\? · /);
    assert.match(String(node.contextValue), /\bgate\b/);
    assert.doesNotMatch(String(node.contextValue), /\brespond\b/, 'a plain approval takes no free answer');
    const hover = (node.tooltip as vscode.MarkdownString).value;
    assert.match(hover, /Waiting for you/);
    assert.match(hover, /at node review/);
    const parentNode = findRunNode(a, parent);
    assert.match(String(parentNode.description), new RegExp(`^waits on child run ${child.slice(0, 8)}`));
    assert.match(String(parentNode.contextValue), /\bchildWait\b/);
    assert.doesNotMatch(String(parentNode.contextValue), /\bgate\b/, 'Archon answers the child, not the parent');
    await vscode.commands.executeCommand('workflowRuns.revealChild', parentNode);
    await waitFor('the child selected', () => a.view.treeView.selection.some((n) => n.kind === 'run' && n.run.id === child));
    await vscode.commands.executeCommand('workflowRuns.showDetails', node);
    const doc = await waitFor('the details', () => vscode.window.activeTextEditor?.document.uri.scheme === 'workflow-run' && vscode.window.activeTextEditor.document);
    assert.match(doc.getText(), /## Waiting for you/);
    assert.match(doc.getText(), /Ship the CSV importer to production\?/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it("Approve…, Reject… and Respond… hand exactly what was typed to Archon's CLI, in the run's folder, and write nothing themselves", async () => {
    const folder = tempDir();
    const typed = `it's "fine"; $(rm -rf ~) \`id\` \\ -x\nsecond line`;
    const approvalId = await insertRun(db, { status: 'paused', metadata: APPROVAL, working_path: folder });
    const loopId = await insertRun(db, { status: 'paused', metadata: gate({ nodeId: 'loop', message: 'What next?', type: 'interactive_loop', iteration: 2 }), working_path: folder });
    const decisionsId = await insertRun(db, {
      status: 'paused',
      metadata: gate({ nodeId: 'n', message: 'Which?', type: 'approval', decisionsAuthored: true, decisions: [{ id: 'ship' }, { id: 'hold' }] }),
      working_path: folder,
    });
    await open();
    const before = await db.query('SELECT * FROM remote_agent_workflow_runs ORDER BY id');
    const seen = archon.calls().length;
    await vscode.commands.executeCommand('workflowRuns.approve', findRunNode(a, approvalId), typed);
    await vscode.commands.executeCommand('workflowRuns.reject', findRunNode(a, approvalId), typed);
    await vscode.commands.executeCommand('workflowRuns.respond', findRunNode(a, loopId), undefined, typed);
    await vscode.commands.executeCommand('workflowRuns.respond', findRunNode(a, decisionsId), 'ship', typed);
    await vscode.commands.executeCommand('workflowRuns.approve', findRunNode(a, approvalId), '');
    const calls = await waitFor('five calls', () => archon.calls().length >= seen + 5 && archon.calls().slice(seen), 10000);
    assert.deepEqual(
      calls.map((c) => c.argv).sort(),
      [
        ['workflow', 'approve', '--', approvalId, typed],
        ['workflow', 'reject', '--', approvalId, typed],
        ['workflow', 'approve', '--', loopId, typed],
        ['workflow', 'respond', '--', decisionsId, 'ship', typed],
        ['workflow', 'approve', '--', approvalId],
      ].sort(),
    );
    assert.ok(calls.every((c) => c.cwd === folder), 'run in the run\'s working folder');
    assert.deepEqual(await db.query('SELECT * FROM remote_agent_workflow_runs ORDER BY id'), before, 'no approval metadata written by the extension');
    assert.ok(a.notifier.shown.some((s) => /handed to Archon, which resolves the gate and continues the run/.test(s.message)));
  });

  it('Respond… refuses a gate that takes no answer and declares no decisions, says so, and starts nothing', async () => {
    const folder = tempDir();
    const plain = await insertRun(db, { status: 'paused', workflow_name: 'wf-plain', metadata: APPROVAL, working_path: folder });
    // Decisions listed, but not declared by the gate's author (no decisionsAuthored): Archon answers only approve or reject.
    const undeclared = await insertRun(db, {
      status: 'paused',
      workflow_name: 'wf-undeclared',
      metadata: gate({ nodeId: 'n', message: 'Which?', type: 'approval', decisions: [{ id: 'ship' }, { id: 'hold' }] }),
      working_path: folder,
    });
    await open();
    const seen = { calls: archon.calls().length, shown: a.notifier.shown.length };
    for (const [id, name] of [[plain, 'wf-plain'], [undeclared, 'wf-undeclared']]) {
      assert.doesNotMatch(String(findRunNode(a, id).contextValue), /\brespond\b/, 'no Respond… on its row');
      await vscode.commands.executeCommand('workflowRuns.respond', findRunNode(a, id), 'ship', 'typed');
      await vscode.commands.executeCommand('workflowRuns.respond', id, 'ship', 'typed');
      const refusal = `${name} (${id.slice(0, 8)}) waits at a gate that takes no answer and declares no decisions: approve or reject it.`;
      assert.deepEqual(newsSince(seen.shown).map((s) => [s.level, s.message]), [['info', refusal], ['info', refusal]]);
      seen.shown = a.notifier.shown.length;
    }
    // A call Archon does get, after them: any call of theirs would have come first.
    await vscode.commands.executeCommand('workflowRuns.approve', findRunNode(a, plain), 'ok');
    const calls = await waitFor('the approval', () => archon.calls().length > seen.calls && archon.calls().slice(seen.calls), 10000);
    assert.deepEqual(calls.map((c) => c.argv), [['workflow', 'approve', '--', plain, 'ok']]);
  });

  it('tells nothing of what was already so when the database was opened', async () => {
    await insertRun(db, { status: 'failed', metadata: '{"error":"old news"}' });
    await insertRun(db, { status: 'paused', metadata: APPROVAL });
    await open();
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(newsSince(0), []);
    assert.equal(a.watcher.summary!.awaiting, 1);
  });

  it('notifies within 2 s of another process failing a run, and Show Details opens it', async () => {
    const id = await insertRun(db, { status: 'running', workflow_name: 'wf-doomed', last_activity_at: "datetime('now')" });
    await open();
    const seen = a.notifier.shown.length;
    a.notifier.answer = (shown) => (/wf-doomed .* failed/.test(shown.message) ? 'Show Details' : undefined);
    const started = Date.now();
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'failed', completed_at = datetime('now'), metadata = '{"error":"tests failed after 3 attempts"}' WHERE id = ${lit(id)}`);
    const [news] = await waitFor('the failure notification', () => newsSince(seen).length > 0 && newsSince(seen), 2000);
    console.log(`      notified after ${Date.now() - started} ms`);
    assert.equal(news.level, 'error');
    assert.match(news.message, /^wf-doomed \(\w{8}\) failed: tests failed after 3 attempts$/);
    assert.deepEqual(news.items, ['Resume with Archon', 'Show Details', 'Reveal in Tree']);
    const doc = await waitFor('its details', () => vscode.window.activeTextEditor?.document.uri.query === id && vscode.window.activeTextEditor.document, 5000);
    assert.match(doc.getText(), /tests failed after 3 attempts/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('notifies of a gate while the view is hidden; the status bar and the badge count it; Reveal in Tree shows it', async () => {
    const id = await insertRun(db, { status: 'running', workflow_name: 'wf-asks', last_activity_at: "datetime('now')" });
    await insertRun(db, { status: 'running', workflow_name: 'wf-busy', last_activity_at: "datetime('now')" });
    await open();
    assert.equal(a.statusBar.item.text, '$(sync~spin) 2 running');
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor('the Runs view to be hidden', () => !a.view.treeView.visible);
    const seen = a.notifier.shown.length;
    await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'paused', metadata = ${lit(APPROVAL)} WHERE id = ${lit(id)}`);
    const [news] = await waitFor('the gate notification', () => newsSince(seen).length > 0 && newsSince(seen), 2000);
    assert.equal(news.level, 'warning');
    assert.equal(news.message, `wf-asks (${id.slice(0, 8)}) is waiting for you: Ship the CSV importer to production?`);
    assert.deepEqual(news.items, ['Approve…', 'Reject…', 'Reveal in Tree']);
    assert.equal(a.statusBar.item.text, '$(sync~spin) 1 running  $(bell-dot) 1 awaiting approval');
    assert.ok(a.statusBar.item.backgroundColor, 'the warning colour');
    assert.equal(a.view.treeView.badge?.value, 1, 'the badge counts what waits on the person, not what runs');
    await vscode.commands.executeCommand('workflowRuns.revealRun', id);
    await waitFor('the run selected in the tree', () => a.view.treeView.visible && a.view.treeView.selection.some((n) => n.kind === 'run' && n.run.id === id), 5000);
  });

  it("a gate Archon cannot answer (malformed, no node, an unknown kind) is news with Reveal in Tree only, never Approve or Reject", async () => {
    const ids = await Promise.all(['wf-garbled', 'wf-nodeless', 'wf-unknown'].map((workflow_name) => insertRun(db, { status: 'running', workflow_name, last_activity_at: "datetime('now')" })));
    await open();
    const metadata = ['{"approval": {', gate({ message: 'Ship it?', type: 'approval' }), gate({ nodeId: 'n', message: 'Ship it?', type: 'vote' })];
    for (const [i, id] of ids.entries()) {
      const seen = a.notifier.shown.length;
      await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'paused', metadata = ${lit(metadata[i])} WHERE id = ${lit(id)}`);
      const news = await waitFor('the gate notification', () => newsSince(seen).length > 0 && newsSince(seen), 5000);
      const question = i === 0 ? 'its gate waits for an answer' : 'Ship it?';
      assert.deepEqual(
        news.map((s) => [s.level, s.message, s.items]),
        [['warning', `${['wf-garbled', 'wf-nodeless', 'wf-unknown'][i]} (${id.slice(0, 8)}) is waiting for you: ${question}`, ['Reveal in Tree']]],
      );
    }
  });

  it('several runs at once: one notification, its text counted by kind and its level from the most urgent', async () => {
    const ids = await Promise.all(
      Array.from({ length: 13 }, (_, n) => insertRun(db, { status: 'running', workflow_name: `wf-${n}`, last_activity_at: "datetime('now')" })),
    );
    const fail = (...n: number[]) => `UPDATE remote_agent_workflow_runs SET status = 'failed' WHERE id IN (${n.map((i) => lit(ids[i])).join(', ')});`;
    const pause = (...n: number[]) => `UPDATE remote_agent_workflow_runs SET status = 'paused', metadata = ${lit(APPROVAL)} WHERE id IN (${n.map((i) => lit(ids[i])).join(', ')});`;
    const stall = (...n: number[]) => `UPDATE remote_agent_workflow_runs SET last_activity_at = datetime('now', '-2 days') WHERE id IN (${n.map((i) => lit(ids[i])).join(', ')});`;
    const complete = (...n: number[]) => `UPDATE remote_agent_workflow_runs SET status = 'completed' WHERE id IN (${n.map((i) => lit(ids[i])).join(', ')});`;
    await setting('notifications', 'all');
    try {
      await open();
      const steps: [string, Level, string][] = [
        [fail(0, 1), 'error', '2 runs failed.'],
        [pause(2, 3), 'warning', '2 runs are waiting for you.'],
        [stall(4, 5), 'warning', '2 runs were interrupted.'],
        [complete(6, 7), 'info', '2 runs completed.'],
        [pause(8) + stall(9), 'warning', '2 runs changed: 1 waiting for you, 1 interrupted.'],
        [complete(10) + pause(11) + fail(12), 'error', '3 runs changed: 1 failed, 1 waiting for you, 1 completed.'],
      ];
      for (const [change, level, message] of steps) {
        const seen = a.notifier.shown.length;
        await db.exec(`BEGIN; ${change} COMMIT;`);
        const news = await waitFor(`"${message}"`, () => newsSince(seen).length > 0 && newsSince(seen), 5000);
        assert.deepEqual(news.map((s) => [s.level, s.message, s.items]), [[level, message, ['Show Runs']]]);
      }
    } finally {
      await setting('notifications', undefined);
    }
  });

  it('several runs moving at once are one notification; completions only when asked for', async () => {
    const ids = await Promise.all([1, 2, 3].map((n) => insertRun(db, { status: 'running', workflow_name: `wf-${n}`, last_activity_at: "datetime('now')" })));
    await setting('notifications', 'all');
    try {
      await open();
      const seen = a.notifier.shown.length;
      await db.exec(`UPDATE remote_agent_workflow_runs SET status = 'failed' WHERE id IN (${lit(ids[0])}, ${lit(ids[1])});
        UPDATE remote_agent_workflow_runs SET status = 'completed' WHERE id = ${lit(ids[2])}`);
      const news = await waitFor('the grouped notification', () => newsSince(seen).length > 0 && newsSince(seen), 2000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(newsSince(seen).length, 1, 'one notification');
      assert.equal(news[0].message, '3 runs changed: 2 failed, 1 completed.');
      assert.deepEqual(news[0].items, ['Show Runs']);
    } finally {
      await setting('notifications', undefined);
    }
  });

  it('the status bar shows only with something to say, and not with its setting off', async () => {
    await insertRun(db, { status: 'completed' });
    await open();
    assert.equal(a.statusBar.shown, false, 'nothing runs or waits');
    await insertRun(db, { status: 'paused', metadata: APPROVAL });
    await waitFor('the gate in the status bar', () => a.statusBar.shown && a.statusBar.item.text === '$(bell-dot) 1 awaiting approval', 2000);
    await setting('statusBar', false);
    try {
      await waitFor('the status bar hidden', () => !a.statusBar.shown);
    } finally {
      await setting('statusBar', undefined);
    }
    await waitFor('the status bar back', () => a.statusBar.shown);
  });
});
