// Runs one claimed job for either queue: checks its payload, calls its processor, and records completion, retry or death.
import type { Knex } from 'knex';
import type { Logger } from '../../logger.js';
import { scrubSecrets } from '../../logger.js';
import type { AppMetrics } from '../../metrics.js';
import { ExternalServiceError, PermanentJobError, RateLimitedError, formatZodIssues } from '../../errors.js';
import type { JobDefinition, JobLane, PlannedJob } from '../../jobs/job-queue.js';
import { outsideJobScope, runInJobScope, type JobScope } from '../../jobs/job-scope.js';
import {
  claimJobs,
  markCompleted,
  markDead,
  markRescheduled,
  markRetry,
  toDate,
  type JobRow,
  type NewJob,
} from './job-store.js';

export const DEFAULT_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_MS = 1000;
/**
 * Jobs one instance runs at once. Ours wait on I/O (Slack, HTTP, the database, the model), and with fewer slots a
 * burst of short timers queues behind the round trips (bench/timers.ts: at 10 slots, 1,000 timers a second fall
 * seconds behind on BullMQ).
 */
export const DEFAULT_CONCURRENCY = 50;

/**
 * Background slots on the embedded database (PGlite): its one connection and one thread run the investigations one
 * statement at a time, so more at once only hold more evidence in memory (eight peaked at 400-450 MB in the 1,000-page
 * burst, two at 343-426 MB).
 */
export const EMBEDDED_BACKGROUND_SLOTS = 2;

/**
 * The slots of each lane for a queue instance of `concurrency`: the urgent and the normal lane each have
 * `concurrency`, the background lane a sixth of it (at least 2) unless set: investigations are heavy on the database
 * and the evidence sources, and a burst of them must not take the slots of paging.
 */
export function laneSlots(concurrency: number, background?: number): Record<JobLane, number> {
  const c = Math.max(1, concurrency);
  return { urgent: c, normal: c, background: Math.max(1, background ?? Math.max(2, Math.round(c / 6))) };
}

/** The lane of a job by its name: from its definition, `normal` for a name this instance does not know. */
export function laneOf(definitions: ReadonlyMap<string, JobDefinition<unknown>>, name: string): JobLane {
  return definitions.get(name)?.lane ?? 'normal';
}
const MAX_BACKOFF_MS = 3_600_000;
const MAX_ERROR_LENGTH = 2000;

export type RunOutcome =
  | { status: 'completed' }
  /** Back to pending at `runAt` with `attempts` counted (a rate limit's reschedule gives its attempt back). */
  | { status: 'retry'; runAt: Date; attempts: number }
  | { status: 'dead' }
  /** Another runner took the job over (our lock expired): nothing was recorded. */
  | { status: 'lost' };

export interface RunnerDeps {
  knex: Knex;
  logger: Logger;
  metrics?: AppMetrics;
  /** This queue instance's id, written to locked_by. */
  owner: string;
  lockMs: number;
  definitions: ReadonlyMap<string, JobDefinition<unknown>>;
  /** Records completions; jobs finishing together share one UPDATE (see createCompletionRecorder). */
  complete: (id: string) => Promise<boolean>;
  /** When this worker started (ms): a job due before it was late because the copilot was not running. */
  startedAt?: number;
  /** A background job waits on this before it runs, while urgent work needs the pool (src/adapters/queue/urgent-gate.ts). */
  yieldToUrgent?: () => Promise<unknown>;
  /**
   * Jobs of each lane that gave their slot back and still run (JobScope.releaseSlot), and how many may
   * (releasedLimitOf in runner-deps.ts: the background lane its slots again, the others ten a slot).
   */
  released?: { count: Record<JobLane, number>; limit: Record<JobLane, number> };
  /** Holds a running job's lock renewed until the function it returns is called (createLockRenewer). */
  renewLock: (id: string) => () => void;
}

/**
 * Coalesces the completions of jobs that finish in the same turn of the event loop into one UPDATE: at a thousand
 * timers a second, one statement per job is what limits throughput.
 */
