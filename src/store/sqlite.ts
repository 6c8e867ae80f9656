// SQLite through Node's own `node:sqlite` (no native module to build), typed, with
// what the store needs on top: transactions that nest as savepoints, a missing
// named parameter refused instead of bound as NULL, and SQLite's error codes by name.
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';

export type Database = DatabaseSync;

export interface OpenOptions {
  /** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  readOnly?: boolean;
}

export function openSqlite(location: string, options: OpenOptions = {}): Database {
  return new DatabaseSync(location, {
    timeout: options.busyTimeoutMs ?? 0,
    readOnly: options.readOnly ?? false,
    enableForeignKeyConstraints: true,
    // No writable_schema or other ways for SQL to damage the file (Node's default since 24.14, said here).
    defensive: true,
  });
}

type Arguments<P> = P extends undefined ? [] : [P];

/** A prepared statement with the types of its named parameters (`@name`) and of its rows. */
export class Statement<P extends object | undefined = undefined, R = never> {
  private readonly names: readonly string[];
  private readonly columns: readonly string[];

  constructor(private readonly statement: StatementSync) {
    this.names = [...new Set([...statement.sourceSQL.matchAll(/@(\w+)/g)].map((match) => match[1]!))];
    // Rows as arrays, made into objects here: node:sqlite's own row objects have V8's slow
    // (dictionary) properties, and reading 500 allocations out of them took three times as long.
    statement.setReturnArrays(true);
    this.columns = statement.columns().map((column) => column.name);
  }

  get source(): string {
    return this.statement.sourceSQL;
  }

  run(...args: Arguments<P>): { changes: number } {
    const params = this.named(args);
    const { changes } = params === undefined ? this.statement.run() : this.statement.run(params);
    return { changes: Number(changes) };
  }

  get(...args: Arguments<P>): R | undefined {
    const params = this.named(args);
    const values = (params === undefined ? this.statement.get() : this.statement.get(params)) as unknown as SQLOutputValue[] | undefined;
    return values && this.row(values);
  }

  all(...args: Arguments<P>): R[] {
    const params = this.named(args);
    const rows = (params === undefined ? this.statement.all() : this.statement.all(params)) as unknown as SQLOutputValue[][];
    return rows.map((values) => this.row(values));
  }

  private row(values: readonly SQLOutputValue[]): R {
    const row: Record<string, SQLOutputValue> = {};
    for (let i = 0; i < this.columns.length; i++) row[this.columns[i]!] = values[i]!;
    return row as R;
  }

  // node:sqlite binds a parameter missing from the object as NULL: a misspelt key
  // would store a NULL silently, where better-sqlite3 refused it.
  private named(args: readonly unknown[]): Record<string, SQLInputValue> | undefined {
    const params = args[0] as Record<string, SQLInputValue> | undefined;
    if (params === undefined) return undefined;
    for (const name of this.names) {
      if (!(name in params)) throw new TypeError(`missing named parameter "${name}" for: ${this.source}`);
    }
    return params;
  }
}

/** `prepare<Params, Row>(sql)` for one database: `Params` undefined for a statement without parameters. */
export function preparer(db: Database) {
  return <P extends object | undefined = undefined, R = never>(sql: string): Statement<P, R> => new Statement<P, R>(db.prepare(sql));
}

/** The first column of the first row of a PRAGMA (`journal_mode = WAL` answers `wal`). */
export function pragma(db: Database, text: string): unknown {
  const row = db.prepare(`PRAGMA ${text}`).get();
  return row === undefined ? undefined : Object.values(row)[0];
}

/**
 * Runs `fn` in a transaction: all of its writes land, or none. Called inside
 * another, it is a savepoint: an inner failure caught by the caller undoes only
 * the inner writes (better-sqlite3's semantics, which the store was written for).
 */
export function transaction<T>(db: Database, fn: () => T, mode: 'DEFERRED' | 'IMMEDIATE' = 'DEFERRED'): T {
  const nested = db.isTransaction;
  db.exec(nested ? 'SAVEPOINT nested' : `BEGIN ${mode}`);
  try {
    const result = fn();
    if (result instanceof Promise) throw new TypeError('a transaction cannot span an await: its function must not return a promise');
    db.exec(nested ? 'RELEASE nested' : 'COMMIT');
    return result;
  } catch (error) {
    // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) have rolled the whole transaction back already.
    if (db.isTransaction) db.exec(nested ? 'ROLLBACK TO nested; RELEASE nested' : 'ROLLBACK');
    throw error;
  }
}

const primaryCodes: Record<number, string> = {
  1: 'ERROR', 2: 'INTERNAL', 3: 'PERM', 4: 'ABORT', 5: 'BUSY', 6: 'LOCKED', 7: 'NOMEM', 8: 'READONLY',
  9: 'INTERRUPT', 10: 'IOERR', 11: 'CORRUPT', 12: 'NOTFOUND', 13: 'FULL', 14: 'CANTOPEN', 15: 'PROTOCOL',
  16: 'EMPTY', 17: 'SCHEMA', 18: 'TOOBIG', 19: 'CONSTRAINT', 20: 'MISMATCH', 21: 'MISUSE', 22: 'NOLFS',
  23: 'AUTH', 24: 'FORMAT', 25: 'RANGE', 26: 'NOTADB', 27: 'NOTICE', 28: 'WARNING',
};

// The extended codes deckhand tells apart (https://sqlite.org/rescode.html); others go by their primary code.
const extendedCodes: Record<number, string> = {
  275: 'CONSTRAINT_CHECK', 787: 'CONSTRAINT_FOREIGNKEY', 1299: 'CONSTRAINT_NOTNULL', 1555: 'CONSTRAINT_PRIMARYKEY',
  2067: 'CONSTRAINT_UNIQUE', 517: 'BUSY_SNAPSHOT', 261: 'BUSY_RECOVERY', 526: 'CANTOPEN_ISDIR', 1032: 'READONLY_DBMOVED',
};

/** `SQLITE_CONSTRAINT_FOREIGNKEY`, `SQLITE_NOTADB`, ...: the name of a node:sqlite error's code; undefined for other errors. */
export function sqliteErrorCode(error: unknown): string | undefined {
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  if (code !== 'ERR_SQLITE_ERROR' || typeof errcode !== 'number') return undefined;
  const name = extendedCodes[errcode] ?? primaryCodes[errcode & 0xff];
  return name ? `SQLITE_${name}` : `SQLITE_${errcode}`;
}
