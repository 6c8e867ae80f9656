// Opening the SQLite file: pragmas, schema migrations, and errors that say
// which file is wrong and how, instead of SQLite's bare "file is not a database".
import { migrate } from './migrations.js';
import { openSqlite, pragma, sqliteErrorCode, type Database } from './sqlite.js';

const BUSY_TIMEOUT_MS = 5000;

export function openDatabaseFile(file: string): Database {
  let db: Database | undefined;
  try {
    db = openSqlite(file, { busyTimeoutMs: BUSY_TIMEOUT_MS });
    const journalMode = pragma(db, 'journal_mode = WAL');
    if (journalMode !== 'wal') {
      throw new Error(`could not switch to WAL journal mode (SQLite kept "${String(journalMode)}"); is the data dir on a network file system?`);
    }
    pragma(db, 'synchronous = NORMAL');
    pragma(db, 'foreign_keys = ON');
    checkIntegrity(db);
  } catch (error) {
    db?.close();
    throw new Error(`${file}: cannot open the deckhand database: ${explain(error)}`, { cause: error });
  }
  // Migration errors already name the file.
  try {
    migrate(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export function openMemoryDatabase(): Database {
  const db = openSqlite(':memory:');
  pragma(db, 'foreign_keys = ON');
  migrate(db, ':memory:');
  return db;
}

// A damaged page would otherwise surface later, in the middle of a rollout.
// quick_check reads every page once: cheap for a store of this size.
function checkIntegrity(db: Database): void {
  const problems = db.prepare('PRAGMA quick_check(5)').all() as { quick_check: string }[];
  const messages = problems.map((row) => row.quick_check).filter((message) => message !== 'ok');
  if (messages.length > 0) {
    throw new Error(`the database file is damaged (${messages.join('; ')}); restore it from a backup or move it away to start afresh`);
  }
}

const explanations: Record<string, string> = {
  SQLITE_NOTADB: 'the file is not a SQLite database (or its header is damaged)',
  SQLITE_CORRUPT: 'the database file is damaged; restore it from a backup or move it away to start afresh',
  SQLITE_CANTOPEN: 'the file cannot be opened (is it a folder, or is its folder unwritable?)',
  SQLITE_PERM: 'permission denied',
  SQLITE_READONLY: 'the file is read-only',
  SQLITE_BUSY: 'the database is locked by another process (is another deckhand agent using this data dir?)',
  SQLITE_IOERR: 'an I/O error occurred while reading the file',
  SQLITE_FULL: 'the disk is full',
};

function explain(error: unknown): string {
  const { message } = (error ?? {}) as { message?: unknown };
  const code = sqliteErrorCode(error);
  if (code !== undefined) {
    // Extended codes (SQLITE_CANTOPEN_ISDIR) share their primary code's explanation.
    const primaryCode = code.split('_').slice(0, 2).join('_');
    const explanation = explanations[code] ?? explanations[primaryCode];
    return explanation ? `${explanation} (${code}: ${String(message)})` : `${code}: ${String(message)}`;
  }
  return typeof message === 'string' ? message : String(error);
}
