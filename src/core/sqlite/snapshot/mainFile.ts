// The main database file's format (sqlite.org/fileformat2.html, "The Database Header") and its
// rollback journal, as far as a reader of a live database needs them.
import { WorkflowRunsError } from '../../model/errors';
import { readFrom } from './fileReads';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const JOURNAL_MAGIC = Buffer.from('d9d505f920a163d7', 'hex');

/**
 * Page 1 without what neither we nor queries depend on: the change counter, file size and freelist
 * (24-39) and the version fields (92-99), which change with commits that touch nothing else here.
 * Bytes 18-19 are left out as well: sql.js sees them patched.
 */
export function queryRelevant(page: Uint8Array): Buffer {
  return Buffer.concat([page.subarray(0, 18), page.subarray(20, 24), page.subarray(40, 92), page.subarray(100)]);
}

/** The page size the main file's header gives, or 0 when it gives none a database can have. */
export function mainPageSize(header: Buffer): number {
  if (header.length < 100) return 0;
  const raw = header.readUInt16BE(16);
  const size = raw === 1 ? 65536 : raw;
  return size >= 512 && size <= 65536 && (size & (size - 1)) === 0 ? size : 0;
}

/** The database size in pages from the main file alone: its header's, unless the file is shorter. */
export function mainPages(header: Buffer, fileSize: number, pageSize: number): number {
  if (pageSize === 0) return 0;
  const inFile = Math.floor(fileSize / pageSize);
  const inHeader = header.readUInt32BE(28);
  const valid = inHeader > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
  return valid ? Math.min(inHeader, inFile) : inFile;
}

/**
 * A rollback journal with a valid header: another process is in a write transaction (and may have
 * written uncommitted pages into the main file already), or crashed in one.
 */
export function journalInUse(dbPath: string): boolean {
  return readFrom(`${dbPath}-journal`, 0, 8)?.equals(JOURNAL_MAGIC) ?? false;
}

/** Checks the file is a SQLite database, with a message a person can act on. */
export function checkMainHeader(dbPath: string, header: Buffer, hasLog: boolean): void {
  if (header.length === 0 && !hasLog) throw new WorkflowRunsError('not-a-database', `${dbPath} is empty, not a SQLite database.`);
  if (header.length > 0 && (header.length < 100 || !header.subarray(0, 16).equals(SQLITE_MAGIC) || mainPageSize(header) === 0)) {
    throw new WorkflowRunsError('not-a-database', `${dbPath} is not a SQLite database.`);
  }
}
