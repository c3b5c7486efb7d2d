// A throwaway PostgreSQL server for the tests, from Debian's `postgresql` package: initdb into a
// temporary folder as the `postgres` user (the server refuses to run as root), password
// authentication, listening on loopback only on a free port, optionally with TLS (a self-signed
// certificate). stop() ends it and removes the folder; so does this process's exit.
//   const pg = await startPostgres({ ssl: true }); ... pg.url ...; await pg.stop();
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('../host/session');

const USER = 'archon';
const DATABASE = 'archon';

/** The newest installed server's programs (Debian keeps them out of PATH). */
function binDir() {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('no PostgreSQL server is installed (Debian package postgresql; scripts/host/install.sh installs it)');
  return path.join(base, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

const running = new Set();
process.on('exit', () => {
  for (const stop of running) stop();
});

async function startPostgres({ ssl = false, password = 'archon-test-password' } = {}) {
  const bin = binDir();
  const asRoot = process.getuid && process.getuid() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wr-postgres-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const run = (program, args) => {
    const argv = asRoot ? ['-u', 'postgres', '--', path.join(bin, program), ...args] : args;
    const r = spawnSync(asRoot ? 'runuser' : path.join(bin, program), argv, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${program} failed: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const own = (file) => asRoot && execFileSync('chown', ['-R', 'postgres:postgres', file]);
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  own(dir);
  run('initdb', ['-D', data, '-U', USER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync']);
  fs.rmSync(pwfile);
  const port = await freePort();
  const conf = [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, 'fsync = off', "log_min_messages = 'warning'"];
  if (ssl) {
    execFileSync('openssl', ['req', '-new', '-x509', '-days', '2', '-nodes', '-subj', '/CN=127.0.0.1', '-out', path.join(data, 'server.crt'), '-keyout', path.join(data, 'server.key')], { stdio: 'ignore' });
    fs.chmodSync(path.join(data, 'server.key'), 0o600);
    own(data);
    conf.push('ssl = on');
  }
  fs.appendFileSync(path.join(data, 'postgresql.conf'), conf.join('\n') + '\n');
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    running.delete(stopSync);
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    } catch {
      // already down
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  running.add(stopSync);
  try {
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    const createdb = spawnSync(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', USER, DATABASE], { env: { ...process.env, PGPASSWORD: password }, encoding: 'utf8' });
    if (createdb.status !== 0) throw new Error(`createdb failed: ${createdb.stderr}`);
  } catch (err) {
    const log = path.join(dir, 'server.log');
    const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : '';
    stopSync();
    throw new Error(`${err.message}\n${tail}`);
  }
  const url = (overrides = {}) => {
    const o = { user: USER, password, host: '127.0.0.1', port, database: DATABASE, query: ssl ? 'sslmode=no-verify' : 'sslmode=disable', ...overrides };
    return `postgres://${encodeURIComponent(o.user)}:${encodeURIComponent(o.password)}@${o.host}:${o.port}/${o.database}${o.query ? `?${o.query}` : ''}`;
  };
  return {
    port,
    password,
    /** A connection URL; `overrides` change a part of it (a wrong password, another port, the TLS mode). */
    url,
    stop: async () => stopSync(),
  };
}

module.exports = { startPostgres, binDir };
