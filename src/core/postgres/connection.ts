import type pg from 'pg';
import type { PoolConfig } from 'pg';
import { WorkflowRunsError } from '../model/errors';
import { pgModule } from './pgModule';

/** How long to wait for a server to accept a connection. */
export const CONNECT_TIMEOUT_MS = 5000;
/** How long one statement may run on the server (reads and writes alike). */
export const STATEMENT_TIMEOUT_MS = 15000;
/** How long a write waits for another transaction's row lock before it is "busy, nothing changed". */
export const LOCK_TIMEOUT_MS = 5000;

/**
 * The pool's settings: the URL as given, with its TLS options (`sslmode`, as node-postgres reads
 * them: `require` verifies the certificate, `no-verify` does not, `disable` goes without TLS),
 * and timeouts set explicitly, so that a server that is down or silent is an answer, not a hang.
 */
export function poolConfig(url: string, max = 4): PoolConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 5000,
    idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS * 2,
    application_name: 'workflow-runs',
    keepAlive: true,
    max,
    idleTimeoutMillis: 30000,
    allowExitOnIdle: true,
  };
}

/**
 * A pool with those settings. A connection dropped while idle emits 'error' on the pool; the next
 * query reports it, so it must not become an unhandled event.
 */
export function openPool(url: string, max?: number): pg.Pool {
  const pool = new (pgModule().Pool)(poolConfig(url, max));
  pool.on('error', () => undefined);
  return pool;
}

interface UrlParts {
  user: string;
  password: string;
  host: string;
  database: string;
}

function parts(url: string): UrlParts | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return undefined;
    return { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), host: u.port ? `${u.hostname}:${u.port}` : u.hostname, database: u.pathname.slice(1) };
  } catch {
    return undefined;
  }
}

/** Whether the text is a PostgreSQL connection URL this extension can use. */
export function isPostgresUrl(url: string): boolean {
  return parts(url.trim()) !== undefined;
}

/** "PostgreSQL archon@db.example.com:5432/archon": never the password. */
export function describePostgres(url: string): string {
  const p = parts(url);
  if (!p) return 'PostgreSQL (an unreadable connection URL)';
  return `PostgreSQL ${p.user ? `${p.user}@` : ''}${p.host || 'localhost'}/${p.database}`;
}

/** The URL with its password replaced by `***`. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unreadable connection URL)';
  }
}

/** Text with the URL's password, and the URL itself, taken out: for anything shown or logged. */
export function scrub(text: string, url: string): string {
  let out = text.split(url).join(maskUrl(url));
  const password = parts(url)?.password;
  if (password && password.length >= 3) out = out.split(password).join('***');
  return out;
}

/**
 * A node-postgres error as a problem a person can act on: which kind, and a short message with
 * where, never the password.
 */
export function postgresProblem(err: unknown, url: string): WorkflowRunsError {
  if (err instanceof WorkflowRunsError) return new WorkflowRunsError(err.kind, scrub(err.message, url));
  const e = err as { code?: string; message?: string };
  const message = String(e.message ?? err);
  const p = parts(url);
  const problem = (kind: WorkflowRunsError['kind'], text: string) => new WorkflowRunsError(kind, scrub(text, url));
  if (!p) return problem('usage', 'The PostgreSQL connection URL is not valid: postgres://user:password@host:port/database');
  const where = p.host || 'localhost';
  switch (e.code) {
    case 'ECONNREFUSED':
      return problem('unreachable', `Cannot reach PostgreSQL at ${where}: connection refused. Is the server running?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return problem('unreachable', `Cannot reach PostgreSQL: no host named "${where.split(':')[0]}".`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ECONNRESET':
      return problem('unreachable', `Cannot reach PostgreSQL at ${where} (${e.code}).`);
    case '28P01':
    case '28000':
      return problem('auth', `PostgreSQL at ${where} refused the login of "${p.user}": ${message}.`);
    case '3D000':
      return problem('no-database', `PostgreSQL at ${where} has no database "${p.database}".`);
    case '42P01':
      return problem('missing-tables', `The database at ${where} has no Archon tables: it is not an Archon database.`);
    case '55P03':
      return problem('busy', 'The run is locked by another transaction (Archon, another window, the CLI); nothing changed. Retry.');
    case '57014':
      return problem('unreachable', `PostgreSQL at ${where} did not answer within ${STATEMENT_TIMEOUT_MS / 1000} s.`);
  }
  if (/timeout/i.test(message)) return problem('unreachable', `PostgreSQL at ${where} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s.`);
  if (/SSL|TLS|certificate/i.test(message)) return problem('unreachable', `TLS to PostgreSQL at ${where} failed: ${message}.`);
  if (/terminat|closed|ended/i.test(message)) return problem('unreachable', `The connection to PostgreSQL at ${where} was lost: ${message}.`);
  return problem('unreadable', `PostgreSQL at ${where}: ${message}`);
}
