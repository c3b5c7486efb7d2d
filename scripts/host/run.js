#!/usr/bin/env node
// Runs a compiled mocha test index inside a real VS Code extension host (code-server + headless
// chromium), relays its output to stdout and exits with its exit code.
//
//   node scripts/host/run.js --extension <absDir> --tests <abs index.js> --workspace <absDir>
//        [--label host] [--timeout-ms 600000] [--env KEY=VALUE ...] [--restricted] [--verbose]
//
// --restricted opens the workspace untrusted (Restricted Mode) instead of trusting it.
//
// The test index must print its own summary line (e.g. `host: 3 passed, 0 failed, 0 skipped`).
'use strict';
const fs = require('fs');
const path = require('path');
const util = require('util');
const { startServer, launchBrowser, workbenchUrl } = require('./session');

function parseArgs(argv) {
  const o = { label: 'host', timeoutMs: 10 * 60 * 1000, env: {}, verbose: false, restricted: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--extension') o.extension = path.resolve(val());
    else if (a === '--tests') o.tests = path.resolve(val());
    else if (a === '--workspace') o.workspace = path.resolve(val());
    else if (a === '--label') o.label = val();
    else if (a === '--timeout-ms') o.timeoutMs = Number(val());
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--restricted') o.restricted = true;
    else if (a === '--env') {
      const kv = val();
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new Error(`--env expects KEY=VALUE, got ${kv}`);
      o.env[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const k of ['extension', 'tests', 'workspace']) {
    if (!o[k]) throw new Error(`--${k} is required`);
    if (!fs.existsSync(o[k])) throw new Error(`--${k} ${o[k]} does not exist`);
  }
  if (!(o.timeoutMs > 0)) throw new Error('--timeout-ms must be a positive number');
  return o;
}

// codeAutomationLog(type, args): args are the console call's arguments, format string not applied
// (mocha's reporters log like console.log('  %d passing (%s)', 3, '12ms')).
function formatLog(args) {
  const parts = Array.isArray(args) ? args : [args];
  return util.format(...parts);
}

// The same logger also carries the workbench's own messages; these are not test output.
const WORKBENCH_NOISE = [
  /\/static\/out\/vs\//, // stack traces from the workbench (open-vsx lookups, "Canceled", ...)
  /^(Resolving|Resolved) connection token \(/,
  /^Creating a socket \(renderer-/,
  /^\[(reconnection-grace-time|Service Worker|AgentHost:remote|AccountPolicyGate)\]/,
  /^Updating additional builtin extensions cache$/,
  /^Could not find pty \d+ on pty host/, // a task's terminal closing while the workbench still asks about it
];
const isNoise = (text) => WORKBENCH_NOISE.some((re) => re.test(text));

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`[run] ${e.message}`);
    console.error('usage: node scripts/host/run.js --extension DIR --tests INDEX.js --workspace DIR ' +
      '[--label host] [--timeout-ms N] [--env KEY=VALUE ...] [--restricted] [--verbose]');
    return 2;
  }
  const tag = `[${opts.label}]`;
  const started = Date.now();
  let server;
  let context;
  let cleaning = null;
  const cleanup = () => cleaning || (cleaning = (async () => {
    if (context) await context.close().catch(() => {});
    if (server) await server.stop();
  })());
  const onSignal = (sig) => {
    console.error(`${tag} ${sig}: stopping`);
    cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    server = await startServer({ env: opts.env, restricted: opts.restricted, log: opts.verbose ? (l) => console.error(`${tag} [server] ${l}`) : null });
    if (opts.verbose) console.error(`${tag} code-server on ${server.origin}`);
    context = await launchBrowser(server.tmp);
    const page = context.pages()[0] || await context.newPage();

    let resolveExit;
    const exited = new Promise((r) => { resolveExit = r; });
    // Exposed before navigation, as the smoke-test driver looks for them at startup.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = formatLog(args);
      if (!isNoise(text)) process.stdout.write(`${text}\n`);
      else if (opts.verbose) console.error(`${tag} [workbench ${type}] ${text}`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => {
      resolveExit(Number.isInteger(code) ? code : 1);
    });
    if (opts.verbose) page.on('console', (m) => console.error(`${tag} [page ${m.type()}] ${m.text()}`));
    page.on('crash', () => resolveExit('page crashed'));

    const url = workbenchUrl(server, { workspace: opts.workspace, extension: opts.extension, tests: opts.tests });
    await page.goto(url);

    let timer;
    const timeout = new Promise((r) => { timer = setTimeout(() => r('timeout'), opts.timeoutMs); });
    const serverGone = new Promise((r) => server.proc.on('exit', () => r('code-server exited')));
    const result = await Promise.race([exited, timeout, serverGone]);
    clearTimeout(timer);
    if (typeof result !== 'number') {
      console.error(`${tag} ERROR: ${result === 'timeout' ? `no result after ${opts.timeoutMs} ms` : result}`);
      if (!opts.verbose) console.error(`${tag} code-server output (tail):\n${server.output().slice(-4000)}`);
      return 1;
    }
    if (opts.verbose) console.error(`${tag} exit code ${result} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } catch (e) {
    console.error(`${tag} ERROR: ${e && e.stack || e}`);
    return 1;
  } finally {
    await cleanup();
  }
}

main().then((code) => process.exit(code));
