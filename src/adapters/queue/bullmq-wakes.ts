// What the BullMQ queue puts in Redis: a wake-up for a row of `jobs`, never the job itself.

/** What a BullMQ job carries: which row to run and the run_at it was armed for. Never the payload (Postgres has it). */
export type Wake = { id: string; armedFor: number };

/**
 * The BullMQ job id of a pending row: the same for the same row state, so announcing it twice is a no-op; new when
 * the row moves on (a retry's later run_at, a revived job, or a job released from a dead worker, whose old BullMQ
 * job may sit stalled in Redis for a while). BullMQ forbids ':' in custom ids, hence the encoding.
 */
export function bullJobId(id: string, runAt: Date, attempts: number): string {
  return `${encodeURIComponent(id)}@${runAt.getTime()}.${attempts}`;
}

/** A pending job this overdue is re-announced to Redis by the sweep (a duplicate is ignored by BullMQ). */
export const OVERDUE_GRACE_MS = 2000;
/**
 * How often an overdue job gets a wake of its own again. Its first wake can be stuck "active" in Redis, taken by a
 * worker that was killed before it claimed the row; BullMQ ignores an id it still holds until its stalled-job check
 * (30 to 60 s), so a re-arm with the same id would wait that long. A wake is only a nudge (the claim in Postgres
 * decides who runs the row), so an extra one at most once a minute per overdue job costs one claim statement.
 */
export const OVERDUE_REWAKE_MS = 60_000;

/**
 * The BullMQ job that wakes a worker for `job` at its time (`now` is when it is added); an overdue job's id carries the
 * minute, so a start or a sweep re-arming it is not ignored because of a stuck earlier wake (OVERDUE_REWAKE_MS).
 */
export function wakeOf(job: { id: string; name: string; runAt: Date; attempts: number }, now: number) {
  const overdue = job.runAt.getTime() <= now - OVERDUE_GRACE_MS;
  const id = bullJobId(job.id, job.runAt, job.attempts);
  return {
    name: job.name,
    data: { id: job.id, armedFor: job.runAt.getTime() } satisfies Wake,
    opts: {
      jobId: overdue ? `${id}~${Math.floor(now / OVERDUE_REWAKE_MS)}` : id,
      delay: Math.max(0, job.runAt.getTime() - now),
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: true,
    },
  };
}
