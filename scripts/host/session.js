// Reusable pieces to run a real VS Code extension host offline: code-server (Node 24) on loopback,
// with headless Debian chromium (playwright-core) as the workbench window.
// See scripts/host/install.sh (installs the host) and scripts/host/run.js (runs a mocha index).
'use strict';
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const paths = require('./paths');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
};

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => { req.destroy(); resolve(0); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function checkInstalled() {
  for (const f of [paths.node24Bin, paths.codeServerBin, paths.chromiumBin]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run scripts/host/install.sh first`);
  }
}

/**
 * Starts code-server on a free loopback port with throwaway dirs. Returns
 * { port, origin, tmp, userDataDir, extensionsDir, proc, output(), stop() }. `env` entries are
 * added to code-server's environment, which its extension host inherits. `log(line)` gets code-server's own output
 * (default: dropped; kept in output() for error messages).
 * `restricted` keeps workspace trust on and never asks, so the folder opens in Restricted Mode.
 * `settings` are added to the user settings, `machineSettings` to the server's machine settings (where
 * machine-scoped settings such as `workflowRuns.archonPath` are read in a remote window).
 * `smokeTestDriver` (default true) is required for a test payload to run, but it also stops the
 * workbench from showing notification toasts: openWorkbench turns it off.
 */
async function startServer({ env = {}, log = null, startTimeoutMs = 60000, smokeTestDriver = true, restricted = false, settings = {}, machineSettings = {} } = {}) {
  checkInstalled();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-host-'));
  const dir = (name) => { const d = path.join(tmp, name); fs.mkdirSync(d, { recursive: true }); return d; };
  const userDataDir = dir('user-data');
  const extensionsDir = dir('extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const trust = restricted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {};
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...trust, ...settings }, null, 2));
  fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(machineSettings, null, 2));
  const configFile = path.join(tmp, 'config.yaml');
  fs.writeFileSync(configFile, '');
  const port = await freePort();

  const args = [
    paths.codeServerBin,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--config', configFile,
    '--disable-telemetry', '--disable-update-check',
    '--disable-getting-started-override', '--ignore-last-opened',
  ];
  if (!restricted) args.push('--disable-workspace-trust');
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const childEnv = {
    ...process.env,
    PATH: `${paths.node24BinDir}${path.delimiter}${process.env.PATH || ''}`,
    XDG_CONFIG_HOME: dir('xdg-config'),
    XDG_DATA_HOME: dir('xdg-data'),
    XDG_CACHE_HOME: dir('xdg-cache'),
    XDG_STATE_HOME: dir('xdg-state'),
    XDG_RUNTIME_DIR: dir('xdg-runtime'),
    TMPDIR: dir('tmp'),
    ...env,
  };
  // Own process group (detached), so stop() ends code-server, its extension host and helpers.
  const proc = spawn(paths.node24Bin, args, { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = null;
  const onData = (buf) => {
    const s = buf.toString();
    out = (out + s).slice(-20000);
    if (log) for (const line of s.split('\n')) if (line.trim()) log(line);
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  proc.on('exit', (code, signal) => { exited = { code, signal }; });

  let stopped = false;
  const killGroupSync = () => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    stopSync.delete(killGroupSync);
    const kill = (sig) => { try { process.kill(-proc.pid, sig); } catch { /* gone */ } };
    if (!exited) {
      kill('SIGTERM');
      for (let i = 0; i < 30 && !exited; i++) await sleep(100);
    }
    kill('SIGKILL'); // whatever is left in the group (extension host, watchers)
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  };
  stopSync.add(killGroupSync);

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  while ((await get(`${origin}/healthz`)) !== 200) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not start (${exited ? `exited ${JSON.stringify(exited)}` : 'timeout'}):\n${out}`);
    }
    await sleep(200);
  }
  return { port, origin, tmp, userDataDir, extensionsDir, proc, output: () => out, stop };
}

/** Workbench URL opening `workspace`, with an optional extension under development and test index. */
function workbenchUrl(server, { workspace, extension, tests }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${path.resolve(p)}`;
  const payload = [];
  if (extension) payload.push(['extensionDevelopmentPath', remote(extension)]);
  if (tests) payload.push(['extensionTestsPath', remote(tests)]);
  payload.push(['skipWelcome', 'true']);
  const q = [];
  if (workspace) q.push(`folder=${encodeURIComponent(path.resolve(workspace))}`);
  q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${server.origin}/?${q.join('&')}`;
}

/**
 * Launches headless chromium with a fresh profile in `tmp`. Returns a playwright
 * BrowserContext (persistent context: one profile dir, which we choose and delete).
 */
async function launchBrowser(tmp, { viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = require('playwright-core');
  const profile = fs.mkdtempSync(path.join(tmp, 'chromium-'));
  const home = fs.mkdtempSync(path.join(tmp, 'chromium-home-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: paths.chromiumBin,
    headless: true,
    args: CHROMIUM_ARGS,
    // chromium writes crash-report settings and dconf under $HOME / XDG dirs: keep them throwaway
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
    viewport,
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false, // we clean up ourselves
  });
  return context;
}

/**
 * Opens the workbench on `workspace` with `extension` loaded, for UI tests (click tree rows, menus,
 * quick picks, read toasts, screenshots). Returns { page, context, url, server, stop() }.
 * The extension is symlinked into the throwaway --extensions-dir as an installed extension rather
 * than passed as extensionDevelopmentPath: a built workbench reads that payload only with the
 * smoke-test driver on, and the smoke-test driver suppresses notification toasts.
 */
async function openWorkbench({ extension, workspace, env = {}, log = null, viewport, settings, machineSettings } = {}) {
  const server = await startServer({ env, log, smokeTestDriver: false, settings, machineSettings });
  let context;
  try {
    if (extension) {
      const manifest = JSON.parse(fs.readFileSync(path.join(extension, 'package.json'), 'utf8'));
      const id = `${manifest.publisher}.${manifest.name}-${manifest.version}`;
      fs.symlinkSync(path.resolve(extension), path.join(server.extensionsDir, id));
    }
    context = await launchBrowser(server.tmp, { viewport });
    const page = context.pages()[0] || await context.newPage();
    const url = workbenchUrl(server, { workspace });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    const stop = async () => {
      await context.close().catch(() => {});
      await server.stop();
    };
    return { page, context, url, server, stop };
  } catch (e) {
    if (context) await context.close().catch(() => {});
    await server.stop();
    throw e;
  }
}

// Last-resort cleanup: kill code-server process groups if this process exits without stop().
const stopSync = new Set();
process.on('exit', () => { for (const f of stopSync) f(); });

module.exports = { CHROMIUM_ARGS, USER_SETTINGS, freePort, startServer, workbenchUrl, launchBrowser, openWorkbench };
