import * as vscode from 'vscode';
import type { RunSummary } from '../../core/runModel';

/** One place that maps a run's state to its icon and color. */
export function statusIcon(run: Pick<RunSummary, 'status' | 'interrupted'>): vscode.ThemeIcon {
  if (run.interrupted) return new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('charts.orange'));
  switch (run.status) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
    case 'paused':
      return new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'pending':
      return new vscode.ThemeIcon('clock', new vscode.ThemeColor('descriptionForeground'));
    case 'completed':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('descriptionForeground'));
    default:
      return new vscode.ThemeIcon('question');
  }
}
