// What the BullMQ queue arms from Postgres: at start every pending row, and at each sweep the rows Redis may not know.
import type { Knex } from 'knex';
import type { Logger } from '../../logger.js';
import { listPendingJobs, releaseExpiredLocks, toDate, type JobRow } from './job-store.js';
import { OVERDUE_GRACE_MS } from './bullmq-wakes.js';

/** A row as the queue arms it: which job, when, and the attempts it had (they make the wake's id). */
export type ArmedJob = { id: string; name: string; runAt: Date; attempts: number };
type Arm = (jobs: ArmedJob[]) => Promise<void>;

const REARM_PAGE = 500;

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

/** At start: every pending row is armed, page by page, after the expired locks are released. */
export async function rearmPending(knex: Knex, arm: Arm, logger: Logger): Promise<void> {
  await releaseExpired(knex, arm, logger);
  let count = 0;
  let after: JobRow | undefined;
  for (;;) {
    const page = await listPendingJobs(knex, {
      afterRunAt: after ? toDate(after.run_at) : undefined,
      afterId: after?.id,
      limit: REARM_PAGE,
    });
    if (!page.length) break;
    await arm(page.map(armOf));
    count += page.length;
    after = page[page.length - 1];
    if (page.length < REARM_PAGE) break;
  }
  if (count) logger.info({ count }, 're-armed pending jobs and timers from Postgres');
}

/**
 * A sweep: released locks, and pending rows overdue by OVERDUE_GRACE_MS (committed but never announced, run here by
 * a process that died before claiming them, or a lost retry's announcement) armed again; a duplicate is ignored.
 */
export async function sweepOverdue(knex: Knex, arm: Arm, logger?: Logger): Promise<void> {
  await releaseExpired(knex, arm, logger);
  const overdue = await listPendingJobs(knex, {
    dueBefore: new Date(Date.now() - OVERDUE_GRACE_MS),
    limit: REARM_PAGE,
  });
  await arm(overdue.map(armOf));
}
