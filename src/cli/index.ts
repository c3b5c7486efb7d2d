import { main } from './main';

// node:sqlite prints an ExperimentalWarning on some Node versions; it is noise for a CLI.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
}).then((code) => {
  process.exitCode = code;
});
