// Builds the job queue from configuration: BullMQ when REDIS_URL is set, else the in-process scheduler on Postgres.
// BullMQ and ioredis are loaded only when REDIS_URL is set: a process without Redis never holds their modules.
import type { Knex } from 'knex';
import type { Logger } from '../../logger.js';
import type { AppMetrics } from '../../metrics.js';
import type { JobQueue } from '../../jobs/job-queue.js';
import { PostgresJobQueue } from './postgres-queue.js';

export interface CreateJobQueueOptions {
  knex: Knex;
  /** REDIS_URL: when set, BullMQ; otherwise the in-process scheduler persisted in Postgres. */
  redisUrl?: string;
  logger: Logger;
  metrics?: AppMetrics;
  /** Redis key prefix for BullMQ (default `bull`). */
  prefix?: string;
  concurrency?: number;
  /** Slots of the background lane (investigations); a sixth of `concurrency` when unset (job-runner.ts laneSlots). */
  backgroundConcurrency?: number;
  /** Urgent jobs that gave their slot back a slot, at most (runner-deps.ts releasedLimitOf). */
  urgentReleasedPerSlot?: number;
  /** Postgres queue: longest sleep between polls. BullMQ: how often Postgres is swept for unannounced jobs. */
  pollIntervalMs?: number;
}

/** The app's queue. Call register() for every job kind, then start(); stop() at shutdown. */
export async function createJobQueue(opts: CreateJobQueueOptions): Promise<JobQueue> {
  if (opts.redisUrl) {
    const { BullJobQueue } = await import('./bullmq-queue.js');
    return new BullJobQueue({
      knex: opts.knex,
      redisUrl: opts.redisUrl,
      logger: opts.logger,
      metrics: opts.metrics,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      backgroundConcurrency: opts.backgroundConcurrency,
      urgentReleasedPerSlot: opts.urgentReleasedPerSlot,
      sweepIntervalMs: opts.pollIntervalMs,
    });
  }
  return new PostgresJobQueue({
    knex: opts.knex,
    logger: opts.logger,
    metrics: opts.metrics,
    concurrency: opts.concurrency,
    backgroundConcurrency: opts.backgroundConcurrency,
    urgentReleasedPerSlot: opts.urgentReleasedPerSlot,
    pollIntervalMs: opts.pollIntervalMs,
  });
}
