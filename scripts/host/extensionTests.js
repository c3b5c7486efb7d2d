#!/usr/bin/env node
// Runs the compiled host tests inside a real VS Code extension host, each suite on a throwaway
// workspace folder. Build first (npm test does).
//   host             out/test/host: a trusted workspace
//   host-restricted  out/test/hostRestricted: the workspace opened in Restricted Mode, its
//                    .vscode/settings.json naming a decoy database and programs that must never run
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { repoRoot } = require('./paths');
const { startPostgres } = require('../postgres/server');

/** A workspace whose settings try to choose the database and what Workflow Runs executes. */
function hostileWorkspace(dir) {
  const decoy = (name) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\ntouch "${path.join(dir, `EXECUTED-${name}`)}"\n`, { mode: 0o755 });
    return file;
  };
  fs.mkdirSync(path.join(dir, '.vscode'));
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({
    'workflowRuns.databasePath': path.join(dir, 'decoy.db'),
    'workflowRuns.archonPath': decoy('evil-archon'),
    'workflowRuns.sqlite3Path': decoy('evil-sqlite3'),
    'workflowRuns.writerEngine': 'node-sqlite',
  }, null, 2));
}

function suite(label, testsDir, extra, prepare) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `wr-${label}-ws-`));
  try {
    prepare?.(workspace);
    const r = spawnSync(
      process.execPath,
      [path.join(__dirname, 'run.js'), '--extension', repoRoot, '--tests', path.join(repoRoot, 'out', 'test', testsDir, 'index.js'), '--workspace', workspace, '--label', label, ...extra],
      { stdio: 'inherit' },
    );
    return r.status === 0;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

async function main() {
  // A real PostgreSQL server for the host's PostgreSQL tests; stopped at the end, failures or not.
  const postgres = await startPostgres();
  try {
    return [
      // Archon's DATABASE_URL names a closed port (one test checks that state); every other test
      // names its database explicitly, SQLite files and the server above alike.
      suite('host', 'host', ['--env', 'DATABASE_URL=postgres://archon:s3cret@127.0.0.1:9/archon', '--env', `WR_TEST_POSTGRES_URL=${postgres.url()}`]),
      suite('host-restricted', 'hostRestricted', ['--restricted', '--env', 'DATABASE_URL='], hostileWorkspace),
    ];
  } finally {
    await postgres.stop();
  }
}

main().then(
  (results) => (process.exitCode = results.every(Boolean) ? 0 : 1),
  (err) => {
    console.error(`host: cannot run: ${err.message}`);
    process.exitCode = 1;
  },
);
