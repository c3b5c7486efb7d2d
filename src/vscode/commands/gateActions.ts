import * as vscode from 'vscode';
import { approveArgs, rejectArgs, respondArgs } from '../../core/archon/archonArgs';
import { gateActions, type RunSummary } from '../../core/model/runModel';
import { runArchon } from '../archonTask';
import { runName, shortId } from '../format';
import type { Notifier } from '../notifier';
import type { RunStore } from '../runStore';
import type { RunsView } from '../runsView';
import { allowedInThisWorkspace } from '../trust';
import { plainText } from '../untrustedText';
import { chooseRun } from './pickRun';
import { archonFolder } from './resumeWithArchon';

export interface GateContext {
  store: RunStore;
  notifier: Notifier;
}

/** The run whose gate to answer: the tree item, an id, or a pick among open gates Archon can answer. */
async function chooseGate(ctx: GateContext, arg: unknown, respond: boolean, placeHolder: string): Promise<RunSummary | undefined> {
  const can = (run: RunSummary) => (respond ? gateActions(run).respond : gateActions(run).decide);
  const run = await chooseRun(ctx.store, ctx.notifier, arg, { openGate: true }, placeHolder, can);
  if (run && !can(run)) {
    const message = gateActions(run).decide
      ? vscode.l10n.t('{0} waits at a gate that takes no answer and declares no decisions: approve or reject it.', runName(run))
      : vscode.l10n.t('{0} is not waiting at a gate Archon can answer now (it is {1}).', runName(run), run.status);
    void ctx.notifier.show('info', message);
    return undefined;
  }
  return run;
}

/**
 * Hands the decision to Archon's own CLI in the run's folder: Archon resolves the gate with its own
 * compare-and-swap and continues the run in the task's terminal. Nothing is written here.
 */
async function handToArchon(ctx: GateContext, run: RunSummary, title: string, args: string[]): Promise<void> {
  const cwd = archonFolder(run);
  if (!cwd) {
    void ctx.notifier.show(
      'warning',
      vscode.l10n.t("Archon answers a gate from the run's working folder or its project's folder, and neither exists for {0}.", runName(run)),
    );
    return;
  }
  const task = await runArchon({ title, args, cwd }, ctx.notifier);
  if (!task) return;
  void ctx.notifier.show('info', vscode.l10n.t('{0}: handed to Archon, which resolves the gate and continues the run in the terminal "{1}".', runName(run), plainText(title)));
  void task.exit.then((code) => {
    if (code) void ctx.notifier.show('warning', vscode.l10n.t('Archon ended with exit code {0} ({1}); its terminal shows why.', code, plainText(title)));
  });
}

/** How Approve… and Reject… differ: their words, and the Archon command they run. */
interface Decision {
  placeHolder: string;
  title: (name: string) => string;
  prompt: string;
  args: (runId: string, text: string) => string[];
}

/** Approve… or Reject…: an optional text (given, or asked for), then `archon workflow approve|reject`. */
async function decide(ctx: GateContext, arg: unknown, text: string | undefined, decision: Decision): Promise<void> {
  if (!allowedInThisWorkspace(ctx.notifier)) return;
  const run = await chooseGate(ctx, arg, false, decision.placeHolder);
  if (!run) return;
  const title = decision.title(runName(run));
  text ??= await vscode.window.showInputBox({ title, prompt: gatePrompt(run, decision.prompt), ignoreFocusOut: true });
  if (text === undefined) return;
  await handToArchon(ctx, run, title, decision.args(run.id, text));
}

/** Approve…: an optional comment, then `archon workflow approve`. */
export function approve(ctx: GateContext, arg?: unknown, comment?: string): Promise<void> {
  return decide(ctx, arg, comment, {
    placeHolder: vscode.l10n.t('Approve which gate?'),
    title: (name) => vscode.l10n.t('Approve {0}', name),
    prompt: vscode.l10n.t('A comment for Archon (optional).'),
    args: approveArgs,
  });
}

/** Reject…: an optional reason, then `archon workflow reject`. */
export function reject(ctx: GateContext, arg?: unknown, reason?: string): Promise<void> {
  return decide(ctx, arg, reason, {
    placeHolder: vscode.l10n.t('Reject which gate?'),
    title: (name) => vscode.l10n.t('Reject {0}', name),
    prompt: vscode.l10n.t('The reason, for Archon (optional).'),
    args: rejectArgs,
  });
}

/**
 * Respond…: an interactive loop's answer (Archon takes it as the approval's comment), or one of the
 * decisions the gate declared, with an optional text (`archon workflow respond`).
 */
export async function respond(ctx: GateContext, arg?: unknown, decision?: string, text?: string): Promise<void> {
  if (!allowedInThisWorkspace(ctx.notifier)) return;
  const run = await chooseGate(ctx, arg, true, vscode.l10n.t('Respond to which gate?'));
  if (!run) return;
  const title = vscode.l10n.t('Respond to {0}', runName(run));
  const gate = run.approval!;
  if (gate.decisions.length) {
    decision ??= (
      await vscode.window.showQuickPick(
        gate.decisions.map((d) => ({ label: plainText(d.label ?? d.id), description: d.label ? plainText(d.id) : undefined, id: d.id })),
        { title, placeHolder: plainText(gate.message ?? vscode.l10n.t('Which decision?')), ignoreFocusOut: true },
      )
    )?.id;
    if (decision === undefined) return;
    text ??= await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('A text to go with the decision (optional).'), ignoreFocusOut: true });
    if (text === undefined) return;
    return handToArchon(ctx, run, title, respondArgs(run.id, decision, text));
  }
  text ??= await vscode.window.showInputBox({
    title,
    prompt: gatePrompt(run, vscode.l10n.t('Your answer, which the loop continues with.')),
    ignoreFocusOut: true,
    validateInput: (value) => (value ? undefined : vscode.l10n.t('An answer is needed; use Approve to go on without one.')),
  });
  if (!text) return;
  await handToArchon(ctx, run, title, approveArgs(run.id, text));
}

/** The gate's question, then what the person types. */
function gatePrompt(run: RunSummary, ask: string): string {
  const question = run.approval?.message;
  return question ? `${plainText(question)} — ${ask}` : ask;
}

/** Shows a run in the tree; when it is not listed there, opens its details instead. */
export async function revealRun(view: RunsView, notifier: Notifier, runId: unknown): Promise<void> {
  if (typeof runId !== 'string') return;
  if (await view.reveal(runId)) return;
  void notifier.show('info', vscode.l10n.t('Run {0} is not listed in the tree (filtered, out of scope, or further down); its details open instead.', shortId(runId)));
  await vscode.commands.executeCommand('workflowRuns.showDetails', runId);
}
