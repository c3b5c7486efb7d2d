import * as vscode from 'vscode';
import { isProblem, messageOf } from '../../core/errors';
import { type CancelOutcome, cancelRun, type OperationResult, type ResumeOutcome, resumeRun } from '../../core/operations';
import type { WriterEngine } from '../../core/writers/writer';
import type { RunSummary } from '../../core/runModel';
import { runName } from '../format';
import type { Level, Notifier } from '../notifier';
import type { RunStore } from '../runStore';
import type { WriteTargets } from '../writeTargets';
import type { Writers } from '../writers';
import { allowedInThisWorkspace } from '../trust';
import { chooseRun } from './pickRun';

export interface ActionContext {
  store: RunStore;
  notifier: Notifier;
  writers: Writers;
  targets: WriteTargets;
}

const RETRY = 'Retry';
const REFRESH = 'Refresh';
const SETTINGS = 'Open Settings';
const COPY_ID = 'Copy ID';

/** Runs a write with a progress notification; problems that change nothing become a result. */
async function perform<O extends string>(
  ctx: ActionContext,
  title: string,
  operation: (writer: WriterEngine, dbPath: string, runId: string) => Promise<OperationResult<O>>,
  run: RunSummary,
): Promise<OperationResult<O> | undefined> {
  const dbPath = ctx.store.dbPath;
  if (!dbPath || !(await ctx.targets.allowed(dbPath, ctx.notifier))) return undefined;
  try {
    const writer = await ctx.writers.get();
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () => operation(writer, dbPath, run.id));
  } catch (err) {
    if (isProblem(err, 'no-writer')) {
      void ctx.notifier.show('error', messageOf(err), SETTINGS).then((c) => {
        if (c === SETTINGS) void vscode.commands.executeCommand('workbench.action.openSettings', 'workflowRuns');
      });
    } else {
      void ctx.notifier.show('error', `${title.replace(/…$/, '')} failed: ${messageOf(err)}`);
    }
    return undefined;
  } finally {
    void ctx.store.refresh(true);
  }
}

type Outcome = ResumeOutcome | CancelOutcome;

/** What each outcome tells the person: level, message, buttons. `verb` is "resumed" or "cancelled". */
const REPORTS: Record<Outcome, (name: string, status: string | null, verb: string) => [Level, string, ...string[]]> = {
  resumed: (name) => [
    'info',
    `Claimed ${name}: it is now running and nothing else can resume it. A claim starts no work; to have Archon continue a run, use Resume with Archon.`,
    COPY_ID,
  ],
  'not-resumable': (name, status) => ['warning', `${name} is already ${status} — another window, the CLI or the server claimed it first. Nothing changed.`, REFRESH],
  cancelled: (name) => ['info', `Cancelled ${name}.`],
  'nothing-to-cancel': (name, status) => ['info', `Nothing to cancel: ${name} is already ${status}. Nothing changed.`],
  'not-found': (name) => ['warning', `${name} no longer exists. Nothing changed.`, REFRESH],
  busy: (name, _status, verb) => ['warning', `The database is busy (another process is writing). ${name} was not ${verb}; nothing changed.`, RETRY],
  uncertain: (name, status, verb) => [
    'error',
    `Could not confirm whether ${name} was ${verb}: the SQLite engine stopped before it answered. ${status ? `It is now ${status}.` : 'Its status could not be read.'} Check the run before trying again.`,
    REFRESH,
  ],
};

function report(ctx: ActionContext, run: RunSummary, verb: string, result: OperationResult<Outcome>, retry: () => unknown): void {
  const [level, message, ...items] = REPORTS[result.outcome](runName(run), result.status, verb);
  void ctx.notifier.show(level, message, ...items).then((choice) => {
    if (choice === RETRY) void retry();
    if (choice === REFRESH) void ctx.store.refresh(true);
    if (choice === COPY_ID) void vscode.env.clipboard.writeText(run.id);
  });
}

export async function resume(ctx: ActionContext, arg?: unknown): Promise<void> {
  if (!allowedInThisWorkspace(ctx.notifier)) return;
  const run = await chooseRun(ctx.store, ctx.notifier, arg, { resumable: true }, 'Resume which run? (failed, paused, or interrupted)');
  if (!run) return;
  const result = await perform(ctx, `Resuming ${runName(run)}…`, resumeRun, run);
  if (result) report(ctx, run, 'resumed', result, () => resume(ctx, run.id));
}

export async function cancel(ctx: ActionContext, arg?: unknown): Promise<void> {
  if (!allowedInThisWorkspace(ctx.notifier)) return;
  const run = await chooseRun(ctx.store, ctx.notifier, arg, { cancellable: true }, 'Cancel which run?');
  if (!run) return;
  const name = runName(run);
  if (run.status === 'running' || run.status === 'paused') {
    const confirmed = await ctx.notifier.confirm(
      `Cancel ${name}?`,
      run.status === 'running'
        ? 'The run is marked cancelled. Its executor notices at its next step and stops; work already done stays in its worktree.'
        : 'The run is waiting for approval. Cancelling ends it; it cannot be resumed afterwards.',
      'Cancel Run',
    );
    if (!confirmed) return;
  }
  const result = await perform(ctx, `Cancelling ${name}…`, cancelRun, run);
  if (result) report(ctx, run, 'cancelled', result, () => cancel(ctx, run.id));
}
