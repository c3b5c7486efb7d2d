import * as vscode from 'vscode';
import { log } from './log';
import { plainText } from './untrustedText';

export type Level = 'info' | 'warning' | 'error';

export interface Shown {
  level: Level;
  message: string;
  items: string[];
  modal: boolean;
}

/**
 * Every notification and confirmation the extension shows goes through here: one place for the
 * wording's shape, a log line for each, and a record the tests read (`shown`). Tests may answer
 * confirmations, and press a notification's button, through `answer`.
 */
export class Notifier {
  readonly shown: Shown[] = [];
  answer: ((shown: Shown) => string | undefined) | undefined;

  /**
   * Shows a message; resolves the button chosen (undefined when dismissed). Never awaited for flow.
   * Messages carry database text, so none of it may form a link (see `plainText`).
   */
  show(level: Level, text: string, ...items: string[]): Thenable<string | undefined> {
    const message = plainText(text);
    this.record({ level, message, items, modal: false });
    const fn =
      level === 'info' ? vscode.window.showInformationMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    const toast = fn(message, ...items);
    const pressed = this.answer?.({ level, message, items, modal: false });
    return pressed === undefined ? toast : Promise.resolve(pressed);
  }

  /** A modal question with one confirming button; true only when that button was chosen. */
  async confirm(text: string, detail: string, button: string): Promise<boolean> {
    const message = plainText(text);
    const shown: Shown = { level: 'warning', message, items: [button], modal: true };
    this.record(shown);
    const choice = this.answer ? this.answer(shown) : await vscode.window.showWarningMessage(message, { modal: true, detail }, button);
    return choice === button;
  }

  private record(shown: Shown): void {
    this.shown.push(shown);
    log.info(`[${shown.level}${shown.modal ? ', modal' : ''}] ${shown.message}`);
  }
}
