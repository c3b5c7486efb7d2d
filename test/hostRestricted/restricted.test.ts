import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkflowRunsApi } from '../../src/extension';
import { archonDb, cleanupTempDirs, insertRun, runRow, tempDir } from '../support/fixtures';
import type { LiveDb } from '../support/liveDb';
import { api, findRunNode, lastShown, setting, stubArchon, useDatabase, waitFor } from '../host/helpers';

/** What the runner put in this workspace's .vscode/settings.json: each names a program that must never run. */
const WORKSPACE_SETTINGS = ['databasePath', 'archonPath', 'sqlite3Path', 'writerEngine'];
const REFUSED = /^Workflow Runs writes nothing and starts no program in Restricted Mode\. Trust this workspace to use this command\.$/;

describe('Workflow Runs in Restricted Mode', function () {
  this.timeout(30000);
  let a: WorkflowRunsApi;
  let db: LiveDb;
  let folder: string;
  let archon: ReturnType<typeof stubArchon>;
  let sqlite3: ReturnType<typeof stubArchon>;

  before(async () => {
    a = await api();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    await vscode.commands.executeCommand('workflowRuns.runs.focus');
    await waitFor('the Runs view to be visible', () => a.view.treeView.visible);
    // User settings, which Restricted Mode honours: stand-ins that record any call.
    archon = stubArchon(tempDir());
    sqlite3 = stubArchon(tempDir());
    await setting('archonPath', archon.path);
    await setting('sqlite3Path', sqlite3.path);
    await setting('writerEngine', 'sqlite3');
    await setting('scope', 'all');
    db = await archonDb();
  });
  after(async () => {
    for (const key of ['archonPath', 'sqlite3Path', 'writerEngine', 'scope', 'databasePath']) await setting(key, undefined);
    await db?.close();
    cleanupTempDirs();
  });

  it('is untrusted, and ignores what the workspace settings say about the database and the programs to run', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const config = vscode.workspace.getConfiguration('workflowRuns');
    const file = JSON.parse(fs.readFileSync(path.join(folder, '.vscode', 'settings.json'), 'utf8'));
    for (const key of WORKSPACE_SETTINGS) {
      assert.ok(file[`workflowRuns.${key}`], `the workspace sets ${key}`);
      assert.notEqual(config.get(key), file[`workflowRuns.${key}`], `${key} from the workspace is not used`);
    }
  });

  it('browses the database the user chose', async () => {
    await insertRun(db, { status: 'failed', workflow_name: 'wf-browse' });
    const state = await useDatabase(a, db.path);
    assert.equal(state.kind, 'ready');
    assert.equal(a.store.dbPath, db.path);
  });

  for (const command of ['resume', 'cancel', 'resumeWithArchon', 'approve', 'reject', 'respond']) {
    it(`refuses ${command} with the one message, and writes and starts nothing`, async () => {
      // A run at an open gate, which every one of these commands could otherwise act on.
      const gate = { approval: { nodeId: 'loop', message: 'What next?', type: 'interactive_loop' } };
      const id = await insertRun(db, { status: 'paused', working_path: tempDir(), metadata: JSON.stringify(gate) });
      await useDatabase(a, db.path);
      const before = await runRow(db, id);
      a.notifier.shown.length = 0;
      await vscode.commands.executeCommand(`workflowRuns.${command}`, findRunNode(a, id));
      assert.match(lastShown(a).message, REFUSED);
      assert.deepEqual(await runRow(db, id), before, 'the row is unchanged');
      assert.deepEqual([archon.calls(), sqlite3.calls()], [[], []], 'no program was started, not even to detect an engine');
    });
  }

  it('never ran a program the workspace named', () => {
    assert.deepEqual(fs.readdirSync(folder).filter((f) => f.startsWith('EXECUTED-')), []);
    assert.ok(fs.existsSync(path.join(folder, 'evil-archon')), 'the decoys are there');
  });
});
