import * as fs from 'node:fs';
import * as path from 'node:path';

function runnable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The executable a command names: a path (with a separator) as it is, a bare name looked up on
 * `PATH` (with `PATHEXT` on Windows). Undefined when there is none, so the caller can say what to
 * do instead of letting a process fail to start.
 */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | undefined {
  // On Windows a file runs only by an extension in PATHEXT; the script without one that npm puts
  // beside its `.cmd` must not be taken for the program.
  const pathext = (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  const named = pathext.some((ext) => command.toLowerCase().endsWith(ext.toLowerCase()));
  const extensions = platform !== 'win32' ? [''] : named ? [''] : pathext;
  if (command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    return extensions.map((ext) => command + ext).find(runnable);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const found = extensions.map((ext) => path.join(dir, command + ext)).find(runnable);
    if (found) return found;
  }
  return undefined;
}

/**
 * Windows runs a `.cmd` or `.bat` file through cmd.exe, which reads `&`, `|`, `%` and more in its
 * arguments however they are quoted: database text must never reach one.
 */
export function runsThroughCmd(file: string, platform = process.platform): boolean {
  return platform === 'win32' && /\.(cmd|bat)$/i.test(file);
}
