import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { approveArgs, rejectArgs, respondArgs, resumeArgs } from '../../src/core/archon/archonArgs';
import { findExecutable, runsThroughCmd } from '../../src/core/archon/findExecutable';
import { cleanupTempDirs, tempDir } from '../support/fixtures';

describe("Archon's CLI as argument arrays", () => {
  after(cleanupTempDirs);

  it('resume: `workflow resume -- <id>`, or `workflow run --resume -- <name>` for an interrupted orphan', () => {
    assert.deepEqual(resumeArgs({ id: '-rf', workflowName: 'x', interrupted: false }), ['workflow', 'resume', '--', '-rf']);
    assert.deepEqual(resumeArgs({ id: 'x', workflowName: "x\\'; touch PWNED; #", interrupted: true }), ['workflow', 'run', '--resume', '--', "x\\'; touch PWNED; #"]);
  });

  it('approve, reject and respond keep a comment as one argument, and add none when empty', () => {
    assert.deepEqual(approveArgs('id1', 'line 1\nline "2" $(x)'), ['workflow', 'approve', '--', 'id1', 'line 1\nline "2" $(x)']);
    assert.deepEqual(approveArgs('id1', ''), ['workflow', 'approve', '--', 'id1']);
    assert.deepEqual(rejectArgs('id1', '--force'), ['workflow', 'reject', '--', 'id1', '--force']);
    assert.deepEqual(respondArgs('id1', 'revise', 'more tests'), ['workflow', 'respond', '--', 'id1', 'revise', 'more tests']);
  });

  it('finds an executable on PATH or at a path, and nothing where there is none', () => {
    const dir = tempDir();
    const exe = path.join(dir, 'archon');
    fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'plain'), '', { mode: 0o644 });
    assert.equal(findExecutable('archon', { PATH: `/nonexistent${path.delimiter}${dir}` }), exe);
    assert.equal(findExecutable(exe, { PATH: '' }), exe);
    assert.equal(findExecutable('archon', { PATH: '/nonexistent' }), undefined);
    assert.equal(findExecutable(path.join(dir, 'missing'), {}), undefined);
    assert.equal(findExecutable('plain', { PATH: dir }), undefined, 'not executable');
  });

  it('on Windows takes a program only by its PATHEXT extension, and knows a batch file from an executable', () => {
    const dir = tempDir();
    // As npm installs a command: a shell script without an extension beside its .cmd.
    for (const name of ['archon', 'archon.cmd']) fs.writeFileSync(path.join(dir, name), '', { mode: 0o755 });
    const env = { PATH: dir, PATHEXT: '.com;.exe;.bat;.cmd' }; // lower case: this file system, unlike Windows', tells case apart
    assert.equal(findExecutable('archon', env, 'win32'), path.join(dir, 'archon.cmd'));
    assert.equal(runsThroughCmd(path.join(dir, 'archon.cmd'), 'win32'), true, 'cmd.exe would read the arguments');
    fs.writeFileSync(path.join(dir, 'archon.exe'), '', { mode: 0o755 });
    assert.equal(findExecutable('archon', env, 'win32'), path.join(dir, 'archon.exe'), 'PATHEXT order: .exe before .cmd');
    assert.equal(findExecutable(path.join(dir, 'archon.exe'), env, 'win32'), path.join(dir, 'archon.exe'));
    assert.equal(runsThroughCmd(path.join(dir, 'archon.exe'), 'win32'), false);
    assert.equal(runsThroughCmd(path.join(dir, 'archon.cmd'), 'linux'), false);
  });
});
