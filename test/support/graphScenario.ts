import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunGraph } from '../../src/core/graph/runNodes';
import { openReader } from '../../src/core/openDatabase';
import { archonDb, insertRun, lit, newId, tempDir } from './fixtures';
import type { LiveDb } from './liveDb';

/** An event as Archon writes it: type, step (node id, or null), data; one second after the previous. */
export type EventSeed = [type: string, step: string | null, data?: Record<string, unknown>];

export interface Scenario {
  workflow: string;
  status: string;
  events: EventSeed[];
  /** Files of the frozen copy, by path under its root (`project/.archon/workflows/x.yaml`); null: no copy at all. */
  frozen?: Record<string, string> | null;
  /** The manifest's text (default: one naming `workflow`). */
  manifest?: string;
  /** Workflow files in the run's working folder, by path under it. */
  workspace?: Record<string, string>;
  metadata?: Record<string, unknown>;
  /** Rows of child runs: [status, metadata]. */
  children?: [string, Record<string, unknown>][];
}

export interface ScenarioRun {
  db: LiveDb;
  home: string;
  runId: string;
  /** Where the frozen copy is on this machine (recorded under another machine's home). */
  frozenRoot: string;
  workingPath: string;
  childIds: string[];
  read(): Promise<RunGraph>;
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
}

/**
 * A run in a real SQLite database whose folder is the Archon home, with its frozen copy laid out
 * as Archon's capture does under that home, but recorded under another machine's home (so it is
 * found by moving the path), and its events one second apart.
 */
export async function scenario(s: Scenario): Promise<ScenarioRun> {
  const home = tempDir();
  const db = await archonDb({ file: path.join(home, 'archon.db') });
  const runId = newId();
  const output = 'workspaces/acme/widgets';
  const frozenRoot = path.join(home, output, 'artifacts', 'runs', runId, 'workflow-source');
  const recordedRoot = `/home/someone-else/.archon/${output}/artifacts/runs/${runId}/workflow-source`;
  if (s.frozen !== null) {
    writeFiles(frozenRoot, s.frozen ?? {});
    fs.writeFileSync(path.join(frozenRoot, 'manifest.json'), s.manifest ?? JSON.stringify({ version: 1, workflow_name: s.workflow, scopes: ['project', 'global', 'bundled'] }));
  }
  const workingPath = path.join(home, 'src', 'widgets');
  fs.mkdirSync(workingPath, { recursive: true });
  writeFiles(workingPath, s.workspace ?? {});
  const metadata = { workflow_source: { version: 1, root: recordedRoot, digest: newId() }, ...s.metadata };
  await insertRun(db, { id: runId, workflow_name: s.workflow, status: s.status, metadata: JSON.stringify(metadata), working_path: workingPath });
  const childIds: string[] = [];
  for (const [status, meta] of s.children ?? []) childIds.push(await insertRun(db, { status, metadata: JSON.stringify(meta), parent_run_id: runId, workflow_name: 'child' }));
  const values = s.events.map(
    ([type, step, data], i) => `(${lit(newId())}, ${lit(runId)}, ${lit(type)}, ${lit(step)}, ${lit(JSON.stringify(data ?? {}))}, datetime('2026-05-01 10:00:00', '+${i} seconds'))`,
  );
  if (values.length) await db.exec(`INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, step_name, data, created_at) VALUES ${values.join(', ')}`);
  return {
    db,
    home,
    runId,
    frozenRoot,
    workingPath,
    childIds,
    async read() {
      const reader = openReader({ engine: 'sqlite', dbPath: db.path, source: 'test' }, { thread: false });
      try {
        return (await reader.read('graph', { runId, home })).value!;
      } finally {
        reader.dispose();
      }
    },
  };
}

/** A workflow file with these nodes (each the YAML of one node, its later lines indented two spaces). */
export function workflowYaml(name: string, nodes: string[]): string {
  return `name: ${name}\ndescription: test\nnodes:\n${nodes.map((n) => `  - ${n.replace(/\n/g, '\n  ')}`).join('\n')}\n`;
}
