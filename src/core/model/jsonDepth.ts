/**
 * JSON from the database nested deeper than this is cut there: a value that deep cannot be copied
 * to another thread (structured clone recurses, and gives up near 5,000 levels), and nothing
 * Archon writes comes close. Arrays and objects are levels; the top one is level 1.
 */
export const MAX_JSON_DEPTH = 64;

/** What stands where a value nested deeper than `MAX_JSON_DEPTH` was. */
export const TOO_DEEP = `(nested deeper than ${MAX_JSON_DEPTH} levels: not shown)`;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * JSON text with every array or object below `MAX_JSON_DEPTH` replaced by `TOO_DEEP` (as a JSON
 * string), in one pass over the text; the text itself when nothing is that deep. The cut is made
 * before parsing, so a value a million levels deep costs one scan, not a parse. Undefined when a
 * level that deep is never closed (malformed, whatever else the text holds).
 */
export function cutTooDeep(text: string): string | undefined {
  if (text.length <= MAX_JSON_DEPTH) return text;
  const kept: string[] = [];
  let from = 0;
  let depth = 0;
  let cutAt = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string: to the next quote that no backslash escapes.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      // [ or {
      if (++depth === MAX_JSON_DEPTH + 1) cutAt = i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) {
      // ] or }
      if (depth-- === MAX_JSON_DEPTH + 1) {
        kept.push(text.slice(from, cutAt), JSON.stringify(TOO_DEEP));
        from = i + 1;
      }
    }
  }
  if (depth > MAX_JSON_DEPTH) return undefined;
  return from === 0 ? text : kept.join('') + text.slice(from);
}

/** The same cut on a value parsed elsewhere (a driver's own JSON): the value itself, or a copy cut at the limit. */
export function capDepth(value: unknown, level = 1): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (level > MAX_JSON_DEPTH) return TOO_DEEP;
  const entries = Object.entries(value);
  const capped = entries.map(([, v]) => capDepth(v, level + 1));
  if (capped.every((v, i) => v === entries[i][1])) return value;
  return Array.isArray(value) ? capped : Object.fromEntries(entries.map(([k], i) => [k, capped[i]]));
}
