#!/usr/bin/env node
// `npm start`: builds, generates the demo database (with a "live Archon" that keeps writing to it),
// and opens VS Code with the extension on it: desktop `code` when installed, else the bundled
// code-server on loopback (its URL is printed). Ctrl+C stops everything.
//   npm start [-- --server]   force code-server even where `code` exists
// The demo is written with node:sqlite: this Node's when it has it, else the Node 24 that
// scripts/host/install.sh installs (with code-server when there is no desktop `code`). Nothing else
// needs to be on the machine.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const paths = require('./host/paths');
const demo = path.join(root, '.demo');
const project = path.join(demo, 'widgets');
const dbPath = path.join(demo, 'archon.db');

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function hasCode() {
  return !process.argv.includes('--server') && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Installs what the demo needs, before anything uses it: the code-server host (with its Node 24)
 * when there is no desktop VS Code; then returns a Node with node:sqlite (this one, else Node 24).
 */
function prepare(desktop) {
  if (!desktop) step('bash', [paths.installScript]);
  try {
    require('node:sqlite');
    return process.execPath;
  } catch {}
  if (desktop) step('bash', [paths.installScript, '--node-only']);
  return paths.node24Bin;
}

async function main() {
  step(process.execPath, ['esbuild.js']);
  const desktop = hasCode();
  const node = prepare(desktop);
  step(node, [path.join(__dirname, 'demo', 'createDemoDatabase.js'), demo, '--project', project]);
  fs.mkdirSync(path.join(project, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(project, '.vscode', 'settings.json'), JSON.stringify({ 'workflowRuns.databasePath': dbPath }, null, 2) + '\n');
  const live = spawn(node, [path.join(__dirname, 'demo', 'liveArchon.js'), dbPath], { stdio: ['pipe', 'inherit', 'inherit'] });
  const stopLive = () => live.stdin.end();

  if (desktop) {
    console.log('Opening VS Code with the extension on the demo database…');
    const code = spawn('code', ['--wait', '--new-window', `--extensionDevelopmentPath=${root}`, project], { stdio: 'inherit' });
    code.on('exit', () => {
      stopLive();
      process.exit(0);
    });
    return;
  }

  const { startServer, workbenchUrl } = require('./host/session');
  const server = await startServer({ smokeTestDriver: false });
  const manifest = require(path.join(root, 'package.json'));
  fs.symlinkSync(root, path.join(server.extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));
  const stop = async () => {
    stopLive();
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`\nWorkflow Runs demo (VS Code in the browser, loopback only):\n\n  ${workbenchUrl(server, { workspace: project })}\n\nThe demo database is ${dbPath}; a simulated Archon writes to it every 5 s, and a minute in one of its runs stops at a gate. Ctrl+C to stop.`);
}

main().catch((err) => {
  console.error(`start: ${err.message}`);
  process.exit(1);
});
