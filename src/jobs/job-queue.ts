// The job queue port: immediate and delayed jobs (timers) with deterministic ids, recorded in Postgres first.
import type { Knex } from 'knex';
import type { ZodType } from 'zod';

export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'dead' | 'cancelled';

/** A job as recorded in Postgres (the `jobs` table), whichever implementation runs it. */
export interface JobRecord {
  id: string;
  name: string;
  payload: unknown;
  status: JobStatus;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  /** First retry delay; doubles each attempt. */
  backoffMs: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** When it completed, or null. */
  completedAt: Date | null;
}

/** How many jobs are dead, per job name, and when the oldest of them died. */
export interface DeadLetters {
  count: number;
  byName: Record<string, number>;
  oldest: Date | null;
}

export interface EnqueueOptions {
  /** Deterministic id: enqueueing the same id again while it exists changes nothing. Defaults to a random id. */
  jobId?: string;
  /** Run after this many milliseconds (a timer). */
  delayMs?: number;
  /** Run at this time (a timer); wins over delayMs. */
  runAt?: Date;
  /** Attempts before the job goes dead (default from the definition, else 5). */
  attempts?: number;
  /** First retry delay; doubles each attempt (default from the definition, else 1000 ms). */
  backoffMs?: number;
  /**
   * Record the job inside this transaction: it exists only if the transaction commits, and then it is
   * certain to run (the row is the truth; Redis or the in-process scheduler is told after the commit).
   */
  trx?: Knex.Transaction;
}

export interface JobContext {
  jobId: string;
  /** 1 on the first run. */
  attempt: number;
  /** When the job was due. */
  scheduledFor: Date;
  /** How late it started, in milliseconds (a timer whose time passed while the app was down is late). */
  lateByMs: number;
  /**
   * How long ago the job was first recorded, in milliseconds, as it starts (its retries, and a dead job retried by
   * hand, keep that first time): what it shows may be this old.
   */
  ageMs: number;
  /**
   * Why it started late, from what the runner knows: `down` when its time passed before this worker started (the
   * copilot was not running), `busy` when the worker was running but every slot of its lane was taken (the queue was
   * busy). Unset when it was not late (under a second).
   */
  lateCause?: LateCause;
}

export type LateCause = 'down' | 'busy';

/**
 * Which slots a job runs in. Each lane has slots of its own, so one lane's backlog never holds another's jobs:
 * - `urgent`: what a person is waiting for right now: the page taken in, the incident's channel and first message,
 *   paging and escalation, acks, an approved action;
 * - `normal` (the default): everything else that is short;
 * - `background`: long or heavy work that may wait (investigations, briefing updates, charts, postmortems), in few
 *   slots, so a burst of it neither starves the other lanes nor the database.
 */
export type JobLane = 'urgent' | 'normal' | 'background';
export const JOB_LANES: readonly JobLane[] = ['urgent', 'normal', 'background'];

/** The job names of the lanes other than `normal` (a name in neither list is normal). */
export interface LaneNames {
  urgent: readonly string[];
  background: readonly string[];
}

/** One kind of job: a name, a payload schema and a processor. A payload failing the schema fails for good. */
export interface JobDefinition<P = unknown> {
  name: string;
  schema: ZodType<P>;
  process: (payload: P, ctx: JobContext) => Promise<void>;
  attempts?: number;
  backoffMs?: number;
  /** The lane it runs in (default `normal`). */
  lane?: JobLane;
}

/** A job's row as `enqueue` would record it, for a caller that inserts it itself inside a larger statement. */
export interface PlannedJob {
  name: string;
  payload: unknown;
  runAt: Date;
  maxAttempts: number;
  backoffMs: number;
}

/** A planned job as a row of the jobs table, for a statement that reads its rows from a JSON recordset. */
export function plannedJobRow(j: PlannedJob & { id: string }): {
  id: string;
  name: string;
  payload: unknown;
  run_at: string;
  max_attempts: number;
  backoff_ms: number;
} {
  return {
    id: j.id,
    name: j.name,
    payload: j.payload ?? null,
    run_at: j.runAt.toISOString(),
    max_attempts: j.maxAttempts,
    backoff_ms: j.backoffMs,
  };
}

/** One job of an `enqueueMany` call. */
export interface JobToEnqueue {
  name: string;
  payload: unknown;
  opts?: Omit<EnqueueOptions, 'trx'>;
}

/** The queue. Two implementations: BullMQ on Redis, and an in-process scheduler persisted in Postgres. */
export interface JobQueue {
  readonly kind: 'bullmq' | 'postgres';
  /** Registers a job kind; call before start(). */
  register<P>(def: JobDefinition<P>): void;
  /** Records a job and schedules it; returns its id. Idempotent on jobId. */
  enqueue<P>(name: string, payload: P, opts?: EnqueueOptions): Promise<string>;
  /** Records several jobs in one statement (one multi-row insert) and schedules them; ids in order. */
  enqueueMany(jobs: JobToEnqueue[], opts?: { trx?: Knex.Transaction }): Promise<string[]>;
  /** The row `enqueue` would insert (timing and retries from the options, else the definition); inserts nothing. */
  plan<P>(name: string, payload: P, opts?: Omit<EnqueueOptions, 'trx' | 'jobId'>): PlannedJob;
  /**
   * Tells the workers about jobs whose rows the caller inserted from a `plan` and committed. Announcing a job
   * twice is harmless; a lost announcement is made good by the sweep, as for `enqueue`.
   */
  announce(jobs: Array<{ id: string; name: string; runAt: Date }>): void;
  /**
   * Tells the workers that jobs whose rows the caller cancelled in its own statement will not run: the broker forgets
   * their wakes (BullMQ; nothing on the Postgres queue). Only a saving: a wake left behind claims nothing. Never throws.
   */
  withdraw(jobs: Array<{ id: string; name: string; runAt: Date; attempts: number }>): Promise<void>;
  /** Cancels a pending job; true when something was cancelled. */
  cancel(jobId: string): Promise<boolean>;
  get(jobId: string): Promise<JobRecord | undefined>;
  /** Jobs that failed every attempt (the dead-letter list). */
  listDead(limit?: number): Promise<JobRecord[]>;
  /** The dead-letter list in figures (for /metrics and /readyz). */
  deadLetters(): Promise<DeadLetters>;
  /** Puts a dead job back to pending, to run now. */
  retryDead(jobId: string): Promise<void>;
  /** Starts processing, first re-arming every pending job and timer recorded in Postgres. */
  start(): Promise<void>;
  /**
   * Stops taking jobs and waits for running ones up to timeoutMs; then hands the unfinished ones back to Postgres
   * (pending, due now) so the next start runs them, and closes its connections.
   */
  stop(timeoutMs?: number): Promise<void>;
  /** Throws when the queue's backing store is unreachable (for /readyz). */
  ping(): Promise<void>;
}