export function createCompletionRecorder(knex: Knex, owner: string, maxBatch = 200): (id: string) => Promise<boolean> {
  const batch: Array<{ id: string; done: (held: boolean) => void; fail: (err: unknown) => void }> = [];
  const flush = () => {
    const taken = batch.splice(0, maxBatch);
    if (batch.length) setImmediate(flush);
    markCompleted(
      knex,
      taken.map((t) => t.id),
      owner,
    ).then(
      (held) => taken.forEach((t) => t.done(held.has(t.id))),
      (err: unknown) => taken.forEach((t) => t.fail(err)),
    );
  };
  return (id) =>
    new Promise<boolean>((done, fail) => {
      if (!batch.length) outsideJobScope(() => setImmediate(flush));
      batch.push({ id, done, fail });
    });
}

/**
 * Coalesces the claims of BullMQ wakes that arrive in the same turn of the event loop into one UPDATE. A second
 * wake for an id already in the batch claims nothing (the row can run once).
 */
export function createClaimRecorder(
  knex: Knex,
  owner: string,
  lockMs: number,
  maxBatch = 200,
): (id: string, armedFor: Date) => Promise<JobRow | undefined> {
  const batch: Array<{
    id: string;
    armedFor: Date;
    done: (row: JobRow | undefined) => void;
    fail: (err: unknown) => void;
  }> = [];
  const flush = () => {
    const taken = batch.splice(0, maxBatch);
    if (batch.length) setImmediate(flush);
    const first = new Map<string, (typeof taken)[number]>();
    for (const t of taken) {
      if (first.has(t.id)) t.done(undefined);
      else first.set(t.id, t);
    }
    const wakes = [...first.values()];
    claimJobs(knex, wakes, owner, lockMs).then(
      (rows) => {
        const byId = new Map(rows.map((r) => [r.id, r]));
        wakes.forEach((w) => w.done(byId.get(w.id)));
      },
      (err: unknown) => wakes.forEach((w) => w.fail(err)),
    );
  };
  return (id, armedFor) =>
    new Promise<JobRow | undefined>((done, fail) => {
      if (!batch.length) setImmediate(flush);
      batch.push({ id, armedFor, done, fail });
    });
}

/** Delay before the next attempt after `attempt` failed: backoffMs, doubling each attempt, capped at an hour. */
export function retryDelayMs(backoffMs: number, attempt: number, err?: unknown): number {
  const exp = Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** Math.max(0, attempt - 1));
  const asked = err instanceof ExternalServiceError ? (err.retryAfterMs ?? 0) : 0;
  return Math.max(exp, Math.min(asked, MAX_BACKOFF_MS));
}

/** True when retrying cannot help. */
export function isPermanent(err: unknown): boolean {
  return err instanceof PermanentJobError || (err instanceof ExternalServiceError && !err.retryable);
}

function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return scrubSecrets(text).slice(0, MAX_ERROR_LENGTH);
}

