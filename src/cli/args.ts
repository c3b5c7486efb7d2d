/**
 * A strict argument parser: one command, its positionals, `--name value` / `--name=value` options
 * and boolean flags. Whatever the command does not know is a usage error, so a typo can never send
 * it to another database: an unknown option would otherwise take the next argument as its value.
 * `--` ends the options (a run id may begin with `-`).
 */
export interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

/** What one command accepts. */
export interface CommandSpec {
  positionals: number;
  options: readonly string[];
  flags: readonly string[];
}

export class UsageError extends Error {}

/** Options naming a file, a program or a server: an empty value (an unset shell variable) is a mistake, never "the default". */
const NOT_EMPTY = ['db', 'database-url', 'sqlite3', 'folder'];

export function parseArgs(argv: string[], commands: Record<string, CommandSpec>, globalFlags: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const named: [string, string | undefined][] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const isFlag = globalFlags.includes(name) || Object.values(commands).some((c) => c.flags.includes(name));
    // Checked before anything else, so that an unknown option never takes the next argument.
    if (!isFlag && !Object.values(commands).some((c) => c.options.includes(name))) throw new UsageError(`unknown option --${name}`);
    if (eq >= 0) named.push([name, arg.slice(eq + 1)]);
    else if (isFlag) named.push([name, undefined]);
    else {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      named.push([name, value]);
    }
  }
  const command = positionals.shift();
  if (command !== undefined && !Object.hasOwn(commands, command)) throw new UsageError(`unknown command "${command}"`);
  const spec = command === undefined ? undefined : commands[command];
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (const [name, value] of named) {
    const isFlag = globalFlags.includes(name) || !!spec?.flags.includes(name);
    if (!isFlag && !spec?.options.includes(name)) throw new UsageError(spec ? `${command} has no option --${name}` : `give a command before --${name}`);
    if (isFlag && value !== undefined) throw new UsageError(`--${name} takes no value`);
    if (options.has(name) || flags.has(name)) throw new UsageError(`--${name} is given twice`);
    if (value === undefined) flags.add(name);
    else if (value === '' && NOT_EMPTY.includes(name)) throw new UsageError(`--${name} is empty`);
    else options.set(name, value);
  }
  if (spec && positionals.length > spec.positionals) {
    throw new UsageError(spec.positionals === 0 ? `${command} takes no argument "${positionals[0]}" (a database is --db PATH)` : `${command} takes exactly one run ID`);
  }
  return { command, positionals, options, flags };
}
