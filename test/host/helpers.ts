import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkflowRunsApi } from '../../src/extension';
import type { StoreState } from '../../src/vscode/runStore';
import type { Node } from '../../src/vscode/treeViews/nodes';
import { REPO_ROOT } from '../support/fixtures';

export async function api(): Promise<WorkflowRunsApi> {
  const ext = vscode.extensions.getExtension<WorkflowRunsApi>('workflow-runs.workflow-runs');
  assert.ok(ext, 'the extension is installed in this host');
  return ext.activate();
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function setting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('workflowRuns').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Points the extension at a database and waits until it has read it. */
export async function useDatabase(a: WorkflowRunsApi, dbPath: string): Promise<StoreState> {
  await setting('databasePath', dbPath || undefined);
  await a.store.refresh(true);
  return waitFor(`the store to load ${dbPath || "Archon's database"}`, () => {
    const state = a.store.state;
    return state.kind !== 'loading' && (!dbPath || state.where === dbPath) && state;
  });
}

/** Groups and their runs, which the provider gives at once (a run's children are read on expand). */
export function shownNodes(a: WorkflowRunsApi, node?: Node): Node[] {
  const nodes = a.view.provider.getChildren(node);
  assert.ok(Array.isArray(nodes), 'groups and runs are listed without a read');
  return nodes;
}

/** The tree as a person sees it: labels of every node down to runs (not events). */
export function treeLabels(a: WorkflowRunsApi): { group: string; runs: string[] }[] {
  return shownNodes(a).map((g) => ({
    group: String(g.label),
    runs: shownNodes(a, g).map((r) => `${String(r.label)}|${String(r.description ?? '')}`),
  }));
}

export function runNodes(a: WorkflowRunsApi): Node[] {
  return shownNodes(a).flatMap((g) => shownNodes(a, g));
}

export function findRunNode(a: WorkflowRunsApi, id: string): Node {
  const node = runNodes(a).find((n) => n.kind === 'run' && n.run.id === id);
  assert.ok(node, `run ${id} is in the tree`);
  return node;
}

export function lastShown(a: WorkflowRunsApi) {
  return a.notifier.shown[a.notifier.shown.length - 1];
}

interface ArchonStub {
  path: string;
  calls(): { argv: string[]; cwd: string }[];
}

/** A stand-in `archon` that records each call's arguments and working folder (scripts/host/stubArchon.js, shared with the e2e test). */
export function stubArchon(dir: string, exitCode = 0): ArchonStub {
  return (require(path.join(REPO_ROOT, 'scripts', 'host', 'stubArchon.js')) as { stubArchon: (dir: string, code: number) => ArchonStub }).stubArchon(dir, exitCode);
}
