#!/usr/bin/env node
// `npm run package`: a .vsix with the production bundle, the sql.js WebAssembly and nothing else
// it doesn't need (.vscodeignore is an allow-list).  node scripts/package.js [--out FILE]
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const manifest = require(path.join(root, 'package.json'));
const i = process.argv.indexOf('--out');
const out = path.resolve(i >= 0 ? process.argv[i + 1] : path.join(root, `${manifest.name}-${manifest.version}.vsix`));
const vsce = require.resolve('@vscode/vsce/vsce');
// The bundle has no runtime dependencies left to ship: sql.js is bundled and its .wasm copied to dist/.
const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
