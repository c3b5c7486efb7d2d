import * as vscode from 'vscode';
import type { RunSummary } from '../../core/model/runModel';

/** Icon and color per status; the one place that maps a run's state to how it looks. */
const ICONS = new Map<string, [icon: string, color: string]>(Object.entries({
  interrupted: ['debug-disconnect', 'charts.orange'],
  gate: ['bell-dot', 'charts.yellow'],
  running: ['sync~spin', 'charts.blue'],
  paused: ['debug-pause', 'charts.yellow'],
  failed: ['error', 'testing.iconFailed'],
  pending: ['clock', 'descriptionForeground'],
  completed: ['pass', 'testing.iconPassed'],
  cancelled: ['circle-slash', 'descriptionForeground'],
}));

export function statusIcon(run: Pick<RunSummary, 'status' | 'interrupted' | 'openGate'>): vscode.ThemeIcon {
  // A Map: a status read from the database (`constructor`, say) must not find an object's own members.
  const entry = ICONS.get(run.interrupted ? 'interrupted' : run.openGate ? 'gate' : run.status);
  return entry ? new vscode.ThemeIcon(entry[0], new vscode.ThemeColor(entry[1])) : new vscode.ThemeIcon('question');
}
