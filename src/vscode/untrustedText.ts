import { printable } from '../core/model/displayText';

/**
 * Database text where VS Code renders Markdown (hovers, the details document), readable in the raw
 * text as well: what could form a link, image, autolink, HTML tag, code span, table cell or theme
 * icon (`$(name)`) is escaped (`[`, `<`, `` ` ``, `|`, `$`, `&`, and emphasis marks), a URL's `://`
 * and `www.` are broken by a zero-width space (linkifiers work on the unescaped text), controls are
 * made visible and lines joined.
 */
export function markdownText(text: string): string {
  return printable(text.replace(/\r?\n/g, ' '))
    .replace(/[\\`*[\]<>|$&~]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\$&')
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\b(www)\./gi, '$1\u200b.');
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
