// The database file itself: pragmas, reopening, schema migrations, and bad files.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, migrations, schemaVersion, type Migration } from '../../src/store/migrations.js';
import { openDatabaseFile } from '../../src/store/open-database.js';
import { DATABASE_FILE, openStore } from '../../src/store/sqlite-store.js';
import { openSqlite, pragma, type Database } from '../../src/store/sqlite.js';
import { sampleAllocation, sampleDeployment, sampleEvent, tempDir, versionInput } from './fixtures.js';

let dir: string;
let remove: () => void;
let file: string;

beforeEach(() => {
  ({ dir, remove } = tempDir());
  file = join(dir, DATABASE_FILE);
});
afterEach(() => remove());

function rawTables(path: string): string[] {
  const db = openSqlite(path, { readOnly: true });
  try {
    return db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all()
      .map((row) => String(row.name));
  } finally {
    db.close();
  }
}

describe('opening', () => {
  it('creates the data dir and deckhand.db in it', () => {
    const nested = join(dir, 'a', 'b');
    openStore(nested).close();
    expect(statSync(join(nested, DATABASE_FILE)).isFile()).toBe(true);
  });

  it('runs in WAL mode with NORMAL sync, foreign keys and a busy timeout', () => {
    const db = openDatabaseFile(file);
    try {
      expect(pragma(db, 'journal_mode')).toBe('wal');
      expect(pragma(db, 'synchronous')).toBe(1);
      expect(pragma(db, 'foreign_keys')).toBe(1);
      expect(pragma(db, 'busy_timeout')).toBeGreaterThan(0);
      db.prepare('INSERT INTO events (time, job_id, type, message) VALUES (1, ?, ?, ?)').run('j', 't', 'm');
      expect(existsSync(`${file}-wal`)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('keeps everything across close and reopen, and counters carry on', () => {
    const first = openStore(dir);
    first.submitVersion(versionInput('geo', { submittedAt: 1000 }));
    const v1 = first.submitVersion(versionInput('geo', { submittedAt: 2000 }));
    first.setStable('geo', 0, true);
    first.setStopped('geo', true, 2500);
    const deployment = sampleDeployment('dep00001', 'geo', { jobVersion: 1 });
    first.putDeployment(deployment);
    const allocation = sampleAllocation('0a1b2c3d', 'geo', { healthy: true });
    first.putAllocation(allocation);
    const event = first.appendEvent(sampleEvent('geo', { details: { reason: 'x' } }));
    first.markSpecFailed('geo', 'bad-hash', 3000);
    const job = first.getJob('geo');
    first.close();

    const second = openStore(dir);
    try {
      expect(second.getJob('geo')).toStrictEqual(job);
      expect(second.getJob('geo')).toMatchObject({ version: 1, modifyIndex: 3, stopped: true });
      expect(second.getVersion('geo', 1)).toStrictEqual(v1);
      expect(second.getVersion('geo', 0)!.stable).toBe(true);
      expect(second.getDeployment('dep00001')).toStrictEqual(deployment);
      expect(second.getAllocation('0a1b2c3d')).toStrictEqual(allocation);
      expect(second.listEvents()).toStrictEqual([event]);
      expect(second.isSpecFailed('geo', 'bad-hash')).toBe(true);
      expect(second.submitVersion(versionInput('geo')).modifyIndex).toBe(4);
      expect(second.appendEvent(sampleEvent('geo')).seq).toBe(event.seq + 1);
    } finally {
      second.close();
    }
  });

  it('keeps nothing of a transaction that threw, after reopening', () => {
    const store = openStore(dir);
    expect(() =>
      store.transaction(() => {
        store.submitVersion(versionInput('geo'));
        store.appendEvent(sampleEvent('geo'));
        throw new Error('crash');
      }),
    ).toThrow('crash');
    store.close();
    const reopened = openStore(dir);
    try {
      expect(reopened.listJobs()).toEqual([]);
      expect(reopened.listEvents()).toEqual([]);
    } finally {
      reopened.close();
    }
  });
});

describe('schema migrations', () => {
  it('are numbered 1, 2, 3, ... in order', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('bring a new database to the latest version, once', () => {
    openStore(dir).close();
    const latest = migrations.at(-1)!.version;
    const db = openSqlite(file);
    expect(schemaVersion(db)).toBe(latest);
    db.close();
    expect(rawTables(file)).toEqual(['allocations', 'counters', 'deployments', 'events', 'failed_specs', 'job_versions', 'jobs']);

    // Reopening applies nothing again (migration 1 would fail on existing tables) and keeps the data.
    const store = openStore(dir);
    store.submitVersion(versionInput('geo'));
    store.close();
    const again = openStore(dir);
    expect(again.listJobs()).toHaveLength(1);
    again.close();
  });

  it('refuse a database newer than the code, naming the file and both versions', () => {
    openStore(dir).close();
    const db = openSqlite(file);
    pragma(db, 'user_version = 99');
    db.close();
    const latest = migrations.at(-1)!.version;
    expect(() => openStore(dir)).toThrow(`${file}: the database has schema version 99, newer than this deckhand knows (${latest})`);
  });

  describe('with a list of test migrations', () => {
    let db: Database;
    beforeEach(() => {
      db = openSqlite(file);
    });
    afterEach(() => db.close());

    const one: Migration = { version: 1, description: 'a table', sql: 'CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);' };
    const two: Migration = { version: 2, description: 'another', sql: 'CREATE TABLE u (y INTEGER); INSERT INTO t VALUES (2);' };
    const broken: Migration = { version: 2, description: 'broken', sql: 'CREATE TABLE u (y INTEGER); INSERT INTO missing VALUES (1);' };

    it('apply only those not yet applied', () => {
      migrate(db, file, [one]);
      migrate(db, file, [one]);
      migrate(db, file, [one, two]);
      migrate(db, file, [one, two]);
      expect(schemaVersion(db)).toBe(2);
      expect(db.prepare('SELECT x FROM t ORDER BY x').all().map((row) => row.x)).toEqual([1, 2]);
    });

    it('roll a failing migration back whole, leaving the previous version', () => {
      migrate(db, file, [one]);
      expect(() => migrate(db, file, [one, broken])).toThrow(`${file}: schema migration 2 (broken) failed: no such table: missing`);
      expect(schemaVersion(db)).toBe(1);
      expect(db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'u'`).get()).toEqual({ n: 0 });
    });

    it('refuse a list out of order', () => {
      expect(() => migrate(db, file, [two])).toThrow('migration list out of order');
    });
  });
});

describe('a bad database file', () => {
  it('that is not SQLite gives an error naming the file and the problem', () => {
    writeFileSync(file, 'this is not a database, just some text that is long enough to have a header'.repeat(100));
    expect(() => openStore(dir)).toThrow(`${file}: cannot open the deckhand database: the file is not a SQLite database`);
  });

  it('with damaged pages is caught on open', () => {
    const store = openStore(dir);
    for (let i = 0; i < 50; i++) store.submitVersion(versionInput(`job-${i}`));
    store.close();
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    expect(bytes.length).toBeGreaterThan(4 * pageSize);
    // Keep page 1 (the header and the schema), scramble the rest.
    for (let offset = pageSize; offset < bytes.length; offset++) bytes[offset] = (offset * 7919) & 0xff;
    writeFileSync(file, bytes);
    expect(() => openStore(dir)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot open the deckhand database: .*damaged`));
  });

  it('that is a folder gives an error naming the file', () => {
    mkdirSync(file);
    expect(() => openStore(dir)).toThrow(`${file}: cannot open the deckhand database: the file cannot be opened`);
  });
});
