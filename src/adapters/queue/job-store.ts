// The `jobs` table: every state change of a job, shared by the Postgres and the BullMQ queue (the row is the truth).
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { JobRecord, JobStatus } from '../../jobs/job-queue.js';

/** A row of `jobs` as the database returns it. */
export interface JobRow {
  id: string;
  name: string;
  payload: unknown;
  status: JobStatus;
  run_at: Date | string;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  completed_at: Date | string | null;
}

export interface NewJob {
  id?: string;
  name: string;
  payload: unknown;
  runAt: Date;
  maxAttempts: number;
  backoffMs: number;
}

const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    name: row.name,
    payload: row.payload,
    status: row.status,
    runAt: toDate(row.run_at),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    backoffMs: row.backoff_ms,
    lastError: row.last_error,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    completedAt: row.completed_at === null ? null : toDate(row.completed_at),
  };
}

export function rowsOf(result: unknown): JobRow[] {
  return ((result as { rows?: JobRow[] }).rows ?? []) as JobRow[];
}

/** Inserts a job unless one with the same id exists; returns the id and whether this call created it. */
export async function insertJob(db: Knex | Knex.Transaction, job: NewJob): Promise<{ id: string; created: boolean }> {
  return (await insertJobs(db, [job]))[0]!;
}

