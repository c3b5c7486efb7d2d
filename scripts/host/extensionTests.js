#!/usr/bin/env node
// Runs the compiled host tests (out/test/host) inside a real VS Code extension host, on a
// throwaway workspace folder. Build first (npm test does).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { repoRoot } = require('./paths');

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'wr-host-ws-'));
try {
  const r = spawnSync(
    process.execPath,
    [path.join(__dirname, 'run.js'), '--extension', repoRoot, '--tests', path.join(repoRoot, 'out', 'test', 'host', 'index.js'), '--workspace', workspace, '--label', 'host',
     // One test checks the PostgreSQL state; every other test names its SQLite file explicitly.
     '--env', 'DATABASE_URL=postgres://archon@127.0.0.1:9/archon'],
    { stdio: 'inherit' },
  );
  process.exitCode = r.status ?? 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}
