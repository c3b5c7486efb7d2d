import * as assert from 'node:assert/strict';
import { approvalGate, gateActions } from '../../src/core/model/runModel';

/** The gate as the lists' SQL reads it: the object without its question, and the question when it is text. */
const gateOf = (approval: Record<string, unknown>) => approvalGate(approval, typeof approval.message === 'string' ? approval.message : null);

/** What the extension offers for a run paused at a gate with this `metadata.approval`. */
const actionsFor = (approval: Record<string, unknown>, openGate = true) => gateActions({ openGate, approval: gateOf(approval) });

describe("what Archon's CLI can do with a gate", () => {
  it('approve and reject need the open gate, its node and its question, as Archon requires', () => {
    const gate = { nodeId: 'review', message: 'Ship it?', type: 'approval' };
    assert.deepEqual(actionsFor(gate), { decide: true, respond: false }, 'a plain approval: approve or reject, no free answer');
    assert.deepEqual(actionsFor({ nodeId: 'review', message: 'Ship it?' }), { decide: true, respond: false }, 'a gate older than its type field');
    for (const [why, approval] of [
      ['no question', { nodeId: 'review', type: 'approval' }],
      ['a null question', { nodeId: 'review', message: null, type: 'approval' }],
      ['a question that is no text', { nodeId: 'review', message: 42, type: 'approval' }],
      ['no question on an interactive loop', { nodeId: 'loop', type: 'interactive_loop' }],
      ['no node', { message: 'Ship it?', type: 'approval' }],
      ['a kind Archon does not know', { nodeId: 'review', message: 'Ship it?', type: 'vote' }],
    ] as const) {
      assert.deepEqual(actionsFor(approval), { decide: false, respond: false }, why);
    }
    assert.deepEqual(actionsFor(gate, false), { decide: false, respond: false }, 'a gate already resolved, or a parent waiting on its child');
  });

  it('respond: an interactive loop takes an answer; other gates only the decisions their author declared (decisionsAuthored)', () => {
    assert.deepEqual(actionsFor({ nodeId: 'loop', message: 'What next?', type: 'interactive_loop' }), { decide: true, respond: true });
    const declared = { nodeId: 'n', message: 'Which?', type: 'approval', decisions: [{ id: 'ship', label: 'Ship it' }, { id: 'hold' }, { label: 'no id' }, 'x'] };
    assert.deepEqual(gateOf({ ...declared, decisionsAuthored: true })!.decisions, [{ id: 'ship', label: 'Ship it' }, { id: 'hold', label: null }]);
    assert.deepEqual(actionsFor({ ...declared, decisionsAuthored: true }), { decide: true, respond: true });
    // Archon synthesizes approve/reject for a gate whose author declared no decisions, and refuses any other.
    for (const authored of [undefined, false, 'true', 1]) {
      const approval = authored === undefined ? declared : { ...declared, decisionsAuthored: authored };
      assert.deepEqual(gateOf(approval)!.decisions, [], `decisionsAuthored: ${String(authored)}`);
      assert.deepEqual(actionsFor(approval), { decide: true, respond: false }, `decisionsAuthored: ${String(authored)}`);
    }
  });
});
