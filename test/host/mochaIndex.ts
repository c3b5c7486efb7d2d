/**
 * Mocha inside the real extension host. Output goes through console.log, which the runner relays;
 * it ends with one plain line CI reads: "<label>: N passed, N failed, N skipped".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function runSuite(label: string, dir: string): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 30000, color: false, reporter: 'spec' });
  for (const file of fs.readdirSync(dir).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(dir, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats!;
      console.log(`${label}: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
      if (failures > 0 || s.passes === 0) reject(new Error(`${failures} ${label} tests failed (${s.passes} passed)`));
      else resolve();
    });
  });
}
