#!/usr/bin/env node
// End-to-end UI test: drives the real workbench (code-server + headless chromium, see session.js)
// like a person would, on the bundled demo database:
//   1. demo database + workspace folder whose settings point at it
//   2. open the Workflow Runs container, wait for the tree, screenshot test-results/tree.png
//   3. Cancel a running run from its context menu (modal, allowing writes to the workspace's
//      database once, toast), verified with the CLI
//   4. Resume a failed run from the command palette (quick pick, toast), verified with the CLI
//   5. hover a run row for its tooltip, screenshot test-results/tooltip.png (best effort)
//   6. Approve… from a gate's context menu, with a comment typed in: a stand-in `archon` records
//      the arguments and folder it was run with (test-results/gate-menu.png, approve-toast.png)
//   7. another process fails a run: a notification within 2 s; its Reveal in Tree selects the run
//      (test-results/notification.png); none came on the first load (checked in step 2)
//   8. the status bar counts what runs and what waits (test-results/statusbar.png)
// Prints one line `e2e: N passed, N failed, 0 skipped`; exits 0 only when every check passed.
//   node scripts/host/e2e.js            (needs scripts/host/install.sh to have run once)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const paths = require('./paths');
const { openWorkbench } = require('./session');
const { stubArchon } = require('./stubArchon');

const repoRoot = paths.repoRoot;
const resultsDir = path.join(repoRoot, 'test-results');
const cliJs = path.join(repoRoot, 'dist', 'cli.js');
const WAIT = 20000; // longest single wait for one UI element
const TOTAL = 240000; // the whole script, start to summary
const STEPS = 8;
const started = Date.now();
const deadline = started + TOTAL;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);

// ---------------------------------------------------------------- checks

const results = [];

/** Runs one numbered check, bounded by `budgetMs` (and the whole script's deadline). */
let currentPage = null; // for a screenshot when a check fails

