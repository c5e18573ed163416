// The options of the BullMQ queue (bullmq-queue.ts).
import type { Knex } from 'knex';
import type { Logger } from '../../logger.js';
import type { AppMetrics } from '../../metrics.js';

export interface BullQueueOptions {
  knex: Knex;
  redisUrl: string;
  logger: Logger;
  metrics?: AppMetrics;
  /** Redis key prefix (default `bull`); tests use a fresh one each. */
  prefix?: string;
  /** BullMQ queue name (default `copilot`), the normal lane's; the other lanes' add `-urgent` and `-background`. */
  queueName?: string;
  /** Jobs run at once by this instance in each of the urgent and normal lanes (default DEFAULT_CONCURRENCY, 50). */
  concurrency?: number;
  /** Jobs of the background lane run at once (default: laneSlots). */
  backgroundConcurrency?: number;
  /** Urgent jobs that gave their slot back a slot, at most (runner-deps.ts releasedLimitOf). */
  urgentReleasedPerSlot?: number;
  /**
   * How often to look in Postgres for what Redis may not know (default 5000 ms): rows committed but never
   * announced, retries whose announcement was lost, jobs of a replica that died mid-run, and timers that came within
   * the arming horizon (three of these intervals, at least 15 s: bullmq-rearm.ts).
   */
  sweepIntervalMs?: number;
  /** How long a claim holds without renewal before another replica may take the job over (default 30 s). */
  lockMs?: number;
}
