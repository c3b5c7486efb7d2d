import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseUntrustedYaml, readUntrustedYaml } from './untrustedYaml';
import { type AuthoredWorkflow, workflowDefinition } from './workflowDefinition';

/**
 * The workflow files of Archon's scopes, found by their YAML `name:` the way Archon's discovery
 * finds them (packages/workflows/src/workflow-discovery.ts): in each scope, `*.yaml`/`*.yml` in the
 * folder and one level of subfolders, and packaged workflows as `<pack>/<workflow>/<file>.yaml`; a
 * higher scope's file replaces a lower scope's of the same file name (project > global >
 * bundled); then a workflow is the file whose `name:` it is.
 */
export type Scope = 'project' | 'global' | 'bundled';

export interface ScopeFolders {
  scope: Scope;
  /** Where plain workflow files are (and one level of subfolders). */
  dir: string;
  /** Where packaged workflows are, when not `dir` (Archon's bundled scope keeps its plain files in `defaults/`). */
  packagedDir?: string;
}

export interface FoundWorkflow {
  name: string;
  scope: Scope;
  file: string;
  workflow: AuthoredWorkflow;
  /** Nodes left out, and why (see `workflowDefinition`). */
  problems: string[];
}

export interface CatalogError {
  file: string;
  reason: string;
}

/** Files of one scope at most: a folder with more is read only this far. */
const MAX_FILES_PER_SCOPE = 2000;
const PRECEDENCE: Scope[] = ['bundled', 'global', 'project'];

function isYaml(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

async function entries(dir: string): Promise<{ name: string; isDir: boolean; isFile: boolean }[]> {
  try {
    const list = await fs.readdir(dir, { withFileTypes: true });
    return list.map((e) => ({ name: e.name, isDir: e.isDirectory(), isFile: e.isFile() })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/** The YAML files of one scope, in a stable order. Symbolic links are not followed. */
async function scopeFiles(folders: ScopeFolders): Promise<string[]> {
  const files: string[] = [];
  const add = (file: string) => files.length < MAX_FILES_PER_SCOPE && files.push(file);
  for (const e of await entries(folders.dir)) {
    if (e.isFile && isYaml(e.name)) add(path.join(folders.dir, e.name));
    else if (e.isDir) for (const inner of await entries(path.join(folders.dir, e.name))) if (inner.isFile && isYaml(inner.name)) add(path.join(folders.dir, e.name, inner.name));
  }
  const packaged = folders.packagedDir ?? folders.dir;
  for (const pack of await entries(packaged)) {
    if (!pack.isDir) continue;
    for (const workflow of await entries(path.join(packaged, pack.name))) {
      if (!workflow.isDir) continue;
      const yaml = (await entries(path.join(packaged, pack.name, workflow.name))).filter((f) => f.isFile && isYaml(f.name));
      // Archon takes a packaged workflow folder only with exactly one YAML file in it.
      if (yaml.length === 1) add(path.join(packaged, pack.name, workflow.name, yaml[0].name));
    }
  }
  return files;
}

/** The first 64 KB of a file, where its `name:` is (or nothing, when it cannot be read). */
async function head(file: string): Promise<string> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * The `name:` of a file from its top-level `name:` line alone, without parsing the whole file; null
 * when that line is absent, repeated or not a plain value (the file is then parsed whole).
 */
function quickName(text: string): string | null {
  const lines = text.match(/^name:.*$/gm);
  if (!lines || lines.length !== 1) return null;
  const parsed = parseUntrustedYaml(lines[0]);
  const value = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>).name : undefined;
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

interface Candidate {
  scope: Scope;
  file: string;
  /** From `quickName`, or null until the file is parsed. */
  name: string | null;
  found?: FoundWorkflow;
}

export class WorkflowCatalog {
  private readonly parsed = new Set<Candidate>();
  readonly errors: CatalogError[] = [];

  private constructor(private readonly candidates: Candidate[]) {}

  /** The files of these scopes after Archon's file-name precedence. */
  static async open(scopes: ScopeFolders[]): Promise<WorkflowCatalog> {
    const byFileName = new Map<string, Candidate>();
    const ordered = [...scopes].sort((a, b) => PRECEDENCE.indexOf(a.scope) - PRECEDENCE.indexOf(b.scope));
    for (const folders of ordered) {
      for (const file of await scopeFiles(folders)) {
        const name = path.basename(file);
        byFileName.delete(name);
        byFileName.set(name, { scope: folders.scope, file, name: null });
      }
    }
    const candidates = [...byFileName.values()];
    await Promise.all(
      candidates.map(async (c) => {
        c.name = quickName(await head(c.file));
      }),
    );
    return new WorkflowCatalog(candidates);
  }

  /** The workflow with this `name:`, from the highest scope that has it; undefined when none does. */
  async find(name: string): Promise<FoundWorkflow | undefined> {
    const matches: FoundWorkflow[] = [];
    for (const candidate of this.candidates) {
      if (candidate.name !== null && candidate.name !== name) continue;
      const found = await this.parse(candidate);
      if (found?.name === name) matches.push(found);
    }
    matches.sort((a, b) => PRECEDENCE.indexOf(b.scope) - PRECEDENCE.indexOf(a.scope));
    return matches[0];
  }

  /** Every workflow, each name once (the highest scope's), with the files that could not be read. */
  async all(): Promise<FoundWorkflow[]> {
    const byName = new Map<string, FoundWorkflow>();
    for (const candidate of this.candidates) {
      const found = await this.parse(candidate);
      const kept = found && byName.get(found.name);
      if (found && (!kept || PRECEDENCE.indexOf(found.scope) > PRECEDENCE.indexOf(kept.scope))) byName.set(found.name, found);
    }
    return [...byName.values()];
  }

  private async parse(candidate: Candidate): Promise<FoundWorkflow | undefined> {
    if (this.parsed.has(candidate)) return candidate.found;
    this.parsed.add(candidate);
    const yaml = await readUntrustedYaml(candidate.file);
    const definition = yaml.ok ? workflowDefinition(yaml.value) : yaml;
    if (!definition.ok) {
      this.errors.push({ file: candidate.file, reason: definition.reason });
      return undefined;
    }
    candidate.name = definition.workflow.name;
    candidate.found = { name: definition.workflow.name, scope: candidate.scope, file: candidate.file, workflow: definition.workflow, problems: definition.problems };
    return candidate.found;
  }
}
