/**
 * A workflow file as Archon's loader reads it (packages/workflows/src/loader.ts and
 * schemas/dag-node.ts), reduced to what a run's graph needs: its name, and each node's id, kind,
 * edges and, for `include:` and `workflow:` nodes, the workflow they name. The input is the plain
 * value `parseUntrustedYaml` gives; nothing in it is trusted. Archon refuses a whole file for one bad
 * node; here a bad node is left out and said, so that what ran can still be shown.
 */

/** Archon's node kinds (its parser's `kind`), from the authoring key each node holds. */
export type NodeKind = 'agent' | 'exec' | 'gate' | 'halt' | 'workflow' | 'loop' | 'loop_group';

export interface AuthoredNode {
  id: string;
  /** `include` is a load-time directive, replaced by the nodes of the workflow it names. */
  kind: NodeKind | 'include';
  dependsOn: string[];
  when: string | null;
  triggerRule: string | null;
  /** The workflow an `include:` inlines, or a `workflow:` node starts. */
  target: string | null;
  /** A `loop_group`'s body nodes. */
  body: AuthoredNode[] | null;
}

export interface AuthoredWorkflow {
  name: string;
  description: string | null;
  /** The file's own `interactive:` (a gate workflow must run attached). */
  interactive: boolean;
  nodes: AuthoredNode[];
}

export type DefinitionResult = { ok: true; workflow: AuthoredWorkflow; problems: string[] } | { ok: false; reason: string };

/** Nodes counted over every loop_group body: a file with more is refused. */
export const MAX_WORKFLOW_NODES = 5000;

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * The authoring keys in the order Archon's transform tests them; a string mode counts only when it
 * is not blank, an object mode whenever it is present.
 */
const MODES: [key: string, kind: AuthoredNode['kind'], isString: boolean][] = [
  ['command', 'agent', true],
  ['prompt', 'agent', true],
  ['bash', 'exec', true],
  ['script', 'exec', true],
  ['approval', 'gate', false],
  ['cancel', 'halt', true],
  ['include', 'include', true],
  ['workflow', 'workflow', true],
  ['loop_group', 'loop_group', false],
  ['loop', 'loop', false],
];

function modesOf(raw: Raw): { key: string; kind: AuthoredNode['kind'] }[] {
  return MODES.filter(([key, , isString]) => (isString ? text(raw[key]) !== null : raw[key] !== undefined && raw[key] !== null)).map(([key, kind]) => ({ key, kind }));
}

class NodeReader {
  readonly problems: string[] = [];
  count = 0;

  /** The nodes of one list (the workflow's, or a loop_group's body); `where` names it in messages. */
  list(value: unknown, where: string): AuthoredNode[] {
    if (!Array.isArray(value)) {
      this.problems.push(`${where} has no list of nodes.`);
      return [];
    }
    const nodes: AuthoredNode[] = [];
    const seen = new Set<string>();
    value.forEach((raw, index) => {
      const node = this.node(raw, `${where} node ${index + 1}`);
      if (node && seen.has(node.id)) this.problems.push(`${where}: the id '${node.id}' is used twice; the second is left out.`);
      else if (node) {
        seen.add(node.id);
        nodes.push(node);
      }
    });
    return nodes;
  }

  private node(raw: unknown, where: string): AuthoredNode | null {
    if (++this.count > MAX_WORKFLOW_NODES) throw new TooManyNodes();
    if (!isRecord(raw)) return this.skip(`${where} is not a mapping`);
    const id = text(raw.id);
    if (!id) return this.skip(`${where} has no id`);
    const modes = modesOf(raw);
    if (modes.length === 0) return this.skip(`node '${id}' has none of ${MODES.map(([k]) => k).join(', ')}`);
    if (modes.length > 1) this.problems.push(`node '${id}' has ${modes.map((m) => m.key).join(' and ')}, which Archon refuses together; read as ${modes[0].key}.`);
    const { kind } = modes[0];
    const dependsOn = Array.isArray(raw.depends_on) ? raw.depends_on.map(text).filter((d): d is string => d !== null) : [];
    if (raw.depends_on !== undefined && (!Array.isArray(raw.depends_on) || dependsOn.length !== raw.depends_on.length)) {
      this.problems.push(`node '${id}': depends_on is not a list of ids; what is not an id is left out.`);
    }
    const group = kind === 'loop_group' && isRecord(raw.loop_group) ? raw.loop_group : undefined;
    return {
      id,
      kind,
      dependsOn,
      when: typeof raw.when === 'string' ? raw.when : null,
      triggerRule: text(raw.trigger_rule),
      target: kind === 'include' || kind === 'workflow' ? text(raw[kind]) : null,
      body: kind === 'loop_group' ? this.list(group?.nodes, `loop_group '${id}'`) : null,
    };
  }

  private skip(reason: string): null {
    this.problems.push(`${reason}; it is left out.`);
    return null;
  }
}

class TooManyNodes extends Error {}

/** A parsed YAML value as a workflow definition, or why it is none. */
export function workflowDefinition(value: unknown): DefinitionResult {
  if (!isRecord(value)) return { ok: false, reason: 'it does not hold a YAML mapping' };
  const name = text(value.name);
  if (!name) return { ok: false, reason: "it has no 'name'" };
  const reader = new NodeReader();
  try {
    const nodes = reader.list(value.nodes, `workflow '${name}'`);
    return {
      ok: true,
      workflow: { name, description: text(value.description), interactive: value.interactive === true, nodes },
      problems: reader.problems,
    };
  } catch (err) {
    if (err instanceof TooManyNodes) return { ok: false, reason: `it has more than ${MAX_WORKFLOW_NODES} nodes` };
    throw err;
  }
}
