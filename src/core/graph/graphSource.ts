import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { messageOf } from '../model/errors';
import type { RunDetails } from '../model/runModel';
import { rebasePath } from '../workflows/pathRebase';
import { type CatalogError, type FoundWorkflow, type ScopeFolders, WorkflowCatalog } from '../workflows/workflowCatalog';
import type { AuthoredWorkflow } from '../workflows/workflowDefinition';
import { ExpansionTooLarge, expandIncludes, includeTargets } from './includes';
import type { SourcedGraph } from './runNodes';
import { type WorkflowGraph, workflowGraph } from './workflowGraph';

/** Nodes after every include is inlined, at most (includes multiply: a block included in a block included twice…). */
export const MAX_EXPANDED_NODES = 20000;
/** Workflows read for one graph's includes, at most. */
const MAX_INCLUDED_WORKFLOWS = 100;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `metadata.workflow_source` (Archon's record of the frozen copy), if the run has one. */
function workflowSourceOf(run: RunDetails): { root: string; digest: string | null } | null {
  const source = isRecord(run.metadata) && isRecord(run.metadata.workflow_source) ? run.metadata.workflow_source : null;
  if (!source || typeof source.root !== 'string' || !source.root) return null;
  return { root: source.root, digest: typeof source.digest === 'string' && source.digest ? source.digest : null };
}

async function readManifest(root: string): Promise<Json> {
  const file = path.join(root, 'manifest.json');
  const { size } = await fs.stat(file);
  if (size > 1024 * 1024) throw new Error('it is larger than 1 MB');
  const value = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  if (!isRecord(value)) throw new Error('it is not a JSON object');
  return value;
}

/** The scopes of a frozen copy, laid out as Archon's capture writes them (packages/workflows/src/workflow-source.ts). */
function frozenScopes(root: string, manifest: Json): ScopeFolders[] {
  const config = isRecord(manifest.source_config) ? manifest.source_config : {};
  const scopes: ScopeFolders[] = [
    { scope: 'project', dir: path.join(root, 'project', '.archon', 'workflows') },
    { scope: 'global', dir: path.join(root, 'global', 'workflows') },
  ];
  if (config.load_default_workflows !== false) {
    scopes.push({ scope: 'bundled', dir: path.join(root, 'bundled', 'workflows', 'defaults'), packagedDir: path.join(root, 'bundled', 'workflows') });
  }
  return scopes;
}

/** A found workflow's graph: its includes read from the same catalog, inlined, ordered. */
async function graphOf(catalog: WorkflowCatalog, found: FoundWorkflow): Promise<WorkflowGraph> {
  const problems = [...found.problems];
  const included = new Map<string, AuthoredWorkflow>();
  const pending = includeTargets(found.workflow.nodes);
  const asked = new Set([found.name]);
  while (pending.length && asked.size <= MAX_INCLUDED_WORKFLOWS) {
    const name = pending.pop()!;
    if (asked.has(name)) continue;
    asked.add(name);
    const target = await catalog.find(name);
    if (!target) continue;
    included.set(name, target.workflow);
    problems.push(...target.problems.map((p) => `in included workflow '${name}': ${p}`));
    pending.push(...includeTargets(target.workflow.nodes));
  }
  const expanded = expandIncludes(found.workflow, included, MAX_EXPANDED_NODES);
  const graph = workflowGraph(expanded.nodes);
  return { nodes: graph.nodes, problems: [...problems, ...expanded.problems, ...graph.problems] };
}

function unreadable(errors: CatalogError[]): string {
  return errors.length ? ` (${errors.length} workflow file(s) could not be read, e.g. ${errors[0].file}: ${errors[0].reason})` : '';
}

/** Frozen graphs by copy, digest and name: a frozen copy never changes (Archon checks its digest). */
export class GraphCache {
  private readonly entries = new Map<string, SourcedGraph>();

  constructor(private readonly size = 16) {}

  get(key: string): SourcedGraph | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: SourcedGraph): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }
}

