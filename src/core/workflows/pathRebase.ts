import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Archon records absolute paths of the machine that wrote them: a run's frozen workflows, its
 * artifacts, spill files and transcript live under `<ARCHON_HOME>/workspaces/<owner>/<repo>/`. Archon
 * in Docker writes the container's paths (`/.archon/workspaces/…`), and a home copied to another
 * machine keeps its old prefix. A recorded path that does not exist here is looked for under this
 * machine's Archon home instead: the part from `workspaces/` on, joined to `home` (the folder of
 * the SQLite database; on PostgreSQL, Archon's home as Archon resolves it).
 */
export interface RebasedPath {
  /** The path to use on this machine (the recorded one when nothing better exists). */
  path: string;
  /** Whether it exists here. */
  exists: boolean;
  /** Whether it was moved onto `home`. */
  rebased: boolean;
}

function exists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Each `workspaces/…` tail of a recorded path, leftmost first (a home may itself lie under a folder named workspaces). */
function workspaceTails(recorded: string): string[][] {
  const parts = recorded.split(/[\\/]+/).filter(Boolean);
  const tails: string[][] = [];
  parts.forEach((part, i) => {
    if (part === 'workspaces' && i < parts.length - 1) tails.push(parts.slice(i));
  });
  return tails;
}

/** `recorded` as it is when it exists here, else moved onto `home` when that exists (see above). */
export function rebasePath(recorded: string, home: string | null): RebasedPath {
  if (exists(recorded)) return { path: recorded, exists: true, rebased: false };
  if (home) {
    for (const tail of workspaceTails(recorded)) {
      const candidate = path.join(home, ...tail);
      // Never out of the home: a tail holding `..` names nothing of Archon's.
      if (tail.includes('..') || tail.includes('.')) continue;
      if (exists(candidate)) return { path: candidate, exists: true, rebased: true };
    }
  }
  return { path: recorded, exists: false, rebased: false };
}

/** Where a run's files are on this machine: Archon's `<output_root>/artifacts/runs/<id>/` and `<output_root>/logs/<id>.jsonl`. */
export interface RunFiles {
  /** The run's artifacts folder (its `workflow-source/` and `.archon/` are Archon's own). */
  artifacts: RebasedPath | null;
  /** The run's transcript. */
  log: RebasedPath | null;
}

export function runFiles(run: { id: string; outputRoot: string | null }, home: string | null): RunFiles {
  // The id becomes a file name: one that could name another folder names none.
  if (!run.outputRoot || !/^[A-Za-z0-9_-]+$/.test(run.id)) return { artifacts: null, log: null };
  return {
    artifacts: rebasePath(path.posix.join(run.outputRoot.replace(/\\/g, '/'), 'artifacts', 'runs', run.id), home),
    log: rebasePath(path.posix.join(run.outputRoot.replace(/\\/g, '/'), 'logs', `${run.id}.jsonl`), home),
  };
}
