// The database schema, as an ordered list of migrations. A database records the
// last one applied in `PRAGMA user_version`; opening it applies the rest, each in
// its own transaction, so a failure leaves the database at the previous version.
//
// Never edit a migration that has shipped: add the next one. Foreign keys are ON
// while migrations run, so a migration that rebuilds a table must keep the rows
// that other tables point at (SQLite's "12-step" ALTER TABLE procedure).
import { pragma, transaction, type Database } from './sqlite.js';

export interface Migration {
  /** 1, 2, 3, ... in order; becomes the database's user_version once applied. */
  version: number;
  description: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs, versions, deployments, allocations, events, failed specs',
    sql: `
      -- One global counter, like Nomad's Raft index: every change to a job takes the next value.
      CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO counters (name, value) VALUES ('modify_index', 0);

      CREATE TABLE jobs (
        id           TEXT PRIMARY KEY,
        version      INTEGER NOT NULL,
        modify_index INTEGER NOT NULL,
        stopped      INTEGER NOT NULL CHECK (stopped IN (0, 1)),
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE job_versions (
        job_id           TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        version          INTEGER NOT NULL,
        job_json         TEXT NOT NULL,
        spec_hash        TEXT NOT NULL,
        modify_index     INTEGER NOT NULL,
        source_kind      TEXT NOT NULL,
        source_commit    TEXT,
        source_file      TEXT,
        source_author    TEXT,
        source_message   TEXT,
        source_revert_of INTEGER,
        source_text      TEXT,
        stable           INTEGER NOT NULL CHECK (stable IN (0, 1)),
        submitted_at     INTEGER NOT NULL,
        PRIMARY KEY (job_id, version)
      ) STRICT;

      CREATE TABLE deployments (
        id          TEXT PRIMARY KEY,
        job_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        job_version INTEGER NOT NULL,
        status      TEXT NOT NULL,
        description TEXT NOT NULL,
        groups_json TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      ) STRICT;
      -- listDeployments: newest first (created_at, then insertion order: the rowid the index carries).
      CREATE INDEX deployments_by_job ON deployments (job_id, created_at);

      CREATE TABLE allocations (
        id              TEXT PRIMARY KEY,
        job_id          TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        group_name      TEXT NOT NULL,
        alloc_index     INTEGER NOT NULL,
        job_version     INTEGER NOT NULL,
        spec_hash       TEXT NOT NULL,
        deployment_id   TEXT,
        desired         TEXT NOT NULL,
        status          TEXT NOT NULL,
        healthy         INTEGER CHECK (healthy IN (0, 1)),
        canary          INTEGER NOT NULL CHECK (canary IN (0, 1)),
        containers_json TEXT NOT NULL,
        ports_json      TEXT NOT NULL,
        description     TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        modified_at     INTEGER NOT NULL
      ) STRICT;
      -- listAllocations: oldest first, of one job or of all.
      CREATE INDEX allocations_by_job ON allocations (job_id, created_at, id);
      CREATE INDEX allocations_by_age ON allocations (created_at, id);

      -- No foreign key: an event may be about a job the store does not hold
      -- (a job file that failed to render); purgeJob deletes a job's events itself.
      -- AUTOINCREMENT: a seq is never reused, even after a purge, so streams resume safely.
      CREATE TABLE events (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        time          INTEGER NOT NULL,
        job_id        TEXT NOT NULL,
        deployment_id TEXT,
        type          TEXT NOT NULL,
        message       TEXT NOT NULL,
        details_json  TEXT
      ) STRICT;
      CREATE INDEX events_by_job ON events (job_id, seq);

      CREATE TABLE failed_specs (
        job_id    TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        spec_hash TEXT NOT NULL,
        failed_at INTEGER NOT NULL,
        PRIMARY KEY (job_id, spec_hash)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'when an allocation became healthy (Swarm delays count from it)',
    sql: `ALTER TABLE allocations ADD COLUMN healthy_at INTEGER;`,
  },
];

export function schemaVersion(db: Database): number {
  return pragma(db, 'user_version') as number;
}

/**
 * Brings the database at `file` up to the newest migration. Refuses a database
 * whose schema is newer than this code: writing to it could lose what it holds.
 */
export function migrate(db: Database, file: string, list: readonly Migration[] = migrations): void {
  checkOrder(list);
  const latest = list.at(-1)?.version ?? 0;
  const found = schemaVersion(db);
  if (found > latest) {
    throw new Error(
      `${file}: the database has schema version ${found}, newer than this deckhand knows (${latest}); ` +
        'it was written by a newer deckhand: run that one, or use another data dir',
    );
  }
  for (const migration of list) {
    // IMMEDIATE takes the write lock before reading user_version, so two
    // processes opening a fresh database cannot both apply the same migration.
    transaction(
      db,
      () => {
        if (schemaVersion(db) >= migration.version) return;
        try {
          db.exec(migration.sql);
        } catch (error) {
          throw new Error(
            `${file}: schema migration ${migration.version} (${migration.description}) failed: ${(error as Error).message}`,
            { cause: error },
          );
        }
        pragma(db, `user_version = ${migration.version}`);
      },
      'IMMEDIATE',
    );
  }
}

function checkOrder(list: readonly Migration[]): void {
  list.forEach((migration, position) => {
    if (migration.version !== position + 1) {
      throw new Error(`migration list out of order: position ${position} holds version ${migration.version}`);
    }
  });
}
