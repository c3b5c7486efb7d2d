import * as vscode from 'vscode';

/** The extension's one diagnostics channel. */
export const log = vscode.window.createOutputChannel('Workflow Runs', { log: true });
