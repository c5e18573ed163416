// The job-queue contract on the BullMQ queue over a real Redis and a real Postgres (fresh prefix and schema per test).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../../../src/adapters/db/database.js';
import { Queue, Worker } from 'bullmq';
import { BullJobQueue } from '../../../src/adapters/queue/bullmq-queue.js';
import { OVERDUE_GRACE_MS, bullJobId, wakeOf } from '../../../src/adapters/queue/bullmq-wakes.js';
import { MIN_ARM_HORIZON_MS } from '../../../src/adapters/queue/bullmq-rearm.js';
import { LOCAL_WAIT_MS } from '../../../src/adapters/queue/lane-gate.js';
import { RateLimitedError } from '../../../src/errors.js';
import { runQueueContract } from '../../helpers/queue-contract.js';
import { waitFor } from '../../helpers/wait-for.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
}

/** A fresh schema (migrated) and Redis prefix, and what removes both. */
async function freshStore() {
  const id = randomUUID().replace(/-/g, '');
  const schema = `test_${id}`;
  const prefix = `test_${id}`;
  const db = await openDatabase({ url: DATABASE_URL, schema });
  await db.migrate();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
  const cleanup = async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await db.knex.raw('drop schema if exists ?? cascade', [schema]);
    await db.close();
  };
  return { db, redis, prefix, cleanup };
}

runQueueContract('BullMQ queue on Redis and PostgreSQL', async () => {
  const { db, redis, prefix, cleanup } = await freshStore();
  return {
    knex: db.knex,
    makeQueue: (opts) =>
      new BullJobQueue({
        knex: db.knex,
        redisUrl: REDIS_URL,
        logger,
        prefix,
        sweepIntervalMs: 200,
        lockMs: 2000,
        ...opts,
      }),
    loseBroker: async () => {
      expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThan(0);
      await deleteKeys(redis, prefix);
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    },
    cleanup,
  };
});

/**
 * A fresh schema and Redis prefix, and `make()` for BullMQ queues on them with an urgent `record` job that notes its
 * `n` in `ran`; their sweep is an hour away, so only a start, an announcement or a hand-off arms a job.
 */
async function recordingQueues() {
  const { db, redis, prefix, cleanup } = await freshStore();
  const ran: number[] = [];
  const make = () => {
    const q = new BullJobQueue({ knex: db.knex, redisUrl: REDIS_URL, logger, prefix, sweepIntervalMs: 3_600_000 });
    q.register({
      name: 'record',
      lane: 'urgent',
      schema: z.object({ n: z.number() }),
      process: async (p) => void ran.push(p.n),
    });
    return q;
  };
  return { db, redis, prefix, ran, make, cleanup };
}

describe('BullMQ queue: a queue that runs no jobs (the web role) hands new jobs to a started one', () => {
  it('one RPUSH a turn instead of an addBulk; the started queue takes it at once and runs the jobs (not its sweep)', async () => {
    // A sweep an hour away: only the hand-off can arm what the web queue records.
    const { redis, prefix, ran, make, cleanup } = await recordingQueues();
    const web = make();
    const worker = make();
    try {
      await worker.start();
      // Recorded on the web queue: three in one turn make one hand-off, a fourth in another turn a second.
      await Promise.all([1, 2, 3].map((n) => web.enqueue('record', { n }, { jobId: `record-${n}` })));
      await new Promise((r) => setImmediate(r));
      await web.enqueue('record', { n: 4 }, { jobId: 'record-4' });
      await waitFor('the four jobs run by the started queue', () => ran.length === 4, 10_000, 20);
      expect([...ran].sort()).toEqual([1, 2, 3, 4]);
      // A job's handler returns before its row is marked completed: wait for the row, not the handler.
      await waitFor('the four jobs recorded completed', async () => {
        const rows = await Promise.all([1, 2, 3, 4].map((n) => worker.get(`record-${n}`)));
        return rows.every((r) => r?.status === 'completed');
      });
      expect(await redis.llen(`${prefix}:copilot:handoff`)).toBe(0);

      // Redis is shared: what a hand-off holds that is not a job is skipped, alone; the jobs beside it run at once.
      // The row recorded by a queue already stopped (it announces nothing): only the hand-off below can arm it.
      const silent = make();
      await silent.stop(1000);
      await silent.enqueue('record', { n: 6 }, { jobId: 'record-6' });
      await redis.rpush(
        `${prefix}:copilot:handoff`,
        'not json',
        JSON.stringify([
          ['bogus', 'record', 'not-a-date', 0],
          ['record-6', 'record', Date.now(), 0],
        ]),
      );
      await waitFor('the job beside a bad entry run', () => ran.includes(6), 5000, 20);
      expect(ran.filter((n) => n === 6)).toHaveLength(1);

      // With no started queue, a hand-off waits in Redis (bounded) and the web queue adds no BullMQ job itself.
      await worker.stop(5000);
      await web.enqueue('record', { n: 5 }, { jobId: 'record-5' });
      await waitFor(
        'the hand-off recorded',
        async () => (await redis.llen(`${prefix}:copilot:handoff`)) === 1,
        5000,
        20,
      );
      const [message] = await redis.lrange(`${prefix}:copilot:handoff`, 0, -1);
      expect(JSON.parse(message!)).toEqual([['record-5', 'record', expect.any(Number), 0]]);
      expect(await redis.keys(`${prefix}:copilot-urgent:record-5*`)).toEqual([]);
      // A queue started later arms it (from Postgres at start, and the hand-off is taken too: a duplicate is ignored).
      const next = make();
      try {
        await next.start();
        await waitFor('the fifth job run', () => ran.includes(5), 10_000, 20);
        await waitFor(
          'the hand-off taken',
          async () => (await redis.llen(`${prefix}:copilot:handoff`)) === 0,
          5000,
          20,
        );
        expect(ran.filter((n) => n === 5)).toHaveLength(1);
      } finally {
        await next.stop(5000);
      }
    } finally {
      await web.stop(5000);
      await worker.stop(5000);
      await cleanup();
    }
  }, 60_000);
});

