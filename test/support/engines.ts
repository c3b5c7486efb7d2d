import { NodeSqliteWriter, loadNodeSqlite } from '../../src/core/sqlite/writers/nodeSqliteWriter';
import { probeSqliteShell, SqliteShellWriter } from '../../src/core/sqlite/writers/sqliteShellWriter';
import type { EngineName, WriterEngine } from '../../src/core/sqlite/writers/writer';

export interface EngineUnderTest {
  name: EngineName;
  /** Undefined when this runtime cannot run the engine; `skip` says why. */
  make?: (busyTimeoutMs?: number) => WriterEngine;
  skip?: string;
}

/**
 * Both writer engines, each either runnable here or with the reason it is skipped. The suite runs
 * once under Node 20 (no node:sqlite) and once under Node 24, so every engine is tested somewhere.
 */
export async function enginesUnderTest(): Promise<EngineUnderTest[]> {
  const sqlite = loadNodeSqlite();
  const shellVersion = await probeSqliteShell('sqlite3');
  return [
    sqlite
      ? { name: 'node-sqlite', make: (t) => new NodeSqliteWriter(sqlite, t) }
      : { name: 'node-sqlite', skip: `node:sqlite is not in Node ${process.versions.node}` },
    shellVersion
      ? { name: 'sqlite3', make: (t) => new SqliteShellWriter('sqlite3', shellVersion, t) }
      : { name: 'sqlite3', skip: 'no sqlite3 shell on PATH' },
  ];
}
