// Which job the current code runs for (AsyncLocalStorage): lets a statement counter or a log line tell the jobs apart.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { JobLane } from './job-queue.js';

export interface JobScope {
  name: string;
  id: string;
  /** The queue instance that holds the job's lock (locked_by), when the runner lets the job complete itself. */
  owner?: string;
  /**
   * Set when the job's own last statement marked it completed (see `selfCompletion`): whether the lock was still
   * ours. The runner then sends no completion of its own.
   */
  completed?: boolean;
  /** Its lane: the pool serves an urgent job's statements before a background job's (src/adapters/db/priority-pool.ts). */
  lane?: JobLane;
  /**
   * Gives the job's lane slot back while the job goes on running (its lock held, stop() still waiting for it): for a
   * job whose work another job is doing, which only waits for it (a page joining the DM another page's job sends and
   * whose statement completes it). Does nothing once the processor has returned (a handler it started unawaited keeps
   * its scope) or while the lane already has as many released jobs as slots.
   * A lane's slots are for work; a burst of such waits would otherwise hold them all, and the lane's next job (a page's
   * incident to open) would wait behind messages paced at one a second. Idempotent.
   */
  releaseSlot?: () => void;
}

/** Gives the running job's lane slot back (see JobScope.releaseSlot); nothing outside a job. */
export function releaseJobSlot(): void {
  scope.getStore()?.releaseSlot?.();
}

const scope = new AsyncLocalStorage<JobScope>();

/** Runs `fn` as the processor of job `job`: `currentJob()` answers it in everything `fn` starts. */
export function runInJobScope<T>(job: JobScope, fn: () => T): T {
  return scope.run(job, fn);
}

/** The job whose processor is running here, or undefined outside any (intake, the queue itself, HTTP). */
export function currentJob(): JobScope | undefined {
  return scope.getStore();
}

/** Runs `fn` outside any job (the queue's own work: its polls and batched completions belong to no job). */
export function outsideJobScope<T>(fn: () => T): T {
  return scope.exit(fn);
}

/**
 * A job's last statement can mark the job completed itself, which saves the queue's completion statement: `sql` is a
 * CTE body (`update jobs ... returning id`) to add to that statement, and `done(held)` must be called with whether it
 * returned a row, once the statement ran (and committed, if in a transaction). Only for the job named `name` when
 * that is the job running here (never another job that happens to call the same code), and only when the runner
 * allows it; undefined otherwise (the queue completes the job as usual). Nothing may fail after that statement: a
 * job marked completed is not retried. Its time is the real time, as the queue's own completion writes it.
 */
export function selfCompletion(
  name: string,
  /** A further condition of the completion (SQL on the statement's other CTEs, e.g. that its update found its row). */
  onlyIf?: string,
): { sql: string; bindings: Record<string, Date | string>; done: (held: boolean) => void } | undefined {
  const job = scope.getStore();
  if (!job || job.name !== name || job.owner === undefined || job.completed !== undefined) return undefined;
  return {
    // Named bindings (knex's `:name`), so the statement it joins may use its own.
    sql:
      `update jobs set status = 'completed', completed_at = :selfCompletedAt, updated_at = :selfCompletedAt,` +
      ` locked_by = null, locked_until = null` +
      ` where id = :selfJobId and status = 'running' and locked_by = :selfJobOwner` +
      `${onlyIf ? ` and ${onlyIf}` : ''} returning id`,
    bindings: { selfCompletedAt: new Date(), selfJobId: job.id, selfJobOwner: job.owner },
    done: (held) => {
      job.completed = held;
    },
  };
}

/**
 * The running job when it is named `name` and may complete itself (as for selfCompletion), to be completed by a later
 * statement that serves it (selfCompletionOf), e.g. a chat delivery that shows its item with other jobs' items.
 */
export function completableJob(name: string): JobScope | undefined {
  const job = scope.getStore();
  return job && job.name === name && job.owner !== undefined && job.completed === undefined ? job : undefined;
}

/**
 * selfCompletion for several running jobs (each from completableJob, in this process), in one CTE body: `done(held)`
 * with the ids it returned, once the statement ran. The same rule holds for each job: nothing of it may fail after
 * that statement.
 */
export function selfCompletionOf(
  jobs: JobScope[],
): { sql: string; bindings: Record<string, Date | string>; done: (held: Set<string>) => void } | undefined {
  const open = [
    ...new Map(jobs.filter((j) => j.owner !== undefined && j.completed === undefined).map((j) => [j.id, j])).values(),
  ];
  if (!open.length) return undefined;
  return {
    sql:
      `update jobs set status = 'completed', completed_at = :selfCompletedAt, updated_at = :selfCompletedAt,` +
      ` locked_by = null, locked_until = null` +
      ` where status = 'running' and (id, locked_by) in` +
      ` (select t.id, t.owner from jsonb_to_recordset(cast(:selfJobs as jsonb)) as t(id text, owner text)) returning id`,
    bindings: {
      selfCompletedAt: new Date(),
      selfJobs: JSON.stringify(open.map((j) => ({ id: j.id, owner: j.owner }))),
    },
    done: (held) => {
      for (const j of open) j.completed = held.has(j.id);
    },
  };
}
