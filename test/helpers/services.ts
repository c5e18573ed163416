// Real services for integration tests: the machine's PostgreSQL and Redis, with a fresh schema or key prefix per test.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A name unique to this test run, usable as a Postgres schema or a Redis key prefix. */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}

/** Fails (never skips) with a clear message when PostgreSQL is not reachable. */
export async function requirePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is required at ${DATABASE_URL} for integration tests (bash .ci/run starts it): ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Fails (never skips) with a clear message when Redis is not reachable. */
export async function requireRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `Redis is required at ${REDIS_URL} for integration tests (bash .ci/run starts it): ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    redis.disconnect();
  }
}

/** Drops a schema created for a test. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key under a prefix. */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
