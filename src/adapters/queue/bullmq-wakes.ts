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

/** The BullMQ job that wakes a worker for `job` at its time (`now` is when it is added). */
export function wakeOf(job: { id: string; name: string; runAt: Date; attempts: number }, now: number) {
  return {
    name: job.name,
    data: { id: job.id, armedFor: job.runAt.getTime() } satisfies Wake,
    opts: {
      jobId: bullJobId(job.id, job.runAt, job.attempts),
      delay: Math.max(0, job.runAt.getTime() - now),
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: true,
    },
  };
}
