// The Store on SQLite (node:sqlite: synchronous, one connection per process).
// Every statement is prepared once, in the constructor.
import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AllocationRecord, Deployment, JobEvent, JobRecord, JobVersion } from '../model/index.js';
import { openDatabaseFile, openMemoryDatabase } from './open-database.js';
import {
  allocationFromRow,
  allocationToRow,
  deploymentFromRow,
  deploymentToRow,
  eventFromRow,
  eventToRow,
  flag,
  jobFromRow,
  versionFromRow,
  versionToRow,
  type AllocationRow,
  type DeploymentRow,
  type EventRow,
  type JobRow,
  type JobVersionRow,
} from './rows.js';
import { preparer, sqliteErrorCode, transaction, type Database } from './sqlite.js';
import { isStorageError } from './store.js';
import type { EventQuery, StorageProblem, Store, SubmitVersionInput } from './store.js';
import { makeDirectory } from '../util/index.js';

export const DATABASE_FILE = 'deckhand.db';

/** Opens (creating it and its folder when missing) `<dataDir>/deckhand.db`. */
export function openStore(dataDir: string): Store {
  makeDirectory(dataDir, 0o700);
  const file = join(dataDir, DATABASE_FILE);
  keepPrivate(file);
  return new SqliteStore(openDatabaseFile(file));
}

/**
 * The store holds every job's environment: readable by its owner only. SQLite gives
 * its -wal and -shm files the main file's mode, so the main file is made 0600 first
 * (created so when new), and files an older deckhand left readable are narrowed.
 */
function keepPrivate(file: string): void {
  try {
    closeSync(openSync(file, 'a', 0o600));
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      if (existsSync(path) && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    }
  } catch {
    // A folder in its place, a read-only disk: opening the database says what is wrong, in its words.
  }
}

/** A store that lives as long as the process: for tests of the layers above. */
export function openMemoryStore(): Store {
  return new SqliteStore(openMemoryDatabase());
}

type Id = { id: string };
type JobId = { jobId: string };

/** A job with its newest version's spec hash. */
const selectJob = 'SELECT j.*, v.spec_hash FROM jobs j JOIN job_versions v ON v.job_id = j.id AND v.version = j.version';

