import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, REPO_ROOT, tempDir } from '../support/fixtures';

/** Names of the entries of a zip file, read from its central directory. */
function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50);
    const nameLength = buf.readUInt16LE(at + 28);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return names.sort();
}

describe('npm run package', function () {
  this.timeout(120000);
  after(cleanupTempDirs);

  it('produces a .vsix with the bundle and the sql.js wasm, and no sources, tests or node_modules', () => {
    const out = path.join(tempDir(), 'workflow-runs.vsix');
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.js'), '--out', out], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const entries = zipEntries(out).filter((e) => e.startsWith('extension/'));
    assert.deepEqual(entries, [
      'extension/LICENSE.txt',
      'extension/changelog.md',
      'extension/dist/extension.js',
      'extension/dist/readerWorker.js',
      'extension/dist/sql-wasm.wasm',
      'extension/media/icon.png',
      'extension/media/runs.svg',
      'extension/package.json',
      'extension/package.nls.json',
      'extension/readme.md',
    ]);
  });
});