const FROZEN_GRAPHS = new GraphCache();

/** The run's graph from its frozen copy; otherwise why not (a sentence for `detail`). */
async function frozenGraph(run: RunDetails, home: string | null, cache: GraphCache): Promise<SourcedGraph | string> {
  const source = workflowSourceOf(run);
  if (!source) return 'The run has no frozen copy of its workflow (Archon wrote none before it captured workflows).';
  const root = rebasePath(source.root, home);
  if (!root.exists) return `Its frozen copy (recorded at ${source.root}) is not on this machine.`;
  let manifest: Json;
  try {
    manifest = await readManifest(root.path);
  } catch (err) {
    return `Its frozen copy at ${root.path} has no readable manifest.json (${messageOf(err)}).`;
  }
  const name = typeof manifest.workflow_name === 'string' && manifest.workflow_name ? manifest.workflow_name : run.workflowName;
  const key = source.digest && JSON.stringify([root.path, source.digest, name]);
  const cached = key ? cache.get(key) : undefined;
  if (cached) return cached;
  const catalog = await WorkflowCatalog.open(frozenScopes(root.path, manifest));
  const found = await catalog.find(name);
  if (!found) return `Its frozen copy at ${root.path} has no workflow named '${name}'${unreadable(catalog.errors)}.`;
  try {
    const sourced: SourcedGraph = { source: 'frozen', detail: null, file: found.file, graph: await graphOf(catalog, found) };
    if (key) cache.set(key, sourced);
    return sourced;
  } catch (err) {
    if (err instanceof ExpansionTooLarge) return `Its frozen workflow ${found.file} is not shown: ${err.message}.`;
    throw err;
  }
}

/** The folders the run worked in, on this machine: its working folder, then its project's. */
function runFolders(run: RunDetails, home: string | null): string[] {
  const folders = [run.workingPath, run.projectPath].filter((f): f is string => !!f).map((f) => rebasePath(f, home));
  return [...new Set(folders.filter((f) => f.exists).map((f) => f.path))];
}

/**
 * Which graph a run ran with, and from where (see `SourcedGraph`): its frozen copy
 * (`metadata.workflow_source.root`, moved onto this machine when recorded elsewhere); else the
 * workflow file as it is now in the run's working folder or its project's folder (with Archon's
 * global workflows), which may differ from what ran; else none, and the nodes are the ones the
 * events name. Never throws for what the files hold: a file that cannot be read or parsed is a
 * reason in `detail`.
 */
export async function sourcedGraph(run: RunDetails, home: string | null, cache: GraphCache = FROZEN_GRAPHS): Promise<SourcedGraph> {
  const frozen = await frozenGraph(run, home, cache);
  if (typeof frozen !== 'string') return frozen;
  const folders = runFolders(run, home);
  const errors: CatalogError[] = [];
  for (const folder of folders) {
    const scopes: ScopeFolders[] = [{ scope: 'project', dir: path.join(folder, '.archon', 'workflows') }];
    if (home) scopes.push({ scope: 'global', dir: path.join(home, 'workflows') });
    const catalog = await WorkflowCatalog.open(scopes);
    const found = await catalog.find(run.workflowName);
    errors.push(...catalog.errors);
    if (!found) continue;
    try {
      const graph = await graphOf(catalog, found);
      return { source: 'workspace', detail: `${frozen} Shown from the workflow file as it is now (${found.file}), which may differ from what ran.`, file: found.file, graph };
    } catch (err) {
      if (!(err instanceof ExpansionTooLarge)) throw err;
      errors.push({ file: found.file, reason: err.message });
    }
  }
  const where = folders.length ? `in ${folders.join(', ')}` : "on this machine (the run's folders are not here)";
  return {
    source: 'events',
    detail: `${frozen} No workflow file named '${run.workflowName}' ${where}${unreadable(errors)}: these are the nodes its events name, without edges.`,
    file: null,
    graph: null,
  };
}
