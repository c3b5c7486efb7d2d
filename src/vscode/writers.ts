import * as vscode from 'vscode';
import { selectWriter } from '../core/sqlite/writers/selectWriter';
import type { WriterEngine } from '../core/sqlite/writers/writer';
import { config } from './configuration';
import { log } from './log';

/** The writer engine for Resume and Cancel, chosen from the settings and kept while they hold. */
export class Writers implements vscode.Disposable {
  private current: { key: string; writer: Promise<WriterEngine> } | undefined;

  get(): Promise<WriterEngine> {
    const options = { engine: config.writerEngine(), sqlite3Path: config.sqlite3Path() };
    const key = JSON.stringify(options);
    if (this.current?.key !== key) {
      this.dispose();
      const writer = selectWriter(options);
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
    previous?.then((w) => w.dispose?.()).catch(() => undefined);
  }
}
