import type { AuthoredNode, NodeKind } from '../workflows/workflowDefinition';
import { topologicalOrder } from './topologicalOrder';

/** One node of a run's graph, named as Archon's events name it. */
export interface GraphNode {
  /** A loop_group's body nodes are `<group>.<id>` (nested groups compose: `outer.inner.id`). */
  id: string;
  /** null when only the events name the node. */
  kind: NodeKind | null;
  /** The nodes it waits for, in the same list (a body node's are in its group's body). */
  dependsOn: string[];
  /** The loop_group whose body it is part of, or null. */
  group: string | null;
}

export interface WorkflowGraph {
  /** In topological order; a loop_group's body follows the group, itself in topological order. */
  nodes: GraphNode[];
  /** Edges to nodes that do not exist (left out of `dependsOn`) and cycles, in words. */
  problems: string[];
}

/**
 * The graph of expanded nodes (no `include:` left): each list ordered so that a node comes after
 * the nodes it depends on. A `depends_on` naming no node of its list is reported and dropped; a
 * cycle is reported and its nodes follow the rest of their list.
 */
export function workflowGraph(nodes: AuthoredNode[]): WorkflowGraph {
  const out: GraphNode[] = [];
  const problems: string[] = [];
  const place = (authored: AuthoredNode[], group: string | null) => {
    const prefix = group === null ? '' : `${group}.`;
    // An included node's id can collide with one written by hand (Archon refuses the workflow).
    const seen = new Set<string>();
    const list = authored.filter((n) => {
      if (!seen.has(n.id)) return seen.add(n.id);
      problems.push(`the id '${prefix}${n.id}' is used twice; the second is left out.`);
      return false;
    });
    const index = new Map(list.map((n, i) => [n.id, i]));
    const deps = list.map((node) =>
      node.dependsOn.filter((d) => {
        if (index.has(d) && d !== node.id) return true;
        problems.push(d === node.id ? `node '${prefix}${node.id}' depends on itself.` : `node '${prefix}${node.id}' depends on '${d}', which is not a node of ${group === null ? 'the workflow' : `loop_group '${group}'`}.`);
        return false;
      }),
    );
    const { order, cyclic } = topologicalOrder(list.length, (i) => deps[i].map((d) => index.get(d)!));
    if (cyclic.length) problems.push(`a cycle among ${cyclic.map((i) => `'${prefix}${list[i].id}'`).join(', ')} (Archon refuses such a workflow).`);
    for (const i of order) {
      const node = list[i];
      const id = prefix + node.id;
      out.push({ id, kind: node.kind === 'include' ? null : node.kind, dependsOn: [...new Set(deps[i])].map((d) => prefix + d), group });
      if (node.body) place(node.body, id);
    }
  };
  place(nodes, null);
  return { nodes: out, problems };
}
