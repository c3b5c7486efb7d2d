// A stand-in for Archon's CLI in tests: records each call's arguments and working folder as a
// JSON line, and exits with the given code. It never stands in for Archon anywhere else.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Writes `<dir>/archon`; `calls()` reads back what it was run with. */
function stubArchon(dir, exitCode = 0) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'archon');
  const log = path.join(dir, 'calls.jsonl');
  fs.writeFileSync(
    file,
    `#!/usr/bin/env node\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd() }) + '\\n');\nprocess.exitCode = ${exitCode};\n`,
    { mode: 0o755 },
  );
  return {
    path: file,
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
  };
}

module.exports = { stubArchon };
