import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunsReader } from '../../src/core/database';
import type { NodeView, RunGraph } from '../../src/core/graph/runNodes';
import { openReader } from '../../src/core/openDatabase';
import { cleanupTempDirs } from '../support/fixtures';
import { copyRealArchon, REAL_RUNS } from '../support/realArchon';

/** The fields checked by hand, null where the events give nothing. */
interface Expected {
  id: string;
  kind: string;
  dependsOn: string[];
  status: string;
  pass: number | null;
  durationMs: number | null;
  output: string | null;
  error: string | null;
  reason: string | null;
  expression: string | null;
  decision: string | null;
  comment: string | null;
}

function node(id: string, kind: string, dependsOn: string[], status: string, pass: number | null, durationMs: number | null, more: Partial<Expected> = {}): Expected {
  return { id, kind, dependsOn, status, pass, durationMs, output: null, error: null, reason: null, expression: null, decision: null, comment: null, ...more };
}

function checked(n: NodeView): Expected {
  const { id, kind, dependsOn, status, pass, durationMs, output, error, reason, expression, decision, comment } = n;
  return { id, kind: kind!, dependsOn, status, pass, durationMs, output, error, reason, expression, decision, comment };
}

const PLAN = 'plan ready: 2 steps';
/** What big-output's generate printed (its bash: `for i in $(seq 1 2000); do echo "line $i of a long build log ........"; done`). */
const BUILD_LOG = Array.from({ length: 2000 }, (_, i) => `line ${i + 1} of a long build log ........\n`).join('');
const DOCS_WHEN = "$plan.output == 'docs'";

/**
 * Each run's nodes as the events in the fixture say, worked out by hand (the events are listed in
 * test/fixtures/real-archon/README.md's source; `sqlite3 archon.db "SELECT … ORDER BY created_at,
 * event_order"` shows them). Durations are Archon's `duration_ms`; a gate has none, and its time
 * from question to answer is whole seconds (null when both fall in the same second).
 */
const EXPECTED: Record<string, { passes: number; elapsedMs: number | null; nodes: Expected[] }> = {
  // Pass 1: plan done, gate asked, docs-only skipped, then approved ("looks right"). Pass 2 marks
  // plan and approve-plan prior_success (they keep pass 1), skips docs-only again, runs apply.
  [REAL_RUNS.approved]: {
    passes: 2,
    elapsedMs: 0 + 22,
    nodes: [
      node('plan', 'exec', [], 'completed', 1, 22, { output: PLAN }),
      node('approve-plan', 'gate', ['plan'], 'completed', 1, 1000, { output: '', decision: 'approved', comment: 'looks right' }),
      node('apply', 'exec', ['approve-plan'], 'completed', 2, 11, { output: 'applied 2 steps' }),
      node('docs-only', 'exec', ['plan'], 'skipped', 2, null, { reason: 'when_condition', expression: DOCS_WHEN }),
    ],
  },
  // Rejected "not this sprint": only approval_received, the run cancelled; apply never ran.
  [REAL_RUNS.rejected]: {
    passes: 1,
    elapsedMs: 0,
    nodes: [
      node('plan', 'exec', [], 'completed', 1, 39, { output: PLAN }),
      node('approve-plan', 'gate', ['plan'], 'cancelled', 1, 1000, { reason: 'rejected', decision: 'rejected', comment: 'not this sprint' }),
      node('apply', 'exec', ['approve-plan'], 'not-run', null, null),
      node('docs-only', 'exec', ['plan'], 'skipped', 1, null, { reason: 'when_condition', expression: DOCS_WHEN }),
    ],
  },
  // test failed (no duration recorded, same second), lint completed after it, report skipped by
  // its trigger rule; no workflow_failed event. Events from 19:31:47 to 19:31:48.
  [REAL_RUNS.fanInFailed]: {
    passes: 1,
    elapsedMs: 1000,
    nodes: [
      node('fetch', 'exec', [], 'completed', 1, 15, { output: 'fetched 12 files' }),
      node('lint', 'exec', ['fetch'], 'completed', 1, 1027, { output: 'lint ok' }),
      node('test', 'exec', ['fetch'], 'failed', 1, null, { error: "Bash node 'test' failed [exit 1]: 3 tests failed" }),
      node('report', 'exec', ['lint', 'test'], 'skipped', 1, null, { reason: 'trigger_rule' }),
    ],
  },
  // Pass 1 as above (19:31:49 to :50); the resume's pass 2 keeps fetch and lint from pass 1, runs
  // test and report, and completes in 41 ms.
  [REAL_RUNS.fanInResumed]: {
    passes: 2,
    elapsedMs: 1000 + 41,
    nodes: [
      node('fetch', 'exec', [], 'completed', 1, 21, { output: 'fetched 12 files' }),
      node('lint', 'exec', ['fetch'], 'completed', 1, 1027, { output: 'lint ok' }),
      node('test', 'exec', ['fetch'], 'completed', 2, 17, { output: 'tests ok' }),
      node('report', 'exec', ['lint', 'test'], 'completed', 2, 10, { output: 'report written' }),
    ],
  },
  // respond decide hold "wait for the security fix": node_completed with the structured output;
  // pass 2 skips ship (its when wants approve) and runs hold-note.
  [REAL_RUNS.decided]: {
    passes: 2,
    elapsedMs: 0 + 35,
    nodes: [
      node('build', 'exec', [], 'completed', 1, 16, { output: 'build 1.2.3' }),
      node('decide', 'gate', ['build'], 'completed', 1, null, { output: '{"decision":"hold","text":"wait for the security fix"}', decision: 'hold', comment: 'wait for the security fix' }),
      node('ship', 'exec', ['decide'], 'skipped', 2, null, { reason: 'when_condition', expression: "$decide.output.decision == 'approve'" }),
      node('hold-note', 'exec', ['decide'], 'completed', 2, 15, { output: 'held' }),
    ],
  },
  [REAL_RUNS.bigOutput]: {
    passes: 1,
    elapsedMs: 115,
    nodes: [
      // Its first 4000 characters (the spill file is checked below).
      node('generate', 'exec', [], 'completed', 1, 77, { output: BUILD_LOG.slice(0, 4000) }),
      node('summarize', 'exec', ['generate'], 'completed', 1, 20, { output: '2000 lines' }),
    ],
  },
  // Paused at decide: ship and hold-note wait (the run goes on), not "not run".
  [REAL_RUNS.choosing]: {
    passes: 1,
    elapsedMs: 0,
    nodes: [
      node('build', 'exec', [], 'completed', 1, 15, { output: 'build 1.2.3' }),
      node('decide', 'gate', ['build'], 'waiting', 1, null),
      node('ship', 'exec', ['decide'], 'pending', null, null),
      node('hold-note', 'exec', ['decide'], 'pending', null, null),
    ],
  },
  [REAL_RUNS.worktreePaused]: {
    passes: 1,
    elapsedMs: 0,
    nodes: [
      node('plan', 'exec', [], 'completed', 1, 17, { output: PLAN }),
      node('approve-plan', 'gate', ['plan'], 'waiting', 1, null),
      node('apply', 'exec', ['approve-plan'], 'pending', null, null),
      node('docs-only', 'exec', ['plan'], 'skipped', 1, null, { reason: 'when_condition', expression: DOCS_WHEN }),
    ],
  },
  // The executor was killed while long-step ran: started, never ended; the run still says running.
  [REAL_RUNS.killed]: {
    passes: 1,
    elapsedMs: 0,
    nodes: [
      node('start', 'exec', [], 'completed', 1, 14, { output: 'started' }),
      node('long-step', 'exec', ['start'], 'running', 1, null),
      node('after', 'exec', ['long-step'], 'pending', null, null),
    ],
  },
};

