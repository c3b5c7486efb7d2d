import * as vscode from 'vscode';
import type { RunFilter, RunSummary } from '../../core/model/runModel';
import { relative, shortId, statusText } from '../format';
import type { Notifier } from '../notifier';
import type { RunStore } from '../runStore';
import { RunNode } from '../treeViews/nodes';
import { plainText } from '../untrustedText';

/** The run an item command acts on: the tree item it was invoked on, a run id, or a QuickPick. */
export async function chooseRun(
  store: RunStore,
  notifier: Notifier,
  arg: unknown,
  which: Pick<RunFilter, 'resumable' | 'cancellable' | 'openGate'>,
  placeHolder: string,
  /** Of those, only the runs this accepts. */
  only?: (run: RunSummary) => boolean,
): Promise<RunSummary | undefined> {
  if (arg instanceof RunNode) return arg.run;
  await store.ensureLoaded();
  const state = store.state;
  if (state.kind !== 'ready') {
    void notifier.show('warning', state.kind === 'loading' ? vscode.l10n.t('No workflow-runs database is loaded.') : state.message);
    return undefined;
  }
  if (typeof arg === 'string') {
    const resolved = await store.read('resolveId', arg);
    return resolved.kind === 'found' ? store.read('getRun', resolved.id) : undefined;
  }
  const runs = (await store.read('listRuns', { ...store.baseFilter(), ...which, limit: 500 })).filter(only ?? (() => true));
  if (!runs.length) {
    const none = which.resumable
      ? vscode.l10n.t('No run can be resumed right now.')
      : which.openGate
        ? vscode.l10n.t('No run is waiting at a gate Archon can answer right now.')
        : vscode.l10n.t('No run can be cancelled right now.');
    void notifier.show('info', none);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({
      label: plainText(run.workflowName),
      description: plainText([statusText(run), relative(run.startedAt), run.codebaseName].filter(Boolean).join(' · ')),
      detail: plainText(`${shortId(run.id)} — ${(which.openGate && run.approval?.message) || run.error || run.userMessage || ''}`),
      run,
    })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.run;
}
