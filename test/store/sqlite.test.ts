// The layer over node:sqlite: savepoints, parameters, error codes, and the busy
// timeout against a lock held by another process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabaseFile } from '../../src/store/open-database.js';
import { openSqlite, preparer, sqliteErrorCode, transaction, type Database } from '../../src/store/sqlite.js';
import { isStorageError } from '../../src/store/store.js';
import { tempDir } from './fixtures.js';

let dir: string;
let remove: () => void;
let db: Database;

beforeEach(() => {
  ({ dir, remove } = tempDir());
  db = openSqlite(join(dir, 'test.db'));
  db.exec('CREATE TABLE t (x INTEGER NOT NULL, note TEXT) STRICT');
});
afterEach(() => {
  if (db.isOpen) db.close();
  remove();
});

const values = () => db.prepare('SELECT x FROM t ORDER BY x').all().map((row) => row.x);

function caughtError(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('transaction', () => {
  it('commits, and rolls the whole of it back when the function throws', () => {
    expect(transaction(db, () => (db.exec('INSERT INTO t (x) VALUES (1)'), 'done'))).toBe('done');
    expect(() =>
      transaction(db, () => {
        db.exec('INSERT INTO t (x) VALUES (2)');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(values()).toEqual([1]);
    expect(db.isTransaction).toBe(false);
  });

  it('nests as savepoints, two deep: a caught inner failure undoes only its own writes', () => {
    transaction(db, () => {
      db.exec('INSERT INTO t (x) VALUES (1)');
      transaction(db, () => {
        db.exec('INSERT INTO t (x) VALUES (2)');
        try {
          transaction(db, () => {
            db.exec('INSERT INTO t (x) VALUES (3)');
            throw new Error('innermost');
          });
        } catch {
          // the middle one carries on
        }
        db.exec('INSERT INTO t (x) VALUES (4)');
      });
    });
    expect(values()).toEqual([1, 2, 4]);
  });

  it('refuses a function that returns a promise, and keeps none of its writes', () => {
    expect(() =>
      transaction(db, async () => {
        db.exec('INSERT INTO t (x) VALUES (1)');
      }),
    ).toThrow('a transaction cannot span an await');
    expect(values()).toEqual([]);
  });

  it('after a statement error inside it, the transaction is over and nothing of it was kept', () => {
    expect(() =>
      transaction(db, () => {
        db.exec('INSERT INTO t (x) VALUES (1)');
        db.exec('INSERT INTO t (x) VALUES (NULL)');
      }),
    ).toThrow('NOT NULL constraint failed: t.x');
    expect(db.isTransaction).toBe(false);
    expect(values()).toEqual([]);
  });
});

describe('prepared statements', () => {
  it('refuse a named parameter missing from the object, instead of binding NULL', () => {
    const insert = preparer(db)<{ x: number; note: string | null }>('INSERT INTO t (x, note) VALUES (@x, @note)');
    expect(() => insert.run({ x: 1 } as { x: number; note: string | null })).toThrow('missing named parameter "note" for: INSERT INTO t (x, note) VALUES (@x, @note)');
    expect(insert.run({ x: 2, note: null })).toEqual({ changes: 1 });
    expect(values()).toEqual([2]);
  });

  it('type their rows, and get gives undefined when there is none', () => {
    const prepare = preparer(db);
    prepare<{ x: number; note: string | null }>('INSERT INTO t (x, note) VALUES (@x, @note)').run({ x: 7, note: 'seven' });
    const byX = prepare<{ x: number }, { x: number; note: string | null }>('SELECT x, note FROM t WHERE x = @x');
    expect({ ...byX.get({ x: 7 }) }).toEqual({ x: 7, note: 'seven' });
    expect(byX.get({ x: 8 })).toBeUndefined();
  });
});

describe('error codes', () => {
  it('are named by their extended code where deckhand tells them apart, else by their primary code', () => {
    db.exec('CREATE TABLE parent (id TEXT PRIMARY KEY) STRICT; CREATE TABLE child (p TEXT REFERENCES parent (id)) STRICT');
    expect(sqliteErrorCode(caughtError(() => db.exec(`INSERT INTO child VALUES ('nobody')`)))).toBe('SQLITE_CONSTRAINT_FOREIGNKEY');
    expect(sqliteErrorCode(caughtError(() => db.exec('INSERT INTO t (x) VALUES (NULL)')))).toBe('SQLITE_CONSTRAINT_NOTNULL');
    expect(sqliteErrorCode(caughtError(() => db.exec('SELECT * FROM missing')))).toBe('SQLITE_ERROR');
    expect(sqliteErrorCode(new Error('not from SQLite'))).toBeUndefined();
  });

  it("tell the store's storage trouble (here a read-only file) from a bad write", () => {
    const readOnly = openSqlite(join(dir, 'test.db'), { readOnly: true });
    try {
      const refused = caughtError(() => readOnly.exec('INSERT INTO t (x) VALUES (1)'));
      expect(sqliteErrorCode(refused)).toBe('SQLITE_READONLY');
      expect(isStorageError(refused)).toBe(true);
      expect(isStorageError(caughtError(() => db.exec('INSERT INTO t (x) VALUES (NULL)')))).toBe(false);
      expect(isStorageError(new Error('SQLITE_FULL'))).toBe(false);
    } finally {
      readOnly.close();
    }
  });
});

describe('the busy timeout', () => {
  // Another process takes the write lock and holds it until told (on its stdin) to let go `afterMs` later.
  async function holdWriteLock(file: string) {
    const script = `
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(process.argv[1]);
      db.exec('BEGIN IMMEDIATE');
      process.stdout.write('locked\\n');
      process.stdin.once('data', (afterMs) => setTimeout(() => { db.exec('COMMIT'); db.close(); process.exit(0); }, Number(afterMs)));
    `;
    const child = spawn(process.execPath, ['-e', script, file], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    await once(child.stdout, 'data');
    return {
      letGo: (afterMs: number) => void child.stdin.write(`${afterMs}\n`),
      exited,
    };
  }

  let file: string;
  beforeEach(() => {
    file = join(dir, 'deckhand.db');
    openDatabaseFile(file).close();
  });

  it('waits for a lock that another process lets go of in time', async () => {
    const holder = await holdWriteLock(file);
    const store = openSqlite(file, { busyTimeoutMs: 5000 });
    try {
      holder.letGo(300);
      const start = performance.now();
      transaction(store, () => store.exec(`INSERT INTO counters (name, value) VALUES ('other', 1)`), 'IMMEDIATE');
      expect(performance.now() - start).toBeGreaterThan(200);
      expect(store.prepare(`SELECT value FROM counters WHERE name = 'other'`).get()).toEqual({ value: 1 });
    } finally {
      store.close();
      await holder.exited;
    }
  });

  it('gives up with SQLITE_BUSY once the timeout has passed', async () => {
    const holder = await holdWriteLock(file);
    const store = openSqlite(file, { busyTimeoutMs: 200 });
    try {
      const start = performance.now();
      let error: unknown;
      try {
        transaction(store, () => store.exec(`INSERT INTO counters (name, value) VALUES ('other', 1)`), 'IMMEDIATE');
      } catch (caught) {
        error = caught;
      }
      expect(sqliteErrorCode(error)).toBe('SQLITE_BUSY');
      expect(performance.now() - start).toBeGreaterThanOrEqual(190);
      expect(store.isTransaction).toBe(false);
    } finally {
      store.close();
      holder.letGo(0);
      await holder.exited;
    }
  });
});