describe('a run\'s graph on the real Archon fixture (rows, frozen workflows and spill files Archon wrote, paths of another machine)', function () {
  this.timeout(30000);
  let home: string;
  let reader: RunsReader;
  const graphs = new Map<string, RunGraph>();

  before(async () => {
    const copy = copyRealArchon();
    home = copy.home;
    reader = openReader({ engine: 'sqlite', dbPath: copy.dbPath, source: 'test' }, { thread: false });
    for (const id of Object.values(REAL_RUNS)) graphs.set(id, (await reader.read('graph', { runId: id, home })).value!);
  });
  after(() => {
    reader?.dispose();
    cleanupTempDirs();
  });

  for (const [name, id] of Object.entries(REAL_RUNS)) {
    it(`${name} (${id.slice(0, 8)}): every node as its events say, from the workflow it froze`, () => {
      const graph = graphs.get(id)!;
      const expected = EXPECTED[id];
      assert.deepEqual(graph.nodes.map(checked), expected.nodes);
      assert.equal(graph.graph.source, 'frozen');
      assert.equal(graph.graph.detail, null);
      assert.deepEqual(graph.graph.problems, []);
      assert.equal(graph.graph.passes.length, expected.passes);
      assert.equal(graph.graph.elapsedMs, expected.elapsedMs);
      // The frozen copy was found under this machine's home, not at the recorded /home/dev/.archon.
      assert.ok(graph.graph.file!.startsWith(path.join(home, 'workspaces', 'git', 'widgets', 'artifacts', 'runs', id, 'workflow-source')), graph.graph.file!);
      assert.ok(graph.nodes.every((n) => !n.unknown && n.group === null && n.toolCalls === 0 && n.tokens === null && n.costUsd === null));
    });
  }

  it('the spilled output: its head, cut and said so, and the whole in the spill file moved onto this machine', () => {
    const generate = graphs.get(REAL_RUNS.bigOutput)!.nodes[0];
    assert.equal(generate.outputTruncated, true);
    assert.equal(generate.outputFile, path.join(home, 'workspaces/git/widgets/artifacts/runs', REAL_RUNS.bigOutput, '.archon/node-output-spills/persisted/generate.nodeoutput'));
    // Archon keeps the output without its last line break.
    assert.equal(fs.readFileSync(generate.outputFile!, 'utf8'), BUILD_LOG.trimEnd());
  });

  it('the reader thread gives the same graphs', async () => {
    const threaded = openReader({ engine: 'sqlite', dbPath: path.join(home, 'archon.db'), source: 'test' }, { thread: true });
    try {
      for (const id of Object.values(REAL_RUNS)) assert.deepEqual((await threaded.read('graph', { runId: id, home })).value, graphs.get(id));
    } finally {
      threaded.dispose();
    }
  });

  it('the run totals and passes come from the run: node counts of a completed run, each pass with its times', () => {
    const approved = graphs.get(REAL_RUNS.approved)!.graph;
    assert.deepEqual(approved.totals, { costUsd: null, tokensIn: null, tokensOut: null, cacheReadTokens: null, cacheWriteTokens: null, nodeCounts: { completed: 3, failed: 0, skipped: 1, total: 4 } });
    assert.deepEqual(approved.passes, [
      { number: 1, startedAt: '2026-12-03T19:31:43Z', endedAt: '2026-12-03T19:31:43Z', durationMs: null },
      { number: 2, startedAt: '2026-12-03T19:31:44Z', endedAt: '2026-12-03T19:31:44Z', durationMs: 22 },
    ]);
  });
});