describe('BullMQ queue: a wake stuck in a killed worker', () => {
  it('does not hold its job: a start re-arms the overdue row under a new id and runs it at once', async () => {
    const { db, redis, prefix, ran, make, cleanup } = await recordingQueues();
    const lane = new Queue('copilot-urgent', { connection: redis, prefix });
    // A worker that takes the wake and dies before it claims the row (its processor never returns; its connection cut).
    const dying = new Worker('copilot-urgent', () => new Promise<void>(() => {}), {
      connection: { url: REDIS_URL, maxRetriesPerRequest: null },
      prefix,
      lockDuration: 60_000,
    });
    const recorder = make();
    let next: BullJobQueue | undefined;
    try {
      await recorder.enqueue('record', { n: 1 }, { jobId: 'stuck-1' });
      await redis.del(`${prefix}:copilot:handoff`);
      const row = (await db.knex('jobs').where({ id: 'stuck-1' }).first()) as { run_at: Date };
      const wake = wakeOf({ id: 'stuck-1', name: 'record', runAt: new Date(row.run_at), attempts: 0 }, Date.now());
      await lane.add(wake.name, wake.data, wake.opts);
      await waitFor(
        'the wake taken by the dying worker',
        async () => (await lane.getJobState(wake.opts.jobId)) === 'active',
        10_000,
        20,
      );
      await dying.disconnect();
      await new Promise((r) => setTimeout(r, OVERDUE_GRACE_MS + 200));
      // Its row is still pending and overdue; the stuck wake's id is still held by BullMQ (for 30 to 60 s).
      expect((await db.knex('jobs').where({ id: 'stuck-1' }).first()).status).toBe('pending');
      next = make();
      await next.start();
      await waitFor('the job run by the new start', () => ran.includes(1), 5000, 20);
      expect(ran).toEqual([1]);
    } finally {
      await next?.stop(5000);
      await recorder.stop(5000);
      await dying.close(true).catch(() => {});
      await lane.close();
      await cleanup();
    }
  }, 60_000);
});

describe('BullMQ queue: a rate-limited job waits under the wake its row names', () => {
  it('rescheduled without spending an attempt, its wake has the row attempts, so cancel removes it', async () => {
    const { db, redis, prefix, cleanup } = await recordingQueues();
    const lane = new Queue('copilot-urgent', { connection: redis, prefix });
    const q = new BullJobQueue({ knex: db.knex, redisUrl: REDIS_URL, logger, prefix, sweepIntervalMs: 3_600_000 });
    q.register({
      name: 'limited',
      lane: 'urgent',
      schema: z.object({ n: z.number() }),
      process: async () => {
        throw new RateLimitedError('slack', 'wait a minute', { retryAfterMs: 60_000 });
      },
    });
    try {
      await q.start();
      await q.enqueue('limited', { n: 1 }, { jobId: 'limited-1' });
      await waitFor(
        'the job rescheduled',
        async () => Boolean((await db.knex('jobs').where({ id: 'limited-1' }).first())?.last_error),
        10_000,
        20,
      );
      const row = (await db.knex('jobs').where({ id: 'limited-1' }).first()) as {
        status: string;
        run_at: Date;
        attempts: number;
      };
      expect(row).toMatchObject({ status: 'pending', attempts: 0 });
      const wakeId = bullJobId('limited-1', new Date(row.run_at), row.attempts);
      await waitFor('its wake armed', async () => (await lane.getJob(wakeId)) !== undefined, 5000, 20);
      expect(await q.cancel('limited-1')).toBe(true);
      expect(await lane.getJob(wakeId)).toBeUndefined();
    } finally {
      await q.stop(5000);
      await lane.close();
      await cleanup();
    }
  }, 60_000);
});