/** Runs a job this owner has just claimed (status running, attempts already counted) and records the outcome. */
export async function runClaimedJob(deps: RunnerDeps, row: JobRow, onProcessed?: () => void): Promise<RunOutcome> {
  const { knex, logger, metrics, owner } = deps;
  const scheduledFor = toDate(row.run_at);
  const startedAt = Date.now();
  const lateByMs = Math.max(0, startedAt - scheduledFor.getTime());
  const ageMs = Math.max(0, startedAt - toDate(row.created_at).getTime());
  const lateCause =
    lateByMs < 1000
      ? undefined
      : scheduledFor.getTime() < (deps.startedAt ?? 0)
        ? ('down' as const)
        : ('busy' as const);
  const log = logger.child({ jobId: row.id, job: row.name, attempt: row.attempts });
  metrics?.timerLateness.observe({ job: row.name }, lateByMs / 1000);

  const dead = async (why: string): Promise<RunOutcome> => {
    const ok = await markDead(knex, row.id, owner, why);
    metrics?.jobsProcessed.inc({ job: row.name, outcome: 'dead' });
    log.error({ error: why }, 'job failed for good; it is in the dead-letter list');
    return ok ? { status: 'dead' } : { status: 'lost' };
  };

  const def = deps.definitions.get(row.name);
  const parsed = def?.schema.safeParse(row.payload);
  if (!def || !parsed?.success) {
    onProcessed?.();
    if (!def) return dead(`no job definition registered for "${row.name}"`);
    return dead(`invalid payload: ${formatZodIssues(parsed!.error!.issues).join('; ')}`);
  }

  // Renew the lock while the processor runs, so a long job is not taken for a crashed one.
  const unhold = deps.renewLock(row.id);

  // The job may mark itself completed in its last statement (selfCompletion): the runner then sends no completion.
  const lane = def.lane ?? 'normal';
  // Its slot given back at most once, and only while the lane's released jobs are fewer than its slots.
  const released = deps.released;
  let gaveSlot = false;
  let processing = true;
  // Only while the processor runs: a handler it started without awaiting keeps its scope, and may call this after.
  const releaseSlot = () => {
    if (!processing || gaveSlot || !onProcessed || !released || released.count[lane] >= released.limit[lane]) return;
    gaveSlot = true;
    released.count[lane]++;
    onProcessed();
  };
  const scope: JobScope = { name: row.name, id: row.id, owner, lane, releaseSlot };
  let failure: unknown;
  let failed = false;
  try {
    // An investigation or a briefing update lets a burst of urgent work through first (bounded: see urgent-gate.ts).
    if (lane === 'background') await deps.yieldToUrgent?.();
    await runInJobScope(scope, () =>
      def.process(parsed.data, { jobId: row.id, attempt: row.attempts, scheduledFor, lateByMs, ageMs, lateCause }),
    );
  } catch (err) {
    failed = true;
    failure = err;
  } finally {
    unhold();
    processing = false;
    if (gaveSlot) released!.count[lane]--;
    metrics?.jobDuration.observe({ job: row.name }, (Date.now() - startedAt) / 1000);
    // The processor is done: its slot may take the next job while the outcome is being written.
    onProcessed?.();
  }

  if (!failed) {
    const ok = scope.completed ?? (await deps.complete(row.id));
    metrics?.jobsProcessed.inc({ job: row.name, outcome: 'completed' });
    if (!ok) log.warn('job finished after another runner took it over');
    return ok ? { status: 'completed' } : { status: 'lost' };
  }
  const error = describe(failure);
  if (failure instanceof RateLimitedError) {
    // A rate limit is a schedule: the job waits as long as it was asked to and keeps every attempt it had.
    const runAt = new Date(Date.now() + Math.max(1, Math.min(failure.retryAfterMs, MAX_BACKOFF_MS)));
    const ok = await markRescheduled(knex, row.id, owner, runAt, error);
    metrics?.jobsProcessed.inc({ job: row.name, outcome: 'rescheduled' });
    log.info(
      { retryAt: runAt.toISOString() },
      'job asked to wait (rate limited); rescheduled without spending an attempt',
    );
    return ok ? { status: 'retry', runAt, attempts: Math.max(row.attempts - 1, 0) } : { status: 'lost' };
  }
  if (isPermanent(failure) || row.attempts >= row.max_attempts) return dead(error);
  const runAt = new Date(Date.now() + retryDelayMs(row.backoff_ms, row.attempts, failure));
  const ok = await markRetry(knex, row.id, owner, runAt, error);
  metrics?.jobsProcessed.inc({ job: row.name, outcome: 'retry' });
  log.warn({ error, retryAt: runAt.toISOString() }, 'job failed; it will be retried');
  return ok ? { status: 'retry', runAt, attempts: row.attempts } : { status: 'lost' };
}

/** The row to insert for an enqueue call: timing and retry settings from the options, else the definition. */
export function planJob(
  name: string,
  payload: unknown,
  opts: { jobId?: string; delayMs?: number; runAt?: Date; attempts?: number; backoffMs?: number },
  def: JobDefinition<unknown> | undefined,
): NewJob {
  const runAt = opts.runAt ?? new Date(Date.now() + Math.max(0, opts.delayMs ?? 0));
  return {
    id: opts.jobId,
    name,
    payload,
    runAt,
    maxAttempts: Math.max(1, opts.attempts ?? def?.attempts ?? DEFAULT_ATTEMPTS),
    backoffMs: Math.max(0, opts.backoffMs ?? def?.backoffMs ?? DEFAULT_BACKOFF_MS),
  };
}

/** The row an enqueue would insert, without an id (for `JobQueue.plan`). */
export function planRow(
  name: string,
  payload: unknown,
  opts: { delayMs?: number; runAt?: Date; attempts?: number; backoffMs?: number },
  def: JobDefinition<unknown> | undefined,
): PlannedJob {
  const { id: _id, ...job } = planJob(name, payload, opts, def);
  return job;
}

/** Calls `then` once the transaction commits (never when it rolls back); at once when there is no transaction. */
export function afterCommit(trx: Knex.Transaction | undefined, then: () => void): void {
  if (!trx) {
    then();
    return;
  }
  trx.executionPromise.then(then, () => {});
}
