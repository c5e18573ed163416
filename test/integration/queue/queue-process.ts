// A queue replica in its own process, for the restart tests: it records every run in Postgres so a test can count them.
import pino from 'pino';
import { z } from 'zod';
import { openDatabase } from '../../../src/adapters/db/database.js';
import { BullJobQueue } from '../../../src/adapters/queue/bullmq-queue.js';
import { PostgresJobQueue } from '../../../src/adapters/queue/postgres-queue.js';
import type { JobQueue } from '../../../src/jobs/job-queue.js';

/** What the parent test passes as the one argument (JSON). */
export interface ReplicaArgs {
  kind: 'postgres' | 'bullmq';
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  prefix: string;
  lockMs: number;
  enqueue?: { jobId: string; delayMs: number; hangOnFirstAttempt?: boolean };
}

const args = JSON.parse(process.argv[2] ?? '{}') as ReplicaArgs;
const logger = pino({ level: 'silent' });
const db = await openDatabase({ url: args.databaseUrl, schema: args.schema, poolMax: 4 });
const queue: JobQueue =
  args.kind === 'bullmq'
    ? new BullJobQueue({
        knex: db.knex,
        redisUrl: args.redisUrl,
        logger,
        prefix: args.prefix,
        lockMs: args.lockMs,
        sweepIntervalMs: 200,
      })
    : new PostgresJobQueue({ knex: db.knex, logger, lockMs: args.lockMs, pollIntervalMs: 200 });

queue.register({
  name: 'record',
  schema: z.object({ hangOnFirstAttempt: z.boolean().default(false) }),
  process: async (payload, ctx) => {
    await db
      .knex('queue_runs')
      .insert({ job_id: ctx.jobId, pid: process.pid, attempt: ctx.attempt, late_by_ms: ctx.lateByMs, at: new Date() });
    // Stands for a replica that dies in the middle of a job: the test kills this process while it waits here.
    if (payload.hangOnFirstAttempt && ctx.attempt === 1) await new Promise(() => {});
  },
});

if (args.enqueue) {
  await queue.enqueue(
    'record',
    { hangOnFirstAttempt: args.enqueue.hangOnFirstAttempt ?? false },
    { jobId: args.enqueue.jobId, delayMs: args.enqueue.delayMs },
  );
}
await queue.start();
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
process.on('SIGTERM', () => {
  void queue
    .stop(2000)
    .then(() => db.close())
    .then(() => process.exit(0));
});
