// Archon's bundled workflows and their nodes, for the demo and benchmark databases.
'use strict';
module.exports = {
  'archon-fix-github-issue': ['parse-request', 'fetch-issue', 'investigate', 'plan', 'implement', 'validate', 'create-pr'],
  'archon-interactive-prd': ['initiate', 'foundation-gate', 'research', 'technical', 'generate'],
  'archon-smart-pr-review': ['fetch-pr', 'review-scope', 'code-review', 'synthesize', 'report'],
  'archon-plan-to-pr': ['plan-setup', 'confirm-plan', 'implement-tasks', 'validate', 'finalize-pr'],
  'archon-refactor-safely': ['analyze', 'plan', 'refactor', 'validate'],
  'archon-assist': ['assist'],
  'archon-validate-pr': ['fetch-pr', 'run-tests', 'lint', 'report'],
};
