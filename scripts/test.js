#!/usr/bin/env node
// `npm test`: installs what the tests need (apt packages, Node 24, the offline VS Code host),
// builds, then runs every suite and prints one closing line per suite:
//   unit-node20:  the core and CLI under this machine's Node (sqlite3 shell writer)
//   unit-node24:  the same under Node 24 (node:sqlite writer too)
//   postgres:     the PostgreSQL engine and CLI against a real server this run starts and stops
//   host:         the extension inside a real VS Code extension host (code-server), in a
//                 trusted workspace (host) and in Restricted Mode (host-restricted)
//   e2e:          the real workbench page driven like a person would
// Options: --unit-only, --skip-install.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = new Set(process.argv.slice(2));
const paths = require('./host/paths');

function run(label, cmd, argv, env = {}) {
  console.log(`\n=== ${label}: ${[path.basename(cmd), ...argv].join(' ')}`);
  const started = Date.now();
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${label}: exit ${r.status ?? r.signal} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return r.status === 0;
}

const results = [];
function suite(label, ok) {
  results.push([label, ok]);
}

if (!args.has('--skip-install')) {
  if (!run('install', 'bash', [paths.installScript])) process.exit(1);
}
if (!run('build', process.execPath, ['esbuild.js'])) process.exit(1);
if (!run('compile tests', process.execPath, [require.resolve('typescript/bin/tsc'), '-p', '.'])) process.exit(1);

const mocha = require.resolve('mocha/bin/mocha.js');
const unitArgs = ['--reporter', path.join(__dirname, 'summaryReporter.js'), '--timeout', '60000', 'out/test/unit/**/*.test.js'];
const node24 = fs.existsSync(paths.node24Bin) ? paths.node24Bin : undefined;
suite('unit-node20', run('unit-node20', process.execPath, [mocha, ...unitArgs], { WR_SUITE_LABEL: 'unit-node20', WR_NODE_SQLITE_BIN: node24 ?? '' }));
if (node24) suite('unit-node24', run('unit-node24', node24, [mocha, ...unitArgs], { WR_SUITE_LABEL: 'unit-node24' }));
else suite('unit-node24 (Node 24 missing)', false);

suite('postgres', run('postgres', process.execPath, [mocha, '--reporter', path.join(__dirname, 'summaryReporter.js'), '--timeout', '60000',
  '--require', 'out/test/postgres/server.js', 'out/test/postgres/**/*.test.js'], { WR_SUITE_LABEL: 'postgres' }));

if (!args.has('--unit-only')) {
  suite('host', run('host', process.execPath, [path.join(__dirname, 'host', 'extensionTests.js')]));
  suite('e2e', run('e2e', process.execPath, [path.join(__dirname, 'host', 'e2e.js')]));
}

console.log('\n=== summary');
for (const [label, ok] of results) console.log(`${ok ? 'ok    ' : 'FAILED'} ${label}`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
