// Bench: 10,000 pending timers due over a short window, on each queue available; prints timer lateness p50/p99.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { openDatabase, type Database } from '../src/adapters/db/database.js';
import { createJobQueue } from '../src/adapters/queue/index.js';
import { createLogger } from '../src/logger.js';

export interface BenchTimersOptions {
  /** Which queue: the in-process Postgres queue, or BullMQ (needs redisUrl). */
  kind: 'postgres' | 'bullmq';
  /** Postgres to run on (a fresh schema, dropped after); embedded PGlite in memory when unset. */
  databaseUrl?: string;
  redisUrl?: string;
  /** Timers to schedule. Default 10,000. */
  count?: number;
  /** The due times are spread evenly over this window. Default 10 s. */
  windowMs?: number;
  /** The first timer is due this long after the bench starts scheduling (room to enqueue them all). Default 20 s. */
  leadMs?: number;
  /** Jobs each queue runs at once (default: the app's default). */
  concurrency?: number;
  /** Print the figures (default true). */
  print?: boolean;
}

export interface BenchTimersResult {
  implementation: string;
  count: number;
  /** Timers that fired before the bench gave up waiting. */
  fired: number;
  /** Lateness (start − due) in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Timers that started before their time (should be 0). */
  early: number;
  /** Timers that started more than once (should be 0). */
  duplicates: number;
  /** How long scheduling all of them took. */
  enqueueMs: number;
  /** Scheduling outlasted the lead, so the first timers fired while the rest were still being scheduled. */
  overlapped: boolean;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Schedules `count` timers on one queue implementation and measures how late each one starts. */
export async function benchTimers(opts: BenchTimersOptions): Promise<BenchTimersResult> {
  const count = opts.count ?? 10_000;
  const windowMs = opts.windowMs ?? 10_000;
  const leadMs = opts.leadMs ?? 20_000;
  if (opts.kind === 'bullmq' && !opts.redisUrl) throw new Error('benchTimers: the bullmq queue needs redisUrl');
  const runId = randomUUID().replace(/-/g, '');
  const schema = `bench_${runId}`;
  const db: Database = opts.databaseUrl
    ? await openDatabase({ url: opts.databaseUrl, schema, poolMax: 20 })
    : await openDatabase({ dataDir: ':memory:' });
  await db.migrate();
  const logger = createLogger({ level: 'warn', format: 'json' });
  const prefix = `bench_${runId}`;
  const queue = await createJobQueue({
    knex: db.knex,
    redisUrl: opts.kind === 'bullmq' ? opts.redisUrl : undefined,
    logger,
    prefix,
    concurrency: opts.concurrency,
  });
  const implementation = `${opts.kind} queue on ${db.kind === 'pglite' ? 'PGlite' : 'PostgreSQL'}`;

  const lateness = new Map<string, number>();
  let duplicates = 0;
  queue.register({
    name: 'bench_timer',
    schema: z.object({ due: z.number() }),
    attempts: 1,
    process: async (payload, ctx) => {
      if (lateness.has(ctx.jobId)) duplicates++;
      lateness.set(ctx.jobId, Date.now() - payload.due);
    },
  });
  await queue.start();

  try {
    const t0 = Date.now();
    const first = t0 + leadMs;
    const step = windowMs / count;
    let next = 0;
    // Several enqueues in flight, as concurrent use cases would do; PGlite serialises them on its one connection.
    const workers = Array.from({ length: db.kind === 'pglite' ? 1 : 20 }, async () => {
      while (next < count) {
        const i = next++;
        const due = Math.round(first + i * step);
        await queue.enqueue('bench_timer', { due }, { jobId: `bench-${i}`, runAt: new Date(due) });
      }
    });
    await Promise.all(workers);
    const enqueueMs = Date.now() - t0;

    const giveUpAt = first + windowMs + 60_000;
    while (lateness.size < count && Date.now() < giveUpAt) await sleep(100);
    await sleep(500);

    const values = [...lateness.values()];
    const result: BenchTimersResult = {
      implementation,
      count,
      fired: lateness.size,
      p50Ms: percentile(values, 50),
      p99Ms: percentile(values, 99),
      maxMs: values.length ? Math.max(...values) : NaN,
      early: values.filter((v) => v < 0).length,
      duplicates,
      enqueueMs,
      overlapped: enqueueMs > leadMs,
    };
    if (opts.print !== false) printResult(result, windowMs);
    return result;
  } finally {
    await queue.stop(5000);
    if (opts.kind === 'bullmq' && opts.redisUrl) {
      const redis = new Redis(opts.redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
      redis.disconnect();
    }
    if (db.kind === 'postgres') await db.knex.raw('drop schema if exists ?? cascade', [schema]);
    await db.close();
  }
}

function printResult(r: BenchTimersResult, windowMs: number): void {
  console.log(
    `timers (${r.implementation}): ${r.fired}/${r.count} fired over ${windowMs / 1000} s, ` +
      `lateness p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms; ` +
      `early ${r.early}, duplicates ${r.duplicates}; scheduling took ${r.enqueueMs} ms` +
      (r.overlapped ? ' (longer than the lead: the first timers fired while the rest were being scheduled)' : ''),
  );
}

/** Runs the timer bench on every implementation the environment offers: Postgres always, BullMQ when REDIS_URL is set. */
export async function benchAllTimers(
  env: NodeJS.ProcessEnv = process.env,
  opts: Partial<BenchTimersOptions> = {},
): Promise<BenchTimersResult[]> {
  const databaseUrl = env.DATABASE_URL || undefined;
  const redisUrl = env.REDIS_URL || undefined;
  const results = [await benchTimers({ ...opts, kind: 'postgres', databaseUrl })];
  if (redisUrl) results.push(await benchTimers({ ...opts, kind: 'bullmq', databaseUrl, redisUrl }));
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchAllTimers().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
