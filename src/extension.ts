import * as vscode from 'vscode';
import { resumeWithArchon } from './vscode/commands/resumeWithArchon';
import { cancel, resume } from './vscode/commands/runActions';
import { copyId, filterRuns, openWorkingFolder, selectDatabase, showDetails, toggleScope } from './vscode/commands/viewCommands';
import { config } from './vscode/configuration';
import { DatabaseWatcher } from './vscode/databaseWatcher';
import { log } from './vscode/log';
import { Notifier } from './vscode/notifier';
import { DETAILS_SCHEME, RunDetailsProvider } from './vscode/runDetailsDocument';
import type { GroupKey } from './core/overview';
import { RunStore } from './vscode/runStore';
import { RunsView } from './vscode/runsView';
import { WriteTargets } from './vscode/writeTargets';
import { Writers } from './vscode/writers';

/** What `activate()` returns: the live pieces, for the extension's own tests and other extensions. */
export interface WorkflowRunsApi {
  store: RunStore;
  view: RunsView;
  notifier: Notifier;
  /** How long `activate()` took, in milliseconds. */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): WorkflowRunsApi {
  const started = performance.now();
  const store = new RunStore();
  const notifier = new Notifier();
  const writers = new Writers();
  const view = new RunsView(store);
  const details = new RunDetailsProvider(store);
  const watcher = new DatabaseWatcher(() => void store.refreshIfVisible());
  const actions = { store, notifier, writers, targets: new WriteTargets(context.globalState) };
  const command = (id: string, run: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(`workflowRuns.${id}`, run);

  context.subscriptions.push(
    log,
    store,
    writers,
    view,
    details,
    watcher,
    vscode.workspace.registerTextDocumentContentProvider(DETAILS_SCHEME, details),
    command('refresh', () => store.refresh(true)),
    command('resume', (arg) => resume(actions, arg)),
    command('resumeWithArchon', (arg) => resumeWithArchon(store, notifier, arg)),
    command('cancel', (arg) => cancel(actions, arg)),
    command('selectDatabase', () => selectDatabase(store)),
    command('showDetails', (arg) => showDetails(store, notifier, arg)),
    command('copyId', (arg) => copyId(arg)),
    command('openWorkingFolder', (arg) => openWorkingFolder(notifier, arg)),
    command('filter', () => filterRuns(store)),
    command('toggleScope', () => toggleScope(store, notifier)),
    command('showMore', (key) => store.showMore(key as GroupKey)),
    command('openAnyway', () => store.openAnyway()),
    store.onDidChange(() => watcher.watch(store.dbPath, config.pollIntervalMs())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (config.affects(e, 'scope')) store.scope = config.scope();
      if (config.affects(e)) void store.refreshIfVisible();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void store.refreshIfVisible()),
  );

  // Nothing is read here: the store reads (on its own thread) when the view is shown or a command needs the data.
  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms.`);
  return { store, view, notifier, activationMs };
}

export function deactivate(): void {}
