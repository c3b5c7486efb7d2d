import type pg from 'pg';
import { pgModule } from './pgModule';
import { poolConfig, postgresProblem } from './connection';

/** The channel Archon's trigger notifies on every workflow event insert (its adapter installs it). */
export const CHANNEL = 'archon_dashboard_event';
const BACKOFF_MS = [1000, 2000, 5000, 10000, 30000];

/**
 * `LISTEN archon_dashboard_event` on a connection of its own, reconnecting with backoff when it is
 * lost. `onEvent` is called for each notification, and once after each reconnect (events may
 * have been missed meanwhile). Status changes that write no event (a cancel) are left to polling.
 */
export class PostgresListener {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private disposed = false;

  constructor(
    private readonly url: string,
    private readonly onEvent: () => void,
    private readonly onProblem: (message: string) => void = () => undefined,
  ) {
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.disposed) return;
    const { connectionString, connectionTimeoutMillis, application_name, keepAlive } = poolConfig(this.url);
    const client = new (pgModule().Client)({ connectionString, connectionTimeoutMillis, application_name, keepAlive });
    this.client = client;
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      close(client);
      if (err) this.onProblem(postgresProblem(err, this.url).message);
      this.retry();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', () => this.onEvent());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.failures > 0) this.onEvent();
      this.failures = 0;
    } catch (err) {
      lost(err as Error);
    }
  }

  private retry(): void {
    if (this.disposed) return;
    const wait = BACKOFF_MS[Math.min(this.failures++, BACKOFF_MS.length - 1)];
    this.timer = setTimeout(() => void this.connect(), wait);
    this.timer.unref?.();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) close(client);
  }
}

/** Ends a connection we no longer listen on; whatever it says while it goes is of no interest. */
function close(client: pg.Client): void {
  client.removeAllListeners();
  client.on('error', () => undefined);
  void client.end().catch(() => undefined);
}
