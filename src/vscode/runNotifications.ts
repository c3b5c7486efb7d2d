import * as vscode from 'vscode';
import { gateActions } from '../core/model/runModel';
import { config } from './configuration';
import { runName, shorten } from './format';
import type { Level, Notifier } from './notifier';
import { VIEW_ID } from './runsView';
import type { Arrival, StatusWatcher } from './statusWatcher';

/** A button, and the command it runs on the run. */
type Action = [label: string, command: string];

const approveAction = (): Action => [vscode.l10n.t('Approve…'), 'workflowRuns.approve'];
const rejectAction = (): Action => [vscode.l10n.t('Reject…'), 'workflowRuns.reject'];
const resumeAction = (): Action => [vscode.l10n.t('Resume with Archon'), 'workflowRuns.resumeWithArchon'];
const detailsAction = (): Action => [vscode.l10n.t('Show Details'), 'workflowRuns.showDetails'];
const revealAction = (): Action => [vscode.l10n.t('Reveal in Tree'), 'workflowRuns.revealRun'];

/** What one run's move says, how loudly, and what can be done about it. */
function single({ kind, run }: Arrival): [Level, string, Action[]] {
  const name = runName(run);
  switch (kind) {
    case 'gate': {
      const question = run.approval?.message ? shorten(run.approval.message, 140) : vscode.l10n.t('its gate waits for an answer');
      const actions = gateActions(run).decide ? [approveAction(), rejectAction()] : [];
      return ['warning', vscode.l10n.t('{0} is waiting for you: {1}', name, question), [...actions, revealAction()]];
    }
    case 'failed':
      return ['error', run.error ? vscode.l10n.t('{0} failed: {1}', name, shorten(run.error, 140)) : vscode.l10n.t('{0} failed.', name), [resumeAction(), detailsAction(), revealAction()]];
    case 'interrupted':
      return ['warning', vscode.l10n.t('{0} was interrupted: no heartbeat for over a day.', name), [resumeAction(), revealAction()]];
    case 'completed':
      return ['info', vscode.l10n.t('{0} completed.', name), [detailsAction(), revealAction()]];
  }
}

/** Several at once: one notification, counted by kind. */
function grouped(arrivals: Arrival[]): [Level, string] {
  const count = (kind: Arrival['kind']) => arrivals.filter((a) => a.kind === kind).length;
  const parts = [
    [count('failed'), vscode.l10n.t('{0} failed', count('failed'))],
    [count('gate'), vscode.l10n.t('{0} waiting for you', count('gate'))],
    [count('interrupted'), vscode.l10n.t('{0} interrupted', count('interrupted'))],
    [count('completed'), vscode.l10n.t('{0} completed', count('completed'))],
  ].filter(([n]) => n) as [number, string][];
  const level: Level = count('failed') ? 'error' : count('gate') || count('interrupted') ? 'warning' : 'info';
  if (parts.length === 1) {
    const kind = arrivals[0].kind;
    const n = arrivals.length;
    const text = { failed: vscode.l10n.t('{0} runs failed.', n), gate: vscode.l10n.t('{0} runs are waiting for you.', n), interrupted: vscode.l10n.t('{0} runs were interrupted.', n), completed: vscode.l10n.t('{0} runs completed.', n) }[kind];
    return [level, text];
  }
  return [level, vscode.l10n.t('{0} runs changed: {1}.', arrivals.length, parts.map(([, text]) => text).join(', '))];
}

/**
 * One notification per refresh that saw runs move into a state the person should hear about:
 * a failure, a gate that waits, an interrupted run, and, when the setting asks, a completion.
 * Several at once are one notification. What was so before the window opened is no news.
 */
export class RunNotifications implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    watcher: StatusWatcher,
    private readonly notifier: Notifier,
  ) {
    this.subscription = watcher.onDidArrive((arrivals) => this.show(arrivals));
  }

  private show(all: Arrival[]): void {
    const setting = config.notifications();
    const arrivals = setting === 'off' ? [] : all.filter((a) => a.kind !== 'completed' || setting === 'all');
    if (arrivals.length === 1) {
      const [level, message, actions] = single(arrivals[0]);
      void this.notifier.show(level, message, ...actions.map(([label]) => label)).then((choice) => {
        const action = actions.find(([label]) => label === choice);
        if (action) void vscode.commands.executeCommand(action[1], arrivals[0].run.id);
      });
    } else if (arrivals.length > 1) {
      const [level, message] = grouped(arrivals);
      const show = vscode.l10n.t('Show Runs');
      void this.notifier.show(level, message, show).then((choice) => choice === show && vscode.commands.executeCommand(`${VIEW_ID}.focus`));
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
