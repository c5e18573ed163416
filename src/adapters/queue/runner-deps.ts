// What a queue instance runs its jobs with (RunnerDeps): the lanes' released-slot limits and one lock renewal a tick
// for every job it runs, shared by the Postgres and BullMQ queues.
import type { Knex } from 'knex';
import type { Logger } from '../../logger.js';
import type { AppMetrics } from '../../metrics.js';
import type { JobDefinition, JobLane } from '../../jobs/job-queue.js';
import { outsideJobScope } from '../../jobs/job-scope.js';
import { extendLocks } from './job-store.js';
import { createCompletionRecorder, type RunnerDeps } from './job-runner.js';
import { yieldToUrgent } from './urgent-gate.js';
/**
 * Jobs of the normal and urgent lanes that may have given their slot back (RunnerDeps.released), per slot; the
 * background lane, one per slot. A burst of investigations finishing asks for the same few alerts-channel messages a
 * thousand times, and a storm's escalation notes for the same notice message: each ask waits for a message paced at
 * one a second, and with one released job per slot the asks filled the normal lane, so the last briefings of a
 * 1,000-page burst waited 50-80 s behind them (30-35 s with ten). The urgent lane likewise: a storm pages one person
 * for every incident, and the pages wait for that person's DM (one message a second, fifteen pages a message); with
 * one per slot they held every urgent slot, so the incidents paged after them were not opened until the DM caught up
 * (the 1,000-page bench's opening p99 went from 4-10 s to 3.0-3.6 s with ten; with Slack not answering, never). A
 * released job costs a promise and its share of one lock-renewal statement a tick (createLockRenewer).
 */
export const NORMAL_RELEASED_PER_SLOT = 10;
/** The urgent lane's, per slot (see above). */
export const URGENT_RELEASED_PER_SLOT = 10;
/**
 * The urgent lane's on the embedded database (PGlite): its one connection serves the jobs one statement at a time, so
 * the jobs the freed slots let in wait in memory; with ten a slot the embedded default's peak in the 1,000-page burst
 * was 470 MB (target 400), with four 401 MB.
 */
export const EMBEDDED_URGENT_RELEASED_PER_SLOT = 2;

/**
 * How many of a lane's jobs may have given their slot back at once, for `slots` slots (NORMAL_RELEASED_PER_SLOT;
 * the urgent lane `urgentPerSlot` a slot, default URGENT_RELEASED_PER_SLOT).
 */
export function releasedLimitOf(lane: JobLane, slots: number, urgentPerSlot = URGENT_RELEASED_PER_SLOT): number {
  return slots * (lane === 'normal' ? NORMAL_RELEASED_PER_SLOT : lane === 'urgent' ? urgentPerSlot : 1);
}

/** No job released yet, at most releasedLimitOf each lane's slots. */
export function releasedSlots(
  slots: Record<JobLane, number>,
  urgentPerSlot?: number,
): NonNullable<RunnerDeps['released']> {
  return {
    count: { urgent: 0, normal: 0, background: 0 },
    limit: {
      urgent: releasedLimitOf('urgent', slots.urgent, urgentPerSlot),
      normal: releasedLimitOf('normal', slots.normal),
      background: releasedLimitOf('background', slots.background),
    },
  };
}

/**
 * Renews the locks of every job this queue instance runs in ONE statement a tick (a third of `lockMs`), instead of a
 * statement per job: with hundreds of jobs waiting for a paced Slack message, the per-job renewals were a tenth of a
 * burst's statements. `hold(id)` adds a running job; the function it returns drops it. The timer runs only while a job
 * is held. A job's claim sets its lock for `lockMs`, so its first renewal, at the next tick, comes in time.
 */
export function createLockRenewer(
  knex: Knex,
  owner: string,
  lockMs: number,
  logger: Logger,
): (id: string) => () => void {
  // How many runs of each job hold it: the same id can run twice here at once (its lock lapsed while the database was
  // out of reach, it went back to pending and this instance took it again), and the first run's end must not stop the
  // second's renewals.
  const held = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const ids = [...held.keys()];
    for (let i = 0; i < ids.length; i += RENEW_BATCH)
      outsideJobScope(() => extendLocks(knex, ids.slice(i, i + RENEW_BATCH), owner, lockMs)).catch((err: unknown) =>
        logger.warn({ err, jobs: ids.length }, 'could not extend job locks'),
      );
  };
  return (id) => {
    held.set(id, (held.get(id) ?? 0) + 1);
    if (!timer) {
      timer = setInterval(tick, Math.max(50, Math.floor(lockMs / 3)));
      timer.unref();
    }
    let dropped = false;
    return () => {
      if (dropped) return;
      dropped = true;
      const runs = (held.get(id) ?? 1) - 1;
      if (runs > 0) held.set(id, runs);
      else held.delete(id);
      if (!held.size && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  };
}
const RENEW_BATCH = 1000;

/**
 * What a queue instance runs its jobs with: its owner id, completions coalesced per turn, its lock time (default 30 s),
 * investigations yielding to urgent statements (urgent-gate.ts), the lanes' released slots and one lock renewal a tick.
 */
export function runnerDepsOf(opts: {
  knex: Knex;
  logger: Logger;
  metrics?: AppMetrics;
  owner: string;
  lockMs?: number;
  definitions: ReadonlyMap<string, JobDefinition<unknown>>;
  slots: Record<JobLane, number>;
  /** Released urgent jobs a slot (releasedLimitOf; default URGENT_RELEASED_PER_SLOT). */
  urgentReleasedPerSlot?: number;
}): RunnerDeps {
  const lockMs = Math.max(100, opts.lockMs ?? 30_000);
  return {
    knex: opts.knex,
    logger: opts.logger,
    metrics: opts.metrics,
    owner: opts.owner,
    complete: createCompletionRecorder(opts.knex, opts.owner),
    lockMs,
    definitions: opts.definitions,
    startedAt: Date.now(),
    yieldToUrgent: () => yieldToUrgent(opts.knex),
    released: releasedSlots(opts.slots, opts.urgentReleasedPerSlot),
    renewLock: createLockRenewer(opts.knex, opts.owner, lockMs, opts.logger),
  };
}
