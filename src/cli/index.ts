import { setFlagsFromString } from 'node:v8';
import { EXIT, main } from './main';
import { SyncOutput } from './output';

// One command runs a few queries once: V8's baseline WebAssembly code (Liftoff) does that best.
// Without this flag Node compiles all of sql.js with its optimizing compiler first, which the
// command waits for (about 200 ms on Node 20). Only this process is affected.
setFlagsFromString('--liftoff-only');

// node:sqlite prints an ExperimentalWarning on some Node versions; it is noise for a CLI.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});

// Output is written synchronously (see SyncOutput): a long listing is printed as it is read.
const stdout = new SyncOutput(1);

main(process.argv.slice(2), {
  write: (text) => stdout.write(text),
  out: (text) => stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
}).then((code) => {
  process.exitCode = stdout.failed ? EXIT.error : code;
});