/** Inserts several jobs in one statement, skipping ids that exist; returns each id and whether it was created. */
export async function insertJobs(
  db: Knex | Knex.Transaction,
  jobs: NewJob[],
): Promise<Array<{ id: string; created: boolean }>> {
  if (!jobs.length) return [];
  const now = new Date();
  const ids = jobs.map((j) => j.id ?? randomUUID());
  const inserted = (await db('jobs')
    .insert(
      jobs.map((job, i) => ({
        id: ids[i],
        name: job.name,
        // knex would serialise an array as a Postgres array, not JSON.
        payload: JSON.stringify(job.payload ?? null),
        status: 'pending',
        run_at: job.runAt,
        max_attempts: job.maxAttempts,
        backoff_ms: job.backoffMs,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict('id')
    .ignore()
    .returning('id')) as Array<{ id: string }>;
  const created = new Set(inserted.map((r) => r.id));
  return ids.map((id) => ({ id, created: created.has(id) }));
}

export async function findJob(db: Knex, id: string): Promise<JobRow | undefined> {
  return (await db<JobRow>('jobs').where({ id }).first()) as JobRow | undefined;
}

/**
 * Claims up to `limit` due pending jobs for `owner` (skipping rows another replica is claiming), counting an attempt
 * on each.
 */
export async function claimDueJobs(
  db: Knex,
  owner: string,
  limit: number,
  lockMs: number,
  now = new Date(),
): Promise<JobRow[]> {
  const result = await db.raw(
    `update jobs set status = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, updated_at = ?
      where id in (
        select id from jobs where status = 'pending' and run_at <= ? order by run_at limit ? for update skip locked
      )
      returning *`,
    [owner, new Date(now.getTime() + lockMs), now, now, limit],
  );
  return rowsOf(result).sort((a, b) => toDate(a.run_at).getTime() - toDate(b.run_at).getTime());
}

/**
 * Claims, in one statement, each pending job whose time is no later than the time its wake was armed for (a wake
 * from BullMQ). A job gone, not pending (done, cancelled, running elsewhere) or moved later is not claimed.
 * Each id must appear once: Postgres updates a row matched twice only once.
 */
export async function claimJobs(
  db: Knex,
  wakes: Array<{ id: string; armedFor: Date }>,
  owner: string,
  lockMs: number,
): Promise<JobRow[]> {
  const now = new Date();
  // The wakes travel as one JSON document: array parameters are serialised differently by pg and PGlite.
  const result = await db.raw(
    `update jobs as j set status = 'running', attempts = j.attempts + 1, locked_by = ?, locked_until = ?, updated_at = ?
      from jsonb_to_recordset(?::jsonb) as w(id text, armed_for timestamptz)
      where j.id = w.id and j.status = 'pending' and j.run_at <= w.armed_for
      returning j.*`,
    [
      owner,
      new Date(now.getTime() + lockMs),
      now,
      JSON.stringify(wakes.map((w) => ({ id: w.id, armed_for: w.armedFor.toISOString() }))),
    ],
  );
  return rowsOf(result);
}

/** Extends the locks this owner holds on these running jobs by lockMs, in one statement; returns how many it held. */
export async function extendLocks(db: Knex, ids: string[], owner: string, lockMs: number): Promise<number> {
  if (!ids.length) return 0;
  return db('jobs')
    .whereIn('id', ids)
    .where({ status: 'running', locked_by: owner })
    .update({ locked_until: new Date(Date.now() + lockMs), updated_at: new Date() });
}

/** Marks the jobs this owner holds as completed, in one statement; returns the ids it still held. */
export async function markCompleted(db: Knex, ids: string[], owner: string): Promise<Set<string>> {
  const now = new Date();
  const rows = (await db('jobs')
    .whereIn('id', ids)
    .where({ status: 'running', locked_by: owner })
    .update({ status: 'completed', completed_at: now, updated_at: now, locked_by: null, locked_until: null })
    .returning('id')) as Array<{ id: string }>;
  return new Set(rows.map((r) => r.id));
}

/** Back to pending for another attempt at `runAt`. */
export async function markRetry(db: Knex, id: string, owner: string, runAt: Date, error: string): Promise<boolean> {
  const n = await db('jobs').where({ id, status: 'running', locked_by: owner }).update({
    status: 'pending',
    run_at: runAt,
    last_error: error,
    updated_at: new Date(),
    locked_by: null,
    locked_until: null,
  });
  return n > 0;
}

/**
 * Back to pending at `runAt` without spending the attempt this run counted: the job was asked to wait (a rate limit),
 * it did not fail.
 */
export async function markRescheduled(
  db: Knex,
  id: string,
  owner: string,
  runAt: Date,
  reason: string,
): Promise<boolean> {
  const n = await db('jobs')
    .where({ id, status: 'running', locked_by: owner })
    .update({
      status: 'pending',
      run_at: runAt,
      attempts: db.raw('greatest(attempts - 1, 0)'),
      last_error: reason,
      updated_at: new Date(),
      locked_by: null,
      locked_until: null,
    });
  return n > 0;
}

export async function markDead(db: Knex, id: string, owner: string, error: string): Promise<boolean> {
  const n = await db('jobs')
    .where({ id, status: 'running', locked_by: owner })
    .update({ status: 'dead', last_error: error, updated_at: new Date(), locked_by: null, locked_until: null });
  return n > 0;
}

/**
 * Jobs whose runner stopped renewing its lock (a crashed replica) go back to pending, or dead when that was their
 * last attempt. Returns the rows now pending, so a broker can be told about them.
 */
export async function releaseExpiredLocks(db: Knex, now = new Date()): Promise<JobRow[]> {
  const result = await db.raw(
    `update jobs set status = case when attempts >= max_attempts then 'dead' else 'pending' end,
        last_error = 'the worker running it stopped before it finished (lock expired)',
        locked_by = null, locked_until = null, updated_at = ?
      where status = 'running' and locked_until < ?
      returning *`,
    [now, now],
  );
  return rowsOf(result).filter((r) => r.status === 'pending');
}

/** Cancels a pending job; returns the row as it was when cancelled, or undefined when nothing was pending. */
export async function cancelJob(db: Knex, id: string): Promise<JobRow | undefined> {
  const rows = (await db('jobs')
    .where({ id, status: 'pending' })
    .update({ status: 'cancelled', updated_at: new Date() })
    .returning('*')) as JobRow[];
  return rows[0];
}

export async function listDeadJobs(db: Knex, limit: number): Promise<JobRow[]> {
  return (await db<JobRow>('jobs')
    .where({ status: 'dead' })
    .orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id' }])
    .limit(limit)) as JobRow[];
}

/** Puts a dead job back to pending with a fresh round of attempts, due now. */
export async function reviveDeadJob(db: Knex, id: string): Promise<JobRow> {
  const now = new Date();
  const rows = (await db('jobs')
    .where({ id, status: 'dead' })
    .update({ status: 'pending', attempts: 0, run_at: now, updated_at: now })
    .returning('*')) as JobRow[];
  if (rows[0]) return rows[0];
  const existing = await findJob(db, id);
  if (!existing) throw new NotFoundError(`job ${id}`);
  throw new ConflictError(`job ${id} is ${existing.status}, not dead`);
}

/**
 * Hands back the jobs this owner still runs (a shutdown that gave up waiting for them): pending again, due now, the
 * interrupted attempt not counted, so the next start runs them instead of waiting for their locks to expire.
 */
export async function releaseOwnedJobs(db: Knex, owner: string): Promise<string[]> {
  const now = new Date();
  const rows = (await db('jobs')
    .where({ status: 'running', locked_by: owner })
    .update({
      status: 'pending',
      run_at: now,
      attempts: db.raw('greatest(attempts - 1, 0)'),
      last_error: 'interrupted by a shutdown before it finished',
      locked_by: null,
      locked_until: null,
      updated_at: now,
    })
    .returning('id')) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/** The dead-letter list in figures: how many per job name, and when the oldest of them died. */
export interface DeadLetterSummary {
  count: number;
  byName: Record<string, number>;
  /** updated_at of the longest-dead job (when it died), or null when the list is empty. */
  oldest: Date | null;
}

export async function summarizeDeadJobs(db: Knex): Promise<DeadLetterSummary> {
  const rows = (await db('jobs')
    .where({ status: 'dead' })
    .groupBy('name')
    .select('name', db.raw('count(*)::int as n'), db.raw('min(updated_at) as oldest'))) as Array<{
    name: string;
    n: number | string;
    oldest: Date | string;
  }>;
  const byName: Record<string, number> = {};
  let count = 0;
  let oldest: Date | null = null;
  for (const r of rows) {
    const n = Number(r.n);
    byName[r.name] = n;
    count += n;
    const at = toDate(r.oldest);
    if (!oldest || at < oldest) oldest = at;
  }
  return { count, byName, oldest };
}

/** Pending jobs in run_at order, a page at a time (to re-arm a broker from Postgres). */
export async function listPendingJobs(
  db: Knex,
  opts: { afterRunAt?: Date; afterId?: string; dueBefore?: Date; limit: number },
): Promise<JobRow[]> {
  const q = db<JobRow>('jobs').where({ status: 'pending' });
  if (opts.dueBefore) q.where('run_at', '<', opts.dueBefore);
  if (opts.afterRunAt && opts.afterId !== undefined) {
    const after = opts.afterRunAt;
    const afterId = opts.afterId;
    // A nested where's callback only builds the clause; `void`: the builder is a thenable and must not look awaited.
    q.where(
      (w) =>
        void w.where('run_at', '>', after).orWhere((x) => void x.where('run_at', '=', after).where('id', '>', afterId)),
    );
  }
  return (await q.orderBy([{ column: 'run_at' }, { column: 'id' }]).limit(opts.limit)) as JobRow[];
}

export { toDate };
