// The job-queue contract on the in-process Postgres queue over a real Postgres (a fresh schema per test).
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { openDatabase } from '../../../src/adapters/db/database.js';
import { PostgresJobQueue } from '../../../src/adapters/queue/postgres-queue.js';
import { runQueueContract } from '../../helpers/queue-contract.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const logger = pino({ level: 'silent' });

runQueueContract('Postgres queue on PostgreSQL', async () => {
  const schema = `test_${randomUUID().replace(/-/g, '')}`;
  const db = await openDatabase({ url: DATABASE_URL, schema });
  await db.migrate();
  return {
    knex: db.knex,
    makeQueue: (opts) => new PostgresJobQueue({ knex: db.knex, logger, pollIntervalMs: 200, lockMs: 2000, ...opts }),
    loseBroker: async () => {},
    cleanup: async () => {
      await db.knex.raw('drop schema if exists ?? cascade', [schema]);
      await db.close();
    },
  };
});