async function check(name, budgetMs, fn) {
  const t0 = Date.now();
  const budget = Math.min(budgetMs, deadline - Date.now());
  let timer;
  try {
    if (budget <= 0) throw new Error('not started: the script ran out of time');
    const work = fn();
    work.catch(() => {}); // it may reject after the timeout has decided
    await Promise.race([
      work,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${(budget / 1000).toFixed(0)} s`)), budget); }),
    ]);
    results.push({ name, ok: true });
    log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return true;
  } catch (err) {
    const detail = err && err.stack ? err.stack.split('\n').slice(0, 8).join('\n') : String(err);
    results.push({ name, ok: false, detail });
    log(`FAIL ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n${detail.replace(/^/gm, '       ')}`);
    if (currentPage) {
      const file = path.join(resultsDir, `failure-${name.split('.')[0]}.png`);
      await currentPage.screenshot({ path: file, timeout: 5000 }).then(() => log(`screenshot ${path.relative(repoRoot, file)}`), () => {});
    }
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// ---------------------------------------------------------------- helpers

function runNode(args, opts = {}) {
  return execFileSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** Builds dist/ when it is missing or older than src/. */
function buildIfNeeded() {
  const outputs = [path.join(repoRoot, 'dist', 'extension.js'), cliJs];
  const newestSrc = (dir) => fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = path.join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newestSrc(p) : fs.statSync(p).mtimeMs);
  }, 0);
  const srcTime = newestSrc(path.join(repoRoot, 'src'));
  if (outputs.every((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= srcTime)) return;
  log('building dist/ (node esbuild.js)');
  runNode([path.join(repoRoot, 'esbuild.js')], { timeout: 60000 });
}

/** Another process (Node 24's node:sqlite, as Archon would) commits `sql` to the database. */
function commitElsewhere(db, sql) {
  const script = `const db = new (require('node:sqlite').DatabaseSync)(process.argv[1]); db.exec('PRAGMA busy_timeout = 5000'); db.exec(process.argv[2]); db.close();`;
  execFileSync(paths.node24Bin, ['-e', script, db, sql], { timeout: 30000 });
}

/** The runs in the database as the CLI sees them. */
function cliRuns(db) {
  return JSON.parse(runNode([cliJs, 'list', '--db', db, '--json', '--limit', '1000']));
}

function cliRunByShortId(db, short) {
  const matches = cliRuns(db).filter((r) => r.id.startsWith(short));
  assert(matches.length === 1, `the CLI lists ${matches.length} runs whose id starts with ${short}`);
  return matches[0];
}

async function screenshot(page, name) {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, name);
  await page.screenshot({ path: file, timeout: WAIT });
  log(`screenshot ${path.relative(repoRoot, file)}`);
}

/** Closes whatever quick input is open. */
async function closeQuickInput(page) {
  const widget = page.locator('.quick-input-widget');
  if (await widget.isVisible().catch(() => false)) {
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
  }
}

/** Runs a command from the palette by its title; retries while the extension's commands are not registered yet. */
async function palette(page, title, { within = WAIT } = {}) {
  const until = Date.now() + within;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: title });
  for (let attempt = 1; ; attempt++) {
    await closeQuickInput(page);
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(`>${title}`);
    try {
      await row.first().waitFor({ state: 'visible', timeout: 3000 });
      await row.first().click();
      return;
    } catch (err) {
      if (Date.now() > until) throw new Error(`the palette has no command "${title}" after ${attempt} attempts`);
      await sleep(1000);
    }
  }
}

/** Waits for a toast whose message matches `text`; resolves its message text once it has faded in. */
async function toast(page, text) {
  const item = page.locator('.notifications-toasts .notification-toast').filter({
    has: page.locator('.notification-list-item-message', { hasText: text }),
  }).last();
  await item.waitFor({ state: 'visible', timeout: WAIT });
  await page.locator('.notifications-toasts .notification-toast.notification-fade-in-done').filter({
    has: page.locator('.notification-list-item-message', { hasText: text }),
  }).last().waitFor({ state: 'visible', timeout: 5000 }).catch(() => {});
  return (await item.locator('.notification-list-item-message').textContent({ timeout: WAIT })).trim();
}

/** Dismisses every toast on screen, so the next screenshot shows only the next one. */
/** Waits (briefly) for the "Cancelling …"/"Resuming …" progress toast to go; logs when it stays. */
async function progressGone(page, text) {
  const progress = page.locator('.notifications-toasts .notification-toast').filter({
    has: page.locator('.notification-list-item-message', { hasText: text }),
  });
  const t0 = Date.now();
  const gone = await progress.first().waitFor({ state: 'hidden', timeout: 5000 }).then(() => true, () => false);
  log(gone ? `the progress toast "${text}" closed after ${Date.now() - t0} ms` : `NOTE: the progress toast "${text}" still shows 5 s after the result`);
}

async function clearToasts(page) {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  if (!(await toasts.count())) return;
  await palette(page, 'Notifications: Clear All Notifications');
  await toasts.first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
}

// ---------------------------------------------------------------- the test

async function main() {
  let tmp;
  let wb;
  let page;
  let db;
  let archon;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (wb) await Promise.race([wb.stop().catch(() => {}), sleep(15000)]);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  };
  const onSignal = (sig) => {
    log(`${sig}: stopping`);
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  // A last guard: should anything escape the per-check bounds, still stop, report and exit.
  const watchdog = setTimeout(() => {
    log('the whole script took too long: stopping');
    results.push({ name: 'whole script finished in time', ok: false, detail: `over ${TOTAL / 1000 + 30} s` });
    cleanup().finally(() => { summary(); process.exit(1); });
  }, TOTAL + 30000);
  watchdog.unref();

  try {
    // 1. demo database and a workspace folder pointing at it
    await check('1. demo database and workspace created', 60000, async () => {
      buildIfNeeded();
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wr-e2e-'));
      const out = runNode([path.join(repoRoot, 'scripts', 'demo', 'createDemoDatabase.js'), path.join(tmp, 'data'), '--project', path.join(tmp, 'widgets')]);
      log(out.trim());
      db = path.join(tmp, 'data', 'archon.db');
      assert(fs.existsSync(db), `${db} was not created`);
      fs.mkdirSync(path.join(tmp, 'widgets', '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(tmp, 'widgets', '.vscode', 'settings.json'), JSON.stringify({ 'workflowRuns.databasePath': db }, null, 2));
      const runs = cliRuns(db);
      for (const [workflow, status] of [['archon-fix-github-issue', 'running'], ['archon-smart-pr-review', 'failed']]) {
        assert(runs.some((r) => r.workflowName === workflow && r.status === status), `the demo database has no ${status} ${workflow}`);
      }
    });

    // 2. open the container and wait for the tree
    await check('2. Workflow Runs tree shows the demo runs', 75000, async () => {
      assert(tmp && db, 'no demo database (step 1 failed)');
      log('starting code-server and chromium');
      archon = stubArchon(path.join(tmp, 'archon-stub'));
      wb = await openWorkbench({
        extension: repoRoot,
        workspace: path.join(tmp, 'widgets'),
        viewport: { width: 1400, height: 900 },
        machineSettings: { 'workflowRuns.archonPath': archon.path },
      });
      page = wb.page;
      currentPage = page;
      page.setDefaultTimeout(WAIT);
      log('workbench loaded');

      // The activity-bar item (its label gains " - N running" from the view's badge).
      const item = page.locator('.activitybar .action-item').filter({ has: page.locator('.action-label[aria-label^="Workflow Runs"]') });
      await item.waitFor({ state: 'visible', timeout: WAIT });
      await item.click({ position: { x: 10, y: 10 } }); // the badge, bottom right, takes clicks on the label
      const rows = page.locator('.part.sidebar .monaco-list-row[role="treeitem"]');
      const group = (label) => rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[()]/g, '\\$&')} \\(\\d+\\)$`) }) });
      try {
        await group('Running').waitFor({ state: 'visible', timeout: 10000 });
      } catch {
        log('the tree did not show after the activity-bar click: using the palette');
        await palette(page, 'Workflow Runs: Focus on Runs View');
        await group('Running').waitFor({ state: 'visible', timeout: WAIT });
      }
      await page.locator('.part.sidebar .composite.title', { hasText: 'Workflow Runs' }).waitFor({ state: 'visible', timeout: WAIT });

      // A roomy layout for the screenshot: no secondary side bar, a wider primary one.
      if (await page.locator('.part.auxiliarybar').isVisible().catch(() => false)) {
        await palette(page, 'View: Hide Secondary Side Bar').catch((e) => log(`could not hide the secondary side bar: ${e.message}`));
      }
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      const sash = await page.locator('.monaco-sash.vertical.primary-sidebar-sash').boundingBox().catch(() => null);
      if (sidebar && sash && sidebar.width < 500) {
        const x = sash.x + sash.width / 2;
        const y = sash.y + sash.height / 2;
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + 40, y, { steps: 4 });
        await page.mouse.move(x + 540 - sidebar.width, y, { steps: 8 });
        await page.mouse.up();
        const after = await page.locator('.part.sidebar').boundingBox();
        log(`side bar width ${sidebar.width} -> ${after && after.width}`);
      }

      // Every group, expanded.
      const expected = ['Running', 'Paused (awaiting approval)', 'Failed', 'Pending', 'Completed', 'Cancelled'];
      for (const label of expected) {
        const row = group(label);
        await row.waitFor({ state: 'visible', timeout: WAIT });
        if ((await row.getAttribute('aria-expanded')) === 'false') {
          await row.click();
          await page.locator('.part.sidebar .monaco-list-row[aria-expanded="true"]').filter({ hasText: label }).first().waitFor({ timeout: 5000 });
        }
      }
      // Let the last expansions render: the row count holds still for half a second.
      for (let n = -1, until = Date.now() + 5000; Date.now() < until;) {
        const count = await rows.count();
        if (count === n) break;
        n = count;
        await sleep(500);
      }
      const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      log(`tree rows: ${labels.length}`);
      assert(labels.some((l) => /^archon-fix-github-issue, running, /.test(l)), 'no running archon-fix-github-issue row');
      assert(labels.some((l) => /^archon-smart-pr-review, failed, /.test(l)), 'no failed archon-smart-pr-review row');
      // No selected group in the picture: click the tree's empty space below its rows.
      const list = await page.locator('.part.sidebar .monaco-list').first().boundingBox();
      const last = await rows.last().boundingBox();
      if (list && last && list.y + list.height - (last.y + last.height) > 40) {
        await page.mouse.click(list.x + list.width / 2, list.y + list.height - 20);
      }
      await page.mouse.move(900, 700); // away from rows: no hover, no tooltip
      await sleep(500);
      await screenshot(page, 'tree.png');
      // The demo has failed runs and open gates from before the window opened: no news of them.
      await sleep(4000); // past the first status watch
      const news = await page.locator('.notifications-toasts .notification-toast').filter({ hasText: /failed|waiting for you|interrupted/ }).count();
      assert(news === 0, `${news} notifications about runs on the first load`);
    });

    // 3. cancel a running run from its context menu
    await check('3. Cancel Run… from the context menu cancels the running run', 45000, async () => {
      assert(page, 'no workbench (step 2 failed)');
      const running = page.locator('.part.sidebar .monaco-list-row[role="treeitem"]').filter({
        has: page.locator('.label-name', { hasText: /^archon-fix-github-issue$/ }),
      });
      const runningGroup = page.locator('.part.sidebar .monaco-list-row[role="treeitem"]').filter({ has: page.locator('.label-name', { hasText: /^Running \(\d+\)$/ }) });
      if ((await runningGroup.getAttribute('aria-expanded')) === 'false') await runningGroup.click();
      // The one under Running: its accessibility label carries the status (a pending one has the same name).
      const row = running.and(page.locator('[aria-label^="archon-fix-github-issue, running, "]'));
      await row.waitFor({ state: 'visible', timeout: WAIT });
      const description = (await row.locator('.label-description').textContent()).trim();
      // One project in this workspace, so the row shows only its start time.
      assert(/^\d+ min ago$/.test(description), `unexpected description "${description}"`);

      await row.click({ button: 'right' });
      const menuItem = page.getByRole('menuitem', { name: 'Cancel Run…' });
      const dialog = page.locator('.monaco-dialog-box');
      await menuItem.waitFor({ state: 'visible', timeout: WAIT });
      for (let attempt = 1; ; attempt++) {
        await menuItem.hover();
        await sleep(200);
        await menuItem.click();
        const opened = await dialog.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
        if (opened) break;
        const menuOpen = await menuItem.isVisible().catch(() => false);
        log(`NOTE: no dialog after clicking "Cancel Run…" (attempt ${attempt}; the menu is ${menuOpen ? 'still open' : 'closed'})`);
        if (attempt === 3) throw new Error('clicking "Cancel Run…" in the context menu opened no dialog');
        if (!menuOpen) {
          await row.click({ button: 'right' });
          await menuItem.waitFor({ state: 'visible', timeout: WAIT });
        }
      }
      const question = (await dialog.textContent()) || '';
      assert(/Cancel archon-fix-github-issue \([0-9a-f]{8}\)\?/.test(question), `unexpected dialog: "${question.slice(0, 200)}"`);
      await dialog.getByRole('button', { name: 'Cancel Run', exact: true }).click();
      // The demo workspace's settings chose the database: the first write asks to allow it, once.
      const allow = page.locator('.monaco-dialog-box').filter({ hasText: 'Allow Workflow Runs to write to' });
      await allow.waitFor({ state: 'visible', timeout: WAIT });
      await allow.getByRole('button', { name: 'Allow Writes', exact: true }).click();
      await allow.waitFor({ state: 'hidden', timeout: WAIT });

      const message = await toast(page, /^Cancelled archon-fix-github-issue \(/);
      assert(/^Cancelled archon-fix-github-issue \([0-9a-f]{8}\)\.$/.test(message), `unexpected toast "${message}"`);
      await progressGone(page, 'Cancelling archon-fix-github-issue (');
      await page.mouse.move(900, 400);
      await screenshot(page, 'cancel-toast.png');

      const short = /\(([0-9a-f]{8})\)/.exec(message)[1];
      const run = cliRunByShortId(db, short);
      assert(run.workflowName === 'archon-fix-github-issue', `run ${short} is ${run.workflowName}`);
      assert(run.status === 'cancelled', `the CLI says run ${short} is ${run.status}, not cancelled`);
      log(`CLI: ${run.id} is ${run.status}`);

      // The tree follows: the row leaves Running.
      await row.waitFor({ state: 'detached', timeout: WAIT });
    });

    // 4. resume a failed run from the command palette
    await check('4. Resume Run… from the palette claims the failed run', 45000, async () => {
      assert(page, 'no workbench (step 2 failed)');
      await clearToasts(page);
      await palette(page, 'Workflow Runs: Resume Run…');
      const item = page.locator('.quick-input-widget .quick-input-list .monaco-list-row')
        .filter({ hasText: 'archon-smart-pr-review' })
        .filter({ hasText: 'failed' });
      await item.first().waitFor({ state: 'visible', timeout: WAIT });
      assert((await item.count()) === 1, `${await item.count()} quick-pick items for the failed archon-smart-pr-review`);
      const itemText = (await item.textContent()) || '';
      const picked = /([0-9a-f]{8}) — /.exec(itemText); // the detail: short id — error
      assert(picked, `no short id in the quick-pick item "${itemText}"`);
      await item.click();

      const message = await toast(page, 'Claimed archon-smart-pr-review (');
      assert(message.startsWith('Claimed archon-smart-pr-review (') && message.includes('it is now running'), `unexpected toast "${message}"`);
      const short = /\(([0-9a-f]{8})\)/.exec(message);
      assert(short, `no short id in the toast "${message}"`);
      assert(short[1] === picked[1], `the toast names ${short[1]} but the picked item was ${picked[1]}`);
      await progressGone(page, 'Resuming archon-smart-pr-review (');
      await page.mouse.move(900, 400);
      await screenshot(page, 'resume-toast.png');

      const run = cliRunByShortId(db, short[1]);
      assert(run.workflowName === 'archon-smart-pr-review', `run ${short[1]} is ${run.workflowName}`);
      assert(run.status === 'running', `the CLI says run ${short[1]} is ${run.status}, not running`);
      log(`CLI: ${run.id} is ${run.status}`);
    });

    // 5. a run's tooltip (best effort: hovers may not render headless)
    await check('5. run tooltip screenshot', 30000, async () => {
      assert(page, 'no workbench (step 2 failed)');
      await clearToasts(page);
      const row = page.locator('.part.sidebar .monaco-list-row[role="treeitem"][aria-label^="archon-interactive-prd, paused, "]');
      await row.waitFor({ state: 'visible', timeout: WAIT });
      await row.click();
      const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'archon-interactive-prd' });
      let shown = false;
      for (let i = 0; i < 3 && !shown; i++) {
        const box = await row.locator('.label-name').boundingBox();
        await page.mouse.move(900, 700);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
        shown = await hover.first().waitFor({ state: 'visible', timeout: 4000 }).then(() => true, () => false);
      }
      if (shown) await sleep(300);
      await screenshot(page, 'tooltip.png');
      log(shown ? 'the tooltip rendered' : 'NOTE: the tooltip did not render (headless); the screenshot shows the selected row only');
    });

    // 6. Approve… from a gate's context menu: the stand-in archon records what it was run with
    await check("6. Approve… from a gate's context menu hands the typed comment to Archon's CLI", 45000, async () => {
      assert(page, 'no workbench (step 2 failed)');
      await clearToasts(page);
      const row = page.locator('.part.sidebar .monaco-list-row[role="treeitem"][aria-label^="archon-interactive-prd, paused, "]');
      await row.waitFor({ state: 'visible', timeout: WAIT });
      const description = (await row.locator('.label-description').textContent()).trim();
      assert(description.startsWith('The foundation answers are in.'), `the row shows the gate's question, not "${description}"`);
      await row.click({ button: 'right' });
      const approve = page.getByRole('menuitem', { name: 'Approve…' });
      await approve.waitFor({ state: 'visible', timeout: WAIT });
      await page.getByRole('menuitem', { name: 'Respond…' }).waitFor({ state: 'visible', timeout: 5000 });
      await screenshot(page, 'gate-menu.png');
      await approve.click();
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: WAIT });
      const comment = 'Go on — "narrow" it to the sync engine; keep $(HOME) out';
      await input.fill(comment);
      await page.keyboard.press('Enter');
      const message = await toast(page, 'handed to Archon');
      assert(/^archon-interactive-prd \([0-9a-f]{8}\): handed to Archon, which resolves the gate and continues the run in the terminal/.test(message), `unexpected toast "${message}"`);
      await page.mouse.move(900, 400);
      await screenshot(page, 'approve-toast.png');
      const until = Date.now() + WAIT;
      while (!archon.calls().length && Date.now() < until) await sleep(200);
      const [call] = archon.calls();
      assert(call, 'archon was not run');
      const run = cliRuns(db).find((r) => r.workflowName === 'archon-interactive-prd');
      const expected = JSON.stringify(['workflow', 'approve', '--', run.id, comment]);
      assert(JSON.stringify(call.argv) === expected, `archon got ${JSON.stringify(call.argv)}, not ${expected}`);
      assert(call.cwd === fs.realpathSync(path.join(tmp, 'widgets')), `archon ran in ${call.cwd}`);
      log(`archon ${JSON.stringify(call.argv)} in ${call.cwd}`);
      assert(run.status === 'paused', 'the extension itself wrote nothing');
    });

    // 7. a run fails in another process: a notification, whose Reveal in Tree selects it
    await check('7. a failure in another process is notified within 2 s, and Reveal in Tree selects the run', 45000, async () => {
      assert(page, 'no workbench (step 2 failed)');
      await clearToasts(page);
      const run = cliRuns(db).find((r) => r.workflowName === 'archon-validate-pr' && r.status === 'running');
      assert(run, 'no running archon-validate-pr in the demo');
      const t0 = Date.now();
      commitElsewhere(db, `UPDATE remote_agent_workflow_runs SET status = 'failed', completed_at = datetime('now'), metadata = json_set(metadata, '$.error', 'lint: 3 errors in src/sync.ts') WHERE id = '${run.id}'`);
      const item = page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'archon-validate-pr' }).filter({ hasText: 'failed' }).last();
      await item.waitFor({ state: 'visible', timeout: 2000 });
      log(`notified ${Date.now() - t0} ms after the commit`);
      const text = (await item.locator('.notification-list-item-message').textContent()).trim();
      assert(text === `archon-validate-pr (${run.id.slice(0, 8)}) failed: lint: 3 errors in src/sync.ts`, `unexpected toast "${text}"`);
      await sleep(300);
      await screenshot(page, 'notification.png');
      await item.getByRole('button', { name: 'Reveal in Tree' }).click();
      const selected = page.locator(`.part.sidebar .monaco-list-row[role="treeitem"][aria-selected="true"][aria-label^="archon-validate-pr, failed, "]`);
      await selected.waitFor({ state: 'visible', timeout: WAIT });
    });

    // 8. the status bar: what runs and what waits on the person
    await check('8. the status bar counts what runs and what waits for approval', 30000, async () => {
      assert(page, 'no workbench (step 2 failed)');
      await clearToasts(page);
      const item = page.locator('.statusbar-item').filter({ hasText: 'awaiting approval' });
      await item.waitFor({ state: 'visible', timeout: WAIT });
      const text = (await item.textContent()).trim();
      assert(/^\d+ running\s+\d+ awaiting approval$|^\d+ awaiting approval$/.test(text), `unexpected status bar text "${text}"`);
      log(`status bar: ${text}`);
      await screenshot(page, 'statusbar.png');
    });
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
}

function summary() {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  for (const r of results.filter((x) => !x.ok)) console.log(`failed: ${r.name}\n${r.detail.replace(/^/gm, '  ')}`);
  console.log(`e2e: ${passed} passed, ${failed} failed, 0 skipped`);
  return failed;
}

main().then(
  () => process.exit(summary() === 0 && results.length === STEPS ? 0 : 1),
  (err) => {
    results.push({ name: 'e2e script', ok: false, detail: err && err.stack ? err.stack : String(err) });
    process.exit(summary() === 0 ? 0 : 1);
  },
);
