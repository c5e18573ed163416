// The Postgres queue wakes for a timer at its time, not at the next poll: with a poll interval longer than the test may
// run, the timer still fires, and not before its time.
import pino from 'pino';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { PostgresJobQueue } from '../../../src/adapters/queue/postgres-queue.js';
import { usePGlite } from '../../helpers/pglite.js';

const pg = usePGlite();

it('fires a timer enqueued after start at its time, not at the next poll', async () => {
  // The next poll is ten minutes away, far past the test's timeout: only the timer's own wake can run the job.
  const queue = new PostgresJobQueue({ knex: pg.db.knex, logger: pino({ level: 'silent' }), pollIntervalMs: 600_000 });
  const fired: number[] = [];
  queue.register({ name: 'tick', schema: z.object({}), process: async () => void fired.push(Date.now()) });
  await queue.start();
  try {
    // Let the first poll find nothing and go to sleep for the whole interval.
    await new Promise((r) => setTimeout(r, 300));
    const due = Date.now() + 700;
    await queue.enqueue('tick', {}, { runAt: new Date(due) });
    while (!fired.length) await new Promise((r) => setTimeout(r, 10));
    expect(fired).toHaveLength(1);
    expect(fired[0]! - due).toBeGreaterThanOrEqual(0);
  } finally {
    await queue.stop();
  }
});
