import { printable } from '../core/model/displayText';

/**
 * Database text where VS Code renders Markdown (hovers, the details document), readable in the raw
 * text as well: what could form a link, image, autolink, HTML tag, code span, table cell or theme
 * icon (`$(name)`) is escaped (`[`, `<`, `` ` ``, `|`, `$`, `&`, and emphasis marks), and so is
 * what would make a heading, quote, list or rule of it at the start of a paragraph. A URL's `://`,
 * a `www.` and an address's `@` are broken by a zero-width space (linkifiers work on the unescaped
 * text, in mid-word too); controls are made visible and lines joined.
 */
export function markdownText(text: string): string {
  return printable(text.replace(/\r?\n/g, ' '))
    .replace(/[\\`*[\]<>|$&~]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\$&')
    .replace(/^(\s*)(?:[#+=-]|\d+[.)])/, (start) => start.replace(/[#+=.)-]/, '\\$&'))
    .replace(/:\/\//g, ':\u200b//')
    .replace(/(www)\./gi, '$1\u200b.')
    .replace(/@/g, '@\u200b');
}

/** A `command:` link's arguments, encoded so that no character of them can end the link early. */
export function commandArgs(args: unknown[]): string {
  return encodeURIComponent(JSON.stringify(args)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A fenced code block whose fence is longer than any backtick run in `text`, so nothing can close it early. */
export function codeBlock(text: string, language = 'text'): string[] {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, printable(text, true), fence];
}

/**
 * Database text in a notification or quick pick, which render `[label](target)` as a link (a
 * `command:` one included) and `$(name)` as an icon: a zero-width space keeps both from forming.
 */
export function plainText(text: string): string {
  return printable(text).replace(/\]\(/g, ']\u200b(').replace(/\$\(/g, '$\u200b(');
}
