import * as vscode from 'vscode';
import type { GroupKey } from './core/model/overview';
import { approve, reject, respond, revealRun } from './vscode/commands/gateActions';
import { resumeWithArchon } from './vscode/commands/resumeWithArchon';
import { cancel, resume } from './vscode/commands/runActions';
import { copyId, filterRuns, openWorkingFolder, selectDatabase, showDetails, toggleScope } from './vscode/commands/viewCommands';
import { config } from './vscode/configuration';
import { Connections } from './vscode/connections';
import { DatabaseWatcher } from './vscode/databaseWatcher';
import { log } from './vscode/log';
import { Notifier } from './vscode/notifier';
import { DETAILS_SCHEME, RunDetailsProvider } from './vscode/runDetailsDocument';
import { RunNotifications } from './vscode/runNotifications';
import { RunSource } from './vscode/runSource';
import { RunStore } from './vscode/runStore';
import { RunsView } from './vscode/runsView';
import { StatusBar } from './vscode/statusBar';
import { StatusWatcher } from './vscode/statusWatcher';
import { WriteTargets } from './vscode/writeTargets';
import { Writers } from './vscode/writers';
import { RunNode } from './vscode/treeViews/nodes';

/** The first status watch waits this long after startup, so that it never competes with it. */
const FIRST_WATCH_MS = 3000;

/** What `activate()` returns: the live pieces, for the extension's own tests and other extensions. */
export interface WorkflowRunsApi {
  store: RunStore;
  view: RunsView;
  watcher: StatusWatcher;
  statusBar: StatusBar;
  notifier: Notifier;
  details: RunDetailsProvider;
  /** How long `activate()` took, in milliseconds. */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): WorkflowRunsApi {
  const started = performance.now();
  const changed = () => {
    source.changed();
    void store.refreshIfVisible();
    void watcher.poke();
  };
  const connections = new Connections(context.secrets, context.globalState, () => onChange());
  const source = new RunSource(connections, changed);
  const store = new RunStore(source);
  const watcher = new StatusWatcher(source, () => store.folders);
  const notifier = new Notifier();
  const writers = new Writers();
  const view = new RunsView(store, watcher);
  const details = new RunDetailsProvider(store);
  // SQLite: the file and its -wal are watched; PostgreSQL notifies (see RunSource). Both are polled too.
  const files = new DatabaseWatcher(changed);
  const follow = () => void source.file().then((file) => files.watch(file, config.pollIntervalMs()));
  const onChange = () => {
    follow();
    changed();
  };
  const actions = { store, notifier, writers, targets: new WriteTargets(context.globalState) };
  const command = (id: string, run: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(`workflowRuns.${id}`, run);
  const firstWatch = setTimeout(() => void watcher.poke(), FIRST_WATCH_MS);
  const statusBar = new StatusBar(watcher);

  context.subscriptions.push(
    log,
    connections,
    source,
    store,
    watcher,
    writers,
    view,
    details,
    files,
    statusBar,
    new RunNotifications(watcher, notifier),
    { dispose: () => clearTimeout(firstWatch) },
    vscode.workspace.registerTextDocumentContentProvider(DETAILS_SCHEME, details),
    vscode.languages.registerDocumentLinkProvider({ scheme: DETAILS_SCHEME }, details),
    command('refresh', () => store.refresh(true)),
    command('resume', (arg) => resume(actions, arg)),
    command('resumeWithArchon', (arg) => resumeWithArchon(store, notifier, arg)),
    command('cancel', (arg) => cancel(actions, arg)),
    command('approve', (arg, comment) => approve(actions, arg, comment as string | undefined)),
    command('reject', (arg, reason) => reject(actions, arg, reason as string | undefined)),
    command('respond', (arg, decision, text) => respond(actions, arg, decision as string | undefined, text as string | undefined)),
    command('revealRun', (id) => revealRun(view, notifier, id)),
    command('revealChild', (arg) => revealRun(view, notifier, arg instanceof RunNode ? arg.run.approval?.childRunId : undefined)),
    command('selectDatabase', () => selectDatabase(store)),
    command('showDetails', (arg) => showDetails(store, notifier, arg)),
    command('copyId', (arg) => copyId(arg)),
    command('openWorkingFolder', (arg) => openWorkingFolder(notifier, arg)),
    command('filter', () => filterRuns(store)),
    // A new scope is a new question for the watch too.
    command('toggleScope', () => toggleScope(store, notifier).then(() => watcher.poke())),
    command('showMore', (key) => store.showMore(key as GroupKey)),
    command('showOlderEvents', (eventsNodeId) => view.provider.showOlderEvents(String(eventsNodeId))),
    command('showOlderDetailsEvents', (uri) => details.showOlderEvents(vscode.Uri.parse(String(uri)))),
    command('openAnyway', () => store.openAnyway()),
    command('setPostgresConnection', () => connections.setConnection()),
    command('allowWorkspaceDatabase', async () => {
      const { target } = await connections.target();
      await connections.allowWorkspaceDatabase(target.source);
      onChange();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (config.affects(e, 'scope')) store.scope = config.scope();
      if (config.affects(e)) onChange();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(onChange),
  );
  follow();

  // Nothing is read here: reads happen on their own thread, when the view shows or the database changes.
  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms.`);
  return { store, view, watcher, statusBar, notifier, details, activationMs };
}

export function deactivate(): void {}
