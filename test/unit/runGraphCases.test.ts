import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeView } from '../../src/core/graph/runNodes';
import { cleanupTempDirs } from '../support/fixtures';
import { scenario, type ScenarioRun, workflowYaml } from '../support/graphScenario';

const PROJECT = 'project/.archon/workflows';

function byId(nodes: NodeView[]): Record<string, NodeView> {
  return Object.fromEntries(nodes.map((n) => [n.id, n]));
}

/** [id, status] of each node, in the order given. */
function states(nodes: NodeView[]): [string, string][] {
  return nodes.map((n) => [n.id, n.status]);
}

describe('a run\'s graph: synthesized cases (real SQLite, files laid out as Archon\'s capture)', function () {
  this.timeout(60000);
  const open: ScenarioRun[] = [];
  async function run(...args: Parameters<typeof scenario>): Promise<ScenarioRun> {
    const s = await scenario(...args);
    open.push(s);
    return s;
  }
  afterEach(async () => {
    for (const s of open.splice(0)) await s.db.close();
  });
  after(cleanupTempDirs);

  it('a loop: each iteration with its status and Archon\'s `duration` (not duration_ms)', async () => {
    const s = await run({
      workflow: 'w',
      status: 'failed',
      frozen: { [`${PROJECT}/w.yaml`]: workflowYaml('w', ['id: fix\n  loop: {prompt: fix it, until: DONE, max_iterations: 3}', 'id: after\n  depends_on: [fix]\n  bash: echo']) },
      events: [
        ['workflow_started', null],
        ['node_started', 'fix', { type: 'loop', provider: 'claude' }],
        ['loop_iteration_started', 'fix', { iteration: 1, maxIterations: 3, nodeId: 'fix' }],
        ['loop_iteration_completed', 'fix', { iteration: 1, duration: 1500, completionDetected: false, nodeId: 'fix' }],
        ['loop_iteration_started', 'fix', { iteration: 2, maxIterations: 3, nodeId: 'fix' }],
        ['loop_iteration_failed', 'fix', { iteration: 2, error: 'rate limited', duration: 300, nodeId: 'fix' }],
        ['node_failed', 'fix', { error: 'Loop iteration 2 failed: rate limited', cost_usd: 0.25, tokens: { input: 1000, output: 200 } }],
      ],
    });
    const g = await s.read();
    const fix = byId(g.nodes).fix;
    assert.equal(fix.kind, 'loop');
    assert.equal(fix.status, 'failed');
    assert.equal(fix.error, 'Loop iteration 2 failed: rate limited');
    assert.deepEqual(fix.iterations, [
      { iteration: 1, status: 'completed', durationMs: 1500, error: null },
      { iteration: 2, status: 'failed', durationMs: 300, error: 'rate limited' },
    ]);
    assert.equal(fix.durationMs, 5000, 'from node_started to node_failed: 5 s');
    assert.deepEqual([fix.costUsd, fix.tokens], [0.25, { input: 1000, output: 200 }]);
    assert.deepEqual(states(g.nodes), [['fix', 'failed'], ['after', 'not-run']]);
  });

  it('a loop_group: its body nodes as <group>.<id> after it, their edges inside the body, tool calls, tokens and cost', async () => {
    const s = await run({
      workflow: 'w',
      status: 'running',
      frozen: {
        [`${PROJECT}/w.yaml`]: workflowYaml('w', [
          'id: prep\n  bash: echo',
          'id: refine\n  depends_on: [prep]\n  loop_group:\n    max_iterations: 2\n    nodes:\n      - id: draft\n        prompt: write\n      - id: check\n        depends_on: [draft]\n        bash: test',
          'id: ship\n  depends_on: [refine]\n  bash: echo',
        ]),
      },
      events: [
        ['workflow_started', null],
        ['node_started', 'prep', { type: 'bash' }],
        ['node_completed', 'prep', { duration_ms: 5, node_output: '' }],
        ['loop_iteration_started', 'refine', { iteration: 1, maxIterations: 2, nodeId: 'refine' }],
        ['node_started', 'refine.draft', { provider: 'claude', iteration: 1 }],
        ['tool_called', 'refine.draft', { tool_name: 'Read' }],
        ['tool_completed', 'refine.draft', { tool_name: 'Read', duration_ms: 3 }],
        ['tool_called', 'refine.draft', { tool_name: 'Edit' }],
        ['node_completed', 'refine.draft', { duration_ms: 900, node_output: 'draft 1', tokens: { input: 50, output: 20, cacheRead: 10 }, cost_usd: 0.01, iteration: 1 }],
        ['node_started', 'refine.check', { type: 'bash', iteration: 1 }],
      ],
    });
    const g = await s.read();
    assert.deepEqual(
      g.nodes.map((n) => [n.id, n.kind, n.dependsOn, n.group, n.status]),
      [
        ['prep', 'exec', [], null, 'completed'],
        ['refine', 'loop_group', ['prep'], null, 'running'],
        ['refine.draft', 'agent', [], 'refine', 'completed'],
        ['refine.check', 'exec', ['refine.draft'], 'refine', 'running'],
        ['ship', 'exec', ['refine'], null, 'pending'],
      ],
    );
    const nodes = byId(g.nodes);
    assert.deepEqual(nodes.refine.iterations, [{ iteration: 1, status: 'running', durationMs: null, error: null }]);
    assert.equal(nodes['refine.draft'].toolCalls, 2);
    assert.deepEqual(nodes['refine.draft'].tokens, { input: 50, output: 20, cacheRead: 10 });
    assert.equal(nodes['refine.draft'].costUsd, 0.01);
    assert.deepEqual(g.graph.problems, []);
  });

  it('includes: <include>__<id>, the include\'s depends_on on the block\'s entries, its dependents on the block\'s sinks, nested blocks, global over bundled', async () => {
    const s = await run({
      workflow: 'w',
      status: 'completed',
      frozen: {
        [`${PROJECT}/w.yaml`]: workflowYaml('w', ['id: setup\n  bash: echo', 'id: rev\n  depends_on: [setup]\n  include: review-block', 'id: report\n  depends_on: [rev]\n  bash: echo']),
        'global/workflows/block.yaml': workflowYaml('review-block', ['id: scope\n  bash: echo', 'id: lint\n  depends_on: [scope]\n  bash: echo', 'id: deep\n  include: tiny']),
        'bundled/workflows/defaults/block.yaml': workflowYaml('review-block', ['id: from-bundled\n  bash: echo']),
        'bundled/workflows/pack/tiny/tiny.yaml': workflowYaml('tiny', ['id: x\n  bash: echo']),
      },
      events: [
        ['workflow_started', null],
        ['node_completed', 'setup', { duration_ms: 1 }],
        ['node_completed', 'rev__scope', { duration_ms: 2 }],
        ['node_completed', 'rev__deep__x', { duration_ms: 3 }],
        ['node_completed', 'rev__lint', { duration_ms: 4 }],
        ['node_completed', 'report', { duration_ms: 5 }],
        ['workflow_completed', null, { duration_ms: 20 }],
      ],
    });
    const g = await s.read();
    assert.deepEqual(
      g.nodes.map((n) => [n.id, n.dependsOn, n.status, n.unknown]),
      [
        ['setup', [], 'completed', false],
        ['rev__scope', ['setup'], 'completed', false],
        ['rev__lint', ['rev__scope'], 'completed', false],
        ['rev__deep__x', ['setup'], 'completed', false],
        ['report', ['rev__lint', 'rev__deep__x'], 'completed', false],
      ],
    );
    assert.equal(g.graph.file, path.join(s.frozenRoot, PROJECT, 'w.yaml'));
    assert.deepEqual(g.graph.problems, []);
  });

  it('an include that names no workflow, or itself, is left out and said; the rest of the graph stands', async () => {
    const s = await run({
      workflow: 'w',
      status: 'completed',
      frozen: { [`${PROJECT}/w.yaml`]: workflowYaml('w', ['id: a\n  bash: echo', 'id: gone\n  include: nowhere', 'id: loop\n  include: w', 'id: b\n  depends_on: [a]\n  bash: echo']) },
      events: [],
    });
    const g = await s.read();
    assert.deepEqual(g.nodes.map((n) => n.id), ['a', 'b']);
    assert.deepEqual(g.graph.problems, ["include 'gone' is left out: its workflow 'nowhere' is not there.", "include 'loop' is left out: include cycle w -> w."]);
  });

  it('workflow: nodes and their child runs: completed with its child, running through a child row, waiting on a paused child', async () => {
    const s = await run({
      workflow: 'w',
      status: 'paused',
      frozen: { [`${PROJECT}/w.yaml`]: workflowYaml('w', ['id: first\n  workflow: child', 'id: second\n  workflow: child', 'id: third\n  workflow: child']) },
      events: [['workflow_started', null], ['node_completed', 'first', { type: 'workflow', node_output: 'child said hi', child_run_id: 'child-run-1', cost_usd: 0.5, tokens: { input: 7, output: 3 } }]],
      children: [
        ['running', { parent_node_id: 'second' }],
        ['paused', { parent_node_id: 'third' }],
      ],
      metadata: { approval: { type: 'child_workflow', nodeId: 'third', childRunId: 'paused-child', message: 'child waits' } },
    });
    const g = await s.read();
    const nodes = byId(g.nodes);
    assert.deepEqual([nodes.first.status, nodes.first.childRunId, nodes.first.output, nodes.first.costUsd], ['completed', 'child-run-1', 'child said hi', 0.5]);
    assert.deepEqual([nodes.second.status, nodes.second.childRunId], ['running', s.childIds[0]]);
    assert.deepEqual([nodes.third.status, nodes.third.childRunId], ['waiting', 'paused-child']);
    assert.ok(g.nodes.every((n) => n.kind === 'workflow'));
  });

  it('a cancel: node writes only workflow_cancelled with its id: cancelled with its reason; what never ran is not-run', async () => {
    const s = await run({
      workflow: 'w',
      status: 'cancelled',
      frozen: { [`${PROJECT}/w.yaml`]: workflowYaml('w', ['id: check\n  bash: echo no', 'id: stop\n  depends_on: [check]\n  cancel: "nothing to do: $check.output"', 'id: work\n  depends_on: [stop]\n  bash: echo']) },
      events: [
        ['workflow_started', null],
        ['node_started', 'check', { type: 'bash' }],
        ['node_completed', 'check', { duration_ms: 9, node_output: 'no' }],
        ['workflow_cancelled', 'stop', { reason: 'nothing to do: no' }],
      ],
    });
    const g = await s.read();
    assert.deepEqual(
      g.nodes.map((n) => [n.id, n.kind, n.status, n.reason]),
      [
        ['check', 'exec', 'completed', null],
        ['stop', 'halt', 'cancelled', 'nothing to do: no'],
        ['work', 'exec', 'not-run', null],
      ],
    );
  });

  it('a YAML edited after the run: the graph is the one frozen, not the file as it is now; without the copy, the file as it is now, said so', async () => {
    const frozen = { [`${PROJECT}/w.yaml`]: workflowYaml('w', ['id: a\n  bash: echo', 'id: b\n  depends_on: [a]\n  bash: echo']) };
    const edited = { '.archon/workflows/w.yaml': workflowYaml('w', ['id: a\n  bash: echo', 'id: c\n  depends_on: [a]\n  prompt: new step', 'id: b\n  depends_on: [c]\n  bash: echo']) };
    const s = await run({ workflow: 'w', status: 'completed', frozen, workspace: edited, events: [['workflow_started', null], ['node_completed', 'a', { duration_ms: 1 }], ['node_completed', 'b', { duration_ms: 1 }]] });
    const g = await s.read();
    assert.equal(g.graph.source, 'frozen');
    assert.deepEqual(states(g.nodes), [['a', 'completed'], ['b', 'completed']]);

    fs.rmSync(s.frozenRoot, { recursive: true });
    const live = await s.read();
    assert.equal(live.graph.source, 'workspace');
    assert.match(live.graph.detail!, /^Its frozen copy \(recorded at \/home\/someone-else\/.*\) is not on this machine\. Shown from the workflow file as it is now \(.*w\.yaml\), which may differ from what ran\.$/);
    assert.equal(live.graph.file, path.join(s.workingPath, '.archon', 'workflows', 'w.yaml'));
    assert.deepEqual(live.nodes.map((n) => [n.id, n.dependsOn, n.status]), [['a', [], 'completed'], ['c', ['a'], 'not-run'], ['b', ['c'], 'completed']]);
  });

  it('no frozen copy and no workflow file: the nodes the events name, their kinds from the events, without edges, said so', async () => {
    const s = await run({
      workflow: 'w',
      status: 'paused',
      frozen: null,
      events: [
        ['workflow_started', null],
        ['node_started', 'build', { type: 'bash' }],
        ['node_completed', 'build', { duration_ms: 3, type: 'bash', node_output: 'ok' }],
        ['node_started', 'think', { provider: 'claude', command: 'plan' }],
        ['node_completed', 'think', { duration_ms: 30 }],
        ['loop_iteration_started', 'grp', { iteration: 1 }],
        ['node_started', 'grp.inner', { type: 'bash', iteration: 1 }],
        ['approval_requested', 'gate', { message: 'ok?' }],
      ],
    });
    const g = await s.read();
    assert.equal(g.graph.source, 'events');
    assert.match(g.graph.detail!, /frozen copy \(recorded at .*\) is not on this machine\. No workflow file named 'w' in .*: these are the nodes its events name, without edges\.$/);
    assert.deepEqual(
      g.nodes.map((n) => [n.id, n.kind, n.group, n.status, n.dependsOn, n.unknown]),
      [
        ['build', 'exec', null, 'completed', [], false],
        ['think', 'agent', null, 'completed', [], false],
        ['grp', 'loop', null, 'running', [], false],
        ['grp.inner', 'exec', 'grp', 'running', [], false],
        ['gate', 'gate', null, 'waiting', [], false],
      ],
    );
  });

  for (const [what, text, reason] of [
    ['unparsable', 'name: w\nnodes: [\n', /line \d+: /],
    ['a billion laughs', 'name: w\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nnodes: [{id: a, bash: x}]\n', /resource exhaustion/],
    ['10 MB', `name: w\ndescription: "${'x'.repeat(10 * 1024 * 1024)}"\nnodes: [{id: a, bash: x}]\n`, /10\.0 MB, above the 1\.0 MB limit/],
    ['a custom tag', 'name: w\nnodes: !!js/function "x"\n', /tag !!js\/function/],
  ] as const) {
    it(`a frozen copy that is ${what}: never throws, the run still shows from its events, and the reason is said`, async () => {
      const s = await run({ workflow: 'w', status: 'completed', frozen: { [`${PROJECT}/w.yaml`]: text }, events: [['workflow_started', null], ['node_completed', 'a', { duration_ms: 1 }]] });
      const g = await s.read();
      assert.equal(g.graph.source, 'events');
      assert.match(g.graph.detail!, /^Its frozen copy at .* has no workflow named 'w' \(1 workflow file\(s\) could not be read, e\.g\. .*w\.yaml: /);
      assert.match(g.graph.detail!, reason);
      assert.deepEqual(states(g.nodes), [['a', 'completed']]);
    });
  }

  it('a frozen copy without a readable manifest.json is not trusted: the reason, then the fallback', async () => {
    const s = await run({ workflow: 'w', status: 'completed', frozen: { [`${PROJECT}/w.yaml`]: workflowYaml('w', ['id: a\n  bash: x']) }, manifest: '{not json', events: [] });
    const g = await s.read();
    assert.equal(g.graph.source, 'events');
    assert.match(g.graph.detail!, /^Its frozen copy at .* has no readable manifest\.json \(.*JSON.*\)\./);
  });

  it('2,000 nodes: all listed, each after the nodes it depends on', async () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => `id: n${i}\n  bash: echo${i > 0 ? `\n  depends_on: [n${Math.floor((i - 1) / 2)}]` : ''}`);
    const s = await run({ workflow: 'w', status: 'running', frozen: { [`${PROJECT}/w.yaml`]: workflowYaml('w', nodes.reverse()) }, events: [['workflow_started', null], ['node_started', 'n0', { type: 'bash' }]] });
    const g = await s.read();
    assert.equal(g.nodes.length, 2000);
    const at = new Map(g.nodes.map((n, i) => [n.id, i]));
    for (const n of g.nodes) for (const d of n.dependsOn) assert.ok(at.get(d)! < at.get(n.id)!, `${d} before ${n.id}`);
    assert.deepEqual(g.graph.problems, []);
    assert.equal(byId(g.nodes).n0.status, 'running');
  });

  it('a cycle and a dangling depends_on are reported, never loop, and every node is still listed', async () => {
    const s = await run({
      workflow: 'w',
      status: 'failed',
      frozen: { [`${PROJECT}/w.yaml`]: workflowYaml('w', ['id: a\n  depends_on: [c]\n  bash: x', 'id: b\n  depends_on: [a]\n  bash: x', 'id: c\n  depends_on: [b]\n  bash: x', 'id: d\n  depends_on: [missing]\n  bash: x', 'id: e\n  depends_on: [a]\n  bash: x']) },
      events: [],
    });
    const g = await s.read();
    assert.deepEqual(g.nodes.map((n) => [n.id, n.dependsOn]), [['d', []], ['a', ['c']], ['b', ['a']], ['c', ['b']], ['e', ['a']]]);
    assert.deepEqual(g.graph.problems, ["node 'd' depends on 'missing', which is not a node of the workflow.", "a cycle among 'a', 'b', 'c', 'e' (Archon refuses such a workflow)."]);
  });

  it('events naming nodes the graph lacks are kept, flagged and said, after the graph\'s nodes', async () => {
    const s = await run({
      workflow: 'w',
      status: 'failed',
      frozen: { [`${PROJECT}/w.yaml`]: workflowYaml('w', ['id: a\n  bash: x']) },
      events: [['workflow_started', null], ['node_started', 'ghost', { type: 'bash' }], ['node_failed', 'ghost', { error: 'boo' }], ['node_completed', 'a', { duration_ms: 1 }]],
    });
    const g = await s.read();
    assert.deepEqual(g.nodes.map((n) => [n.id, n.kind, n.status, n.unknown, n.error]), [['a', 'exec', 'completed', false, null], ['ghost', 'exec', 'failed', true, 'boo']]);
    assert.deepEqual(g.graph.problems, ["1 node(s) named by the run's events are not in its workflow: 'ghost'."]);
  });

  it('a gate rejected with a rework prompt waits to ask again while the run is paused; a run abandoned while a node ran cancels it', async () => {
    const gate = { [`${PROJECT}/w.yaml`]: workflowYaml('w', ['id: g\n  approval: {message: ok?, on_reject: {prompt: redo}}', 'id: after\n  depends_on: [g]\n  bash: x']) };
    const paused = await run({ workflow: 'w', status: 'paused', frozen: gate, events: [['workflow_started', null], ['approval_requested', 'g', { message: 'ok?' }], ['approval_received', 'g', { decision: 'rejected', reason: 'redo it' }]] });
    assert.deepEqual((await paused.read()).nodes.map((n) => [n.id, n.status, n.decision, n.comment]), [['g', 'pending', 'rejected', 'redo it'], ['after', 'pending', null, null]]);
    const abandoned = await run({ workflow: 'w', status: 'cancelled', frozen: gate, events: [['workflow_started', null], ['approval_requested', 'g', { message: 'ok?' }]] });
    assert.deepEqual((await abandoned.read()).nodes.map((n) => [n.id, n.status, n.reason]), [['g', 'cancelled', 'run_cancelled'], ['after', 'not-run', null]]);
  });
});
