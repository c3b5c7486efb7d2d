/** A tiny argument parser: one command, positionals, `--flag value` / `--flag=value` options, booleans. */
export interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], booleanFlags: string[]): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (booleanFlags.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
    } else if (eq >= 0) {
      options.set(name, arg.slice(eq + 1));
    } else {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    }
  }
  return { command: positionals.shift(), positionals, options, flags };
}
