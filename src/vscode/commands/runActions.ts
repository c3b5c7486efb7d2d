import * as vscode from 'vscode';
import { isProblem, messageOf } from '../../core/model/errors';
import type { CancelOutcome, OperationResult, ResumeOutcome } from '../../core/model/operations';
import type { RunsWriter } from '../../core/database';
import { gateActions, type RunSummary } from '../../core/model/runModel';
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

/** The buttons a report can have, localized where they are shown. */
const button = {
  retry: () => vscode.l10n.t('Retry'),
  refresh: () => vscode.l10n.t('Refresh'),
  settings: () => vscode.l10n.t('Open Settings'),
  copyId: () => vscode.l10n.t('Copy ID'),
};

/** Runs a write with a progress notification; problems that change nothing become a result. */
async function perform<O extends string>(
  ctx: ActionContext,
  title: string,
  operation: (writer: RunsWriter, runId: string) => Promise<OperationResult<O>>,
  run: RunSummary,
): Promise<OperationResult<O> | undefined> {
  const target = ctx.store.target;
  if (!target) return undefined;
  if (target.engine === 'sqlite' && !(await ctx.targets.allowed(target.dbPath, ctx.notifier))) return undefined;
  try {
    const writer = await ctx.writers.get(target);
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () => operation(writer, run.id));
  } catch (err) {
    if (isProblem(err, 'no-writer')) {
      const settings = button.settings();
      void ctx.notifier.show('error', messageOf(err), settings).then((c) => {
        if (c === settings) void vscode.commands.executeCommand('workbench.action.openSettings', 'workflowRuns');
      });
    } else {
      void ctx.notifier.show('error', vscode.l10n.t('{0} failed: {1}', title.replace(/…$/, ''), messageOf(err)));
    }
    return undefined;
  } finally {
    void ctx.store.refresh(true);
  }
}

type Report = [Level, string, ...string[]];

/** What each outcome of a resume tells the person: level, message, buttons. */
function resumeReport(name: string, result: OperationResult<ResumeOutcome>): Report {
  const status = result.status ?? '?';
  switch (result.outcome) {
    case 'resumed':
      return [
        'info',
        vscode.l10n.t('Claimed {0}: it is now running and nothing else can resume it. A claim starts no work; to have Archon continue a run, use Resume with Archon.', name),
        button.copyId(),
      ];
    case 'not-resumable':
      return ['warning', vscode.l10n.t('{0} is already {1} — another window, the CLI or the server claimed it first. Nothing changed.', name, status), button.refresh()];
    case 'busy':
      return ['warning', vscode.l10n.t('The database is busy (another process is writing). {0} was not resumed; nothing changed.', name), button.retry()];
    default:
      return commonReport(name, result);
  }
}

/** What each outcome of a cancel tells the person. */
function cancelReport(name: string, result: OperationResult<CancelOutcome>): Report {
  switch (result.outcome) {
    case 'cancelled':
      return ['info', vscode.l10n.t('Cancelled {0}.', name)];
    case 'nothing-to-cancel':
      return ['info', vscode.l10n.t('Nothing to cancel: {0} is already {1}. Nothing changed.', name, result.status ?? '?')];
    case 'busy':
      return ['warning', vscode.l10n.t('The database is busy (another process is writing). {0} was not cancelled; nothing changed.', name), button.retry()];
    default:
      return commonReport(name, result);
  }
}

function commonReport(name: string, result: OperationResult<string>): Report {
  if (result.outcome === 'not-found') return ['warning', vscode.l10n.t('{0} no longer exists. Nothing changed.', name), button.refresh()];
  const now = result.status ? vscode.l10n.t('It is now {0}.', result.status) : vscode.l10n.t('Its status could not be read.');
  return ['error', vscode.l10n.t('Could not confirm whether the change to {0} was made: the SQLite engine stopped before it answered. {1} Check the run before trying again.', name, now), button.refresh()];
}

function report(ctx: ActionContext, run: RunSummary, [level, message, ...items]: Report, retry: () => unknown): void {
  void ctx.notifier.show(level, message, ...items).then((choice) => {
    if (choice === button.retry()) void retry();
    if (choice === button.refresh()) void ctx.store.refresh(true);
    if (choice === button.copyId()) void vscode.env.clipboard.writeText(run.id);
  });
}

export async function resume(ctx: ActionContext, arg?: unknown): Promise<void> {
  if (!allowedInThisWorkspace(ctx.notifier)) return;
  const run = await chooseRun(ctx.store, ctx.notifier, arg, { resumable: true }, vscode.l10n.t('Resume which run? (failed, paused, or interrupted)'));
  if (!run) return;
  if (gateActions(run).decide) {
    const claim = await ctx.notifier.confirm(
      vscode.l10n.t('{0} is waiting at a gate. Claim it anyway?', runName(run)),
      vscode.l10n.t('A claim sets it running without answering its gate, and nothing continues it. To answer the gate, use Approve… or Reject…: Archon resolves it and continues the run.'),
      vscode.l10n.t('Claim Anyway'),
    );
    if (!claim) return;
  }
  const result = await perform(ctx, vscode.l10n.t('Resuming {0}…', runName(run)), (writer, id) => writer.resume(id), run);
  if (result) report(ctx, run, resumeReport(runName(run), result), () => resume(ctx, run.id));
}

export async function cancel(ctx: ActionContext, arg?: unknown): Promise<void> {
  if (!allowedInThisWorkspace(ctx.notifier)) return;
  const run = await chooseRun(ctx.store, ctx.notifier, arg, { cancellable: true }, vscode.l10n.t('Cancel which run?'));
  if (!run) return;
  const name = runName(run);
  if (run.status === 'running' || run.status === 'paused') {
    const confirmed = await ctx.notifier.confirm(
      vscode.l10n.t('Cancel {0}?', name),
      run.status === 'running'
        ? vscode.l10n.t('The run is marked cancelled. Its executor notices at its next step and stops; work already done stays in its worktree.')
        : vscode.l10n.t('The run is waiting for approval. Cancelling ends it; it cannot be resumed afterwards.'),
      vscode.l10n.t('Cancel Run'),
    );
    if (!confirmed) return;
  }
  const result = await perform(ctx, vscode.l10n.t('Cancelling {0}…', name), (writer, id) => writer.cancel(id), run);
  if (result) report(ctx, run, cancelReport(name, result), () => cancel(ctx, run.id));
}
