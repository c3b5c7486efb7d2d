import * as vscode from 'vscode';
import type { DatabaseTarget } from '../core/database';
import { locateDatabase } from '../core/archon/databaseLocation';
import { isPostgresUrl } from '../core/postgres/connection';
import { config, databasePathSetting } from './configuration';

const SECRET = 'workflowRuns.databaseUrl';
const ALLOWED = 'workflowRuns.allowedWorkspaceDatabases';

/**
 * Which database the window reads, resolved as Archon resolves it, from what this machine's user
 * chose first: a SQLite path (`workflowRuns.databasePath`), a PostgreSQL URL stored with *Set
 * PostgreSQL Connection…* (SecretStorage), the machine-scoped `workflowRuns.databaseUrl`, then
 * Archon's own `DATABASE_URL` and `archon.db`. The workspace's `.archon/.env`, whose
 * `DATABASE_URL` wins over the user's as it does for Archon, is read only in a trusted workspace,
 * and what it chooses (a server, or SQLite by an empty value) is used only once the person allowed
 * it: a workspace never redirects reads or writes by itself.
 */
export class Connections implements vscode.Disposable {
  private secretUrl: string | undefined;
  private readonly loaded: Promise<void>;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly memento: vscode.Memento,
    onChange: () => void,
  ) {
    this.loaded = this.load();
    this.subscription = secrets.onDidChange((e) => e.key === SECRET && void this.load().then(onChange));
  }

  private async load(): Promise<void> {
    this.secretUrl = (await this.secrets.get(SECRET))?.trim() || undefined;
  }

  /** The database to read now, and, when the workspace's .env chose a server not yet allowed, that it needs consent. */
  async target(): Promise<{ target: DatabaseTarget; needsConsent: boolean }> {
    await this.loaded;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const target = locateDatabase({
      explicitPath: databasePathSetting(),
      databaseUrl: this.secretUrl ?? config.databaseUrl(),
      cwd: vscode.workspace.isTrusted ? folder : undefined,
    });
    const fromWorkspace = !!folder && target.source.startsWith(folder);
    return { target, needsConsent: fromWorkspace && !this.memento.get<string[]>(ALLOWED, []).includes(target.source) };
  }

  /** The person allows the workspace's .env to choose the database (remembered per file). */
  async allowWorkspaceDatabase(source: string): Promise<void> {
    await this.memento.update(ALLOWED, [...this.memento.get<string[]>(ALLOWED, []), source]);
  }

  /**
   * *Set PostgreSQL Connection…*: asks for a URL (hidden as typed) and keeps it in SecretStorage;
   * empty clears it. The secret's change event then loads it and refreshes.
   */
  async setConnection(): Promise<void> {
    const url = await vscode.window.showInputBox({
      title: vscode.l10n.t('PostgreSQL connection'),
      prompt: vscode.l10n.t('The URL Archon uses as DATABASE_URL, e.g. postgresql://user:password@host:5432/archon?sslmode=require. It is kept in VS Code\'s secret storage. Empty clears it.'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (!value.trim() || isPostgresUrl(value) ? undefined : vscode.l10n.t('A postgres:// or postgresql:// URL, please.')),
    });
    if (url === undefined) return;
    if (url.trim()) await this.secrets.store(SECRET, url.trim());
    else await this.secrets.delete(SECRET);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