describe('BullMQ queue: a due job recorded by a started queue', () => {
  it('runs here without a wake in a free slot, else waits here up to LOCAL_WAIT_MS and then gets a wake any worker may take; a lane runs at most twice its slots', async () => {
    const { db, redis, prefix, cleanup } = await freshStore();
    const done: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // Three slots in the urgent lane of each queue; each job holds its slot until released.
    const queue = () => {
      const q = new BullJobQueue({ knex: db.knex, redisUrl: REDIS_URL, logger, prefix, concurrency: 3 });
      const counts = { running: 0, most: 0 };
      q.register({
        name: 'hold',
        lane: 'urgent',
        schema: z.object({ n: z.number() }),
        process: async (p) => {
          counts.running++;
          counts.most = Math.max(counts.most, counts.running);
          await held;
          counts.running--;
          done.push(p.n);
        },
      });
      return { q, counts };
    };
    const a = queue();
    const b = queue();
    const wakes = async () => {
      const c = await new Queue('copilot-urgent', { connection: redis, prefix }).getJobCounts();
      return c.active + c.waiting + c.completed + c.delayed;
    };
    const hold = (ns: number[]) => ns.map((n) => ({ name: 'hold', payload: { n }, opts: { jobId: `hold-${n}` } }));
    try {
      await a.q.start();
      await a.q.enqueueMany(hold([1, 2, 3]));
      await waitFor('the first three running', () => a.counts.running === 3, 5000, 20);
      // They run with no wake in Redis: the queue ran them itself.
      expect(await wakes()).toBe(0);
      // Four more while every slot is taken: they wait here first, with no wake.
      const recorded = Date.now();
      await a.q.enqueueMany(hold([4, 5, 6, 7]));
      await new Promise((r) => setTimeout(r, LOCAL_WAIT_MS / 2));
      expect(await wakes()).toBe(0);
      expect(a.counts.running).toBe(3);
      // Then each gets a wake: this queue's worker takes as many as its slots (woken jobs never wait), and the last
      // waits in Redis until another worker with a slot free takes it at once.
      await waitFor('three woken on the busy worker', () => a.counts.running === 6, 5000, 20);
      expect(Date.now() - recorded).toBeGreaterThanOrEqual(LOCAL_WAIT_MS - 50);
      await new Promise((r) => setTimeout(r, 200));
      expect(a.counts.running).toBe(6);
      await b.q.start();
      await waitFor('the last taken by the other worker', () => b.counts.running === 1, 5000, 20);
      release();
      await waitFor('all seven run', () => done.length === 7, 10_000, 20);
      expect([a.counts.most, b.counts.most]).toEqual([6, 1]);
      expect([...done].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      await waitFor('all seven completed', async () => {
        const rows = await db.knex('jobs').where({ status: 'completed' }).count({ n: '*' }).first();
        return Number(rows?.n) === 7;
      });
    } finally {
      release();
      await Promise.all([a.q.stop(5000), b.q.stop(5000)]);
      await cleanup();
    }
  }, 30_000);

  it('arms a timer in Redis only once it comes within the horizon: at once when it does, else by a sweep', async () => {
    const { db, redis, prefix, cleanup } = await freshStore();
    const q = new BullJobQueue({ knex: db.knex, redisUrl: REDIS_URL, logger, prefix, sweepIntervalMs: 200 });
    q.register({ name: 'later', lane: 'urgent', schema: z.object({}), process: async () => {} });
    const delayed = () => new Queue('copilot-urgent', { connection: redis, prefix }).getDelayedCount();
    try {
      await q.start();
      // The horizon is 15 s here (three sweeps of 200 ms, at least MIN_ARM_HORIZON_MS).
      await q.enqueue('later', {}, { jobId: 'soon', delayMs: MIN_ARM_HORIZON_MS - 5000 });
      await q.enqueue('later', {}, { jobId: 'far', delayMs: MIN_ARM_HORIZON_MS + 1500 });
      await q.enqueue('later', {}, { jobId: 'farther', delayMs: 3_600_000 });
      await waitFor('the timer within the horizon armed', async () => (await delayed()) === 1, 5000, 20);
      // The next one comes within it 1.5 s later: a sweep arms it, well before it is due.
      await waitFor('the second armed by a sweep', async () => (await delayed()) === 2, 5000, 50);
      await new Promise((r) => setTimeout(r, 600));
      expect(await delayed()).toBe(2);
      const keys = await redis.keys(`${prefix}:copilot-urgent:far*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(await redis.keys(`${prefix}:copilot-urgent:farther*`)).toEqual([]);
    } finally {
      await q.stop(5000);
      await cleanup();
    }
  }, 30_000);

  it('a sweep held up far longer than its interval leaves no timer unarmed: the next goes on from where the last reached', async () => {
    const { db, redis, prefix, cleanup } = await freshStore();
    const q = new BullJobQueue({ knex: db.knex, redisUrl: REDIS_URL, logger, prefix, sweepIntervalMs: 200 });
    q.register({ name: 'later', lane: 'urgent', schema: z.object({}), process: async () => {} });
    const urgent = new Queue('copilot-urgent', { connection: redis, prefix });
    let release = () => {};
    try {
      await q.start();
      // Due 1.5 s beyond the 15 s horizon: the sweep that finds it within is the one held up here.
      await q.enqueue('later', {}, { jobId: 'far', delayMs: MIN_ARM_HORIZON_MS + 1500 });
      const enqueuedAt = Date.now();
      // A lock on the jobs table holds every sweep (and anything else touching jobs) for 5 s.
      const held = new Promise<void>((r) => (release = r));
      let locked = () => {};
      const lockTaken = new Promise<void>((r) => (locked = r));
      const holder = db.knex.transaction(async (trx) => {
        await trx.raw('lock table jobs in access exclusive mode');
        locked();
        await held;
      });
      await lockTaken;
      await new Promise((r) => setTimeout(r, 5000));
      release();
      await holder;
      // Armed before it is due (it would otherwise be armed only once overdue, OVERDUE_GRACE_MS after its time).
      await waitFor('the timer armed by the late sweep', async () => (await urgent.getDelayedCount()) === 1, 5000, 20);
      expect(Date.now()).toBeLessThan(enqueuedAt + MIN_ARM_HORIZON_MS + 1500);
    } finally {
      release();
      await urgent.close();
      await q.stop(5000);
      await cleanup();
    }
  }, 30_000);

  it('a wake BullMQ hands a stopping worker goes back to wait, and another worker runs its job', async () => {
    const { db, redis, prefix, ran, make, cleanup } = await recordingQueues();
    const lane = new Queue('copilot-urgent', { connection: redis, prefix });
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const a = make();
    a.register({ name: 'hold', lane: 'urgent', schema: z.object({}), process: () => held });
    const recorder = make();
    let b: BullJobQueue | undefined;
    try {
      await a.start();
      // A job of its own keeps a's stop() waiting; its BullMQ worker, idle, is blocked waiting for a wake.
      await a.enqueue('hold', {}, { jobId: 'hold' });
      await waitFor(
        'the held job running',
        async () => (await db.knex('jobs').where({ id: 'hold' }).first())?.status === 'running',
        5000,
        20,
      );
      const stopping = a.stop(10_000);
      // A job recorded elsewhere, its wake arriving as a stops (the hand-off it was given is left aside).
      await recorder.enqueue('record', { n: 1 }, { jobId: 'late' });
      await redis.del(`${prefix}:copilot:handoff`);
      const row = (await db.knex('jobs').where({ id: 'late' }).first()) as { run_at: Date };
      const wake = wakeOf({ id: 'late', name: 'record', runAt: new Date(row.run_at), attempts: 0 }, Date.now());
      await lane.add(wake.name, wake.data, wake.opts);
      // a's blocked fetch takes it; a claims nothing and gives the wake back.
      await waitFor(
        'the wake taken once and back in wait',
        async () => {
          const job = await lane.getJob(wake.opts.jobId);
          return (job?.attemptsStarted ?? 0) >= 1 && (await job?.getState()) === 'waiting';
        },
        5000,
        20,
      );
      release();
      await stopping;
      expect(ran).toEqual([]);
      expect((await db.knex('jobs').where({ id: 'late' }).first()).status).toBe('pending');
      b = make();
      await b.start();
      await waitFor('the job run by the other worker', () => ran.includes(1), 5000, 20);
    } finally {
      release();
      await b?.stop(5000);
      await recorder.stop(5000);
      await lane.close();
      await cleanup();
    }
  }, 30_000);
});
