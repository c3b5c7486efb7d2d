import * as fs from 'node:fs/promises';
import { Composer, type CST, isNode, Lexer, Parser, visit } from 'yaml';
import { messageOf } from '../model/errors';

/**
 * Workflow YAML is written by whoever wrote the repository a run came from: it is parsed as
 * untrusted input. The `yaml` package parses it (it never executes anything), within these caps:
 * - the file's size, checked before it is read whole;
 * - how deep collections nest, checked while the parser reads, before anything is built (the
 *   composer recurses per level, and a few thousand nested `[` exhaust the stack; near that limit
 *   V8 may even abort the process instead of throwing);
 * - alias expansion (`maxAliasCount`: a "billion laughs" file is refused, not expanded);
 * - no tags but YAML's core ones (`!!str`, `!!int`, …): no custom tags, no `!!binary`, `!!set`,
 *   `!!timestamp` or `!!js/…`.
 * Nothing here throws: every failure is a reason.
 */
export interface YamlLimits {
  maxBytes: number;
  maxDepth: number;
  maxAliasCount: number;
}

export const YAML_LIMITS: YamlLimits = { maxBytes: 1024 * 1024, maxDepth: 64, maxAliasCount: 100 };

export type YamlResult = { ok: true; value: unknown } | { ok: false; reason: string };

const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

function fail(reason: string): YamlResult {
  return { ok: false, reason };
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * The parser's token tree, given lexeme by lexeme so that nesting deeper than `maxDepth` is refused
 * as soon as the parser's stack (the document and the collections open at this point) grows past it.
 */
function tokensOf(text: string, maxDepth: number): CST.Token[] | undefined {
  const parser = new Parser();
  const tokens: CST.Token[] = [];
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > maxDepth) return undefined;
  }
  for (const token of parser.end()) tokens.push(token);
  return tokens;
}

/** The 1-based line of an offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parses one YAML document of untrusted text into plain JSON-like values, or says why not. */
export function parseUntrustedYaml(text: string, limits: YamlLimits = YAML_LIMITS): YamlResult {
  try {
    const bytes = Buffer.byteLength(text);
    if (bytes > limits.maxBytes) return fail(`it is ${sizeText(bytes)}, above the ${sizeText(limits.maxBytes)} limit for workflow YAML`);
    const tokens = tokensOf(text, limits.maxDepth);
    if (!tokens) return fail(`it nests collections more than ${limits.maxDepth} levels deep`);
    const docs = Array.from(new Composer({ schema: 'core', customTags: [], merge: true, uniqueKeys: true, prettyErrors: false }).compose(tokens));
    if (docs.length !== 1) return fail(docs.length ? 'it holds several YAML documents' : 'it is empty');
    const [doc] = docs;
    const error = doc.errors[0];
    if (error) return fail(`line ${lineOf(text, error.pos[0])}: ${error.message.split('\n')[0]}`);
    let tag: string | undefined;
    visit(doc, {
      Node(_key, node) {
        if (isNode(node) && node.tag && !CORE_TAGS.has(node.tag)) {
          tag = node.tag;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    if (tag) return fail(`it uses the tag ${tag.replace('tag:yaml.org,2002:', '!!')}, and only YAML's core tags are allowed`);
    return { ok: true, value: doc.toJS({ maxAliasCount: limits.maxAliasCount }) };
  } catch (err) {
    // toJS refuses excessive alias expansion by throwing; anything else unexpected ends here too.
    return fail(messageOf(err));
  }
}

/** Reads and parses a YAML file, refusing one above the size limit before reading it whole. */
export async function readUntrustedYaml(file: string, limits: YamlLimits = YAML_LIMITS): Promise<YamlResult> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    if (size > limits.maxBytes) return fail(`it is ${sizeText(size)}, above the ${sizeText(limits.maxBytes)} limit for workflow YAML`);
    // Read at most one byte past the limit, in case the file grew since stat.
    const buffer = Buffer.alloc(Math.min(size, limits.maxBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return parseUntrustedYaml(buffer.subarray(0, bytesRead).toString('utf8'), limits);
  } catch (err) {
    return fail(`it cannot be read (${messageOf(err)})`);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
