import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { archonHome, locateDatabase, readDotEnv } from '../../src/core/archon/databaseLocation';
import { cleanupTempDirs, tempDir } from '../support/fixtures';

describe('locating the database', () => {
  after(cleanupTempDirs);

  it('follows Archon: Docker, then ARCHON_HOME (tilde expanded), then ~/.archon', () => {
    assert.equal(archonHome({ ARCHON_DOCKER: 'true', ARCHON_HOME: '/x' }).dir, '/.archon');
    assert.equal(archonHome({ WORKSPACE_PATH: '/workspace' }).dir, '/.archon');
    assert.equal(archonHome({ HOME: '/root', WORKSPACE_PATH: '/srv/w' }).dir, '/.archon');
    assert.equal(archonHome({ ARCHON_HOME: '~/data/archon' }).dir, path.join(os.homedir(), 'data', 'archon'));
    assert.equal(archonHome({}).dir, path.join(os.homedir(), '.archon'));
    assert.equal(locateDatabase({ env: { ARCHON_HOME: '/opt/a' } }).dbPath, path.join('/opt/a', 'archon.db'));
  });

  it('an explicit path wins and is not checked for PostgreSQL', () => {
    const loc = locateDatabase({ explicitPath: '~/x.db', env: { DATABASE_URL: 'postgres://x' } });
    assert.equal(loc.dbPath, path.join(os.homedir(), 'x.db'));
    assert.equal(loc.postgresConfiguredIn, undefined);
  });

  it('notices DATABASE_URL in the environment, <ARCHON_HOME>/.env or <cwd>/.archon/.env', () => {
    const home = tempDir();
    const cwd = tempDir();
    assert.equal(locateDatabase({ env: { ARCHON_HOME: home }, cwd }).postgresConfiguredIn, undefined);
    assert.match(locateDatabase({ env: { ARCHON_HOME: home, DATABASE_URL: 'postgres://x' }, cwd }).postgresConfiguredIn!, /environment/);
    fs.mkdirSync(path.join(cwd, '.archon'));
    fs.writeFileSync(path.join(cwd, '.archon', '.env'), '# db\nexport DATABASE_URL=postgres://h/db # prod\n');
    assert.equal(locateDatabase({ env: { ARCHON_HOME: home }, cwd }).postgresConfiguredIn, path.join(cwd, '.archon', '.env'));
    fs.writeFileSync(path.join(home, '.env'), 'DATABASE_URL=\nOTHER=1\n');
    assert.equal(locateDatabase({ env: { ARCHON_HOME: home } }).postgresConfiguredIn, undefined, 'an empty value means SQLite');
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
    assert.equal(locateDatabase({ explicitPath: path.join(dir, 'link.db') }).dbPath, fs.realpathSync(path.join(dir, 'archon.db')));
    fs.symlinkSync(dir, path.join(dir, 'home'));
    assert.equal(locateDatabase({ env: { ARCHON_HOME: path.join(dir, 'home') } }).dbPath, fs.realpathSync(path.join(dir, 'archon.db')));
    assert.equal(locateDatabase({ explicitPath: path.join(dir, 'none.db') }).dbPath, path.join(dir, 'none.db'));
  });
});
