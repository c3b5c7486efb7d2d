import * as vscode from 'vscode';
import type { DatabaseTarget, RunsWriter } from '../core/database';
import { openWriter } from '../core/openDatabase';
import { config } from './configuration';
import { log } from './log';

/** The writer of the database shown, for Resume and Cancel: chosen from the settings and kept while they hold. */
export class Writers implements vscode.Disposable {
  private current: { key: string; writer: Promise<RunsWriter> } | undefined;

  get(target: DatabaseTarget): Promise<RunsWriter> {
    const options = { engine: config.writerEngine(), sqlite3Path: config.sqlite3Path() };
    const key = JSON.stringify([target, target.engine === 'sqlite' ? options : null]);
    if (this.current?.key !== key) {
      this.dispose();
      const writer = openWriter(target, options);
      writer.then((w) => log.info(`writes go through ${w.description}`)).catch(() => undefined);
      this.current = { key, writer };
      // A failed choice is not cached: installing sqlite3 must not need a reload.
      writer.catch(() => {
        if (this.current?.writer === writer) this.current = undefined;
      });
    }
    return this.current.writer;
  }

  dispose(): void {
    const previous = this.current?.writer;
    this.current = undefined;
    previous?.then((w) => w.dispose()).catch(() => undefined);
  }
}
