#!/usr/bin/env node
// `npm start`: builds, generates the demo database (with a "live Archon" that keeps writing to it),
// and opens VS Code with the extension on it: desktop `code` when installed, else the bundled
// code-server on loopback (its URL is printed). Ctrl+C stops everything.
//   npm start [-- --server]   force code-server even where `code` exists
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
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

/** Keeps the demo alive like a running Archon: the live run heartbeats and logs events every few seconds. */
function liveArchon() {
  const shell = spawn('sqlite3', ['-batch', dbPath], { stdio: ['pipe', 'ignore', 'inherit'] });
  shell.stdin.write('.timeout 5000\nPRAGMA wal_autocheckpoint = 0;\n');
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    shell.stdin.write(`BEGIN IMMEDIATE;
UPDATE remote_agent_workflow_runs SET last_activity_at = datetime('now')
  WHERE status = 'running' AND last_activity_at > datetime('now', '-1 hour');
INSERT INTO remote_agent_workflow_events (id, workflow_run_id, event_type, step_name, data)
  SELECT lower(hex(randomblob(16))), id, 'tool_called', 'validate', '{"tool_name":"Bash","tick":${tick}}'
  FROM remote_agent_workflow_runs WHERE workflow_name = 'archon-validate-pr' AND status = 'running';
COMMIT;
`);
  }, 5000);
  return () => {
    clearInterval(timer);
    shell.stdin.end('.quit\n');
  };
}

async function main() {
  step(process.execPath, ['esbuild.js']);
  step(process.execPath, [path.join(__dirname, 'demo', 'createDemoDatabase.js'), demo, '--project', project]);
  fs.mkdirSync(path.join(project, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(project, '.vscode', 'settings.json'), JSON.stringify({ 'workflowRuns.databasePath': dbPath }, null, 2) + '\n');
  const stopLive = liveArchon();

  if (hasCode()) {
    console.log('Opening VS Code with the extension on the demo database…');
    const code = spawn('code', ['--wait', '--new-window', `--extensionDevelopmentPath=${root}`, project], { stdio: 'inherit' });
    code.on('exit', () => {
      stopLive();
      process.exit(0);
    });
    return;
  }

  step('bash', [path.join(__dirname, 'host', 'install.sh')]);
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
  console.log(`\nWorkflow Runs demo (VS Code in the browser, loopback only):\n\n  ${workbenchUrl(server, { workspace: project })}\n\nThe demo database is ${dbPath}; a simulated Archon writes to it every 5 s. Ctrl+C to stop.`);
}

main().catch((err) => {
  console.error(`start: ${err.message}`);
  process.exit(1);
});
