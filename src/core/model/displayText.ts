/**
 * Database text is untrusted input (a cloned repository names its workflows). Before any of it is
 * shown, the characters that act rather than print are made visible: C0 and C1 controls (an escape
 * sequence could set a terminal's clipboard or title) become visible symbols, and the characters
 * that reorder text (bidirectional overrides) are replaced. `keepLineBreaks` leaves `\n` and `\t`
 * for output laid out in lines, such as a document.
 */
export function printable(text: string, keepLineBreaks = false): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (keepLineBreaks && (c === '\n' || c === '\t')) return c;
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code); // ␛ for ESC, ␊ for a line feed
    return code === 0x7f ? '\u2421' : '\ufffd';
  });
}
