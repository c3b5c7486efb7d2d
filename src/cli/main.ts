import { archonHomeOf, locateDatabase } from '../core/archon/databaseLocation';
import type { DatabaseTarget, RunsReader } from '../core/database';
import { printable } from '../core/model/displayText';
import { isProblem, messageOf } from '../core/model/errors';
import type { OperationResult } from '../core/model/operations';
import { MIN_ID_PREFIX, type RunHistory } from '../core/model/runModel';
import { openReader, openWriter } from '../core/openDatabase';
import type { GuardChoice } from '../core/sqlite/readGuards/readGuard';
import type { GuardOptions } from '../core/sqlite/readGuards/selectReadGuard';
import type { EngineChoice } from '../core/sqlite/writers/writer';
import { type CommandSpec, parseArgs, type ParsedArgs, UsageError } from './args';
import { detailsHead, eventLine, listFooter, listHeading, listLine } from './format';
import { JsonArray, nestedJson } from './jsonOutput';

const USAGE = `workflow-runs: browse, resume and cancel Archon workflow runs

  workflow-runs list   [DATABASE] [--status S,S] [--text T] [--folder DIR] [--limit N] [--offset N] [--json]
  workflow-runs show   ID [DATABASE] [--events N|all] [--json]
  workflow-runs resume ID [DATABASE] [--engine auto|node-sqlite|sqlite3] [--sqlite3 PATH] [--json]
  workflow-runs cancel ID [DATABASE] [--engine auto|node-sqlite|sqlite3] [--sqlite3 PATH] [--json]

DATABASE is --db PATH (a SQLite file) or --database-url URL (PostgreSQL). Without either, the
database is Archon's own: PostgreSQL when DATABASE_URL is set (in the environment,
$ARCHON_HOME/.env or ./.archon/.env), else $ARCHON_HOME/archon.db, else ~/.archon/archon.db.
On SQLite every command also takes --guard auto|node-sqlite|sqlite3|none: how reads are guarded
against checkpoints (a read transaction in node:sqlite or the sqlite3 shell, --sqlite3 PATH);
none reads without one, checking and retrying for up to 2 s.
ID is a full run id or a unique prefix of at least ${MIN_ID_PREFIX} characters (one that begins with -- goes after --).
An option the command does not take, an empty --db, --database-url, --sqlite3 or --folder, an option
given twice or an extra argument is a usage error: nothing is read or written.
Resume only claims the run (status -> running) so nothing else can resume it; it starts no work.
To have Archon continue a run, use \`archon workflow resume ID\` instead of this tool's resume.
Exit codes: 0 done, 2 usage, 3 not resumable / nothing to cancel, 4 not found, 5 busy,
6 no safe writer, 1 any other error.`;

const DATABASE_OPTIONS = ['db', 'database-url', 'guard', 'sqlite3'];

const COMMANDS: Record<string, CommandSpec> = {
  list: { positionals: 0, options: [...DATABASE_OPTIONS, 'status', 'text', 'folder', 'limit', 'offset'], flags: [] },
  show: { positionals: 1, options: [...DATABASE_OPTIONS, 'events'], flags: [] },
  resume: { positionals: 1, options: [...DATABASE_OPTIONS, 'engine'], flags: [] },
  cancel: { positionals: 1, options: [...DATABASE_OPTIONS, 'engine'], flags: [] },
  help: { positionals: 0, options: [], flags: [] },
};

export const EXIT = { ok: 0, error: 1, usage: 2, noop: 3, notFound: 4, busy: 5, noWriter: 6 } as const;

interface Output {
  /** Text as it is; `out` and `err` end it with a line break. */
  write(text: string): void;
  out(text: string): void;
  err(text: string): void;
}

/** The events `show` prints by default: the newest. */
const SHOWN_EVENTS = 200;

