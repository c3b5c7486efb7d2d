/** `JSON.stringify(value, null, 2)` for a value that stands `indent` in. */
export function nestedJson(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`);
}

/**
 * A JSON array printed a batch of items at a time, exactly as `JSON.stringify(array, null, 2)`
 * prints it whole, for an array that stands `indent` in: a list of a million runs is printed
 * as it is read.
 */
export class JsonArray {
  private count = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly indent = '',
  ) {}

  add(items: unknown[]): void {
    if (!items.length) return;
    const inner = `${this.indent}  `;
    const parts = items.map((item, i) => `${this.count + i === 0 ? '[\n' : ',\n'}${inner}${nestedJson(item, inner)}`);
    this.count += items.length;
    this.write(parts.join(''));
  }

  end(): void {
    this.write(this.count ? `\n${this.indent}]` : '[]');
  }
}
