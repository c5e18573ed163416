// The job-queue contract on the BullMQ queue over a real Redis and a real Postgres (fresh prefix and schema per test).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../../../src/adapters/db/database.js';
import { BullJobQueue } from '../../../src/adapters/queue/bullmq-queue.js';
import { runQueueContract } from '../../helpers/queue-contract.js';
import { waitFor } from '../../helpers/wait-for.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
}

runQueueContract('BullMQ queue on Redis and PostgreSQL', async () => {
  const id = randomUUID().replace(/-/g, '');
  const schema = `test_${id}`;
  const prefix = `test_${id}`;
  const db = await openDatabase({ url: DATABASE_URL, schema });
  await db.migrate();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
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
    cleanup: async () => {
      await deleteKeys(redis, prefix);
      redis.disconnect();
      await db.knex.raw('drop schema if exists ?? cascade', [schema]);
      await db.close();
    },
  };
});

describe('BullMQ queue: a queue that runs no jobs (the web role) hands new jobs to a started one', () => {
  it('one RPUSH a turn instead of an addBulk; the started queue takes it at once and runs the jobs (not its sweep)', async () => {
    const id = randomUUID().replace(/-/g, '');
    const schema = `test_${id}`;
    const prefix = `test_${id}`;
    const db = await openDatabase({ url: DATABASE_URL, schema });
    await db.migrate();
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const ran: number[] = [];
    const make = () => {
      // A sweep an hour away: only the hand-off can arm what the web queue records.
      const q = new BullJobQueue({ knex: db.knex, redisUrl: REDIS_URL, logger, prefix, sweepIntervalMs: 3_600_000 });
      q.register({
        name: 'record',
        lane: 'urgent',
        schema: z.object({ n: z.number() }),
        process: async (p) => void ran.push(p.n),
      });
      return q;
    };
    const web = make();
    const worker = make();
    try {
      await worker.start();
      // Recorded on the web queue: three in one turn make one hand-off, a fourth in another turn a second.
      await Promise.all([1, 2, 3].map((n) => web.enqueue('record', { n }, { jobId: `record-${n}` })));
      await new Promise((r) => setImmediate(r));
      await web.enqueue('record', { n: 4 }, { jobId: 'record-4' });
      await waitFor('the four jobs run by the started queue', () => ran.length === 4, 10_000, 20);
      expect(ran.sort()).toEqual([1, 2, 3, 4]);
      for (const n of [1, 2, 3, 4]) expect((await worker.get(`record-${n}`))?.status).toBe('completed');
      expect(await redis.llen(`${prefix}:copilot:handoff`)).toBe(0);

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
      await deleteKeys(redis, prefix);
      redis.disconnect();
      await db.knex.raw('drop schema if exists ?? cascade', [schema]);
      await db.close();
    }
  }, 60_000);
});