/** A failure the command reports itself: its exit code, and the code its JSON error names. */
class Failure extends Error {
  constructor(
    readonly exit: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The database the arguments (or Archon's own settings) name. */
function targetOf(args: ParsedArgs): DatabaseTarget {
  if (args.options.has('db') && args.options.has('database-url')) throw new UsageError('give --db or --database-url, not both');
  return locateDatabase({ explicitPath: args.options.get('db'), databaseUrl: args.options.get('database-url'), cwd: process.cwd() });
}

/** The database's reads, in this thread (a one-shot command has nothing else to do). */
function readerOf(args: ParsedArgs, target: DatabaseTarget): RunsReader {
  return openReader(target, { snapshot: guardOf(args), thread: false });
}

/** How reads are guarded: `--guard` (auto by default), with `--sqlite3` for the shell. */
function guardOf(args: ParsedArgs): GuardOptions {
  const guard = (args.options.get('guard') ?? 'auto') as GuardChoice;
  if (!['auto', 'node-sqlite', 'sqlite3', 'none'].includes(guard)) throw new UsageError('--guard must be auto, node-sqlite, sqlite3 or none');
  return { guard, sqlite3Path: args.options.get('sqlite3') };
}

function positiveInt(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number`);
  // Above this a number is no longer exact, and past 2^63 no database takes it.
  if (!Number.isSafeInteger(Number(raw))) throw new UsageError(`--${name} must be at most ${Number.MAX_SAFE_INTEGER}`);
  return Number(raw);
}

function requireId(args: ParsedArgs): string {
  const id = args.positionals[0];
  if (!id) throw new UsageError(`${args.command} takes exactly one run ID`);
  return id;
}

/** Turns an ID or prefix into a full id, or fails: unknown or too short 4, ambiguous 2. */
async function resolveId(reader: RunsReader, input: string): Promise<string> {
  const resolution = (await reader.read('resolveId', input)).value;
  switch (resolution.kind) {
    case 'found':
      return resolution.id;
    case 'not-found':
      throw new Failure(EXIT.notFound, 'not-found', `No run with id or prefix "${input}".`);
    case 'too-short':
      throw new Failure(EXIT.notFound, 'not-found', `No run with id "${input}" (a prefix needs at least ${MIN_ID_PREFIX} characters).`);
    case 'ambiguous':
      throw new Failure(EXIT.usage, 'ambiguous', `"${input}" matches several runs (${resolution.matches.join(', ')}); give more characters.`);
  }
}

/** Prints the runs as they are read: a list of any length is held a batch at a time. */
async function list(args: ParsedArgs, io: Output, reader: RunsReader): Promise<number> {
  const filter = {
    statuses: args.options.get('status')?.split(',').map((s) => s.trim()).filter(Boolean),
    text: args.options.get('text'),
    folders: args.options.has('folder') ? [args.options.get('folder')!] : undefined,
  };
  const limit = positiveInt(args, 'limit', 50);
  const page = { ...filter, limit: limit === 0 ? undefined : limit, offset: positiveInt(args, 'offset', 0) };
  if (args.flags.has('json')) {
    const runs = new JsonArray((text) => io.write(text));
    await reader.stream('listRuns', page, (batch) => runs.add(batch));
    runs.end();
    io.write('\n');
    return EXIT.ok;
  }
  let listed = 0;
  io.out(listHeading());
  await reader.stream('listRuns', page, (batch) => {
    listed += batch.length;
    if (batch.length) io.out(batch.map(listLine).join('\n'));
  });
  io.out(listFooter(listed, (await reader.read('counts', filter)).value));
  return EXIT.ok;
}

/** How many events `show` prints: `--events N`, `--events all`, or the newest `SHOWN_EVENTS`. */
function eventsOf(args: ParsedArgs): number | 'all' {
  const raw = args.options.get('events');
  if (raw !== undefined && raw !== 'all' && !/^\d+$/.test(raw)) throw new UsageError('--events must be a whole number or all');
  return raw === 'all' ? 'all' : positiveInt(args, 'events', SHOWN_EVENTS);
}

/** Prints a run and then its events as they are read: all of a million events are held a batch at a time. */
async function show(args: ParsedArgs, io: Output, target: DatabaseTarget, reader: RunsReader): Promise<number> {
  const id = await resolveId(reader, requireId(args));
  const shown = eventsOf(args);
  const graph = (await reader.read('graph', { runId: id, home: archonHomeOf(target) })).value;
  if (!graph) throw new Failure(EXIT.notFound, 'not-found', `Run ${id} no longer exists.`);
  const json = args.flags.has('json');
  let events: JsonArray | undefined;
  let head: Omit<RunHistory, 'events'> | undefined;
  const found = await reader.stream('history', { id, events: shown }, (part) => {
    if ('head' in part) {
      head = part.head;
      if (!json) return io.out(detailsHead(head.run, head.children, head.eventCount, shown, graph));
      // The fields of `JSON.stringify({ run, events, eventCount, children, graph, nodes }, null, 2)`, events as they come.
      io.write(`{\n  "run": ${nestedJson(head.run, '  ')},\n  "events": `);
      events = new JsonArray((text) => io.write(text), '  ');
    } else if (json) events!.add(part.events);
    else if (part.events.length) io.out(part.events.map(eventLine).join('\n'));
  });
  if (!found) throw new Failure(EXIT.notFound, 'not-found', `Run ${id} no longer exists.`);
  if (json) {
    events!.end();
    io.out(`,\n  "eventCount": ${head!.eventCount},\n  "children": ${nestedJson(head!.children, '  ')},\n  "graph": ${nestedJson(graph.graph, '  ')},\n  "nodes": ${nestedJson(graph.nodes, '  ')}\n}`);
  }
  return EXIT.ok;
}

const MESSAGES: Record<string, (r: OperationResult<string>) => string> = {
  resumed: (r) => `Claimed run ${r.runId}: it is now running and nothing else can resume it. A claim starts no work (Archon's own resume, \`archon workflow resume\`, claims and executes an unclaimed run).`,
  cancelled: (r) => `Cancelled run ${r.runId}.`,
  'not-resumable': (r) => `Run ${r.runId} is not resumable (status: ${r.status}); nothing changed.`,
  'nothing-to-cancel': (r) => `Nothing to cancel: run ${r.runId} is already ${r.status}; nothing changed.`,
  'not-found': (r) => `Run ${r.runId} was not found; nothing changed.`,
  busy: () => 'The database is busy (another process holds its write lock); nothing changed. Retry.',
  uncertain: (r) => `${r.detail} Run ${r.runId} is now ${r.status ?? 'of unknown status'}; check it before trying again.`,
};

const CODES: Record<string, number> = {
  resumed: EXIT.ok,
  cancelled: EXIT.ok,
  'not-resumable': EXIT.noop,
  'nothing-to-cancel': EXIT.noop,
  'not-found': EXIT.notFound,
  busy: EXIT.busy,
  uncertain: EXIT.error,
};

async function write(args: ParsedArgs, io: Output, target: DatabaseTarget, reader: RunsReader, operation: 'resume' | 'cancel'): Promise<number> {
  const engine = (args.options.get('engine') ?? 'auto') as EngineChoice;
  if (!['auto', 'node-sqlite', 'sqlite3'].includes(engine)) throw new UsageError('--engine must be auto, node-sqlite or sqlite3');
  const input = requireId(args);
  // A full id goes straight to the compare-and-swap, which reports "not found" itself; a prefix is
  // resolved first. Either way the write names exactly one id.
  const id = input.length >= 32 ? input : await resolveId(reader, input);
  const writer = await openWriter(target, { engine, sqlite3Path: args.options.get('sqlite3') });
  try {
    const result = await writer[operation](id);
    if (args.flags.has('json')) io.out(JSON.stringify(result));
    else (CODES[result.outcome] === EXIT.ok ? io.out : io.err)(printable(MESSAGES[result.outcome](result)));
    return CODES[result.outcome];
  } finally {
    writer.dispose();
  }
}

const EXIT_FOR_PROBLEM: Partial<Record<string, number>> = { 'no-writer': EXIT.noWriter, busy: EXIT.busy, usage: EXIT.usage, 'no-database': EXIT.error };

export async function main(argv: string[], io: Output): Promise<number> {
  try {
    const args = parseArgs(argv, COMMANDS, ['json', 'help']);
    if (args.flags.has('help') || args.command === 'help' || args.command === undefined) {
      (args.command === undefined && !args.flags.has('help') ? io.err : io.out)(USAGE);
      return args.command === undefined && !args.flags.has('help') ? EXIT.usage : EXIT.ok;
    }
    if (args.command !== 'list') requireId(args);
    const target = targetOf(args);
    const reader = readerOf(args, target);
    try {
      if (args.command === 'list') return await list(args, io, reader);
      if (args.command === 'show') return await show(args, io, target, reader);
      return await write(args, io, target, reader, args.command as 'resume' | 'cancel');
    } finally {
      reader.dispose();
    }
  } catch (err) {
    const failure = failureOf(err);
    // With --json a script reads the error from stdout too; a person still reads it on stderr.
    if (wantsJson(argv)) io.out(JSON.stringify({ error: { code: failure.code, message: failure.message } }));
    io.err(printable(`workflow-runs: ${failure.message}${failure.code === 'usage' ? '. See --help.' : ''}`));
    return failure.exit;
  }
}

function failureOf(err: unknown): Failure {
  if (err instanceof Failure) return err;
  if (err instanceof UsageError) return new Failure(EXIT.usage, 'usage', err.message);
  if (isProblem(err)) return new Failure(EXIT_FOR_PROBLEM[err.kind] ?? EXIT.error, err.kind, err.message);
  return new Failure(EXIT.error, 'error', messageOf(err));
}

/** Whether the command line asks for JSON, read even when it could not be parsed. */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}
