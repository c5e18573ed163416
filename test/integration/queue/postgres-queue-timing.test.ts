// The Postgres queue wakes for a timer at its time, not at the next poll: a 5 s poll interval still fires it on time.
import pino from 'pino';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { PostgresJobQueue } from '../../../src/adapters/queue/postgres-queue.js';
import { usePGlite } from '../../helpers/pglite.js';

const pg = usePGlite();

it('fires a timer enqueued after start at its time, long before the next poll', async () => {
  const queue = new PostgresJobQueue({ knex: pg.db.knex, logger: pino({ level: 'silent' }), pollIntervalMs: 5000 });
  const fired: number[] = [];
  queue.register({ name: 'tick', schema: z.object({}), process: async () => void fired.push(Date.now()) });
  await queue.start();
  try {
    // Let the first poll find nothing and go to sleep for the whole interval.
    await new Promise((r) => setTimeout(r, 300));
    const due = Date.now() + 700;
    await queue.enqueue('tick', {}, { runAt: new Date(due) });
    while (!fired.length && Date.now() < due + 6000) await new Promise((r) => setTimeout(r, 10));
    expect(fired).toHaveLength(1);
    expect(fired[0]! - due).toBeGreaterThanOrEqual(0);
    expect(fired[0]! - due).toBeLessThan(1000);
  } finally {
    await queue.stop();
  }
});
