import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { archonHome, locateDatabase, readDotEnv } from '../../src/core/archon/databaseLocation';
import type { DatabaseTarget } from '../../src/core/database';
import { cleanupTempDirs, tempDir } from '../support/fixtures';

const sqlitePath = (t: DatabaseTarget) => (t.engine === 'sqlite' ? t.dbPath : assert.fail(`PostgreSQL from ${t.source}`));

describe('locating the database', () => {
  after(cleanupTempDirs);

  it('follows Archon: Docker, then ARCHON_HOME (tilde expanded), then ~/.archon', () => {
    assert.equal(archonHome({ ARCHON_DOCKER: 'true', ARCHON_HOME: '/x' }).dir, '/.archon');
    assert.equal(archonHome({ WORKSPACE_PATH: '/workspace' }).dir, '/.archon');
    assert.equal(archonHome({ HOME: '/root', WORKSPACE_PATH: '/srv/w' }).dir, '/.archon');
    // Archon's isDocker(): root's home counts only together with a workspace path, and any other workspace path only with root's home.
    assert.equal(archonHome({ HOME: '/root' }).dir, path.join(os.homedir(), '.archon'));
    assert.equal(archonHome({ WORKSPACE_PATH: '/srv/w' }).dir, path.join(os.homedir(), '.archon'));
    assert.equal(archonHome({ HOME: '/home/me', WORKSPACE_PATH: '/srv/w', ARCHON_HOME: '/opt/a' }).dir, '/opt/a');
    assert.equal(archonHome({ ARCHON_DOCKER: '1' }).dir, path.join(os.homedir(), '.archon'), "only 'true' says Docker");
    assert.equal(archonHome({ ARCHON_HOME: '~/data/archon' }).dir, path.join(os.homedir(), 'data', 'archon'));
    assert.equal(archonHome({}).dir, path.join(os.homedir(), '.archon'));
    assert.equal(sqlitePath(locateDatabase({ env: { ARCHON_HOME: '/opt/a' } })), path.join('/opt/a', 'archon.db'));
  });

  it('an explicit SQLite path wins over any PostgreSQL setting; an explicit URL over Archon\'s', () => {
    const loc = locateDatabase({ explicitPath: '~/x.db', databaseUrl: 'postgres://a/b', env: { DATABASE_URL: 'postgres://x' } });
    assert.equal(sqlitePath(loc), path.join(os.homedir(), 'x.db'));
    assert.deepEqual(locateDatabase({ databaseUrl: ' postgres://mine/db ', env: { DATABASE_URL: 'postgres://x' } }), { engine: 'postgres', url: 'postgres://mine/db', source: 'explicit URL' });
  });

  it('takes DATABASE_URL from the environment, <ARCHON_HOME>/.env or <cwd>/.archon/.env, as Archon does', () => {
    const home = tempDir();
    const cwd = tempDir();
    assert.equal(locateDatabase({ env: { ARCHON_HOME: home }, cwd }).engine, 'sqlite');
    assert.deepEqual(locateDatabase({ env: { ARCHON_HOME: home, DATABASE_URL: 'postgres://x' }, cwd }), { engine: 'postgres', url: 'postgres://x', source: 'the DATABASE_URL environment variable' });
    fs.mkdirSync(path.join(cwd, '.archon'));
    fs.writeFileSync(path.join(cwd, '.archon', '.env'), '# db\nexport DATABASE_URL=postgres://h/db # prod\n');
    assert.deepEqual(locateDatabase({ env: { ARCHON_HOME: home }, cwd }), { engine: 'postgres', url: 'postgres://h/db', source: path.join(cwd, '.archon', '.env') });
    assert.equal(locateDatabase({ env: { ARCHON_HOME: home } }).engine, 'sqlite', 'without the project folder, its .env is not read');
    fs.writeFileSync(path.join(home, '.env'), 'DATABASE_URL=\nOTHER=1\n');
    assert.equal(locateDatabase({ env: { ARCHON_HOME: home } }).engine, 'sqlite', 'an empty value means SQLite');
  });

  it("when several places set DATABASE_URL, the last Archon loads wins: the project's .archon/.env over <ARCHON_HOME>/.env over the environment", () => {
    const home = tempDir();
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, '.archon'));
    const homeEnv = path.join(home, '.env');
    const projectEnv = path.join(cwd, '.archon', '.env');
    const env = { ARCHON_HOME: home, DATABASE_URL: 'postgres://from-environment/db' };
    const sqlite = path.join(home, 'archon.db');
    fs.writeFileSync(homeEnv, 'DATABASE_URL=postgres://from-home/db\n');
    fs.writeFileSync(projectEnv, 'DATABASE_URL=postgres://from-project/db\n');
    assert.deepEqual(locateDatabase({ env, cwd }), { engine: 'postgres', url: 'postgres://from-project/db', source: projectEnv });
    assert.deepEqual(locateDatabase({ env }), { engine: 'postgres', url: 'postgres://from-home/db', source: homeEnv }, 'over the environment too (dotenv override)');
    fs.writeFileSync(projectEnv, 'OTHER=1\n');
    assert.deepEqual(locateDatabase({ env, cwd }), { engine: 'postgres', url: 'postgres://from-home/db', source: homeEnv }, 'a file that does not set it changes nothing');
    // An empty value is set too: Archon then uses SQLite, and the file that emptied it chose that.
    fs.writeFileSync(projectEnv, 'DATABASE_URL=\n');
    assert.deepEqual(locateDatabase({ env, cwd }), { engine: 'sqlite', dbPath: sqlite, source: projectEnv });
    fs.writeFileSync(homeEnv, 'DATABASE_URL=""\n');
    assert.deepEqual(locateDatabase({ env }), { engine: 'sqlite', dbPath: sqlite, source: homeEnv });
    assert.deepEqual(locateDatabase({ env: { ARCHON_HOME: home, DATABASE_URL: '' } }), { engine: 'sqlite', dbPath: sqlite, source: homeEnv });
    fs.rmSync(homeEnv);
    assert.deepEqual(locateDatabase({ env: { ARCHON_HOME: home, DATABASE_URL: ' ' } }), { engine: 'sqlite', dbPath: sqlite, source: 'ARCHON_HOME' });
  });

  it('reads dotenv quoting and comments', () => {
    const file = path.join(tempDir(), '.env');
    fs.writeFileSync(file, `A='x # y'\nB="q"\nC=plain # note\n  D = spaced \nnot a line\n`);
    assert.deepEqual(readDotEnv(file), { A: 'x # y', B: 'q', C: 'plain', D: 'spaced' });
  });

  it('resolves links to the file SQLite opens, and keeps a path that does not exist', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'archon.db'), '');
    fs.symlinkSync(path.join(dir, 'archon.db'), path.join(dir, 'link.db'));
    assert.equal(sqlitePath(locateDatabase({ explicitPath: path.join(dir, 'link.db') })), fs.realpathSync(path.join(dir, 'archon.db')));
    fs.symlinkSync(dir, path.join(dir, 'home'));
    assert.equal(sqlitePath(locateDatabase({ env: { ARCHON_HOME: path.join(dir, 'home') } })), fs.realpathSync(path.join(dir, 'archon.db')));
    assert.equal(sqlitePath(locateDatabase({ explicitPath: path.join(dir, 'none.db') })), path.join(dir, 'none.db'));
  });
});
