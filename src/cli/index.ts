import { setFlagsFromString } from 'node:v8';
import { EXIT, main } from './main';

// One command runs a few queries once: V8's baseline WebAssembly code (Liftoff) does that best.
// Without this flag Node compiles all of sql.js with its optimizing compiler first, which the
// command waits for (about 200 ms on Node 20). Only this process is affected.
setFlagsFromString('--liftoff-only');

// node:sqlite prints an ExperimentalWarning on some Node versions; it is noise for a CLI.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});

// A reader that stops early (`list | head -1`) closes the pipe: what is left to print is dropped,
// and the command's own exit code stands. Without a listener Node would throw EPIPE with a stack.
// Any other failure to write (a full disk) is said once, and the exit code is 1.
let stdoutFailed = false;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (!stdoutFailed && err.code !== 'EPIPE') {
    process.stderr.write(`workflow-runs: cannot write the output (${err.code ?? err.message}).\n`);
    process.exitCode = EXIT.error;
  }
  stdoutFailed = true;
});

main(process.argv.slice(2), {
  out: (text) => void (stdoutFailed || process.stdout.write(text + '\n')),
  err: (text) => process.stderr.write(text + '\n'),
}).then((code) => {
  process.exitCode ||= code;
});
