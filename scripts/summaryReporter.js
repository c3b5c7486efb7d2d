// Mocha reporter: the spec output people read, then one plain line CI reads:
// "<label>: N passed, N failed, N skipped" (label from WR_SUITE_LABEL).
'use strict';
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const label = process.env.WR_SUITE_LABEL || 'unit';
    runner.once('end', () => {
      const s = runner.stats;
      console.log(`${label}: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
    });
  }
}

module.exports = SummaryReporter;
