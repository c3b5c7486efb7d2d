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
