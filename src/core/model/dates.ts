/**
 * Dates as both engines hand them out: ISO 8601 in UTC, to the second, ending in `Z`. SQLite
 * stores Archon's dates as UTC text `YYYY-MM-DD HH:MM:SS` with no zone (parsed as UTC);
 * PostgreSQL's `TIMESTAMPTZ` arrives as a `Date`. Anything unparseable becomes null.
 */
const SQLITE_DATE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/;

export function toIsoUtc(value: unknown): string | null {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') {
    const m = SQLITE_DATE.exec(value.trim());
    if (!m) return null;
    ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
  } else return null;
  if (Number.isNaN(ms)) return null;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