export function prepareStatements(db: Database) {
  const prepare = preparer(db);
  return {
    nextModifyIndex: prepare<undefined, { value: number }>(
      `UPDATE counters SET value = value + 1 WHERE name = 'modify_index' RETURNING value`,
    ),

    getJob: prepare<Id, JobRow>(`${selectJob} WHERE j.id = @id`),
    listJobs: prepare<undefined, JobRow>(`${selectJob} ORDER BY j.id`),
    insertJob: prepare<Omit<JobRow, 'spec_hash'>>(
      `INSERT INTO jobs (id, version, modify_index, stopped, created_at, updated_at)
       VALUES (@id, @version, @modify_index, @stopped, @created_at, @updated_at)`,
    ),
    updateJobVersion: prepare<{ id: string; version: number; modifyIndex: number; at: number }>(
      'UPDATE jobs SET version = @version, modify_index = @modifyIndex, updated_at = @at WHERE id = @id',
    ),
    updateJobStopped: prepare<{ id: string; stopped: 0 | 1; modifyIndex: number; at: number }>(
      'UPDATE jobs SET stopped = @stopped, modify_index = @modifyIndex, updated_at = @at WHERE id = @id',
    ),
    deleteJob: prepare<Id>('DELETE FROM jobs WHERE id = @id'),

    insertVersion: prepare<JobVersionRow>(
      `INSERT INTO job_versions (job_id, version, job_json, spec_hash, modify_index, source_kind, source_commit,
         source_file, source_author, source_message, source_revert_of, source_text, stable, submitted_at)
       VALUES (@job_id, @version, @job_json, @spec_hash, @modify_index, @source_kind, @source_commit,
         @source_file, @source_author, @source_message, @source_revert_of, @source_text, @stable, @submitted_at)`,
    ),
    getVersion: prepare<{ jobId: string; version: number }, JobVersionRow>(
      'SELECT * FROM job_versions WHERE job_id = @jobId AND version = @version',
    ),
    listVersions: prepare<JobId, JobVersionRow>('SELECT * FROM job_versions WHERE job_id = @jobId ORDER BY version DESC'),
    setStable: prepare<{ jobId: string; version: number; stable: 0 | 1 }>(
      'UPDATE job_versions SET stable = @stable WHERE job_id = @jobId AND version = @version',
    ),
    deleteVersions: prepare<JobId>('DELETE FROM job_versions WHERE job_id = @jobId'),

    // An upsert, not INSERT OR REPLACE: the row keeps its rowid, which orders deployments created in the same millisecond.
    putDeployment: prepare<DeploymentRow>(
      `INSERT INTO deployments (id, job_id, job_version, status, description, groups_json, created_at, updated_at)
       VALUES (@id, @job_id, @job_version, @status, @description, @groups_json, @created_at, @updated_at)
       ON CONFLICT (id) DO UPDATE SET job_id = excluded.job_id, job_version = excluded.job_version,
         status = excluded.status, description = excluded.description, groups_json = excluded.groups_json,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    getDeployment: prepare<Id, DeploymentRow>('SELECT * FROM deployments WHERE id = @id'),
    // A range over the primary key (the highest code point closes it), not LIKE: served by the index, and "_" or "%" match only themselves.
    findDeployments: prepare<{ prefix: string; limit: number }, DeploymentRow>(
      'SELECT * FROM deployments WHERE id >= @prefix AND id < @prefix || char(1114111) ORDER BY id LIMIT @limit',
    ),
    listDeployments: prepare<JobId, DeploymentRow>(
      'SELECT * FROM deployments WHERE job_id = @jobId ORDER BY created_at DESC, rowid DESC',
    ),
    deleteDeployments: prepare<JobId>('DELETE FROM deployments WHERE job_id = @jobId'),

    putAllocation: prepare<AllocationRow>(
      `INSERT INTO allocations (id, job_id, group_name, alloc_index, job_version, spec_hash, deployment_id, desired,
         status, healthy, healthy_at, canary, containers_json, ports_json, description, created_at, modified_at)
       VALUES (@id, @job_id, @group_name, @alloc_index, @job_version, @spec_hash, @deployment_id, @desired,
         @status, @healthy, @healthy_at, @canary, @containers_json, @ports_json, @description, @created_at, @modified_at)
       ON CONFLICT (id) DO UPDATE SET job_id = excluded.job_id, group_name = excluded.group_name,
         alloc_index = excluded.alloc_index, job_version = excluded.job_version, spec_hash = excluded.spec_hash,
         deployment_id = excluded.deployment_id, desired = excluded.desired, status = excluded.status,
         healthy = excluded.healthy, healthy_at = excluded.healthy_at, canary = excluded.canary, containers_json = excluded.containers_json,
         ports_json = excluded.ports_json, description = excluded.description, created_at = excluded.created_at,
         modified_at = excluded.modified_at`,
    ),
    getAllocation: prepare<Id, AllocationRow>('SELECT * FROM allocations WHERE id = @id'),
    listAllocationsOfJob: prepare<JobId, AllocationRow>(
      'SELECT * FROM allocations WHERE job_id = @jobId ORDER BY created_at, id',
    ),
    listAllAllocations: prepare<undefined, AllocationRow>('SELECT * FROM allocations ORDER BY created_at, id'),
    deleteAllocation: prepare<Id>('DELETE FROM allocations WHERE id = @id'),
    deleteAllocationsOfJob: prepare<JobId>('DELETE FROM allocations WHERE job_id = @jobId'),

    appendEvent: prepare<Omit<EventRow, 'seq'>, { seq: number }>(
      `INSERT INTO events (time, job_id, deployment_id, type, message, details_json)
       VALUES (@time, @job_id, @deployment_id, @type, @message, @details_json) RETURNING seq`,
    ),
    // The newest `limit` (-1: no limit) after `afterSeq`; the caller turns them oldest first.
    listEventsOfJob: prepare<{ jobId: string; afterSeq: number; limit: number }, EventRow>(
      'SELECT * FROM events WHERE job_id = @jobId AND seq > @afterSeq ORDER BY seq DESC LIMIT @limit',
    ),
    listAllEvents: prepare<{ afterSeq: number; limit: number }, EventRow>(
      'SELECT * FROM events WHERE seq > @afterSeq ORDER BY seq DESC LIMIT @limit',
    ),
    deleteEvents: prepare<JobId>('DELETE FROM events WHERE job_id = @jobId'),

    markSpecFailed: prepare<{ jobId: string; specHash: string; at: number }>(
      `INSERT INTO failed_specs (job_id, spec_hash, failed_at) VALUES (@jobId, @specHash, @at)
       ON CONFLICT (job_id, spec_hash) DO UPDATE SET failed_at = excluded.failed_at`,
    ),
    isSpecFailed: prepare<{ jobId: string; specHash: string }, { found: number }>(
      'SELECT 1 AS found FROM failed_specs WHERE job_id = @jobId AND spec_hash = @specHash',
    ),
    clearFailedSpecs: prepare<JobId>('DELETE FROM failed_specs WHERE job_id = @jobId'),
  };
}

export class SqliteStore implements Store {
  private readonly statements: ReturnType<typeof prepareStatements>;
  private problem: StorageProblem | null = null;

  constructor(private readonly db: Database) {
    this.statements = prepareStatements(db);
  }

  get storageProblem(): StorageProblem | null {
    return this.problem;
  }

  /**
   * Every write goes through here, alone or with others: the outermost transaction
   * that fails for want of a disk says so until one lands again.
   */
  transaction<T>(fn: () => T): T {
    const outermost = !this.db.isTransaction;
    try {
      // Nested calls become savepoints: an inner failure caught by the caller undoes only the inner writes.
      const result = transaction(this.db, fn);
      if (outermost) this.problem = null;
      return result;
    } catch (error) {
      if (outermost && isStorageError(error)) this.problem ??= { message: `the store cannot be written: ${(error as Error).message}`, since: Date.now() };
      throw error;
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  getJob(id: string): JobRecord | undefined {
    const row = this.statements.getJob.get({ id });
    return row && jobFromRow(row);
  }

  listJobs(): JobRecord[] {
    return this.statements.listJobs.all().map(jobFromRow);
  }

  /** Leaves a stopped job stopped: starting it again is the caller's `setStopped(id, false, at)`. */
  submitVersion(input: SubmitVersionInput): JobVersion {
    return this.transaction(() => {
      const jobId = input.job.id;
      const existing = this.statements.getJob.get({ id: jobId });
      const modifyIndex = this.nextModifyIndex();
      const version: JobVersion = {
        jobId,
        version: existing ? existing.version + 1 : (input.firstVersion ?? 0),
        job: input.job,
        specHash: input.specHash,
        modifyIndex,
        source: input.source,
        sourceText: input.sourceText,
        stable: false,
        submittedAt: input.submittedAt,
      };
      if (existing) {
        this.statements.updateJobVersion.run({ id: jobId, version: version.version, modifyIndex, at: input.submittedAt });
      } else {
        this.statements.insertJob.run({
          id: jobId,
          version: version.version,
          modify_index: modifyIndex,
          stopped: 0,
          created_at: input.submittedAt,
          updated_at: input.submittedAt,
        });
      }
      const row = versionToRow(version);
      this.statements.insertVersion.run(row);
      return versionFromRow(row);
    });
  }

  getVersion(jobId: string, version: number): JobVersion | undefined {
    const row = this.statements.getVersion.get({ jobId, version });
    return row && versionFromRow(row);
  }

  listVersions(jobId: string): JobVersion[] {
    return this.statements.listVersions.all({ jobId }).map(versionFromRow);
  }

  /** Does not move the modify index: stability is an outcome of a deployment, not a change to the job. */
  setStable(jobId: string, version: number, stable: boolean): void {
    const result = this.transaction(() => this.statements.setStable.run({ jobId, version, stable: flag(stable) }));
    if (result.changes === 0) {
      throw new Error(`cannot set stable: job "${jobId}" has no version ${version}`);
    }
  }

  /** Setting the state a job already has is not a change, and does not move the modify index. */
  setStopped(jobId: string, stopped: boolean, at: number): void {
    this.transaction(() => {
      const existing = this.statements.getJob.get({ id: jobId });
      if (!existing) throw new Error(`cannot ${stopped ? 'stop' : 'start'} job "${jobId}": no such job`);
      if ((existing.stopped === 1) === stopped) return;
      this.statements.updateJobStopped.run({ id: jobId, stopped: flag(stopped), modifyIndex: this.nextModifyIndex(), at });
    });
  }

  purgeJob(jobId: string): void {
    // Foreign keys would cascade most of this; deleting each explicitly does not depend on them.
    this.transaction(() => {
      this.statements.deleteEvents.run({ jobId });
      this.statements.clearFailedSpecs.run({ jobId });
      this.statements.deleteAllocationsOfJob.run({ jobId });
      this.statements.deleteDeployments.run({ jobId });
      this.statements.deleteVersions.run({ jobId });
      this.statements.deleteJob.run({ id: jobId });
    });
  }

  putDeployment(deployment: Deployment): void {
    this.forKnownJob(deployment.jobId, `deployment ${deployment.id}`, () =>
      this.statements.putDeployment.run(deploymentToRow(deployment)),
    );
  }

  getDeployment(id: string): Deployment | undefined {
    const row = this.statements.getDeployment.get({ id });
    return row && deploymentFromRow(row);
  }

  findDeployments(prefix: string, limit: number): Deployment[] {
    return this.statements.findDeployments.all({ prefix, limit }).map(deploymentFromRow);
  }

  listDeployments(jobId: string): Deployment[] {
    return this.statements.listDeployments.all({ jobId }).map(deploymentFromRow);
  }

  putAllocation(allocation: AllocationRecord): void {
    this.forKnownJob(allocation.jobId, `allocation ${allocation.id}`, () =>
      this.statements.putAllocation.run(allocationToRow(allocation)),
    );
  }

  getAllocation(id: string): AllocationRecord | undefined {
    const row = this.statements.getAllocation.get({ id });
    return row && allocationFromRow(row);
  }

  listAllocations(jobId?: string): AllocationRecord[] {
    const rows = jobId === undefined ? this.statements.listAllAllocations.all() : this.statements.listAllocationsOfJob.all({ jobId });
    return rows.map(allocationFromRow);
  }

  deleteAllocation(id: string): void {
    this.transaction(() => this.statements.deleteAllocation.run({ id }));
  }

  appendEvent(event: Omit<JobEvent, 'seq'>): JobEvent {
    const row = eventToRow(event);
    const inserted = this.transaction(() => this.statements.appendEvent.get(row));
    if (!inserted) throw new Error('event insert returned no seq');
    return eventFromRow({ ...row, seq: inserted.seq });
  }

  listEvents(query: EventQuery = {}): JobEvent[] {
    const afterSeq = query.afterSeq ?? 0;
    const limit = query.limit ?? -1;
    if (limit === 0) return [];
    const rows =
      query.jobId === undefined
        ? this.statements.listAllEvents.all({ afterSeq, limit })
        : this.statements.listEventsOfJob.all({ jobId: query.jobId, afterSeq, limit });
    return rows.reverse().map(eventFromRow);
  }

  markSpecFailed(jobId: string, specHash: string, at: number): void {
    this.forKnownJob(jobId, `failed spec ${specHash}`, () => this.statements.markSpecFailed.run({ jobId, specHash, at }));
  }

  isSpecFailed(jobId: string, specHash: string): boolean {
    return this.statements.isSpecFailed.get({ jobId, specHash }) !== undefined;
  }

  clearFailedSpecs(jobId: string): void {
    this.transaction(() => this.statements.clearFailedSpecs.run({ jobId }));
  }

  private nextModifyIndex(): number {
    const row = this.statements.nextModifyIndex.get();
    if (!row) throw new Error('the modify_index counter is missing from the database');
    return row.value;
  }

  /** Turns SQLite's bare "FOREIGN KEY constraint failed" into which job is missing. */
  private forKnownJob(jobId: string, what: string, write: () => unknown): void {
    try {
      this.transaction(write);
    } catch (error) {
      if (sqliteErrorCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new Error(`cannot store ${what}: job "${jobId}" is not in the store`, { cause: error });
      }
      throw error;
    }
  }
}
