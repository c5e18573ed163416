// The job-queue contract on the in-process Postgres queue over embedded PGlite (in memory): no services needed.
import pino from 'pino';
import { openDatabase } from '../../../src/adapters/db/database.js';
import { PostgresJobQueue } from '../../../src/adapters/queue/postgres-queue.js';
import { runQueueContract } from '../../helpers/queue-contract.js';

const logger = pino({ level: 'silent' });

runQueueContract('Postgres queue on PGlite', async () => {
  const db = await openDatabase({ dataDir: ':memory:' });
  await db.migrate();
  return {
    knex: db.knex,
    makeQueue: (opts) => new PostgresJobQueue({ knex: db.knex, logger, pollIntervalMs: 200, lockMs: 2000, ...opts }),
    loseBroker: async () => {},
    cleanup: () => db.close(),
  };
});
