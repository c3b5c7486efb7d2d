import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { messageOf } from '../core/model/errors';
import { log } from './log';

const DEBOUNCE_MS = 150;

/**
 * Calls `onChange` (debounced) when the database file or its `-wal` changes, wherever it lives
 * (usually outside the workspace). Watches the folder, so a log that appears later is seen; polls
 * too, for file systems where watching misses changes (network mounts, some containers).
 */
export class DatabaseWatcher implements vscode.Disposable {
  private watcher: fs.FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watched: string | undefined;
  private pollMs = 0;

  constructor(private readonly onChange: () => void) {}

  watch(dbPath: string | undefined, pollMs: number): void {
    if (dbPath !== this.watched) {
      this.watcher?.close();
      this.watcher = undefined;
      this.watched = dbPath;
      if (dbPath) {
        const names = new Set([path.basename(dbPath), `${path.basename(dbPath)}-wal`]);
        try {
          this.watcher = fs.watch(path.dirname(dbPath), { persistent: false }, (_event, name) => {
            if (!name || names.has(name.toString())) this.fire();
          });
          this.watcher.on('error', (err) => log.warn(`file watching stopped (${messageOf(err)}); polling continues`));
        } catch (err) {
          log.warn(`cannot watch ${path.dirname(dbPath)} (${messageOf(err)}); polling only`);
        }
      }
    }
    if (pollMs === this.pollMs && (this.poll !== undefined) === pollMs > 0) return;
    if (this.poll) clearInterval(this.poll);
    this.pollMs = pollMs;
    this.poll = pollMs > 0 ? setInterval(() => this.onChange(), pollMs) : undefined;
  }

  private fire(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onChange(), DEBOUNCE_MS);
  }

  dispose(): void {
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
    if (this.timer) clearTimeout(this.timer);
  }
}
