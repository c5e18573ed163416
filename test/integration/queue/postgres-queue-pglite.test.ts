// The job-queue contract on the in-process Postgres queue over embedded PGlite (in memory): no services needed.
import pino from 'pino';
import { afterAll } from 'vitest';
import { openDatabase, type Database } from '../../../src/adapters/db/database.js';
import { PostgresJobQueue } from '../../../src/adapters/queue/postgres-queue.js';
import { runQueueContract } from '../../helpers/queue-contract.js';

const logger = pino({ level: 'silent' });

// One PGlite for the file (starting one and migrating it takes seconds); each test starts from an empty jobs table.
let opened: Promise<Database> | undefined;
afterAll(async () => {
  if (opened) await (await opened).close();
});

runQueueContract('Postgres queue on PGlite', async () => {
  opened ??= openDatabase({ dataDir: ':memory:' }).then(async (db) => {
    await db.migrate();
    return db;
  });
  const db = await opened;
  await db.knex('jobs').delete();
  return {
    knex: db.knex,
    makeQueue: (opts) => new PostgresJobQueue({ knex: db.knex, logger, pollIntervalMs: 200, lockMs: 2000, ...opts }),
    loseBroker: async () => {},
    cleanup: async () => {
      await db.knex('jobs').delete();
    },
  };
});
