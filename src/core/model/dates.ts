/**
 * SQLite stores Archon's dates as UTC text `YYYY-MM-DD HH:MM:SS` with no zone. They are parsed as
 * UTC and handed out as ISO 8601 strings ending in `Z`; anything unparseable becomes null.
 */
const SQLITE_DATE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/;

export function toIsoUtc(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = SQLITE_DATE.exec(value.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
