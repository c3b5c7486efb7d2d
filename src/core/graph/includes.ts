import type { AuthoredNode, AuthoredWorkflow } from '../workflows/workflowDefinition';

/**
 * `include:` nodes replaced by the nodes of the workflows they name, as Archon's loader does
 * (packages/workflows/src/include-expander.ts): an included node `n` becomes `<include>__<n>`, its
 * edges inside the block follow the rename, the block's entry nodes (no edges of their own) take
 * the include node's `depends_on`, and a node depending on the include depends on every sink of
 * the block (its nodes nothing in the block depends on). The workflow and each loop_group body is
 * a list of its own. Targets are expanded first, up to `INCLUDE_MAX_DEPTH` levels, cycles refused.
 * Where Archon would refuse the whole workflow, the one include is left out and the reason said.
 */
export const INCLUDE_MAX_DEPTH = 3;

type Node = AuthoredNode;

class IncludeError extends Error {}

/** Inlining would make more nodes than the caller allows. */
export class ExpansionTooLarge extends Error {}

/** The workflow names the `include:` nodes of these nodes (and their loop_group bodies) name. */
export function includeTargets(nodes: Node[]): string[] {
  const targets = new Set<string>();
  const lists = [nodes];
  while (lists.length) {
    for (const node of lists.pop()!) {
      if (node.kind === 'include' && node.target) targets.add(node.target);
      if (node.body) lists.push(node.body);
    }
  }
  return [...targets];
}

/** The workflow's nodes with every include inlined; throws `ExpansionTooLarge` past `maxNodes` (counted over every list expanded). */
export function expandIncludes(workflow: AuthoredWorkflow, workflows: ReadonlyMap<string, AuthoredWorkflow>, maxNodes: number): { nodes: Node[]; problems: string[] } {
  const expander = new Expander(workflows, maxNodes);
  return { nodes: expander.list(workflow.nodes, [workflow.name]), problems: expander.problems };
}

class Expander {
  private readonly memo = new Map<string, Node[]>();
  readonly problems: string[] = [];
  /** Nodes made so far, over every list. */
  private made = 0;

  constructor(
    private readonly workflows: ReadonlyMap<string, AuthoredWorkflow>,
    private readonly maxNodes: number,
  ) {}

  /** One list's nodes with its includes inlined; `stack` is the workflows being expanded, outermost first. */
  list(nodes: Node[], stack: string[]): Node[] {
    const out: Node[] = [];
    const sinks = new Map<string, string[]>();
    for (const node of nodes) {
      if (node.kind === 'include') {
        try {
          const inlined = this.inline(node, this.workflow(node.target ?? '', stack));
          sinks.set(node.id, inlined.sinks);
          out.push(...inlined.nodes);
        } catch (err) {
          if (!(err instanceof IncludeError)) throw err;
          this.problems.push(`include '${node.id}' is left out: ${err.message}.`);
        }
      } else out.push({ ...node, dependsOn: [...node.dependsOn], body: node.body && this.list(node.body, stack) });
      if (this.made + out.length > this.maxNodes) throw new ExpansionTooLarge(`it expands to more than ${this.maxNodes} nodes`);
    }
    this.made += out.length;
    for (const node of out) node.dependsOn = node.dependsOn.flatMap((d) => sinks.get(d) ?? [d]);
    return out;
  }

  private workflow(name: string, stack: string[]): Node[] {
    if (stack.includes(name)) throw new IncludeError(`include cycle ${[...stack, name].join(' -> ')}`);
    if (stack.length > INCLUDE_MAX_DEPTH) throw new IncludeError(`includes nest deeper than ${INCLUDE_MAX_DEPTH} levels (${[...stack, name].join(' -> ')})`);
    const known = this.memo.get(name);
    if (known) return known;
    const workflow = this.workflows.get(name);
    if (!workflow) throw new IncludeError(`its workflow '${name}' is not there`);
    const nodes = this.list(workflow.nodes, [...stack, name]);
    this.memo.set(name, nodes);
    return nodes;
  }

  private inline(include: Node, child: Node[]): { nodes: Node[]; sinks: string[] } {
    if (child.length === 0) throw new IncludeError(`its workflow '${include.target}' has no nodes`);
    const prefix = `${include.id}__`;
    const ids = new Set(child.map((n) => n.id));
    const rename = (id: string) => (ids.has(id) ? prefix + id : id);
    const depended = new Set(child.flatMap((n) => n.dependsOn));
    return {
      nodes: child.map((n) => ({ ...n, id: prefix + n.id, dependsOn: n.dependsOn.length ? n.dependsOn.map(rename) : [...include.dependsOn] })),
      sinks: child.filter((n) => !depended.has(n.id)).map((n) => prefix + n.id),
    };
  }
}
