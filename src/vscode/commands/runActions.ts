import * as vscode from 'vscode';
import { isProblem, messageOf } from '../../core/errors';
import { cancelRun, type OperationResult, resumeRun } from '../../core/operations';
import type { WriterEngine } from '../../core/writers/writer';
import type { RunSummary } from '../../core/runModel';
import { runName } from '../format';
import type { Notifier } from '../notifier';
import type { RunStore } from '../runStore';
import type { Writers } from '../writers';
import { chooseRun } from './pickRun';

export interface ActionContext {
  store: RunStore;
  notifier: Notifier;
  writers: Writers;
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
  if (!vscode.workspace.isTrusted) {
    void ctx.notifier.show('warning', 'Resume and Cancel are off in Restricted Mode: they write to a database outside the workspace. Trust the workspace to use them.');
    return undefined;
  }
  const dbPath = ctx.store.dbPath;
  if (!dbPath) return undefined;
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

function onChoice(ctx: ActionContext, run: RunSummary, retry: () => unknown) {
  return (choice: string | undefined) => {
    if (choice === RETRY) void retry();
    if (choice === REFRESH) void ctx.store.refresh(true);
    if (choice === COPY_ID) void vscode.env.clipboard.writeText(run.id);
  };
}

export async function resume(ctx: ActionContext, arg?: unknown): Promise<void> {
  const run = await chooseRun(ctx.store, ctx.notifier, arg, { resumable: true }, 'Resume which run? (failed, paused, or interrupted)');
  if (!run) return;
  const name = runName(run);
  const result = await perform(ctx, `Resuming ${name}…`, resumeRun, run);
  if (!result) return;
  const then = onChoice(ctx, run, () => resume(ctx, run.id));
  switch (result.outcome) {
    case 'resumed':
      void ctx.notifier
        .show(
          'info',
          `Claimed ${name}: it is now running, and no other window, CLI or server can resume it. A claim starts no work; for Archon to continue the run, use Resume with Archon instead.`,
          COPY_ID,
        )
        .then(then);
      break;
    case 'not-resumable':
      void ctx.notifier
        .show('warning', `${name} is already ${result.status} — another window, the CLI or the server claimed it first. Nothing changed.`, REFRESH)
        .then(then);
      break;
    case 'not-found':
      void ctx.notifier.show('warning', `${name} no longer exists. Nothing changed.`, REFRESH).then(then);
      break;
    case 'busy':
      void ctx.notifier.show('warning', `The database is busy (another process is writing). ${name} was not resumed; nothing changed.`, RETRY).then(then);
      break;
  }
}

export async function cancel(ctx: ActionContext, arg?: unknown): Promise<void> {
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
  if (!result) return;
  const then = onChoice(ctx, run, () => cancel(ctx, run.id));
  switch (result.outcome) {
    case 'cancelled':
      void ctx.notifier.show('info', `Cancelled ${name}.`);
      break;
    case 'nothing-to-cancel':
      void ctx.notifier.show('info', `Nothing to cancel: ${name} is already ${result.status}. Nothing changed.`);
      break;
    case 'not-found':
      void ctx.notifier.show('warning', `${name} no longer exists. Nothing changed.`, REFRESH).then(then);
      break;
    case 'busy':
      void ctx.notifier.show('warning', `The database is busy (another process is writing). ${name} was not cancelled; nothing changed.`, RETRY).then(then);
      break;
  }
}
