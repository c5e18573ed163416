// What the BullMQ queue arms from Postgres: at start the pending rows due soon, and at each sweep the rows Redis may
// not know (overdue ones) and the timers coming within the arming horizon.
import type { Knex } from 'knex';
import type { Logger } from '../../logger.js';
import { listPendingJobs, releaseExpiredLocks, toDate, type JobRow } from './job-store.js';
import { OVERDUE_GRACE_MS } from './bullmq-wakes.js';

/** A row as the queue arms it: which job, when, and the attempts it had (they make the wake's id). */
export type ArmedJob = { id: string; name: string; runAt: Date; attempts: number };
type Arm = (jobs: ArmedJob[]) => Promise<void>;

const REARM_PAGE = 500;
/** The arming horizon at least (armHorizonOf). */
export const MIN_ARM_HORIZON_MS = 15_000;

/**
 * How far ahead a job gets its Redis wake: three sweeps, and at least MIN_ARM_HORIZON_MS. A timer further away (an
 * escalation's next step, a reinvestigation, an opening's guard) is armed by the sweep that finds it within the
 * horizon, two sweeps or more before it is due, so it still wakes a worker at its time; most are cancelled before
 * (the page acknowledged, the incident opened) and never cost Redis an add and a removal.
 */
export function armHorizonOf(sweepIntervalMs: number): number {
  return Math.max(MIN_ARM_HORIZON_MS, 3 * sweepIntervalMs);
}

export const armOf = (r: JobRow): ArmedJob => ({
  id: r.id,
  name: r.name,
  runAt: toDate(r.run_at),
  attempts: r.attempts,
});

/** Jobs of a stopped worker (lock expired) go back to pending and are armed. */
async function releaseExpired(knex: Knex, arm: Arm, logger?: Logger): Promise<void> {
  const released = await releaseExpiredLocks(knex);
  if (released.length) {
    logger?.warn({ count: released.length }, 'jobs of a stopped worker go back to pending');
    await arm(released.map(armOf));
  }
}

/** Arms every pending row due before `dueBefore` (from `from`, when given), page by page; returns how many. */
async function armPending(knex: Knex, arm: Arm, dueBefore: Date, from?: Date): Promise<number> {
  let count = 0;
  let after: { runAt: Date; id: string } | undefined = from ? { runAt: from, id: '' } : undefined;
  for (;;) {
    const page = await listPendingJobs(knex, {
      afterRunAt: after?.runAt,
      afterId: after?.id,
      dueBefore,
      limit: REARM_PAGE,
    });
    if (!page.length) break;
    await arm(page.map(armOf));
    count += page.length;
    const last = page[page.length - 1]!;
    after = { runAt: toDate(last.run_at), id: last.id };
    if (page.length < REARM_PAGE) break;
  }
  return count;
}

/**
 * At start: every pending row due within the horizon is armed, after the expired locks are released. Returns the
 * mark up to which timers are armed, where the first sweep goes on from.
 */
export async function rearmPending(knex: Knex, arm: Arm, logger: Logger, horizonMs: number): Promise<Date> {
  await releaseExpired(knex, arm, logger);
  const armedUntil = new Date(Date.now() + horizonMs);
  const count = await armPending(knex, arm, armedUntil);
  if (count) logger.info({ count }, 're-armed pending jobs and timers from Postgres');
  return armedUntil;
}

/**
 * A sweep: released locks; pending rows overdue by OVERDUE_GRACE_MS (committed but never announced, run here by a
 * process that died before claiming them, or a lost retry's announcement) armed again; and the timers due between
 * the mark the sweep before reached (`armedUntil`, less OVERDUE_GRACE_MS for rows committed late) and the horizon.
 * Returns the new mark; a sweep that fails returns none, so the next one arms from the old mark: a late or failed
 * sweep leaves no gap however late it is. BullMQ ignores a wake it already holds.
 */
export async function sweepPending(
  knex: Knex,
  arm: Arm,
  opts: { horizonMs: number; armedUntil: Date; logger?: Logger },
): Promise<Date> {
  await releaseExpired(knex, arm, opts.logger);
  const now = Date.now();
  const overdue = await listPendingJobs(knex, { dueBefore: new Date(now - OVERDUE_GRACE_MS), limit: REARM_PAGE });
  await arm(overdue.map(armOf));
  const armedUntil = new Date(now + opts.horizonMs);
  await armPending(knex, arm, armedUntil, new Date(opts.armedUntil.getTime() - OVERDUE_GRACE_MS));
  return armedUntil;
}
