import * as assert from 'node:assert/strict';
import { archonResumeCommand, shellQuote } from '../../src/core/archonCli';

describe('handing a run to Archon', () => {
  it('uses `workflow resume <id>` for failed and paused runs, `run <name> --resume` for an interrupted orphan', () => {
    assert.equal(archonResumeCommand({ id: '7439b164219910368943660f5524e9e4', workflowName: 'archon-fix-github-issue', interrupted: false }), 'archon workflow resume 7439b164219910368943660f5524e9e4');
    assert.equal(archonResumeCommand({ id: 'x', workflowName: 'archon-refactor-safely', interrupted: true }), 'archon workflow run archon-refactor-safely --resume');
  });

  it('quotes anything a shell could misread', () => {
    assert.equal(shellQuote('plain-name_1.0/x'), 'plain-name_1.0/x');
    assert.equal(shellQuote("it's; rm -rf ~"), `'it'\\''s; rm -rf ~'`);
    assert.equal(shellQuote('$(whoami)'), "'$(whoami)'");
  });
});
