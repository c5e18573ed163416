// The job-queue contract on the BullMQ queue over a real Redis and a real Postgres (fresh prefix and schema per test).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { expect } from 'vitest';
import { openDatabase } from '../../../src/adapters/db/database.js';
import { BullJobQueue } from '../../../src/adapters/queue/bullmq-queue.js';
import { runQueueContract } from '../../helpers/queue-contract.js';

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
