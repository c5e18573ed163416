// What a bench run leaves behind on shared services, removed at its end: its Postgres schema and, with BullMQ, its
// Redis keys (the escalation timers its pages armed are still delayed there when the run ends). A bench run after
// many others on the same Postgres also pays for the catalog's dead rows: see the README's Performance section.
import { Redis } from 'ioredis';
import { openDatabase } from '../src/adapters/db/database.js';

export async function dropBenchData(databaseUrl: string, schema: string, redisUrl?: string): Promise<void> {
  const admin = await openDatabase({ url: databaseUrl });
  await admin.knex.raw('drop schema if exists ?? cascade', [schema]).catch(() => {});
  await admin.close();
  if (!redisUrl) return;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${schema}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // A bench's figures stand without its cleanup; leftover keys live under a prefix no later run uses.
  } finally {
    redis.disconnect();
  }
}
